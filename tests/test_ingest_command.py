"""The ingest command end to end on the real bundled sources."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from catalogue.models import EligibilityCriterion, SourceDocument, Trial

from .conftest import SEED_IDS, SOURCES

pytestmark = pytest.mark.django_db


def run_ingest(*paths, **options) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("ingest", *map(str, paths), stdout=out, stderr=err, **options)
        code = 0
    except SystemExit as exit:
        code = exit.code
    return code, out.getvalue(), err.getvalue()


def test_bundled_sources_load_as_five_trials():
    code, out, err = run_ingest(SOURCES)
    assert code == 0, err
    assert "5 files: 5 created, 0 updated, 0 unchanged, 0 failed" in out
    assert set(Trial.objects.values_list("registry_id", flat=True)) == set(SEED_IDS.values())
    assert SourceDocument.objects.count() == 5


def test_second_run_changes_nothing_and_says_so():
    run_ingest(SOURCES)
    before = {t.registry_id: (t.record_hash, t.last_ingested) for t in Trial.objects.all()}
    criteria = list(EligibilityCriterion.objects.values_list("pk", flat=True))
    code, out, _ = run_ingest(SOURCES)
    assert code == 0
    assert "5 files: 0 created, 0 updated, 5 unchanged, 0 failed" in out
    after = {t.registry_id: (t.record_hash, t.last_ingested) for t in Trial.objects.all()}
    assert after == before
    assert list(EligibilityCriterion.objects.values_list("pk", flat=True)) == criteria


def test_changed_file_updates_its_trial_and_replaces_its_source(sources_dir):
    run_ingest(sources_dir)
    page = sources_dir / "004_90e0e7b6a174f708.txt"
    page.write_text(
        page.read_text().replace("Trial size 10 participants", "Trial size 12 participants")
    )
    code, out, _ = run_ingest(sources_dir)
    assert code == 0
    assert "0 created, 1 updated, 4 unchanged, 0 failed" in out
    trial = Trial.objects.get(registry_id="NCT02893306")
    assert trial.enrollment == 12
    assert trial.sources.count() == 1


def test_bad_files_are_named_skipped_and_fail_the_run(sources_dir):
    (sources_dir / "empty.txt").write_bytes(b"")
    (sources_dir / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (sources_dir / "recipe.html").write_text(
        "<html><body><h1>Lemon cake</h1><p>Mix.</p></body></html>"
    )
    (sources_dir / "no-id.txt").write_text(
        "MedPath\n\nSome Trial\n\nPhase 1\nConditions\nType 1 Diabetes\nLead Sponsor\nNobody\n"
    )
    code, out, err = run_ingest(sources_dir)
    assert code == 1
    assert "5 created" in out and "4 failed" in out
    for name in ("empty.txt", "binary.txt", "recipe.html", "no-id.txt"):
        line = next(line for line in err.splitlines() if name in line)
        assert line.startswith("FAILED ") and ": " in line.split(name, 1)[1]
    assert Trial.objects.count() == 5


def test_missing_path_is_reported(tmp_path):
    code, _, err = run_ingest(tmp_path / "nope.txt")
    assert code == 1
    assert "nope.txt" in err


def test_dry_run_writes_nothing():
    code, out, _ = run_ingest(SOURCES, dry_run=True)
    assert code == 0
    assert "Dry run" in out and "5 parsed" in out
    assert Trial.objects.count() == 0


def test_two_sources_of_one_trial_merge_and_record_their_origin(sources_dir):
    # A constructed second page for NCT03343782 (not a real page): newer, and it disagrees on status.
    (sources_dir / "extra_NCT03343782.txt").write_text(
        "This trial is recruiting.\n\n"
        "Condition type 2 diabetes mellitus\n"
        "Phase phase 1/phase 2\n"
        "Sponsor Vinmec Research Institute of Stem Cell and Gene Technology\n"
        "Start date June 2017\n"
        "Trial size 30 participants\n"
        "Trial identifier NCT03343782\n\n"
        "Autologous bone marrow MSCs for type 2 diabetes.\n\n"
        "Additional Information\n\n"
        "Trial information was received from ClinicalTrials.gov and was last updated in September 2026.\n"
    )
    code, _out, err = run_ingest(sources_dir)
    assert code == 0, err
    trial = Trial.objects.get(registry_id="NCT03343782")
    assert trial.sources.count() == 2
    assert trial.overall_status == "RECRUITING"  # the newer page wins a single value
    assert trial.phases == ["PHASE1", "PHASE2"]
    assert trial.field_sources["overall_status"] == "extra_NCT03343782.txt"
    # ...while the more complete lists still come from the MedPath page.
    assert trial.field_sources["eligibility.criteria"] == "001_721fa60f9c1edb35.txt"
    assert trial.criteria.count() == 9
    assert "sources disagree on overall_status" in trial.review_reasons
    assert str(trial.start_date) == "2017-06-01" and trial.start_date_precision == "month"
