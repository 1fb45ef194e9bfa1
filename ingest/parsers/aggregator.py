"""The older aggregator page: a lower-cased mirror of a ClinicalTrials.gov record.

The page opens with a status sentence ("This trial is active, not recruiting."),
then one "Label value" line per fact (Condition, Treatment, Phase, Sponsor, ...),
the summary, one line per location region, and titled sections: Study Design,
Primary/Secondary Outcomes, Eligibility Criteria, Additional Information. The
criteria arrive run together on one line ("Inclusion Criteria: - a - b Exclusion
Criteria: - x"). The page never states the study type, arm labels or a brief title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from records import (
    Arm,
    Criterion,
    Design,
    Intervention,
    Investigator,
    Outcome,
    ParsedTrial,
    ParseError,
    SecondaryId,
    Sponsor,
)

from .. import normalize
from ..text import squash

FORMAT = "aggregator"

_STATUS_SENTENCE = re.compile(r"^This trial (?:is|was|has been) ([a-z ,]+?)\.?$", re.I)

# (label as printed, field key); plural spellings first so "Conditions" is not read as "Condition" + "s".
_TOP_LABELS = (
    ("Conditions", "condition"),
    ("Condition", "condition"),
    ("Treatments", "treatment"),
    ("Treatment", "treatment"),
    ("Phases", "phase"),
    ("Phase", "phase"),
    ("Sponsor", "sponsor"),
    ("Collaborators", "collaborator"),
    ("Collaborator", "collaborator"),
    ("Start date", "start"),
    ("End date", "end"),
    ("Trial size", "size"),
    ("Trial identifiers", "identifier"),
    ("Trial identifier", "identifier"),
)
_EXPECTED_TOP = ("condition", "treatment", "phase", "sponsor", "start", "end", "size", "identifier")
_DESIGN_LABELS = (
    ("Allocation", "allocation"),
    ("Endpoint classification", "endpoint"),
    ("Intervention model", "model"),
    ("Masking", "masking"),
    ("Primary purpose", "purpose"),
    ("Time perspective", "time_perspective"),
    ("Observational model", "observational_model"),
)
_INFO_LABELS = (
    ("Official title", "official_title"),
    ("Acronym", "acronym"),
    ("Principal investigators", "principal_investigator"),
    ("Principal investigator", "principal_investigator"),
    ("Study director", "study_director"),
    ("Study chair", "study_chair"),
    ("Description", "description"),
)
_HEADERS = {
    "study design": "Study Design",
    "primary outcomes": "Primary Outcomes",
    "secondary outcomes": "Secondary Outcomes",
    "other outcomes": "Other Outcomes",
    "eligibility criteria": "Eligibility Criteria",
    "additional information": "Additional Information",
}
_EXPECTED_SECTIONS = (
    "Study Design",
    "Primary Outcomes",
    "Eligibility Criteria",
    "Additional Information",
)
_REGIONS = ("United States", "Other Countries")
_RECEIVED = re.compile(r"^Trial information was received from .*?last updated in (.+?)\.?$", re.I)
_PROVIDED = re.compile(r"^Information provided to ClinicalTrials\.gov by (.+)$", re.I)
# A sentence period ends the "provided by" line; keep it when it belongs to an abbreviation.
_ABBREVIATION_END = re.compile(r"\b(?:Inc|Ltd|Co|Corp|Jr|Sr|[A-Z])\.$")

_MODELS = ("SINGLE_GROUP", "PARALLEL", "CROSSOVER", "FACTORIAL", "SEQUENTIAL")
_PURPOSES = (
    "TREATMENT",
    "PREVENTION",
    "DIAGNOSTIC",
    "SUPPORTIVE_CARE",
    "SCREENING",
    "HEALTH_SERVICES_RESEARCH",
    "BASIC_SCIENCE",
    "DEVICE_FEASIBILITY",
    "OTHER",
)

_SEX_SENTENCE = re.compile(r"^(male or female|female|male)\s+participants?\b(.*)$", re.I)
_UNIT = r"(years?|months?|weeks?|days?)"
_AGE_BETWEEN = re.compile(rf"between (\d+)(?: {_UNIT})? and (\d+) {_UNIT}", re.I)
_AGE_MIN = re.compile(rf"at least (\d+) {_UNIT}", re.I)
_AGE_MAX = re.compile(rf"up to (\d+) {_UNIT}", re.I)

# "Inclusion Criteria:" anywhere (the colon keeps "meets the exclusion criteria" in prose
# from starting a new block); without a colon only when it is the whole line.
_MARKER = re.compile(r"\b(Inclusion|Exclusion) Criteria\s*:", re.I)
_MARKER_LINE = re.compile(r"^(Inclusion|Exclusion) Criteria\s*:?$", re.I)
_BULLET_LINE = re.compile(r"^(\s*)(?:[*\u2022\u00b7-]|\d{1,2}[.)])\s+(.*)$")
# An inline bullet is " - " between words; "HTLV-1", "ex-vivo" and "pre- and" have no space
# on one side, and "7.5 - 9" (digits on both sides) is a range, not a bullet.
# Applied to squashed text: single spaces keep the pattern fixed-width (no backtracking).
_INLINE_BULLET = re.compile(r"(?<!\d) - | - (?!\d)")


# Every page line is tried against the labels, so a quick test first rules most lines out.
# (Keyed by id: hashing the label tuple itself on every call would cost more than it saves.)
_PREFIXES = {
    id(labels): tuple(printed.lower() for printed, _ in labels)
    for labels in (_TOP_LABELS, _DESIGN_LABELS, _INFO_LABELS)
}
_LONGEST_LABEL = max(len(printed) for labels in _PREFIXES.values() for printed in labels)


def looks_like(text: str) -> bool:
    """A status sentence or "Trial identifier" line plus at least two other label lines."""
    labels = set()
    for line in text.splitlines():
        line = line.strip()
        found = _label(line, _TOP_LABELS) if line else None
        if found and found[1]:
            labels.add(found[0])
    head = text[:3000].splitlines()
    has_status = any(_STATUS_SENTENCE.match(line.strip()) for line in head)
    return (has_status or "identifier" in labels) and len(labels - {"identifier"}) >= 2


def parse(text: str) -> ParsedTrial:
    if not looks_like(text):
        raise ParseError("not an aggregator page")
    lines = [line.rstrip() for line in text.splitlines()]
    top, sections, order = _split_sections(lines)
    record = ParsedTrial(source_format=FORMAT)
    ended = _read_top(top, record)
    design = sections.get("Study Design")
    if design is not None:
        _read_design(design, record)
    for kind in ("Primary", "Secondary", "Other"):
        if f"{kind} Outcomes" in sections:
            _read_outcomes(sections[f"{kind} Outcomes"], kind.lower(), record)
    if "Eligibility Criteria" in sections:
        _read_eligibility(sections["Eligibility Criteria"], record)
    if "Additional Information" in sections:
        ended = _read_info(sections["Additional Information"], record) or ended
    for name in _EXPECTED_SECTIONS:
        if name not in sections:
            record.warnings.append(f"section '{name}' is missing")
    for name in order:
        if not any(line.strip() for line in sections[name]):
            record.warnings.append(f"section '{name}' is empty")
    if not ended:
        # The page always closes with the "Information provided to ClinicalTrials.gov" line.
        record.warnings.append(f"page appears cut off in '{order[-1] if order else 'page header'}'")
    if not (record.registry_id or record.official_title or record.conditions or record.sponsors):
        raise ParseError("aggregator page without any usable trial facts")
    return record


def _label(line: str, labels: tuple) -> tuple[str, str, bool] | None:
    """(key, value, plural) when the line starts with one of the labels, else None."""
    low = line[:_LONGEST_LABEL].lower()
    if not low.startswith(_PREFIXES[id(labels)]):  # most lines, in one quick test
        return None
    low = line.lower()
    for printed, key in labels:
        name = printed.lower()
        if low == name or low.startswith(name + " "):
            plural = printed.endswith("s") and not key.endswith("s")
            return key, line[len(printed) :].strip(), plural
    return None


def _take_labels(lines: list[str], labels: tuple) -> tuple[dict, list[str]]:
    """Read the leading run of "Label value" lines; return the values and the lines after them.

    A bare label (HTML definition lists put the value on its own line) takes the next line.
    Each label is read once, so prose that happens to start with a label word ends the run.
    """
    values: dict[str, tuple[str, bool]] = {}
    rest = [line.strip() for line in lines if line.strip()]
    i = 0
    while i < len(rest):
        found = _label(rest[i], labels)
        if not found or found[0] in values:
            break
        key, value, plural = found
        if not value and i + 1 < len(rest) and not _label(rest[i + 1], labels):
            i += 1
            value = rest[i]
        values[key] = (squash(value), plural)
        i += 1
    return values, rest[i:]


def _split_sections(lines: list[str]) -> tuple[list[str], dict[str, list[str]], list[str]]:
    top: list[str] = []
    sections: dict[str, list[str]] = {}
    order: list[str] = []
    current = top
    for line in lines:
        name = _HEADERS.get(line.strip().rstrip(":").lower())
        if name and name not in sections:
            sections[name] = current = []
            order.append(name)
        else:
            current.append(line)
    return top, sections, order


def _read_top(lines: list[str], record: ParsedTrial) -> bool:
    """Status sentence, label lines, summary and region lines; True if the page's closing line is here."""
    sentence = next(
        ((i, m) for i, line in enumerate(lines) if (m := _STATUS_SENTENCE.match(line.strip()))),
        None,
    )
    if sentence is None:
        record.warnings.append("status sentence is missing")
        # Skip site chrome before the first label line.
        start = next((i for i, line in enumerate(lines) if _label(line.strip(), _TOP_LABELS)), 0)
    else:
        start, match = sentence
        said = match.group(1)
        record.overall_status = normalize.status(said)
        if not record.overall_status:
            record.warnings.append(f"status not recognised: {said!r}")
        start += 1
    values, rest = _take_labels(lines[start:], _TOP_LABELS)
    printed = {key: label for label, key in _TOP_LABELS}  # the singular spelling wins
    for key, (value, _plural) in values.items():
        if not value:
            record.warnings.append(f"label '{printed[key]}' is empty")
    for key in _EXPECTED_TOP:
        if key not in values:
            record.warnings.append(f"label '{printed[key]}' is missing")
    _apply_top(values, record)

    summary: list[str] = []
    ended = False
    i = 0
    while i < len(rest):
        line = rest[i]
        region = next((r for r in _REGIONS if line == r or line.startswith(r + " ")), None)
        if region:
            value = line[len(region) :].strip()
            if not value and i + 1 < len(rest):
                i += 1
                value = rest[i]
            if value.lower().rstrip(".") != "no locations recruiting":
                record.warnings.append(f"locations in '{region}' not read: {value!r}")
        elif _PROVIDED.match(line):
            ended = True
        elif _RECEIVED.match(line):
            pass
        else:
            summary.append(line)
        i += 1
    record.brief_summary = "\n".join(summary)
    if not summary:
        record.warnings.append("summary is missing")
    return ended


