"""Ingest documents in batches: parse and classify in worker processes, write set-based.

Every writer of the catalogue goes through here (the ingest command, the registry pull,
the admin's rebuild), one batch of documents at a time:
- triage, one query: an unreadable document fails; a document whose bytes are stored
  (read by today's parsers) is unchanged and not parsed again;
- worker processes parse the rest and, for a document at a path not stored yet, assemble
  it as a new trial's only source (`ingest.assemble`, pure), while this process writes the
  previous batch;
- grouping: the batch's documents are matched to stored trials by registry id; the
  documents of one trial form one group; a group that touches a stored trial, or holds
  several documents, is merged with the stored sources and assembled again here, so
  curator-owned fields and rows still win and replaced sources are dropped;
- writing: the whole batch in one transaction by one writer (`ingest.pgcopy` by
  default, `ingest.orm` for the differential test); should the database refuse it, each
  group is written alone, so only the bad one fails.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from types import ModuleType

import pghistory
import psycopg
from django.db import DatabaseError, connections, transaction
from django.utils import timezone

from catalogue.models import SourceDocument, Trial
from records import ParsedTrial, ParseError
from records.merge import Source, merge
from records.serialize import record_from_dict

from . import grouping, identity, normalize, pgcopy
from .assemble import Stored, TrialWrite, assemble, complete
from .deadline import deadline
from .detect import PARSER_VERSION, parse_document
from .documents import Document
from .state import StoredSource, sponsor_ids
from .writes import Group, JsonText, NewSource, number

BATCH = 500  # documents per transaction: big enough to amortise, small enough to bound memory
PARSE_SECONDS = 10  # longest a single document may take to parse before it is reported as failed


@dataclass
class FileResult:
    path: str
    status: str  # created / updated / unchanged / failed (parsed on a dry run)
    registry_id: str = ""
    reason: str = ""
    warnings: list[str] = field(default_factory=list)


@dataclass
class Prepared:
    """A document parsed in a worker and, should it be a new trial's only source, its write."""

    source: NewSource | None
    document: Document
    error: str = ""
    write: TrialWrite | None = None
    named: list[str] = field(default_factory=list)  # other registrations it names (identity)


def ingest_documents(
    documents: Iterable[Document],
    *,
    workers: int | None = None,
    batch: int = BATCH,
    writer: ModuleType = pgcopy,
) -> Iterator[FileResult]:
    """Store every document, one result each, in input order within a batch."""
    workers = (os.cpu_count() or 1) if workers is None else workers
    if workers <= 1:
        yield from _pipeline(documents, batch, None, writer)
        return
    # Forked workers inherit this process's open connection (and the ingest lock it
    # holds): they must never use it, and it must not be closed for them.
    with multiprocessing.get_context("fork").Pool(workers, initializer=_no_database) as pool:
        yield from _pipeline(documents, batch, pool, writer)


def ingest_document(document: Document, *, writer: ModuleType = pgcopy) -> FileResult:
    """One document, as a batch of one."""
    return next(ingest_documents([document], workers=1, writer=writer))


def parse_only(documents: Iterable[Document]) -> Iterator[FileResult]:
    """A dry run: what each document would give, writing nothing."""
    for document in documents:
        if document.error:
            yield FileResult(document.path, "failed", reason=document.error)
            continue
        record, error = _parse(document)
        if record is None:
            yield FileResult(document.path, "failed", reason=error)
        else:
            yield FileResult(document.path, "parsed", record.registry_id, warnings=record.warnings)


def _no_database() -> None:
    def refuse(*args):
        raise RuntimeError("parse workers must not use the database")

    for alias in connections:
        connections[alias].execute_wrappers.append(refuse)


def _parse(document: Document) -> tuple[ParsedTrial | None, str]:
    try:
        with deadline(PARSE_SECONDS):  # a pathological page must not hang the run
            return parse_document(document.data, document.filename), ""
    except ParseError as error:
        return None, str(error)
    except Exception as error:  # a parser bug fails this document, not the run
        return None, f"parser error: {type(error).__name__}: {error}"


