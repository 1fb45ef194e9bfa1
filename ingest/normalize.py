"""Turn the many ways pages write a value into ClinicalTrials.gov's API v2 spellings.

Shared by every parser so that "Phase 1/2", "PHASE1/PHASE2" and "phase 1/phase 2"
all become ["PHASE1", "PHASE2"]. Each function returns an empty value for input it
does not recognise rather than guessing.
"""

from __future__ import annotations

import math
import re
from datetime import date

from catalogue import registries

from . import spellings

STATUSES = spellings.STATUS_VALUES
PHASES = spellings.PHASE_VALUES
STUDY_TYPES = ("INTERVENTIONAL", "OBSERVATIONAL", "EXPANDED_ACCESS")


def status(text: str) -> str:
    """'Active, not recruiting' / 'ACTIVE_NOT_RECRUITING' / 'Recruiting complete' -> the
    catalogue's status, from the one spelling table (`ingest.spellings`); else ''."""
    return spellings.status(text) or ""


# Phases inside longer text: "Phase 1/2", "Phase 2-3" (IRCT), "Phase 1b/2a", "PHASE1/PHASE2",
# "NCT01719640 COMPLETED PHASE1/PHASE2" (a related-trial line).
_PHASE_TOKEN = re.compile(
    r"early[\s_-]*phase[\s_-]*(?:1|i)\b"
    r"|phase[\s_-]*(\d|iv|iii|ii|i)[ab]?\b(?:\s*[/-]\s*(?:phase[\s_-]*)?(\d|iv|iii|ii|i)[ab]?\b)?"
    r"|\bn/?a\b|not[\s_-]applicable",
    re.IGNORECASE,
)
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}


def phases(text: str) -> list[str]:
    """'Phase 1/2', 'PHASE1/PHASE2', 'phase 2', 'N/A', 'Early Phase 1' -> list of enum values.

    A whole value in the spelling table (`ingest.spellings`) is read from there; otherwise
    the phases named anywhere in the text."""
    known = spellings.phases(text)
    if known is not None:
        return list(known)
    found: list[str] = []
    for match in _PHASE_TOKEN.finditer(text):
        token = match.group(0).lower()
        if token.startswith("early"):
            values = ["EARLY_PHASE1"]
        elif token.replace("/", "") == "na" or token.startswith("not"):
            values = ["NA"]
        else:
            values = ["PHASE" + _ROMAN.get(g.lower(), g) for g in match.groups() if g]
        for value in values:
            if value in PHASES and value not in found:
                found.append(value)
    return found


def enum_word(text: str) -> str:
    """'Single Group Assignment' -> 'SINGLE_GROUP_ASSIGNMENT'; keeps 'SINGLE_GROUP' as it is."""
    return re.sub(r"[^A-Z0-9]+", "_", text.strip().upper()).strip("_")


_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}


def partial_date(text: str) -> str:
    """A date as precise as written: '2012-03-04', 'March 2012' -> '2012-03', 'March 4, 2012', '2012'."""
    # [0-9], not \d: "٢٠١٢" (Arabic-Indic digits) would otherwise pass through as a year.
    text = text.strip().rstrip(".")
    m = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})(?:-([0-9]{1,2}))?", text)
    if m:
        year, month, day = m.groups()
        return _iso(int(year), int(month), int(day) if day else None)
    m = re.fullmatch(r"([A-Za-z]+)\.?\s+(?:([0-9]{1,2}),?\s+)?([0-9]{4})", text)
    if m and m.group(1).lower() in _MONTHS:
        day = int(m.group(2)) if m.group(2) else None
        return _iso(int(m.group(3)), _MONTHS[m.group(1).lower()], day)
    m = re.fullmatch(r"([0-9]{1,2})\s+([A-Za-z]+)\.?\s+([0-9]{4})", text)
    if m and m.group(2).lower() in _MONTHS:
        return _iso(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)))
    m = re.fullmatch(r"([0-9]{4})", text)
    if m:
        return m.group(1)
    return ""


def _iso(year: int, month: int, day: int | None) -> str:
    try:
        date(year, month, day or 1)
    except ValueError:
        return ""
    return f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day else "")


# The number must start at a digit run's first digit: otherwise a long run of digits with
# no unit after it is retried from every one of its digits (quadratic time).
_AGE = re.compile(
    r"(?<!\d)(\d+(?:\.\d+)?)\s*(years?|yrs?|months?|weeks?|days?|hours?|minutes?)", re.I
)
_UNIT_YEARS = {"y": 1.0, "m": 1 / 12, "w": 7 / 365.25, "d": 1 / 365.25, "h": 1 / 8766}


def age_in_years(text: str) -> float | None:
    """'5 Years' -> 5.0, '6 Months' -> 0.5; None when no age is written (or it is not finite)."""
    m = _AGE.search(text or "")
    if not m:
        return None
    unit = m.group(2).lower()
    factor = 1 / 525960 if unit.startswith("min") else _UNIT_YEARS[unit[0]]
    years = float(m.group(1)) * factor  # 400 digits make float("inf")
    return round(years, 4) if math.isfinite(years) else None


# The catalogue's enrollment column is a Postgres integer; no trial enrols more anyway.
MAX_ENROLLMENT = 2_147_483_647


def enrollment(text: str) -> int | None:
    """'10 participants' / '1,200' -> int; None when there is no number or it is absurdly large."""
    m = re.search(r"\d[\d,]*", text or "")
    if not m:
        return None
    digits = m.group(0).replace(",", "").lstrip("0") or "0"
    # Too many digits for the column (and for int(), which refuses more than 4300 of them).
    if len(digits) > len(str(MAX_ENROLLMENT)):
        return None
    value = int(digits)
    return value if value <= MAX_ENROLLMENT else None


_SEX = {"all": "ALL", "both": "ALL", "male": "MALE", "female": "FEMALE"}


def sex(text: str) -> str:
    """'All' / 'Male or female' / 'Males and females' -> 'ALL'; 'Female' -> 'FEMALE'; else ''."""
    key = " ".join(text.strip().strip(".").lower().split())
    if key in _SEX:
        return _SEX[key]
    words = set(re.findall(r"[a-z]+", key))
    if words & {"male", "males", "men"} and words & {"female", "females", "women"}:
        return "ALL"
    if "sexes" in words and "both" in words:
        return "ALL"
    return ""


def yes_no(text: str) -> bool | None:
    key = text.strip().lower().rstrip(".")
    if key in ("yes", "true", "accepts healthy volunteers"):
        return True
    if key in ("no", "false"):
        return False
    return None


# Every registry's id, in every written form, from the one table of registries; ids come
# back canonical ("EUCTR2014-002345-12-GB" -> the EudraCT number "2014-002345-12").
REGISTRY_ID = registries.ID_PATTERN


def registry_ids(text: str) -> list[str]:
    """Every registry id in the text, canonical, in order of appearance, without repeats."""
    return registries.find_ids(text)


def claimed_id(token: str) -> str:
    """A labelled own id as written when it claims a known registry by its prefix, valid or
    not ("NCTXXXX"), so `detect.parse_document` can refuse it with the reason; else ""."""
    token = token.strip().rstrip(".,;")
    return token if token and registries.claimed_by(token) else ""


def id_problem(identifier: str) -> str:
    """Why an own id with a known registry's prefix is not that registry's id ("" if it is fine)."""
    return registries.shape_problem(identifier)
