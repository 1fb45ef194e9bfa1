"""Turn the many ways pages write a value into ClinicalTrials.gov's API v2 spellings.

Shared by every parser so that "Phase 1/2", "PHASE1/PHASE2" and "phase 1/phase 2"
all become ["PHASE1", "PHASE2"]. Each function returns an empty value for input it
does not recognise rather than guessing.
"""

from __future__ import annotations

import math
import re
from datetime import date

STATUSES = (
    "NOT_YET_RECRUITING",
    "RECRUITING",
    "ENROLLING_BY_INVITATION",
    "ACTIVE_NOT_RECRUITING",
    "SUSPENDED",
    "TERMINATED",
    "COMPLETED",
    "WITHDRAWN",
    "UNKNOWN",
    "AVAILABLE",
    "NO_LONGER_AVAILABLE",
    "TEMPORARILY_NOT_AVAILABLE",
    "APPROVED_FOR_MARKETING",
    "WITHHELD",
)
PHASES = ("EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4", "NA")
STUDY_TYPES = ("INTERVENTIONAL", "OBSERVATIONAL", "EXPANDED_ACCESS")

_STATUS_ALIASES = {
    "active, not recruiting": "ACTIVE_NOT_RECRUITING",
    "active not recruiting": "ACTIVE_NOT_RECRUITING",
    "not yet recruiting": "NOT_YET_RECRUITING",
    "enrolling by invitation": "ENROLLING_BY_INVITATION",
    "unknown status": "UNKNOWN",
    "unknown": "UNKNOWN",
}


def status(text: str) -> str:
    """'Active, not recruiting' / 'ACTIVE_NOT_RECRUITING' -> 'ACTIVE_NOT_RECRUITING'; else ''."""
    key = " ".join(text.strip().strip(".").lower().split())
    if key in _STATUS_ALIASES:
        return _STATUS_ALIASES[key]
    upper = re.sub(r"[\s,\-]+", "_", key.upper())
    return upper if upper in STATUSES else ""


# "Phase 1/2", "Phase 2-3" (IRCT), "Phase 1b/2a", "PHASE1/PHASE2", "phase 1/phase 2".
_PHASE_TOKEN = re.compile(
    r"early[\s_-]*phase[\s_-]*(?:1|i)\b"
    r"|phase[\s_-]*(\d|iv|iii|ii|i)[ab]?\b(?:\s*[/-]\s*(?:phase[\s_-]*)?(\d|iv|iii|ii|i)[ab]?\b)?"
    r"|\bn/?a\b|not[\s_-]applicable",
    re.IGNORECASE,
)
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}


def phases(text: str) -> list[str]:
    """'Phase 1/2', 'PHASE1/PHASE2', 'phase 2', 'N/A', 'Early Phase 1' -> list of enum values."""
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


# Registry ids beyond NCT appear as secondary or primary ids of MSC trials.
# Bounded by non-alphanumerics rather than \b so "004_NCT02893306.txt" still yields its id.
# ASCII: \d would take other scripts' digits into an id.
REGISTRY_ID = re.compile(
    r"(?<![A-Za-z0-9])(NCT\d{8}|IRCT\d{6,}N\d+|ACTRN\d{14}|ChiCTR[-A-Z0-9]{6,}|ISRCTN\d{8}"
    r"|EUCTR\d{4}-\d{6}-\d{2}(?:-[A-Z]{2})?|CTRI/\d{4}/\d{2,3}/\d{6}|JPRN-[A-Za-z0-9]+|KCT\d{7}"
    r"|DRKS\d{8}|NL\d{4,}|TCTR\d{11}|PACTR\d{15})(?![A-Za-z0-9])",
    re.ASCII,
)


def registry_ids(text: str) -> list[str]:
    """Every registry id in the text, in order of appearance, without repeats."""
    return list(dict.fromkeys(match.group(1) for match in REGISTRY_ID.finditer(text or "")))


# --- ClinicalTrials.gov's older spellings (classic XML, the retired v1 API, CSV downloads) ---

_MASKING = {"DOUBLE_BLIND": "DOUBLE", "SINGLE_BLIND": "SINGLE", "OPEN_LABEL": "NONE"}


def design_value(text: str) -> str:
    """'Parallel Assignment' -> 'PARALLEL', 'None (Open Label)' -> 'NONE', 'N/A' -> 'NA',
    'Quadruple (Participant, ...)' -> 'QUADRUPLE'; API v2 spellings stay as they are."""
    word = enum_word(re.split(r"[(:]", text)[0])
    word = "NA" if word == "N_A" else word
    return _MASKING.get(word, word.removesuffix("_ASSIGNMENT"))


# The agency classes as the classic schema and the website's downloads spell them.
_AGENCY_CLASSES = {
    "U_S_FED": "FED",
    "US_FED": "FED",
    "INDIVIDUAL": "INDIV",
    "OTHER_GOV": "OTHER_GOV",
}


def agency_class(text: str) -> str:
    """'Industry' / 'INDUSTRY' -> 'INDUSTRY', 'U.S. Fed' -> 'FED', 'Individual' -> 'INDIV'."""
    word = enum_word(text)
    return _AGENCY_CLASSES.get(word, word)


_ENROLLMENT_TYPES = {"ACTUAL": "ACTUAL", "ANTICIPATED": "ESTIMATED", "ESTIMATE": "ESTIMATED"}
_ENROLLMENT_TYPES["ESTIMATED"] = "ESTIMATED"


def enrollment_type(text: str) -> str:
    """'Actual' -> 'ACTUAL'; 'Anticipated' (the classic word) / 'Estimated' -> 'ESTIMATED'; else ''."""
    return _ENROLLMENT_TYPES.get(enum_word(text), "")


def study_type(text: str) -> str:
    """'Interventional', 'Expanded Access:Individual Patients', 'Observational [Patient Registry]',
    'OBSERVATIONAL' -> the API v2 study type; '' for anything else."""
    word = enum_word(re.split(r"[:\[(]", text)[0])
    return word if word in STUDY_TYPES else ""
