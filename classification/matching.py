"""Finding the terms of `terms.py` in text, and the context that changes what a match means.

Context is read from the words just before a match, inside its clause: a negation
("no history of", "not autologous") denies it, a history word ("previous", "had received")
puts it in the patient's past. A background sentence talks about the field, not this trial.

Most passages name none of the terms of most lists, so a list is scanned only in texts that
hold the literals its matches need (literals.py), and only for the terms those allow. The
matches are the same as scanning every text for every term.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache
from typing import Generic, TypeVar

from . import literals, terms

Key = TypeVar("Key")

# What a space in a term may match: spaces, hyphens (ASCII and Unicode) or nothing.
_SEPARATOR = r"[\s\-\u2010\u2011\u2013]*"
_EDGE = "A-Za-z0-9"


def _flexible_spaces(term: str) -> str:
    """Replace spaces outside character classes with _SEPARATOR."""
    out, in_class = [], False
    for index, char in enumerate(term):
        if char == "[" and (index == 0 or term[index - 1] != "\\"):
            in_class = True
        elif char == "]" and in_class and term[index - 1] != "\\":
            in_class = False
        out.append(_SEPARATOR if char == " " and not in_class else char)
    return "".join(out)


def pattern(alternatives: Iterable[str] | str) -> re.Pattern:
    """One compiled pattern for a term or a list of terms: whole words, any case."""
    return _compiled(_key(alternatives)).regex


def find(alternatives: Iterable[str] | str, text: str) -> list[re.Match]:
    return _compiled(_key(alternatives)).find(text)


def has(alternatives: Iterable[str] | str, text: str) -> bool:
    regex = _compiled(_key(alternatives)).regex_for(text)
    return regex is not None and regex.search(text) is not None


def may_match(alternatives: Iterable[str] | str, text: str) -> bool:
    """False when the text names none of the terms, at the cost of a set operation."""
    return bool(_compiled(_key(alternatives)).terms_met(text))


class Family(Generic[Key]):
    """Term lists a rule looks for in turn (the routes, the cell sources), each under a key.

    Most passages name none of a family's lists, or one: `named_in` gives only the lists a
    text may name, in their order, at the cost of one look for the whole family.
    """

    def __init__(self, lists: Iterable[tuple[Key, Sequence[str]]]):
        self.lists = list(lists)
        self._all = _compiled(tuple(term for _, terms_ in self.lists for term in terms_))
        self._list_of_term = [  # CompiledTerms numbers the alternatives of all the terms
            number for number, (_, terms_) in enumerate(self.lists) for _ in _split(terms_)
        ]

    def named_in(self, text: str) -> list[tuple[Key, Sequence[str]]]:
        met = self._all.terms_met(text)
        if not met:
            return []
        named = {self._list_of_term[term] for term in met}
        return [self.lists[number] for number in sorted(named)]


# --- a term list, compiled --------------------------------------------------------


class CompiledTerms:
    """A term list as one pattern, and the literals a text must hold for each term to match."""

    def __init__(self, alternatives: tuple[str, ...]):
        # "glucose|insulin|..." counts as the list it is: a text is then scanned only for
        # the few alternatives it may hold.
        self.terms = _split(alternatives)
        self.regex = _pattern_of(self.terms)
        self.needs = _needs(self.terms)  # None: some term needs no literal; always scan
        # All its literals are in _INDEX, so one look per text finds them.
        self.indexed = self.needs is not None and self.needs.literals <= _INDEX.literals
        self.everything = range(len(self.terms))
        # Texts differ, but the few of this list's literals they hold (mostly none) do not:
        # what those allow is worked out once. Plain dicts, emptied when full: read far more
        # often than lru_cache's bookkeeping is worth.
        self._met: dict[frozenset[str], tuple[int, ...]] = {}
        self._subsets: dict[tuple[int, ...], re.Pattern] = {}

    def terms_met(self, text: str) -> Sequence[int]:
        """The numbers of the terms that may match in the text (all, when it cannot tell)."""
        if not self.indexed:
            if self.needs is None or self.needs.may_be_met(text):
                return self.everything
            return ()
        found = _found_in(text)
        if self.needs.literals.isdisjoint(found):
            return ()
        held = self.needs.literals.intersection(found)
        met = self._met.get(held)
        if met is None:
            if len(self._met) >= _CACHED:
                self._met.clear()
            met = self._met[held] = self.needs.met(held)
        return met

    def regex_for(self, text: str) -> re.Pattern | None:
        """The pattern to scan the text with; None when no term can match in it.

        Terms whose literals the text lacks match nowhere in it, so leaving them out of the
        alternation changes no match, and the scan tries fewer terms at each place.
        Named groups are read by name ("sub" in ICD10): such a pattern is kept whole.
        """
        met = self.terms_met(text)
        if not met:
            return None
        if len(met) == len(self.terms) or self.regex.groupindex:
            return self.regex
        subset = self._subsets.get(met)
        if subset is None:
            if len(self._subsets) >= _CACHED:
                self._subsets.clear()
            subset = self._subsets[met] = _pattern_of(tuple(self.terms[number] for number in met))
        return subset

    def find(self, text: str) -> list[re.Match]:
        regex = self.regex_for(text)
        return [] if regex is None else list(regex.finditer(text))


_CACHED = 1024  # entries in each of a CompiledTerms' caches, at most


@cache
def _compiled(alternatives: tuple[str, ...]) -> CompiledTerms:
    return CompiledTerms(alternatives)


@lru_cache(maxsize=4096)
def _pattern_of(alternatives: tuple[str, ...]) -> re.Pattern:
    body = "|".join(f"(?:{_flexible_spaces(term)})" for term in alternatives)
    return re.compile(rf"(?<![{_EDGE}])(?:{body})(?![{_EDGE}])", re.IGNORECASE)


def _needs(alternatives: tuple[str, ...]) -> literals.Needs | None:
    return literals.needs(_flexible_spaces(term) for term in alternatives)


def _key(alternatives: Iterable[str] | str) -> tuple[str, ...]:
    return (alternatives,) if isinstance(alternatives, str) else tuple(alternatives)


def _split(alternatives: Iterable[str]) -> tuple[str, ...]:
    """The alternatives of every term, in order."""
    return tuple(part for term in alternatives for part in _alternatives(term))


def _alternatives(term: str) -> list[str]:
    """ "a|b(c|d)" -> ["a", "b(c|d)"]: a term's alternatives outside any group or class."""
    parts, start, depth, in_class, index = [], 0, 0, False, 0
    while index < len(term):
        char = term[index]
        if char == "\\":
            index += 1  # the escaped character is literal
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            index += term.startswith("^", index + 1)
            index += term.startswith("]", index + 1)  # "[]...]": a literal "]"
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(term[start:index])
            start = index + 1
        index += 1
    parts.append(term[start:])
    return parts


