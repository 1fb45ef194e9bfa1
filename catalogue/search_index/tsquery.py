"""A Postgres tsquery, as its text output prints it, read into a small tree the index evaluates.

Postgres turns what a person typed into a tsquery (`websearch_to_tsquery` with the catalogue's
text search configuration), so the words, stems and stop words are exactly those of the stored
search vectors; the index then only has to evaluate the tree. It prints like
`'umbil' <-> 'cord' & !'placebo' | 't1d'`: `!` binds tightest, then the phrase operators
`<->` / `<N>`, then `&`, then `|`, all left-associative.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


class Unsupported(ValueError):
    """A query the index does not evaluate (the caller asks Postgres instead)."""


@dataclass(frozen=True)
class Lexeme:
    word: str
    prefix: bool = False  # 'word':* (websearch never makes one; the index declines it)


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class And:
    left: Node
    right: Node


@dataclass(frozen=True)
class Or:
    left: Node
    right: Node


@dataclass(frozen=True)
class Phrase:
    left: Node
    right: Node
    distance: int  # <-> is 1


Node = Lexeme | Not | And | Or | Phrase

_TOKEN = re.compile(
    r"\s*(?:(?P<lexeme>'(?:[^']|'')*')(?P<suffix>:[*A-D]+)?|(?P<phrase><(?:-|\d+)>)|(?P<op>[&|!()]))"
)


def parse(text: str) -> Node | None:
    """The tree of a tsquery's text; None for an empty query (it matches nothing)."""
    tokens = _tokens(text)
    if not tokens:
        return None
    parser = _Parser(tokens)
    node = parser.or_()
    if parser.at < len(tokens):
        raise Unsupported(f"unexpected {tokens[parser.at]!r} in {text!r}")
    return node


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, at = [], 0
    text = text.rstrip()
    while at < len(text):
        match = _TOKEN.match(text, at)
        if not match:
            raise Unsupported(f"cannot read {text[at:]!r}")
        at = match.end()
        if match["lexeme"]:
            suffix = match["suffix"] or ""
            if any(c in suffix for c in "ABCD"):
                raise Unsupported("weight restrictions")
            word = match["lexeme"][1:-1].replace("''", "'")
            tokens.append(("prefix" if "*" in suffix else "lexeme", word))
        elif match["phrase"]:
            inner = match["phrase"][1:-1]
            tokens.append(("phrase", "1" if inner == "-" else inner))
        else:
            tokens.append(("op", match["op"]))
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens = tokens
        self.at = 0

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def or_(self) -> Node:
        node = self.and_()
        while self._peek() == ("op", "|"):
            self.at += 1
            node = Or(node, self.and_())
        return node

    def and_(self) -> Node:
        node = self.phrase()
        while self._peek() == ("op", "&"):
            self.at += 1
            node = And(node, self.phrase())
        return node

    def phrase(self) -> Node:
        node = self.unary()
        while (token := self._peek()) and token[0] == "phrase":
            self.at += 1
            node = Phrase(node, self.unary(), int(token[1]))
        return node

    def unary(self) -> Node:
        token = self._peek()
        if token is None:
            raise Unsupported("the query ends early")
        self.at += 1
        kind, value = token
        if kind == "lexeme":
            return Lexeme(value)
        if kind == "prefix":
            return Lexeme(value, prefix=True)
        if token == ("op", "!"):
            return Not(self.unary())
        if token == ("op", "("):
            node = self.or_()
            if self._peek() != ("op", ")"):
                raise Unsupported("unbalanced parentheses")
            self.at += 1
            return node
        raise Unsupported(f"unexpected {value!r}")
