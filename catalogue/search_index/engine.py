"""The list's questions answered from the index: which trials match, how many per facet value, in what order.

A `View` joins the live segments into one numbering of the trials (a newer segment's trial
replaces the same trial in older ones). Every filter becomes a boolean array over that
numbering, so a facet's counts are the other filters' arrays AND-ed and one `bincount`; a
search is its tsquery evaluated over the segments' posting lists (phrases over positions).
An order other than relevance is a precomputed permutation of all trials, in exactly the
database's order (the sort column, NULLs last, then the registry id).

Relevance is ranked in two steps: every match gets a cheap score from the index (the term
weights ts_rank uses, per trial: the weakest term of an AND, the sum of an OR, phrase
occurrences for a phrase), the best RERANK of them are ranked by Postgres with the
list's own rank (`ts_rank_cd` over the stored vector), and the rest follow by the cheap score.
A search with at most RERANK matches is therefore in exactly the database's order.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np
from django.db import connection
from django.db.models import F
from django.db.models.expressions import OrderBy

from .build import AGE_COLUMNS, POSITION_BITS, WEIGHT_VALUES
from .tsquery import And, Lexeme, Not, Or, Phrase, Unsupported, parse

# How many of the best-scored matches Postgres ranks exactly (each costs it ~20 µs: 100
# take ~2 ms, 300 ~6.5 ms at 10k trials).
RERANK = 100
_POSITION = (1 << POSITION_BITS) - 1


def _padded(size: int) -> int:
    return -(-size // 64) * 64


def unpack(bits: np.ndarray, size: int) -> np.ndarray:
    return np.unpackbits(bits.view(np.uint8), bitorder="little", count=size).astype(bool)


class _Segment:
    def __init__(self, data: dict, offset: int):
        self.name = data["name"]
        self.offset = offset
        self.pks = np.asarray(data["pks"])
        self.registry_ids = data["registry_ids"]  # UTF-8 bytes
        self.lexicon = data["lexemes"]
        self.lex_ptr, self.docs, self.weights = data["lex_ptr"], data["docs"], data["weights"]
        self.occ_ptr, self.occ = data["occ_ptr"], data["occ"]
        self.numbers, self.values = data["numbers"], data["values"]
        self.replaces = np.array(data["replaces"], dtype=np.int64)


class View:
    """The index as one process reads it, for one manifest."""

    def __init__(self, segments: list[dict]):
        offset, parts = 0, []
        for data in segments:
            parts.append(_Segment(data, offset))
            offset += len(data["pks"])
        self.segments = parts
        self.size = offset
        self.pks = np.concatenate([s.pks for s in parts]) if parts else np.zeros(0, np.int64)
        self.registry_ids = (
            np.concatenate([s.registry_ids for s in parts]) if parts else np.zeros(0, "S1")
        )
        self.live = self._live()
        names = parts[0].numbers if parts else {}
        self.numbers = {n: np.concatenate([s.numbers[n] for s in parts]) for n in names}
        params = parts[0].values if parts else {}
        self.values = {p: _ValueColumn(p, parts, self.size) for p in params}
        self.live_bits = self.pack(self.live)
        self._orders: dict[str, np.ndarray] = {}
        self.universe_counts: dict[tuple, dict[str, int]] = {}

    def _live(self) -> np.ndarray:
        """False for a trial a newer segment replaces (changed or deleted since)."""
        live = np.ones(self.size, dtype=bool)
        if not self.segments:
            return live
        top = max(int(max(s.pks.max(initial=0), s.replaces.max(initial=0))) for s in self.segments)
        seen = np.zeros(top + 1, dtype=bool)  # by trial id: in a newer segment already
        for segment in reversed(self.segments):
            start = segment.offset
            live[start : start + len(segment.pks)] = ~seen[segment.pks]
            seen[segment.pks] = True
            seen[segment.replaces] = True
        return live

    # --- text -------------------------------------------------------------------------

    def tsquery(self, text: str) -> str:
        """What Postgres makes of the typed text: the list's own search query, as text."""
        from .. import search

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT websearch_to_tsquery(%s::regconfig, %s)::text",
                [search.CONFIG, search.expand_query(text)],
            )
            return cursor.fetchone()[0]

    def match(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The live trials whose stored vector matches the search, and each one's cheap score."""
        node = parse(self.tsquery(text))
        if node is None:  # only stop words: Postgres matches nothing
            return np.zeros(self.size, dtype=bool), np.zeros(self.size, dtype=np.float32)
        mask, score = self._eval(node)
        if score is None:
            score = np.zeros(self.size, dtype=np.float32)
        return mask & self.live, score

    def _eval(self, node) -> tuple[np.ndarray, np.ndarray | None]:
        if isinstance(node, Lexeme):
            if node.prefix:
                raise Unsupported("prefix search")
            docs, weights = self._postings(node.word)
            mask = np.zeros(self.size, dtype=bool)
            mask[docs] = True
            score = np.zeros(self.size, dtype=np.float32)
            score[docs] = weights
            return mask, score
        if isinstance(node, Phrase):
            codes, weights, _ = self._occurrences(node)
            docs = codes >> POSITION_BITS
            mask = np.zeros(self.size, dtype=bool)
            mask[docs] = True
            score = np.bincount(docs, weights=WEIGHT_VALUES[weights], minlength=self.size)
            return mask, score.astype(np.float32)
        if isinstance(node, Not):
            mask, _ = self._eval(node.operand)
            return ~mask, None
        left_mask, left = self._eval(node.left)
        right_mask, right = self._eval(node.right)
        if isinstance(node, And):
            if left is None or right is None:
                score = right if left is None else left
            else:
                score = np.minimum(left, right)
            return left_mask & right_mask, score
        if isinstance(node, Or):
            score = None if left is None or right is None else left + right
            return left_mask | right_mask, score
        raise Unsupported(type(node).__name__)

    def _postings(self, word: str) -> tuple[np.ndarray, np.ndarray]:
        docs, weights = [], []
        for s in self.segments:
            i = s.lexicon.get(word)
            if i is not None:
                a, b = s.lex_ptr[i], s.lex_ptr[i + 1]
                docs.append(s.docs[a:b].astype(np.int64) + s.offset)
                weights.append(s.weights[a:b])
        if not docs:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        return np.concatenate(docs), np.concatenate(weights)

    def _occurrences(self, node) -> tuple[np.ndarray, np.ndarray, int]:
        """(trial number << 14 | position of the match's last word, its weight, width), sorted.

        A phrase `left <N> right` matches where right starts exactly N positions after left
        ends, as Postgres's phrase operator does."""
        if isinstance(node, Lexeme) and not node.prefix:
            codes, weights = [], []
            for s in self.segments:
                i = s.lexicon.get(node.word)
                if i is not None:
                    occ = s.occ[s.occ_ptr[i] : s.occ_ptr[i + 1]].astype(np.int64)
                    doc = (occ >> 16) + s.offset
                    codes.append((doc << POSITION_BITS) | ((occ >> 2) & _POSITION))
                    weights.append((occ & 3).astype(np.uint8))
            if not codes:
                return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint8), 0
            return np.concatenate(codes), np.concatenate(weights), 0
        if not isinstance(node, Phrase):
            raise Unsupported("only words and phrases inside a phrase")
        left, _, left_width = self._occurrences(node.left)
        right, right_weights, right_width = self._occurrences(node.right)
        shift = right_width + node.distance
        target = right - shift
        if len(left) and len(right):
            at = np.minimum(np.searchsorted(left, target), len(left) - 1)
            hit = (left[at] == target) & ((right & _POSITION) > shift)
        else:
            hit = np.zeros(len(right), dtype=bool)
        return right[hit], right_weights[hit], left_width + node.distance + right_width

    # --- filters, counts, order -----------------------------------------------------

    def number(self, name: str) -> np.ndarray:
        return self.numbers[name]

    def pack(self, mask: np.ndarray) -> np.ndarray:
        padded = np.zeros(_padded(self.size), dtype=bool)
        padded[: self.size] = mask
        return pack(padded)

    def unpack(self, bits: np.ndarray) -> np.ndarray:
        return unpack(bits, self.size)

    def order(self, key: str) -> np.ndarray:
        """All trial numbers in the list's order `key` (not relevance), dead ones included."""
        if key not in self._orders:
            self._orders[key] = self._sorted(key)
        return self._orders[key]

    def _sorted(self, key: str) -> np.ndarray:
        from ..querysets import ORDERINGS, PHASE_RANK

        (order,) = ORDERINGS[key]
        if not isinstance(order, OrderBy):
            raise Unsupported(f"order {key}")
        if isinstance(order.expression, F):
            values = self.numbers[order.expression.name].copy()
        elif order.expression is PHASE_RANK:
            values = self.values["phase"].phase_rank(self.size).astype(np.float64)
        else:
            raise Unsupported(f"order {key}")
        if order.descending:
            values = -values
        if order.nulls_first:
            raise Unsupported(f"order {key}: NULLs first")
        values[np.isnan(values)] = np.inf  # NULLs last
        return np.lexsort((self.registry_rank(), values))

    def in_scope_bits(self) -> np.ndarray:
        if "in_scope" not in self._orders:
            self._orders["in_scope"] = self.pack(self.numbers["in_scope"] == 1)
        return self._orders["in_scope"]

    def registry_rank(self) -> np.ndarray:
        """Each trial's place in registry id order (the tie-break of every order; C collation)."""
        if "registry" not in self._orders:
            rank = np.empty(self.size, dtype=np.int64)
            rank[np.argsort(self.registry_ids, kind="stable")] = np.arange(self.size)
            self._orders["registry"] = rank
        return self._orders["registry"]


