"""What a source file holds: one document per saved page, per study of a registry bundle,
per row of a CSV download, per member of a zip. Reading only: nothing here parses a
document or touches the database.

A document is named `file.json#NCT01234567`, `file.csv#NCT01234567` or `file.zip#member.json`
when a file holds several; a CSV row without a registry id is named by its line,
`file.csv:123`, and every CSV row's error says its line ("line 123: unknown status ...").
An unreadable file, member or row becomes a failed document with the reason, so the run
reports it and goes on.

Files are read as streams and documents are yielded as they are cut, so a 100 MB CSV or
JSON list costs the memory of the documents in flight, not of the file.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from catalogue.models import SourceDocument

from .detect import MAX_DOCUMENT_BYTES, Part, canonical_json, split_stream
from .parsers import ctgov_json

MAX_BYTES = 5 * 1024 * 1024  # a saved page
# One registry document (a study, an XML file of records, a CSV row); a CSV or JSON list is
# streamed, so the file around them may be any size.
MAX_BUNDLE_BYTES = MAX_DOCUMENT_BYTES
MAX_ZIP_MEMBERS = 100_000
BUNDLE_SUFFIXES = {".json", ".xml", ".csv"}
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

    A registry bundle (a CSV download, a JSON list, an ICTRP export) is read part by part
    as the documents are used, and has no size limit: memory holds one document at a time."""
    try:
        stream = path.open("rb")
    except OSError as error:
        yield Document(str(path), path.name, error=f"cannot read: {error.strerror or error}")
        return
    with stream:
        if stream.read(4) == b"PK\x03\x04":
            yield from _zip_documents(path)
            return
        stream.seek(0)
        yield from _split(str(path), path.name, stream)


def _limit(name: str) -> int:
    """How much of a file that is not a registry bundle is read (a page, or junk)."""
    return MAX_BUNDLE_BYTES if PurePosixPath(name).suffix.lower() in BUNDLE_SUFFIXES else MAX_BYTES


def _split(path: str, filename: str, stream) -> Iterator[Document]:
    try:
        for part in split_stream(stream, _limit(filename)):
            yield _document(path, filename, part)
    except (OSError, zipfile.BadZipFile, zlib.error, EOFError) as error:
        # A disk or zip member that fails part-way: what was read stays read.
        yield Document(path, filename, error=f"cannot read: {error}")


def _document(path: str, filename: str, part: Part) -> Document:
    if part.key:
        path, name = f"{path}#{part.key}", f"{filename}#{part.key}"
    elif part.line:
        path, name = f"{path}:{part.line}", f"{filename}:{part.line}"
    else:
        return Document(path, filename, part.data, part.error)
    return Document(path, name[-FILENAME_LENGTH:], part.data, part.error)


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
            if PurePosixPath(info.filename).suffix.lower() == ".zip":
                yield Document(member, name, error="a zip inside a zip is not read")
                continue
            try:
                stream = archive.open(info)
            except (
                zipfile.BadZipFile,
                zlib.error,
                EOFError,
                RuntimeError,
                NotImplementedError,
            ) as error:
                yield Document(member, name, error=f"unreadable zip member: {error}")
                continue
            # Read as a stream and capped per document (split_stream), so a member that
            # inflates far beyond its header's size costs no more than one document.
            with stream:
                yield from _split(member, name, stream)


def api_documents(studies: Iterable[dict]) -> Iterator[Document]:
    """Studies pulled from the registry's API, one document each, named by NCT id."""
    for number, study in enumerate(studies, start=1):
        nct = ctgov_json.study_id(study) if isinstance(study, dict) else ""
        path = f"ctgov-api:{nct or f'study-{number}'}"
        if not ctgov_json.is_study(study):
            yield Document(path, path, error="not a ClinicalTrials.gov API v2 study")
        else:
            yield Document(path, path, canonical_json(study))
