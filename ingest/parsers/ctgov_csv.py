"""A row of ClinicalTrials.gov's CSV download: less than a record, but what many researchers have.

Two headers exist, and both are read by column name (the website let people pick columns):
- the classic download (until 2023): `Rank, NCT Number, Title, Acronym, Status, Study Results,
  Conditions, Interventions, Outcome Measures, Sponsor/Collaborators, Gender, Age, Phases,
  Enrollment, Funded Bys, Study Type, Study Designs, Other IDs, Start Date, ..., Locations,
  Study Documents, URL`, values spelled for people ("Active, not recruiting", "Phase 1|Phase 2",
  "September 2010", "18 Years to 65 Years   (Adult, Older Adult)");
- the current download and API v2's `format=csv`: `NCT Number, Study Title, Study URL, Acronym,
  Study Status, Brief Summary, ..., Primary/Secondary/Other Outcome Measures, Sponsor,
  Collaborators, Sex, ..., Funder Type, Study Design, ...`, values spelled as API v2
  ("RECRUITING", "PHASE1|PHASE2").
Several values in one cell are joined with "|". A stored document is the header line and
one row (`ingest.detect` cuts a file into them), so a row re-parses alone.

What a row cannot say, and is therefore left empty rather than guessed:
- the classic `Outcome Measures` joins primary, secondary and other measures with no kind,
  so its outcomes have kind "" (the current header's three columns give the kind); a cell of
  the current download is kept whole as the measure, time frame and description included;
- `Funded Bys` lists the distinct classes of the sponsors, lead first ("Other|Industry"):
  only the lead's class is known. Its "Other" is every class but Industry, NIH and U.S. Fed
  (a government agency or a person too): a full record says more, and outranks the row;
- `Other IDs` does not say which id is the organisation's own, so none is typed;
- the classic `Sponsor/Collaborators` sometimes ends with the responsible investigator's
  institution, which the full record does not list as a collaborator: it is read as one;
- a location is "site, city[, state], country" and site names hold commas: the country is
  taken from the end ("Korea, Republic of" whole), the city before it; one more part before
  the city is the state unless it reads as part of the site's name (see `location`);
- no eligibility criteria, arms, descriptions, investigators or enrollment type.

A row the download spells in a way this module does not know (a wrong number of cells, an
unknown status or phase, an unreadable date or enrollment) fails with the reason: a
registry's own download has fixed spellings, so an unknown one means a damaged file or a
new format, and guessing would store a wrong value.
"""

from __future__ import annotations

import csv
import re

from records import (
    Eligibility,
    Intervention,
    Location,
    Outcome,
    ParsedTrial,
    ParseError,
    SecondaryId,
    Sponsor,
)

from .. import normalize
from ..text import clean, decode, squash
from .ctgov_json import unique
from .ctgov_sections import AGENCY_CLASSES, INTERVENTION_TYPES

FORMAT = "ctgov_csv"

# Each value's column in the classic and in the current header.
ID = "NCT Number"
TITLE = ("Title", "Study Title")
ACRONYM = ("Acronym",)
STATUS = ("Status", "Study Status")
SUMMARY = ("Brief Summary",)
RESULTS = ("Study Results",)
CONDITIONS = ("Conditions",)
INTERVENTIONS = ("Interventions",)
OUTCOMES = {
    "Outcome Measures": "",
    "Primary Outcome Measures": "primary",
    "Secondary Outcome Measures": "secondary",
    "Other Outcome Measures": "other",
}
SPONSORS = ("Sponsor/Collaborators",)  # the lead first, then the collaborators
LEAD = ("Sponsor",)
COLLABORATORS = ("Collaborators",)
SEX = ("Gender", "Sex")
AGE = ("Age",)
PHASES = ("Phases",)
ENROLLMENT = ("Enrollment",)
FUNDERS = ("Funded Bys", "Funder Type")
STUDY_TYPE = ("Study Type",)
DESIGN = ("Study Designs", "Study Design")
OTHER_IDS = ("Other IDs",)
DATES = {
    "start_date": ("Start Date",),
    "primary_completion_date": ("Primary Completion Date",),
    "completion_date": ("Completion Date",),
    "first_posted": ("First Posted",),
    "last_update": ("Last Update Posted",),
}
RESULTS_POSTED = ("Results First Posted",)
LOCATIONS = ("Locations",)
# Every column name either header uses; a header is recognised by them.
KNOWN = frozenset(
    {
        ID,
        *TITLE,
        *ACRONYM,
        *STATUS,
        *SUMMARY,
        *RESULTS,
        *CONDITIONS,
        *INTERVENTIONS,
        *OUTCOMES,
        *SPONSORS,
        *LEAD,
        *COLLABORATORS,
        *SEX,
        *AGE,
        *PHASES,
        *ENROLLMENT,
        *FUNDERS,
        *STUDY_TYPE,
        *DESIGN,
        *OTHER_IDS,
        *(name for names in DATES.values() for name in names),
        *RESULTS_POSTED,
        *LOCATIONS,
        "Rank",
        "URL",
        "Study URL",
        "Study Documents",
    }
)
_RESULTS = {"has results": True, "yes": True, "no results available": False, "no": False}
_DESIGN_FIELDS = {
    "ALLOCATION": "allocation",
    "INTERVENTION_MODEL": "intervention_model",
    "PRIMARY_PURPOSE": "primary_purpose",
    "MASKING": "masking",
}
_SURROGATE = re.compile("[\ud800-\udfff]")
_TYPED = re.compile(r"([A-Za-z][A-Za-z_ ]*?):\s*(.*)", re.S)
_AGE = r"\d+ (?:Years?|Months?|Weeks?|Days?|Hours?|Minutes?)"
_AGE_RANGE = re.compile(
    rf"(?:(?P<low>{_AGE}) to (?P<high>{_AGE})|(?P<older>{_AGE}) and older|up to (?P<upto>{_AGE}))",
    re.I,
)
_AGE_GROUPS = re.compile(
    r"(?:child|adult|older[ _]adult)(?:\s*,\s*(?:child|adult|older[ _]adult))*", re.I
)


