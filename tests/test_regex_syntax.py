"""classification.regex_syntax: the term lists' regular expressions read into items."""

from __future__ import annotations

import re

import pytest

from classification import literals, matching
from classification import regex_syntax as rx
from classification.regex_syntax import Unsupported, parse


def lit(text: str) -> list[tuple]:
    return [(rx.LITERAL, ord(c)) for c in text]


def test_characters_and_escapes_are_literals():
    assert parse("ab") == lit("ab")
    assert parse(r"a\.b\-\n\x41\u00e9\N{MULTIPLICATION SIGN}\0") == [
        *lit("a.b-\n"),
        (rx.LITERAL, 0x41),
        (rx.LITERAL, 0xE9),
        (rx.LITERAL, ord("×")),
        (rx.LITERAL, 0),
    ]


def test_alternation_is_a_branch_of_sequences():
    assert parse("ab|c") == [(rx.BRANCH, (None, [lit("ab"), lit("c")]))]
    assert parse("x(?:a|)") == [
        *lit("x"),
        (rx.SUBPATTERN, (None, 0, 0, [(rx.BRANCH, (None, [lit("a"), []]))])),
    ]


def test_groups_look_arounds_and_scoped_flags():
    assert parse("(a)(?P<n>b)(?<m>c)") == [
        (rx.SUBPATTERN, (1, 0, 0, lit("a"))),
        (rx.SUBPATTERN, (2, 0, 0, lit("b"))),
        (rx.SUBPATTERN, (3, 0, 0, lit("c"))),
    ]
    assert parse("(?=a)(?!b)(?<=c)(?<!d)(?>e)") == [
        (rx.ASSERT, (1, lit("a"))),
        (rx.ASSERT_NOT, (1, lit("b"))),
        (rx.ASSERT, (-1, lit("c"))),
        (rx.ASSERT_NOT, (-1, lit("d"))),
        (rx.ATOMIC_GROUP, lit("e")),
    ]
    assert parse("(?-i:T)(?i:x)") == [
        (rx.SUBPATTERN, (None, 0, re.I, lit("T"))),
        (rx.SUBPATTERN, (None, re.I, 0, lit("x"))),
    ]
    assert parse("(?i)a(?#note)") == lit("a")  # global flags and comments match nothing
    assert parse(r"(a)\1(?P<b>c)(?P=b)")[1] == (rx.GROUPREF, 1)


def test_repeats_with_their_bounds_and_kinds():
    many = rx.MAXREPEAT
    assert parse("a?b*c+") == [
        (rx.MAX_REPEAT, (0, 1, lit("a"))),
        (rx.MAX_REPEAT, (0, many, lit("b"))),
        (rx.MAX_REPEAT, (1, many, lit("c"))),
    ]
    assert parse("a{2}b{1,3}?c{2,}+d{,4}") == [
        (rx.MAX_REPEAT, (2, 2, lit("a"))),
        (rx.MIN_REPEAT, (1, 3, lit("b"))),
        (rx.POSSESSIVE_REPEAT, (2, many, lit("c"))),
        (rx.MAX_REPEAT, (0, 4, lit("d"))),
    ]
    assert parse("a{}b{x}") == lit("a{}b{x}")  # not a repeat: the characters themselves


def test_classes_anchors_and_categories():
    assert parse("[a-z0_]") == [
        (rx.IN, [(rx.RANGE, (97, 122)), (rx.LITERAL, ord("0")), (rx.LITERAL, ord("_"))])
    ]
    assert parse("[^x]") == [(rx.NOT_LITERAL, ord("x"))]
    assert parse("[]-]") == [(rx.IN, [(rx.LITERAL, ord("]")), (rx.LITERAL, ord("-"))])]
    assert parse(r"[\d\]]") == [(rx.IN, [(rx.CATEGORY, "d"), (rx.LITERAL, ord("]"))])]
    assert parse(r"^\bx.\w$") == [
        (rx.AT, "^"),
        (rx.AT, r"\b"),
        *lit("x"),
        (rx.ANY, None),
        (rx.IN, [(rx.CATEGORY, "w")]),
        (rx.AT, "$"),
    ]


@pytest.mark.parametrize(
    "pattern", ["(?x)a b", "(?(1)a|b)", r"\q", "a)", "(a", "[a", "*a", r"\p{L}"]
)
def test_what_it_does_not_read_is_unsupported(pattern):
    with pytest.raises(Unsupported):
        parse(pattern)


def test_a_verbose_flag_is_unsupported():
    with pytest.raises(Unsupported, match="verbose"):
        parse("a b", re.VERBOSE)


def test_a_pattern_it_cannot_read_needs_nothing():
    """literals.needs() then asks nothing of a text: the pattern is always run."""
    assert literals.needs(["(?(1)a|b)"]) is None


def test_every_term_list_is_read():
    from classification import terms

    read = 0
    for name in dir(terms):
        value = getattr(terms, name)
        if isinstance(value, tuple | list) and value and all(isinstance(v, str) for v in value):
            for term in value:
                parse(matching._flexible_spaces(term), re.IGNORECASE)
                read += 1
    assert read > 100
