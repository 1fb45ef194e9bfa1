"""Finding the terms of `terms.py` in text, and the context that changes what a match means.

Context is read from the words just before a match, inside its clause: a negation
("no history of", "not autologous") denies it, a history word ("previous", "had received")
puts it in the patient's past. A background sentence talks about the field, not this trial.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from . import terms

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


@cache
def _compiled(alternatives: tuple[str, ...]) -> re.Pattern:
    body = "|".join(f"(?:{_flexible_spaces(term)})" for term in alternatives)
    return re.compile(rf"(?<![{_EDGE}])(?:{body})(?![{_EDGE}])", re.IGNORECASE)


def pattern(alternatives: Iterable[str] | str) -> re.Pattern:
    """One compiled pattern for a term or a list of terms: whole words, any case."""
    if isinstance(alternatives, str):
        alternatives = [alternatives]
    return _compiled(tuple(alternatives))


def find(alternatives: Iterable[str] | str, text: str) -> list[re.Match]:
    return list(pattern(alternatives).finditer(text))


def has(alternatives: Iterable[str] | str, text: str) -> bool:
    return pattern(alternatives).search(text) is not None


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


def _cue_in_reach(cues: list[str], text: str, start: int, count: int) -> bool:
    before = words_before(text, start, count)
    cues_found = list(pattern(cues).finditer(before))
    return bool(cues_found) and not _SCOPE_BREAK.search(before[cues_found[-1].end() :])


def negated(text: str, start: int) -> bool:
    return _cue_in_reach(terms.NEGATIONS, text, start, terms.NEGATION_WORDS)


def in_history(text: str, start: int) -> bool:
    return _cue_in_reach(terms.HISTORY, text, start, terms.HISTORY_WORDS)


def is_background(sentence: str) -> bool:
    """A remark about the field ("AD-MSCs have many advantages"), not about this trial."""
    return has(terms.BACKGROUND_CUES, sentence) and not has(terms.STUDY_CUES, sentence)


def word_gap(text: str, start: int, end: int) -> int | None:
    """Words between two offsets; None when a clause boundary lies between them."""
    if end < start:
        start, end = end, start
    between = text[start:end]
    if re.search(r"[.;:!?]\s|[;:]", between):
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
    text = _MARKDOWN_ESCAPE.sub(r"\1", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u00a0", " ")
    return text.replace("\u201c", '"').replace("\u201d", '"')
