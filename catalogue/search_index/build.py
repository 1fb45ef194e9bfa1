"""A segment of the search index, read from Postgres: the trials' filter columns and their search vectors.

Everything is read from what Postgres stores, so the index answers exactly as Postgres would:
- the columns every list filter and sort reads (`columns()` finds them in the FilterSet's and
  the orderings' declarations, so a new facet filter is indexed without a change here);
- the stored `search_vector`, lexeme by lexeme with every position and weight, so phrases,
  stems and stop words match as `search_vector @@ query` does.

A position list is packed into one uint32 per occurrence: the trial's number within the
segment (16 bits, hence at most 65,536 trials a segment), its position (14 bits, as Postgres
stores it) and its weight (2 bits: D=0 … A=3).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import numpy as np
from django.db import connection
from django.db.models import DateField, F
from django.db.models.expressions import OrderBy

SEGMENT_LIMIT = 1 << 16  # trials per segment: the trial number's bits in an occurrence
POSITION_BITS = 14
# ts_rank's default weights, D to A: the per-trial term weight of the relevance pre-ranking.
WEIGHT_VALUES = np.array([0.1, 0.2, 0.4, 1.0], dtype=np.float32)
AGE_COLUMNS = ("minimum_age_years", "maximum_age_years")


@dataclass
class Columns:
    """The trial columns the index keeps, by kind."""

    values: dict[str, tuple[str, bool]]  # filter name: (column, holds a list)
    numbers: list[str]  # number, date and boolean columns (dates as days)
    dates: set[str] = field(default_factory=set)


def columns() -> Columns:
    """Every column a list filter or sort reads, from their declarations."""
    from ..filters import AnyOfFilter, TrialFilter
    from ..models import Trial
    from ..querysets import ORDERINGS

    values, numbers = {}, ["in_scope", *AGE_COLUMNS]
    for name, declared in TrialFilter.base_filters.items():
        if isinstance(declared, AnyOfFilter):
            values[name] = (declared.field_name, declared.lookup_expr == "overlap")
        elif declared.field_name and not declared.method and declared.field_name not in numbers:
            numbers.append(declared.field_name)
    for orders in ORDERINGS.values():
        for order in orders:
            if isinstance(order, OrderBy) and isinstance(order.expression, F):
                if order.expression.name not in numbers and order.expression.name != "rank":
                    numbers.append(order.expression.name)
    dates = {n for n in numbers if isinstance(Trial._meta.get_field(n), DateField)}
    return Columns(values=values, numbers=numbers, dates=dates)


@dataclass
class SegmentData:
    """One segment's arrays, before they are written (see store.write_segment)."""

    pks: np.ndarray  # int64, ascending
    registry_ids: list[str]
    numbers: dict[str, np.ndarray]  # float64, NaN for NULL
    values: dict[str, tuple[np.ndarray, np.ndarray, list[str]]]  # (ptr, codes, vocabulary)
    lexemes: list[str]
    lex_ptr: np.ndarray  # int64[L+1] into docs / weights
    docs: np.ndarray  # uint16 trial number per (lexeme, trial)
    weights: np.ndarray  # float32 weighted term frequency per (lexeme, trial)
    occ_ptr: np.ndarray  # int64[L+1] into occ
    occ: np.ndarray  # uint32 packed occurrences, ascending per lexeme
    replaces: list[int]  # trial ids this segment supersedes in older segments (deleted or changed)


def read_segment(ids: list[int] | None, spec: Columns, replaces: list[int] = ()) -> SegmentData:
    """The trials with these ids (all when None) as one segment; at most SEGMENT_LIMIT of them."""
    rows = _trial_rows(ids, spec)
    if len(rows) > SEGMENT_LIMIT:
        raise ValueError(f"a segment holds at most {SEGMENT_LIMIT} trials, not {len(rows)}")
    pks = np.array([r[0] for r in rows], dtype=np.int64)
    numbers = {}
    for i, name in enumerate(spec.numbers, start=2):
        raw = [r[i] for r in rows]
        if name in spec.dates:
            raw = [_days(v) for v in raw]
        numbers[name] = np.array([np.nan if v is None else float(v) for v in raw], dtype=np.float64)
    values = {}
    first = 2 + len(spec.numbers)
    for j, (name, (_, is_list)) in enumerate(spec.values.items()):
        cells = [r[first + j] for r in rows]
        values[name] = _value_lists(cells, is_list)
    text = _text(pks)
    return SegmentData(
        pks=pks,
        registry_ids=[r[1] for r in rows],
        numbers=numbers,
        values=values,
        replaces=sorted(set(replaces)),
        **text,
    )


