"""One trial registered in several registries is one catalogue entry (ingest.identity,
ingest.grouping), on the records of tests/fixtures/identity/ (see its README)."""

from __future__ import annotations

import itertools
import shutil

import pytest
from django.urls import reverse

from catalogue.models import IdentityDecision, SourceDocument, Trial
from catalogue.search_index import engine as _engine  # noqa: F401  (the index the list uses)
from ingest import identity
from records import ParsedTrial, SecondaryId, Sponsor

from .conftest import FIXTURES
from .test_ingest_command import run_ingest

HERE = FIXTURES / "identity"
JSON = FIXTURES / "NCT00763412.json"
CSV = HERE / "ctgov_download.csv"
CHICTR = HERE / "ictrp_chictr_naming_nct.xml"
WRONG = HERE / "ictrp_irct_naming_nct_wrongly.xml"


def ingest(tmp_path, *files) -> tuple[int, str]:
    folder = tmp_path / f"run{len(list(tmp_path.iterdir()))}"
    folder.mkdir()
    for file in files:
        shutil.copy(file, folder)
    code, out, err = run_ingest(folder)
    return code, out + err


# --- pure: what a record claims, and when two records read as different trials ---


def record(own: str, title: str, sponsor: str = "", *named: str) -> ParsedTrial:
    rec = ParsedTrial(source_format="test", registry_id=own, brief_title=title)
    rec.sponsors = [Sponsor(sponsor, "lead")] if sponsor else []
    rec.secondary_ids = [SecondaryId(i, "") for i in named]
    return rec


def test_only_registry_ids_are_claimed():
    rec = record(
        "NCT00763412", "A trial", "", "N/A", "1", "05-1109", "P60DK020579", "2012-001234-56"
    )
    assert identity.named(rec) == ["2012-001234-56"]


def test_an_id_in_the_text_is_claimed_only_where_the_words_speak_of_registration():
    rec = record("NCT00763412", "A trial")
    rec.brief_summary = (
        "This trial is also registered as ChiCTR2000031319. "
        + "x " * 60
        + "It follows our earlier trial NCT01234567, which showed safety."
    )
    assert identity.named(rec) == ["ChiCTR2000031319"]


def test_a_curators_decision_overrides_the_claims():
    rules = identity.Decisions(
        split=frozenset({frozenset({"NCT00763412", "ChiCTR2000031319"})}),
        joined=frozenset({frozenset({"NCT00763412", "IRCT20190101012345N1"})}),
    )
    claimed = identity.claims("NCT00763412", ["ChiCTR2000031319"], rules)
    assert claimed == ["NCT00763412", "IRCT20190101012345N1"]


@pytest.mark.parametrize(
    ("first", "second", "differ"),
    [
        # Another wording of the same trial: shares its telling words.
        (
            (
                "Pilot and Feasibility Study for the Treatment of Pre-diabetes in Cystic Fibrosis",
                "A",
            ),
            ("Insulin treatment of pre-diabetes in cystic fibrosis: a pilot", "B"),
            False,
        ),
        # Different titles, but the same sponsor: one trial retitled.
        (
            ("Umbilical cord MSC for type 1 diabetes", "Example University Hospital"),
            ("Islet protection with stromal cells in new-onset T1D", "Example University Hospital"),
            False,
        ),
        # Nothing shared: two trials (the words every MSC trial uses do not count).
        (
            ("Pre-diabetes in cystic fibrosis: insulin aspart", "Washington University"),
            ("Mesenchymal stem cells for diabetic foot ulcers", "Example Medical Sciences"),
            True,
        ),
    ],
)
def test_records_that_name_each_other_disagree_only_on_title_and_sponsor(first, second, differ):
    a = identity.Facts(titles=(first[0],), sponsors=(first[1],))
    b = identity.Facts(titles=(second[0],), sponsors=(second[1],))
    assert identity.disagree(a, b) is differ


# --- ingest: three registrations, one entry ---

pytestmark = pytest.mark.django_db


def test_a_json_record_a_chictr_record_naming_it_and_a_csv_row_are_one_trial(tmp_path, client):
    code, out = ingest(tmp_path, JSON, CSV, CHICTR)
    assert code == 0, out
    assert Trial.objects.count() == 1
    trial = Trial.objects.get()
    assert trial.registry_id == "NCT00763412"  # the ClinicalTrials.gov id is the canonical one
    assert trial.registrations == ["NCT00763412", "ChiCTR-TRC-08000123"]
    formats = sorted(trial.sources.values_list("source_format", flat=True))
    assert formats == ["ctgov_csv", "ctgov_json", "ictrp_xml"]
    assert trial.brief_title.startswith("Pilot and Feasibility Study")  # API v2 outranks

    page = client.get(reverse("catalogue:trial_detail", args=["NCT00763412"]))
    text = page.content.decode()
    assert "Also registered as" in text and "ChiCTR-TRC-08000123" in text
    # Any of its ids leads to it, and finds it.
    other = client.get(reverse("catalogue:trial_detail", args=["ChiCTR-TRC-08000123"]))
    assert other.status_code == 301
    assert other["Location"] == reverse("catalogue:trial_detail", args=["NCT00763412"])
    everything = {"q": "ChiCTR-TRC-08000123", "include_out_of_scope": "1"}  # not an MSC trial
    listed = client.get(reverse("catalogue:trial_list"), everything)
    assert "NCT00763412" in listed.content.decode()
    api = client.get("/api/v1/trials/ChiCTR-TRC-08000123").json()
    assert api["registry_id"] == "NCT00763412"
    assert api["also_registered_as"] == ["ChiCTR-TRC-08000123"]


