"""Registry records through the loader and the ingest command: bundles, zips, XML, precedence."""

from __future__ import annotations

import copy
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command

from catalogue.curation import record_field_edits
from catalogue.export import trial_to_dict
from catalogue.models import SourceDocument, Trial
from catalogue.provenance import CURATOR, SECTIONS, section_sources
from ingest import documents, loader

from .conftest import SOURCES

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
REAL = FIXTURES / "NCT00763412.json"
CONSTRUCTED = FIXTURES / "ctgov"
VARIANTS = sorted(CONSTRUCTED.glob("*.json"))
VINMEC_PAGE = "000_e5be43bb7cdcd631.txt"


def run_ingest(*paths, **options) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("ingest", *map(str, paths), stdout=out, stderr=err, **options)
        code = 0
    except SystemExit as exit:
        code = exit.code
    return code, out.getvalue(), err.getvalue()


def real_study() -> dict:
    return json.loads(REAL.read_text())


def mixed_folder(root: Path) -> Path:
    """Saved pages, a JSON list of studies, a zip of a JSON study and an XML record."""
    folder = root / "mixed"
    shutil.copytree(SOURCES, folder)
    studies = [json.loads(p.read_text()) for p in VARIANTS]
    (folder / "ctg-studies.json").write_text(json.dumps(studies), encoding="utf-8")
    with zipfile.ZipFile(folder / "download.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(REAL, "NCT00763412.json")
        archive.write(CONSTRUCTED / "NCT00763412_classic.xml", "xml/NCT00763412.xml")
        archive.writestr("__MACOSX/._NCT00763412.json", b"\x00\x05\x16\x07")
    return folder


def test_a_mixed_folder_ingests_in_one_run(tmp_path):
    folder = mixed_folder(tmp_path)
    code, out, err = run_ingest(folder)
    assert code == 0, err
    # 5 pages + 4 studies in the list + 2 zip members = 11 documents in 7 files.
    assert "7 files (11 records): 10 created, 1 updated, 0 unchanged, 0 failed" in out
    assert Trial.objects.count() == 5 + 4 + 1
    formats = dict(SourceDocument.objects.values_list("path", "source_format").order_by("path"))
    assert formats[f"{folder}/ctg-studies.json#NCT99000003"] == "ctgov_json"
    assert formats[f"{folder}/download.zip#NCT00763412.json"] == "ctgov_json"
    assert formats[f"{folder}/download.zip#xml/NCT00763412.xml"] == "ctgov_xml"
    assert formats[f"{folder}/{VINMEC_PAGE}"] == "ctgov_labeled"

    trial = Trial.objects.get(registry_id="NCT00763412")
    assert sorted(trial.sources.values_list("filename", flat=True)) == [
        "download.zip#NCT00763412.json",
        "download.zip#NCT00763412.xml",
    ]
    # API JSON outranks classic XML: the locations keep the geo point only the API gives.
    assert trial.field_sources["locations"] == "download.zip#NCT00763412.json"
    assert trial.locations.get().latitude == 38.62727
    assert trial.mesh_terms[:2] == ["Cystic Fibrosis", "Exocrine Pancreatic Insufficiency"]
    assert trial.status_verified_date.isoformat() == "2017-05-01"
    assert trial.status_verified_date_precision == "month"
    assert trial.results_posted is True
    assert trial.lead_sponsor_class == "INDIV"
    assert trial.criteria.count() == 11
    assert Trial.objects.get(registry_id="NCT99000004").enrollment == 0
    assert Trial.objects.get(registry_id="NCT99000003").phases == []

    code, out, _ = run_ingest(folder)
    assert code == 0
    assert "7 files (11 records): 0 created, 0 updated, 11 unchanged, 0 failed" in out


def test_every_module_of_the_real_record_reaches_the_catalogue(tmp_path):
    code, out, err = run_ingest(REAL)
    assert code == 0, err
    assert "1 files: 1 created" in out
    trial = Trial.objects.for_export().get(registry_id="NCT00763412")
    data = trial_to_dict(trial)
    assert data["overall_status"] == "COMPLETED"
    assert data["phases"] == ["NA"]
    assert (data["start_date"], data["completion_date"], data["last_update"]) == (
        "2006-11",
        "2013-01",
        "2017-06-05",
    )
    assert data["status_verified_date"] == "2017-05"
    assert data["results_posted"] is True
    assert data["mesh_terms"][2] == "Diabetes Mellitus"
    assert data["intervention_mesh_terms"] == ["Repaglinide"]
    assert data["enrollment"] == 31 and data["enrollment_type"] == "ACTUAL"
    assert data["design"] == {
        "allocation": "RANDOMIZED",
        "intervention_model": "PARALLEL",
        "primary_purpose": "OTHER",
        "masking": "QUADRUPLE",
    }
    assert data["lead_sponsor"] == {"name": "Arbelaez, Ana Maria", "class": "INDIV"}
    assert len(data["collaborators"]) == 4
    assert [(a["label"], a["interventions"]) for a in data["arms"]] == [
        ("1 Placebo", ["placebo"]),
        ("2. repaglinide", ["repaglinide"]),
    ]
    assert len(data["outcomes"]) == 9
    assert len(data["eligibility"]["inclusion"]) == 5
    assert len(data["eligibility"]["exclusion"]) == 6
    assert data["locations"] == [
        {
            "facility": "Washington University School of Medicine",
            "city": "Saint Louis",
            "state": "Missouri",
            "country": "United States",
            "latitude": 38.62727,
            "longitude": -90.19789,
        }
    ]
    assert data["sources"] == [
        {
            "file": "NCT00763412.json",
            "format": "ctgov_json",
            "sha256": trial.sources.get().sha256,
        }
    ]
    # The stored raw text is the study's own JSON, enough to parse it again.
    assert json.loads(trial.sources.get().raw_text) == real_study()


def test_the_same_study_in_a_list_and_alone_is_one_document(tmp_path):
    (tmp_path / "one.json").write_bytes(REAL.read_bytes())
    (tmp_path / "page.json").write_text(
        json.dumps({"studies": [real_study()], "nextPageToken": "abc"}), encoding="utf-8"
    )
    code, out, _ = run_ingest(tmp_path)
    assert code == 0
    assert "2 files: 1 created, 0 updated, 1 unchanged, 0 failed" in out
    assert SourceDocument.objects.count() == 1


def test_a_changed_study_in_a_bundle_replaces_only_its_own_document(tmp_path):
    studies = [json.loads(p.read_text()) for p in VARIANTS]
    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps(studies), encoding="utf-8")
    run_ingest(bundle)
    studies[2]["protocolSection"]["statusModule"]["overallStatus"] = "COMPLETED"
    bundle.write_text(json.dumps(studies), encoding="utf-8")
    code, out, _ = run_ingest(bundle)
    assert code == 0
    assert "1 files (4 records): 0 created, 1 updated, 3 unchanged, 0 failed" in out
    trial = Trial.objects.get(registry_id="NCT99000003")
    assert trial.overall_status == "COMPLETED"
    assert trial.sources.count() == 1


