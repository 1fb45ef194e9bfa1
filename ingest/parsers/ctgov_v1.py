"""ClinicalTrials.gov's retired classic API: a full study record (`full_studies`, until 2024).

`{"ProtocolSection": {...}, "DerivedSection": {...}}` with PascalCase keys: the older shape
of API v2's `protocolSection`/`derivedSection`. Many archives and published datasets hold
it, alone, as a list, or as the API answered it (`{"FullStudiesResponse": {"FullStudies":
[{"Rank": 1, "Study": {...}}]}}`); `ingest.detect` cuts those into single studies first.

What differs from API v2, besides the keys:
- every list sits in a wrapper (`ConditionList.Condition[]`, `ArmGroupList.ArmGroup[]`);
- values are spelled for people, as in the classic XML: "Unknown status", "Phase 1",
  "Not Applicable", "Single Group Assignment", "None (Open Label)", "Anticipated"
  (an estimate), "Principal Investigator", reference types in lower case;
- the enrollment count is a string ("30"), dates read "January 2008" or "March 25, 2008";
- results are a `ResultsSection` the record has or lacks (no `hasResults` flag).
All of these become the API v2 spellings `records` uses, through `ingest.normalize`.
"""

from __future__ import annotations

import re
from typing import TypeGuard

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
from .ctgov_json import (
    as_list,
    child,
    criteria,
    dicts,
    intervention_name,
    load,
    string,
    text_value,
    unique,
)

FORMAT = "ctgov_v1"

EXPECTED_MODULES = (
    "StatusModule",
    "SponsorCollaboratorsModule",
    "DescriptionModule",
    "ConditionsModule",
    "DesignModule",
    "EligibilityModule",
)
# The v1 API's secondary-id types, as API v2 names them.
_ID_TYPES = {
    "U.S. NIH Grant/Contract": "NIH",
    "U.S. FDA Grant/Contract": "FDA",
    "Other Grant/Funding Number": "OTHER_GRANT",
    "EudraCT Number": "EUDRACT_NUMBER",
    "Registry Identifier": "REGISTRY",
    "Other Identifier": "OTHER",
    "AHRQ": "AHRQ",
    "CTIS": "CTIS",
}
# As in ctgov_json: these say less than the id's domain ("Other Identifier" of a hospital).
_VAGUE_ID_TYPES = {"OTHER", "OTHER_GRANT", "REGISTRY", ""}
_OUTCOMES = (("Primary", "primary"), ("Secondary", "secondary"), ("Other", "other"))


def looks_like(text: str) -> bool:
    """JSON (an object or a list) that carries a v1 `ProtocolSection` or a v1 API answer."""
    head = text.lstrip("\ufeff \t\r\n")
    return head[:1] in ("{", "[") and (
        '"ProtocolSection"' in text or '"FullStudiesResponse"' in text
    )


def is_study(value: object) -> TypeGuard[dict]:
    return isinstance(value, dict) and isinstance(value.get("ProtocolSection"), dict)


def unwrap(value: object) -> object:
    """A study as the v1 API listed it (`{"Rank": 1, "Study": {...}}`) -> the study itself."""
    if isinstance(value, dict) and not is_study(value) and is_study(value.get("Study")):
        return value["Study"]
    return value


def study_id(study: dict) -> str:
    ident = child(study.get("ProtocolSection"), "IdentificationModule")
    return string(ident.get("NCTId"))


def parse(data: bytes | str) -> ParsedTrial:
    study = unwrap(load(data))
    if not is_study(study):
        raise ParseError("not a ClinicalTrials.gov v1 full study (no ProtocolSection)")
    return parse_study(study)


def _listed(section: dict, wrapper: str, item: str) -> list:
    """`section[wrapper][item]`, the v1 API's way of holding a list."""
    return as_list(child(section, wrapper).get(item))


def _texts(section: dict, wrapper: str, item: str) -> list[str]:
    return unique(text_value(v) for v in _listed(section, wrapper, item))


