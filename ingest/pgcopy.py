"""The set-based writer: a batch of trials, new and changed, in a handful of statements.

Rows go in with COPY (~20x cheaper than INSERTs), trials through a temporary table from
which one INSERT adds the new ones and one UPDATE rewrites the changed ones, each with
its search vector computed by Postgres; stored rows that go are deleted by id, one
statement per table. The change history is written by the tables' statement-level
triggers, once per statement, exactly as for the ORM writer (`ingest.orm`), which
tests/test_ingest_bulk.py compares it with.
"""

from __future__ import annotations

from functools import cache

from django.db import connection, models
from django.utils import timezone
from psycopg.types.json import Jsonb

from catalogue import search, search_index
from catalogue.children import BY_NAME
from catalogue.curation import save_lock_sources
from catalogue.models import EligibilityCriterion, SourceDocument, Trial

from .writes import LINKS, Group, JsonText, delete_rows, unlink

WEIGHTS = "ABCD"


@cache
def _columns(model: type[models.Model]) -> tuple[tuple[str, str, object, bool], ...]:
    """(column, attname, default, is_json) for every concrete field, computed once."""
    return tuple(
        (f.column, f.attname, f.get_default(), isinstance(f, models.JSONField))
        for f in model._meta.concrete_fields
        if not isinstance(f, models.GeneratedField)
    )


def _values(columns, row: dict) -> tuple:
    return tuple(_value(row.get(name, default), is_json) for _, name, default, is_json in columns)


def _value(value, is_json: bool):
    # JSON a worker encoded already goes in as the text COPY reads it from.
    return Jsonb(value) if is_json and not isinstance(value, JsonText) else value


def copy_rows(model: type[models.Model], rows: list[dict], *, table: str = "") -> None:
    """COPY `rows` into the model's table; the id column only when the rows carry ids."""
    if not rows:
        return
    columns = [c for c in _columns(model) if c[1] != "id" or "id" in rows[0]]
    names = ", ".join(f'"{c[0]}"' for c in columns)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no copy()
        with raw.copy(f'COPY "{table or model._meta.db_table}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(_values(columns, row))


def write(groups: list[Group]) -> None:
    """Write the batch (ids already given by `writes.number`) inside the caller's transaction."""
    now = timezone.now()
    delete_rows(SourceDocument, [pk for g in groups for pk in g.replaced])
    copy_rows(SourceDocument, [row for g in groups for row in g.source_rows()])
    _write_trials(groups, now)
    gone = {name: [pk for g in groups for pk in g.write.tables[name].delete] for name in BY_NAME}
    unlink(
        gone["arm"], gone["intervention"], [pair for g in groups for pair in g.write.links_remove]
    )
    for name, table in BY_NAME.items():
        delete_rows(table.model, gone[name])
    for name, table in BY_NAME.items():
        rows = [{**r.values} for g in groups for r in g.write.tables[name].insert]
        copy_rows(table.model, rows)
    _set_parents([u for g in groups for u in g.write.parent_updates])
    copy_rows(
        LINKS, [{"arm_id": a, "intervention_id": i} for g in groups for a, i in g.write.links_add]
    )
    save_lock_sources([lock for g in groups for lock in g.write.lock_updates])
    search.add_words(ids=[g.trial_id for g in groups])
    search_index.refresh([g.trial_id for g in groups])  # the list page's index of them


def _set_parents(updates: list[tuple[int, int | None]]) -> None:
    if updates:
        with connection.cursor() as cursor:
            cursor.execute(
                f'UPDATE "{EligibilityCriterion._meta.db_table}" AS c SET parent_id = u.parent '
                "FROM unnest(%s::bigint[], %s::bigint[]) AS u(id, parent) WHERE c.id = u.id",
                [[pk for pk, _ in updates], [parent for _, parent in updates]],
            )


def _write_trials(groups: list[Group], now) -> None:
    """Every trial of the batch through a temporary table: INSERT the new, UPDATE the changed.

    COPY cannot compute a column, so each trial's search text goes in by weight and one
    statement per kind builds the weighted tsvector (search.vector_sql)."""
    columns = [c for c in _columns(Trial) if c[1] != "search_vector"]
    names = [f'"{c[0]}"' for c in columns]
    parts = [f"part_{w.lower()}" for w in WEIGHTS]
    table = Trial._meta.db_table
    vector = search.vector_sql(parts)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bulk_trial ON COMMIT DROP AS "
            f"SELECT {', '.join(names)} FROM {table} WITH NO DATA"
        )
        cursor.execute(
            f"ALTER TABLE bulk_trial {', '.join(f'ADD COLUMN {p} text' for p in parts)}, "
            "ADD COLUMN is_new boolean"
        )
        with cursor.cursor.copy(
            f"COPY bulk_trial ({', '.join(names + parts)}, is_new) FROM STDIN"
        ) as copy:
            for group in groups:
                values = {**group.write.values, "id": group.trial_id, "last_ingested": now}
                if group.created:
                    values["first_ingested"] = now
                weights = tuple(group.write.search[w] for w in WEIGHTS)
                copy.write_row(_values(columns, values) + weights + (group.created,))
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(names)}, search_vector) "
            f"SELECT {', '.join(names)}, {vector} FROM bulk_trial WHERE is_new ORDER BY id"
        )
        kept = {"id", "first_ingested", "review_cleared", "reviewed_at", "reviewed_by_id"}
        changed = [n for c, n in zip(columns, names, strict=True) if c[0] not in kept]
        cursor.execute(
            f"UPDATE {table} AS t SET {', '.join(f'{n} = b.{n}' for n in changed)}, "
            f"search_vector = {search.vector_sql([f'b.{p}' for p in parts])} "
            "FROM bulk_trial AS b WHERE t.id = b.id AND NOT b.is_new"
        )
        cursor.execute("DROP TABLE bulk_trial")
