"""What a source file holds: one document per saved page, per study of a registry bundle,
per member of a zip. Reading only: nothing here parses a document or touches the database.

A document is named `file.json#NCT01234567` or `file.zip#member.json` when a file holds
several; an unreadable file or member becomes a failed document with the reason, so the
run reports it and goes on.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from catalogue.models import SourceDocument

from .detect import Format, Part, canonical_json, split_document, stream_format
from .parsers import ctgov_json

MAX_BYTES = 5 * 1024 * 1024  # a saved page
HEAD_BYTES = 4096  # what a file's format is recognised from
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
    """The documents one source file holds; an unreadable file or member is a failed document.

    A file in a streamed format (an ICTRP export) is read part by part as the documents
    are used, and has no size limit: memory holds one of its documents at a time."""
    try:
        with path.open("rb") as stream:
            head = stream.read(HEAD_BYTES)
        if head[:4] == b"PK\x03\x04":
            yield from _zip_documents(path)
            return
        streamed = stream_format(head)
        if streamed is not None:  # read part by part, whatever the file's size
            yield from _streamed(str(path), path.name, path.open, streamed)
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
        yield _document(path, filename, part)


def _document(path: str, filename: str, part: Part) -> Document:
    if not part.key:
        return Document(path, filename, part.data, part.error)
    name = f"{filename}#{part.key}"
    return Document(f"{path}#{part.key}", name[-FILENAME_LENGTH:], part.data, part.error)


def _streamed(path: str, filename: str, opener, fmt: Format) -> Iterator[Document]:
    """Each document of a file (or zip member) in a streamed format, read as it is used."""
    try:
        with opener("rb") as stream:
            for part in fmt.stream(stream):
                yield _document(path, filename, part)
    except (OSError, zipfile.BadZipFile, zlib.error, EOFError) as error:
        yield Document(path, filename, error=f"cannot read on: {error}")


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
                    streamed = stream_format(stream.read(HEAD_BYTES))
                if streamed is not None:
                    yield from _streamed(member, name, lambda _, i=info: archive.open(i), streamed)
                    continue
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