def looks_like(text: str) -> bool:
    """Text whose first line is a ClinicalTrials.gov download's header (by its column names)."""
    line = text.lstrip("\ufeff").split("\n", 1)[0].strip("\r")
    if ID not in line:
        return False
    try:
        header = next(csv.reader([line]))
    except (csv.Error, StopIteration):
        return False
    return ID in header and len(KNOWN.intersection(header)) >= 3


def header_problem(header: list[str]) -> str:
    """Why a header line cannot head a download of trials ('' when it can)."""
    if ID not in header:
        return f"no {ID!r} column"
    if len(set(header)) != len(header):
        return "a column name repeats"
    return ""


def row_id(header: list[str], cells: list[str]) -> str:
    """The row's NCT id as the id column states it, or ''."""
    if len(cells) != len(header):
        return ""
    value = cells[header.index(ID)].strip()
    return value if re.fullmatch(r"NCT\d{8}", value) else ""


def parse(data: bytes | str) -> ParsedTrial:
    """A stored document: the header line and one row."""
    text = decode(data) if isinstance(data, bytes) else data
    # What Postgres cannot store (`decode` refuses NUL bytes; text from a caller may hold it).
    if "\x00" in text:
        raise ParseError("binary file (contains NUL characters)")
    if not text.isascii() and _SURROGATE.search(text):
        raise ParseError("text with unpaired surrogate characters")
    try:
        rows = [cells for cells in csv.reader(text.splitlines(keepends=True)) if cells]
    except csv.Error as error:
        raise ParseError(f"unreadable CSV: {error}") from error
    if not rows or not looks_like(text):
        raise ParseError("not a ClinicalTrials.gov CSV download (no known header)")
    if len(rows) != 2:
        raise ParseError(f"expected the header and one row, found {len(rows) - 1} rows")
    return parse_row(rows[0], rows[1])


def problems(header: list[str], cells: list[str]) -> list[str]:
    """What makes a row unreadable (cheap: `ingest.detect` asks it of every row of a file)."""
    if len(cells) != len(header):
        return [f"{len(cells)} cells where the header has {len(header)}"]
    row = dict(zip(header, cells, strict=True))
    found = []
    if not row_id(header, cells):
        found.append(f"no valid {ID} ({row[ID].strip()[:40]!r})")
    status = _cell(row, STATUS)
    if status and not normalize.status(status):
        found.append(f"unknown status {status[:60]!r}")
    for phase in _split(_cell(row, PHASES)):
        if not normalize.phases(phase):
            found.append(f"unknown phase {phase[:60]!r}")
    for names in (*DATES.values(), RESULTS_POSTED):
        value = _cell(row, names)
        if value and not normalize.partial_date(value):
            found.append(f"unreadable {_column(row, names)} {value[:60]!r}")
    enrollment = _cell(row, ENROLLMENT)
    if enrollment and not _count(enrollment) and enrollment != "0":
        found.append(f"unreadable enrollment {enrollment[:60]!r}")
    return found