def parse_study(study: dict) -> ParsedTrial:
    protocol = study["ProtocolSection"]
    record = ParsedTrial(source_format=FORMAT)
    registry_id = study_id(study)
    if not re.fullmatch(r"NCT\d{8}", registry_id):
        raise ParseError(f"study has no valid NCTId ({registry_id!r})")
    record.registry_id = registry_id
    for name in EXPECTED_MODULES:
        if not isinstance(protocol.get(name), dict):
            record.warnings.append(f"record has no {name}")
    _identification(child(protocol, "IdentificationModule"), record)
    _status(child(protocol, "StatusModule"), record)
    _sponsors(child(protocol, "SponsorCollaboratorsModule"), record)
    description = child(protocol, "DescriptionModule")
    record.brief_summary = text_value(description.get("BriefSummary"))
    record.detailed_description = text_value(description.get("DetailedDescription"))
    conditions = child(protocol, "ConditionsModule")
    record.conditions = _texts(conditions, "ConditionList", "Condition")
    record.keywords = _texts(conditions, "KeywordList", "Keyword")
    _design(child(protocol, "DesignModule"), record)
    _arms_and_interventions(child(protocol, "ArmsInterventionsModule"), record)
    _outcomes(child(protocol, "OutcomesModule"), record)
    record.eligibility = _eligibility(child(protocol, "EligibilityModule"), record.warnings)
    _contacts_and_locations(child(protocol, "ContactsLocationsModule"), record)
    record.references = [
        Reference(
            citation=text_value(ref.get("ReferenceCitation")),
            pmid=string(ref.get("ReferencePMID")),
            reference_type=normalize.enum_word(string(ref.get("ReferenceType"))),
        )
        for ref in dicts(_listed(child(protocol, "ReferencesModule"), "ReferenceList", "Reference"))
    ]
    derived = child(study, "DerivedSection")
    record.mesh_terms = _mesh_terms(child(derived, "ConditionBrowseModule"), "Condition")
    record.intervention_mesh_terms = _mesh_terms(
        child(derived, "InterventionBrowseModule"), "Intervention"
    )
    # A full record carries its results as a ResultsSection; without one, none were posted
    # when it was taken (as the classic XML's <clinical_results>).
    status = child(protocol, "StatusModule")
    record.results_posted = "ResultsSection" in study or "ResultsFirstPostDateStruct" in status
    return record


def _identification(module: dict, record: ParsedTrial) -> None:
    record.brief_title = text_value(module.get("BriefTitle"))
    record.official_title = text_value(module.get("OfficialTitle"))
    record.acronym = string(module.get("Acronym"))
    org_id = string(child(module, "OrgStudyIdInfo").get("OrgStudyId"))
    if org_id:
        record.secondary_ids.append(SecondaryId(org_id, "org_study_id"))
    for info in dicts(_listed(module, "SecondaryIdInfoList", "SecondaryIdInfo")):
        identifier = string(info.get("SecondaryId"))
        written = string(info.get("SecondaryIdType"))
        id_type = _ID_TYPES.get(written, normalize.enum_word(written))
        if id_type in _VAGUE_ID_TYPES:
            id_type = string(info.get("SecondaryIdDomain")) or id_type
        # v1 records often repeat the organisation's own id as a secondary one.
        if identifier and identifier != record.registry_id and identifier != org_id:
            record.secondary_ids.append(SecondaryId(identifier, id_type))
    for alias in _listed(module, "NCTIdAliasList", "NCTIdAlias"):
        if string(alias) and string(alias) != record.registry_id:
            record.secondary_ids.append(SecondaryId(string(alias), "nct_alias"))


def _date(struct: object, key: str) -> str:
    return normalize.partial_date(string(struct.get(key))) if isinstance(struct, dict) else ""


def _status(module: dict, record: ParsedTrial) -> None:
    written = string(module.get("OverallStatus"))
    record.overall_status = normalize.status(written)
    if written and not record.overall_status:
        record.status_as_written = written  # shown as the registry writes it, for a curator
        record.warnings.append(f"unknown overall status {written!r}; left empty")
    record.status_verified_date = normalize.partial_date(string(module.get("StatusVerifiedDate")))
    # When the sponsor first submitted the record: the trial's registration date.
    record.registration_date = normalize.partial_date(string(module.get("StudyFirstSubmitDate")))
    record.start_date = _date(module.get("StartDateStruct"), "StartDate")
    record.primary_completion_date = _date(
        module.get("PrimaryCompletionDateStruct"), "PrimaryCompletionDate"
    )
    record.completion_date = _date(module.get("CompletionDateStruct"), "CompletionDate")
    record.first_posted = _date(module.get("StudyFirstPostDateStruct"), "StudyFirstPostDate")
    record.last_update = _date(
        module.get("LastUpdatePostDateStruct"), "LastUpdatePostDate"
    ) or normalize.partial_date(string(module.get("LastUpdateSubmitDate")))


def _sponsors(module: dict, record: ParsedTrial) -> None:
    lead = child(module, "LeadSponsor")
    if string(lead.get("LeadSponsorName")):
        record.sponsors.append(
            Sponsor(
                string(lead["LeadSponsorName"]),
                "lead",
                normalize.agency_class(string(lead.get("LeadSponsorClass"))),
            )
        )
    for collaborator in dicts(_listed(module, "CollaboratorList", "Collaborator")):
        if string(collaborator.get("CollaboratorName")):
            record.sponsors.append(
                Sponsor(
                    string(collaborator["CollaboratorName"]),
                    "collaborator",
                    normalize.agency_class(string(collaborator.get("CollaboratorClass"))),
                )
            )
    party = child(module, "ResponsibleParty")
    named = [
        string(party.get(k))
        for k in ("ResponsiblePartyInvestigatorFullName", "ResponsiblePartyInvestigatorTitle")
    ]
    # Records from before 2017 name the party in free text ("ResponsiblePartyOldNameTitle").
    record.responsible_party = (
        ", ".join(p for p in named if p)
        or normalize.enum_word(string(party.get("ResponsiblePartyType")))
        or string(party.get("ResponsiblePartyOldNameTitle"))
    )


