"""Full-text search on the list page: websearch syntax, abbreviations, misspellings, ranking and snippets."""

from __future__ import annotations

import io

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.urls import reverse

from catalogue import search
from catalogue.models import Trial

from .factories import make_trial

pytestmark = pytest.mark.django_db

UMBILICAL_CORD_TRIALS = ["NCT01219465", "NCT04061746"]


def results(client, **params) -> tuple[list[str], BeautifulSoup]:
    response = client.get(reverse("catalogue:trial_list"), params)
    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    return [item["data-registry-id"] for item in page.select("li.result")], page


@pytest.mark.parametrize(
    ("typed", "expanded"),
    [
        ("UC-MSC", '"umbilical cord"'),
        ("hUC-MSCs infusion", '"umbilical cord" infusion'),
        ("BM-MSC or AD-MSC", '"bone marrow" or "adipose"'),
        ("ADSC", '"adipose"'),
        ("WJ-MSC", '"Wharton\'s jelly"'),
        ("T1DM -T2DM", '"type 1 diabetes" -"type 2 diabetes"'),
        ("DFU", '"diabetic foot"'),
        ('"UC-MSC infusion"', '"umbilical cord infusion"'),
        ("umbilical", "umbilical"),
    ],
)
def test_abbreviations_in_a_query_become_the_phrase_they_stand_for(typed, expanded):
    assert search.expand_query(typed) == expanded


def test_a_document_gets_the_words_its_abbreviations_stand_for():
    text = search.expand_document("BM-MSCs in Type II Diabetes")
    assert text.split("Diabetes", 1)[1].split() == [
        "bone",
        "marrow",
        "mesenchymal",
        "type",
        "2",
        "diabetes",
    ]


def test_umbilical_cord_trials_by_phrase(client, seeded):
    ids, _ = results(client, q='"umbilical cord"')
    assert sorted(ids) == UMBILICAL_CORD_TRIALS


def test_websearch_exclusion(client, seeded):
    ids, _ = results(client, q='"umbilical cord" -placebo')
    assert ids == ["NCT01219465"]


def test_a_misspelling_falls_back_to_similar_words(client, seeded):
    ids, page = results(client, q="umbilicle")
    assert sorted(ids) == UMBILICAL_CORD_TRIALS
    assert "umbilicle" in page.select_one("#fuzzy-note").get_text()


def test_a_truncated_word_falls_back_too(client, seeded):
    ids, page = results(client, q="adipos")
    assert ids == ["NCT05308836"]
    assert page.select_one("#fuzzy-note")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("UC-MSC", UMBILICAL_CORD_TRIALS),
        ("AD-MSC", ["NCT05308836"]),
        ("ADSC", ["NCT05308836"]),
        ("T2DM", ["NCT03343782"]),
    ],
)
def test_abbreviations_find_the_spelled_out_trials(client, seeded, typed, expected):
    ids, _ = results(client, q=typed)
    assert sorted(ids) == expected


def test_type_1_abbreviation_finds_the_type_1_trials_first(client, seeded):
    ids, _ = results(client, q="T1DM")
    # The type 2 trial names type 1 diabetes once, among its exclusion criteria.
    assert ids[-1] == "NCT03343782"
    assert sorted(ids[:-1]) == ["NCT01219465", "NCT02893306", "NCT04061746", "NCT05308836"]


def test_bone_marrow_abbreviation_matches_spelled_out_and_abbreviated_documents(client):
    spelled = make_trial(brief_title="Bone marrow derived stromal cells")
    abbreviated = make_trial(brief_title="BM-MSCs for kidney disease", brief_summary="")
    make_trial(brief_title="Placental cells", brief_summary="")
    ids, _ = results(client, q="BM-MSC")
    assert sorted(ids) == sorted([spelled.registry_id, abbreviated.registry_id])