def pack(mask: np.ndarray) -> np.ndarray:
    """Booleans (a multiple of 64 of them a row) as bitsets of uint64 words: trial i is bit
    i % 64 of word i // 64."""
    return np.packbits(mask, bitorder="little", axis=-1).view(np.uint64)


def popcount(bits: np.ndarray) -> int:
    return int(np.bitwise_count(bits).sum())


class _ValueColumn:
    """A filter's values over the view's numbering: one bitset of trials per value, so a
    facet's counts over any set of trials are one AND and one popcount per value."""

    def __init__(self, param: str, segments: list[_Segment], size: int):
        code_of: dict[str, int] = {}
        docs, codes = [], []
        for s in segments:
            ptr, local_codes, vocabulary = s.values[param]
            remap = np.array(
                [code_of.setdefault(v, len(code_of)) for v in vocabulary], dtype=np.int32
            )
            counts = np.diff(ptr)
            docs.append(np.repeat(np.arange(len(counts), dtype=np.int64) + s.offset, counts))
            codes.append(remap[local_codes] if len(local_codes) else local_codes)
        self.vocabulary = list(code_of)
        self.code_of = code_of
        self.docs = np.concatenate(docs) if docs else np.zeros(0, np.int64)
        self.codes = np.concatenate(codes) if codes else np.zeros(0, np.int32)
        has = np.zeros((len(self.vocabulary), _padded(size)), dtype=bool)
        has[self.codes, self.docs] = True
        self.bits = pack(has)
        # A value a trial lists twice counts twice (as unnest does): the extra listings.
        pairs = self.docs * max(len(self.vocabulary), 1) + self.codes
        order = np.argsort(pairs, kind="stable")
        repeated = order[1:][pairs[order[1:]] == pairs[order[:-1]]]
        self.repeat_docs, self.repeat_codes = self.docs[repeated], self.codes[repeated]

    def having(self, chosen: list[str]) -> np.ndarray:
        """The trials with any of the chosen values, as a bitset."""
        wanted = [self.code_of[v] for v in chosen if v in self.code_of]
        if not wanted:
            return np.zeros(self.bits.shape[1], dtype=np.uint64)
        return np.bitwise_or.reduce(self.bits[wanted], axis=0)

    def counts(self, bits: np.ndarray) -> dict[str, int]:
        """Trials per value among those in the bitset (a value a trial lists twice counts twice)."""
        found = np.bitwise_count(self.bits & bits).sum(axis=1, dtype=np.int64)
        if len(self.repeat_docs):
            inside = unpack(bits, int(self.repeat_docs.max()) + 1)
            extra = self.repeat_codes[inside[self.repeat_docs]]
            found += np.bincount(extra, minlength=len(self.vocabulary))
        return {self.vocabulary[i]: int(found[i]) for i in np.flatnonzero(found)}

    def phase_rank(self, size: int) -> np.ndarray:
        from ..querysets import PHASE_RANKS

        rank = np.zeros(size, dtype=np.int64)
        for phase, value in reversed(PHASE_RANKS):  # the first listed phase wins, as in CASE
            if phase in self.code_of:
                has = self.docs[self.codes == self.code_of[phase]]
                rank[has] = value
        return rank