@pytest.mark.parametrize("order", list(itertools.permutations([JSON, CSV, CHICTR])))
def test_the_entry_is_the_same_whatever_order_the_records_come_in(tmp_path, order):
    for file in order:
        code, out = ingest(tmp_path, file)
        assert code == 0, out
    trial = Trial.objects.get()
    assert trial.registry_id == "NCT00763412"
    assert trial.registrations == ["NCT00763412", "ChiCTR-TRC-08000123"]
    assert SourceDocument.objects.count() == 3


def test_a_record_naming_a_trial_it_plainly_is_not_stays_apart_for_review(tmp_path):
    code, out = ingest(tmp_path, JSON, WRONG)
    assert code == 0, out
    assert Trial.objects.count() == 2
    wrong = Trial.objects.get(registry_id="IRCT20190101012345N1")
    assert wrong.needs_review  # the curator sees why on the record's warnings
    [warning] = [w for w in wrong.sources.get().warnings if "NCT00763412" in w]
    assert "kept as separate trials" in warning
    assert Trial.objects.get(registry_id="NCT00763412").registrations == ["NCT00763412"]


def test_a_curators_split_outlives_a_reingest(tmp_path):
    ingest(tmp_path, JSON, CHICTR)
    assert Trial.objects.count() == 1
    IdentityDecision.objects.create(
        first="ChiCTR-TRC-08000123", second="NCT00763412", decision="split"
    )
    from ingest.service import apply_identity_decision

    apply_identity_decision("NCT00763412", "ChiCTR-TRC-08000123")
    assert set(Trial.objects.values_list("registry_id", flat=True)) == {
        "NCT00763412",
        "ChiCTR-TRC-08000123",
    }
    code, out = ingest(tmp_path, JSON, CHICTR, CSV)  # everything again, and a new row
    assert code == 0, out
    assert Trial.objects.count() == 2
    assert Trial.objects.get(registry_id="NCT00763412").sources.count() == 2


def test_a_curators_join_merges_what_the_guard_kept_apart(tmp_path):
    ingest(tmp_path, JSON, WRONG)
    IdentityDecision.objects.create(
        first="IRCT20190101012345N1", second="NCT00763412", decision="joined"
    )
    from ingest.service import apply_identity_decision

    apply_identity_decision("IRCT20190101012345N1", "NCT00763412")
    trial = Trial.objects.get()
    assert trial.registry_id == "NCT00763412"
    assert sorted(trial.registrations) == ["IRCT20190101012345N1", "NCT00763412"]
    ingest(tmp_path, WRONG, JSON)
    assert Trial.objects.count() == 1


def test_a_curator_splits_a_wrong_merge_in_admin_and_it_stays_split(tmp_path, client, curator):
    ingest(tmp_path, JSON, CHICTR)
    trial = Trial.objects.get()
    page = client.get(reverse("admin:catalogue_trial_change", args=[trial.pk]))
    assert "ChiCTR-TRC-08000123" in page.content.decode()
    assert "Split or join registrations" in page.content.decode()
    answer = client.post(
        reverse("admin:catalogue_identitydecision_add"),
        # Any spelling of the ids, either order: stored as one ordered pair.
        {"first": "nct00763412", "second": "ChiCTR-TRC-08000123", "decision": "split", "note": ""},
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    decision = IdentityDecision.objects.get()
    assert (decision.first, decision.second) == ("ChiCTR-TRC-08000123", "NCT00763412")
    assert Trial.objects.count() == 2
    ingest(tmp_path, CHICTR, JSON, CSV)
    assert Trial.objects.count() == 2
    assert Trial.objects.get(registry_id="ChiCTR-TRC-08000123").sources.count() == 1


def test_the_admin_refuses_a_pair_that_is_not_two_registry_ids(client, curator):
    answer = client.post(
        reverse("admin:catalogue_identitydecision_add"),
        {"first": "N/A", "second": "NCT00763412", "decision": "joined", "note": ""},
    )
    assert answer.status_code == 200
    assert "is not an id of a registry the catalogue knows" in answer.content.decode()
    assert not IdentityDecision.objects.exists()
