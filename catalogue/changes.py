"""What changed in a trial and when, told publicly from the change history the triggers keep.

Every write to a trial and its rows leaves a pghistory event (a snapshot of the row) with
its context: {"source": "ingest", "path": ...} for ingest and sync, {"user": ..., "url": ...}
for a curator's request in the admin, {"source": "flags"} for the flags refresh. This
compares each trial snapshot with the one before it, keeps the fields a reader follows
(`FIELDS`), adds what happened to the trial's arms, eligibility criteria and sponsors in
the same write, and says who made the change without naming anyone: a registry or source
update, a correction by the catalogue's curators, or the catalogue's own check.

Two queries for any number of trials (`changes_for`), each bounded per trial, so the
detail page costs the same for a trial with a long history; `recently_changed` picks the
trials of a list whose latest change is newest (the Atom feed).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.apps import apps
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet

from .flags import iso, shown_date
from .vocabulary import Phase, ReportingFlag, Status, label

# The trial columns whose changes are told, in the order they are told; `None` is for
# columns read only alongside another one (a date's precision, the enrollment's type).
FIELDS = (
    "overall_status",
    "phases",
    "enrollment",
    "enrollment_type",
    "start_date",
    "primary_completion_date",
    "completion_date",
    "results_posted",
    "brief_title",
    "sex",
    "minimum_age",
    "maximum_age",
    "eligibility_text",
    "reporting_flags",
)
# Read too, never a change on their own: how precise each date is, and the registry's own date.
ALONGSIDE = (
    "start_date_precision",
    "primary_completion_date_precision",
    "completion_date_precision",
    "last_update",
    "last_update_precision",
)
PER_TRIAL = 20  # entries a detail page shows; older ones are summed up in a note
ROWS_PER_TRIAL = 400  # child-row events read per trial (a long history reads no more)
CURATORS = "Correction by the catalogue's curators"
REGISTRY_SUFFIXES = (".json", ".xml", ".zip")


@dataclass(frozen=True)
class Change:
    """One thing that changed: 'Status: Recruiting → Completed'."""

    part: str  # a FIELDS name, or "arms" / "eligibility" / "sponsors"
    label: str
    before: str = ""
    after: str = ""
    note: str = ""  # for rows: "2 added, 1 removed"

    @property
    def text(self) -> str:
        if self.note:
            return f"{self.label}: {self.note}"
        return f"{self.label}: {self.before or 'not stated'} → {self.after or 'not stated'}"


@dataclass
class Entry:
    """One write to a trial, as the public sees it."""

    trial_id: int
    when: datetime
    kind: str  # "added", "registry", "source", "curator", "check" (the flags), "catalogue"
    by: str  # who, in words: "Registry update", CURATORS, ...
    registry_date: str | None = None  # the registry's last-update date in that version (ISO)
    changes: list[Change] = field(default_factory=list)
    key: int = 0  # the trial event's id (or the first row event's): stable, for feed ids

    @property
    def added(self) -> bool:
        return self.kind == "added"

    @property
    def registry_date_shown(self) -> str:
        return shown_date(self.registry_date) if self.registry_date else ""

    @property
    def summary(self) -> str:
        if self.added:
            return "Added to the catalogue"
        return "; ".join(c.text for c in self.changes)


@dataclass
class History:
    entries: list[Entry]
    more: bool  # older entries exist beyond those read


def who(metadata: dict | None) -> tuple[str, str]:
    """(kind, words) for a change's context; a curator is never named."""
    metadata = metadata or {}
    if metadata.get("user") is not None:
        return "curator", CURATORS
    source = metadata.get("source", "")
    if source == "ingest":
        path = str(metadata.get("path", ""))
        document = path.split("#", 1)[0].lower()
        if path.startswith("ctgov-api:") or document.endswith(REGISTRY_SUFFIXES):
            return "registry", "Registry update"
        return "source", "Update from a saved source page"
    if source == "flags":
        return "check", "The catalogue's reporting checks"
    return "catalogue", "Catalogue update"


# --- the two reads ------------------------------------------------------------------


