"""Ingest many documents fast: parse and classify in worker processes, COPY new trials in batches.

The per-document path (`loader.ingest_document`) costs ~40 queries a document; fine
for a few hundred, too slow for a registry dump. Here documents go in batches:
- one query finds the batch's documents already stored (unchanged: not parsed again);
- worker processes parse, merge and classify the rest (pure Python, no database), while
  the main process writes the previous batch;
- a document of a registry id that is new to the catalogue, alone in its batch, and at
  a path not stored yet becomes a new trial through COPY, with every row a batch needs
  in one transaction (its history recorded by the same triggers);
- anything else (a new source of a known trial, a changed file, a curated trial) goes
  through the per-document path, which merges with the stored sources and curation.
Both paths write the same rows: tests/test_ingest_bulk.py compares their catalogues.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

import pghistory
import psycopg
from django.db import DatabaseError, connections, transaction
from django.utils import timezone

from catalogue import search, search_index
from catalogue.classification import apply_classification
from catalogue.curation import finalize
from catalogue.models import (
    Arm,
    EligibilityCriterion,
    Intervention,
    SourceDocument,
    Trial,
    TrialSponsor,
)

from . import rows
from .copy import allocate_ids, bulk_history, copy_rows, copy_trials, record_inserts
from .deadline import deadline
from .detect import parse_document
from .loader import PARSE_SECONDS, PARSER_VERSION, Document, FileResult, record_digest, store
from .merge import Source, merge
from .records import ParsedTrial, ParseError
from .writer import sponsor_ids

# The child models with change history (all of rows.CHILDREN) and the sponsor links.
TRACKED_CHILDREN = [*rows.CHILDREN, TrialSponsor]
BATCH = 500  # documents per transaction: big enough to amortise, small enough to bound memory


@dataclass
class Prepared:
    """A parsed document and, should it become a new trial, every value that trial's rows need."""

    document: Document
    digest: str
    record: ParsedTrial | None = None
    error: str = ""
    trial: dict = field(default_factory=dict)  # Trial column values (by attname)
    search_weights: dict[str, str] = field(default_factory=dict)  # "A".."D" -> expanded text
    children: dict = field(default_factory=dict)  # model label -> list of column dicts


def prepare(document: Document, digest: str, ingested_at: str) -> Prepared:
    """Parse, merge and classify one document as a new trial's only source. No database."""
    try:
        with deadline(PARSE_SECONDS):
            record = parse_document(document.data, document.filename)
    except ParseError as error:
        return Prepared(document, digest, error=str(error))
    except Exception as error:  # a parser bug fails this document, not the run
        return Prepared(document, digest, error=f"parser error: {type(error).__name__}: {error}")
    try:
        return _prepare_new_trial(document, digest, record, ingested_at)
    except Exception as error:  # a classifier bug fails this document, not the run
        return Prepared(document, digest, error=f"internal error: {type(error).__name__}: {error}")


def _prepare_new_trial(
    document: Document, digest: str, record: ParsedTrial, ingested_at: str
) -> Prepared:
    merged = merge([Source(document.filename, record, ingested_at)])
    trial = Trial(registry_id=record.registry_id)
    rows.set_trial_fields(trial, merged)
    apply_classification(trial, merged.record)
    finalize(trial, locks=[], warned=[document.filename] if record.warnings else [])
    trial.record_hash = record_digest(merged.record, [digest])
    children = rows.child_values(merged.record)
    parts = search.document_parts(
        trial,
        arms=merged.record.arms,
        interventions=merged.record.interventions,
        criteria=merged.record.eligibility.criteria,
        outcomes=merged.record.outcomes,
    )
    trial.search_text = " ".join(parts.values())[: search.TEXT_LIMIT]
    return Prepared(
        document,
        digest,
        record=record,
        trial={f.attname: getattr(trial, f.attname) for f in Trial._meta.concrete_fields},
        search_weights={w: search.expand_document(text) for w, text in parts.items()},
        children={model._meta.label: values for model, values in children.items()},
    )


def _prepare_job(job: tuple[Document, str, str]) -> Prepared:
    return prepare(*job)