def _apply_top(values: dict, record: ParsedTrial) -> None:
    def get(key: str) -> str:
        return values.get(key, ("", False))[0]

    if get("condition"):
        record.conditions = [get("condition")]
        if values["condition"][1]:
            # Condition names contain commas ("diabetes mellitus, type 1"), so no split.
            record.warnings.append("several conditions on one line, kept unsplit")
    for name in _split_list(get("treatment"), values.get("treatment", ("", False))[1]):
        record.interventions.append(Intervention(name=name))
    record.phases = normalize.phases(get("phase"))
    if get("phase") and not record.phases:
        record.warnings.append(f"phase not recognised: {get('phase')!r}")
    if get("sponsor"):
        record.sponsors.append(Sponsor(name=get("sponsor"), role="lead"))
    if get("collaborator"):
        record.sponsors.append(Sponsor(name=get("collaborator"), role="collaborator"))
        if values["collaborator"][1]:
            record.warnings.append("several collaborators on one line, kept unsplit")
    for key, attr in (("start", "start_date"), ("end", "completion_date")):
        if get(key):
            setattr(record, attr, normalize.partial_date(get(key)))
            if not getattr(record, attr):
                record.warnings.append(f"date not recognised: {get(key)!r}")
    record.enrollment = normalize.enrollment(get("size"))
    ids = normalize.registry_ids(get("identifier"))
    # A malformed id ("NCTXXXX") is kept: parse_document refuses it, saying why.
    record.registry_id = ids[0] if ids else normalize.claimed_id(get("identifier").split(",")[0])
    for part in get("identifier").split(","):
        part = part.strip()
        if part and part != record.registry_id:
            record.secondary_ids.append(SecondaryId(identifier=part))