def _trial_events_sql() -> str:
    table = apps.get_model("catalogue", "TrialEvent")._meta.db_table
    compared = [f for f in FIELDS if f != "eligibility_text"]
    columns = ", ".join(f"e.{c}" for c in (*compared, *ALONGSIDE))
    lags = ", ".join(f"LAG(e.{c}) OVER w AS prev_{c}" for c in (*compared, *ALONGSIDE))
    differs = " OR ".join(f"{c} IS DISTINCT FROM prev_{c}" for c in (*compared, "eligibility"))
    return f"""
        WITH diffed AS (
            SELECT e.pgh_id, e.pgh_obj_id, e.pgh_created_at, e.pgh_label, e.pgh_context_id,
                   {columns}, md5(e.eligibility_text) AS eligibility,
                   {lags}, LAG(md5(e.eligibility_text)) OVER w AS prev_eligibility,
                   row_number() OVER w AS nth
            FROM {table} e
            WHERE e.pgh_obj_id = ANY(%(ids)s) AND e.pgh_label IN ('insert', 'update')
            WINDOW w AS (PARTITION BY e.pgh_obj_id ORDER BY e.pgh_id)
        ), changed AS (
            SELECT *, row_number() OVER (PARTITION BY pgh_obj_id ORDER BY pgh_id DESC) AS newest
            FROM diffed
            WHERE pgh_label = 'insert' OR nth = 1 OR {differs}
        )
        SELECT changed.*, ctx.metadata AS context
        FROM changed LEFT JOIN pghistory_context ctx ON ctx.id = changed.pgh_context_id
        WHERE newest <= %(limit)s
        ORDER BY pgh_obj_id, pgh_id DESC
    """


def _row_events_sql() -> str:
    arm = apps.get_model("catalogue", "ArmEvent")._meta.db_table
    criterion = apps.get_model("catalogue", "EligibilityCriterionEvent")._meta.db_table
    link = apps.get_model("catalogue", "TrialSponsorEvent")._meta.db_table
    sponsor = apps.get_model("catalogue", "Sponsor")._meta.db_table
    window = "OVER (PARTITION BY pgh_obj_id ORDER BY pgh_id)"
    return f"""
        WITH rows AS (
            SELECT 'arms' AS part, trial_id, pgh_id, pgh_created_at, pgh_label, pgh_context_id,
                   label AS text, '' AS role, LAG(label) {window} AS prev_text
            FROM {arm} WHERE trial_id = ANY(%(ids)s)
            UNION ALL
            SELECT 'eligibility', trial_id, pgh_id, pgh_created_at, pgh_label, pgh_context_id,
                   text, kind, LAG(text) {window}
            FROM {criterion} WHERE trial_id = ANY(%(ids)s)
            UNION ALL
            SELECT 'sponsors', l.trial_id, l.pgh_id, l.pgh_created_at, l.pgh_label,
                   l.pgh_context_id, COALESCE(s.name, ''), l.role,
                   LAG(COALESCE(s.name, '')) OVER (PARTITION BY l.pgh_obj_id ORDER BY l.pgh_id)
            FROM {link} l LEFT JOIN {sponsor} s ON s.id = l.sponsor_id
            WHERE l.trial_id = ANY(%(ids)s)
        ), newest AS (
            SELECT *, row_number() OVER (PARTITION BY trial_id ORDER BY pgh_id DESC) AS n
            FROM rows
        )
        SELECT newest.*, ctx.metadata AS context
        FROM newest LEFT JOIN pghistory_context ctx ON ctx.id = newest.pgh_context_id
        WHERE n <= %(limit)s
        ORDER BY trial_id, pgh_id
    """


def _fetch(sql: str, params: dict) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c.name for c in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:  # Django leaves jsonb as text in raw queries
        if isinstance(row["context"], str):
            row["context"] = json.loads(row["context"])
    return rows


def changes_for(trial_ids: list[int], per_trial: int = PER_TRIAL) -> dict[int, History]:
    """Each trial's newest `per_trial` change entries, newest first. Two queries."""
    if not trial_ids:
        return {}
    ids = list(trial_ids)
    snapshots = _fetch(_trial_events_sql(), {"ids": ids, "limit": per_trial + 1})
    rows = _fetch(_row_events_sql(), {"ids": ids, "limit": ROWS_PER_TRIAL})
    by_trial: dict[int, list[Entry]] = defaultdict(list)
    more: dict[int, bool] = defaultdict(bool)
    contexts: dict[tuple[int, object], Entry] = {}
    read: Counter[int] = Counter()
    for snapshot in snapshots:
        read[snapshot["pgh_obj_id"]] += 1
        if read[snapshot["pgh_obj_id"]] > per_trial:
            more[snapshot["pgh_obj_id"]] = True
            continue
        entry = _trial_entry(snapshot)
        by_trial[entry.trial_id].append(entry)
        contexts[(entry.trial_id, snapshot["pgh_context_id"])] = entry
    row_count = Counter(row["trial_id"] for row in rows)
    for trial_id, count in row_count.items():
        if count >= ROWS_PER_TRIAL:
            more[trial_id] = True
    for (trial_id, context_id), group in _row_groups(rows).items():
        entry = contexts.get((trial_id, context_id))
        if entry and entry.added:
            continue  # the rows a trial arrived with are part of "added"
        changes = _row_changes(group)
        if not changes:
            continue
        if entry is None:
            kind, by = who(group[0]["context"])
            entry = Entry(trial_id, group[0]["pgh_created_at"], kind, by, key=group[0]["pgh_id"])
            by_trial[trial_id].append(entry)
            contexts[(trial_id, context_id)] = entry
        _merge_rows(entry, changes)
    out = {}
    for trial_id in ids:
        entries = sorted(
            (e for e in by_trial.get(trial_id, []) if e.added or e.changes),
            key=lambda e: (e.when, e.key),
            reverse=True,
        )
        out[trial_id] = History(entries[:per_trial], more[trial_id] or len(entries) > per_trial)
    return out


