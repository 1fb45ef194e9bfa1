"""The list page's search index: every list query (search, filters, facet counts, order) answered
in memory beside Postgres, which stays the source of truth.

Postgres needs a few hundred ms at 100,000 trials to match a broad search, rank it and count
its facets, because it reads every matching row (docs/scaling.md); this index holds what those
queries read, per trial, in arrays a query combines in a few ms (engine.py). It is derived
from the stored rows only (build.py), so its answers are Postgres's answers.

Writes: call `refresh(trial_ids)` after writing trials (search.refresh, which every writer of a
trial's search document calls, does); `rebuild()` builds it afresh (`manage.py search_index`). Neither is needed for
correctness: every list request compares the catalogue's state (store.state: new ids, the
change history of trials and their rows) with the state the index was built from, and brings
the index up to date first, or rebuilds it when it is missing, from another schema, or was
built from a transaction that was rolled back. While another process is writing the index, a
request uses the index as it is, or Postgres when there is none yet.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction

from . import build, store
from .engine import Query, Result, View
from .tsquery import Unsupported

__all__ = ["Unsupported", "current", "find", "rebuild", "refresh"]

log = logging.getLogger(__name__)

# More changed trials than this since the index was written: rebuild rather than add a segment.
CATCH_UP_LIMIT = 5_000
# Segments added since the last rebuild before they are merged into one.
MAX_ADDED_SEGMENTS = 32


def refresh(trial_ids: Iterable[int]) -> None:
    """Bring the index up to date after these trials were written (created, changed or deleted),
    together with any other change it has not seen.

    Call it in the writing transaction, after its last write: the index then holds them at
    once (other processes' pages check every row they show in Postgres, so they never show an
    uncommitted trial), and if the transaction rolls back, the next reader rebuilds the index.
    A savepoint rolled back after the call is not noticed: call it after what can fail.
    """
    ids = {int(i) for i in trial_ids}
    _update(ids)
    if connection.in_atomic_block:
        # Once committed, anything written after this call is caught up (usually nothing).
        transaction.on_commit(lambda: _update(set()))


def rebuild() -> int:
    """Build the index afresh from every trial; returns how many it holds."""
    with store.writing() as folder:
        return _rebuild(folder)


def _update(ids: set[int], *, wait: bool = True) -> None:
    with store.writing(wait=wait) as folder:
        manifest = store.read_manifest(folder)
        now = store.state(_recorded_xid(manifest))
        if _needs_rebuild(manifest, now):
            _rebuild(folder)
        else:
            _catch_up(folder, manifest, now, ids)


def _recorded_xid(manifest: dict | None) -> str | None:
    return manifest["state"].get("xid") if manifest else None


def _needs_rebuild(manifest: dict | None, now: dict) -> bool:
    if manifest is None or manifest.get("columns") != _signature():
        return True
    recorded = manifest["state"]
    if _ahead(manifest, now):
        return False
    return (
        now["database"] != recorded.get("database")
        or now["table"] != recorded["table"]
        or now["recorded_xid_status"] == "aborted"  # built from rows a rollback removed
        or now["max_id"] < recorded["max_id"]  # a sequence set back: rows were removed
        or any(now["events"].get(t, 0) < n for t, n in recorded["events"].items())
        or set(now["events"]) != set(recorded["events"])
    )


def _ahead(manifest: dict, now: dict) -> bool:
    """Written by another transaction that has not committed yet: the index holds its writes,
    this process does not see them yet. It is used as it is until that transaction ends."""
    recorded = manifest["state"]
    return now["recorded_xid_status"] == "in progress" and recorded.get("xid") != now["xid"]


def _up_to_date(manifest: dict, now: dict) -> bool:
    if _ahead(manifest, now):
        return True
    recorded = manifest["state"]
    return now["max_id"] == recorded["max_id"] and now["events"] == recorded["events"]


def _signature() -> dict:
    """What the index holds, as the manifest records it (JSON: tuples become lists)."""
    spec = build.columns()
    return json.loads(json.dumps({"values": spec.values, "numbers": spec.numbers}))


def _state_to_record(now: dict) -> dict:
    return {k: now[k] for k in ("database", "table", "max_id", "events", "xid")}


def _rebuild(folder) -> int:
    started = time.monotonic()
    now = store.state()  # read before the rows: the index is never newer than its state
    spec = build.columns()
    manifest = store.read_manifest(folder) or {}
    number = manifest.get("next", 1)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {_trials()} ORDER BY id")
        ids = [row[0] for row in cursor.fetchall()]
    names = []
    for start in range(0, max(len(ids), 1), build.SEGMENT_LIMIT):
        data = build.read_segment(ids[start : start + build.SEGMENT_LIMIT], spec)
        name = f"seg-{number:06d}"
        store.write_segment(folder, name, data)
        names.append(name)
        number += 1
    manifest = {
        "segments": names,
        "base": len(names),
        "next": number,
        "state": _state_to_record(now),
        "columns": _signature(),
    }
    store.write_manifest(folder, manifest)
    store.remove_unused(folder, manifest)
    log.info(
        "search index rebuilt",
        extra={"trials": len(ids), "seconds": round(time.monotonic() - started, 2)},
    )
    return len(ids)


def _catch_up(folder, manifest: dict, now: dict, ids: set[int]) -> None:
    if not ids and _up_to_date(manifest, now):
        return
    changed = ids | store.changed_since(manifest["state"])
    if len(changed) > CATCH_UP_LIMIT:
        _rebuild(folder)
        return
    spec = build.columns()
    segments = list(manifest["segments"])
    base = manifest["base"]
    if len(segments) - base >= MAX_ADDED_SEGMENTS:
        # Merge the added segments: their trials and everything they replace, read again.
        for name in segments[base:]:
            data = store.read_segment(folder, name)
            changed |= set(data["pks"].tolist()) | set(data["replaces"])
        if len(changed) > build.SEGMENT_LIMIT // 2:
            _rebuild(folder)
            return
        segments = segments[:base]
    number = manifest["next"]
    name = f"seg-{number:06d}"
    store.write_segment(folder, name, build.read_segment(sorted(changed), spec, replaces=changed))
    store.write_manifest(
        folder,
        {
            **manifest,
            "segments": [*segments, name],
            "next": number + 1,
            "state": _state_to_record(now),
        },
    )
    if len(segments) < len(manifest["segments"]):
        store.remove_unused(folder, {"segments": [*segments, name]})


def _trials() -> str:
    from ..models import Trial

    return Trial._meta.db_table


# Per process: the view of each index directory, with the manifest it was read from.
_views: dict[str, tuple[tuple, View]] = {}


def forget_views() -> None:
    """Drop the views read so far; the next current() reads the index from disk."""
    _views.clear()


def current() -> View | None:
    """The index, brought up to date with the catalogue first; None when there is none to use
    now (another process is building it, or settings.SEARCH_INDEX is off)."""
    if not settings.SEARCH_INDEX:
        return None
    folder = store.directory()
    manifest = store.read_manifest(folder)
    now = store.state(_recorded_xid(manifest))
    if _needs_rebuild(manifest, now) or not _up_to_date(manifest, now):
        try:
            _update(set(), wait=False)
        except store.Busy:
            if _needs_rebuild(manifest, now):
                return None
            # Another process is writing it: this one's view is at most that write behind.
    key = store.manifest_key(folder)
    cached = _views.get(str(folder))
    if cached and cached[0] == key:
        return cached[1]
    for _ in range(3):  # a rebuild may delete the segments of the manifest just read
        manifest = store.read_manifest(folder)
        key = store.manifest_key(folder)
        if manifest is None:
            return None
        try:
            view = View([store.read_segment(folder, n) for n in manifest["segments"]])
        except FileNotFoundError:
            continue
        _views[str(folder)] = (key, view)
        return view
    return None


def find(filterset) -> Result | None:
    """The filterset's list from the index; None when the index cannot answer it (Postgres does)."""
    view = filterset.index
    if view is None:
        return None
    query = Query(
        text=filterset.searched or None,
        nothing=filterset.fuzzy and not filterset.correction,
        values=filterset.values,
        include_out_of_scope=filterset.include_out_of_scope,
        sort=filterset.sort,
    )
    try:
        return Result(view, query, filterset.text_match)
    except Unsupported:
        return None