def _split_list(value: str, plural: bool) -> list[str]:
    if not value:
        return []
    return [v.strip() for v in value.split(",") if v.strip()] if plural else [value]


def _read_design(lines: list[str], record: ParsedTrial) -> None:
    values, rest = _take_labels(lines, _DESIGN_LABELS)

    def get(key: str) -> str:
        return values.get(key, ("", False))[0]

    allocation = normalize.enum_word(get("allocation"))
    allocation = "NA" if allocation in ("N_A", "NA") else allocation
    model = normalize.enum_word(get("model")).removesuffix("_ASSIGNMENT")
    masking = get("masking").lower()
    blind = re.search(r"\b(single|double|triple|quadruple)\b", masking)
    purpose = normalize.enum_word(get("purpose"))
    record.design = Design(
        allocation=allocation if allocation in ("RANDOMIZED", "NON_RANDOMIZED", "NA") else "",
        intervention_model=model if model in _MODELS else "",
        primary_purpose=purpose if purpose in _PURPOSES else "",
        masking=blind.group(1).upper()
        if blind
        else ("NONE" if re.search(r"open label|none", masking) else ""),
    )
    for key, attr in (
        ("allocation", "allocation"),
        ("model", "intervention_model"),
        ("purpose", "primary_purpose"),
        ("masking", "masking"),
    ):
        if get(key) and not getattr(record.design, attr):
            record.warnings.append(f"design value not recognised: {get(key)!r}")
    _read_arms(rest, record)


