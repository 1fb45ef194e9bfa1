"""Fill the current database with N synthetic trials for the web benchmarks, fast.

    python -m bench.seed --trials 100000 [--seed 0] [--reset]

Rows go straight into the tables with COPY rather than through the page parsers
(bench.synthetic makes them), so 100,000 trials with their ~4 million child rows load
in about a minute. Every trial is clearly synthetic: registry ids NCT9xxxxxxx,
"SYNTHETIC" in every title, sponsors and sites named "Synthetic ...".

Idempotent by count: a database that already holds exactly N synthetic trials is left
alone (whichever seed made them); any other number of synthetic trials is deleted and N
are loaded afresh (`--reset` reloads in any case). Real trials are never touched. The
same seed gives the same trials.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Iterable, Iterator
from queue import Full, Queue
from threading import Event, Thread

from django.db import connection, transaction

from catalogue import search
from catalogue.search import CONFIG

from .synthetic import (
    MARKER,
    REGISTRY_PREFIX,
    TABLES,
    WEIGHTS,
    WITH_IDS,
    Trials,
    sponsor_line,
    sponsor_lines,
    trial_columns,
)

BATCH = 5_000
SYNTHETIC = f"SELECT id FROM catalogue_trial WHERE registry_id LIKE '{REGISTRY_PREFIX}%%' AND brief_title LIKE '%%{MARKER}%%'"


def seed(trials: int, seed: int = 0, *, reset: bool = False, progress: bool = False) -> dict:
    """Load `trials` synthetic trials into the default database, in one transaction.

    Returns {"trials", "created", "seconds"}; "created" is 0 when they were there already.
    """
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({SYNTHETIC}) synthetic")
        (existing,) = cursor.fetchone()
        if existing == trials and not reset:
            return {"trials": trials, "created": 0, "seconds": _since(started)}
        # Replica mode, for this transaction only, skips the tables' triggers: pghistory
        # would record millions of synthetic events, and the FK checks would re-verify
        # ids this module just made consistent.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute("SET LOCAL synchronous_commit = off")
        if existing:
            _delete_synthetic(cursor)
        indexes = _drop_indexes(cursor)
        next_ids = _next_ids(cursor)
        rng = random.Random(seed)
        sponsors = _sponsors(cursor, rng, max(10, trials // 25), next_ids)
        now = time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime())
        maker = Trials(rng, next_ids, sponsors, now)
        _create_staging(cursor)
        for done, lines in _batches(maker, trials):
            _write(cursor, lines)
            if progress:
                print(f"  {done:>8,} trials  {_since(started):6.1f}s", flush=True)
        for definition in indexes:
            cursor.execute(definition)
        _move_sequences(cursor)
        search.add_words()  # the lexicon misspelled searches are corrected against
        for table in TABLES:
            cursor.execute(f"ANALYZE {table}")
    return {"trials": trials, "created": trials, "seconds": _since(started)}


def _batches(maker: Trials, trials: int) -> Iterator[tuple[int, dict]]:
    """(trials so far, COPY lines) batch by batch, made in a second thread: Python makes the
    next batch while Postgres parses, indexes and tokenizes this one."""
    made: Queue = Queue(maxsize=2)
    stop = Event()

    def make() -> None:
        try:
            for start in range(0, trials, BATCH):
                end = min(trials, start + BATCH)
                for number in range(start, end):
                    maker.add(number)
                _hand_over(made, (end, maker.take()), stop)
            _hand_over(made, None, stop)
        except BaseException as error:  # re-raised in the writing thread
            _hand_over(made, error, stop)

    thread = Thread(target=make, daemon=True)
    thread.start()
    try:
        while (item := made.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


def _hand_over(made: Queue, item, stop: Event) -> None:
    while not stop.is_set():
        try:
            made.put(item, timeout=0.5)
            return
        except Full:
            continue


def vacuum() -> None:
    """VACUUM ANALYZE the seeded tables, as autovacuum would in time: index-only scans
    and settled plans depend on it. Runs outside a transaction, so not in tests."""
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"VACUUM (ANALYZE) {table}")


def _since(started: float) -> float:
    return round(time.monotonic() - started, 2)


def _delete_synthetic(cursor) -> None:
    cursor.execute(
        "DELETE FROM catalogue_arm_interventions WHERE arm_id IN "
        f"(SELECT id FROM catalogue_arm WHERE trial_id IN ({SYNTHETIC}))"
    )
    for table, columns in reversed(TABLES.items()):
        if "trial_id" in columns:
            cursor.execute(f"DELETE FROM {table} WHERE trial_id IN ({SYNTHETIC})")
    cursor.execute(f"DELETE FROM catalogue_trial WHERE id IN ({SYNTHETIC})")


def _drop_indexes(cursor) -> list[str]:
    """Drop the tables' secondary indexes and return their definitions: building an index
    once after the load is several times cheaper than growing it row by row (GIN above all)."""
    cursor.execute(
        """
        SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index
        WHERE indrelid = ANY(%s::regclass[])
          AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = indexrelid)
        """,
        [list(TABLES)],
    )
    found = cursor.fetchall()
    for name, _ in found:
        cursor.execute(f"DROP INDEX {name}")
    return [definition for _, definition in found]


def _next_ids(cursor) -> dict[str, int]:
    """The first free id of each table that gets explicit ids; writers wait until we commit."""
    ids = {}
    for table in WITH_IDS:
        cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(
            f"SELECT GREATEST((SELECT max(id) FROM {table}), "
            f"(SELECT last_value FROM {_sequence(cursor, table)})) + 1"
        )
        ids[table] = cursor.fetchone()[0]
    return ids


def _move_sequences(cursor) -> None:
    """Past the ids we wrote, so the next ordinary insert does not collide."""
    for table in WITH_IDS:
        cursor.execute(
            f"SELECT setval(%s, (SELECT max(id) FROM {table}))", [_sequence(cursor, table)]
        )


def _sequence(cursor, table: str) -> str:
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    return cursor.fetchone()[0]


def _sponsors(cursor, rng: random.Random, count: int, next_ids: dict[str, int]) -> list[tuple]:
    """(id, name, agency class) of the shared synthetic sponsors, reusing rows already there."""
    wanted = sponsor_lines(rng, count)
    cursor.execute("SELECT name, id FROM catalogue_sponsor WHERE name LIKE 'Synthetic %%'")
    known = dict(cursor.fetchall())
    lines = []
    for name, agency in wanted:
        if name not in known:
            known[name] = next_ids["catalogue_sponsor"]
            next_ids["catalogue_sponsor"] += 1
            lines.append(sponsor_line(known[name], name, agency))
    _copy(cursor, "catalogue_sponsor", TABLES["catalogue_sponsor"], lines)
    return [(known[name], name, agency) for name, agency in wanted]


def _create_staging(cursor) -> None:
    """Trials go through a temporary table: COPY cannot compute the search vector column."""
    cursor.execute(
        "CREATE TEMPORARY TABLE seed_trial ON COMMIT DROP AS "
        "SELECT * FROM catalogue_trial WITH NO DATA"
    )
    cursor.execute("ALTER TABLE seed_trial " + ", ".join(f"ADD part_{w} text" for w in WEIGHTS))


def _write(cursor, lines: dict[str, list[str]]) -> None:
    columns = trial_columns()
    parts = [f"part_{w}" for w in WEIGHTS]
    _copy(cursor, "seed_trial", [*columns, *parts], lines.pop("catalogue_trial"))
    # The same vector search.refresh() stores: each weight's expanded text, weighted, joined.
    vector = " || ".join(
        f"setweight(to_tsvector('{CONFIG}'::regconfig, COALESCE({part}, '')), '{w}')"
        for part, w in zip(parts, WEIGHTS, strict=True)
    )
    names = ", ".join(columns)
    cursor.execute(
        f"INSERT INTO catalogue_trial ({names}, search_vector) SELECT {names}, {vector} FROM seed_trial"
    )
    cursor.execute("TRUNCATE seed_trial")
    for table, rows in lines.items():
        _copy(cursor, table, TABLES[table], rows)


def _copy(cursor, table: str, columns: Iterable[str], lines: list[str]) -> None:
    if not lines:
        return
    with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for start in range(0, len(lines), 10_000):
            copy.write("".join(lines[start : start + 10_000]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--reset", action="store_true", help="reload even if N are there")
    args = parser.parse_args(argv)
    result = seed(args.trials, args.seed, reset=args.reset, progress=True)
    if result["created"]:
        vacuum()
        print(f"seeded {result['created']:,} synthetic trials in {result['seconds']}s (+ vacuum)")
    else:
        print(f"{args.trials:,} synthetic trials already there; nothing to do")
    # The list's search index builds itself on the first list request (bench.run times a
    # `manage.py search_index` instead).


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    main()
