"""The list's search index (catalogue.search_index) answers exactly as Postgres does, and follows every write.

The differential tests build a list query both ways: through the index (the normal path) and
through Postgres alone (the index switched off for that filterset), on synthetic trials with
random filters, searches and orders, and compare ids, order, totals and every facet count.
"""

from __future__ import annotations

import random

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import User
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse

from catalogue import search_index
from catalogue.facets import FACETS, facet_counts
from catalogue.filters import SORTS, TrialFilter
from catalogue.models import Trial
from catalogue.search_index import engine, store
from catalogue.search_index.tsquery import And, Lexeme, Not, Or, Phrase, parse

from .conftest import curator_group
from .factories import make_trial
from .test_curation_admin import form_fields

pytestmark = pytest.mark.django_db

LIST = reverse("catalogue:trial_list")


def both_ways(params: dict) -> tuple[TrialFilter, TrialFilter]:
    """The same query answered by the index and by Postgres alone."""
    data = QueryDict(mutable=True)
    for name, value in params.items():
        data.setlist(name, value if isinstance(value, list) else [value])
    indexed = TrialFilter(data, queryset=Trial.objects.for_list())
    plain = TrialFilter(data, queryset=Trial.objects.for_list())
    plain.__dict__["index"] = None  # the cached property, set: Postgres answers
    return indexed, plain


def page_ids(filterset: TrialFilter, start: int = 0, stop: int = 20) -> list[int]:
    return list(filterset.qs[start:stop].values_list("pk", flat=True))


@pytest.fixture
def synthetic():
    from bench import seed

    seed.seed(400, seed=5)


SEARCHES = [
    "umbilical cord", "UC-MSC", '"type 1 diabetes" -placebo', "C-peptide", "adipose or placebo",
    "T1D", "bone marrow -autologous", "the", "diabetic foot ulcer", "zzzz", '"umbilical or cord"',
    "-placebo", "NCT9", "insulin-requiring", "HbA1c 7%",
]  # fmt: skip
VALUES = {
    "status": ["RECRUITING", "COMPLETED", "UNKNOWN", "WITHDRAWN"],
    "phase": ["PHASE1", "PHASE2", "PHASE3", "NA"],
    "cell_source": ["umbilical_cord", "bone_marrow", "adipose", "placenta"],
    "donor": ["allogeneic", "autologous", "unknown"],
    "diabetes_type": ["t1d", "t2d", "diabetic_foot", "nephropathy"],
    "route": ["intravenous", "intramuscular", "local"],
    "study_type": ["INTERVENTIONAL", "OBSERVATIONAL"],
    "sponsor_class": ["OTHER", "INDUSTRY", "NIH"],
    "country": ["China", "Iran", "United States", "Spain"],
    "age": ["12", "30", "70.5"],
    "enrollment_min": ["10", "60"],
    "enrollment_max": ["40", "200"],
    "start_year_min": ["2012", "2018"],
    "start_year_max": ["2015", "2022"],
}


def random_params(rng: random.Random) -> dict:
    params = {}
    for name in rng.sample(sorted(VALUES), rng.randint(0, 4)):
        choices = VALUES[name]
        params[name] = rng.sample(choices, rng.randint(1, 2)) if name in VALUES else choices
        if name in ("age",) or name.startswith(("enrollment", "start_year")):
            params[name] = rng.choice(choices)
    if rng.random() < 0.6:
        params["q"] = rng.choice(SEARCHES)
    if rng.random() < 0.5:
        params["sort"] = rng.choice([key for key, _ in SORTS])
    if rng.random() < 0.2:
        params["include_out_of_scope"] = "1"
    return params


def test_random_queries_give_postgres_ids_order_and_counts(synthetic):
    rng = random.Random(17)
    for _ in range(60):
        params = random_params(rng)
        indexed, plain = both_ways(params)
        assert indexed.found is not None, params
        assert indexed.fuzzy == plain.fuzzy and indexed.correction == plain.correction, params
        counted, expected = facet_counts(indexed), facet_counts(plain)
        assert counted.total == expected.total == plain.qs.count(), params
        assert counted.by_facet == expected.by_facet, params
        if indexed.sort == "relevance" and counted.total > engine.RERANK:
            # Beyond the exactly ranked best matches the order is the index's own: same set.
            assert set(indexed.qs[0 : counted.total].values_list("pk", flat=True)) == set(
                plain.qs.values_list("pk", flat=True)
            ), params
        else:
            assert page_ids(indexed, 0, counted.total) == page_ids(plain, 0, counted.total), params


@pytest.mark.parametrize("sort", [key for key, _ in SORTS if key != "relevance"])
def test_every_order_and_page_is_the_databases(synthetic, sort):
    indexed, plain = both_ways({"sort": sort, "include_out_of_scope": "1"})
    assert page_ids(indexed, 0, 400) == page_ids(plain, 0, 400)
    assert page_ids(indexed, 180, 200) == page_ids(plain, 180, 200)


def test_a_slice_longer_than_a_page_is_one_plain_query(synthetic):
    indexed, plain = both_ways({"sort": "-enrollment"})
    assert list(indexed.qs[0:1500].values_list("pk", flat=True)) == page_ids(plain, 0, 1500)
    assert indexed.qs.count() == plain.qs.count()


