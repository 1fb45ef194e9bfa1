"""ClinicalTrials.gov classic `<clinical_study>` XML (older downloads and archives).

The schema spells values for people ("Phase 1/Phase 2", "Parallel Assignment",
"Quadruple (Participant, Investigator)", "November 2006") and wraps long text in
`<textblock>`s hard-wrapped at ~70 columns; this module turns both into the API v2
spellings and the unwrapped text the other parsers give. Older records write the
design as one `<study_design>` sentence and dates as `<lastchanged_date>`; both are read.
Parsed with defusedxml: archive files are untrusted input.
"""

from __future__ import annotations

import re
import textwrap
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError as XmlSyntaxError
from defusedxml.ElementTree import fromstring

from records import (
    Arm,
    Design,
    Eligibility,
    Intervention,
    Investigator,
    Location,
    Outcome,
    ParsedTrial,
    ParseError,
    Reference,
    SecondaryId,
    Sponsor,
)

from .. import normalize
from ..text import clean, squash
from .ctgov_json import criteria, unique

FORMAT = "ctgov_xml"

EXPECTED = ("overall_status", "study_type", "brief_summary", "eligibility", "sponsors")
_OUTCOMES = (
    ("primary_outcome", "primary"),
    ("secondary_outcome", "secondary"),
    ("other_outcome", "other"),
)


def looks_like(text: str) -> bool:
    """An XML document whose root (or whose first record) is a `<clinical_study>`."""
    head = text.lstrip("\ufeff \t\r\n")[:4096]
    return head.startswith("<") and "<clinical_study" in head


def load(data: bytes | str) -> Element:
    """The document's root element; ParseError for malformed or unsafe XML (entities, DTDs)."""
    try:
        # Bytes keep the XML declaration's encoding in charge; text is UTF-8 already.
        return fromstring(data if isinstance(data, bytes) else data.encode("utf-8"))
    except (XmlSyntaxError, DefusedXmlException, ValueError, LookupError) as error:
        raise ParseError(f"not well-formed or unsafe XML: {error}") from error


def studies(root: Element) -> list[Element]:
    """The `<clinical_study>` records in a document: the root itself, or its descendants."""
    if root.tag == "clinical_study":
        return [root]
    return list(root.iter("clinical_study"))


def study_id(study: Element) -> str:
    return _text(study, "id_info/nct_id")


def parse(data: bytes | str) -> ParsedTrial:
    if isinstance(data, str) and data.lstrip().startswith("<?xml"):
        # An encoding declaration in text that was already decoded would mislead the parser.
        data = re.sub(r"^\s*<\?xml[^>]*\?>", "", data, count=1)
    found = studies(load(data))
    if len(found) != 1:
        raise ParseError(f"expected one <clinical_study> record, found {len(found)}")
    return parse_study(found[0])


def parse_study(study: Element) -> ParsedTrial:
    record = ParsedTrial(source_format=FORMAT)
    record.registry_id = study_id(study)
    if not re.fullmatch(r"NCT\d{8}", record.registry_id):
        problem = normalize.id_problem(record.registry_id) if record.registry_id else ""
        raise ParseError(problem or f"record has no valid <nct_id> ({record.registry_id!r})")
    for name in EXPECTED:
        if study.find(name) is None:
            record.warnings.append(f"record has no <{name}>")
    _identification(study, record)
    _status(study, record)
    _sponsors(study, record)
    record.brief_summary = _block(study, "brief_summary")
    record.detailed_description = _block(study, "detailed_description")
    record.conditions = unique(_texts(study, "condition"))
    record.keywords = unique(_texts(study, "keyword"))
    _design(study, record)
    _arms_and_interventions(study, record)
    for tag, kind in _OUTCOMES:
        for item in study.findall(tag):
            if _text(item, "measure"):
                record.outcomes.append(
                    Outcome(
                        kind,
                        _text(item, "measure"),
                        _text(item, "time_frame"),
                        _text(item, "description"),
                    )
                )
    record.eligibility = _eligibility(study, record.warnings)
    _people_and_places(study, record)
    for tag, kind in (("reference", "BACKGROUND"), ("results_reference", "RESULT")):
        for ref in study.findall(tag):
            record.references.append(Reference(_text(ref, "citation"), _text(ref, "PMID"), kind))
    record.mesh_terms = unique(_texts(study, "condition_browse/mesh_term"))
    record.intervention_mesh_terms = unique(_texts(study, "intervention_browse/mesh_term"))
    record.results_posted = any(
        study.find(tag) is not None
        for tag in ("clinical_results", "results_first_posted", "firstreceived_results_date")
    )
    return record