def _days(value: datetime.date | None) -> int | None:
    return None if value is None else value.toordinal()


def _trial_rows(ids: list[int] | None, spec: Columns) -> list[tuple]:
    from ..models import Trial

    names = ["id", "registry_id", *spec.numbers, *(column for column, _ in spec.values.values())]
    sql = f"SELECT {', '.join(names)} FROM {Trial._meta.db_table}"
    params = []
    if ids is not None:
        sql += " WHERE id = ANY(%s)"
        params = [list(ids)]
    with connection.cursor() as cursor:
        cursor.execute(sql + " ORDER BY id", params)
        return cursor.fetchall()


def _value_lists(cells: list, is_list: bool) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """A column's values as CSR: ptr[i]..ptr[i+1] are trial i's value codes. Empty values are
    left out (the facet counts skip them); a list's repeated value stays (unnest counts it twice)."""
    vocabulary: dict[str, int] = {}
    ptr = np.zeros(len(cells) + 1, dtype=np.int64)
    codes = []
    for i, cell in enumerate(cells):
        items = (cell or []) if is_list else ([cell] if cell not in (None, "") else [])
        for item in items:
            if item in (None, ""):
                continue
            codes.append(vocabulary.setdefault(str(item), len(vocabulary)))
        ptr[i + 1] = len(codes)
    return ptr, np.array(codes, dtype=np.int32), list(vocabulary)


# Each lexeme's occurrences in the segment's trials, packed; Postgres unnests the stored
# vectors, the grouping by lexeme and the packing happen there too, the sorting in numpy.
_TEXT_SQL = """
WITH d AS (
    SELECT (row_number() OVER (ORDER BY id) - 1) AS n, search_vector
    FROM {table} WHERE id = ANY(%s)
)
SELECT u.lexeme, string_agg(int4send(((d.n << 16) | (p.pos << 2) | CASE p.w
    WHEN 'A' THEN 3 WHEN 'B' THEN 2 WHEN 'C' THEN 1 ELSE 0 END)::int), ''::bytea)
FROM d, unnest(d.search_vector) AS u, unnest(u.positions, u.weights) AS p(pos, w)
GROUP BY u.lexeme
"""


def _text(pks: np.ndarray) -> dict:
    from ..models import Trial

    with connection.cursor() as cursor:
        # Trials without a vector are numbered too: n counts every trial of the segment.
        cursor.execute(_TEXT_SQL.format(table=Trial._meta.db_table), [pks.tolist()])
        rows = sorted(cursor.fetchall())
    lexemes = [word for word, _ in rows]
    chunks = [np.frombuffer(packed, dtype=">u4") for _, packed in rows]
    lengths = np.array([len(c) for c in chunks], dtype=np.int64)
    occ_ptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths, out=occ_ptr[1:])
    if not rows:
        empty = np.zeros(0, dtype=np.uint32)
        return dict(
            lexemes=[],
            lex_ptr=np.zeros(1, dtype=np.int64),
            docs=np.zeros(0, dtype=np.uint16),
            weights=np.zeros(0, dtype=np.float32),
            occ_ptr=occ_ptr,
            occ=empty,
        )
    occ = np.concatenate(chunks).astype(np.uint32)
    lex = np.repeat(np.arange(len(rows), dtype=np.uint64), lengths)
    # Sorted within each lexeme (the lexemes are grouped already, so they keep their place).
    occ = (np.sort((lex << np.uint64(32)) | occ.astype(np.uint64)) & np.uint64(0xFFFFFFFF)).astype(
        np.uint32
    )
    # One entry per (lexeme, trial): where the trial number changes within a lexeme.
    doc = (occ >> 16).astype(np.int64)
    key = (lex.astype(np.int64) << 16) | doc
    starts = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
    weights = np.add.reduceat(WEIGHT_VALUES[occ & 3], starts).astype(np.float32)
    docs = doc[starts].astype(np.uint16)
    lex_ptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(np.bincount(lex[starts].astype(np.int64), minlength=len(rows)), out=lex_ptr[1:])
    return dict(
        lexemes=lexemes, lex_ptr=lex_ptr, docs=docs, weights=weights, occ_ptr=occ_ptr, occ=occ
    )
