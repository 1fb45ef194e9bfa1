"""The two writers of the write specification (COPY, set-based; and the ORM, one trial at a
time) build exactly the same catalogue and the same change history, for new and changed trials."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command

from bench.corpus import write_corpus
from catalogue.children import CHILD_TABLES
from catalogue.models import (
    EligibilityCriterion,
    Location,
    SourceDocument,
    Sponsor,
    Trial,
    TrialSponsor,
)
from ingest import orm, pgcopy
from ingest.documents import read_documents, source_files
from ingest.pipeline import ingest_documents

from .conftest import FIXTURES, SOURCES

# Every child table but the sponsor links, which are compared by sponsor name below.
CHILDREN = tuple(t.model for t in CHILD_TABLES if t.model is not TrialSponsor)
NOT_COMPARED = {"id", "trial_id", "parent_id", "first_ingested", "last_ingested"}


@pytest.fixture
def corpus(tmp_path) -> Path:
    """Synthetic pages in every page format, the bundled pages, registry records, a broken file,
    and two sources of one registry id (merged in one group of a batch)."""
    folder = tmp_path / "corpus"
    write_corpus(folder / "synthetic", 60, seed=3)
    shutil.copytree(SOURCES, folder / "bundled")
    shutil.copy(FIXTURES / "NCT00763412.json", folder / "registry.json")
    shutil.copytree(FIXTURES / "ctgov", folder / "ctgov", ignore=shutil.ignore_patterns("*.md"))
    (folder / "broken.txt").write_text("Nothing here names a trial.\n")
    return folder


def documents(folder: Path):
    return [d for path in source_files([folder]) for d in read_documents(path)]


def snapshot() -> dict:
    """Everything stored about each trial, without ids and timestamps."""
    by_id = {}
    for trial in Trial.objects.all():
        fields = {
            f.attname: getattr(trial, f.attname)
            for f in Trial._meta.concrete_fields
            if f.attname not in NOT_COMPARED | {"search_vector"}
        }
        fields["search_vector"] = str(trial.search_vector)
        rows = {}
        for model in CHILDREN:
            rows[model.__name__] = [
                {k: v for k, v in r.items() if k not in NOT_COMPARED}
                for r in model.objects.filter(trial=trial).order_by("position", "id").values()
            ]
        rows["parents"] = [
            (c.position, c.parent.position if c.parent else None)
            for c in trial.criteria.select_related("parent")
        ]
        rows["arm_links"] = sorted(
            (arm.label, i.name) for arm in trial.arms.all() for i in arm.interventions.all()
        )
        rows["sponsors"] = [
            (s.sponsor.name, s.sponsor.agency_class, s.role, s.position)
            for s in TrialSponsor.objects.filter(trial=trial).select_related("sponsor")
        ]
        rows["sources"] = sorted(
            SourceDocument.objects.filter(trial=trial).values_list(
                "path", "sha256", "source_format", "parser_version", "warnings"
            )
        )
        by_id[trial.registry_id] = (fields, rows)
    return by_id


def history() -> Counter:
    """Every change-history event of the trials and their rows, ids replaced by what they name."""
    trials = dict(Trial.objects.values_list("id", "registry_id"))
    sponsors = dict(Sponsor.objects.values_list("id", "name"))
    criteria = {
        e["id"]: e["text"]
        for e in EligibilityCriterion.pgh_event_model.objects.values("id", "text")
    }
    events = Counter()
    for model in (Trial, *(t.model for t in CHILD_TABLES)):
        for event in model.pgh_event_model.objects.values():
            data = {
                k: v
                for k, v in event.items()
                if not k.startswith("pgh_") and k not in NOT_COMPARED | {"sponsor_id"}
            }
            data["trial"] = trials.get(event["id"] if model is Trial else event["trial_id"])
            if "parent_id" in event:
                data["parent"] = criteria.get(event["parent_id"])
            if "sponsor_id" in event:
                data["sponsor"] = sponsors[event["sponsor_id"]]
            events[(model.__name__, event["pgh_label"], repr(sorted(data.items())))] += 1
    return events


def load(folder: Path, writer, **options):
    return sorted(
        (r.path, r.status, r.reason)
        for r in ingest_documents(documents(folder), writer=writer, **options)
    )


def change(corpus: Path) -> None:
    """A day's changes: edited pages (status, enrollment, an arm, a criterion), a new one."""
    pages = sorted((corpus / "synthetic").glob("*.txt"))[:20]
    for number, page in enumerate(pages):
        text = page.read_text()
        if number % 4 == 0:
            text = text.replace("Recruiting", "Completed").replace("RECRUITING", "COMPLETED")
        elif number % 4 == 1:
            text = text.replace("Inclusion Criteria", "Inclusion Criteria\n- Aged 18 or over", 1)
        elif number % 4 == 2:
            text = "\n".join(line for line in text.splitlines() if "placebo" not in line.lower())
        else:
            text = text.replace("diabetes", "diabetes mellitus", 2)
        page.write_text(text)
    study = json.loads((FIXTURES / "NCT00763412.json").read_text())
    study["protocolSection"]["identificationModule"]["nctId"] = "NCT00000017"
    (corpus / "another.json").write_text(json.dumps(study))


