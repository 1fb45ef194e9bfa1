"""The ClinicalTrials.gov-derived trial page WITHOUT field labels (seed tests/fixtures/002_…).

The same site as `ctgov_labeled`, saved with the field labels lost: Basic Information is
a run of bare values (RECRUITING / PHASE1 / 60 participants / INTERVENTIONAL / dates), so
each value is recognised by its shape, and where shapes coincide (the dates, the ages) by
the order the site prints them in. Sections laid out alike in both variants are read by
`ctgov_sections`.
"""

from __future__ import annotations

import re

from records import ParsedTrial

from .. import normalize
from . import ctgov_sections as sections

FORMAT = "ctgov_unlabeled"

_PHASE = r"(?:(?:early[\s_]*)?phase[\s_]*(?:[1-4]|iv|i{1,3})|n/?a)"
_PHASE_LINE = re.compile(rf"{_PHASE}(?:\s*[/,+&]\s*{_PHASE})*", re.I)
_ENROLLMENT_LINE = re.compile(
    r"(\d[\d,]*)(?:\s+(?:participants?|patients|subjects))?(?:\s*\(?(actual|estimated)\)?)?", re.I
)
_AGE_LINE = re.compile(r"\d+(?:\.\d+)?\s+(?:years?|months?|weeks?|days?|hours?|minutes?)", re.I)
# The site's order: start date, [primary completion date], completion date.
_DATE_FIELDS = {
    1: ("start_date",),
    2: ("start_date", "completion_date"),
    3: ("start_date", "primary_completion_date", "completion_date"),
}
# Study design values in the site's order, each field told apart by its own vocabulary.
_DESIGN_VOCABULARY = {
    "allocation": ("RANDOMIZED", "NON_RANDOMIZED", "NA"),
    "intervention_model": ("SINGLE_GROUP", "PARALLEL", "CROSSOVER", "FACTORIAL", "SEQUENTIAL"),
    "primary_purpose": (
        "TREATMENT",
        "PREVENTION",
        "DIAGNOSTIC",
        "ECT",
        "SUPPORTIVE_CARE",
        "SCREENING",
        "HEALTH_SERVICES_RESEARCH",
        "BASIC_SCIENCE",
        "DEVICE_FEASIBILITY",
        "OTHER",
    ),
    "masking": ("NONE", "SINGLE", "DOUBLE", "TRIPLE", "QUADRUPLE"),
}


def looks_like(text: str) -> bool:
    """The site's page (headings, boilerplate, 'NCT ID:') with none of its field labels."""
    return sections.is_site_page(text) and not sections.has_field_labels(text)


def parse(text: str) -> ParsedTrial:
    page = sections.split_page(text)
    record = sections.start_record(page, FORMAT)
    _read_basic(page.content("Basic Information"), record)
    _read_design(page.content("Study Design"), record)
    _read_eligibility(page.raw("Eligibility Criteria"), record)
    return record


def _is_year(line: str) -> bool:
    return bool(re.fullmatch(r"(19|20)\d\d", line))


def _read_basic(lines: list[str], record: ParsedTrial) -> None:
    dates: list[str] = []
    for line in lines:
        enrollment = _ENROLLMENT_LINE.fullmatch(line)
        if not record.overall_status and normalize.status(line):
            record.overall_status = normalize.status(line)
        elif not record.phases and _PHASE_LINE.fullmatch(line):
            record.phases = normalize.phases(line)
        elif record.enrollment is None and enrollment and not _is_year(line):
            record.enrollment = normalize.enrollment(line)
            record.enrollment_type = (enrollment.group(2) or "").upper()
        elif not record.study_type and normalize.enum_word(line) in normalize.STUDY_TYPES:
            record.study_type = normalize.enum_word(line)
        elif normalize.partial_date(line):
            dates.append(normalize.partial_date(line))
        else:
            record.warnings.append(f"unrecognised value in 'Basic Information': {line[:60]!r}")
    fields = _DATE_FIELDS.get(len(dates))
    if fields is None and dates:
        record.warnings.append(f"{len(dates)} dates in 'Basic Information': not assigned")
        return
    if len(dates) == 1:
        record.warnings.append("one date in 'Basic Information': taken as the start date")
    for name, value in zip(fields or (), dates, strict=False):
        setattr(record, name, value)


def _read_design(lines: list[str], record: ParsedTrial) -> None:
    for line in lines:
        value = sections.design_value(line)
        for name, vocabulary in _DESIGN_VOCABULARY.items():
            if value in vocabulary and not getattr(record.design, name):
                setattr(record.design, name, value)
                break
        else:
            record.warnings.append(f"unrecognised value in 'Study Design': {line[:60]!r}")


def _is_field_value(line: str) -> bool:
    return bool(
        _AGE_LINE.fullmatch(line)
        or line.upper() in ("ALL", "MALE", "FEMALE")
        or normalize.yes_no(line) is not None
    )


def _read_eligibility(lines: list[str], record: ParsedTrial) -> None:
    """Criteria, then bare values: ages (minimum, then maximum), sex, healthy volunteers."""
    end = len(lines)
    while end and (not lines[end - 1].strip() or _is_field_value(lines[end - 1].strip())):
        end -= 1
    eligibility = record.eligibility
    ages: list[str] = []
    for line in (line.strip() for line in sections.fill_criteria(record, lines, end)):
        if _AGE_LINE.fullmatch(line):
            ages.append(line)
        elif normalize.sex(line):
            eligibility.sex = normalize.sex(line)
        elif normalize.yes_no(line) is not None:
            eligibility.healthy_volunteers = normalize.yes_no(line)
    if ages:
        eligibility.minimum_age = ages[0]
    if len(ages) == 1:
        record.warnings.append(f"one unlabelled age limit ({ages[0]}) was taken as the minimum age")
    elif len(ages) >= 2:
        eligibility.maximum_age = ages[1]