@dataclass
class Query:
    """What a filterset asks, in the index's terms."""

    text: str | None  # the search as run (typed or corrected); None without one
    nothing: bool  # a misspelled search with no correction: no trials at all
    values: dict  # filter name: valid value (as TrialFilter.values)
    include_out_of_scope: bool
    sort: str


class Result:
    """One list query's answer: matching trials, per-facet counts and any page of the order."""

    def __init__(self, view: View, query: Query, text_match):
        from ..filters import AnyOfFilter, TrialFilter

        # Every set of trials is a bitset over the view's numbering (View.pack).
        self.view, self.query = view, query
        self.universe = view.live_bits
        if not query.include_out_of_scope:
            self.universe = self.universe & view.in_scope_bits()
        self.masks: dict[str, np.ndarray] = {}
        self.score = None
        for name, value in query.values.items():
            declared = TrialFilter.base_filters[name]
            if name == "q":
                if query.nothing:
                    self.masks[name] = self.universe & 0
                else:
                    matched, self.score = text_match(query.text)
                    self.masks[name] = view.pack(matched)
            elif isinstance(declared, AnyOfFilter):
                self.masks[name] = view.values[name].having(list(value))
            else:
                self.masks[name] = view.pack(_number_mask(view, declared, value))
        self.filtered = self.without(())
        self.total = popcount(self.filtered)
        self._ranked: np.ndarray | None = None

    def without(self, skip) -> np.ndarray:
        """The trials that pass every filter but those in `skip`."""
        bits = self.universe
        for name, m in self.masks.items():
            if name not in skip:
                bits = bits & m
        return bits

    def counts(self, param: str, mask: np.ndarray) -> dict[str, int]:
        return self.view.values[param].counts(mask)

    def universe_counts(self, param: str) -> dict[str, int]:
        """Counts over every reachable trial: they change only with the index, so kept on it."""
        key = (param, self.query.include_out_of_scope)
        if key not in self.view.universe_counts:
            self.view.universe_counts[key] = self.counts(param, self.universe)
        return self.view.universe_counts[key]

    def ids(self, start: int, stop: int) -> list[int]:
        """The trial ids at [start, stop) of the list's order."""
        stop = min(stop, self.total)
        if start >= stop:
            return []
        if self.query.sort == "relevance" and self.query.text is not None:
            numbers = self._relevance(stop)[start:stop]
        else:
            order = self.view.order(self.query.sort)
            numbers = order[np.flatnonzero(self.view.unpack(self.filtered)[order])[start:stop]]
        return self.view.pks[numbers].tolist()

    def _relevance(self, stop: int) -> np.ndarray:
        matched = np.flatnonzero(self.view.unpack(self.filtered))
        score = self.score[matched]
        if len(matched) > RERANK:
            # The RERANK best scores; among equal scores the first registry ids, as the
            # exact order breaks its ties (many trials score alike).
            kth = -np.partition(-score, RERANK - 1)[RERANK - 1]
            sure = np.flatnonzero(score > kth)
            tied = np.flatnonzero(score == kth)
            tied = tied[np.argsort(self.view.registry_rank()[matched[tied]], kind="stable")]
            best = np.concatenate([sure, tied[: RERANK - len(sure)]])
        else:
            best = np.arange(len(matched))
        if self._ranked is None:
            self._ranked = self._exact_rank(matched[best])
        if stop <= len(self._ranked):
            return self._ranked
        rest = np.ones(len(matched), dtype=bool)
        rest[best] = False
        others = matched[rest]
        tail = others[np.lexsort((self.view.registry_rank()[others], -score[rest]))]
        return np.concatenate([self._ranked, tail])

    def _exact_rank(self, numbers: np.ndarray) -> np.ndarray:
        """These trials in the list's relevance order, ranked by Postgres."""
        from ..models import Trial
        from ..querysets import ORDERINGS

        pks = self.view.pks[numbers]
        ranked = list(
            Trial.objects.matching(self.query.text)
            .filter(pk__in=pks.tolist())
            .order_by(*ORDERINGS["relevance"], "registry_id")
            .values_list("pk", flat=True)
        )
        number_of = dict(zip(pks.tolist(), numbers.tolist(), strict=True))
        return np.array([number_of[pk] for pk in ranked], dtype=np.int64)


def _number_mask(view: View, declared, value) -> np.ndarray:
    """A number filter (bounds, years, an age) as the database applies it; NULL never passes a
    bound, while a missing age limit admits any age."""
    if declared.method == "filter_age":
        low, high = (view.number(c) for c in AGE_COLUMNS)
        years = float(value)
        return (np.isnan(low) | (low <= years)) & (np.isnan(high) | (high >= years))
    if declared.method or declared.field_name not in view.numbers:
        raise Unsupported(f"the filter on {declared.field_name}")  # Postgres answers it
    column = view.number(declared.field_name)
    lookup = declared.lookup_expr
    if lookup.startswith("year__"):
        lookup = lookup.removeprefix("year__")
        bound = (
            datetime.date(int(value), 1, 1)
            if lookup == "gte"
            else datetime.date(int(value), 12, 31)
        )
        limit = float(bound.toordinal())
    else:
        limit = float(value)
    if lookup == "gte":
        return column >= limit
    if lookup == "lte":
        return column <= limit
    raise Unsupported(f"{declared.field_name}__{declared.lookup_expr}")