def test_diabetic_foot_abbreviation(client):
    foot = make_trial(brief_title="Stem cells for DFU healing")
    make_trial(brief_title="Stem cells for kidneys")
    ids, _ = results(client, q="diabetic foot")
    assert ids == [foot.registry_id]


def test_accents_do_not_matter(client):
    trial = make_trial(brief_summary="Led by Dr Pérez at the Hôpital Saint-Louis.")
    ids, _ = results(client, q="perez hopital")
    assert ids == [trial.registry_id]


def test_a_title_match_ranks_above_an_eligibility_match(client):
    late = make_trial(brief_title="Cells for diabetes", eligibility_text="No prior liraglutide.")
    early = make_trial(brief_title="Liraglutide with stromal cells")
    ids, _ = results(client, q="liraglutide", sort="")
    assert ids == [early.registry_id, late.registry_id]


def test_relevance_is_the_default_sort_when_searching(client, seeded):
    _, page = results(client, q="diabetes")
    chosen = page.select_one("#sort option[selected]")
    assert (chosen["value"], chosen.get_text()) == ("", "Relevance")
    _, page = results(client)
    assert "Relevance" not in [o.get_text() for o in page.select("#sort option")]
    assert page.select_one("#sort option[selected]").get_text() == "Start date, newest first"


def test_snippets_highlight_the_match_and_escape_the_source(client):
    make_trial(
        brief_summary='HbA1c < 7% & "umbilical" cells <script>alert("x")</script> <b>tissue</b>.'
    )
    _, page = results(client, q="umbilical")
    snippet = page.select_one("li.result .snippet")
    assert [m.get_text() for m in snippet.select("mark")] == ["umbilical"]
    assert [tag.name for tag in snippet.find_all(True)] == ["mark"]
    assert 'HbA1c < 7% & "umbilical" cells' in snippet.get_text()
    assert "&lt; 7% &amp;" in snippet.decode_contents()


def test_an_empty_search_lists_everything(client, seeded):
    ids, _ = results(client, q="   ")
    assert len(ids) == 5


def test_a_search_that_matches_nothing_says_so(client, seeded):
    ids, page = results(client, q="xylophone")
    assert ids == []
    assert page.select_one("#result-count").get_text(strip=True) == "No trials match"


def test_refresh_search_rebuilds_stale_documents(client):
    trial = make_trial(brief_title="UC-MSC infusion")
    Trial.objects.filter(pk=trial.pk).update(search_vector=None, search_text="")
    assert results(client, q="umbilical")[0] == []
    out = io.StringIO()
    call_command("refresh_search", stdout=out)
    assert out.getvalue().strip() == "Refreshed the search document of 1 trial."
    assert results(client, q="umbilical")[0] == [trial.registry_id]


def test_a_matched_phrase_is_one_highlight(client, seeded):
    _, page = results(client, q="T2DM")
    marks = [
        m.get_text() for m in page.select('li.result[data-registry-id="NCT03343782"] .snippet mark')
    ]
    assert marks and all(m.lower() == "type 2 diabetes" for m in marks)


def test_a_misspelled_phrase_is_corrected_word_by_word(client, seeded):
    ids, page = results(client, q="umbilicle cord")
    assert sorted(ids) == UMBILICAL_CORD_TRIALS
    note = page.select_one("#fuzzy-note").get_text()
    assert "umbilicle cord" in note and "umbilical cord" in note


def test_gibberish_finds_nothing_and_says_so(client, seeded):
    ids, page = results(client, q="qqxzv")
    assert ids == []
    assert "no word in the catalogue looks like it" in page.select_one("#fuzzy-note").get_text()


def test_the_correction_costs_one_query_per_word_not_a_scan(
    client, seeded, django_assert_max_num_queries
):
    client.get("/trials/", {"q": "x"})  # warm whatever a process computes once
    with django_assert_max_num_queries(12):
        client.get("/trials/", {"q": "umbilicle cordd diabetis"})
