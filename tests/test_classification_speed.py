"""The classifier's shortcuts never change what it finds (pure; no database; no timings).

Term lists are scanned only when a text holds their literals (catalogue/classification/
literals.py), only for the terms whose literals it holds, and some patterns are run
case-sensitively on lowercased text. Each test here checks one shortcut against the plain
pattern it stands for, on the fixture pages and on strings made to match.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from re import _constants as sre
from re import _parser

import pytest

from classification import literals, matching, numbers, passages, rules
from ingest.detect import parse_document

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _fixture_texts() -> list[str]:
    """Every passage the classifier reads on the fixture pages, and the criteria rows as written."""
    texts = []
    for path in sorted(FIXTURES.rglob("*")):
        if not path.is_file():
            continue
        try:
            record = parse_document(path.read_bytes(), path.name)
        except Exception:  # noqa: BLE001 - garbage fixtures are meant not to parse
            continue
        texts += [p.text for p in passages.read(record)]
        texts += [c.text for c in record.eligibility.criteria]
    return texts


TEXTS = _fixture_texts()
TERM_LISTS = matching._term_lists()


def _plain(alternatives) -> re.Pattern:
    """The pattern `find` stands for: every term, whole words, any case."""
    body = "|".join(f"(?:{matching._flexible_spaces(t)})" for t in matching._key(alternatives))
    return re.compile(rf"(?<![A-Za-z0-9])(?:{body})(?![A-Za-z0-9])", re.IGNORECASE)


def _spans(matches) -> list[tuple[tuple[int, int], str]]:
    return [(m.span(), m.group(0)) for m in matches]


def test_fixture_pages_are_read():
    assert len(TEXTS) > 1000


@pytest.mark.parametrize("alternatives", TERM_LISTS, ids=lambda a: str(a)[:40])
def test_find_matches_what_the_plain_pattern_matches(alternatives):
    plain = _plain(alternatives)
    for text in TEXTS + [_sample(alternatives, seed) for seed in range(30)]:
        assert _spans(matching.find(alternatives, text)) == _spans(plain.finditer(text)), text


@pytest.mark.parametrize("alternatives", TERM_LISTS, ids=lambda a: str(a)[:40])
def test_every_term_list_is_looked_up_in_the_index(alternatives):
    """Not correctness: a list outside the index is checked literal by literal, more slowly."""
    assert matching._compiled(matching._key(alternatives)).indexed


def test_a_family_names_every_list_that_matches():
    families = [value for value in vars(rules).values() if isinstance(value, matching.Family)]
    families.append(numbers._ANCHORS)
    assert len(families) >= 8
    for family in families:
        for text in TEXTS:
            named = [key for key, _ in family.named_in(text)]
            for key, alternatives in family.lists:
                if _plain(alternatives).search(text):
                    assert key in named, (key, text)


@pytest.mark.parametrize(
    "name", ["_RANGE", "_OP_BEFORE", "_OP_AFTER", "_DOSE_COUNT", "_SCHEDULE", "_INTERVAL"]
)
def test_guarded_number_patterns_match_as_the_plain_pattern(name):
    guarded = getattr(numbers, name)
    words = (
        "Between between BETWEEN 18 and 65 years Age AGE ≥ > >= =< At Least at least 7.5% 6,5 "
        "HbA1c BMI 30 kg/m2 KG/M² ONCE a WEEK for 4 weeks Two Infusions dosage: Single every 6 "
        "Months apart interval of 2 weeks OR MORE or older + - – — to TO from From ranging İ ı ſ K"
    ).split()
    rng = random.Random(name)
    samples = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 12))) for _ in range(3000)]
    for text in TEXTS + samples:
        found = [(m.span(), m.groups()) for m in guarded.finditer(text)]
        assert found == [(m.span(), m.groups()) for m in guarded.regex.finditer(text)], text


@pytest.mark.parametrize(
    "name", ["_OP_BEFORE", "_OP_AFTER", "_DOSE_COUNT", "_SCHEDULE", "_INTERVAL"]
)
def test_many_alternative_number_patterns_are_scanned_lowercased(name):
    """Not correctness: without its case-sensitive twin such a pattern is three times slower."""
    assert getattr(numbers, name)._lowercase is not None


def test_sentence_split_is_the_plain_one():
    """_SENTENCE_END tests its cheapest condition first; it splits as the plain order does."""
    plain = re.compile(
        rf"{passages._ABBREVIATIONS}(?<=[.!?])\s+(?=[A-Z0-9(\"'])|(?<=[a-z]{{3}}\.)(?=[A-Z][a-z])|\n+"
    )
    rng = random.Random(7)
    alphabet = "aAbB.!? \n(\"'eigvsDrNoaprxtl0 9."
    samples = [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(5000)
    ]
    for text in TEXTS + samples:
        assert passages._SENTENCE_END.split(text) == plain.split(text)


def test_ascii_twins_are_every_character_ignorecase_matches_to_ascii():
    """str.lower() misses these; a literal check must not (folded() maps them)."""
    beyond_ascii = "".join(map(chr, range(128, 0x110000)))
    twins = set(re.findall(r"[a-z0-9]", beyond_ascii, re.IGNORECASE))
    assert twins == {"\u0130", "\u0131", "\u017f", "\u212a"}
    for twin in twins:
        assert re.fullmatch(r"[a-z0-9]", literals.folded(twin))


def test_caseless_literal_characters_match_only_themselves():
    """A non-ASCII character read as a literal ("≥", "×", "–") has no other case form."""
    chars = {
        char
        for alternatives in TERM_LISTS
        if (needs := matching._compiled(matching._key(alternatives)).needs)
        for literal in needs.literals
        for char in literal
        if not char.isascii()
    }
    for name in ["_RANGE", "_OP_BEFORE", "_OP_AFTER", "_DOSE_COUNT", "_SCHEDULE", "_INTERVAL"]:
        needs = getattr(numbers, name).needs
        chars |= {char for literal in needs.literals for char in literal if not char.isascii()}
    assert chars, "the number patterns name ≥, ≤, – ..."
    every_character = "".join(map(chr, range(0x110000)))
    for char in chars:
        assert re.findall(re.escape(char), every_character, re.IGNORECASE) == [char]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("diabet\\w*", {"diabet"}),
        ("(?-i:T[12]DM?)", {"t1d", "t2d"}),
        ("placenta(l)?", {"placenta"}),
        ("(?-i:PL|P|hP)(?= ?MSC)", {"msc"}),  # what a look-ahead needs is in the text too
        ("mes+enc?h[yi]mal (stem|stromal) cells?", {"enchymal", "enhymal", "enchimal", "enhimal"}),
        ("[a-z]+", None),  # no literal: always scanned
        ("(?!no)x?", None),
    ],
)
def test_literals_read_from_a_pattern(pattern, expected):
    needs = literals.needs([matching._flexible_spaces(pattern)])
    assert (needs.any_of if needs else None) == expected


@pytest.mark.parametrize(
    ("term", "parts"),
    [
        ("a|b(c|d)", ["a", "b(c|d)"]),
        (r"x\|y|z", [r"x\|y", "z"]),
        ("[|]|q", ["[|]", "q"]),
        ("[]|]|r", ["[]|]", "r"]),
        ("(?-i:A|B)|c", ["(?-i:A|B)", "c"]),
        ("no", ["no"]),
    ],
)
def test_alternatives_of_a_term(term, parts):
    assert matching._alternatives(term) == parts


# --- strings made to match a term --------------------------------------------


def _sample(alternatives, seed: int) -> str:
    """A sentence holding a string one of the terms matches (or plain words, if none came out)."""
    rng = random.Random(seed)
    terms_ = matching._key(alternatives)
    term = terms_[seed % len(terms_)]
    made = _make(_parser.parse(matching._flexible_spaces(term), re.IGNORECASE).data, rng)
    if rng.random() < 0.5:
        made = "".join(c.upper() if rng.random() < 0.3 else c for c in made)
    return f"Patients with {made}, given twice"


def _make(items, rng: random.Random) -> str:
    out = []
    for op, value in items:
        if op is sre.LITERAL:
            out.append(chr(value))
        elif op is sre.IN:
            chars = [chr(v) for kind, v in value if kind is sre.LITERAL]
            chars += [chr(v[0]) for kind, v in value if kind is sre.RANGE]
            out.append(rng.choice(chars or ["a"]))
        elif op is sre.SUBPATTERN:
            out.append(_make(value[-1].data, rng))
        elif op is sre.BRANCH:
            out.append(_make(rng.choice(value[1]).data, rng))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            low, high = value[0], min(value[1], value[0] + 2)
            out += [_make(value[2].data, rng) for _ in range(rng.randint(low, high))]
        elif op is sre.CATEGORY:
            out.append({"category_digit": "1", "category_space": " "}.get(str(value).lower(), "a"))
        elif op is sre.ANY:
            out.append("a")
    return "".join(out)


@pytest.mark.parametrize("alternatives", TERM_LISTS, ids=lambda a: str(a)[:40])
def test_made_strings_are_never_skipped(alternatives):
    """A text the plain pattern matches always passes the literal check."""
    plain = _plain(alternatives)
    compiled = matching._compiled(matching._key(alternatives))
    matched = 0
    for seed in range(200):
        text = _sample(alternatives, seed)
        if plain.search(text):
            matched += 1
            assert compiled.regex_for(text) is not None, text
            assert matching.may_match(alternatives, text), text
    assert matched, "no made string matched: the sampler is too crude for these terms"


def _records():
    for path in sorted(FIXTURES.rglob("*")):
        if path.is_file():
            try:
                yield parse_document(path.read_bytes(), path.name)
            except Exception:  # noqa: BLE001 - garbage fixtures are meant not to parse
                continue


def test_the_rules_read_only_the_declared_inputs():
    """A stored classification is reused when INPUTS are unchanged, so nothing else may count."""
    from classification.apply import INPUTS
    from records import ParsedTrial

    read: set[str] = set()

    class Watched(ParsedTrial):
        def __getattribute__(self, name):
            if not name.startswith("_"):
                read.add(name)
            return super().__getattribute__(name)

    fields = {f for f in ParsedTrial.__dataclass_fields__}
    for record in _records():
        rules.classify(Watched(**vars(record)))
    assert read & fields
    assert read & fields <= set(INPUTS)


def test_a_record_that_differs_outside_the_inputs_classifies_the_same():
    from classification.apply import input_digest

    for record in _records():
        changed = _copy(record)
        changed.overall_status = "COMPLETED"
        changed.enrollment = (record.enrollment or 0) + 7
        changed.start_date = "1999"
        changed.locations = []
        assert input_digest(changed) == input_digest(record)
        assert rules.classify(changed).to_json() == rules.classify(record).to_json()


def _copy(record):
    from records.serialize import record_from_dict

    return record_from_dict(record.to_dict())
