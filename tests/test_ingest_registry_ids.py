"""A document's own registry id, checked against the table of registries by the ingest command."""

from __future__ import annotations

import json

import pytest

from catalogue.models import SourceDocument, Trial

from .conftest import FIXTURES
from .test_ingest_command import run_ingest

pytestmark = pytest.mark.django_db

NCT_REASON = "registry id {!r} is not a valid ClinicalTrials.gov id (its ids are NCT + 8 digits)"


def _study_with_id(nct_id: str) -> str:
    study = json.loads((FIXTURES / "NCT00763412.json").read_text())
    study["protocolSection"]["identificationModule"]["nctId"] = nct_id
    return json.dumps(study)


@pytest.mark.parametrize("bad", ["NCTXXXX", "NCT123"])
def test_a_registry_record_with_a_malformed_nct_id_fails_and_creates_nothing(tmp_path, bad):
    (tmp_path / "study.json").write_text(_study_with_id(bad))
    code, out, err = run_ingest(tmp_path)
    assert code == 1
    assert "0 created, 0 updated, 0 unchanged, 1 failed" in out
    assert f"FAILED {tmp_path / 'study.json'}: {NCT_REASON.format(bad)}" in err.splitlines()
    assert Trial.objects.count() == 0 and SourceDocument.objects.count() == 0


@pytest.mark.parametrize("bad", ["NCTXXXX", "NCT123"])
def test_a_saved_page_with_a_malformed_nct_id_fails_and_creates_nothing(tmp_path, bad):
    page = (FIXTURES / "000_e5be43bb7cdcd631.txt").read_text()
    (tmp_path / "page.txt").write_text(page.replace("NCT ID: NCT05308836", f"NCT ID: {bad}"))
    code, _out, err = run_ingest(tmp_path)
    assert code == 1
    assert f"FAILED {tmp_path / 'page.txt'}: {NCT_REASON.format(bad)}" in err.splitlines()
    assert Trial.objects.count() == 0 and SourceDocument.objects.count() == 0


def test_a_malformed_id_fails_only_its_own_document(tmp_path):
    (tmp_path / "bad.json").write_text(_study_with_id("NCTXXXX"))
    (tmp_path / "good.json").write_text(_study_with_id("NCT00763412"))
    code, out, _ = run_ingest(tmp_path)
    assert code == 1
    assert "1 created, 0 updated, 0 unchanged, 1 failed" in out
    assert list(Trial.objects.values_list("registry_id", flat=True)) == ["NCT00763412"]


def test_an_id_of_a_registry_the_catalogue_does_not_know_is_kept_with_a_warning(tmp_path):
    page = (FIXTURES / "003_7a11bbe47b24feb4.txt").read_text()
    (tmp_path / "page.txt").write_text(page.replace("NCT01219465", "XYZREG-2020-0042", 1))
    code, _out, err = run_ingest(tmp_path)
    assert code == 0, err
    trial = Trial.objects.get()
    assert trial.registry_id == "XYZREG-2020-0042"
    assert trial.registry == ""
    warning = "registry id 'XYZREG-2020-0042' is not of a registry the catalogue knows"
    assert warning in trial.sources.get().warnings
    assert trial.needs_review


def test_ids_of_other_registries_are_stored_canonical_with_their_registry(tmp_path):
    page = (FIXTURES / "003_7a11bbe47b24feb4.txt").read_text()
    (tmp_path / "page.txt").write_text(page.replace("NCT01219465", "JPRN-jRCT2051190001", 1))
    code, _, err = run_ingest(tmp_path)
    assert code == 0, err
    trial = Trial.objects.get()
    assert (trial.registry_id, trial.registry) == ("jRCT2051190001", "jrct")
