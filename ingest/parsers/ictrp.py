"""A WHO ICTRP trial record, as its fields, into a ParsedTrial: what the XML export
(`ictrp_xml`) and the weekly CSV (`ictrp_csv`) share.

ICTRP copies each registry's record into one flat set of fields (see
`shared/realdata/README.md`). The XML names them `Public_title`, `Date_registration3`; the
CSV `Public title`, `Date registration3`; `field_key` folds both to `public_title`. Text
carries the registries' markup leftovers (`&#x0D;`, escaped `<br>`, trailing blanks),
several values share a field with `;` between them, and statuses and phases are each
registry's own words: they go through the one spelling table (`ingest.spellings`), and a
spelling it does not know is kept as written with a warning.

What is read where:
- `TrialID` is the registry id, kept canonical (`EUCTR2012-001234-56-DE` is the EudraCT
  number); when ICTRP writes it otherwise, its spelling is kept as a secondary id, as is
  `Internal_Number` (ICTRP's own stable key). `Secondary_ID` values are secondary ids,
  named by their registry when they are one's ids.
- `Source_Register` names the registry (checked against the id's), `web_address` is the
  record on the registry's site, `Date_registration`/`Date_registration3` the date it was
  registered there, `Last_Refreshed_on` (when ICTRP last took the record from the
  registry) the record's last update, `Date_enrollement` (sic) the start.
- Contacts (names, e-mail addresses, telephone numbers) and ethics review fields are not
  read: the catalogue keeps no personal data. `Export_date` is the export's, not the
  trial's: it is left out of the stored documents.
"""

from __future__ import annotations

import html
import re

from catalogue import registries
from records import (
    Arm,
    Design,
    Intervention,
    Outcome,
    ParsedTrial,
    ParseError,
    SecondaryId,
    Sponsor,
)

from .. import normalize, spellings
from ..text import squash
from .ctgov_json import criteria

# Every field of the export, as `field_key` spells it.
FIELDS = (
    "export_date internal_number trialid last_refreshed_on public_title scientific_title acronym "
    "primary_sponsor secondary_sponsor source_register web_address prospective_registration "
    "date_registration date_registration3 date_enrollement recruitment_status target_size "
    "study_type study_design phase countries condition intervention primary_outcome "
    "secondary_outcome inclusion_criteria exclusion_criteria inclusion_agemin inclusion_agemax "
    "inclusion_gender secondary_id source_support results_yes_no results_url_link "
    "results_summary results_ipd_plan other_records"
).split()
# Spellings of field names seen besides the usual ones.
_ALIASES = {
    "trial_id": "trialid",
    "secondary_ids": "secondary_id",
    "date_enrollment": "date_enrollement",
    "date_enrolment": "date_enrollement",
    "conditions": "condition",
    "interventions": "intervention",
    "web_address_url": "web_address",
}
_INTERVENTION_TYPES = {
    "biological": "BIOLOGICAL",
    "drug": "DRUG",
    "procedure": "PROCEDURE",
    "procedure/surgery": "PROCEDURE",
    "device": "DEVICE",
    "combination product": "COMBINATION_PRODUCT",
    "genetic": "GENETIC",
    "behavioral": "BEHAVIORAL",
    "behavioural": "BEHAVIORAL",
    "dietary supplement": "DIETARY_SUPPLEMENT",
    "radiation": "RADIATION",
    "other": "OTHER",
}
# Values of Secondary_ID that name no identifier at all.
_NO_ID = {"", "n/a", "na", "nil", "none", "not applicable", "-", "--", "no", "0"}
_BREAK = re.compile(r"<br\s*/?>|&lt;br\s*/?&gt;|(?:&#x0*d;|&#0*13;|\r)\n?", re.I)
_TAG = re.compile(r"</?(?:p|b|i|u|span|div|strong|em|sup|sub|li|ul|ol|font)\b[^<>]{0,200}>", re.I)
_TIME_FRAME = re.compile(
    r"\s*\[\s*time\s*frame\s*:\s*([^\]]*)\]\s*$|\s*;?\s*timepoints?\s*:\s*(.+)$", re.I
)
_METHOD = re.compile(r"\.?\s*method of measurement\s*:\s*", re.I)
_INLINE_NUMBER = re.compile(r"(?<=\S)\s+(?=\d{1,2}[.)]\s)")