def _term_lists() -> list[list[str] | tuple[str, ...]]:
    """Every list of patterns in terms.py (a single pattern counts as a list of one)."""
    lists: list = [[product.pattern] for product in terms.PRODUCTS]
    lists += [look_alike.patterns for look_alike in terms.LOOK_ALIKES]
    lists += [[terms.ICD10], *([p] for p in terms.ELIGIBILITY_ANCHORS.values())]
    for value in vars(terms).values():
        members = value.values() if isinstance(value, dict) else [value]
        lists += [m for m in members if isinstance(m, list) and all(isinstance(v, str) for v in m)]
    return lists


# The literals of every term list, looked for in one pass per text: a list is then passed
# over at the cost of a set operation. Every rule reads every passage, so a passage's
# literals are kept for the next one (a trial has a few dozen passages).
_INDEX = literals.Index(
    literal
    for alternatives in _term_lists()
    if (needs := _needs(_split(_key(alternatives))))
    for literal in needs.literals
)
_found_in = lru_cache(maxsize=256)(_INDEX.found_in)


# A clause ends at these; commas do not end it, so "no retinopathy, nephropathy" negates both.
_CLAUSE_END = re.compile(r"[.;:!?()\[\]]\s|[;:()\[\]]|\b(?:but|however|whereas|while)\b", re.I)
# Words between a negation and its term that end the negation's reach ("non-obese patients with T2D").
_SCOPE_BREAK = re.compile(
    r"\b(?:with|who|whom|which|that|having|has|have|is|are|was|were|in|for|will)\b", re.I
)
_WORD = re.compile(r"[\w'+%.\-/]+")


