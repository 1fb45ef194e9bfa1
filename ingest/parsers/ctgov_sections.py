"""The ClinicalTrials.gov-derived trial page: section splitting and the sections both variants share.

The site prints every section as a heading line followed by one fixed sentence of
boilerplate ("Get a concise snapshot of the trial, ..."). It comes in two variants: with
field labels ("Recruitment Status", "Group Type EXPERIMENTAL", ...) and with those labels
lost, where values must be recognised by shape and position (`ctgov_labeled`,
`ctgov_unlabeled`). Headings, boilerplate and the layout of most sections are the same in
both, so this module splits a page into sections, drops the boilerplate and reads every
section whose layout does not depend on the lost labels. Readers accept a label when it is
there and fall back on position when it is not, so they serve both variants.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from records import (
    Arm,
    Criterion,
    Intervention,
    Investigator,
    Location,
    ParsedTrial,
    ParseError,
    Reference,
    RelatedTrial,
    SecondaryId,
    Sponsor,
)

from .. import normalize
from ..text import squash

# Heading -> the site's boilerplate sentence under it ("" when the site prints none).
BOILERPLATE = {
    "Study Results": "",
    "Basic Information": "Get a concise snapshot of the trial, including recruitment status, study phase, enrollment targets, and key timeline milestones.",
    "Brief Summary": "Review the sponsor-provided synopsis that highlights what the study is about and why it is being conducted.",
    "Related Clinical Trials": "Explore similar clinical trials based on study characteristics and research focus.",
    "Detailed Description": "Dive into the extended narrative that explains the scientific background, objectives, and procedures in greater depth.",
    "Conditions": "See the medical conditions and disease areas that this research is targeting or investigating.",
    "Study Design": "Understand how the trial is structured, including allocation methods, masking strategies, primary purpose, and other design elements.",
    "Study Groups": "Review each arm or cohort in the study, along with the interventions and objectives associated with them.",
    "Interventions": "Learn about the drugs, procedures, or behavioral strategies being tested and how they are applied within this trial.",
    "Eligibility Criteria": "Check the participation requirements, including inclusion and exclusion rules, age limits, and whether healthy volunteers are accepted.",
    "Sponsors": "Meet the organizations funding or collaborating on the study and learn about their roles.",
    "Responsible Party": "Identify the individual or organization who holds primary responsibility for the study information submitted to regulators.",
    "Principal Investigators": "Learn about the lead researchers overseeing the trial and their institutional affiliations.",
    "Locations": "Explore where the study is taking place and check the recruitment status at each participating site.",
    "Countries": "Review the countries where the study has at least one active or historical site.",
    "Central Contacts": "Reach out to these primary contacts for questions about participation or study logistics.",
    "Facility Contacts": "Find local site contact details for specific facilities participating in the trial.",
    "References": "Explore related publications, articles, or registry entries linked to this study.",
    "Other Identifiers": "Review additional registry numbers or institutional identifiers associated with this trial.",
    "More Related Trials": "Additional clinical trials that may be relevant based on similarity analysis.",
}
# Sections every complete page has; a missing or empty one is worth a warning.
EXPECTED = (
    "Basic Information", "Brief Summary", "Conditions", "Study Design", "Study Groups",
    "Interventions", "Eligibility Criteria", "Sponsors", "Locations", "Countries",
)  # fmt: skip
# Sections with nothing this catalogue stores: their emptiness is not news.
_IGNORED = ("Study Results", "Central Contacts", "Facility Contacts")
# Both seed pages end with this section, so a page without it was cut off.
LAST_SECTION = "More Related Trials"


def _key(text: str) -> str:
    return squash(text).casefold().rstrip(".…")


_HEADING = {_key(h): h for h in BOILERPLATE}
_SENTENCE = {_key(s): h for h, s in BOILERPLATE.items() if s}
_SENTENCE_KEY = {h: key for key, h in _SENTENCE.items()}

# Field labels only the labelled variant prints; their absence marks the unlabelled one.
_FIELD_LABEL = re.compile(
    r"^[ \t]*(?:Recruitment Status|Clinical Phase|Total Enrollment|Study Classification"
    r"|Study Start Date|Study Completion Date|Allocation Method|Intervention Model"
    r"|Primary Study Purpose|Blinding Strategy|Minimum Eligible Age|Maximum Eligible Age"
    r"|Eligible Sex|Accepts Healthy Volunteers)\b"
    r"|^[ \t]*(?:Group Type|Intervention Type) ?[A-Z_]+[ \t]*$|^[ \t]*Sponsor Role ?(?:lead|collaborator)\b",
    re.M,
)
_NCT_ID_LINE = re.compile(r"^[ \t]*NCT ID:", re.M)


@dataclass
class Page:
    """A page cut into sections: heading -> its lines (boilerplate dropped, blank lines kept)."""

    preamble: list[str] = field(default_factory=list)
    sections: dict[str, list[str]] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)

    def raw(self, heading: str) -> list[str]:
        return self.sections.get(heading, [])

    def content(self, heading: str) -> list[str]:
        """The section's non-blank lines, stripped (a bullet marker alone on its line is blank too)."""
        return [line.strip() for line in self.raw(heading) if line.strip(" \t*-•")]