def _text(element: Element, path: str) -> str:
    found = element.find(path)
    return squash(clean(found.text or "")) if found is not None else ""


def _texts(element: Element, path: str) -> list[str]:
    return [squash(clean(e.text or "")) for e in element.findall(path) if (e.text or "").strip()]


def unwrap(block: str) -> str:
    """A hard-wrapped textblock as the lines a person wrote.

    Paragraphs are separated by blank lines; a bullet ('-', '*', '1.') or a criteria
    heading starts a new line; any other line continues the one above it.
    """
    lines: list[str] = []
    for line in textwrap.dedent(clean(block).expandtabs(4)).splitlines():
        stripped = line.strip()
        starts_row = re.match(r"(?:[-*•]|\d{1,2}[.)])\s", stripped) or re.match(
            r"(?:key\s+)?(?:inclusion|exclusion)\s+criteria\b", stripped, re.I
        )
        if stripped and lines and lines[-1].strip() and not starts_row:
            lines[-1] = f"{lines[-1].rstrip()} {stripped}"
        else:
            lines.append(line.rstrip() if stripped else "")
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def _block(study: Element, path: str) -> str:
    found = study.find(f"{path}/textblock")
    return unwrap(found.text or "").strip() if found is not None else ""


def _identification(study: Element, record: ParsedTrial) -> None:
    record.brief_title = _text(study, "brief_title")
    record.official_title = _text(study, "official_title")
    record.acronym = _text(study, "acronym")
    org_id = _text(study, "id_info/org_study_id")
    if org_id:
        record.secondary_ids.append(SecondaryId(org_id, "org_study_id"))
    for identifier in _texts(study, "id_info/secondary_id") + _texts(study, "id_info/nct_alias"):
        if identifier != record.registry_id:
            record.secondary_ids.append(SecondaryId(identifier, ""))


def _date(study: Element, *tags: str) -> str:
    for tag in tags:
        value = normalize.partial_date(_text(study, tag))
        if value:
            return value
    return ""


def _status(study: Element, record: ParsedTrial) -> None:
    record.overall_status = normalize.status(_text(study, "overall_status"))
    record.status_verified_date = _date(study, "verification_date")
    record.start_date = _date(study, "start_date")
    record.primary_completion_date = _date(study, "primary_completion_date")
    record.completion_date = _date(study, "completion_date")
    record.first_posted = _date(study, "study_first_posted", "firstreceived_date")
    record.last_update = _date(study, "last_update_posted", "lastchanged_date")
    # When the sponsor first submitted the record: the trial's registration date.
    record.registration_date = _date(study, "study_first_submitted")


def _sponsors(study: Element, record: ParsedTrial) -> None:
    for tag, role in (("sponsors/lead_sponsor", "lead"), ("sponsors/collaborator", "collaborator")):
        for sponsor in study.findall(tag):
            if _text(sponsor, "agency"):
                record.sponsors.append(
                    Sponsor(
                        _text(sponsor, "agency"),
                        role,
                        normalize.agency_class(_text(sponsor, "agency_class")),
                    )
                )
    party = study.find("responsible_party")
    if party is not None:
        named = [_text(party, k) for k in ("investigator_full_name", "investigator_title")]
        kind = normalize.enum_word(_text(party, "responsible_party_type"))
        record.responsible_party = ", ".join(p for p in named if p) or kind