def clause_before(text: str, start: int) -> str:
    """The text of the clause before `start`."""
    head = text[:start]
    ends = list(_CLAUSE_END.finditer(head))
    return head[ends[-1].end() :] if ends else head


def words_before(text: str, start: int, count: int) -> str:
    """Up to `count` words before `start`, inside its clause."""
    words = _WORD.findall(clause_before(text, start))
    return " ".join(words[-count:])


def _cue_in_reach(cues: CompiledTerms, text: str, start: int, count: int) -> bool:
    if not cues.terms_met(text):
        return False  # the words before a match are the text's own: no cue there either
    before = words_before(text, start, count)
    cues_found = cues.find(before)
    return bool(cues_found) and not _SCOPE_BREAK.search(before[cues_found[-1].end() :])


# Asked about every match, so compiled once.
_NEGATIONS = _compiled(tuple(terms.NEGATIONS))
_HISTORY = _compiled(tuple(terms.HISTORY))


def negated(text: str, start: int) -> bool:
    return _cue_in_reach(_NEGATIONS, text, start, terms.NEGATION_WORDS)


def in_history(text: str, start: int) -> bool:
    return _cue_in_reach(_HISTORY, text, start, terms.HISTORY_WORDS)


def studied(text: str, start: int) -> bool:
    """Cells the trial measures rather than gives: the words before them in the sentence say so.

    Read across clause ends, since a title puts its brackets anywhere ("Impact of Semaglutide
    (a GLP1 agonist) on ... Fat Derived MSC").
    """
    return bool(_STUDIED.terms_met(text)) and bool(_STUDIED.find(text[:start]))


_STUDIED = _compiled(tuple(terms.STUDIED))


def is_background(sentence: str) -> bool:
    """A remark about the field ("AD-MSCs have many advantages"), not about this trial."""
    return has(terms.BACKGROUND_CUES, sentence) and not has(terms.STUDY_CUES, sentence)


_BREAK = re.compile(r"[.;:!?]\s|[;:]")  # a sentence or clause boundary, for word_gap


def word_gap(text: str, start: int, end: int) -> int | None:
    """Words between two offsets; None when a clause boundary lies between them."""
    if end < start:
        start, end = end, start
    between = text[start:end]
    if _BREAK.search(between):
        return None
    return len(_WORD.findall(between))


def snippet(text: str, start: int, end: int, width: int = 90) -> str:
    """The sentence around a match, cut at word boundaries to about `width` characters a side."""
    if len(text) <= 2 * width + 20:
        return " ".join(text.split())
    left = max(0, start - width)
    right = min(len(text), end + width)
    if left > 0:
        space = text.find(" ", left)
        left = space + 1 if 0 <= space < start else left
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space > end else right
    cut = " ".join(text[left:right].split())
    return f"{'… ' if left > 0 else ''}{cut}{' …' if right < len(text) else ''}"


_MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>^~|=\"'])")


def clean(text: str) -> str:
    """Text as the patterns expect it: markdown escapes undone, quotes and spaces made plain."""
    # Most text is clean already (passages are cleaned once, then read by many rules).
    if "\\" in text:
        text = _MARKDOWN_ESCAPE.sub(r"\1", text)
    if text.isascii():
        return text
    # "Wharton\u00b4s": the acute accent stands for an apostrophe in registry text.
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u00b4", "'")
    text = text.replace("\u00a0", " ")
    return text.replace("\u201c", '"').replace("\u201d", '"')
