"""Numbers on the page: cell doses in the interventions, bounds in the eligibility criteria.

Doses are read as written: "2.5 x 10^6 MSC per kg", "2-3 millions/Kg", "80, 160, or 240 x 10^6",
"1×10⁶ cells/kg". Eligibility bounds are read per criteria row and tied to the nearest measure
named before them ("HbA1c ≥ 6.5%"), so a number about glucose is never taken for HbA1c.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from . import terms
from .literals import Guarded
from .matching import Family, clean, find, may_match
from .result import Bound

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_DIGIT = re.compile(r"\d")  # every dose and bound pattern reads a number

# --- doses -----------------------------------------------------------------

_NUM = r"\d{1,3}(?:,\d{3})+(?![\d,])|\d+(?:\.\d+)?"
_LIST_SEP = r"\s*(?:-|–|—|to|,\s*or|,\s*and|,|or|and)\s*"
_LIST = rf"(?P<list>(?:{_NUM})(?:{_LIST_SEP}(?:{_NUM}))*)"
_EXP = r"(?:\d{1,2}|[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,2})"
_TIMES_TEN = rf"\s*(?:x|×|\*)\s*10\s*(?:\^|\*\*|e)?\s*\(?(?P<exp>{_EXP})\)?"
_WORD = r"\s*(?P<word>millions?|mio|billions?|(?-i:M))(?![A-Za-z])"
_E_NOTATION = r"e\+?(?P<eexp>\d{1,2})"
_BARE_POWER = rf"(?<![\d.,])10\s*(?:\^|\*\*)?\s*\(?(?P<bexp>{_EXP})\)?(?=\s*(?:[A-Za-z]{{0,4}}-?MSC|cells?|/|per))"
_PLAIN = r"(?P<plain>\d{1,3}(?:,\d{3}){2,}|\d{6,})(?=\s*(?:[A-Za-z]{0,4}-?MSCs?|cells?))"
_CELLS = r"(?:\s*(?:viable |live |total |nucleated )?(?:[A-Za-z]{0,4}-?MSCs?|(?:stem |stromal |mesenchymal )*cells?|ADSCs?))?"
_PER_KG = r"(?P<perkg>\s*(?:/|per)\s*(?:kg|kilogram)s?(?![A-Za-z])(?:\s*(?:of\s+)?(?:body\s*weight|bw|b\.w\.))?)?"
_DOSE = re.compile(
    rf"(?<![\w.])(?:{_LIST}(?:{_TIMES_TEN}|{_WORD}|{_E_NOTATION})|{_BARE_POWER}|{_PLAIN}){_CELLS}{_PER_KG}",
    re.IGNORECASE,
)
_WORD_FACTOR = {
    "million": 1e6,
    "millions": 1e6,
    "mio": 1e6,
    "m": 1e6,
    "billion": 1e9,
    "billions": 1e9,
}

# A concentration or a count per area is neither a per-kg nor a total dose.
_PER_OTHER = re.compile(
    r"\s*(?:/|per)\s*(?:(?:c|m)?m\s*(?:2|²|\^2)|m?l\b|µl|ul\b|microlit|millilit|vial|bag|well)",
    re.I,
)

# Smallest plausible cell numbers: anything smaller is not a cell dose.
_MIN_PER_KG = 1e4
_MIN_TOTAL = 1e5


@dataclass(frozen=True)
class DoseAmount:
    per_kg: bool
    values: tuple[float, ...]
    start: int
    end: int
    is_range: bool = False  # "2-3 millions/Kg" rather than "80, 160, or 240 x 10^6"


def _number(text: str) -> float:
    return float(text.replace(",", "")) if re.fullmatch(r"\d{1,3}(,\d{3})+", text) else float(text)


def dose_amounts(text: str) -> list[DoseAmount]:
    """Every cell number in the text, multiplied out: "2-3 millions/Kg" -> per kg (2e6, 3e6)."""
    text = clean(text)
    if not _DIGIT.search(text):
        return []
    found = []
    for match in _DOSE.finditer(text):
        groups = match.groupdict()
        if groups["plain"]:
            values = [_number(groups["plain"])]
        elif groups["bexp"]:
            values = [10.0 ** int(groups["bexp"].translate(_SUPERSCRIPTS))]
        else:
            numbers = [_number(n) for n in re.findall(_NUM, groups["list"])]
            if groups["exp"]:
                factor = 10.0 ** int(groups["exp"].translate(_SUPERSCRIPTS))
            elif groups["eexp"]:
                factor = 10.0 ** int(groups["eexp"])
            else:
                factor = _WORD_FACTOR[groups["word"].lower()]
            values = [n * factor for n in numbers]
        per_kg = bool(groups["perkg"])
        if not per_kg and _PER_OTHER.match(text, match.end()):
            continue
        if min(values) < (_MIN_PER_KG if per_kg else _MIN_TOTAL):
            continue
        is_range = bool(groups["list"]) and bool(
            re.search(r"\d\s*(?:-|–|—|to)\s*\d", groups["list"])
        )
        found.append(DoseAmount(per_kg, tuple(values), match.start(), match.end(), is_range))
    return found


_COUNT_WORDS = "|".join(terms.DOSE_COUNT_WORDS)
_NOT_BETWEEN = (
    r"(?!(?:days?|weeks?|months?|years?|hours?|patients|participants|subjects|after|before)\b)"
)
_DOSE_COUNT = Guarded(
    re.compile(
        rf"(?<![\w.])(?P<n>\d+|{_COUNT_WORDS})[\s-]+(?:{_NOT_BETWEEN}[\w()-]+\s+){{0,2}}?{terms.DOSE_EVENTS}(?![A-Za-z])"
        rf"|dosage:\s*(?P<single>single)"
        rf"|(?:administered|given|infused|injected|transplanted|repeated)\s+(?:\w+\s+)?(?P<times>once|twice|thrice)\b",
        re.IGNORECASE,
    ),
    scan_lowercased=True,
)
# "once a week for four weeks", "weekly for 4 weeks": the count is frequency times duration.
_SCHEDULE = Guarded(
    re.compile(
        rf"(?:(?P<per>once|twice|\d+ times) (?:a|per|every) (?P<unit>week|month)|(?P<adverb>weekly|monthly))"
        rf" for (?P<n>\d+|{_COUNT_WORDS}) (?P<span>week|month)s?",
        re.IGNORECASE,
    ),
    scan_lowercased=True,
)
# A number after these words counts something else: "type 1 diabetes treatment", "day 1 infusion".
_NOT_A_COUNT_AFTER = re.compile(
    r"(?:type|phase|day|days|grade|stage|group|arm|cohort|part|step|visit|week|month|year|of)\W*$",
    re.IGNORECASE,
)
_DOSE_LEVEL = re.compile(rf"\b{terms.DOSE_LEVEL_CUES}\W+(?:\w+\W+)?$", re.IGNORECASE)


_INTERVAL = Guarded(
    re.compile(
        rf"(?P<n>\d+|{_COUNT_WORDS}|a|an)[\s-]+(?P<unit>day|week|month|year)s?[\s-]+(?:interval|apart)"
        rf"|interval(?:s)? of (?P<n2>\d+|{_COUNT_WORDS})[\s-]+(?P<unit2>day|week|month|year)s?"
        rf"|every (?P<n3>\d+|{_COUNT_WORDS})?[\s-]*(?P<unit3>day|week|month|year)s?",
        re.IGNORECASE,
    ),
    scan_lowercased=True,
)
_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}


def _count(word: str) -> int:
    word = word.lower().removesuffix(" times")
    return int(word) if word.isdigit() else terms.DOSE_COUNT_WORDS.get(word, 1)


def dose_count(text: str) -> tuple[int, re.Match] | None:
    """How many administrations the text names ("a single infusion", "2 treatment")."""
    text = clean(text)
    schedule = _SCHEDULE.search(text)
    if schedule:
        per = 1 if schedule.group("adverb") else _count(schedule.group("per"))
        unit = (schedule.group("unit") or schedule.group("adverb")[:-2]).lower()
        if unit == schedule.group("span").lower():
            return per * _count(schedule.group("n")), schedule
    for match in _DOSE_COUNT.finditer(text):
        if match.group("single"):
            return 1, match
        if match.group("times"):
            return _count(match.group("times")), match
        before = text[: match.start()]
        if _NOT_A_COUNT_AFTER.search(before) or _DOSE_LEVEL.search(before):
            continue
        if re.search(r"diabet|mellitus", match.group(0), re.IGNORECASE):
            continue
        number = _count(match.group("n"))
        if 1 <= number <= 12:
            return number, match
    return None


def dose_interval(text: str) -> tuple[str, int, re.Match] | None:
    """The time between administrations: ("6 months", 180, match)."""
    match = _INTERVAL.search(clean(text))
    if not match:
        return None
    number = match.group("n") or match.group("n2") or match.group("n3") or "1"
    unit = (match.group("unit") or match.group("unit2") or match.group("unit3")).lower()
    count = 1 if number.lower() in ("a", "an") else _count(number)
    written = f"{count} {unit}{'s' if count != 1 else ''}"
    return written, count * _DAYS[unit], match


# --- eligibility -----------------------------------------------------------

_E_NUM = r"(?<![\w.,])\d+(?:\.\d+|,\d{1,2}(?!\d))?"
_UNIT = (
    r"(?:%|mmol\s*/\s*mol|nmol\s*/\s*l|pmol\s*/\s*ml|pmol\s*/\s*l|ng\s*/\s*ml|ng\s*/\s*dl"
    r"|kg\s*/\s*m\s*(?:2|²|\^2)|years?|yrs?|months?|weeks?|days?|y(?![a-z]))"
)
_LOWER_OPS = (
    r"≥|>=|=>|⩾|>|at least|no less than|not less than|more than|greater than|higher than"
    r"|above|over|exceeding|exceeds?|minimum(?: of)?|min\.?"
)
_UPPER_OPS = (
    r"≤|<=|=<|⩽|<|at most|no more than|not more than|less than|lower than|below|under"
    r"|within(?: the (?:past|last))?|up to|maximum(?: of)?|max\.?"
)
_LOWER_AFTER = (
    r"or more|or above|or older|or over|and over|and above|or greater|or higher|and older|\+"
)
_UPPER_AFTER = r"or less|or younger|or below|or fewer|and under|and younger|or lower"

_RANGE = Guarded(
    re.compile(
        rf"(?:between\s+(?:the\s+ages?\s+of\s+)?(?P<a>{_E_NUM})\s*(?P<ua>{_UNIT})?\s*(?:and|-|–|to)\s*(?P<b>{_E_NUM})\s*(?P<ub>{_UNIT})?)"
        rf"|(?:(?:ranged?\s+from|ranging\s+from|from)\s+)?(?P<c>{_E_NUM})\s*(?P<uc>{_UNIT})?\s*(?:-|–|—|to)\s*(?P<d>{_E_NUM})\s*(?P<ud>{_UNIT})?",
        re.IGNORECASE,
    )
)
_OP_BEFORE = Guarded(
    re.compile(
        rf"(?:(?P<lo>{_LOWER_OPS})|(?P<hi>{_UPPER_OPS}))\s*(?P<n>{_E_NUM})\s*(?P<u>{_UNIT})?",
        re.IGNORECASE,
    ),
    scan_lowercased=True,
)
_OP_AFTER = Guarded(
    re.compile(
        rf"(?P<n>{_E_NUM})\s*(?P<u>{_UNIT})?\s*(?:(?P<lo>{_LOWER_AFTER})|(?P<hi>{_UPPER_AFTER}))",
        re.IGNORECASE,
    ),
    scan_lowercased=True,
)
_STRICT = re.compile(
    r"^(?:>|<|more than|greater than|higher than|above|over|exceed|less than|lower than|below|under)",
    re.I,
)


_ANCHORS = Family((measure, [anchor]) for measure, anchor in terms.ELIGIBILITY_ANCHORS.items())
# The anchors that name a measure, all together: a row naming none has no bound.
_MEASURE_TERMS = tuple(
    anchor for measure, anchor in terms.ELIGIBILITY_ANCHORS.items() if measure != "other"
)
_ANCHOR_BEFORE_CHARS = 80
_ANCHOR_AFTER_CHARS = 2


class _Raw(NamedTuple):
    low: float | None
    high: float | None
    low_inclusive: bool
    high_inclusive: bool
    unit: str
    start: int
    end: int
    is_range: bool


_SPACES = re.compile(r"\s+")


def _unit_key(unit: str | None) -> str:
    return _SPACES.sub("", unit or "").lower().replace("kg/m^2", "kg/m2")


def _value(number: str) -> float:
    return float(number.replace(",", "."))


def _raw_bounds(text: str) -> list[_Raw]:
    found: list[_Raw] = []
    taken: list[tuple[int, int]] = []

    def free(match: re.Match) -> bool:
        return all(match.end() <= a or match.start() >= b for a, b in taken)

    for match in _RANGE.finditer(text):
        a = match.group("a") or match.group("c")
        b = match.group("b") or match.group("d")
        unit = match.group("ub") or match.group("ud") or match.group("ua") or match.group("uc")
        low, high = _value(a), _value(b)
        if low >= high:
            continue
        found.append(_Raw(low, high, True, True, _unit_key(unit), match.start(), match.end(), True))
        taken.append(match.span())
    for regex in (_OP_AFTER, _OP_BEFORE):
        for match in regex.finditer(text):
            if not free(match):
                continue
            number, unit = _value(match.group("n")), _unit_key(match.group("u"))
            operator = match.group("lo") or match.group("hi")
            inclusive = not _STRICT.match(operator) or regex is _OP_AFTER
            if match.group("lo"):
                raw = _Raw(number, None, inclusive, True, unit, match.start(), match.end(), False)
            else:
                raw = _Raw(None, number, True, inclusive, unit, match.start(), match.end(), False)
            found.append(raw)
            taken.append(match.span())
    return sorted(found, key=lambda r: r.start)


def _anchors(text: str) -> list[tuple[str, re.Match]]:
    """Every measure named in a row, with where it is named."""
    return [
        (measure, match)
        for measure, alternatives in _ANCHORS.named_in(text)
        for match in find(alternatives, text)
    ]


def _anchor(anchors: list[tuple[str, re.Match]], raw: _Raw) -> str | None:
    """The measure a bound is about: named right after its number, or the nearest one before it."""
    # "18 years old", "> 2 episodes", "< 60 mg/dL": a word right after the number names it.
    after = [
        (m.start(), measure)
        for measure, m in anchors
        if raw.start <= m.start() <= raw.end + _ANCHOR_AFTER_CHARS
        and measure != "diabetes_duration"
    ]
    if after:
        return min(after)[1]
    before = [
        (m.end(), measure)
        for measure, m in anchors
        if m.end() <= raw.start + 1 and raw.start - m.end() <= _ANCHOR_BEFORE_CHARS
    ]
    if before:
        return max(before)[1]
    return None


_NO_UNITS: dict[str, float] = {}
_UNIT_IF_NONE = {"age": "years", "bmi": "kg/m2"}  # "aged 18 to 65", "BMI 25-35"


def _normalised(measure: str, raw: _Raw) -> tuple[float | None, float | None, str] | None:
    """The bound in the measure's stored unit, or None when the unit or numbers do not fit."""
    units = terms.ELIGIBILITY_UNITS.get(measure, _NO_UNITS)
    unit = raw.unit
    if not unit:
        if measure == "diabetes_duration":
            return None
        unit = _UNIT_IF_NONE.get(measure, "")
        if measure == "hba1c":
            value = raw.low if raw.low is not None else raw.high
            unit = "%" if value is not None and value < 20 else "mmol/mol"
    elif unit not in units:
        return None
    factor = units.get(unit, 1.0)
    low = None if raw.low is None else round(raw.low * factor, 2)
    high = None if raw.high is None else round(raw.high * factor, 2)
    smallest, largest = terms.ELIGIBILITY_PLAUSIBLE[measure]
    if (low is not None and not smallest <= low <= largest) or (
        high is not None and not smallest <= high <= largest
    ):
        return None
    stored = terms.ELIGIBILITY_STORED_UNIT[measure] or _display_unit(unit)
    if measure == "hba1c" and unit == "mmol/mol":
        stored = "mmol/mol"
    return low, high, stored