def _old_design(sentence: str) -> dict[str, str]:
    """'Allocation: Randomized, Intervention Model: Parallel Assignment, Masking: Double Blind (...)'."""
    values = {}
    for label, value in re.findall(
        r"([A-Z][A-Za-z ]+):\s*([^,:]+?)(?=,\s*[A-Z][A-Za-z ]+:|$)", sentence
    ):
        values[normalize.enum_word(label).lower()] = value
    return values


def _design(study: Element, record: ParsedTrial) -> None:
    record.study_type = normalize.study_type(_text(study, "study_type"))
    # Observational records say "N/A" for a phase they do not have.
    phase = _text(study, "phase")
    record.phases = normalize.phases(phase) if record.study_type != "OBSERVATIONAL" else []
    enrollment = study.find("enrollment")
    if enrollment is not None:
        record.enrollment = normalize.enrollment(enrollment.text or "")
        record.enrollment_type = normalize.enrollment_type(enrollment.get("type", ""))
    info = study.find("study_design_info")
    if info is not None:
        values = {child.tag: _text(info, child.tag) for child in info}
    else:
        values = _old_design(_text(study, "study_design"))
    record.design = Design(
        allocation=normalize.design_value(values.get("allocation", "")),
        intervention_model=normalize.design_value(values.get("intervention_model", "")),
        primary_purpose=normalize.design_value(values.get("primary_purpose", "")),
        masking=normalize.design_value(values.get("masking", "")),
    )


def _arms_and_interventions(study: Element, record: ParsedTrial) -> None:
    for item in study.findall("intervention"):
        name = _text(item, "intervention_name")
        if name:
            record.interventions.append(
                Intervention(
                    name=name,
                    intervention_type=normalize.enum_word(_text(item, "intervention_type")),
                    description=_text(item, "description"),
                    arm_labels=unique(_texts(item, "arm_group_label")),
                )
            )
    for group in study.findall("arm_group"):
        label = _text(group, "arm_group_label")
        if not label:
            continue
        # The XML links arms to interventions only from the intervention's side.
        names = [i.name for i in record.interventions if label in i.arm_labels]
        record.arms.append(
            Arm(
                label=label,
                arm_type=normalize.enum_word(_text(group, "arm_group_type")),
                description=_text(group, "description"),
                intervention_names=names,
            )
        )


def _eligibility(study: Element, warnings: list[str]) -> Eligibility:
    found = study.find("eligibility")
    if found is None:
        return Eligibility()
    eligibility = Eligibility(
        sex=normalize.sex(_text(found, "gender")),
        minimum_age=_age(_text(found, "minimum_age")),
        maximum_age=_age(_text(found, "maximum_age")),
        healthy_volunteers=normalize.yes_no(_text(found, "healthy_volunteers")),
    )
    block = found.find("criteria/textblock")
    if block is not None and (block.text or "").strip():
        eligibility.criteria_text, eligibility.criteria = criteria(
            unwrap(block.text or ""), warnings
        )
        if not eligibility.criteria:
            warnings.append("no inclusion or exclusion criteria in <criteria>")
    return eligibility


def _age(text: str) -> str:
    """'N/A' (no limit) is no age; '12 Years' stays as written."""
    return "" if normalize.enum_word(text) in ("N_A", "NA", "") else text


def _people_and_places(study: Element, record: ParsedTrial) -> None:
    for official in study.findall("overall_official"):
        name = " ".join(
            _text(official, part) for part in ("first_name", "middle_name", "last_name")
        ).split()
        degrees = _text(official, "degrees")
        full = " ".join(name) + (f", {degrees}" if degrees else "")
        if full:
            record.investigators.append(
                Investigator(
                    full,
                    normalize.enum_word(_text(official, "role")),
                    _text(official, "affiliation"),
                )
            )
    for site in study.findall("location"):
        record.locations.append(
            Location(
                facility=_text(site, "facility/name"),
                city=_text(site, "facility/address/city"),
                state=_text(site, "facility/address/state"),
                country=_text(site, "facility/address/country"),
                status=normalize.status(_text(site, "status")),
            )
        )
    record.countries = unique(
        _texts(study, "location_countries/country") + [loc.country for loc in record.locations]
    )