def recently_changed(trials: QuerySet, limit: int = 50, scan: int = 2000) -> list[int]:
    """Ids of the trials (of this queryset) whose latest change is newest, newest first.

    Reads the newest `scan` trial events that changed a told field, and keeps each trial's
    first: one query, stopping early on the event table's primary key."""
    table = apps.get_model("catalogue", "TrialEvent")._meta.db_table
    compared = [f for f in FIELDS if f != "eligibility_text"]
    columns = ", ".join(compared)
    differs = " OR ".join(f"e.{c} IS DISTINCT FROM p.{c}" for c in compared)
    try:
        subquery, params = trials.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing
        return []
    sql = f"""
        SELECT e.pgh_obj_id FROM {table} e
        LEFT JOIN LATERAL (
            SELECT pgh_id, {columns}, eligibility_text FROM {table} p
            WHERE p.pgh_obj_id = e.pgh_obj_id AND p.pgh_id < e.pgh_id
            ORDER BY p.pgh_id DESC LIMIT 1
        ) p ON true
        WHERE e.pgh_label IN ('insert', 'update') AND e.pgh_obj_id IN ({subquery})
          AND (e.pgh_label = 'insert' OR p.pgh_id IS NULL OR {differs}
               OR e.eligibility_text IS DISTINCT FROM p.eligibility_text)
        ORDER BY e.pgh_id DESC
        LIMIT %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, scan])
        newest = [row[0] for row in cursor.fetchall()]
    return list(dict.fromkeys(newest))[:limit]


# --- snapshots to words -------------------------------------------------------------


def _trial_entry(s: dict) -> Entry:
    kind, by = who(s["context"])
    # The registry's own last-update date of the version written, where a source gives one.
    registry_date = None
    if kind in ("registry", "source") and s["last_update"]:
        registry_date = iso(s["last_update"], s["last_update_precision"] or "day")
    entry = Entry(s["pgh_obj_id"], s["pgh_created_at"], kind, by, registry_date, key=s["pgh_id"])
    if s["pgh_label"] == "insert" or s["nth"] == 1:
        entry.kind, entry.by = "added", "Added to the catalogue"
        return entry
    entry.changes = list(_field_changes(s))
    return entry


def _field_changes(s: dict):
    def moved(name: str) -> bool:
        return s[name] != s[f"prev_{name}"]

    if moved("overall_status"):
        yield Change(
            "overall_status",
            "Status",
            label(Status, s["prev_overall_status"] or ""),
            label(Status, s["overall_status"] or ""),
        )
    if moved("phases"):
        yield Change("phases", "Phase", _phases(s["prev_phases"]), _phases(s["phases"]))
    if moved("enrollment") or moved("enrollment_type"):
        yield Change(
            "enrollment",
            "Enrollment",
            _enrollment(s["prev_enrollment"], s["prev_enrollment_type"]),
            _enrollment(s["enrollment"], s["enrollment_type"]),
        )
    for name, text in (
        ("start_date", "Start"),
        ("primary_completion_date", "Primary completion"),
        ("completion_date", "Completion"),
    ):
        precision = f"{name}_precision"
        if moved(name) or moved(precision):
            yield Change(
                name,
                text,
                _date(s[f"prev_{name}"], s[f"prev_{precision}"]),
                _date(s[name], s[precision]),
            )
    if moved("results_posted"):
        yield Change(
            "results_posted",
            "Results",
            _results(s["prev_results_posted"]),
            _results(s["results_posted"]),
        )
    if moved("brief_title"):
        yield Change("brief_title", "Title", s["prev_brief_title"], s["brief_title"])
    eligibility = []
    if moved("sex"):
        eligibility.append(f"sex {s['prev_sex'] or 'not stated'} → {s['sex'] or 'not stated'}")
    if moved("minimum_age") or moved("maximum_age"):
        eligibility.append(
            f"ages {_ages(s['prev_minimum_age'], s['prev_maximum_age'])} → "
            f"{_ages(s['minimum_age'], s['maximum_age'])}"
        )
    if moved("eligibility"):
        eligibility.append("criteria revised")
    if eligibility:
        yield Change("eligibility", "Eligibility", note="; ".join(eligibility))
    if moved("reporting_flags"):
        before, after = set(s["prev_reporting_flags"] or []), set(s["reporting_flags"] or [])
        notes = [
            f"raised “{label(ReportingFlag, f)}”"
            for f in ReportingFlag.values
            if f in after - before
        ]
        notes += [
            f"cleared “{label(ReportingFlag, f)}”"
            for f in ReportingFlag.values
            if f in before - after
        ]
        if notes:
            yield Change("reporting_flags", "Reporting flag", note="; ".join(notes))


def _row_groups(rows: list[dict]) -> dict[tuple[int, object], list[dict]]:
    groups: dict[tuple[int, object], list[dict]] = defaultdict(list)
    for row in rows:
        groups[(row["trial_id"], row["pgh_context_id"])].append(row)
    return groups


def _row_changes(group: list[dict]) -> list[Change]:
    """What one write did to the trial's rows, net: a row deleted and written again the
    same (its position moved) is no change."""
    added: dict[str, Counter] = defaultdict(Counter)
    removed: dict[str, Counter] = defaultdict(Counter)
    edited: dict[str, list[tuple[str, str, str]]] = defaultdict(list)  # rewritten in place
    for row in group:
        key = (row["text"], row["role"])
        if row["pgh_label"] == "insert":
            added[row["part"]][key] += 1
        elif row["pgh_label"] == "delete":
            removed[row["part"]][key] += 1
        elif row["pgh_label"] == "update" and row["prev_text"] not in (None, row["text"]):
            edited[row["part"]].append((row["prev_text"], row["text"], row["role"]))
    changes = []
    for part in ("arms", "eligibility", "sponsors"):
        plus, minus = added[part] - removed[part], removed[part] - added[part]
        if not plus and not minus and not edited[part]:
            continue
        if part == "arms":
            notes = [f"added “{_short(t)}”" for t, _ in plus.elements()]
            notes += [f"removed “{_short(t)}”" for t, _ in minus.elements()]
            notes += [f"“{_short(old)}” renamed “{_short(new)}”" for old, new, _ in edited[part]]
            changes.append(Change("arms", "Arms", note="; ".join(notes)))
        elif part == "eligibility":
            notes = [
                _criteria(sum(rows.values()), verb)
                for rows, verb in ((plus, "added"), (minus, "removed"))
                if rows
            ]
            if edited[part]:
                notes.append(_criteria(len(edited[part]), "reworded"))
            changes.append(Change("eligibility", "Eligibility", note=", ".join(notes)))
        else:
            lead_in = [t for t, role in plus.elements() if role == "lead"]
            lead_out = [t for t, role in minus.elements() if role == "lead"]
            for old, new, role in edited[part]:
                if role == "lead":
                    lead_out.append(old)
                    lead_in.append(new)
                else:
                    minus[(old, role)] += 1
                    plus[(new, role)] += 1
            if lead_in or lead_out:
                changes.append(
                    Change("sponsors", "Lead sponsor", ", ".join(lead_out), ", ".join(lead_in))
                )
            others = [f"added {t}" for t, role in plus.elements() if role != "lead"]
            others += [f"removed {t}" for t, role in minus.elements() if role != "lead"]
            if others:
                changes.append(Change("sponsors", "Collaborators", note="; ".join(others)))
    return changes


def _merge_rows(entry: Entry, changes: list[Change]) -> None:
    """Row changes join the entry; criteria counts replace the bare "criteria revised"."""
    for change in changes:
        if change.part == "eligibility":
            same = next((c for c in entry.changes if c.part == "eligibility"), None)
            if same:
                kept = [n for n in same.note.split("; ") if n != "criteria revised"]
                note = "; ".join([*kept, change.note])
                entry.changes[entry.changes.index(same)] = Change(
                    "eligibility", "Eligibility", note=note
                )
                continue
        entry.changes.append(change)


def _criteria(count: int, verb: str) -> str:
    return f"{count} criteri{'on' if count == 1 else 'a'} {verb}"


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _phases(values) -> str:
    return ", ".join(label(Phase, v) for v in values or [])


def _enrollment(number, kind) -> str:
    if number is None:
        return ""
    return f"{number} ({kind.lower()})" if kind else str(number)


def _date(value: date | None, precision: str | None) -> str:
    return shown_date(iso(value, precision or "day")) if value else ""


def _results(value) -> str:
    return {True: "posted", False: "none posted"}.get(value, "")


def _ages(low: str, high: str) -> str:
    if not low and not high:
        return "any age"
    return f"{low or 'any'} to {high or 'any'}"
