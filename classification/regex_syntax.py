"""A reader of the regular expressions the term lists are written in, into the items literals.py
looks for fixed words in.

Python's own parser (`re._parser`) is private and changes between versions; this reads the
syntax the patterns use: characters and escapes, classes, groups of every kind, look-arounds,
alternation and repeats. What it does not read (verbose mode, conditionals) raises
`Unsupported`, and literals.py then asks nothing of the text, which costs only speed.

The items have the shape of `re._parser`'s, under the same names: `(op, value)` pairs, a
sequence of them in an `Items` whose `.data` is the list.
"""

from __future__ import annotations

import re
import unicodedata

# The operations, named as re._parser names them.
LITERAL = "LITERAL"  # value: a code point
NOT_LITERAL = "NOT_LITERAL"  # value: a code point ("[^x]")
IN = "IN"  # value: [(LITERAL, code) | (RANGE, (low, high)) | (CATEGORY, name) | (NEGATE, None)]
RANGE = "RANGE"
NEGATE = "NEGATE"
CATEGORY = "CATEGORY"  # "\d", "\w", "\s" and their negations
ANY = "ANY"  # "."
AT = "AT"  # "^", "$", "\b", "\B", "\A", "\Z"
SUBPATTERN = "SUBPATTERN"  # value: (group number or None, flags added, flags removed, Items)
BRANCH = "BRANCH"  # value: (None, [Items, ...])
MAX_REPEAT = "MAX_REPEAT"  # value: (min, max, Items); greedy
MIN_REPEAT = "MIN_REPEAT"  # lazy: "*?"
POSSESSIVE_REPEAT = "POSSESSIVE_REPEAT"  # "*+"
ASSERT = "ASSERT"  # value: (direction, Items); "(?=", "(?<="
ASSERT_NOT = "ASSERT_NOT"  # "(?!", "(?<!"
ATOMIC_GROUP = "ATOMIC_GROUP"  # value: Items; "(?>"
GROUPREF = "GROUPREF"  # "\1", "(?P=name)"

MAXREPEAT = 1 << 32  # no upper bound ("*", "+", "{2,}")

_FLAGS = {"a": re.A, "i": re.I, "L": re.L, "m": re.M, "s": re.S, "u": re.U, "x": re.X}
_CATEGORIES = set("dDsSwW")
_AT_ESCAPES = set("bBAZ")
_CONTROL = {"a": 7, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11}
_REPEAT_BOUNDS = re.compile(r"\{(\d*)(?:(,)(\d*))?\}")


class Unsupported(ValueError):
    """Syntax this reader does not read (the pattern itself may be valid)."""


class Items(list):
    """A sequence of (op, value) items; `.data` as re._parser's SubPattern has it."""

    @property
    def data(self) -> Items:
        return self


def parse(pattern: str, flags: int = 0) -> Items:
    """The items of a pattern (compiled with `flags`); Unsupported for what is not read here."""
    if flags & re.VERBOSE:
        raise Unsupported("verbose patterns")
    reader = _Reader(pattern)
    items = reader.alternation()
    if reader.pos != len(pattern):
        raise Unsupported(f"unbalanced ')' at {reader.pos}")
    return items


