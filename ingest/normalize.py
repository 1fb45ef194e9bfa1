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


def claimed_id(token: str) -> str:
    """A labelled own id as written when it claims a known registry by its prefix, valid or
    not ("NCTXXXX"), so `detect.parse_document` can refuse it with the reason; else ""."""
    token = token.strip().rstrip(".,;")
    return token if token and registries.claimed_by(token) else ""


def id_problem(identifier: str) -> str:
    """Why an own id with a known registry's prefix is not that registry's id ("" if it is fine)."""
    return registries.shape_problem(identifier)


# --- values as registries beyond ClinicalTrials.gov write them (WHO ICTRP, their pages) ---


def registry_date(text: str, *, day_first: bool = True) -> str:
    """A date as registries write it: what `partial_date` reads, '20200115' (ICTRP's
    Date_registration3), '2020/01/15', and '15/01/2020'. Day first is how ICTRP and most
    registries outside the US write it; with `day_first=False` such a date is read only
    when it cannot be month first (15/01/2020), since a page of unknown origin may be US."""
    text = (text or "").strip().rstrip(".")
    iso = partial_date(text)
    if iso:
        return iso
    m = re.fullmatch(r"([0-9]{4})([0-9]{2})([0-9]{2})", text)
    if m:
        return _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = re.fullmatch(r"([0-9]{4})[/.]([0-9]{1,2})[/.]([0-9]{1,2})", text)
    if m:
        return _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = re.fullmatch(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})", text)
    if m:
        first, second, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if day_first or first > 12:
            return _iso(year, second, first)
    return ""


_AGE_LIMIT = re.compile(
    r"([0-9]+(?:\.[0-9]+)?)\s*(y|yrs?|years?|years?\(s\)|m|mos?|months?|months?\(s\)"
    r"|w|wks?|weeks?|weeks?\(s\)|d|days?|days?\(s\)|h|hours?)\.?(?:[\s-]+(?:old|of age))?",
    re.I,
)
_AGE_UNITS = {"y": "Years", "m": "Months", "w": "Weeks", "d": "Days", "h": "Hours"}
_NO_AGE_LIMIT = {
    "no limit",
    "no limits",
    "no age limit",
    "none",
    "n/a",
    "na",
    "not applicable",
    "not stated",
    "no",
    "-",
}


def age_limit(text: str) -> str | None:
    """An age limit in the catalogue's spelling: '18Y', '18 Years', '18.00 Year(s)' ->
    '18 Years', '6M' -> '6 Months'; '' for no limit ('No limit', 'N/A'); None when it
    cannot be read (a bare number says no unit: it is not taken to be years)."""
    folded = " ".join((text or "").split()).casefold()
    if folded in _NO_AGE_LIMIT or not folded:
        return ""
    m = _AGE_LIMIT.fullmatch(folded)
    if not m:
        return None
    number = m.group(1)
    if "." in number:
        number = number.rstrip("0").rstrip(".")
    return f"{number} {_AGE_UNITS[m.group(2)[0]]}"


def target_size(text: str) -> int | None:
    """A target sample size: '60' / '60 participants' -> 60; by group, 'Group A:49;Group B:49;'
    -> 98 (the sum), unless a part is the total ('...;Total:98'); None when a part states
    no number or nothing does."""
    parts = [p.strip() for p in re.split(r"[;\n]", text or "") if p.strip()]
    if len(parts) == 1 and ":" not in parts[0]:
        return enrollment(parts[0])
    total = 0
    for part in parts:
        label, _, number = part.rpartition(":")
        count = enrollment(number)
        if count is None:
            return None
        if re.search(r"\b(?:total|overall|in all)\b", label, re.I):
            return count
        total += count
    return total if parts and total <= MAX_ENROLLMENT else None


def study_type(text: str) -> str:
    """'Interventional', 'Interventional study', 'Interventional clinical trial of medicinal
    product' (EU CTR), 'Observational' -> the catalogue's study type; else ''."""
    words = set(re.findall(r"[a-z]+", (text or "").casefold()))
    found = [
        value
        for value, word in (
            ("INTERVENTIONAL", "interventional"),
            ("OBSERVATIONAL", "observational"),
            ("EXPANDED_ACCESS", "expanded"),
        )
        if word in words
    ]
    return found[0] if len(found) == 1 else ""


def split_list(text: str, separators: str = ";") -> list[str]:
    """A field holding several values ('China;India;', one per line): each value once, in order."""
    pattern = "[" + re.escape(separators) + "\n]"
    values = (v.strip() for v in re.split(pattern, text or ""))
    return list(dict.fromkeys(v for v in values if v))
