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
            if (
                isinstance(order, OrderBy)
                and isinstance(order.expression, F)
                and order.expression.name not in numbers
                and order.expression.name != "rank"
            ):
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


# Trials read per query while reading the search vectors.
TEXT_BATCH = 5_000
_WEIGHT_OF_LETTER = np.zeros(256, dtype=np.uint32)  # no letter: D (0)
_WEIGHT_OF_LETTER[ord("A")], _WEIGHT_OF_LETTER[ord("B")], _WEIGHT_OF_LETTER[ord("C")] = 3, 2, 1


def _text(pks: np.ndarray) -> dict:
    """The segment's posting lists, from each trial's stored vector in its text form.

    The text form (`'cord':3B,17 'umbil':2B,16`) is the fastest way out of Postgres (unnesting
    positions in SQL is ~10x slower); lexemes never hold a space, so an entry starts after each
    " '", and its positions are parsed for all trials at once with numpy.
    """
    from ..models import Trial

    lexicon: dict[str, int] = {}  # as quoted in the text form: number
    entry_lex, entry_doc, position_texts = [], [], []
    sql = f"SELECT id, search_vector::text FROM {Trial._meta.db_table} WHERE id = ANY(%s)"
    number_of = {pk: n for n, pk in enumerate(pks.tolist())}
    with connection.cursor() as cursor:
        for start in range(0, len(pks), TEXT_BATCH):
            cursor.execute(sql, [pks[start : start + TEXT_BATCH].tolist()])
            words, docs = [], []
            for pk, vector in cursor.fetchall():
                if not vector:
                    continue
                # "'lex':1A,5 'lex2':2" -> lex, 1A,5, lex2, 2 (entries and halves split alike)
                parts = vector[1:].replace("':", " '").split(" '")
                if len(parts) % 2:  # a lexeme holding "':" itself: read entry by entry
                    parts = [half for e in vector[1:].split(" '") for half in e.rsplit("':", 1)]
                words += parts[0::2]
                docs.append((number_of[pk], len(parts) // 2))
                position_texts.append(";".join(parts[1::2]))
            for word in set(words).difference(lexicon):
                lexicon[word] = len(lexicon)
            entry_lex.append(np.fromiter(map(lexicon.__getitem__, words), np.int64, len(words)))
            entry_doc += docs
    if not lexicon:
        return dict(
            lexemes=[],
            lex_ptr=np.zeros(1, dtype=np.int64),
            docs=np.zeros(0, dtype=np.uint16),
            weights=np.zeros(0, dtype=np.float32),
            occ_ptr=np.zeros(1, dtype=np.int64),
            occ=np.zeros(0, dtype=np.uint32),
        )
    entry_lex = np.concatenate(entry_lex)
    doc_numbers, doc_entries = (
        np.array(column, dtype=np.uint64) for column in zip(*entry_doc, strict=True)
    )
    entry_doc = np.repeat(doc_numbers, doc_entries.astype(np.int64))
    positions, weight, per_entry = _positions(";".join(position_texts))
    # Lexemes renumbered in sorted order (the files list them sorted).
    quoted = sorted(lexicon, key=_unquote)
    lexemes = [_unquote(w) for w in quoted]
    renumber = np.empty(len(lexicon), dtype=np.uint64)
    renumber[[lexicon[w] for w in quoted]] = np.arange(len(lexemes), dtype=np.uint64)
    lex = np.repeat(renumber[entry_lex], per_entry)
    doc = np.repeat(entry_doc, per_entry)
    packed = (doc << np.uint64(16)) | (positions << np.uint64(2)) | weight
    key = np.sort((lex << np.uint64(32)) | packed)
    occ = (key & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    lex = (key >> np.uint64(32)).astype(np.int64)
    occ_ptr = np.zeros(len(lexemes) + 1, dtype=np.int64)
    np.cumsum(np.bincount(lex, minlength=len(lexemes)), out=occ_ptr[1:])
    # One entry per (lexeme, trial): where the trial number changes within a lexeme.
    doc_key = (lex << 16) | (occ >> 16).astype(np.int64)
    starts = np.flatnonzero(np.concatenate(([True], doc_key[1:] != doc_key[:-1])))
    weights = np.add.reduceat(WEIGHT_VALUES[occ & 3], starts).astype(np.float32)
    docs = (occ[starts] >> 16).astype(np.uint16)
    lex_ptr = np.zeros(len(lexemes) + 1, dtype=np.int64)
    np.cumsum(np.bincount(lex[starts], minlength=len(lexemes)), out=lex_ptr[1:])
    return dict(
        lexemes=lexemes, lex_ptr=lex_ptr, docs=docs, weights=weights, occ_ptr=occ_ptr, occ=occ
    )


def _unquote(quoted: str) -> str:
    """A lexeme as tsvector's text output quotes it ('' for ', \\ for \\)."""
    if "'" in quoted or "\\" in quoted:
        return quoted.replace("''", "'").replace("\\\\", "\\")
    return quoted


def _positions(text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions and weights of "1A,5,7C;2B;3" (entries split by ';'), and each entry's count."""
    raw = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    ends = np.flatnonzero((raw == ord(",")) | (raw == ord(";")))
    ends = np.append(ends, len(raw))  # one past each position's last character
    starts = np.concatenate(([0], ends[:-1] + 1))
    digit = (raw >= ord("0")) & (raw <= ord("9"))
    # A position's value: its digits times powers of ten counted back from its last digit.
    token = np.repeat(np.arange(len(ends)), ends - starts + 1)[: len(raw)]
    has_letter = ~digit[ends - 1]
    last_digit = ends - 1 - has_letter
    power = last_digit[token] - np.arange(len(raw))
    values = np.where(digit, (raw.astype(np.int64) - ord("0")) * 10 ** np.clip(power, 0, 5), 0)
    positions = np.add.reduceat(values, starts).astype(np.uint64)
    weight = np.where(has_letter, _WEIGHT_OF_LETTER[raw[ends - 1]], 0).astype(np.uint64)
    separators = np.flatnonzero(raw == ord(";"))
    entry_ends = np.searchsorted(ends, np.append(separators, len(raw)))
    per_entry = np.diff(np.concatenate(([-1], entry_ends)))
    return positions, weight, per_entry
