"""Where the index lives on disk, how it is written safely and what catalogue state it reflects.

One directory per database (tests and benchmarks use throwaway databases): segment folders,
each written once and never changed, and `manifest.json`, which names the live segments and the
state of the catalogue they reflect. A writer holds `lock` (an flock), writes a new segment,
then replaces the manifest atomically; readers (any number of processes) read the manifest and
memory-map the segments it names, so they never see a half-written index. Old segments are
deleted only after a rebuild, and a reader still holding them keeps its mapping.

The catalogue's state is what `state()` reads in one query: the database (a re-created one
has a new oid), the trial table's file (TRUNCATE changes it), the last trial id handed out
(inserts) and the last change-history event of the trial and of each of its rows (updates and
deletes, by ingest or a curator: pghistory records them all).
"""

from __future__ import annotations

import bisect
import fcntl
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from django.apps import apps
from django.conf import settings
from django.db import connection

from .build import SegmentData

FORMAT = 2
MANIFEST = "manifest.json"
ARRAYS = ("pks", "lex_ptr", "docs", "weights", "occ_ptr", "occ")


def directory() -> Path:
    """This database's index directory."""
    return Path(settings.SEARCH_INDEX_DIR) / connection.settings_dict["NAME"]


class Busy(Exception):
    """Another process is writing the index."""


@contextmanager
def writing(wait: bool = True):
    """The writer's lock on this database's index; raises Busy when not `wait`ing and it is held."""
    folder = directory()
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError as error:
            raise Busy from error
        try:
            yield folder
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read_manifest(folder: Path | None = None) -> dict | None:
    try:
        manifest = json.loads(((folder or directory()) / MANIFEST).read_text())
    except (FileNotFoundError, ValueError):
        return None
    return manifest if manifest.get("format") == FORMAT else None


def write_manifest(folder: Path, manifest: dict) -> None:
    manifest = {**manifest, "format": FORMAT}
    with tempfile.NamedTemporaryFile("w", dir=folder, delete=False, suffix=".tmp") as out:
        json.dump(manifest, out)
    os.replace(out.name, folder / MANIFEST)


def manifest_key(folder: Path) -> tuple | None:
    """Changes whenever the manifest is replaced (a reader's cue to reload)."""
    try:
        found = os.stat(folder / MANIFEST)
    except FileNotFoundError:
        return None
    return (found.st_ino, found.st_mtime_ns, found.st_size)


def write_segment(folder: Path, name: str, data: SegmentData) -> None:
    """The segment's files under a temporary name, then renamed into place."""
    staging = Path(tempfile.mkdtemp(dir=folder, prefix=".new-"))
    for array in ARRAYS:
        np.save(staging / f"{array}.npy", getattr(data, array))
    # Strings as UTF-8 bytes: read without parsing (a reader loads the index after each write).
    np.save(staging / "registry_ids.npy", _utf8(data.registry_ids))
    words = [w.encode() for w in data.lexemes]
    (staging / "lexemes.bin").write_bytes(b"".join(words))
    np.save(staging / "lexemes_ptr.npy", np.cumsum([0, *map(len, words)], dtype=np.int64))
    for column, values in data.numbers.items():
        np.save(staging / f"n-{column}.npy", values)
    for param, (ptr, codes, _) in data.values.items():
        np.save(staging / f"v-{param}-ptr.npy", ptr)
        np.save(staging / f"v-{param}-codes.npy", codes)
    meta = {
        "vocabularies": {param: vocabulary for param, (_, _, vocabulary) in data.values.items()},
        "numbers": list(data.numbers),
        "replaces": data.replaces,
    }
    (staging / "meta.json").write_text(json.dumps(meta))
    os.rename(staging, folder / name)


def read_segment(folder: Path, name: str) -> dict:
    """A segment's arrays (memory-mapped) and its meta data."""
    path = folder / name
    meta = json.loads((path / "meta.json").read_text())
    arrays = {a: np.load(path / f"{a}.npy", mmap_mode="r") for a in ARRAYS}
    arrays["registry_ids"] = np.load(path / "registry_ids.npy")
    arrays["lexemes"] = Lexicon(
        (path / "lexemes.bin").read_bytes(), np.load(path / "lexemes_ptr.npy")
    )
    numbers = {c: np.load(path / f"n-{c}.npy") for c in meta["numbers"]}
    values = {
        param: (
            np.load(path / f"v-{param}-ptr.npy"),
            np.load(path / f"v-{param}-codes.npy"),
            vocabulary,
        )
        for param, vocabulary in meta["vocabularies"].items()
    }
    return {"name": name, **meta, **arrays, "numbers": numbers, "values": values}


