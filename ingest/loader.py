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
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

import pghistory
from django.db import transaction
from django.utils import timezone

from catalogue.models import SourceDocument, Trial
from catalogue.stored import merged_record
from classification.apply import CLASSIFIER_VERSION
from records import ParsedTrial, ParseError

from .deadline import deadline
from .detect import canonical_json, parse_document, split_document
from .parsers import ctgov_json
from .writer import write_trial

# Bump when a parser changes what it extracts, so stored sources are read again.
# Longest a single document may take to parse before it is reported as failed.
PARSE_SECONDS = 10
PARSER_VERSION = "2"

MAX_BYTES = 5 * 1024 * 1024  # a saved page
# Registry bundles (a JSON list of studies, an XML file of records) and each zip member.
MAX_BUNDLE_BYTES = 200 * 1024 * 1024
MAX_ZIP_MEMBERS = 100_000
BUNDLE_SUFFIXES = {".json", ".xml"}
FILENAME_LENGTH = SourceDocument._meta.get_field("filename").max_length


@dataclass
class Document:
    """One document to store: where it came from, the name shown to people, its bytes."""

    path: str  # "dir/page.txt", "dir/studies.json#NCT01234567", "ctgov-api:NCT01234567"
    filename: str
    data: bytes = b""
    error: str = ""  # why it cannot be read; it is reported as failed and the run goes on


@dataclass
class FileResult:
    path: str
    status: str  # created / updated / unchanged / failed (parsed on a dry run)
    registry_id: str = ""
    reason: str = ""
    warnings: list[str] = field(default_factory=list)


def source_files(paths: list[str | Path]) -> list[Path]:
    """Files named directly, plus every file under named folders (hidden files skipped), sorted.

    Pages, .json, .xml and .zip files alike: what each holds is decided by its content.
    """
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


def read_documents(path: Path) -> Iterator[Document]:
    """The documents one source file holds; an unreadable file or member is a failed document."""
    try:
        with path.open("rb") as stream:
            is_zip = stream.read(4) == b"PK\x03\x04"
        if is_zip:
            yield from _zip_documents(path)
            return
        limit = MAX_BUNDLE_BYTES if path.suffix.lower() in BUNDLE_SUFFIXES else MAX_BYTES
        if path.stat().st_size > limit:
            yield Document(str(path), path.name, error=f"larger than {limit} bytes")
            return
        data = path.read_bytes()
    except OSError as error:
        yield Document(str(path), path.name, error=f"cannot read: {error.strerror or error}")
        return
    yield from _split(str(path), path.name, data)


def _split(path: str, filename: str, data: bytes) -> Iterator[Document]:
    for part in split_document(data):
        if not part.key:
            yield Document(path, filename, part.data, part.error)
        else:
            name = f"{filename}#{part.key}"
            yield Document(f"{path}#{part.key}", name[-FILENAME_LENGTH:], part.data, part.error)


def _zip_documents(path: Path) -> Iterator[Document]:
    """Each member in name order, read as a stream and capped, so a huge or hostile zip
    costs at most one member's bytes; a bad member is reported by name and skipped."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        yield Document(str(path), path.name, error=f"unreadable zip: {error}")
        return
    with archive:
        members = [
            info
            for info in archive.infolist()
            if not info.is_dir()
            and not any(
                part.startswith(".") or part == "__MACOSX"
                for part in PurePosixPath(info.filename).parts
            )
        ]
        if len(members) > MAX_ZIP_MEMBERS:
            yield Document(str(path), path.name, error=f"more than {MAX_ZIP_MEMBERS} members")
            return
        for info in sorted(members, key=lambda i: i.filename):
            member = f"{path}#{info.filename}"
            name = f"{path.name}#{PurePosixPath(info.filename).name}"[-FILENAME_LENGTH:]
            if info.file_size > MAX_BUNDLE_BYTES:
                yield Document(member, name, error=f"larger than {MAX_BUNDLE_BYTES} bytes")
                continue
            if PurePosixPath(info.filename).suffix.lower() == ".zip":
                yield Document(member, name, error="a zip inside a zip is not read")
                continue
            try:
                with archive.open(info) as stream:
                    data = stream.read(MAX_BUNDLE_BYTES + 1)
            except (
                zipfile.BadZipFile,
                zlib.error,
                EOFError,
                RuntimeError,
                NotImplementedError,
            ) as error:
                yield Document(member, name, error=f"unreadable zip member: {error}")
                continue
            if len(data) > MAX_BUNDLE_BYTES:  # the header understated the size
                yield Document(member, name, error=f"larger than {MAX_BUNDLE_BYTES} bytes")
                continue
            yield from _split(member, name, data)


def api_documents(studies: Iterable[dict]) -> Iterator[Document]:
    """Studies pulled from the registry's API, one document each, named by NCT id."""
    for number, study in enumerate(studies, start=1):
        nct = ctgov_json.study_id(study) if isinstance(study, dict) else ""
        path = f"ctgov-api:{nct or f'study-{number}'}"
        if not ctgov_json.is_study(study):
            yield Document(path, path, error="not a ClinicalTrials.gov API v2 study")
        else:
            yield Document(path, path, canonical_json(study))


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
