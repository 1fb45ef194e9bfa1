"""WHO ICTRP exports through the ingest command: one document per trial, failures by position,
and a big export read with bounded memory (measured in a subprocess)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile

import pytest

from catalogue.models import SourceDocument, Trial

from .conftest import ROOT, SOURCES
from .test_ingest_command import run_ingest
from .test_parser_ictrp import EXPORT, MALFORMED, WEEKLY

pytestmark = pytest.mark.django_db


def test_an_export_loads_one_document_per_trial(tmp_path):
    shutil.copy(EXPORT, tmp_path)
    code, out, err = run_ingest(tmp_path)
    assert code == 0, err
    # 11 records; the two EU CTR country records are one trial.
    assert "1 files (11 records): 10 created, 1 updated, 0 unchanged, 0 failed" in out
    assert Trial.objects.count() == 10
    assert SourceDocument.objects.count() == 11
    source = SourceDocument.objects.get(filename="ictrp_export.xml#CTRI/2019/05/019123")
    assert source.source_format == "ictrp_xml"
    assert source.trial.registry_id == "CTRI/2019/05/019123"
    registries = dict(Trial.objects.values_list("registry_id", "registry"))
    assert registries == {
        "ChiCTR2000031319": "chictr",
        "ChiCTR1900021234": "chictr",
        "IRCT20190405043156N4": "irct",
        "CTRI/2019/05/019123": "ctri",
        "ACTRN12619000123456": "anzctr",
        "2012-001234-56": "euctr",
        "UMIN000012345": "jprn",
        "jRCT2051190001": "jrct",
        "NCT03343782": "ctgov",
        "DRKS00012345": "drks",
    }


def test_facts_reach_the_trial(tmp_path):
    shutil.copy(EXPORT, tmp_path)
    run_ingest(tmp_path)
    trial = Trial.objects.get(registry_id="ChiCTR2000031319")
    assert (trial.overall_status, trial.status_as_written) == ("NOT_YET_RECRUITING", "Pending")
    assert (trial.phases, trial.phase_as_written) == (
        ["NA"],
        "New Treatment Measure Clinical Study",
    )
    assert trial.enrollment == 60
    assert str(trial.registration_date) == "2020-03-28"
    assert trial.record_url == "http://www.chictr.org.cn/showprojen.aspx?proj=51234"
    assert trial.minimum_age_years == 18 and trial.maximum_age_years == 65
    assert trial.in_scope  # umbilical cord MSCs for type 2 diabetes
    assert "umbilical_cord" in trial.cell_sources
    negative = Trial.objects.get(registry_id="ChiCTR1900021234")
    assert not negative.in_scope  # knee osteoarthritis
    assert negative.needs_review and negative.phase_as_written == "Pilot clinical trial"


def test_one_eudract_number_registered_in_two_countries_is_one_trial(tmp_path):
    shutil.copy(EXPORT, tmp_path)
    run_ingest(tmp_path)
    trial = Trial.objects.get(registry_id="2012-001234-56")
    assert sorted(trial.sources.values_list("filename", flat=True)) == [
        "ictrp_export.xml#EUCTR2012-001234-56-DE",
        "ictrp_export.xml#EUCTR2012-001234-56-SE",
    ]
    assert str(trial.registration_date) == "2012-07-03"  # the earlier of the two
    assert trial.countries in (["Sweden"], ["Germany"])  # one source's list, not merged
    # The countries' records disagree on status (Authorised / Not Recruiting): a curator looks.
    assert "sources disagree on overall_status" in trial.review_reasons


def test_an_ictrp_record_and_a_saved_page_of_one_nct_trial_merge(tmp_path):
    shutil.copy(EXPORT, tmp_path)
    shutil.copy(SOURCES / "001_721fa60f9c1edb35.txt", tmp_path)  # MedPath, NCT03343782
    code, _, err = run_ingest(tmp_path)
    assert code == 0, err
    trial = Trial.objects.get(registry_id="NCT03343782")
    assert trial.sources.count() == 2
    # ICTRP's coarse "Not recruiting" gives way to the page's exact status.
    assert trial.overall_status == "COMPLETED"
    assert trial.status_as_written == ""
    assert str(trial.registration_date) == "2017-11-13"


def test_a_malformed_record_fails_with_its_position_and_the_rest_load(tmp_path):
    shutil.copy(MALFORMED, tmp_path)
    code, out, err = run_ingest(tmp_path)
    assert code == 1
    assert "1 files (4 records): 2 created, 0 updated, 0 unchanged, 2 failed" in out
    path = tmp_path / "ictrp_malformed.xml"
    assert (
        f"FAILED {path}#ChiCTR2100049999: record 2 (line 21): not well-formed (invalid token) "
        "at line 24, column 43"
    ) in err.splitlines()
    assert (
        f"FAILED {path}#NCT04567890: record 4 (line 47): the record does not end before the end "
        "of the file"
    ) in err.splitlines()
    assert set(Trial.objects.values_list("registry_id", flat=True)) == {
        "KCT0005678",
        "ISRCTN12345678",
    }


def test_the_weekly_csv_loads_and_names_its_bad_row(tmp_path):
    shutil.copy(WEEKLY, tmp_path)
    code, out, err = run_ingest(tmp_path)
    assert code == 1
    assert "1 files (5 records): 4 created, 0 updated, 0 unchanged, 1 failed" in out
    assert (
        f"FAILED {tmp_path / 'ictrp_weekly.csv'}#KCT0005678: row 4 (line 7): 4 cells, "
        "the header has 45"
    ) in err.splitlines()
    assert Trial.objects.get(registry_id="TCTR20210315002").registry == "tctr"


def test_a_second_run_changes_nothing(tmp_path):
    shutil.copy(EXPORT, tmp_path)
    run_ingest(tmp_path)
    code, out, _ = run_ingest(tmp_path)
    assert code == 0
    assert "0 created, 0 updated, 11 unchanged, 0 failed" in out


def test_next_weeks_export_of_the_same_trials_changes_nothing(tmp_path):
    shutil.copy(EXPORT, tmp_path)
    run_ingest(tmp_path)
    later = tmp_path / "later"
    later.mkdir()
    (later / "ictrp_export_week47.xml").write_text(
        EXPORT.read_text().replace("14/11/2024 09:12:44", "21/11/2024 08:00:02")
    )
    code, out, _ = run_ingest(later)
    assert code == 0
    assert "0 created, 0 updated, 11 unchanged, 0 failed" in out
    assert SourceDocument.objects.count() == 11


def test_an_export_inside_a_zip_is_streamed_too(tmp_path):
    with zipfile.ZipFile(tmp_path / "ictrp.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(MALFORMED, "export/ictrp_malformed.xml")
    code, out, err = run_ingest(tmp_path / "ictrp.zip")
    assert code == 1
    assert "2 created" in out and "2 failed" in out
    assert "ictrp.zip#export/ictrp_malformed.xml#ChiCTR2100049999: record 2 (line 21)" in err


def test_a_trial_id_with_a_known_prefix_but_not_its_shape_fails_alone(tmp_path):
    text = EXPORT.read_text().replace(
        "<TrialID>DRKS00012345</TrialID>", "<TrialID>DRKS123</TrialID>"
    )
    (tmp_path / "export.xml").write_text(text)
    code, out, err = run_ingest(tmp_path)
    assert code == 1
    assert "10 created" not in out and "1 failed" in out
    assert (
        f"FAILED {tmp_path / 'export.xml'}#DRKS123: registry id 'DRKS123' is not a valid DRKS id "
        "(its ids are DRKS + 8 digits)"
    ) in err.splitlines()
    assert not Trial.objects.filter(registry_id__startswith="DRKS").exists()


# --- a big export: bounded memory ------------------------------------------------------

# Writes an export of `count` trials of about `size` bytes each (the fixture's trials with
# their ids renumbered and their text padded), then reads it as ingest does (documents cut
# from the stream, each parsed) and prints the peak resident memory before and after.
_PROBE = textwrap.dedent(
    """
    import json, re, resource, sys, time
    import django
    django.setup()
    from pathlib import Path
    from ingest.detect import parse_document
    from ingest.documents import read_documents

    source, target, count, size = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    text = source.read_text()
    trials = re.findall(r"  <Trial>.*?</Trial>\\n", text, re.S)
    with target.open("w") as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\\n<Trials_downloaded_from_ICTRP>\\n')
        for n in range(count):
            trial = trials[n % len(trials)]
            trial = re.sub(r"<TrialID>[^<]*</TrialID>", f"<TrialID>ChiCTR{2000000000 + n}</TrialID>", trial)
            padding = "Background text of the trial. " * max(0, (size - len(trial)) // 30)
            trial = trial.replace("</Scientific_title>", " " + padding + "</Scientific_title>", 1)
            out.write(trial)
        out.write("</Trials_downloaded_from_ICTRP>\\n")
    del text, trials
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.process_time()
    documents = failed = 0
    for document in read_documents(target):
        documents += 1
        if document.error:
            failed += 1
        else:
            parse_document(document.data, document.filename)
    seconds = time.process_time() - started
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"bytes": target.stat().st_size, "documents": documents, "failed": failed,
                      "before_kb": before, "after_kb": after, "cpu_seconds": seconds}))
    """
)


def probe(tmp_path, count: int, size: int) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            _PROBE,
            str(EXPORT),
            str(tmp_path / "big.xml"),
            str(count),
            str(size),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.subprocess
def test_a_20_mb_export_of_3000_trials_streams_with_bounded_memory(tmp_path):
    found = probe(tmp_path, 3000, 7000)
    assert found["bytes"] > 20_000_000
    assert found["documents"] == 3000 and found["failed"] == 0
    # Reading the export whole would hold its 20 MB at least twice (the bytes and the
    # documents cut from them); streamed, the peak grows by a few MB at most.
    grown_mb = (found["after_kb"] - found["before_kb"]) / 1024
    assert grown_mb < 8, found