def test_bad_zip_members_are_named_and_the_rest_loads(tmp_path, monkeypatch):
    archive_path = tmp_path / "studies.zip"
    big = json.dumps({"studies": [real_study()] * 3}).encode()
    with zipfile.ZipFile(archive_path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(CONSTRUCTED / "withdrawn_zero_enrollment.json", "a_withdrawn.json")
        archive.writestr("b_corrupt.json", json.dumps(real_study()))
        archive.writestr("c_not_a_study.json", b'[{"hello": 1}]')
        archive.writestr("d_nested.zip", b"PK\x05\x06" + b"\x00" * 18)
        archive.writestr("e_too_big.json", big)
    # Corrupt b_corrupt.json's compressed bytes in place: its CRC check fails on reading.
    raw = bytearray(archive_path.read_bytes())
    with zipfile.ZipFile(archive_path) as archive:
        info = archive.getinfo("b_corrupt.json")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    raw[start + 10 : start + 40] = b"\x00" * 30
    archive_path.write_bytes(bytes(raw))
    monkeypatch.setattr(documents, "MAX_BUNDLE_BYTES", len(big) - 1)

    code, out, err = run_ingest(archive_path)
    assert code == 1
    assert "1 files (5 records): 1 created, 0 updated, 0 unchanged, 4 failed" in out
    failed = {line.split(": ", 1)[0] for line in err.splitlines() if line.startswith("FAILED")}
    assert failed == {
        f"FAILED {archive_path}#b_corrupt.json",
        f"FAILED {archive_path}#c_not_a_study.json",
        f"FAILED {archive_path}#d_nested.zip",
        f"FAILED {archive_path}#e_too_big.json",
    }
    assert "JSON, but not a trial record in any known format" in err
    assert Trial.objects.get().registry_id == "NCT99000004"


def test_a_broken_zip_and_broken_json_fail_alone(tmp_path):
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 this is not really a zip")
    (tmp_path / "cut.json").write_bytes(REAL.read_bytes()[:5000])
    (tmp_path / "real.json").write_bytes(REAL.read_bytes())
    code, out, err = run_ingest(tmp_path)
    assert code == 1
    assert "1 created" in out and "2 failed" in out
    assert "broken.zip: unreadable zip" in err
    assert "cut.json: not valid JSON" in err


def test_dry_run_reads_bundles_and_writes_nothing(tmp_path):
    code, out, _ = run_ingest(mixed_folder(tmp_path), dry_run=True)
    assert code == 0
    assert "Dry run, nothing written: 7 files (11 records): 11 parsed, 0 failed" in out
    assert Trial.objects.count() == 0


def registry_twin_of_the_vinmec_page() -> dict:
    """A constructed API record for the trial of seed page 000 (not a real record).

    It disagrees with the page on status, states no criteria and no references, and
    dates itself *older* than the page: the registry must still win what it states.
    """
    study = copy.deepcopy(real_study())
    protocol = study["protocolSection"]
    protocol["identificationModule"]["nctId"] = "NCT05308836"
    protocol["statusModule"]["overallStatus"] = "ACTIVE_NOT_RECRUITING"
    protocol["statusModule"]["lastUpdatePostDateStruct"] = {"date": "2020-01-01"}
    protocol["eligibilityModule"].pop("eligibilityCriteria")
    protocol["armsInterventionsModule"] = {}
    return study


def test_registry_wins_what_it_states_pages_fill_the_rest(tmp_path):
    folder = tmp_path / "sources"
    folder.mkdir()
    shutil.copy(SOURCES / VINMEC_PAGE, folder)
    (folder / "registry.json").write_text(json.dumps(registry_twin_of_the_vinmec_page()))
    code, _, err = run_ingest(folder)
    assert code == 0, err
    trial = Trial.objects.get(registry_id="NCT05308836")
    assert trial.overall_status == "ACTIVE_NOT_RECRUITING"  # registry, though the page is newer
    assert trial.field_sources["overall_status"] == "registry.json"
    assert trial.phases == ["NA"] and trial.field_sources["phases"] == "registry.json"
    assert "sources disagree on overall_status" in trial.review_reasons
    conflict = trial.classification["conflicts"]["overall_status"]
    assert {c["source"]: c["value"] for c in conflict} == {
        "registry.json": "ACTIVE_NOT_RECRUITING",
        VINMEC_PAGE: "COMPLETED",
    }
    # What the registry record lacks comes from the page.
    assert trial.field_sources["eligibility.criteria"] == VINMEC_PAGE
    assert trial.criteria.count() > 0
    assert trial.field_sources["arms"] == VINMEC_PAGE
    assert trial.field_sources["related_trials"] == VINMEC_PAGE
    assert trial.mesh_terms and trial.field_sources["mesh_terms"] == "registry.json"

    sections = section_sources(trial)
    assert tuple(sections) == SECTIONS
    assert sections["status"] == ["registry.json"]
    assert sections["eligibility"] == ["registry.json", VINMEC_PAGE]
    assert sections["arms"] == [VINMEC_PAGE]
    assert sections["references"] == [VINMEC_PAGE]


def test_curator_values_still_win_over_the_registry(tmp_path):
    folder = tmp_path / "sources"
    folder.mkdir()
    shutil.copy(SOURCES / VINMEC_PAGE, folder)
    run_ingest(folder)
    trial = Trial.objects.get(registry_id="NCT05308836")
    before = {"overall_status": trial.overall_status}
    trial.overall_status = "TERMINATED"
    trial.save()
    record_field_edits(trial, before, ["overall_status"], None)

    (folder / "registry.json").write_text(json.dumps(registry_twin_of_the_vinmec_page()))
    code, out, err = run_ingest(folder)
    assert code == 0, err
    assert "0 created, 1 updated, 1 unchanged" in out
    trial.refresh_from_db()
    assert trial.overall_status == "TERMINATED"
    assert trial.field_sources["overall_status"] == "registry.json"
    assert "source changed overall_status since the curator's correction" in trial.review_reasons
    assert section_sources(trial)["status"] == ["registry.json", CURATOR]


def test_reparse_reads_stored_registry_documents_again(tmp_path):
    run_ingest(REAL, CONSTRUCTED / "NCT00763412_classic.xml")
    trial = Trial.objects.get(registry_id="NCT00763412")
    assert loader.reparse_sources(trial) == []
    assert sorted(trial.sources.values_list("source_format", flat=True)) == [
        "ctgov_json",
        "ctgov_xml",
    ]