_DISPLAY_UNITS = {
    "nmol/l": "nmol/L",
    "pmol/ml": "pmol/mL",
    "pmol/l": "pmol/L",
    "ng/ml": "ng/mL",
    "ng/dl": "ng/dL",
}


def _display_unit(unit: str) -> str:
    return _DISPLAY_UNITS.get(unit, unit)


def eligibility_bounds(kind: str, text: str, position: int, shown: str) -> list[Bound]:
    """The bounds one criteria row sets, as ranges of eligible values.

    An exclusion row is turned round: "BMI < 14 or > 35" excludes, so eligible is 14–35.
    A range in an exclusion row is left out (what it excludes is rarely what it seems).
    """
    text = clean(text)
    # A bound is a number tied to a measure. Most rows name no number, or no measure ("Stable
    # insulin dose for 3 months"): they are let go before the costly reading of the numbers.
    if not _DIGIT.search(text) or not may_match(_MEASURE_TERMS, text):
        return []
    anchors = _anchors(text)
    merged: dict[str, dict] = {}
    for raw in _raw_bounds(text):
        measure = _anchor(anchors, raw)
        if measure is None or measure == "other":
            continue
        normalised = _normalised(measure, raw)
        if normalised is None:
            continue
        low, high, unit = normalised
        low_inclusive, high_inclusive = raw.low_inclusive, raw.high_inclusive
        if kind == "exclusion":
            if raw.is_range:
                continue
            low, high = high, low
            low_inclusive, high_inclusive = not raw.high_inclusive, not raw.low_inclusive
        entry = merged.get(measure)
        if entry is None:
            entry = merged[measure] = {
                "low": None,
                "high": None,
                "low_inclusive": True,
                "high_inclusive": True,
                "unit": unit,
                "start": raw.start,
                "end": raw.end,
            }
        if low is not None:
            entry["low"], entry["low_inclusive"] = low, low_inclusive
        if high is not None:
            entry["high"], entry["high_inclusive"] = high, high_inclusive
        entry["start"] = min(entry["start"], raw.start)
        entry["end"] = max(entry["end"], raw.end)
    bounds = []
    for measure, entry in merged.items():
        bounds.append(
            Bound(
                measure=measure,
                low=entry["low"],
                high=entry["high"],
                low_inclusive=entry["low_inclusive"],
                high_inclusive=entry["high_inclusive"],
                unit=entry["unit"],
                kind=kind,
                criterion=shown,
                position=position,
                as_written=text[entry["start"] : entry["end"]].strip(),
            )
        )
    return bounds