# A line longer than this is no heading, whatever its markup ("### **Sponsors:**  "): most
# lines of a page are, and are passed over without being cleaned and looked up.
_HEADING_LINE = max(map(len, _HEADING)) + 40


def heading_of(line: str) -> str:
    """The canonical heading a line is ('## Sponsors:' -> 'Sponsors'), else ''."""
    if len(line) > _HEADING_LINE:
        return ""
    return _HEADING.get(_key(re.sub(r"^[#*\s]+|[*:\s]+$", "", line)), "")


def is_site_page(text: str) -> bool:
    """The site's boilerplate, or its 'NCT ID:' line together with two of its headings."""
    if any(sentence in text for sentence in BOILERPLATE.values() if sentence):
        return True
    if not _NCT_ID_LINE.search(text):
        return False
    headings = (line for line in text.splitlines() if heading_of(line))
    return next(headings, None) is not None and next(headings, None) is not None


def has_field_labels(text: str) -> bool:
    return bool(_FIELD_LABEL.search(text))


def split_page(text: str) -> Page:
    """Cut the page at its headings. A boilerplate sentence whose heading was lost opens its section too."""
    if not is_site_page(text):
        raise ParseError("not a ClinicalTrials.gov-derived trial page")
    page = Page()
    current: list[str] = page.preamble
    heading = ""
    for line in text.splitlines():
        line = line.rstrip()
        key = _key(line)
        found = heading_of(line) if len(line) < 60 else ""
        if not found:
            inferred = _SENTENCE.get(key, "")
            if inferred and inferred != heading:
                found = inferred
            elif heading and _is_boilerplate(key, heading):
                continue
        if found:
            heading = found
            if found not in page.sections:
                page.order.append(found)
            current = page.sections.setdefault(found, [])
            continue
        current.append(line)
    return page


def _is_boilerplate(key: str, heading: str) -> bool:
    """Whether a line (its `_key`) is the heading's sentence, whole or cut off (a truncated page can end inside it)."""
    sentence = _SENTENCE_KEY.get(heading, "")
    return bool(sentence) and len(key) >= 20 and sentence.startswith(key)


def start_record(page: Page, source_format: str) -> ParsedTrial:
    """A record with everything read from the sections both variants lay out alike."""
    record = ParsedTrial(source_format=source_format)
    _read_preamble(page.preamble, record)
    if not page.order and not record.registry_id:
        raise ParseError("no NCT ID and no sections: nothing to read")
    record.brief_summary = text_block(page.content("Brief Summary"))
    record.detailed_description = text_block(page.content("Detailed Description"))
    record.conditions = _unique(strip_bullet(line) for line in page.content("Conditions"))
    record.interventions = read_interventions(page.content("Interventions"), record.warnings)
    record.arms = read_groups(page.content("Study Groups"), record.interventions)
    record.sponsors = read_sponsors(page.content("Sponsors"), record.warnings)
    record.responsible_party = read_responsible_party(page.content("Responsible Party"))
    record.investigators = read_investigators(page.content("Principal Investigators"))
    record.locations = read_locations(page.content("Locations"))
    record.countries = _unique(strip_bullet(line) for line in page.content("Countries"))
    record.references = read_references(page.content("References"))
    record.secondary_ids = read_other_ids(page.content("Other Identifiers"), record.registry_id)
    seen: set[str] = set()
    for heading in ("Related Clinical Trials", "More Related Trials"):
        for trial in read_related(page.content(heading)):
            if trial.registry_id not in seen:
                seen.add(trial.registry_id)
                record.related_trials.append(trial)
    _section_warnings(page, record)
    return record


