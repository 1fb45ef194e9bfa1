"""The ClinicalTrials.gov-derived trial page WITH field labels (seed tests/fixtures/000_…).

Values sit under labels: "Recruitment Status" then "COMPLETED" on the next line (or on
the same line when table cells ran together). Sections laid out alike in both variants
are read by `ctgov_sections`; this module reads the label-driven ones: Basic Information,
Study Design and the age/sex/volunteer fields under the eligibility criteria.
"""

from __future__ import annotations

import re

from records import ParsedTrial

from .. import normalize
from . import ctgov_sections as sections

FORMAT = "ctgov_labeled"

_BASIC_LABELS = {
    "Recruitment Status": "overall_status",
    "Overall Status": "overall_status",
    "Clinical Phase": "phases",
    "Total Enrollment": "enrollment",
    "Study Classification": "study_type",
    "Study Type": "study_type",
    "Study Start Date": "start_date",
    "Primary Completion Date": "primary_completion_date",
    "Study Completion Date": "completion_date",
}
_DESIGN_LABELS = {
    "Allocation Method": "allocation",
    "Intervention Model": "intervention_model",
    "Primary Study Purpose": "primary_purpose",
    "Blinding Strategy": "masking",
    "Masking": "masking",
}
_ELIGIBILITY_LABELS = {
    "Minimum Eligible Age": "minimum_age",
    "Maximum Eligible Age": "maximum_age",
    "Eligible Sex": "sex",
    "Accepts Healthy Volunteers": "healthy_volunteers",
}


def looks_like(text: str) -> bool:
    """The site's page ('NCT ID:', its headings/boilerplate) that still has its field labels."""
    return sections.is_site_page(text) and sections.has_field_labels(text)


def parse(text: str) -> ParsedTrial:
    page = sections.split_page(text)
    record = sections.start_record(page, FORMAT)
    _read_basic(page.content("Basic Information"), record)
    _read_design(page.content("Study Design"), record)
    _read_eligibility(page.raw("Eligibility Criteria"), record)
    return record


def _match_label(line: str, labels: dict[str, str]) -> tuple[str, str] | None:
    for label, key in labels.items():
        value = sections.after_label(line, label)
        if value is not None:
            return key, value
    return None


def _label_values(
    lines: list[str], labels: dict[str, str], where: str, warnings: list[str]
) -> dict:
    """{field: value} from label lines, each followed by its value (or carrying it inline)."""
    values: dict[str, str] = {}
    pending = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        found = _match_label(line, labels)
        if found:
            key, value = found
            if value:
                values[key] = value
            pending = "" if value else key
        elif pending:
            values[pending] = line
            pending = ""
        else:
            warnings.append(f"unlabelled value in '{where}': {line[:60]!r}")
    return values


def _read_basic(lines: list[str], record: ParsedTrial) -> None:
    values = _label_values(lines, _BASIC_LABELS, "Basic Information", record.warnings)
    if "overall_status" in values:
        record.overall_status = normalize.status(values["overall_status"])
    if "phases" in values:
        record.phases = normalize.phases(values["phases"])
    if "enrollment" in values:
        record.enrollment = normalize.enrollment(values["enrollment"])
        kind = re.search(r"\b(actual|estimated)\b", values["enrollment"], re.I)
        record.enrollment_type = kind.group(1).upper() if kind else ""
    if "study_type" in values:
        word = normalize.enum_word(values["study_type"])
        record.study_type = word if word in normalize.STUDY_TYPES else ""
    for key in ("start_date", "primary_completion_date", "completion_date"):
        if key in values:
            setattr(record, key, normalize.partial_date(values[key]))
    for key, value in values.items():
        if getattr(record, key) in ("", [], None):
            record.warnings.append(f"unrecognised {key.replace('_', ' ')} {value!r}")


def _read_design(lines: list[str], record: ParsedTrial) -> None:
    values = _label_values(lines, _DESIGN_LABELS, "Study Design", record.warnings)
    for key, value in values.items():
        setattr(record.design, key, sections.design_value(value))


def _read_eligibility(lines: list[str], record: ParsedTrial) -> None:
    """Criteria first, then the labelled age/sex/volunteer fields."""
    end = len(lines)
    for i, line in enumerate(lines):
        if _match_label(line.strip(), _ELIGIBILITY_LABELS):
            end = i
            break
    tail = sections.fill_criteria(record, lines, end)
    values = _label_values(tail, _ELIGIBILITY_LABELS, "Eligibility Criteria", record.warnings)
    eligibility = record.eligibility
    eligibility.minimum_age = values.get("minimum_age", "")
    eligibility.maximum_age = values.get("maximum_age", "")
    eligibility.sex = normalize.sex(values.get("sex", ""))
    eligibility.healthy_volunteers = normalize.yes_no(values.get("healthy_volunteers", ""))