def _count(text: str) -> int | None:
    digits = text.replace(",", "")
    if digits.isascii() and digits.isdigit() and int(digits) <= normalize.MAX_ENROLLMENT:
        return int(digits)
    return None


def _cell(row: dict[str, str], names: tuple[str, ...]) -> str:
    """The first of `names` the header has, its value with spaces folded ('' if none)."""
    for name in names:
        if name in row:
            return squash(row[name].replace("\xa0", " ")).strip()
    return ""


def _column(row: dict[str, str], names: tuple[str, ...]) -> str:
    return next((name for name in names if name in row), names[0])


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split("|") if part.strip()]


def _text(value: str) -> str:
    """Free text as the other parsers give it (markdown escapes undone, spaces folded)."""
    return squash(clean(value)).strip()


def parse_row(header: list[str], cells: list[str]) -> ParsedTrial:
    found = problems(header, cells)
    if found:
        raise ParseError("; ".join(found))
    row = dict(zip(header, cells, strict=True))
    record = ParsedTrial(source_format=FORMAT, registry_id=row_id(header, cells))
    record.brief_title = _text(_cell(row, TITLE))
    record.acronym = _cell(row, ACRONYM)
    record.brief_summary = _text(row.get(SUMMARY[0], ""))
    record.overall_status = normalize.status(_cell(row, STATUS))
    record.phases = unique(p for part in _split(_cell(row, PHASES)) for p in normalize.phases(part))
    record.enrollment = _count(_cell(row, ENROLLMENT))
    _study_type(_cell(row, STUDY_TYPE), record)
    for name, names in DATES.items():
        setattr(record, name, normalize.partial_date(_cell(row, names)))
    _results(row, record)
    record.conditions = unique(_text(c) for c in _split(_cell(row, CONDITIONS)))
    record.interventions = _interventions(_cell(row, INTERVENTIONS))
    for column, kind in OUTCOMES.items():
        for measure in _split(row.get(column, "")):
            record.outcomes.append(Outcome(kind=kind, measure=_text(measure)))
    _sponsors(row, record)
    _eligibility(row, record)
    _design(_cell(row, DESIGN), record)
    record.secondary_ids = [
        SecondaryId(identifier)
        for identifier in unique(_split(_cell(row, OTHER_IDS)))
        if identifier != record.registry_id
    ]
    record.locations = [location(site) for site in _split(row.get(LOCATIONS[0], ""))]
    record.countries = unique(loc.country for loc in record.locations)
    return record


def _study_type(written: str, record: ParsedTrial) -> None:
    record.study_type = normalize.study_type(written)
    if written and not record.study_type:
        record.warnings.append(f"unknown study type {written[:60]!r}; left empty")


def _results(row: dict[str, str], record: ParsedTrial) -> None:
    written = _cell(row, RESULTS)
    record.results_posted = _RESULTS.get(written.lower())
    if _cell(row, RESULTS_POSTED):
        record.results_posted = True
    elif written and record.results_posted is None:
        record.warnings.append(f"unknown Study Results value {written[:60]!r}; left empty")


def _interventions(cell: str) -> list[Intervention]:
    """'Biological: MSC|Drug: Placebo'; a type written twice ('Biological: Biological: MSC')
    is the registrant repeating the type, not part of the name."""
    out: list[Intervention] = []
    for item in _split(cell):
        kind, name = _typed(item)
        if kind:
            again, rest = _typed(name)
            if again == kind and rest:
                name = rest
        name = _text(name)
        if name and all(i.name != name for i in out):
            out.append(Intervention(name=name, intervention_type=kind))
    return out


def _typed(item: str) -> tuple[str, str]:
    """('BIOLOGICAL', 'MSC') from 'Biological: MSC' / 'BIOLOGICAL: MSC'; ('', item) otherwise."""
    match = _TYPED.fullmatch(item)
    if match:
        kind = normalize.enum_word(match.group(1))
        if kind in (*INTERVENTION_TYPES, "OTHER"):
            return kind, match.group(2).strip()
    return "", item


def _sponsors(row: dict[str, str], record: ParsedTrial) -> None:
    if any(name in row for name in SPONSORS):
        names = _split(_cell(row, SPONSORS))
    else:
        names = _split(_cell(row, LEAD))[:1] + _split(_cell(row, COLLABORATORS))
    funders = _split(_cell(row, FUNDERS))
    lead_class = normalize.agency_class(funders[0]) if funders else ""
    if lead_class and lead_class not in AGENCY_CLASSES:
        record.warnings.append(f"unknown funder type {funders[0][:60]!r}; left empty")
        lead_class = ""
    for number, name in enumerate(unique(names)):
        if number == 0:
            record.sponsors.append(Sponsor(name, "lead", lead_class))
        else:
            record.sponsors.append(Sponsor(name, "collaborator"))


