"""A saved page in a layout no parser knows, through the ingest command: a flagged trial."""

from __future__ import annotations

import shutil

import pytest

from catalogue.models import Trial

from .conftest import FIXTURES
from .test_ingest_command import run_ingest

pytestmark = pytest.mark.django_db
LABELLED = FIXTURES / "labelled"


def test_a_page_with_a_registry_id_and_labelled_facts_becomes_a_flagged_trial(tmp_path):
    shutil.copy(LABELLED / "eu_unknown_status.txt", tmp_path)
    code, out, err = run_ingest(tmp_path)
    assert code == 0, err
    assert "1 created" in out
    trial = Trial.objects.get()
    assert (trial.registry_id, trial.registry) == ("2012-001234-56", "euctr")
    assert trial.overall_status == "" and trial.status_as_written == "Restarted"
    assert trial.phases == ["PHASE2"]
    assert trial.phase_as_written == "Therapeutic exploratory (Phase II)"
    assert trial.enrollment == 50
    assert trial.needs_review
    assert "parse warnings in eu_unknown_status.txt" in trial.review_reasons
    source = trial.sources.get()
    assert source.source_format == "labelled_page"
    assert source.warnings[0].startswith("page layout not recognised: read from its labels")
    assert "status 'Restarted' is not one the catalogue knows; kept as written" in source.warnings


def test_pages_without_a_registry_id_still_fail(tmp_path):
    shutil.copy(LABELLED / "no_registry_id.txt", tmp_path)
    code, _, err = run_ingest(tmp_path)
    assert code == 1
    assert f"FAILED {tmp_path / 'no_registry_id.txt'}: not a trial page in any known format" in err
    assert not Trial.objects.exists()


def test_a_known_source_of_the_same_trial_outranks_the_unknown_layout(tmp_path):
    page = (FIXTURES / "003_7a11bbe47b24feb4.txt").read_text()  # MedPath, NCT01219465
    (tmp_path / "medpath.txt").write_text(page)
    (tmp_path / "other.txt").write_text(
        "Umbilical cord MSC infusion for initial type 1 diabetes mellitus\n"
        "Registration number: NCT01219465\nRecruitment status: Recruiting\n"
        "Phase: Phase 2\nTarget enrollment: 999\n"
    )
    code, _, err = run_ingest(tmp_path)
    assert code == 0, err
    trial = Trial.objects.get()
    assert trial.sources.count() == 2
    assert trial.phases == ["PHASE1"] and trial.enrollment != 999  # the MedPath page wins
    assert trial.needs_review