@pytest.mark.parametrize("text", SEARCHES)
def test_a_search_matches_what_postgres_matches(synthetic, text):
    indexed, _plain = both_ways({"q": text, "include_out_of_scope": "1"})
    view = indexed.index
    matched, _ = view.match(text)
    expected = set(Trial.objects.matching(text).values_list("pk", flat=True))
    assert set(view.pks[matched].tolist()) == expected


def test_a_search_with_few_matches_is_in_the_databases_relevance_order(synthetic):
    indexed, plain = both_ways({"q": "insulin-requiring", "include_out_of_scope": "1"})
    total = facet_counts(indexed).total
    assert 0 < total <= engine.RERANK
    assert page_ids(indexed, 0, total) == page_ids(plain, 0, total)


def test_tsquery_text_is_read_with_postgres_precedence():
    assert parse("'umbil' <-> 'cord' & !'placebo' | 't1d'") == Or(
        And(Phrase(Lexeme("umbil"), Lexeme("cord"), 1), Not(Lexeme("placebo"))), Lexeme("t1d")
    )
    assert parse("'a-b' <2> 'b' <-> 'c'") == Phrase(
        Phrase(Lexeme("a-b"), Lexeme("b"), 2), Lexeme("c"), 1
    )
    assert parse("'don''t' & !( 'x' | 'y' )") == And(
        Lexeme("don't"), Not(Or(Lexeme("x"), Lexeme("y")))
    )
    assert parse("") is None


def test_the_index_is_per_database_and_rebuilt_when_missing(client, settings, tmp_path):
    settings.SEARCH_INDEX_DIR = tmp_path
    trial = make_trial(brief_title="Wharton jelly cells")
    assert (tmp_path / store.directory().name / store.MANIFEST).exists()
    store.remove_unused(store.directory(), {"segments": []})
    (store.directory() / store.MANIFEST).unlink()
    page = BeautifulSoup(client.get(LIST, {"q": "wharton"}).content, "html.parser")
    assert [li["data-registry-id"] for li in page.select("li.result")] == [trial.registry_id]
    assert store.read_manifest() is not None


def test_a_write_without_a_refresh_is_caught_up_before_the_next_list(client):
    trial = make_trial(brief_title="Placenta cells", overall_status="RECRUITING")
    Trial.objects.filter(pk=trial.pk).update(overall_status="COMPLETED")  # no hook called
    page = BeautifulSoup(client.get(LIST).content, "html.parser")
    completed = page.select_one('[data-facet="status"][data-value="COMPLETED"]')
    assert completed["data-count"] == "1"


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_leaves_the_index(client):
    kept = make_trial(brief_title="Kept trial")
    with pytest.raises(RuntimeError), transaction.atomic():  # noqa: PT012 - the block is the write
        make_trial(brief_title="Rolled back trial")  # refreshes the index inside
        raise RuntimeError
    page = BeautifulSoup(client.get(LIST).content, "html.parser")
    assert [li["data-registry-id"] for li in page.select("li.result")] == [kept.registry_id]


def test_a_deleted_trial_leaves_the_list(client):
    gone, kept = make_trial(brief_title="Gone"), make_trial(brief_title="Kept")
    gone.delete()
    page = BeautifulSoup(client.get(LIST).content, "html.parser")
    assert [li["data-registry-id"] for li in page.select("li.result")] == [kept.registry_id]


def test_many_small_writes_are_merged_into_one_segment(client):
    trials = [
        make_trial(brief_title=f"Trial {i}") for i in range(search_index.MAX_ADDED_SEGMENTS + 3)
    ]
    manifest = store.read_manifest()
    assert len(manifest["segments"]) - manifest["base"] <= search_index.MAX_ADDED_SEGMENTS
    page = BeautifulSoup(client.get(LIST, {"per_page": 50}).content, "html.parser")
    assert len(page.select("li.result")) == len(trials)


def test_a_new_facet_filter_is_indexed_from_its_declaration():
    from catalogue.search_index import build

    declared = build.columns()
    assert set(declared.values) >= {spec.param for spec in FACETS}
    assert "enrollment" in declared.numbers and "start_date" in declared.dates


@pytest.fixture
def curator(client):
    user = User.objects.create_user("cura", password="x")
    user.is_staff = True
    user.save()
    user.groups.add(curator_group())
    client.force_login(user)
    return user


def test_a_curator_edit_in_the_admin_changes_the_list(client, seeded, curator):
    trial = Trial.objects.get(registry_id="NCT05308836")
    url = reverse("admin:catalogue_trial_change", args=[trial.pk])
    data = form_fields(client.get(url).content)
    data["brief_title"] = ["Quetzalcoatl cells for diabetes"]
    data["overall_status"] = ["WITHDRAWN"]
    data["_save"] = ["Save"]
    response = client.post(url, data)
    errors = BeautifulSoup(response.content, "html.parser").select(".errorlist")
    assert response.status_code == 302, errors
    client.logout()  # a visitor's list
    page = BeautifulSoup(client.get(LIST, {"q": "quetzalcoatl"}).content, "html.parser")
    assert [li["data-registry-id"] for li in page.select("li.result")] == ["NCT05308836"]
    withdrawn = page.select_one('[data-facet="status"][data-value="WITHDRAWN"]')
    assert withdrawn["data-count"] == "1"