def ingest_documents(
    documents: Iterable[Document], *, workers: int | None = None, batch: int = BATCH
) -> Iterator[FileResult]:
    """Store every document, one result each, in input order within a batch."""
    workers = (os.cpu_count() or 1) if workers is None else workers
    if workers <= 1:
        yield from _pipeline(documents, batch, None)
        return
    # Forked workers inherit this process's open connection (and the ingest lock it
    # holds): they must never use it, and it must not be closed for them.
    with multiprocessing.get_context("fork").Pool(workers, initializer=_no_database) as pool:
        yield from _pipeline(documents, batch, pool)


def _no_database() -> None:
    def refuse(*args):
        raise RuntimeError("parse workers must not use the database")

    for alias in connections:
        connections[alias].execute_wrappers.append(refuse)


def _pipeline(documents: Iterable[Document], size: int, pool) -> Iterator[FileResult]:
    """While the workers parse batch n+1, this process writes batch n."""
    pending = None
    stream = iter(documents)
    while chunk := list(islice(stream, size)):
        done, jobs = _triage(chunk)
        if pool is None:
            parsing = [_prepare_job(job) for job in jobs]
        else:
            parsing = pool.map_async(_prepare_job, jobs, chunksize=max(1, len(jobs) // 16))
        if pending:
            yield from _finish(*pending)
        pending = (done, parsing)
    if pending:
        yield from _finish(*pending)


def _triage(chunk: list[Document]) -> tuple[list[FileResult], list[tuple[Document, str, str]]]:
    """Unreadable and already-stored documents are decided here; the rest go to the workers."""
    done, jobs = [], []
    digests = {id(d): hashlib.sha256(d.data).hexdigest() for d in chunk if not d.error}
    known = dict(
        SourceDocument.objects.filter(
            sha256__in=set(digests.values()), parser_version=PARSER_VERSION
        ).values_list("sha256", "trial__registry_id")
    )
    now = timezone.now().isoformat()
    for document in chunk:
        if document.error:
            done.append(FileResult(document.path, "failed", reason=document.error))
        elif digests[id(document)] in known:
            done.append(
                FileResult(document.path, "unchanged", registry_id=known[digests[id(document)]])
            )
        else:
            jobs.append((document, digests[id(document)], now))
    return done, jobs


def _finish(done: list[FileResult], parsing) -> Iterator[FileResult]:
    yield from done
    prepared = parsing if isinstance(parsing, list) else parsing.get()
    parsed = [p for p in prepared if p.record is not None]
    for p in prepared:
        if p.record is None:
            yield FileResult(p.document.path, "failed", reason=p.error)
    new, other = _split_new(parsed)
    if new:
        try:
            write_new_trials(new)
        except (DatabaseError, psycopg.Error):  # COPY's errors come from psycopg unwrapped
            # One bad row fails the whole COPY; redo these one by one so only it fails.
            other = new + other
            new = []
    for p in new:
        yield FileResult(p.document.path, "created", p.record.registry_id, p.record.warnings)
    for p in other:
        yield _store_one(p)


def _split_new(parsed: list[Prepared]) -> tuple[list[Prepared], list[Prepared]]:
    """New trials (id unknown, alone in the batch, path not stored) and everything else."""
    ids = Counter(p.record.registry_id for p in parsed)
    stored_ids = set(
        Trial.objects.filter(registry_id__in=list(ids)).values_list("registry_id", flat=True)
    )
    stored_paths = set(
        SourceDocument.objects.filter(path__in=[p.document.path for p in parsed]).values_list(
            "path", flat=True
        )
    )
    new, other = [], []
    for p in parsed:
        registry_id = p.record.registry_id
        alone = ids[registry_id] == 1 and registry_id not in stored_ids
        (new if alone and p.document.path not in stored_paths else other).append(p)
    return new, other


def _store_one(p: Prepared) -> FileResult:
    try:
        with pghistory.context(source="ingest", path=p.document.path):
            status = store(p.document, p.digest, p.record)
    except DatabaseError as error:
        return FileResult(p.document.path, "failed", reason=f"database rejected it: {error}")
    return FileResult(p.document.path, status, p.record.registry_id, warnings=p.record.warnings)


@transaction.atomic
def write_new_trials(batch: list[Prepared]) -> None:
    """Insert the batch's new trials with all their rows: a handful of COPYs, one transaction."""
    first, last = batch[0].document.path, batch[-1].document.path
    path = f"{first} … {last} ({len(batch)} new trials)"
    with pghistory.context(source="ingest", path=path) as context:
        # Sponsors are shared and few: made through the ORM, their triggers on.
        sponsors = _sponsor_ids(batch)
        with bulk_history([Trial, *TRACKED_CHILDREN], context):
            ids = _write_new_trials(batch, sponsors)
            for model, model_ids in ids.items():
                record_inserts(model, model_ids, context)
    search_index.refresh(ids[Trial])  # the list's search index, as search.refresh does


def _write_new_trials(batch: list[Prepared], sponsors: dict[str, int]) -> dict[type, list[int]]:
    """COPY the batch; returns the ids written, model by model."""
    now = timezone.now()
    trial_ids = allocate_ids(Trial, len(batch))
    trials, documents, links = [], [], []
    children: dict[type, list[dict]] = {model: [] for model in rows.CHILDREN}
    for trial_id, p in zip(trial_ids, batch, strict=True):
        values = {**p.trial, "id": trial_id, "first_ingested": now, "last_ingested": now}
        trials.append((values, p.search_weights))
        documents.append(_source_row(p, trial_id, now))
        for model in rows.CHILDREN:
            for row in p.children[model._meta.label]:
                children[model].append({**row, "trial_id": trial_id})
        for row in rows.sponsor_links(p.record, sponsors):
            links.append({**row, "trial_id": trial_id})
    copy_trials(trials)
    copy_rows(SourceDocument, documents)
    for model, table in children.items():
        for row, row_id in zip(table, allocate_ids(model, len(table)), strict=True):
            row["id"] = row_id
    _set_criterion_parents(children[EligibilityCriterion])
    for model, table in children.items():
        copy_rows(model, table)
    for row, row_id in zip(links, allocate_ids(TrialSponsor, len(links)), strict=True):
        row["id"] = row_id
    copy_rows(TrialSponsor, links)
    copy_rows(Arm.interventions.through, _arm_links(batch, trial_ids, children))
    written = {model: [row["id"] for row in table] for model, table in children.items()}
    return {Trial: trial_ids, TrialSponsor: [row["id"] for row in links], **written}


def _source_row(p: Prepared, trial_id: int, now) -> dict:
    return {
        "trial_id": trial_id,
        "path": p.document.path,
        "filename": p.document.filename,
        "source_format": p.record.source_format,
        "raw_text": p.document.data.decode("utf-8", errors="replace"),
        "sha256": p.digest,
        "parsed": p.record.to_dict(),
        "parser_version": PARSER_VERSION,
        "warnings": p.record.warnings,
        "ingested_at": now,
    }


def _sponsor_ids(batch: list[Prepared]) -> dict[str, int]:
    """Every sponsor the batch names, found or created once for the whole batch."""
    names = ParsedTrial(source_format="", sponsors=[s for p in batch for s in p.record.sponsors])
    return sponsor_ids(names)


def _set_criterion_parents(criteria: list[dict]) -> None:
    """Rows are in trial then position order; parents never cross trials (depth 0 starts one)."""
    by_trial: dict[int, list[_Row]] = {}
    for row in criteria:
        by_trial.setdefault(row["trial_id"], []).append(_Row(row))
    for trial_rows in by_trial.values():
        for row, parent in zip(trial_rows, rows.criterion_parents(trial_rows), strict=True):
            row.values["parent_id"] = parent.values["id"] if parent else None


class _Row:
    """A criterion's column dict seen as the attributes `criterion_parents` reads."""

    def __init__(self, values: dict):
        self.values, self.depth, self.kind = values, values["depth"], values["kind"]


def _arm_links(batch: list[Prepared], trial_ids: list[int], children: dict) -> list[dict]:
    arms = {(r["trial_id"], r["label"].casefold()): r["id"] for r in children[Arm]}
    interventions = {(r["trial_id"], r["name"].casefold()): r["id"] for r in children[Intervention]}
    links = set()
    for p, trial_id in zip(batch, trial_ids, strict=True):
        for label, name in rows.arm_links(p.record):
            arm, intervention = arms.get((trial_id, label)), interventions.get((trial_id, name))
            if arm and intervention:
                links.add((arm, intervention))
    return [{"arm_id": a, "intervention_id": i} for a, i in sorted(links)]