def _read_preamble(lines: list[str], record: ParsedTrial) -> None:
    """Title, 'NCT ID: …' and 'Last Updated: …' sit above the first heading."""
    joined = "\n".join(lines)
    match = re.search(r"NCT ID:[ \t]*(\S+)", joined)
    labelled = match.group(1) if match else ""
    ids = normalize.registry_ids(labelled) or normalize.registry_ids(joined)
    # A malformed labelled id ("NCT ID: NCTXXXX") is kept: parse_document refuses it, saying why.
    record.registry_id = ids[0] if ids else normalize.claimed_id(labelled)
    match = re.search(r"Last Updated:\s*(\S[^\n]*)", joined)
    if match:
        record.last_update = normalize.partial_date(match.group(1))
    for line in lines:
        line = line.strip()
        if line and not re.match(r"(NCT ID|Last Updated):", line):
            record.brief_title = squash(line)
            break
    if not record.registry_id:
        record.warnings.append("no 'NCT ID:' line above the first section")
    if not record.brief_title:
        record.warnings.append("no title above the first section")


def _section_warnings(page: Page, record: ParsedTrial) -> None:
    if not page.order:
        record.warnings.append("page appears cut off before its first section")
    elif LAST_SECTION not in page.sections:
        record.warnings.append(f"page appears cut off in '{page.order[-1]}'")
    for heading in EXPECTED:
        if heading not in page.sections:
            record.warnings.append(f"section '{heading}' is missing")
    for heading in page.order:
        if heading not in _IGNORED and not page.content(heading):
            record.warnings.append(f"section '{heading}' is empty")


def _unique(items) -> list[str]:
    """Non-empty items in first-seen order, without repeats (a dict keeps order and looks up fast)."""
    return [item for item in dict.fromkeys(items) if item]


def text_block(lines: list[str]) -> str:
    return "\n".join(lines)


_BULLET = re.compile(r"^([ \t]*)(?:[*\-•●▪◦·+]|\d{1,2}[.)])[ \t]+(.*)$")


def strip_bullet(line: str) -> str:
    match = _BULLET.match(line)
    return (match.group(2) if match else line).strip()


def after_label(line: str, label: str) -> str | None:
    """The value written after `label` on the same line ('' for the bare label); None if not labelled.

    Labels can run into their value when table cells are flattened ('Group TypeEXPERIMENTAL').
    """
    if line[: len(label)].casefold() != label.casefold():
        return None
    return line[len(label) :].strip(" \t:")


def design_value(text: str) -> str:
    """'QUADRUPLE (Participant, ...)' -> 'QUADRUPLE'; 'N/A' -> 'NA'."""
    word = normalize.enum_word(text.split("(")[0])
    return "NA" if word == "N_A" else word


# Agency classes of the API v2 (AMBIG included: the API uses it too).
AGENCY_CLASSES = tuple("NIH FED INDUSTRY OTHER OTHER_GOV INDIV NETWORK AMBIG UNKNOWN".split())
# Arm and intervention types, recognised bare too in case a page loses only the label word.
ARM_TYPES = tuple(
    "EXPERIMENTAL ACTIVE_COMPARATOR PLACEBO_COMPARATOR SHAM_COMPARATOR NO_INTERVENTION".split()
)
INTERVENTION_TYPES = tuple(
    "DRUG DEVICE BIOLOGICAL PROCEDURE RADIATION BEHAVIORAL GENETIC DIETARY_SUPPLEMENT"
    " COMBINATION_PRODUCT DIAGNOSTIC_TEST".split()
)


def _typed(line: str, label: str, bare: tuple[str, ...]) -> str | None:
    """The enum of a 'Label VALUE' line or of a bare known VALUE line; None otherwise."""
    value = after_label(line, label)
    # Only an enum-like value counts, so an arm called "Group Type 1 Diabetes" stays a label.
    if value is not None and (
        re.fullmatch(r"[A-Z][A-Z_ ]*|", value) or normalize.enum_word(value) in (*bare, "OTHER")
    ):
        return normalize.enum_word(value)
    word = normalize.enum_word(line)
    return word if word in bare else None


def intervention_type(line: str) -> str | None:
    return _typed(line, "Intervention Type", INTERVENTION_TYPES)


def arm_type(line: str) -> str | None:
    return _typed(line, "Group Type", ARM_TYPES)