def prepare(job: tuple[Document, str, datetime, bool]) -> Prepared:
    """Parse a document and, when it may be a new trial's only source, assemble it. No database."""
    document, digest, ingested_at, maybe_new = job
    record, error = _parse(document)
    if record is None:
        return Prepared(None, document, error=error)
    source = NewSource(document, digest, record, ingested_at, JsonText(record.to_json()))
    named = identity.named(record)
    if not maybe_new:
        return Prepared(source, document, named=named)
    try:
        write = assemble(merged_sources([source]), Stored(), [digest])
        return Prepared(source, document, write=write, named=named)
    except Exception as error:  # a classifier bug fails this document, not the run
        return Prepared(None, document, error=f"internal error: {type(error).__name__}: {error}")


def _pipeline(documents, size: int, pool, writer: ModuleType) -> Iterator[FileResult]:
    """While the workers parse batch n+1, this process writes batch n."""
    pending = None
    stream = iter(documents)
    while chunk := list(islice(stream, size)):
        done, jobs = _triage(chunk)
        if pool is None:
            parsing = [prepare(job) for job in jobs]
        else:
            parsing = pool.map_async(prepare, jobs, chunksize=max(1, len(jobs) // 16))
        if pending:
            yield from _finish(*pending, writer, pool)
        pending = (done, parsing)
    if pending:
        yield from _finish(*pending, writer, pool)


def _triage(chunk: list[Document]) -> tuple[list[FileResult], list[tuple]]:
    """Unreadable and already-stored documents are decided here; the rest go to the workers.

    A document with the same bytes as one before it in the batch is not a job either: it
    is unchanged once that one is stored (`Repeat`, answered by `_finish`)."""
    done, jobs, first = [], [], set()
    digests = {id(d): hashlib.sha256(d.data).hexdigest() for d in chunk if not d.error}
    known = dict(
        SourceDocument.objects.filter(
            sha256__any=list(set(digests.values())), parser_version=PARSER_VERSION
        ).values_list("sha256", "trial__registry_id")
    )
    stored_paths = set(
        SourceDocument.objects.filter(path__any=[d.path for d in chunk]).values_list(
            "path", flat=True
        )
    )
    # A name that states a stored trial's id ("ctgov-api:NCT…", "rows.csv#NCT…") most likely
    # brings a change of it: its worker need not assemble it as a new trial first.
    named = {id(d): normalize.registry_ids(d.path.rsplit("/", 1)[-1])[:1] for d in chunk}
    stored_ids = set(
        Trial.objects.filter(
            registry_id__any=[i for ids in named.values() for i in ids]
        ).values_list("registry_id", flat=True)
    )
    # Each document a moment later than the one before: the merge's tie-break ("newest
    # ingested first") then orders a batch's documents as one-by-one ingestion would.
    now = timezone.now()
    for number_, document in enumerate(chunk):
        if document.error:
            done.append(FileResult(document.path, "failed", reason=document.error))
        elif digests[id(document)] in known:
            registry_id = known[digests[id(document)]]
            done.append(FileResult(document.path, "unchanged", registry_id=registry_id))
        elif digests[id(document)] in first:
            done.append(Repeat(document.path, digests[id(document)]))
        else:
            first.add(digests[id(document)])
            ingested = now + timedelta(microseconds=number_)
            maybe_new = document.path not in stored_paths and not (
                set(named[id(document)]) & stored_ids
            )
            jobs.append((document, digests[id(document)], ingested, maybe_new))
    return done, jobs


@dataclass
class Repeat:
    """A document with the same bytes as an earlier one of its batch: it shares its fate."""

    path: str
    digest: str


def _finish(done: list, parsing, writer: ModuleType, pool) -> Iterator[FileResult]:
    yield from (r for r in done if isinstance(r, FileResult))
    prepared = parsing if isinstance(parsing, list) else parsing.get()
    outcome: dict[str, FileResult] = {}
    for p in prepared:
        if p.source is None:
            result = FileResult(p.document.path, "failed", reason=p.error)
            outcome[hashlib.sha256(p.document.data).hexdigest()] = result
            yield result
    parsed = [p for p in prepared if p.source is not None]
    digest_of = {p.document.path: p.source.digest for p in parsed}
    if parsed:
        for result in write_batch(parsed, writer, pool):
            outcome[digest_of[result.path]] = result
            yield result
    for repeat in (r for r in done if isinstance(r, Repeat)):
        first = outcome[repeat.digest]
        status = "failed" if first.status == "failed" else "unchanged"
        yield FileResult(repeat.path, status, first.registry_id, reason=first.reason)


def write_batch(parsed: list[Prepared], writer: ModuleType, pool=None) -> Iterator[FileResult]:
    groups = grouping.groups(parsed)
    yield from _assemble(groups, pool)
    groups = [g for g in groups if g.write is not None]
    if not groups:
        return
    ids = sponsor_ids(g.write.record for g in groups)  # shared rows, committed on their own
    for group in groups:
        finish(group, ids)
    number(groups)  # ids come from sequences, which a rollback does not take back
    paths = [s.document.path for g in groups for s in g.sources]
    label = paths[0] if len(paths) == 1 else f"{paths[0]} … {paths[-1]} ({len(paths)} documents)"
    try:
        with transaction.atomic(), pghistory.context(source="ingest", path=label):
            writer.write(groups)
    except (DatabaseError, psycopg.Error):  # COPY's errors come from psycopg unwrapped
        # One bad row fails the whole batch; write each trial alone so only it fails.
        yield from _one_by_one(groups, writer)
        return
    for group in groups:
        yield from _results(group)


def finish(group: Group, sponsor_ids: dict[str, int]) -> None:
    """`assemble.complete` with what the group knows of the trial's sources."""
    warned = [s.filename for s in group.stored_sources if s.warnings]
    warned += [s.document.filename for s in group.sources if s.record.warnings]
    complete(group.write, group.stored, sponsor_ids, warned=warned)


def _assemble(groups: list[Group], pool) -> Iterator[FileResult]:
    """Assemble, in the workers, every group that is not a lone new document (those were
    assembled as they were parsed); a group that fails fails its documents."""
    todo = [g for g in groups if g.write is None]
    jobs = [(g.stored_sources, [_bare(s) for s in g.sources], g.stored) for g in todo]
    if pool is None or len(jobs) < 2:
        writes = [assemble_job(job) for job in jobs]
    else:
        writes = pool.map(assemble_job, jobs, chunksize=max(1, len(jobs) // 16))
    for group, (write, error) in zip(todo, writes, strict=True):
        group.write = write
        for source in group.sources if write is None else ():
            yield FileResult(source.document.path, "failed", reason=error)


def _bare(source: NewSource) -> NewSource:
    """The source without its bytes, which a worker assembling it does not need."""
    document = Document(source.document.path, source.document.filename)
    return NewSource(document, source.digest, source.record, source.ingested_at)


def assemble_job(job: tuple) -> tuple[TrialWrite | None, str]:
    """A trial's stored and new sources merged and assembled against what is stored. No database."""
    stored_sources_, new, stored = job
    digests = [s.sha256 for s in stored_sources_] + [s.digest for s in new]
    try:
        return assemble(merged_sources(new, stored_sources_), stored, digests), ""
    except Exception as error:  # a classifier bug fails these documents, not the run
        return None, f"internal error: {type(error).__name__}: {error}"


def merged_sources(sources: list[NewSource], stored: Iterable[StoredSource] = ()):
    """The merge of a trial's stored sources (as parsed then) and the batch's new ones."""
    return merge(
        [Source(s.filename, record_from_dict(json.loads(s.parsed)), s.ingested_at) for s in stored]
        + [Source(s.document.filename, s.record, s.ingested_at.isoformat()) for s in sources]
    )


def _one_by_one(groups: list[Group], writer: ModuleType) -> Iterator[FileResult]:
    for group in groups:
        path = group.sources[0].document.path
        try:
            with transaction.atomic(), pghistory.context(source="ingest", path=path):
                writer.write([group])
        except (DatabaseError, psycopg.Error) as error:
            for source in group.sources:
                reason = f"database rejected it: {error}"
                yield FileResult(source.document.path, "failed", reason=reason)
            continue
        yield from _results(group)


def _results(group: Group) -> Iterator[FileResult]:
    changed = group.write.values["record_hash"] != group.stored_hash
    for number_, source in enumerate(group.sources):
        if group.created and number_ == 0:
            status = "created"
        else:
            status = "updated" if changed or group.created else "unchanged"
        record = source.record
        yield FileResult(source.document.path, status, record.registry_id, warnings=record.warnings)
