"""ClinicalTrials.gov API v2 study JSON: the registry's own record of an NCT trial.

One study object (`protocolSection`, `derivedSection`, `resultsSection`, `hasResults`)
in, one ParsedTrial out. A file or API page holding several studies is cut into
single studies by `ingest.detect.split_document` first. Modules a study lacks (no
`designModule` on a withdrawn record, no phases on an observational one) leave their
fields empty with a warning, as a page's missing section does.

The API already spells enums the way `records` does; free text is markdown,
so it goes through the same clean-up as page text (escapes such as `\\<126` undone).
"""

from __future__ import annotations

import json
import re
from typing import Any, TypeGuard

from records import (
    Arm,
    Criterion,
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
from ..text import clean, decode
from . import ctgov_sections

FORMAT = "ctgov_json"

# Modules every complete interventional record has; a missing one is worth a warning.
EXPECTED_MODULES = (
    "statusModule",
    "sponsorCollaboratorsModule",
    "descriptionModule",
    "conditionsModule",
    "designModule",
    "eligibilityModule",
)
# Secondary-id types that say less than the id's domain ("OTHER" from "Vinmec Hospital").
_VAGUE_ID_TYPES = {"OTHER", "OTHER_GRANT", "REGISTRY", ""}
# What JSON can carry but a stored record cannot: NUL (Postgres text refuses it) and
# unpaired surrogates (UTF-8 cannot encode them). Both arrive only as \u escapes, or raw
# in text a caller decoded itself; json.loads has already joined every proper pair.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_UNSTORABLE_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])|[\ud800-\udfff]")


def looks_like(text: str) -> bool:
    """A JSON object (or a list of them) that carries an API v2 `protocolSection`."""
    head = text.lstrip("\ufeff \t\r\n")
    return head[:1] in ("{", "[") and '"protocolSection"' in text


def load(data: bytes | str) -> object:
    """Bytes or text to the decoded JSON value; ParseError for anything that is not JSON.

    Every string in the value, keys included, is storable: NUL removed, a lone surrogate
    replaced by U+FFFD. The value is what `detect.split_document` re-serialises and stores.
    """
    text = decode(data) if isinstance(data, bytes) else data
    try:
        value = json.loads(text)
    # ValueError besides JSONDecodeError: int() refuses a number of more than 4300 digits.
    except (ValueError, RecursionError) as error:
        raise ParseError(f"not valid JSON: {error}") from error
    return storable(value, text)


def storable(value: object, text: str) -> object:
    """`value`, decoded from the JSON `text`, with NUL removed and lone surrogates replaced."""
    return _make_storable(value) if _UNSTORABLE_ESCAPE.search(text) else value


def _storable(text: str) -> str:
    return _UNSTORABLE.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", text)


def _make_storable(value: object) -> object:
    """`value` with every string made `_storable`, in place.

    A loop, not recursion: json.loads accepts nesting as deep as the recursion limit.
    """
    if isinstance(value, str):
        return _storable(value)
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            pairs: list[tuple[Any, Any]] = list(enumerate(node))
        elif isinstance(node, dict):
            pairs = [(_storable(key), item) for key, item in node.items()]
            node.clear()
        else:
            continue
        for key, item in pairs:
            if isinstance(item, str):
                item = _storable(item)
            elif isinstance(item, (dict, list)):
                stack.append(item)
            node[key] = item
    return value


def is_study(value: object) -> TypeGuard[dict]:
    return isinstance(value, dict) and isinstance(value.get("protocolSection"), dict)


def study_id(study: dict) -> str:
    """The study's NCT id, or '' when the record does not state one."""
    ident = child(study.get("protocolSection"), "identificationModule")
    nct = ident.get("nctId")
    return nct.strip() if isinstance(nct, str) else ""


def parse(text: bytes | str) -> ParsedTrial:
    study = load(text)
    if not is_study(study):
        raise ParseError("not a ClinicalTrials.gov API v2 study (no protocolSection)")
    return parse_study(study)


def parse_study(study: dict) -> ParsedTrial:
    protocol = study["protocolSection"]
    record = ParsedTrial(source_format=FORMAT)
    registry_id = study_id(study)
    if not re.fullmatch(r"NCT\d{8}", registry_id):
        problem = normalize.id_problem(registry_id) if registry_id else ""
        raise ParseError(problem or f"study has no valid nctId ({registry_id!r})")
    record.registry_id = registry_id
    for name in EXPECTED_MODULES:
        if not isinstance(protocol.get(name), dict):
            record.warnings.append(f"record has no {name}")
    _identification(child(protocol, "identificationModule"), record)
    _status(child(protocol, "statusModule"), record)
    _sponsors(child(protocol, "sponsorCollaboratorsModule"), record)
    description = child(protocol, "descriptionModule")
    record.brief_summary = text_value(description.get("briefSummary"))
    record.detailed_description = text_value(description.get("detailedDescription"))
    conditions = child(protocol, "conditionsModule")
    record.conditions = unique(map(text_value, as_list(conditions.get("conditions"))))
    record.keywords = unique(map(text_value, as_list(conditions.get("keywords"))))
    _design(child(protocol, "designModule"), record)
    _arms_and_interventions(child(protocol, "armsInterventionsModule"), record)
    _outcomes(child(protocol, "outcomesModule"), record)
    record.eligibility = _eligibility(child(protocol, "eligibilityModule"), record.warnings)
    _contacts_and_locations(child(protocol, "contactsLocationsModule"), record)
    record.references = [
        Reference(
            citation=text_value(ref.get("citation")),
            pmid=string(ref.get("pmid")),
            reference_type=string(ref.get("type")),
        )
        for ref in dicts(child(protocol, "referencesModule").get("references"))
    ]
    derived = study.get("derivedSection") if isinstance(study.get("derivedSection"), dict) else {}
    record.mesh_terms = _mesh_terms(child(derived, "conditionBrowseModule"))
    record.intervention_mesh_terms = _mesh_terms(child(derived, "interventionBrowseModule"))
    record.results_posted = _results_posted(study)
    return record


# Small readers of decoded JSON, shared with the retired v1 API's parser (ctgov_v1).
def child(section: object, name: str) -> dict:
    value = section.get(name) if isinstance(section, dict) else None
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list:
    return value if isinstance(value, list) else []


def dicts(value: object) -> list[dict]:
    return [item for item in as_list(value) if isinstance(item, dict)]


def string(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def text_value(value: object) -> str:
    """A free-text value as page parsers give it: markdown escapes undone, odd spaces folded."""
    return clean(value).strip() if isinstance(value, str) else ""


def unique(items) -> list[str]:
    out: list[str] = []
    for item in items:
        if item and item not in out:
            out.append(item)
    return out


def criteria(text: str, warnings: list[str]) -> tuple[str, list[Criterion]]:
    """The registry's criteria block cut into inclusion/exclusion rows, nested as pages are."""
    return ctgov_sections.read_criteria(clean(text).splitlines(), warnings)


def _identification(module: dict, record: ParsedTrial) -> None:
    record.brief_title = text_value(module.get("briefTitle"))
    record.official_title = text_value(module.get("officialTitle"))
    record.acronym = string(module.get("acronym"))
    org_id = string(child(module, "orgStudyIdInfo").get("id"))
    if org_id:
        record.secondary_ids.append(SecondaryId(org_id, "org_study_id"))
    for info in dicts(module.get("secondaryIdInfos")):
        identifier = string(info.get("id"))
        id_type = string(info.get("type"))
        if id_type in _VAGUE_ID_TYPES:
            id_type = string(info.get("domain")) or id_type
        if identifier and identifier != record.registry_id:
            record.secondary_ids.append(SecondaryId(identifier, id_type))


def _date(struct: object) -> str:
    return normalize.partial_date(string(struct.get("date"))) if isinstance(struct, dict) else ""


def _status(module: dict, record: ParsedTrial) -> None:
    record.overall_status = normalize.status(string(module.get("overallStatus")))
    record.status_verified_date = normalize.partial_date(string(module.get("statusVerifiedDate")))
    # When the sponsor first submitted the record: the trial's registration date.
    record.registration_date = normalize.partial_date(string(module.get("studyFirstSubmitDate")))
    record.start_date = _date(module.get("startDateStruct"))
    record.primary_completion_date = _date(module.get("primaryCompletionDateStruct"))
    record.completion_date = _date(module.get("completionDateStruct"))
    record.first_posted = _date(module.get("studyFirstPostDateStruct"))
    # The date the registry last posted a change: what pages show as "Last Updated".
    record.last_update = _date(module.get("lastUpdatePostDateStruct")) or normalize.partial_date(
        string(module.get("lastUpdateSubmitDate"))
    )


def _sponsors(module: dict, record: ParsedTrial) -> None:
    lead = child(module, "leadSponsor")
    if string(lead.get("name")):
        record.sponsors.append(Sponsor(string(lead["name"]), "lead", string(lead.get("class"))))
    for collaborator in dicts(module.get("collaborators")):
        if string(collaborator.get("name")):
            record.sponsors.append(
                Sponsor(
                    string(collaborator["name"]), "collaborator", string(collaborator.get("class"))
                )
            )
    party = child(module, "responsibleParty")
    # As the pages write it: the role for a sponsor, "Name, Title" for a named investigator.
    named = [string(party.get(k)) for k in ("investigatorFullName", "investigatorTitle")]
    record.responsible_party = ", ".join(p for p in named if p) or string(party.get("type"))


def _design(module: dict, record: ParsedTrial) -> None:
    word = normalize.enum_word(string(module.get("studyType")))
    record.study_type = word if word in normalize.STUDY_TYPES else ""
    for phase in as_list(module.get("phases")):
        for value in [phase] if phase in normalize.PHASES else normalize.phases(string(phase)):
            if value not in record.phases:
                record.phases.append(value)
    enrollment = child(module, "enrollmentInfo")
    count = enrollment.get("count")
    # A withdrawn study states an enrollment of 0: that is a value, not a missing one.
    if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
        if count <= normalize.MAX_ENROLLMENT:
            record.enrollment = count
        else:
            record.warnings.append("enrollment count is out of range; left empty")
    record.enrollment_type = string(enrollment.get("type"))
    info = child(module, "designInfo")
    record.design = Design(
        allocation=string(info.get("allocation")),
        intervention_model=string(info.get("interventionModel")),
        primary_purpose=string(info.get("primaryPurpose")),
        masking=string(child(info, "maskingInfo").get("masking")),
    )


_TYPED_NAME = re.compile(r"([A-Za-z][A-Za-z ]*?):\s+(.+)")


def intervention_name(display: object, names: dict[str, str]) -> str:
    """Arms list interventions as 'Drug: placebo'; the intervention itself is named 'placebo'."""
    display = text_value(display)
    if display.casefold() in names:
        return names[display.casefold()]
    match = _TYPED_NAME.fullmatch(display)
    if match and match.group(2).casefold() in names:
        return names[match.group(2).casefold()]
    return display


def _arms_and_interventions(module: dict, record: ParsedTrial) -> None:
    for item in dicts(module.get("interventions")):
        name = text_value(item.get("name"))
        if not name:
            continue
        record.interventions.append(
            Intervention(
                name=name,
                intervention_type=string(item.get("type")),
                description=text_value(item.get("description")),
                arm_labels=unique(map(text_value, as_list(item.get("armGroupLabels")))),
            )
        )
    names = {i.name.casefold(): i.name for i in record.interventions}
    for group in dicts(module.get("armGroups")):
        label = text_value(group.get("label"))
        if not label:
            continue
        record.arms.append(
            Arm(
                label=label,
                arm_type=string(group.get("type")),
                description=text_value(group.get("description")),
                intervention_names=unique(
                    intervention_name(n, names) for n in as_list(group.get("interventionNames"))
                ),
            )
        )


def _outcomes(module: dict, record: ParsedTrial) -> None:
    for key, kind in (
        ("primaryOutcomes", "primary"),
        ("secondaryOutcomes", "secondary"),
        ("otherOutcomes", "other"),
    ):
        for item in dicts(module.get(key)):
            measure = text_value(item.get("measure"))
            if measure:
                record.outcomes.append(
                    Outcome(
                        kind=kind,
                        measure=measure,
                        time_frame=text_value(item.get("timeFrame")),
                        description=text_value(item.get("description")),
                    )
                )


def _eligibility(module: dict, warnings: list[str]) -> Eligibility:
    eligibility = Eligibility(
        sex=normalize.sex(string(module.get("sex"))),
        minimum_age=string(module.get("minimumAge")),
        maximum_age=string(module.get("maximumAge")),
    )
    healthy = module.get("healthyVolunteers")
    eligibility.healthy_volunteers = healthy if isinstance(healthy, bool) else None
    block = string(module.get("eligibilityCriteria"))
    if block:
        eligibility.criteria_text, eligibility.criteria = criteria(block, warnings)
        if not eligibility.criteria:
            warnings.append("no inclusion or exclusion criteria in eligibilityCriteria")
    return eligibility


def _coordinate(value: object, limit: float) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) <= limit:
        return float(value)
    return None


def _contacts_and_locations(module: dict, record: ParsedTrial) -> None:
    for official in dicts(module.get("overallOfficials")):
        if string(official.get("name")):
            record.investigators.append(
                Investigator(
                    name=string(official["name"]),
                    role=string(official.get("role")),
                    affiliation=string(official.get("affiliation")),
                )
            )
    for site in dicts(module.get("locations")):
        point = child(site, "geoPoint")
        record.locations.append(
            Location(
                facility=string(site.get("facility")),
                city=string(site.get("city")),
                state=string(site.get("state")),
                country=string(site.get("country")),
                status=normalize.status(string(site.get("status"))),
                latitude=_coordinate(point.get("lat"), 90),
                longitude=_coordinate(point.get("lon"), 180),
            )
        )
    record.countries = unique(loc.country for loc in record.locations)


def _mesh_terms(module: dict) -> list[str]:
    return unique(string(mesh.get("term")) for mesh in dicts(module.get("meshes")))


def _results_posted(study: dict) -> bool | None:
    """The API's `hasResults`; without it, whether results or their posting date are present."""
    if isinstance(study.get("hasResults"), bool):
        return study["hasResults"]
    status = child(study["protocolSection"], "statusModule")
    if isinstance(study.get("resultsSection"), dict) or "resultsFirstPostDateStruct" in status:
        return True
    return None
