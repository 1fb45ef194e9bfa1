"""CSV downloads through the ingest command: one document per row, bad rows named by their line,
the exit status, and a row filling what a richer source of the same trial leaves empty."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from catalogue.models import SourceDocument, Trial

from .conftest import SOURCES

pytestmark = pytest.mark.django_db

CLASSIC = Path(__file__).parent / "fixtures" / "ctgov_csv" / "classic_excerpt.csv"


def run_ingest(*paths, **options) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("ingest", *map(str, paths), stdout=out, stderr=err, **options)
        code = 0
    except SystemExit as exit:
        code = exit.code
    return code, out.getvalue(), err.getvalue()


def test_each_row_is_a_document_named_by_its_id(tmp_path):
    path = tmp_path / "download.csv"
    shutil.copy(CLASSIC, path)
    code, out, err = run_ingest(path)
    assert code == 0, err
    assert "1 files (9 records): 9 created, 0 updated, 0 unchanged, 0 failed" in out
    doc = SourceDocument.objects.get(path=f"{path}#NCT02893306")
    assert doc.filename == "download.csv#NCT02893306" and doc.source_format == "ctgov_csv"
    header, row = doc.raw_text.split("\r\n")[:2]
    assert header.startswith('"Rank","NCT Number","Title"') and row.startswith('499,"NCT02893306"')
    code, out, _ = run_ingest(path)
    assert "9 unchanged" in out


def test_bad_rows_fail_with_their_line_the_rest_load_and_the_exit_says_so(tmp_path):
    path = tmp_path / "download.csv"
    data = CLASSIC.read_bytes()
    data = data.replace(b'"Completed","No Results Available","Diabetic Foot Ulcer"', b'"Finished","No Results Available","Diabetic Foot Ulcer"')  # fmt: skip
    data = data.replace(b'4,"NCT03558334",', b'4,"",')
    path.write_bytes(data)
    code, out, err = run_ingest(path)
    assert code == 1
    assert "1 files (9 records): 7 created, 0 updated, 0 unchanged, 2 failed" in out
    failed = sorted(line for line in err.splitlines() if line.startswith("FAILED"))
    assert failed == [
        f"FAILED {path}#NCT02619877: line 3: unknown status 'Finished'",
        f"FAILED {path}:5: line 5: no valid NCT Number ('')",
    ]
    assert not Trial.objects.filter(registry_id="NCT02619877").exists()


def test_a_row_fills_what_a_page_of_the_same_trial_leaves_empty(tmp_path):
    """The aggregator page of NCT02893306 outranks its CSV row, field by field; the row gives
    what the page does not state (first posted, the design's masking)."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(SOURCES / "004_90e0e7b6a174f708.txt", folder)
    lines = CLASSIC.read_bytes().split(b"\r\n")
    (folder / "download.csv").write_bytes(lines[0] + b"\r\n" + lines[1] + b"\r\n")
    code, _out, err = run_ingest(folder)
    assert code == 0, err
    trial = Trial.objects.get(registry_id="NCT02893306")
    assert trial.sources.count() == 2
    page, row = "004_90e0e7b6a174f708.txt", "download.csv#NCT02893306"
    assert trial.field_sources["brief_title"] == page
    assert trial.field_sources["first_posted"] == row
    assert (trial.first_posted.isoformat(), trial.first_posted_precision) == ("2016-09-08", "day")
    assert trial.field_sources["enrollment"] == page