@pytest.mark.django_db
def test_the_two_writers_store_the_same_catalogue_and_history(corpus):
    """New trials, then changed ones, in the same batches (a batch's documents of one trial
    are merged before they are written, so the batches decide the intermediate states the
    history sees): the ORM writer in this process, the COPY writer after worker processes.
    Tables and history must be equal."""
    catalogues, histories, results = [], [], []
    for writer, options in (
        (orm, {"workers": 1, "batch": 16}),
        (pgcopy, {"workers": 2, "batch": 16}),
    ):
        Trial.objects.all().delete()
        for model in (Trial, *(t.model for t in CHILD_TABLES)):
            model.pgh_event_model.objects.all().delete()
        folder = corpus.parent / "run"  # the same paths in both runs
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(corpus, folder)
        first = load(folder, writer, **options)
        change(folder)
        second = load(folder, writer, **options)
        catalogues.append(snapshot())
        histories.append(history())
        results.append(([r[1:] for r in first], [r[1:] for r in second]))

    assert catalogues[0] == catalogues[1]
    assert histories[0] == histories[1]
    assert results[0] == results[1]
    first, second = results[0]
    assert {s for s, _ in first} >= {"created", "updated", "failed"}  # both kinds and a failure
    assert {s for s, _ in second} >= {"updated", "created", "unchanged"}
    assert sum(s == "updated" for s, _ in second) >= 10  # the changed path, well used
    assert ("failed", "not a trial page in any known format") in first


@pytest.mark.django_db
def test_bulk_ingest_is_idempotent_and_parses_nothing_twice(corpus, monkeypatch):
    list(ingest_documents(documents(corpus), workers=1))
    before = snapshot()

    def no_parsing(*args):
        raise AssertionError("a stored document was parsed again")

    monkeypatch.setattr("ingest.pipeline.parse_document", no_parsing)
    again = list(ingest_documents(documents(corpus), workers=1))

    assert {r.status for r in again} == {"unchanged", "failed"}
    assert snapshot() == before


@pytest.mark.django_db
def test_bulk_rows_are_in_the_change_history_with_their_source(corpus):
    list(ingest_documents(documents(corpus / "synthetic"), workers=1, batch=25))

    trial = Trial.objects.get(registry_id="NCT80000007")
    event = trial.events.get(pgh_label="insert")
    assert event.pgh_context.metadata["source"] == "ingest"
    assert "synthetic" in event.pgh_context.metadata["path"]
    assert EligibilityCriterion.pgh_event_model.objects.filter(pgh_obj__trial=trial).exists()


def with_long_city(corpus: Path) -> Path:
    """A synthetic MedPath page whose first site's city is 300 characters (the column holds 200)."""
    page = next(
        p
        for p in sorted((corpus / "synthetic").glob("*medpath*"))
        if "Locations (" in p.read_text()
    )
    head, tail = page.read_text().split("Locations (", 1)
    place = next(line for line in tail.splitlines() if ", " in line)
    page.write_text(head + "Locations (" + tail.replace(place, "X" * 300 + ", Sweden", 1))
    return page


@pytest.mark.django_db
def test_values_longer_than_their_column_are_cut_not_refused(corpus):
    page = with_long_city(corpus)

    results = list(ingest_documents(documents(corpus / "synthetic"), workers=1, batch=100))

    assert {r.status for r in results} == {"created"}
    city = Location.objects.filter(city__startswith="XXX").get()
    assert len(city.city) == 200 and city.city.endswith("…")
    assert "X" * 300 in SourceDocument.objects.get(path=str(page)).raw_text  # kept whole


@pytest.mark.django_db
def test_a_row_the_database_rejects_fails_only_its_document(corpus, monkeypatch):
    """Should a value still be refused (here: clipping switched off), the batch's COPY fails
    and the batch is redone one document at a time, so only that document fails."""
    monkeypatch.setattr("ingest.rows.clip", lambda model, values: [])
    page = with_long_city(corpus)

    results = list(ingest_documents(documents(corpus / "synthetic"), workers=1, batch=100))

    failed = [r for r in results if r.status == "failed"]
    assert [r.path for r in failed] == [str(page)]
    assert "database rejected it" in failed[0].reason
    assert sum(r.status == "created" for r in results) == 59
    assert Trial.objects.count() == 59


@pytest.mark.django_db
def test_parse_workers_refuse_the_database():
    from ingest.pipeline import _no_database

    _no_database()
    from django.db import connection

    try:
        with (
            pytest.raises(RuntimeError, match="must not use the database"),
            connection.cursor() as cursor,
        ):
            cursor.execute("SELECT 1")
    finally:
        connection.execute_wrappers.clear()


@pytest.mark.django_db(transaction=True)
def test_the_ingest_command_loads_through_worker_processes(corpus, capsys):
    with pytest.raises(SystemExit):  # broken.txt fails: the exit code says so
        call_command("ingest", str(corpus), "--workers", "2", "--no-progress")
    out = capsys.readouterr()
    assert "1 failed" in out.out
    assert "broken.txt" in out.err
    assert Trial.objects.filter(registry_id__startswith="NCT8").count() == 60