def _read_arms(lines: list[str], record: ParsedTrial) -> None:
    """Arm descriptions, each followed by its interventions: a line naming a treatment, then its detail line."""
    if not lines:
        return
    by_name = {iv.name.lower(): iv for iv in record.interventions}
    if not by_name:
        record.warnings.append("no treatment names, so arms and interventions were not read")
        return
    names = sorted(by_name, key=len, reverse=True)

    def named(line: str) -> Intervention | None:
        low = line.lower()
        return next((by_name[n] for n in names if low == n or low.startswith(n + " ")), None)

    arm: Arm | None = None
    i = 0
    while i < len(lines):
        intervention = named(lines[i])
        if intervention is None:
            arm = Arm(label="", description=lines[i])
            record.arms.append(arm)
        else:
            if arm is not None and intervention.name not in arm.intervention_names:
                arm.intervention_names.append(intervention.name)
            following = lines[i + 1] if i + 1 < len(lines) else ""
            if (
                following
                and named(following) is None
                and intervention.description in ("", following)
            ):
                intervention.description = following
                i += 1
        i += 1
    if record.arms:
        record.warnings.append("arm labels are not stated on the page")


def _read_outcomes(lines: list[str], kind: str, record: ParsedTrial) -> None:
    for line in (line.strip() for line in lines):
        low = line.lower()
        last = record.outcomes[-1] if record.outcomes and record.outcomes[-1].kind == kind else None
        if low.startswith("time frame:") and last:
            last.time_frame = squash(line[len("time frame:") :])
        elif low.startswith("description:") and last:
            last.description = squash(line[len("description:") :])
        elif line:
            record.outcomes.append(Outcome(kind=kind, measure=squash(line)))


def _read_eligibility(lines: list[str], record: ParsedTrial) -> None:
    eligibility = record.eligibility
    criteria_lines: list[str] = []
    for line in lines:
        stripped = line.strip()
        who = _SEX_SENTENCE.match(stripped)
        if who and not eligibility.sex:
            eligibility.sex = (
                "ALL" if " or " in who.group(1).lower() else normalize.sex(who.group(1))
            )
            _read_ages(who.group(2), record)
        elif normalize.yes_no(stripped) is not None and eligibility.healthy_volunteers is None:
            eligibility.healthy_volunteers = normalize.yes_no(stripped)
        elif stripped or criteria_lines:
            criteria_lines.append(line)
    if not eligibility.sex:
        record.warnings.append("sentence giving sex and ages is missing")
    eligibility.criteria_text = "\n".join(criteria_lines).strip()
    if not eligibility.criteria_text:
        record.warnings.append("eligibility criteria are empty")
        return
    eligibility.criteria = _criteria(criteria_lines, record)
    for kind in ("inclusion", "exclusion"):
        if not any(c.kind == kind for c in eligibility.criteria):
            record.warnings.append(f"no {kind} criteria")