def field_key(name: str) -> str:
    """'Public_title', 'Public title', 'public title ' -> 'public_title'."""
    key = re.sub(r"[^a-z0-9]+", "_", name.strip().casefold()).strip("_")
    return _ALIASES.get(key, key)


def clean(value: str) -> str:
    """A field's text without the export's markup leftovers: line breaks written as
    `&#x0D;` or `<br>` (escaped once or twice) become new lines, entities are undone,
    every line is stripped and blank runs are folded."""
    text = _BREAK.sub("\n", value or "")
    if "&" in text:
        text = _BREAK.sub("\n", html.unescape(text))
    text = _TAG.sub("", text)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def record(fields: dict[str, str], source_format: str) -> ParsedTrial:
    """The trial a record's fields (keyed by `field_key`) state."""
    values = {key: clean(value) for key, value in fields.items()}

    def one(key: str) -> str:
        return squash(values.get(key, ""))

    trial_id = one("trialid")
    if not trial_id:
        raise ParseError("ICTRP record without a TrialID")
    rec = ParsedTrial(source_format=source_format)
    warn = rec.warnings.append
    rec.registry_id = registries.canonical(trial_id) or trial_id
    if rec.registry_id != trial_id:
        rec.secondary_ids.append(SecondaryId(trial_id, "ICTRP TrialID"))
    if one("internal_number"):
        rec.secondary_ids.append(SecondaryId(one("internal_number"), "ICTRP internal number"))
    _registry(one("source_register"), rec)
    _secondary_ids(values.get("secondary_id", ""), rec)

    rec.brief_title = one("public_title")
    rec.official_title = one("scientific_title")
    rec.acronym = one("acronym")[:100]
    if not rec.brief_title and not rec.official_title:
        warn("record has no Public_title or Scientific_title")
    if one("primary_sponsor"):
        rec.sponsors.append(Sponsor(one("primary_sponsor"), "lead"))
    for name in normalize.split_list(values.get("secondary_sponsor", "")):
        if name != one("primary_sponsor"):
            rec.sponsors.append(Sponsor(name, "collaborator"))

    address = one("web_address")
    if address.startswith(("https://", "http://")) and len(address) <= 500:
        rec.record_url = address
    elif address:
        warn(f"web_address {address[:60]!r} is not a web address")
    _dates(values, rec)

    status = one("recruitment_status")
    if status and _coarsened(status, rec.registry_id):
        rec.status_as_written = status
    elif status:
        rec.overall_status, rec.status_as_written = spellings.read_status(status)
        if not rec.overall_status:
            warn(
                f"Recruitment_Status {status[:60]!r} is not one the catalogue knows; kept as written"
            )
    phase = one("phase")
    if phase:
        rec.phases, rec.phase_as_written = spellings.read_phases(values["phase"])
        rec.phase_as_written = squash(rec.phase_as_written)[:200]
        if not rec.phases:
            warn(f"Phase {phase[:60]!r} is not one the catalogue knows; kept as written")
    size = one("target_size")
    if size:
        rec.enrollment = normalize.target_size(values["target_size"])
        if rec.enrollment is None:
            warn(f"Target_size {size[:60]!r} states no number")
    kind = one("study_type")
    if kind:
        rec.study_type = normalize.study_type(kind)
        if not rec.study_type:
            warn(f"Study_type {kind[:60]!r} is not one the catalogue knows")
    rec.design = _design(one("study_design"))

    rec.countries = normalize.split_list(values.get("countries", ""))
    rec.conditions = [c.rstrip(".") for c in normalize.split_list(values.get("condition", ""))]
    _interventions(values.get("intervention", ""), rec)
    for key, kind in (("primary_outcome", "primary"), ("secondary_outcome", "secondary")):
        rec.outcomes += _outcomes(values.get(key, ""), kind)
    _eligibility(values, rec)
    results = one("results_yes_no").casefold()
    rec.results_posted = {"yes": True, "no": False}.get(results)
    return rec


def _coarsened(status: str, registry_id: str) -> bool:
    """ICTRP's "Not recruiting" for a ClinicalTrials.gov trial: ICTRP's coarse summary of a
    status the registry states exactly (completed? terminated? active?), so it is kept as
    written and supplies no status, and any ClinicalTrials.gov source's status stands."""
    registry = registries.registry_of(registry_id)
    return bool(registry and registry.code == "ctgov" and spellings.key(status) == "not recruiting")


