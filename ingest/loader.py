"""Write parsed sources into the catalogue: one transaction per document, idempotent on content.

A document whose bytes (SHA-256) are already stored, read by the current parser
version, is "unchanged" without being parsed again. Otherwise it is parsed, stored
with its raw text, and its trial is rebuilt from *all* its sources (see `merge`).
A trial whose merged record is identical to what is stored is not written.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pghistory
from django.db import transaction
from django.utils import timezone

from catalogue.models import SourceDocument, Trial

from .detect import parse_document
from .merge import Merged, Source, merge
from .records import ParsedTrial, ParseError
from .serialize import record_from_dict
from .writer import write_trial

# Bump when a parser changes what it extracts, so stored sources are read again.
PARSER_VERSION = "1"

SOURCE_SUFFIXES = {".txt", ".html", ".htm", ".md", ""}
MAX_BYTES = 5 * 1024 * 1024


@dataclass
class FileResult:
    path: str
    status: str  # created / updated / unchanged / failed
    registry_id: str = ""
    reason: str = ""
    warnings: list[str] = field(default_factory=list)


def source_files(paths: list[str | Path]) -> list[Path]:
    """Files named directly, plus every file under named folders (hidden files skipped), sorted."""
    found: list[Path] = []
    for given in map(Path, paths):
        if given.is_dir():
            found.extend(
                p
                for p in sorted(given.rglob("*"))
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(given).parts)
            )
        else:
            found.append(given)
    return found


def ingest_file(path: Path, *, dry_run: bool = False) -> FileResult:
    """Parse and store one document. Never raises for bad input: the result says what went wrong."""
    try:
        if path.stat().st_size > MAX_BYTES:
            return FileResult(str(path), "failed", reason=f"larger than {MAX_BYTES} bytes")
        data = path.read_bytes()
    except OSError as error:
        return FileResult(str(path), "failed", reason=f"cannot read: {error.strerror or error}")
    digest = hashlib.sha256(data).hexdigest()
    known = (
        SourceDocument.objects.filter(sha256=digest, parser_version=PARSER_VERSION)
        .values_list("trial__registry_id", flat=True)
        .first()
    )
    if known:
        return FileResult(str(path), "unchanged", registry_id=known)
    try:
        record = parse_document(data, path.name)
    except ParseError as error:
        return FileResult(str(path), "failed", reason=str(error))
    except (
        Exception
    ) as error:  # a parser bug must not stop the run; report it as this file's failure
        return FileResult(
            str(path), "failed", reason=f"parser error: {type(error).__name__}: {error}"
        )
    if dry_run:
        return FileResult(str(path), "parsed", record.registry_id, warnings=record.warnings)
    # Every row this writes is recorded in the change history with where it came from.
    with pghistory.context(source="ingest", path=str(path)):
        status = store(path, data, digest, record)
    return FileResult(str(path), status, record.registry_id, warnings=record.warnings)


@transaction.atomic
def store(path: Path, data: bytes, digest: str, record: ParsedTrial) -> str:
    trial, created = Trial.objects.select_for_update().get_or_create(registry_id=record.registry_id)
    raw = data.decode("utf-8", errors="replace")
    document = {
        "path": str(path),
        "filename": path.name,
        "source_format": record.source_format,
        "raw_text": raw,
        "parsed": record.to_dict(),
        "parser_version": PARSER_VERSION,
        "warnings": record.warnings,
        "ingested_at": timezone.now(),
    }
    # The same content is the same document; a changed file at the same path replaces its old copy.
    same = (
        trial.sources.filter(sha256=digest).first() or trial.sources.filter(path=str(path)).first()
    )
    if same:
        for key, value in document.items():
            setattr(same, key, value)
        same.sha256 = digest
        same.save()
    else:
        SourceDocument.objects.create(trial=trial, sha256=digest, **document)
        # The document may have belonged to another registry id before it changed.
        SourceDocument.objects.filter(path=str(path)).exclude(trial=trial).exclude(
            sha256=digest
        ).delete()
    changed = rebuild(trial)
    return "created" if created else ("updated" if changed else "unchanged")


def reparse_sources(trial: Trial) -> list[str]:
    """Parse the trial's stored raw sources again with today's parsers; returns failures."""
    errors = []
    for doc in trial.sources.all():
        try:
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


def merged_record(trial: Trial) -> Merged:
    sources = [
        Source(doc.filename, record_from_dict(doc.parsed), doc.ingested_at.isoformat())
        for doc in trial.sources.all()
    ]
    return merge(sources)


def rebuild(trial: Trial, *, force: bool = False) -> bool:
    """Rewrite the trial from its sources; False when nothing would change.

    `force` rewrites even an unchanged record, e.g. after a curator released a lock.
    """
    merged = merged_record(trial)
    shas = sorted(trial.sources.values_list("sha256", flat=True))
    payload = {"record": asdict(merged.record), "sources": shas, "parser": PARSER_VERSION}
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
    if digest == trial.record_hash and not force:
        return False
    write_trial(trial, merged)
    trial.record_hash = digest
    trial.last_ingested = timezone.now()
    trial.save(update_fields=["record_hash", "last_ingested"])
    return True
