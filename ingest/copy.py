"""COPY rows into the catalogue's tables: the bulk loader's writes, ~20× cheaper than INSERTs.

Rows are dicts of column values by attname; a column a row leaves out gets the model
field's default. Ids are taken from the table's sequence first (`allocate_ids`), so
rows can point at each other (criteria at their parents, arms at interventions) before
anything is written.

History: django-pghistory's row triggers write each row's "insert" event through a
per-row subtransaction that upserts the context (~170 µs a row, 40× the COPY itself),
so inside `bulk_history` those triggers are off and `record_inserts` writes the same
events, with the same context, in one INSERT ... SELECT per table.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from functools import cache

import pgtrigger
from django.db import connection, models
from psycopg.types.json import Jsonb

from catalogue import search
from catalogue.models import Trial
from catalogue.search import CONFIG

WEIGHTS = "ABCD"


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` fresh primary keys from the table's own sequence (no other writer can get them)."""
    if not count:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, count],
        )
        return [row[0] for row in cursor.fetchall()]


@cache
def _columns(model: type[models.Model]) -> tuple[tuple[str, str, object, bool], ...]:
    """(column, attname, default, is_json) for every concrete field, computed once."""
    return tuple(
        (
            f.column,
            f.attname,
            f.get_default(),
            isinstance(f, models.JSONField),
        )
        for f in model._meta.concrete_fields
        if not isinstance(f, models.GeneratedField)
    )


def _values(columns, row: dict) -> tuple:
    return tuple(
        Jsonb(row.get(name, default)) if is_json else row.get(name, default)
        for _, name, default, is_json in columns
    )


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


def copy_trials(trials: list[tuple[dict, dict[str, str]]]) -> None:
    """Insert trials with their search vectors computed by Postgres, as search.refresh does.

    Each trial comes with the (expanded) text of each search weight, "A" to "D". COPY
    cannot compute a column, so rows go to a temporary table first and one
    INSERT ... SELECT builds each weighted tsvector."""
    if not trials:
        return
    columns = [c for c in _columns(Trial) if c[1] != "search_vector"]
    names = [f'"{c[0]}"' for c in columns]
    parts = [f"part_{w.lower()}" for w in WEIGHTS]
    vector = " || ".join(
        f"setweight(to_tsvector('{CONFIG}'::regconfig, COALESCE({p}, '')), '{w}')"
        for p, w in zip(parts, WEIGHTS, strict=True)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bulk_trial ON COMMIT DROP AS "
            f"SELECT {', '.join(names)} FROM {Trial._meta.db_table} WITH NO DATA"
        )
        cursor.execute(f"ALTER TABLE bulk_trial {', '.join(f'ADD COLUMN {p} text' for p in parts)}")
        with cursor.cursor.copy(f"COPY bulk_trial ({', '.join(names + parts)}) FROM STDIN") as copy:
            for values, weighted in trials:
                copy.write_row(_values(columns, values) + tuple(weighted[w] for w in WEIGHTS))
        cursor.execute(
            f"INSERT INTO {Trial._meta.db_table} ({', '.join(names)}, search_vector) "
            f"SELECT {', '.join(names)}, {vector} FROM bulk_trial"
        )
        search.add_words(source="bulk_trial")
        cursor.execute("DROP TABLE bulk_trial")


@contextmanager
def bulk_history(tracked: list[type[models.Model]], context):
    """Switch off the insert-event triggers of `tracked`; the caller records the events.

    `context` is the entered `pghistory.context`, whose row the triggers would have made."""
    with pgtrigger.ignore(*(f"{model._meta.label}:insert_insert" for model in tracked)):
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO pghistory_context (id, metadata, created_at, updated_at) "
                "VALUES (%s, %s, NOW(), NOW()) ON CONFLICT (id) DO NOTHING",
                [context.id, json.dumps(context.metadata, default=str)],
            )
        yield


def record_inserts(model: type[models.Model], ids: list[int], context) -> None:
    """The "insert" history events of rows `ids`, as the model's trigger would write them."""
    if not ids:
        return
    events = model.pgh_event_model
    copied = [
        f'"{f.column}"' for f in events._meta.concrete_fields if not f.column.startswith("pgh_")
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{events._meta.db_table}" ({", ".join(copied)}, pgh_context_id, '
            "pgh_created_at, pgh_label, pgh_obj_id) "
            f"SELECT {', '.join(copied)}, %s, NOW(), 'insert', id "
            f'FROM "{model._meta.db_table}" WHERE id = ANY(%s)',
            [context.id, ids],
        )