def _registry(source_register: str, rec: ParsedTrial) -> None:
    """Source_Register names the registry: checked against the id's, the registry when the
    id is of a registry the catalogue does not know."""
    if not source_register:
        return
    named = registries.named(source_register)
    of_id = registries.registry_of(rec.registry_id)
    if not named:
        rec.warnings.append(
            f"Source_Register {source_register[:60]!r} is not a registry the catalogue knows"
        )
    elif of_id is None:
        rec.registry = named[0].code
    elif of_id not in named:
        rec.warnings.append(
            f"Source_Register {source_register[:60]!r} is not the registry of {rec.registry_id}"
        )


def _secondary_ids(text: str, rec: ParsedTrial) -> None:
    """Each value once: a registry's id canonical and named by its registry, anything else
    (a sponsor's protocol number, a grant) as written."""
    known = {s.identifier for s in rec.secondary_ids} | {rec.registry_id}
    for value in normalize.split_list(text, ";,"):
        if value.casefold() in _NO_ID:
            continue
        canonical = registries.canonical(value)
        identifier = canonical or value
        if identifier in known:
            continue
        known.add(identifier)
        registry = registries.registry_of(canonical) if canonical else None
        rec.secondary_ids.append(SecondaryId(identifier, registry.name if registry else ""))


def _dates(values: dict[str, str], rec: ParsedTrial) -> None:
    def date(key: str) -> str:
        text = squash(values.get(key, ""))
        if not text:
            return ""
        iso = normalize.registry_date(text)  # ICTRP writes day first
        if not iso:
            rec.warnings.append(f"{key} {text[:40]!r} is not a date that can be read")
        return iso

    registered, compact = date("date_registration"), date("date_registration3")
    if registered and compact and registered != compact:
        rec.warnings.append(
            f"Date_registration {registered} and Date_registration3 {compact} disagree"
        )
    rec.registration_date = compact or registered
    rec.start_date = date("date_enrollement")
    rec.last_update = date("last_refreshed_on")


# Words of Study_design as registries write it ("Randomised, Parallel, Double blind",
# "Allocation: Randomized. Intervention model: Single Group Assignment. Masking: None (Open
# Label). Primary purpose: Treatment."): a value is read only when one word of its kind is there.
_DESIGN_WORDS = {
    "allocation": (
        ("NA", r"allocation:\s*n/?a\b"),
        ("NON_RANDOMIZED", r"non[\s-]*randomi[sz]ed|not randomi[sz]ed"),
        ("RANDOMIZED", r"(?<!non-)(?<!non )(?<!not )\brandomi[sz]ed"),
    ),
    "intervention_model": (
        ("SINGLE_GROUP", r"single[\s-]*(?:group|arm)"),
        ("PARALLEL", r"parallel"),
        ("CROSSOVER", r"cross[\s-]*over"),
        ("FACTORIAL", r"factorial"),
        ("SEQUENTIAL", r"sequential"),
    ),
    "masking": (
        ("NONE", r"open[\s-]*label|\bnone \(open|\bnot blinded|\bunblinded|masking not used"),
        ("SINGLE", r"single[\s-]*blind"),
        ("DOUBLE", r"double[\s-]*blind"),
        ("TRIPLE", r"triple[\s-]*blind|\btriple\b"),
        ("QUADRUPLE", r"quadruple"),
    ),
    "primary_purpose": (
        ("TREATMENT", r"purpose:?\s*treatment|treatment purpose"),
        ("PREVENTION", r"purpose:?\s*prevention"),
        ("DIAGNOSTIC", r"purpose:?\s*diagnos"),
        ("SUPPORTIVE_CARE", r"purpose:?\s*supportive"),
        ("BASIC_SCIENCE", r"purpose:?\s*basic science"),
    ),
}


def _design(text: str) -> Design:
    # EU CTR lists every feature with yes or no ("Single blind: no Double blind: yes"): the
    # features said "no" are dropped before looking for words.
    folded = re.sub(r"[a-z][a-z /-]{0,30}:\s*no\b", " ", text.casefold())
    design = Design()
    for name, options in _DESIGN_WORDS.items():
        found = [value for value, pattern in options if re.search(pattern, folded)]
        if len(found) == 1:
            setattr(design, name, found[0])
    return design