def _design(module: dict, record: ParsedTrial) -> None:
    record.study_type = normalize.study_type(string(module.get("StudyType")))
    for phase in _listed(module, "PhaseList", "Phase"):
        for value in normalize.phases(string(phase)):
            if value not in record.phases:
                record.phases.append(value)
    enrollment = child(module, "EnrollmentInfo")
    count = string(enrollment.get("EnrollmentCount"))
    if count:
        # A string in v1; "0" (a withdrawn study) is a value, not a missing one.
        if count.isascii() and count.isdigit() and int(count) <= normalize.MAX_ENROLLMENT:
            record.enrollment = int(count)
        else:
            record.warnings.append(f"unreadable enrollment count {count[:40]!r}; left empty")
    record.enrollment_type = normalize.enrollment_type(string(enrollment.get("EnrollmentType")))
    info = child(module, "DesignInfo")
    record.design = Design(
        allocation=normalize.design_value(string(info.get("DesignAllocation"))),
        intervention_model=normalize.design_value(string(info.get("DesignInterventionModel"))),
        primary_purpose=normalize.design_value(string(info.get("DesignPrimaryPurpose"))),
        masking=normalize.design_value(
            string(child(info, "DesignMaskingInfo").get("DesignMasking"))
        ),
    )


def _arms_and_interventions(module: dict, record: ParsedTrial) -> None:
    for item in dicts(_listed(module, "InterventionList", "Intervention")):
        name = text_value(item.get("InterventionName"))
        if not name:
            continue
        record.interventions.append(
            Intervention(
                name=name,
                intervention_type=normalize.enum_word(string(item.get("InterventionType"))),
                description=text_value(item.get("InterventionDescription")),
                arm_labels=_texts(
                    item, "InterventionArmGroupLabelList", "InterventionArmGroupLabel"
                ),
            )
        )
    names = {i.name.casefold(): i.name for i in record.interventions}
    for group in dicts(_listed(module, "ArmGroupList", "ArmGroup")):
        label = text_value(group.get("ArmGroupLabel"))
        if not label:
            continue
        listed = _listed(group, "ArmGroupInterventionList", "ArmGroupInterventionName")
        record.arms.append(
            Arm(
                label=label,
                arm_type=normalize.enum_word(string(group.get("ArmGroupType"))),
                description=text_value(group.get("ArmGroupDescription")),
                intervention_names=unique(intervention_name(n, names) for n in listed),
            )
        )


def _outcomes(module: dict, record: ParsedTrial) -> None:
    for prefix, kind in _OUTCOMES:
        for item in dicts(_listed(module, f"{prefix}OutcomeList", f"{prefix}Outcome")):
            measure = text_value(item.get(f"{prefix}OutcomeMeasure"))
            if measure:
                record.outcomes.append(
                    Outcome(
                        kind=kind,
                        measure=measure,
                        time_frame=text_value(item.get(f"{prefix}OutcomeTimeFrame")),
                        description=text_value(item.get(f"{prefix}OutcomeDescription")),
                    )
                )


def _eligibility(module: dict, warnings: list[str]) -> Eligibility:
    eligibility = Eligibility(
        sex=normalize.sex(string(module.get("Gender"))),
        minimum_age=_age(string(module.get("MinimumAge"))),
        maximum_age=_age(string(module.get("MaximumAge"))),
        # "No" or "Accepts Healthy Volunteers".
        healthy_volunteers=normalize.yes_no(string(module.get("HealthyVolunteers"))),
    )
    block = string(module.get("EligibilityCriteria"))
    if block:
        eligibility.criteria_text, eligibility.criteria = criteria(block, warnings)
        if not eligibility.criteria:
            warnings.append("no inclusion or exclusion criteria in EligibilityCriteria")
    return eligibility


def _age(text: str) -> str:
    """'N/A' (no limit) is no age; '18 Years' stays as written."""
    return "" if normalize.enum_word(text) in ("N_A", "NA") else text


def _contacts_and_locations(module: dict, record: ParsedTrial) -> None:
    for official in dicts(_listed(module, "OverallOfficialList", "OverallOfficial")):
        if string(official.get("OverallOfficialName")):
            record.investigators.append(
                Investigator(
                    name=string(official["OverallOfficialName"]),
                    role=normalize.enum_word(string(official.get("OverallOfficialRole"))),
                    affiliation=string(official.get("OverallOfficialAffiliation")),
                )
            )
    for site in dicts(_listed(module, "LocationList", "Location")):
        record.locations.append(
            Location(
                facility=string(site.get("LocationFacility")),
                city=string(site.get("LocationCity")),
                state=string(site.get("LocationState")),
                country=string(site.get("LocationCountry")),
                status=normalize.status(string(site.get("LocationStatus"))),
            )
        )
    record.countries = unique(loc.country for loc in record.locations)


def _mesh_terms(module: dict, kind: str) -> list[str]:
    meshes = dicts(_listed(module, f"{kind}MeshList", f"{kind}Mesh"))
    return unique(string(mesh.get(f"{kind}MeshTerm")) for mesh in meshes)
