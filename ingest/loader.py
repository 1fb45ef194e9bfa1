"""Write parsed sources into the catalogue: one transaction per document, idempotent on content.

A source file is one document (a saved page, a study's JSON or XML) or several (a
JSON list or API page of studies, an XML file of records, a zip of any of these);
each document is stored, hashed and merged on its own, named `file.json#NCT01234567`
or `file.zip#member.json`. A document whose bytes (SHA-256) are already stored, read
by the current parser version, is "unchanged" without being parsed again. Otherwise
it is parsed, stored with its raw text, and its trial is rebuilt from *all* its
sources (see `merge`). A trial whose merged record is identical to what is stored is
not written.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pghistory
from django.db import transaction
from django.utils import timezone

from catalogue.models import SourceDocument, Trial
from catalogue.stored import merged_record
from classification.apply import CLASSIFIER_VERSION
from records import ParsedTrial, ParseError

from .deadline import deadline
from .detect import parse_document
from .documents import Document, read_documents
from .writer import write_trial

# Longest a single document may take to parse before it is reported as failed.
PARSE_SECONDS = 10
# Bump when a parser changes what it extracts, so stored sources are read again.
PARSER_VERSION = "3"


@dataclass
class FileResult:
    path: str
    status: str  # created / updated / unchanged / failed (parsed on a dry run)
    registry_id: str = ""
    reason: str = ""
    warnings: list[str] = field(default_factory=list)


def ingest_path(path: Path, *, dry_run: bool = False) -> Iterator[FileResult]:
    """Parse and store every document of one source file, one result per document."""
    for document in read_documents(path):
        yield ingest_document(document, dry_run=dry_run)


def ingest_document(document: Document, *, dry_run: bool = False) -> FileResult:
    """Parse and store one document. Never raises for bad input: the result says what went wrong."""
    if document.error:
        return FileResult(document.path, "failed", reason=document.error)
    digest = hashlib.sha256(document.data).hexdigest()
    known = (
        SourceDocument.objects.filter(sha256=digest, parser_version=PARSER_VERSION)
        .values_list("trial__registry_id", flat=True)
        .first()
    )
    if known:
        return FileResult(document.path, "unchanged", registry_id=known)
    try:
        with deadline(PARSE_SECONDS):  # a pathological page must not hang the run
            record = parse_document(document.data, document.filename)
    except ParseError as error:
        return FileResult(document.path, "failed", reason=str(error))
    except (
        Exception
    ) as error:  # a parser bug must not stop the run; report it as this file's failure
        return FileResult(
            document.path, "failed", reason=f"parser error: {type(error).__name__}: {error}"
        )
    if dry_run:
        return FileResult(document.path, "parsed", record.registry_id, warnings=record.warnings)
    # Every row this writes is recorded in the change history with where it came from.
    with pghistory.context(source="ingest", path=document.path):
        status = store(document, digest, record)
    return FileResult(document.path, status, record.registry_id, warnings=record.warnings)


@transaction.atomic
def store(source: Document, digest: str, record: ParsedTrial) -> str:
    trial, created = Trial.objects.select_for_update().get_or_create(registry_id=record.registry_id)
    path = source.path
    raw = source.data.decode("utf-8", errors="replace")
    document = {
        "path": path,
        "filename": source.filename,
        "source_format": record.source_format,
        "raw_text": raw,
        "parsed": record.to_dict(),
        "parser_version": PARSER_VERSION,
        "warnings": record.warnings,
        "ingested_at": timezone.now(),
    }
    # The same content is the same document; a changed file at the same path replaces its old copy.
    same = trial.sources.filter(sha256=digest).first() or trial.sources.filter(path=path).first()
    if same:
        for key, value in document.items():
            setattr(same, key, value)
        same.sha256 = digest
        same.save()
    else:
        SourceDocument.objects.create(trial=trial, sha256=digest, **document)
        # The document may have belonged to another registry id before it changed.
        SourceDocument.objects.filter(path=path).exclude(trial=trial).exclude(
            sha256=digest
        ).delete()
    changed = rebuild(trial)
    return "created" if created else ("updated" if changed else "unchanged")


def reparse_sources(trial: Trial) -> list[str]:
    """Parse the trial's stored raw sources again with today's parsers; returns failures."""
    errors = []
    for doc in trial.sources.all():
        try:
            with deadline(PARSE_SECONDS):
                record = parse_document(doc.raw_text, doc.filename)
        except Exception as error:  # keep the old parse; report and go on
            errors.append(f"{doc.filename}: {error}")
            continue
        doc.parsed = record.to_dict()
        doc.warnings = record.warnings
        doc.source_format = record.source_format
        doc.parser_version = PARSER_VERSION
        doc.save(update_fields=["parsed", "warnings", "source_format", "parser_version"])
    return errors


def rebuild(trial: Trial, *, force: bool = False) -> bool:
    """Rewrite the trial from its sources; False when nothing would change.

    `force` rewrites even an unchanged record, e.g. after a curator released a lock.
    """
    merged = merged_record(trial)
    digest = record_digest(merged.record, trial.sources.values_list("sha256", flat=True))
    if digest == trial.record_hash and not force:
        return False
    write_trial(trial, merged)
    trial.record_hash = digest
    trial.last_ingested = timezone.now()
    trial.save(update_fields=["record_hash", "last_ingested"])
    return True


def record_digest(record: ParsedTrial, source_digests: Iterable[str]) -> str:
    """What a trial is built from: equal digests, equal rows (so the rebuild can be skipped).

    The classifier's version is part of it: new rules rewrite every trial on the next run."""
    payload = {
        "record": asdict(record),
        "sources": sorted(source_digests),
        "parser": PARSER_VERSION,
        "classifier": CLASSIFIER_VERSION,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