def _interventions(text: str, rec: ParsedTrial) -> None:
    """'Biological: UC-MSC;Drug: placebo' (typed, as ClinicalTrials.gov writes them) or
    'Experimental group:UC-MSC infusion;Control group:placebo;' (ChiCTR: group, then what it
    receives: an arm and its intervention), or plain names."""
    for item in normalize.split_list(text, ";\n"):
        label, sep, name = item.partition(":")
        label, name = label.strip(), name.strip()
        itype = _INTERVENTION_TYPES.get(label.casefold()) if sep else None
        if itype and name:
            rec.interventions.append(Intervention(name=name, intervention_type=itype))
        elif sep and name and re.search(r"\b(?:group|arm|cohort)\b", label, re.I):
            rec.interventions.append(Intervention(name=name, arm_labels=[label]))
            rec.arms.append(Arm(label=label, intervention_names=[name]))
        else:
            rec.interventions.append(Intervention(name=item))


def _outcomes(text: str, kind: str) -> list[Outcome]:
    """Outcomes ";"-separated or one per line; a time frame in brackets ("[Time Frame: 12
    months]", as ClinicalTrials.gov writes it) or after "Timepoint:" (ANZCTR, CTRI, IRCT,
    on the same line or the next), and IRCT's "Method of measurement:" as the description."""
    out: list[Outcome] = []
    for line in normalize.split_list(text, ";\n"):
        match = _TIME_FRAME.search(line)
        measure = (line[: match.start()] if match else line).strip(" .;")
        time_frame = (match.group(1) or match.group(2) or "") if match else ""
        time_frame, method = (
            _METHOD.split(time_frame, maxsplit=1)
            if _METHOD.search(time_frame)
            else (time_frame, "")
        )
        time_frame, method = time_frame.strip(" ."), method.strip(" .")
        if measure:
            out.append(Outcome(kind, measure, time_frame, method))
        elif out and not out[-1].time_frame:  # "Timepoint: 12 weeks" on a line of its own
            out[-1].time_frame = time_frame
    return out


def _criteria_lines(text: str) -> list[str]:
    """A criteria field's rows: its lines, a line numbered inline ("1. ... 2. ...") cut
    before each number."""
    lines = []
    for line in text.split("\n"):
        if len(re.findall(r"(?:^|\s)\d{1,2}[.)]\s", line)) >= 2:
            lines += [part for part in _INLINE_NUMBER.split(line) if part.strip()]
        elif line.strip():
            lines.append(line)
    return lines


def _eligibility(values: dict[str, str], rec: ParsedTrial) -> None:
    eligibility = rec.eligibility
    gender = squash(values.get("inclusion_gender", ""))
    said = dict(re.findall(r"\b(female|male)\s*:\s*(yes|no)\b", gender.casefold()))
    if said:  # EU CTR: "Female: yes Male: no"
        eligibility.sex = {
            ("yes", "yes"): "ALL",
            ("yes", "no"): "FEMALE",
            ("no", "yes"): "MALE",
        }.get((said.get("female", ""), said.get("male", "")), "")
        if not eligibility.sex:
            rec.warnings.append(f"Inclusion_gender {gender[:40]!r} is not one the catalogue knows")
    elif gender:
        eligibility.sex = normalize.sex(gender.replace("-", " "))
        if not eligibility.sex:
            rec.warnings.append(f"Inclusion_gender {gender[:40]!r} is not one the catalogue knows")
    for key, attr in (("inclusion_agemin", "minimum_age"), ("inclusion_agemax", "maximum_age")):
        written = squash(values.get(key, ""))
        age = normalize.age_limit(written)
        if age is None:
            rec.warnings.append(
                f"{key} {written[:40]!r} is not an age that can be read; kept as written"
            )
            age = written[:64]
        setattr(eligibility, attr, age)
    block = []
    for key, heading in (
        ("inclusion_criteria", "Inclusion Criteria:"),
        ("exclusion_criteria", "Exclusion Criteria:"),
    ):
        rows = _criteria_lines(values.get(key, ""))
        if rows:
            block += [heading, *rows]
    if block:
        eligibility.criteria_text, eligibility.criteria = criteria("\n".join(block), rec.warnings)
