"""The fixed words any match of a pattern must contain, and one quick look for them in a text.

Most passages name none of the terms of most lists, and looking for a few fixed words is far
cheaper than a case-insensitive scan of a long alternation with look-arounds. So each term
list carries the literals one of which any of its matches must contain, read from the
patterns themselves (terms.py stays plain regular expressions), and the costly scan runs
only when one of them is in the text.

The literals can only let through a text the pattern then does not match, never the
reverse: whatever this module does not understand in a pattern counts as requiring nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from . import regex_syntax as _c  # a pattern's items, named as re's own parser names them

# Letters outside ASCII that IGNORECASE matches to an ASCII letter although str.lower() does
# not turn them into it ("ſ" matches "s"); folded first, so a literal is never missed.
# tests/test_classification_speed.py checks this list against every code point.
_ASCII_TWINS = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})

_WORD = re.compile(r"[a-z0-9]+")  # a word of `folded` text, as `Index` reads it
_MAX_FIXED = 32  # a stretch of pattern that can match more strings than this requires nothing
_REPEATS = (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT)


def folded(text: str) -> str:
    """The text as literals are looked for in it: lowercase, the ASCII twins made ASCII."""
    return text.lower() if text.isascii() else text.translate(_ASCII_TWINS).lower()


# What one branch of a pattern needs: a literal of each set ("T1D" or "IDDM"; "islet" and
# "transplant" or "graft"), most telling first.
Branch = tuple[frozenset[str], ...]


class Needs:
    """What a text must hold for some patterns to match in it.

    Pattern i can match only where one of its branches, `patterns[i]`, is met: one literal
    of each of the branch's sets.
    """

    def __init__(self, patterns: tuple[tuple[Branch, ...], ...]):
        self.patterns = patterns
        # The quick check: the literals of each branch's first (most telling) set, and the
        # patterns that need them. A text holding none of these matches none of the patterns.
        first: dict[str, set[int]] = {}
        for number, branches in enumerate(patterns):
            for branch in branches:
                for literal in branch[0]:
                    first.setdefault(literal, set()).add(number)
        self._first = {literal: sorted(numbers) for literal, numbers in first.items()}
        self._first_literals = frozenset(first)
        self.any_of = _reduced(self._first_literals)
        self._any_of = re.compile(_trie(sorted(self.any_of)))  # one look for all of them
        self.literals = self._first_literals.union(
            *(options for branches in patterns for branch in branches for options in branch)
        )

    def met(self, found: frozenset[str]) -> tuple[int, ...]:
        """Which patterns can match in a text holding the literals `found` (`Index.found_in`)."""
        hits = self._first_literals.intersection(found)
        if not hits:
            return ()
        candidates = sorted({number for literal in hits for number in self._first[literal]})
        return tuple(
            number
            for number in candidates
            if any(
                all(not options.isdisjoint(found) for options in branch)
                for branch in self.patterns[number]
            )
        )

    def may_be_met(self, text: str) -> bool:
        """The quick check alone, for a text with no `Index`: does it hold one of `any_of`?"""
        return self._any_of.search(folded(text)) is not None


def needs(patterns: Iterable[str], flags: int = re.IGNORECASE) -> Needs | None:
    """What a text must hold for one of the patterns to match in it.

    None when some pattern needs no literal at all ("[a-z]+").
    """
    found: list[tuple[Branch, ...]] = []
    for source in patterns:
        try:
            items = _c.parse(source, flags).data
        except _c.Unsupported:  # only costs speed: the pattern is always run
            return None
        parts = items[0][1][1] if len(items) == 1 and items[0][0] == _c.BRANCH else [items]
        branches = []
        for part in parts:
            sets = sorted(map(_reduced, _sequence(list(part))), key=_telling, reverse=True)
            if not sets:
                return None
            # The most telling few: each set checked costs time, and short words say little.
            branches.append(tuple(sets[:1] + [s for s in sets[1:4] if min(map(len, s)) > 2]))
        found.append(tuple(branches))
    return Needs(tuple(found)) if found else None


class Guarded:
    """A compiled pattern run only on texts holding one of its literals, and fast: same matches.

    With `scan_lowercased`, for patterns of many alternatives ("at least|more than|above|..."),
    which Python's re tries one by one at every character, and much more slowly when they
    ignore case: in ASCII text, a pattern with no case-sensitive part finds the same matches
    when it is made case-sensitive and run on the lowercased text (same length, same places).
    Each is then matched again, at its place, in the text itself, so groups read the text as
    written.
    """

    def __init__(self, regex: re.Pattern, scan_lowercased: bool = False):
        self.regex = regex
        self.needs = needs([regex.pattern], regex.flags)
        self._lowercase = _case_sensitive_twin(regex) if scan_lowercased else None

    def finditer(self, text: str) -> Iterator[re.Match]:
        if self.needs is not None and not self.needs.may_be_met(text):
            return iter(())
        if self._lowercase is None or not text.isascii():
            return self.regex.finditer(text)
        return (
            self.regex.match(text, found.start())
            for found in self._lowercase.finditer(text.lower())
        )

    def search(self, text: str) -> re.Match | None:
        return next(self.finditer(text), None)


def _case_sensitive_twin(regex: re.Pattern) -> re.Pattern | None:
    """The pattern without IGNORECASE, when it then matches lowercased ASCII text the same way.

    That holds when it names no uppercase letter (no "(?-i:M)"), and every character class
    holding an uppercase letter also holds its lowercase ("[A-Za-z]").
    """
    if not regex.flags & re.IGNORECASE:
        return None
    try:
        items = _c.parse(regex.pattern, regex.flags).data
    except _c.Unsupported:  # the pattern is then scanned as it is
        return None
    if not _lowercase_only(items):
        return None
    return re.compile(regex.pattern, regex.flags & ~re.IGNORECASE)


def _lowercase_only(items) -> bool:
    for op, value in items:
        if op in (_c.LITERAL, _c.NOT_LITERAL):
            if chr(value).isascii() and chr(value).isupper():
                return False
        elif op == _c.IN:
            chars: set[str] = set()
            for kind, member in value:
                if kind == _c.LITERAL:
                    chars.add(chr(member))
                elif kind == _c.RANGE:
                    chars.update(map(chr, range(member[0], min(member[1], 127) + 1)))
                elif kind == _c.NEGATE:
                    return False
            if any(c.isascii() and c.isupper() and c.lower() not in chars for c in chars):
                return False
        elif op == _c.SUBPATTERN:
            if value[1] or value[2]:  # scoped flags: "(?-i:...)"
                return False
            if not _lowercase_only(value[-1].data):
                return False
        elif op == _c.BRANCH:
            if not all(_lowercase_only(branch.data) for branch in value[1]):
                return False
        elif op in _REPEATS:
            if not _lowercase_only(value[2].data):
                return False
        elif op in (_c.ASSERT, _c.ASSERT_NOT):
            if not _lowercase_only(value[1].data):
                return False
        elif op == _c.ATOMIC_GROUP:
            if not _lowercase_only(value.data):
                return False
        elif op not in (_c.ANY, _c.AT, _c.CATEGORY, _c.GROUPREF):
            return False  # anything else: keep the pattern as it is
    return True


class Index:
    """Looks for many literals in a text at once.

    A literal of letters and digits lies inside one word of the text, and words recur (in
    every passage of a page, and from one trial to the next), so the literals inside a word
    are found once and remembered. The few other literals ("i.v.", "≥") are looked for one
    by one.
    """

    def __init__(self, literals: Iterable[str]):
        self.literals = frozenset(literals)
        in_words = sorted(literal for literal in self.literals if _WORD.fullmatch(literal))
        self._others = tuple(sorted(self.literals.difference(in_words)))
        # The characters that put the others out of words ("'", "."): a text without them
        # holds none of the others.
        outside = {char for other in self._others for char in other if not _WORD.match(char)}
        self._outside = re.compile("|".join(map(re.escape, sorted(outside))) or "(?!)")
        # A trie of the literals finds at each place the longest that starts there; the
        # shorter ones starting there are its prefixes.
        self._trie = re.compile(_trie(in_words)) if in_words else None
        self._starting = {
            long: frozenset(short for short in in_words if long.startswith(short))
            for long in in_words
        }
        self.inside = lru_cache(maxsize=1 << 16)(self._inside)

    def found_in(self, text: str) -> frozenset[str]:
        lowered = folded(text)
        found = frozenset().union(*map(self.inside, _WORD.findall(lowered)))
        if self._outside.search(lowered):
            for literal in self._others:
                if literal in lowered:
                    found |= {literal}
        return found

    def _inside(self, word: str) -> frozenset[str]:
        """The literals inside one word (lowercase letters and digits)."""
        if self._trie is None:
            return frozenset()
        found: set[str] = set()
        match = self._trie.search(word)
        while match is not None:
            found |= self._starting[match.group()]
            match = self._trie.search(word, match.start() + 1)
        return frozenset(found)


def _trie(words: list[str]) -> str:
    """A pattern matching the longest of the (sorted) words that starts where it is tried."""
    heads: dict[str, list[str]] = {}
    ends_here = False
    for word in words:
        if word:
            heads.setdefault(word[0], []).append(word[1:])
        else:
            ends_here = True
    if not heads:
        return ""
    body = "|".join(re.escape(head) + _trie(tails) for head, tails in heads.items())
    if ends_here:
        return f"(?:{body})?"
    return f"(?:{body})" if len(heads) > 1 else body


# --- reading the literals from a parsed pattern -------------------------------
# A stretch of the pattern that can only match a few fixed strings ("T[12]DM?": t1d, t1dm,
# t2d, t2dm) must occur in any match as one of them; so must one of a group's alternatives
# when each has such a stretch. Classes, words of any length and negative look-arounds
# require nothing.


def _reduced(options: frozenset[str]) -> frozenset[str]:
    """A literal that contains another is implied by it: "mscs" occurs only where "msc" does."""
    return frozenset(a for a in options if not any(b != a and b in a for b in options))


def _telling(options: frozenset[str]) -> tuple[int, int]:
    """How unlikely a set of literals is to be met by chance: long words, few of them."""
    return min(map(len, options)), -len(options)


def _most_telling(needs: list[frozenset[str]]) -> frozenset[str] | None:
    return max(needs, key=_telling) if needs else None


def _sequence(items: list) -> list[frozenset[str]]:
    """Sets of literals a match of this parsed sequence contains (at least one of each set)."""
    needs: list[frozenset[str]] = []
    runs = {""}  # the fixed strings the stretch read so far can match

    def end_run() -> None:
        nonlocal runs
        if "" not in runs:
            needs.append(frozenset(runs))
        runs = {""}

    for op, value in items:
        fixed = _fixed(op, value)
        if fixed is not None and len(runs) * len(fixed) <= _MAX_FIXED:
            runs = {run + text for run in runs for text in fixed}
            continue
        end_run()
        if op == _c.SUBPATTERN:
            needs += _sequence(value[-1].data)
        elif op == _c.ATOMIC_GROUP:
            needs += _sequence(value.data)
        elif op in _REPEATS and value[0] >= 1:
            needs += _sequence(value[2].data)
        elif op == _c.BRANCH:
            options = [_most_telling(_sequence(branch.data)) for branch in value[1]]
            if all(options):
                needs.append(frozenset().union(*options))
        elif op == _c.ASSERT:  # "(?= ?MSC)": what a look-around needs is in the text too
            needs += _sequence(value[1].data)
    end_run()
    return needs


def _fixed(op, value) -> set[str] | None:
    """Every string one parsed item can match, as looked for (`folded`), when they are few."""
    if op == _c.LITERAL:
        return {_char(value)} if _char(value) else None
    if op == _c.IN:
        chars = {_char(code) if kind == _c.LITERAL else "" for kind, code in value}
        return None if "" in chars else chars
    if op == _c.SUBPATTERN:
        return _fixed_sequence(value[-1].data)
    if op == _c.BRANCH:
        options = [_fixed_sequence(branch.data) for branch in value[1]]
        if any(option is None for option in options):
            return None
        union = set().union(*options)
        return union if len(union) <= _MAX_FIXED else None
    if op in _REPEATS and value[1] <= 2:  # "s?", "(l)?", "s{1,2}"
        once = _fixed_sequence(value[2].data)
        if once is None:
            return None
        found, repeated = set(), {""}
        for count in range(value[1] + 1):
            if count >= value[0]:
                found |= repeated
            repeated = {a + b for a in repeated for b in once}
            if len(found) + len(repeated) > _MAX_FIXED:
                return None
        return found
    return None


def _fixed_sequence(items: list) -> set[str] | None:
    strings = {""}
    for op, value in items:
        fixed = _fixed(op, value)
        if fixed is None or len(strings) * len(fixed) > _MAX_FIXED:
            return None
        strings = {a + b for a in strings for b in fixed}
    return strings


def _char(code: int) -> str:
    """A pattern character as `folded` text has it; "" when case folding makes that unsure.

    ASCII is folded exactly. A character without case ("≥", "×", "–") matches only itself.
    """
    char = chr(code)
    if code < 128:
        return char.lower()
    if char.lower() == char == char.upper() and char.isprintable():
        return char
    return ""