def read_interventions(lines: list[str], warnings: list[str]) -> list[Intervention]:
    """Each intervention is its name, its description, then its 'Intervention Type X' line.

    Without type lines the names cannot be told from descriptions by shape, so lines are
    paired name/description as the site prints them.
    """
    out: list[Intervention] = []
    if any(intervention_type(line) is not None for line in lines):
        group: list[str] = []
        for line in lines:
            kind = intervention_type(line)
            if kind is None:
                group.append(line)
                continue
            if group:
                out.append(Intervention(group[0], kind, text_block(group[1:])))
            group = []
        if group:  # a cut-off page can end before the type line
            out.append(Intervention(group[0], "", text_block(group[1:])))
        return out
    if len(lines) % 2:
        warnings.append(
            "'Interventions' has an odd number of lines: names and descriptions may be mispaired"
        )
    for i in range(0, len(lines), 2):
        out.append(Intervention(lines[i], "", lines[i + 1] if i + 1 < len(lines) else ""))
    return out


def read_groups(lines: list[str], interventions: list[Intervention]) -> list[Arm]:
    """Arms: label, description, ['Group Type X'], then per intervention: name, ['Intervention Type X'], description.

    Intervention names and descriptions are known from the Interventions section, which tells
    them apart from arm labels when the type lines are missing. Fills the interventions'
    arm_labels and adds any intervention named only here.
    """
    known = {_key(item.name): item for item in interventions}
    descriptions = {_key(item.description) for item in interventions if item.description}
    arms: list[Arm] = []
    arm: Arm | None = None
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        kind = arm_type(line)
        if kind is not None:
            if arm is not None:
                arm.arm_type = kind
            i += 1
            continue
        nxt = lines[i + 1] if i + 1 < n else ""
        typed = intervention_type(nxt) if nxt else None
        item = known.get(_key(line))
        # A new arm starts after an arm's type or interventions have been seen.
        expecting_label = arm is None or bool(arm.arm_type or arm.intervention_names)
        if typed is not None:
            is_item = True
        elif item is None:
            is_item = False
        elif not expecting_label:
            is_item = True
        else:  # an arm can be labelled like its intervention: only its description tells
            is_item = arm is not None and (
                not item.description or _key(nxt) == _key(item.description)
            )
        if is_item:
            if arm is None:
                arm = Arm(label="")
                arms.append(arm)
            i = _take_intervention(lines, i, typed, arm, interventions, known)
        elif _key(line) in descriptions:
            i += 1
        elif expecting_label or arm is None:
            arm = Arm(label=line)
            arms.append(arm)
            i += 1
        else:
            arm.description = text_block([d for d in (arm.description, line) if d])
            i += 1
    return arms


def _take_intervention(
    lines: list[str],
    i: int,
    typed: str | None,
    arm: Arm,
    interventions: list[Intervention],
    known: dict[str, Intervention],
) -> int:
    """Attach the intervention named at lines[i] to the arm; the index after its lines."""
    name = lines[i]
    j = i + 2 if typed is not None else i + 1
    item = known.get(_key(name))
    if item is None:
        item = Intervention(name, typed or "")
        interventions.append(item)
        known[_key(name)] = item
    elif typed and not item.intervention_type:
        item.intervention_type = typed
    if item.name not in arm.intervention_names:
        arm.intervention_names.append(item.name)
    if arm.label and arm.label not in item.arm_labels:
        item.arm_labels.append(arm.label)
    if j < len(lines):
        if item.description and _key(lines[j]) == _key(item.description):
            j += 1
        elif typed is not None and not item.description and _description_follows(lines, j):
            item.description = lines[j]
            j += 1
    return j


def _description_follows(lines: list[str], j: int) -> bool:
    """Without a known description, is lines[j] one, or the next arm's label?

    The next arm is its label and description before its 'Group Type' line, so lines[j]
    is a description only when at least three lines precede that type line.
    """
    if j + 1 < len(lines) and intervention_type(lines[j + 1]) is not None:
        return False  # lines[j] names another intervention
    for g in range(j, len(lines)):
        if arm_type(lines[g]) is not None:
            return g - j >= 3
    return True


_CRITERIA_HEADING = re.compile(r"(?:key\s+)?(inclusion|exclusion)\s+criteria\b[\s:]*(.*)", re.I)
# A nested row that ends like this is followed by another row of the same nested list.
_CONTINUES = re.compile(r"(?:[,;]|\band|\bor|\band/or)$", re.I)


@dataclass
class _Row:
    kind: str
    text: str
    indent: int | None  # None for a line without a bullet marker