def _utf8(strings: list[str]) -> np.ndarray:
    """Byte strings sort as their text does (UTF-8 keeps code point order)."""
    return np.array([t.encode() for t in strings], dtype=bytes) if strings else np.zeros(0, "S1")


class Lexicon:
    """A segment's sorted lexemes, looked up by binary search over the bytes as stored."""

    def __init__(self, blob: bytes, ptr: np.ndarray):
        self.blob, self.ptr = blob, ptr.tolist()

    def __len__(self) -> int:
        return len(self.ptr) - 1

    def __getitem__(self, i: int) -> bytes:
        return self.blob[self.ptr[i] : self.ptr[i + 1]]

    def get(self, word: str) -> int | None:
        key = word.encode()
        i = bisect.bisect_left(self, key)
        return i if i < len(self) and self[i] == key else None


def remove_unused(folder: Path, manifest: dict) -> None:
    keep = set(manifest["segments"])
    for path in folder.iterdir():
        if path.is_dir() and path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)


def _event_tables() -> list[tuple[str, str]]:
    """(event table, the column naming the trial) for the trial's and its rows' change history."""
    import pghistory.models

    found = []
    for model in apps.get_app_config("catalogue").get_models():
        if not issubclass(model, pghistory.models.Event):
            continue
        names = {f.name for f in model._meta.fields}
        target = model._meta.get_field("pgh_obj").related_model if "pgh_obj" in names else None
        if target is not None and target._meta.label == "catalogue.Trial":
            found.append((model._meta.db_table, "pgh_obj_id"))
        elif "trial" in names:
            found.append((model._meta.db_table, "trial_id"))
    return sorted(found)


# Per process and database: the sequence behind each table's id (trials) or pgh_id (events).
_sequences: dict[str, dict[str, str]] = {}


def _sequence_names(tables: list[str]) -> dict[str, str]:
    name = connection.settings_dict["NAME"]
    if name not in _sequences:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT t, pg_get_serial_sequence(t, CASE WHEN t = %s THEN 'id' ELSE 'pgh_id' END)"
                " FROM unnest(%s::text[]) AS t",
                [tables[0], tables],
            )
            _sequences[name] = dict(cursor.fetchall())
    return _sequences[name]


def state(recorded_xid: str | None = None) -> dict:
    """The catalogue's state now, and whether the transaction that wrote `recorded_xid` was undone.

    Read from the tables' sequences: asking the tables for their highest ids costs more in
    planning than all of a list page's index work (~1 ms for the trial table's 25 indexes).
    """
    trials = apps.get_model("catalogue", "Trial")._meta.db_table
    events = [table for table, _ in _event_tables()]
    sequences = _sequence_names([trials, *events])
    parts = [
        # Which database: a dropped and re-created one (tests, benchmarks) starts over.
        "(SELECT system_identifier FROM pg_control_system())::text || ':' || "
        "(SELECT oid FROM pg_database WHERE datname = current_database())::text",
        f"pg_relation_filenode('{trials}')",
        *(f"pg_sequence_last_value('{sequences[t]}')" for t in [trials, *events]),
        "pg_current_xact_id_if_assigned()::text",
        "pg_xact_status(%s::xid8)" if recorded_xid else "NULL",
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", [recorded_xid] if recorded_xid else [])
        row = cursor.fetchone()
    return {
        "database": row[0],
        "table": row[1],
        "max_id": row[2] or 0,
        "events": {table: value or 0 for table, value in zip(events, row[3:-2], strict=True)},
        "xid": row[-2],
        "recorded_xid_status": row[-1],
    }


def changed_since(recorded: dict) -> set[int]:
    """The ids of trials added or changed (themselves or their rows) since the recorded state."""
    trials = apps.get_model("catalogue", "Trial")._meta.db_table
    parts = [f"SELECT id FROM {trials} WHERE id > %s"]
    params = [recorded["max_id"]]
    for table, column in _event_tables():
        parts.append(f"SELECT {column} FROM {table} WHERE pgh_id > %s AND {column} IS NOT NULL")
        params.append(recorded["events"].get(table, 0))
    with connection.cursor() as cursor:
        cursor.execute(" UNION ".join(parts), params)
        return {row[0] for row in cursor.fetchall()}