class _Reader:
    def __init__(self, pattern: str):
        self.text = pattern
        self.pos = 0
        self.groups = 0

    def peek(self, length: int = 1) -> str:
        return self.text[self.pos : self.pos + length]

    def take(self) -> str:
        if self.pos >= len(self.text):
            raise Unsupported("unexpected end of pattern")
        char = self.text[self.pos]
        self.pos += 1
        return char

    def alternation(self) -> Items:
        """Up to an unmatched ")" or the end: one sequence, or a BRANCH of several."""
        branches = [self.sequence()]
        while self.peek() == "|":
            self.pos += 1
            branches.append(self.sequence())
        if len(branches) == 1:
            return branches[0]
        return Items([(BRANCH, (None, branches))])

    def sequence(self) -> Items:
        items = Items()
        while self.pos < len(self.text) and self.peek() not in "|)":
            item = self.atom()
            if item is None:  # a global flag or a comment: nothing to match
                continue
            items.append(self.repeated(item))
        return items

    def repeated(self, item: tuple) -> tuple:
        char = self.peek()
        if char == "?":
            low, high = 0, 1
        elif char == "*":
            low, high = 0, MAXREPEAT
        elif char == "+":
            low, high = 1, MAXREPEAT
        elif char == "{" and (bounds := _REPEAT_BOUNDS.match(self.text, self.pos)):
            first, comma, second = bounds.groups()
            if not first and not comma:
                return item  # "{}" is two literal characters; re reads it so
            low = int(first) if first else 0
            high = (int(second) if second else MAXREPEAT) if comma else low
            self.pos = bounds.end() - 1
        else:
            return item
        self.pos += 1
        if item[0] == AT:
            raise Unsupported("a repeated anchor")
        kind = MAX_REPEAT
        if self.peek() == "?":
            kind, self.pos = MIN_REPEAT, self.pos + 1
        elif self.peek() == "+":
            kind, self.pos = POSSESSIVE_REPEAT, self.pos + 1
        return (kind, (low, high, Items([item])))

    def atom(self) -> tuple | None:
        char = self.take()
        if char == "(":
            return self.group()
        if char == "[":
            return self.char_class()
        if char == ".":
            return (ANY, None)
        if char in "^$":
            return (AT, char)
        if char == "\\":
            return self.escape(in_class=False)
        if char in "*+?":
            raise Unsupported(f"nothing to repeat at {self.pos - 1}")
        return (LITERAL, ord(char))

    def group(self) -> tuple | None:
        if self.peek() != "?":
            self.groups += 1
            return (SUBPATTERN, (self.groups, 0, 0, self.closed()))
        self.pos += 1
        kind = self.take()
        if kind == ":":
            return (SUBPATTERN, (None, 0, 0, self.closed()))
        if kind == "P" and self.peek() == "<":
            self.pos += 1
            self.name()
            self.groups += 1
            return (SUBPATTERN, (self.groups, 0, 0, self.closed()))
        if kind == "P" and self.peek() == "=":
            self.pos += 1
            self.name(end=")")
            return (GROUPREF, None)
        if kind == "<" and self.peek() in ("=", "!"):
            negative = self.take() == "!"
            return (ASSERT_NOT if negative else ASSERT, (-1, self.closed()))
        if kind == "<":
            self.name()
            self.groups += 1
            return (SUBPATTERN, (self.groups, 0, 0, self.closed()))
        if kind in "=!":
            return (ASSERT if kind == "=" else ASSERT_NOT, (1, self.closed()))
        if kind == ">":
            return (ATOMIC_GROUP, self.closed())
        if kind == "#":
            end = self.text.find(")", self.pos)
            if end < 0:
                raise Unsupported("unterminated comment")
            self.pos = end + 1
            return None
        self.pos -= 1
        return self.flags()

    def flags(self) -> tuple | None:
        """ "(?i)", "(?-i:...)", "(?a-i:...)"."""
        added = removed = 0
        sign = 1
        while (char := self.take()) not in ":)":
            if char == "-" and sign == 1:
                sign = -1
            elif char in _FLAGS:
                if sign == 1:
                    added |= _FLAGS[char]
                else:
                    removed |= _FLAGS[char]
            else:
                raise Unsupported(f"group kind '(?{char}' at {self.pos - 1}")
        if (added | removed) & re.VERBOSE:
            raise Unsupported("verbose patterns")
        if char == ")":  # global flags: they apply to the whole pattern, not to a place in it
            if removed:
                raise Unsupported("global flags turned off")
            return None
        return (SUBPATTERN, (None, added, removed, self.closed()))

    def closed(self) -> Items:
        items = self.alternation()
        if self.peek() != ")":
            raise Unsupported("missing ')'")
        self.pos += 1
        return items

    def name(self, end: str = ">") -> str:
        close = self.text.find(end, self.pos)
        if close < 0:
            raise Unsupported("unterminated group name")
        name, self.pos = self.text[self.pos : close], close + 1
        return name

    def char_class(self) -> tuple:
        members: list[tuple] = []
        if self.peek() == "^":
            self.pos += 1
            members.append((NEGATE, None))
        first = True
        while True:
            char = self.take()
            if char == "]" and not first:
                break
            first = False
            item = self.escape(in_class=True) if char == "\\" else (LITERAL, ord(char))
            if item[0] == LITERAL and self.peek() == "-" and self.peek(2) not in ("-]", "-"):
                self.pos += 1
                end = self.take()
                high = self.escape(in_class=True) if end == "\\" else (LITERAL, ord(end))
                if high[0] != LITERAL or high[1] < item[1]:
                    raise Unsupported("a bad range in a class")
                item = (RANGE, (item[1], high[1]))
            members.append(item)
        if len(members) == 2 and members[0][0] == NEGATE and members[1][0] == LITERAL:
            return (NOT_LITERAL, members[1][1])
        return (IN, members)

    def escape(self, in_class: bool) -> tuple:
        char = self.take()
        if char in _CATEGORIES:
            category = (CATEGORY, char)
            return category if in_class else (IN, [category])
        if char in _AT_ESCAPES:
            if in_class and char == "b":
                return (LITERAL, 8)  # backspace
            if in_class:
                raise Unsupported(f"'\\{char}' in a class")
            return (AT, "\\" + char)
        if char in _CONTROL:
            return (LITERAL, _CONTROL[char])
        if char == "x":
            return (LITERAL, self.hex_digits(2))
        if char == "u":
            return (LITERAL, self.hex_digits(4))
        if char == "U":
            return (LITERAL, self.hex_digits(8))
        if char == "N" and self.peek() == "{":
            self.pos += 1
            try:
                return (LITERAL, ord(unicodedata.lookup(self.name(end="}"))))
            except KeyError as error:
                raise Unsupported("an unknown character name") from error
        if char.isdigit():
            # "\0", "\012" and three octal digits are a character; "\1" to "\99" a group.
            digits = char
            while len(digits) < 3 and self.peek() and self.peek() in "0123456789":
                digits += self.take()
            octal = all(c in "01234567" for c in digits)
            if char == "0" or in_class or (len(digits) == 3 and octal):
                if not octal:
                    raise Unsupported("a bad octal escape")
                return (LITERAL, int(digits, 8))
            if len(digits) == 3:
                raise Unsupported("a group number of three digits")
            return (GROUPREF, int(digits))
        if char.isascii() and char.isalnum():
            raise Unsupported(f"the escape '\\{char}'")
        return (LITERAL, ord(char))

    def hex_digits(self, count: int) -> int:
        digits = self.text[self.pos : self.pos + count]
        if len(digits) != count or not all(c in "0123456789abcdefABCDEF" for c in digits):
            raise Unsupported("a bad hexadecimal escape")
        self.pos += count
        return int(digits, 16)