def fill_criteria(record: ParsedTrial, lines: list[str], end: int) -> list[str]:
    """Read the criteria in lines[:end] of 'Eligibility Criteria' into the record; the rest is returned."""
    eligibility = record.eligibility
    eligibility.criteria_text, eligibility.criteria = read_criteria(lines[:end], record.warnings)
    if any(line.strip() for line in lines) and not eligibility.criteria:
        record.warnings.append("no inclusion or exclusion criteria in 'Eligibility Criteria'")
    return lines[end:]


def read_criteria(lines: list[str], warnings: list[str]) -> tuple[str, list[Criterion]]:
    """The criteria block as written and one Criterion per row, in page order.

    Nesting comes from bullet indentation when the page keeps it (HTML renderings do).
    Flattened text keeps only one hint: a row ending with ':' introduces sub-rows, which
    run on while each one ends like a list item that continues (',', ';', 'and', 'or').
    """
    block = [line.rstrip() for line in lines]
    while block and not block[0].strip():
        block.pop(0)
    while block and not block[-1].strip():
        block.pop()
    kind = ""
    rows: list[_Row] = []
    for line in block:
        if not line.strip():
            continue
        match = _BULLET.match(line)
        heading = None if match else _CRITERIA_HEADING.fullmatch(line.strip())
        if heading:
            kind = heading.group(1).lower()
            line = heading.group(2)
            if not line:
                continue
        if not kind:
            warnings.append(
                "criteria before any 'Inclusion Criteria' heading were taken as inclusion"
            )
            kind = "inclusion"
        if match:
            indent = len(match.group(1).expandtabs(4))
            rows.append(_Row(kind, match.group(2).strip(), indent))
        else:
            rows.append(_Row(kind, line.strip(), None))
    depths = _indent_depths(rows) if _has_indents(rows) else _colon_depths(rows)
    criteria = [
        Criterion(row.kind, row.text, depth) for row, depth in zip(rows, depths, strict=True)
    ]
    return "\n".join(block), criteria


def _has_indents(rows: list[_Row]) -> bool:
    return len({row.indent for row in rows if row.indent is not None}) > 1


def _indent_depths(rows: list[_Row]) -> list[int]:
    depths: list[int] = []
    stack: list[int] = []  # indents of the open levels
    kind = ""
    for row in rows:
        if row.kind != kind or row.indent is None:
            stack, kind = [], row.kind
        indent = row.indent or 0
        while stack and stack[-1] >= indent:
            stack.pop()
        depths.append(len(stack))
        stack.append(indent)
    return depths


def _colon_depths(rows: list[_Row]) -> list[int]:
    depths: list[int] = []
    parent_kind = ""  # kind of the open ':' row whose sub-rows we are in, if any
    for row in rows:
        if parent_kind == row.kind and row.indent is not None:
            depths.append(1)
            if not _CONTINUES.search(row.text):
                parent_kind = ""
            continue
        depths.append(0)
        parent_kind = row.kind if row.text.endswith(":") else ""
    return depths


def read_sponsors(lines: list[str], warnings: list[str]) -> list[Sponsor]:
    """Name, agency class, ['Sponsor Role lead'] per sponsor.

    The labelled seed shows the site lists collaborators first and the lead last, so
    without role labels the last sponsor is taken as the lead (and a warning says so).
    """
    sponsors: list[Sponsor] = []
    for line in lines:
        role = after_label(line, "Sponsor Role")
        if role is not None:
            if sponsors:
                role = role.casefold()
                sponsors[-1].role = (
                    "lead" if "lead" in role else "collaborator" if "collab" in role else ""
                )
            continue
        word = normalize.enum_word(line)
        if word in AGENCY_CLASSES and sponsors and not sponsors[-1].agency_class:
            sponsors[-1].agency_class = word
            continue
        sponsors.append(Sponsor(name=line, role=""))
    unlabelled = [s for s in sponsors if not s.role]
    if unlabelled and not any(s.role == "lead" for s in sponsors):
        unlabelled[-1].role = "lead"
        if len(sponsors) > 1:
            warnings.append(
                f"sponsor roles not labelled: the last listed ({unlabelled[-1].name}) taken as lead"
            )
    for sponsor in unlabelled:
        sponsor.role = sponsor.role or "collaborator"
    return sponsors


def read_responsible_party(lines: list[str]) -> str:
    """'Responsibility Role SPONSOR' -> 'SPONSOR'; a named investigator -> 'Name, Title'."""
    parts = []
    for line in lines:
        role = after_label(line, "Responsibility Role")
        parts.append(normalize.enum_word(role) if role is not None else line)
    return ", ".join(p for p in parts if p)