def _read_ages(phrase: str, record: ParsedTrial) -> None:
    eligibility = record.eligibility
    between = _AGE_BETWEEN.search(phrase)
    if between:
        low, low_unit, high, high_unit = between.groups()
        eligibility.minimum_age = _age(low, low_unit or high_unit)
        eligibility.maximum_age = _age(high, high_unit)
        return
    if m := _AGE_MIN.search(phrase):
        eligibility.minimum_age = _age(*m.groups())
    if m := _AGE_MAX.search(phrase):
        eligibility.maximum_age = _age(*m.groups())


def _age(number: str, unit: str) -> str:
    """ClinicalTrials.gov spelling: '18 Years', '1 Year', '6 Months'."""
    unit = unit.lower().removesuffix("s").capitalize()
    return f"{number} {unit}" + ("" if number == "1" else "s")


@dataclass
class _CriteriaState:
    kind: str = ""  # "inclusion" or "exclusion" once a heading or marker said so
    base: int | None = None  # the indent of the first bullet under the heading
    loose: bool = False  # text came before any heading


def _criteria(lines: list[str], record: ParsedTrial) -> list[Criterion]:
    found: list[Criterion] = []
    state = _CriteriaState()

    def add(text: str, depth: int = 0) -> None:
        text = squash(text)
        if not text:
            return
        if not state.kind:
            state.loose = True
            return
        same_kind = found and found[-1].kind == state.kind
        found.append(Criterion(kind=state.kind, text=text, depth=depth if same_kind else 0))

    def inline(text: str) -> None:
        # Split on "Inclusion Criteria:" / "Exclusion Criteria:" markers, then on " - " bullets.
        pos = 0
        for marker in [*_MARKER.finditer(text), None]:
            chunk = squash(text[pos : marker.start() if marker else len(text)])
            if chunk.startswith("-"):
                for piece in _INLINE_BULLET.split(chunk[1:]):
                    add(piece)
            else:
                add(chunk)
            if marker:
                state.kind, state.base = marker.group(1).lower(), None
                pos = marker.end()

    for line in lines:
        if not line.strip():
            continue
        heading = _MARKER_LINE.match(line.strip())
        bullet = _BULLET_LINE.match(line)
        if heading:
            state.kind, state.base = heading.group(1).lower(), None
        elif bullet and not (
            line.lstrip().startswith("-") and _INLINE_BULLET.search(squash(bullet.group(2)))
        ):
            # A real line bullet; "- a - b" on one line is the run-together form, read inline.
            indent = len(bullet.group(1))
            if state.base is None or indent < state.base:
                state.base = indent
            add(bullet.group(2), depth=(indent - state.base + 1) // 2)
        else:
            inline(line.strip())
    if state.loose:
        record.warnings.append("criteria text outside an Inclusion/Exclusion heading was not split")
    return found


def _read_info(lines: list[str], record: ParsedTrial) -> bool:
    """Additional Information: labelled values (a value may run on over later lines) and the closing lines."""
    values: dict[str, list[str]] = {}
    current = ""
    ended = False
    for line in (line.strip() for line in lines):
        if not line:
            continue
        received, provided = _RECEIVED.match(line), _PROVIDED.match(line)
        found = _label(line, _INFO_LABELS)
        if received:
            record.last_update = normalize.partial_date(received.group(1))
            current = ""
        elif provided:
            by = provided.group(1).strip()
            record.responsible_party = by if _ABBREVIATION_END.search(by) else by.rstrip(".")
            ended = True
            break  # anything after the closing line is site footer
        elif found and found[0] not in values:
            current = found[0]
            values[current] = [found[1]] if found[1] else []
        elif current:
            values[current].append(line)

    def get(key: str, sep: str = " ") -> str:
        return sep.join(values.get(key, [])).strip()

    record.official_title = squash(get("official_title"))
    record.acronym = get("acronym")
    record.detailed_description = get("description", "\n")
    if record.official_title:
        if not record.brief_title:
            record.brief_title = record.official_title
            record.warnings.append(
                "page has no brief title; the official title is used as brief title"
            )
    else:
        record.warnings.append("official title is missing")
    roles = (
        ("principal_investigator", "PRINCIPAL_INVESTIGATOR"),
        ("study_director", "STUDY_DIRECTOR"),
        ("study_chair", "STUDY_CHAIR"),
    )
    for key, role in roles:
        # Several people are separated by ";" since names carry ", PhD".
        for name in get(key).split(";"):
            if name.strip():
                record.investigators.append(Investigator(name=squash(name), role=role))
    return ended