def _eligibility(row: dict[str, str], record: ParsedTrial) -> None:
    sex = _cell(row, SEX)
    record.eligibility = Eligibility(sex=normalize.sex(sex))
    if sex and not record.eligibility.sex:
        record.warnings.append(f"unknown sex {sex[:60]!r}; left empty")
    age = _cell(row, AGE)
    # "18 Years to 65 Years (Adult, Older Adult)", "18 Years and older (...)", "up to 75
    # Years (...)", or the age groups alone ("Child, Adult, Older Adult": no limits stated).
    limits = re.sub(r"\s*\([^()]*\)$", "", age).strip()
    if not limits or _AGE_GROUPS.fullmatch(limits):
        return
    match = _AGE_RANGE.fullmatch(limits)
    if not match:
        record.warnings.append(f"unreadable age range {age[:60]!r}; left empty")
        return
    record.eligibility.minimum_age = match["low"] or match["older"] or ""
    record.eligibility.maximum_age = match["high"] or match["upto"] or ""


def _design(cell: str, record: ParsedTrial) -> None:
    """'Allocation: Randomized|Intervention Model: Parallel Assignment|Masking: ...'; the
    observational model and time perspective have no place in the catalogue."""
    for part in _split(cell):
        label, _, value = part.partition(":")
        name = _DESIGN_FIELDS.get(normalize.enum_word(label))
        if name:
            setattr(record.design, name, normalize.design_value(value))


# A country name never ends in "of": "Korea, Republic of", "Congo, The Democratic Republic of
# the" and "Palestinian Territory, occupied" are one country split by the comma.
_COUNTRY_TAIL = re.compile(r"(?:\bof|\bof the|\boccupied)$", re.I)
# Words of an institution's name: a part holding one belongs to the site, not to the address.
_SITE_WORDS = re.compile(
    r"hospital|hôpital|hopital|ospedale|szpital|spital|sjukhus|sykehus|ziekenhuis|nemocnice"
    r"|universi|klinik|clinic|klinikum|hospitalier|cent(?:er|re|ro)|zentrum|institut|department"
    r"|dept\b|service|servicio|school|college|facult|medical|medicine|medizin|research|health"
    r"|foundation|fundaci|trust|nhs\b|campus|praxis|unit\b|unidad|laborator|division|section"
    r"|academy|gmbh|\bltd|\binc\b|\bllc\b|\bco\.|\bs\.a\.|\ba\.s\.|\bo\.z\.|corporation|company"
    r"|study|studien|professor|\bward\b|network|group|affiliated|biotech|pharma",
    re.I,
)
# A postal code (the current download writes "site, city, state, zip, country").
_POSTAL = re.compile(r"(?=[A-Z0-9 -]*\d)[A-Z0-9][A-Z0-9 -]{1,9}", re.I)


def location(text: str) -> Location:
    """'Fuzhou General Hospital, Fuzhou, Fujian, China' -> site, city, state, country.

    Site names hold commas ("Armed Police General Hospital, P.R. China, Beijing, China"), so
    a part between the site and the city cannot always be told from a state: it is the state
    unless it reads as part of the site's name (an institution's word, or the country's own
    name). A United States site always has a state (the registry requires one).
    """
    parts = [part.strip().rstrip(",").strip() for part in text.split(", ")]
    if len(parts) >= 2 and _COUNTRY_TAIL.search(parts[-1]):
        parts[-2:] = [", ".join(parts[-2:])]
    country = parts.pop()
    if len(parts) >= 3 and _POSTAL.fullmatch(parts[-1]):
        parts.pop()
    if not parts:
        return Location(country=country)
    if len(parts) == 1:
        return Location(city=parts[0], country=country)
    if len(parts) == 2 and country == "United States":  # a US site with no site name
        return Location(city=parts[0], state=parts[1], country=country)
    state = ""
    if len(parts) >= 3:
        before = parts[-2]
        first_word = country.split(",")[0].casefold()
        site_like = _SITE_WORDS.search(before) or first_word in before.casefold()
        if country == "United States" or not site_like:
            state = parts.pop()
    city = parts.pop()
    return Location(facility=", ".join(parts), city=city, state=state, country=country)