_ROLE = re.compile(r"Role:\s*(.*)", re.I)


def read_investigators(lines: list[str]) -> list[Investigator]:
    """Name, 'Role: X', affiliation, per investigator (name/affiliation pairs without role lines)."""
    said = {i: m.group(1) for i, line in enumerate(lines) if (m := _ROLE.fullmatch(line))}
    roles = list(said)
    if not roles:
        return [
            Investigator(lines[i], "", lines[i + 1] if i + 1 < len(lines) else "")
            for i in range(0, len(lines), 2)
        ]
    out: list[Investigator] = []
    for k, r in enumerate(roles):
        end = roles[k + 1] - 1 if k + 1 < len(roles) else len(lines)
        if r == 0:
            continue  # a role without a name
        role = normalize.enum_word(said[r])
        out.append(Investigator(lines[r - 1], role, ", ".join(lines[r + 1 : end])))
    return out


def read_locations(lines: list[str]) -> list[Location]:
    """Facility, 'City, State, Country', ['Site Status' [value]] per site."""
    out: list[Location] = []
    for line in lines:
        label = after_label(line, "Site Status")
        site_status = normalize.status(line if label is None else label)
        if label is not None or (site_status and out):
            if out and site_status:
                out[-1].status = site_status
            continue
        if out and not (out[-1].city or out[-1].country) and "," in line:
            parts = [p.strip() for p in line.split(",")]
            out[-1].country = parts[-1]
            out[-1].state = parts[-2] if len(parts) > 2 else ""
            out[-1].city = ", ".join(parts[: -2 if len(parts) > 2 else -1])
            continue
        out.append(Location(facility=line))
    return out


_PMID = re.compile(r"(?:PMID:?\s*(\d{1,9})\b.*|(\d{1,9})\s*\(View on PubMed\))", re.I)
_REFERENCE_TYPES = ("BACKGROUND", "RESULT", "DERIVED")


def read_references(lines: list[str]) -> list[Reference]:
    """Citation, ['Reference Type X'], ['PMID: N (View on PubMed)'] per reference."""
    out: list[Reference] = []
    for line in lines:
        label = after_label(line, "Reference Type")
        word = normalize.enum_word(label if label is not None else line)
        if out and (label is not None or word in _REFERENCE_TYPES):
            out[-1].reference_type = word
            continue
        pmid = _PMID.fullmatch(line)
        if pmid:
            if not out or out[-1].pmid:
                out.append(Reference())
            out[-1].pmid = pmid.group(1) or pmid.group(2)
            continue
        inline = re.search(r"\bPMID:?\s*(\d{1,9})\b", line)
        out.append(Reference(citation=line, pmid=inline.group(1) if inline else ""))
    return out


def read_other_ids(lines: list[str], registry_id: str) -> list[SecondaryId]:
    """Identifier, 'Identifier Type: X', 'Identifier Source: Y'; the type is used unless it is '-'."""
    out: list[tuple[str, str, str]] = []
    for line in lines:
        id_type = after_label(line, "Identifier Type")
        source = after_label(line, "Identifier Source")
        if out and id_type is not None:
            out[-1] = (out[-1][0], id_type, out[-1][2])
        elif out and source is not None:
            out[-1] = (out[-1][0], out[-1][1], source)
        elif id_type is None and source is None and not line.casefold().startswith("identifier"):
            out.append((line, "", ""))
    return [
        SecondaryId(ident, id_type if id_type not in ("", "-") else source)
        for ident, id_type, source in out
        if ident != registry_id
    ]


_TRIAL_LINE = re.compile(r"(NCT[0-9]{8})\b[\s:,-]*(.*)")


def read_related(lines: list[str]) -> list[RelatedTrial]:
    """Title line, then 'NCT… [STATUS] [PHASES]'."""
    out: list[RelatedTrial] = []
    title = ""
    for line in map(strip_bullet, lines):
        match = _TRIAL_LINE.fullmatch(line)
        if not match:
            title = line
            continue
        rest = match.group(2)
        first = rest.split(" ", 1)[0] if rest else ""
        trial_status = normalize.status(first) or normalize.status(rest)
        phase_text = rest[len(first) :] if normalize.status(first) else rest
        trial_phases = normalize.phases(phase_text)
        if not title and rest and not trial_status and not trial_phases:
            title = rest  # 'NCT… Title' on one line
        out.append(RelatedTrial(match.group(1), title, trial_status, trial_phases))
        title = ""
    return out
