"""Parser for MedPath trial pages, saved as plain text, as a markdown list or as HTML.

Layout: a "MedPath" header, the title, a phase line ("Phase 1"), an optional status
line ("Completed"), then label lines each followed by their value lines
("Conditions", "Interventions", "Registration Number", ...), grouped under the
headings "Recruitment & Eligibility", "Study & Design" and "Trial Locations".

The two tables (arms, outcomes) lose their cell borders: in the text rendering the
cells run together ("Adverse eventsup to the 12-month ..."), in an HTML table put
through `page_text` they are joined by one space. Arm rows are split with the
intervention names from the "Interventions" block; outcome rows are split where a
time frame starts (see `_split_outcome`).
"""

from __future__ import annotations

import re

from records import (
    Arm,
    Criterion,
    Intervention,
    Location,
    Outcome,
    ParsedTrial,
    ParseError,
    SecondaryId,
    Sponsor,
)

from .. import normalize, spellings
from ..text import squash

FORMAT = "medpath"

# Normalised label line -> section key. Headings ("recruitment", ...) carry no value.
_LABELS = {
    "conditions": "conditions",
    "interventions": "interventions",
    "registration number": "registration",
    "lead sponsor": "lead_sponsor",
    "collaborators": "collaborators",
    "brief summary": "brief_summary",
    "detailed description": "detailed_description",
    "recruitment & eligibility": "recruitment",
    "status": "status",
    "sex": "sex",
    "minimum age": "minimum_age",
    "maximum age": "maximum_age",
    "healthy volunteers": "healthy_volunteers",
    "target recruitment": "target_recruitment",
    "inclusion criteria": "inclusion",
    "exclusion criteria": "exclusion",
    "study & design": "study",
    "study type": "study_type",
    "study design": "study_design",
    "arm & interventions": "arms",
    "arms & interventions": "arms",
    "primary outcome measures": "primary",
    "secondary outcome measures": "secondary",
    "other outcome measures": "other",
    "trial locations": "trial_locations",
}
_NAMES = {
    "conditions": "Conditions",
    "interventions": "Interventions",
    "registration": "Registration Number",
    "lead_sponsor": "Lead Sponsor",
    "collaborators": "Collaborators",
    "brief_summary": "Brief Summary",
    "detailed_description": "Detailed Description",
    "recruitment": "Recruitment & Eligibility",
    "status": "Status",
    "sex": "Sex",
    "minimum_age": "Minimum Age",
    "maximum_age": "Maximum Age",
    "healthy_volunteers": "Healthy Volunteers",
    "target_recruitment": "Target Recruitment",
    "inclusion": "Inclusion Criteria",
    "exclusion": "Exclusion Criteria",
    "study": "Study & Design",
    "study_type": "Study Type",
    "study_design": "Study Design",
    "arms": "Arm && Interventions",
    "primary": "Primary Outcome Measures",
    "secondary": "Secondary Outcome Measures",
    "other": "Other Outcome Measures",
    "trial_locations": "Trial Locations",
    "locations": "Trial Locations",
}
# Every MedPath page we have seen has these; a page without one is cut off or damaged.
_EXPECTED = (
    "conditions interventions registration lead_sponsor brief_summary status sex "
    "target_recruitment inclusion exclusion study_type study_design arms primary locations"
).split()
_HEADINGS = {"recruitment", "study", "trial_locations"}

_LOCATIONS_LABEL = re.compile(r"locations\s*\((\d+)\)")
_MARKER = re.compile(r"^(?:[-*+] )?\s*MedPath\s*$", re.M)
_FOOTER = re.compile(r"(?:©|\(c\)|copyright\b).*|.*\ball rights reserved\b.*", re.I)
_DISTINCT_LABEL = re.compile(
    r"^(?:[-*+] )?[ \t]*(Registration Number|Recruitment (?:&|and) Eligibility|Study (?:&|and) Design"
    r"|Arms? &&? Interventions|Target Recruitment)[ \t]*(?::[ \t]*)?$",
    re.M | re.I,
)
_LIST_ITEM = re.compile(r"[-*+] ")
_INLINE_VALUE = re.compile(r"[ \t]*([A-Za-z][A-Za-z &]{1,38}):[ \t]+(\S.*)")
_PHASE_LINE = re.compile(
    r"(?:(?:early\s+)?phase\s*(?:\d|iv|i{1,3})(?:\s*(?:/|,|&|and)\s*(?:phase\s*)?(?:\d|iv|i{1,3}))*"
    r"|n/?a|not applicable)",
    re.I,
)
_BULLET = re.compile(r"([ \t]*)(?:[•◦▪▫‣∙·●○■□*+-]|\d{1,3}[.)])\s+(.*)")
_ARM_HEADER = re.compile(r"group\s*intervention\s*description", re.I)
_OUTCOME_HEADER = re.compile(r"name\s*time\s*method", re.I)

_INTERVENTION_TYPES = {
    "BIOLOGICAL": "BIOLOGICAL",
    "BIOLOGIC": "BIOLOGICAL",
    "DRUG": "DRUG",
    "COMBINATION_PRODUCT": "COMBINATION_PRODUCT",
    "DEVICE": "DEVICE",
    "PROCEDURE": "PROCEDURE",
    "PROCEDURE_SURGERY": "PROCEDURE",
    "BEHAVIORAL": "BEHAVIORAL",
    "BEHAVIOURAL": "BEHAVIORAL",
    "DIETARY_SUPPLEMENT": "DIETARY_SUPPLEMENT",
    "GENETIC": "GENETIC",
    "RADIATION": "RADIATION",
    "DIAGNOSTIC_TEST": "DIAGNOSTIC_TEST",
    "OTHER": "OTHER",
}
_MODELS = {"SINGLE_GROUP", "PARALLEL", "CROSSOVER", "FACTORIAL", "SEQUENTIAL"}

# Where an outcome's time frame starts. _GLUED only fires with no space before the
# start (cells run together: "eventsup to", "test3 months"), which is strong evidence.
# Without a glued start we fall back to a start after a space: "strong" ones (up to,
# "3 months", baseline, "Day 7") are trusted, "weak" prepositions earn a warning.
_UNIT = r"(?:days?|weeks?|months?|years?|hours?|hrs?|minutes?|mins?|wks?|mos?|yrs?)\b"
# A number is atomic ("1,5" is read one way only), a list has at most 21 numbers and is
# never given back (possessive: a unit cannot start inside it). Without that, "1,1,1,..."
# takes exponential and "1 - 1 - 1 ..." or a long run of spaces quadratic time to refuse.
_NUMBER = r"(?>\d+(?:[.,]\d+)?)"
_NUM_UNIT = rf"{_NUMBER}(?:\s*+(?:,|-|–|to|and|or)\s*+{_NUMBER}){{0,20}}+\s*+(?:-\s*+)?{_UNIT}"
_GLUED = re.compile(
    rf"(?<=[A-Za-z)\]%])(?:{_NUM_UNIT}|up to|Up to|[Bb]aseline|[Pp]re-|[Pp]ost-"
    r"|(?:Days?|Weeks?|Months?|Years?|At|From|Through|Within|Before|After|During|Until|Over|End of"
    r"|Screening|Visit)\b)"
)
_SPACED_STRONG = re.compile(
    rf"(?<=\s)(?:{_NUM_UNIT}|up to\b|baseline\b|pre-|post-|end of\b|screening\b"
    r"|(?:day|week|month|year|visit)s?\s*\d)",
    re.I,
)
_SPACED_WEAK = re.compile(
    r"(?<=\s)(?:at|from|through|within|before|after|during|until|over|following)\b", re.I
)
# A time-frame-looking start right after one of these words belongs to the measure
# ("Change from baseline in HbA1c").
_LINKING_WORDS = set(
    "from to in at by of and or the for between than with over within until through after before "
    "during".split()
)


def looks_like(text: str) -> bool:
    """A MedPath page: the "MedPath" header line, its footer, or two of its own labels."""
    if _MARKER.search(text[:2000]) or re.search(r"all rights reserved by medpath", text, re.I):
        return True
    return len({squash(m.group(1)).lower() for m in _DISTINCT_LABEL.finditer(text)}) >= 2


def parse(text: str) -> ParsedTrial:
    """Read a MedPath page (text already cleaned by `ingest.text.page_text`)."""
    if not looks_like(text):
        raise ParseError("not a MedPath page")
    header, sections, order, has_footer, count = _sections(_lines(text))
    rec = ParsedTrial(source_format=FORMAT)
    warn = rec.warnings.append

    for key in _EXPECTED:
        if key not in sections:
            warn(f"section '{_NAMES[key]}' is missing")
    for key, lines in sections.items():
        if key not in _HEADINGS and not any(map(_has_content, lines)):
            warn(f"section '{_NAMES[key]}' is empty")
    if not has_footer:
        warn(f"page appears cut off in '{_NAMES[order[-1]] if order else 'header'}'")

    header_line = _header(header, rec)
    header_status, header_written = spellings.read_status(header_line)
    values = {key: _value(sections, key, warn) for key in _SINGLE_VALUES}

    ids = normalize.registry_ids(values["registration"])
    if ids:
        rec.registry_id = ids[0]
        rec.secondary_ids = [SecondaryId(i) for i in ids[1:]]
    elif values["registration"]:
        # Kept as written: parse_document refuses a malformed id of a known registry and
        # warns about an id of a registry it does not know.
        rec.registry_id = values["registration"].split()[0]

    # Other registries' words ("Recruiting complete", "Pending") come from the spelling
    # table; a word it does not know is kept as written, never guessed.
    status, rec.status_as_written = spellings.read_status(values["status"])
    rec.overall_status = status or header_status
    if not values["status"]:
        rec.status_as_written = header_written
    if values["status"] and not status:
        warn(f"status {values['status']!r} is not one the catalogue knows; kept as written")
    if header_status and rec.overall_status != header_status:
        warn(f"status line says {header_status}, Recruitment says {rec.overall_status}")

    rec.conditions = _items(sections.get("conditions", []))
    rec.interventions = [_intervention(item) for item in _items(sections.get("interventions", []))]
    if values["lead_sponsor"]:
        rec.sponsors.append(Sponsor(values["lead_sponsor"], role="lead"))
    for name in _items(sections.get("collaborators", [])):
        rec.sponsors.append(Sponsor(name, role="collaborator"))
    rec.brief_summary = _paragraphs(sections.get("brief_summary", []))
    rec.detailed_description = _paragraphs(sections.get("detailed_description", []))

    _recruitment(values, sections, rec)
    _study_design(values, rec)
    rec.arms = _arms(sections.get("arms", []), rec.interventions, warn)

    spaced = any(
        _OUTCOME_HEADER.fullmatch(s) or _ARM_HEADER.fullmatch(s)
        for s in (line.strip() for key in ("arms", "primary") for line in sections.get(key, []))
        if " " in s
    )
    for key, kind in (("primary", "primary"), ("secondary", "secondary"), ("other", "other")):
        rec.outcomes += _outcomes(sections.get(key, []), kind, spaced, warn)

    rec.locations = _locations(sections.get("locations", []), count, warn)
    rec.countries = [
        country for country in dict.fromkeys(loc.country for loc in rec.locations) if country
    ]

    if not rec.registry_id and not rec.brief_title:
        raise ParseError("MedPath page with neither a registration number nor a title")
    return rec


_SINGLE_VALUES = (
    "registration lead_sponsor status sex minimum_age maximum_age healthy_volunteers "
    "target_recruitment study_type study_design"
).split()


def _lines(text: str) -> list[str]:
    """Page lines; in the markdown-list rendering ("- Label" / "- value") the markers go, and
    a one-value label written with its value ("- Status: Recruiting complete") is split
    into the label line and the value line the other renderings have."""
    lines = [line.rstrip() for line in text.split("\n")]
    filled = [line for line in lines if line.strip()]
    listed = sum(1 for line in filled if _LIST_ITEM.match(line))
    if filled and listed >= 0.6 * len(filled):
        lines = [line[2:] if _LIST_ITEM.match(line) else line for line in lines]
    out = []
    for line in lines:
        inline = _INLINE_VALUE.fullmatch(line)
        if inline and _LABELS.get(_label_key(inline.group(1))) in _SINGLE_VALUES:
            out += [inline.group(1), inline.group(2)]
        else:
            out.append(line)
    return out


def _has_content(line: str) -> bool:
    """A line that is neither blank nor a table's column header row."""
    row = line.strip()
    return bool(row) and not (_ARM_HEADER.fullmatch(row) or _OUTCOME_HEADER.fullmatch(row))


def _label_key(line: str) -> str:
    return squash(line).lower().rstrip(":").strip().replace("&&", "&").replace(" and ", " & ")


def _label(line: str) -> str:
    key = _label_key(line)
    if _LOCATIONS_LABEL.fullmatch(key):
        return "locations"
    return _LABELS.get(key, "")


def _sections(
    lines: list[str],
) -> tuple[list[str], dict[str, list[str]], list[str], bool, int | None]:
    """(header lines, section key -> value lines, keys in page order, footer seen, "Locations (N)")."""
    sections: dict[str, list[str]] = {}
    count = None
    order: list[str] = []
    header: list[str] = []
    current: list[str] = header
    for line in lines:
        if _FOOTER.fullmatch(line.strip()):
            return header, sections, order, True, count
        key = _label(line) if len(line) < 60 else ""
        if not key:
            current.append(line)
            continue
        if key in sections:
            # A repeated label is most likely value text that happens to match; keep it as text.
            current.append(line)
            continue
        if key == "locations":
            label = _LOCATIONS_LABEL.fullmatch(_label_key(line))
            assert label  # the key says so
            count = int(label.group(1))
        current = sections[key] = []
        order.append(key)
    return header, sections, order, False, count


def _header(lines: list[str], rec: ParsedTrial) -> str:
    """Title, phases and the status line from above the first label; returns that line."""
    marker = next((i for i, line in enumerate(lines) if line.strip() == "MedPath"), -1)
    status = ""
    for line in (line.strip() for line in lines[marker + 1 :]):
        if not line:
            continue
        if _PHASE_LINE.fullmatch(line):
            rec.phases = ["NA"] if line.lower() == "not applicable" else normalize.phases(line)
        elif normalize.status(line) and not status:
            status = line
        elif not rec.brief_title:
            rec.brief_title = squash(line)
        else:
            rec.warnings.append(f"unrecognised line above the sections: {line[:60]!r}")
    if not rec.brief_title:
        rec.warnings.append("title is missing")
    if not rec.phases:
        rec.warnings.append("phase is missing")
    return status


def _value(sections: dict[str, list[str]], key: str, warn) -> str:
    """The one value line of a label; extra lines mean a label went missing, so say so."""
    lines = [squash(line) for line in sections.get(key, []) if line.strip()]
    if len(lines) > 1:
        warn(f"unexpected extra text under '{_NAMES[key]}': {lines[1][:60]!r}")
    return lines[0] if lines else ""


def _items(lines: list[str]) -> list[str]:
    """One item per non-empty line, bullet markers removed."""
    out = []
    for line in lines:
        m = _BULLET.fullmatch(line)
        item = squash(m.group(2) if m else line)
        if item:
            out.append(item)
    return out


def _paragraphs(lines: list[str]) -> str:
    """Lines as written, blank-line paragraph breaks kept (runs of blanks become one)."""
    paras: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            paras[-1].append(line.strip())
        elif paras[-1]:
            paras.append([])
    return "\n\n".join("\n".join(p) for p in paras if p)


def _intervention(item: str) -> Intervention:
    """'Combination Product: Expanded ...' -> type COMBINATION_PRODUCT + name."""
    kind, sep, name = item.partition(":")
    itype = _INTERVENTION_TYPES.get(normalize.enum_word(kind), "") if sep else ""
    if itype and name.strip():
        return Intervention(name=name.strip(), intervention_type=itype)
    return Intervention(name=item)


def _recruitment(values: dict[str, str], sections: dict[str, list[str]], rec: ParsedTrial) -> None:
    warn = rec.warnings.append
    elig = rec.eligibility
    elig.sex = normalize.sex(values["sex"])
    if values["sex"] and not elig.sex:
        warn(f"unrecognised sex {values['sex']!r}")
    elig.minimum_age = values["minimum_age"]
    elig.maximum_age = values["maximum_age"]
    elig.healthy_volunteers = normalize.yes_no(values["healthy_volunteers"])
    rec.enrollment = normalize.enrollment(values["target_recruitment"])
    if values["target_recruitment"] and rec.enrollment is None:
        warn(f"unrecognised target recruitment {values['target_recruitment']!r}")
    blocks = []
    for key, kind in (("inclusion", "inclusion"), ("exclusion", "exclusion")):
        if key in sections:
            elig.criteria += _criteria(sections[key], kind)
            # Blank lines inside the block are rendering artefacts (HTML list items).
            body = "\n".join(line for line in sections[key] if line.strip())
            blocks.append(_NAMES[key] + ("\n" + body if body else ""))
    elig.criteria_text = "\n".join(blocks)


def _criteria(lines: list[str], kind: str) -> list[Criterion]:
    """Bulleted rows; deeper indentation nests under the row above. Wrapped text continues a row."""
    out: list[Criterion] = []
    indents: list[int] = []
    blank = False
    for line in lines:
        if not line.strip():
            blank = True
            continue
        m = _BULLET.fullmatch(line)
        if m:
            indent = len(m.group(1).expandtabs(4))
            while indents and indents[-1] >= indent:
                indents.pop()
            out.append(Criterion(kind, squash(m.group(2)), len(indents)))
            indents.append(indent)
        elif out and not blank:
            out[-1].text += " " + squash(line)
        else:
            out.append(Criterion(kind, squash(line), 0))
            indents = []
        blank = False
    return out


def _study_design(values: dict[str, str], rec: ParsedTrial) -> None:
    study_type = normalize.enum_word(values["study_type"])
    if study_type in normalize.STUDY_TYPES:
        rec.study_type = study_type
    elif study_type:
        rec.warnings.append(f"unrecognised study type {values['study_type']!r}")
    model = normalize.enum_word(values["study_design"]).removesuffix("_ASSIGNMENT")
    if model in _MODELS:
        rec.design.intervention_model = model
    elif model:
        rec.warnings.append(f"study design {values['study_design']!r} is not an intervention model")


def _arms(lines: list[str], interventions: list[Intervention], warn) -> list[Arm]:
    """Rows 'Group' + intervention name(s) + 'Description', run together or space-joined."""
    names = sorted({i.name for i in interventions}, key=len, reverse=True)
    arms: list[Arm] = []
    for row in (squash(line) for line in lines):
        if not row or _ARM_HEADER.fullmatch(row):
            continue
        arm = _split_arm(row, names)
        if arm is None:
            warn(
                f"could not find an intervention name in arm row {row[:60]!r}; kept whole as label"
            )
            arm = Arm(label=row)
        arms.append(arm)
        for name in arm.intervention_names:
            for iv in interventions:
                if iv.name == name and arm.label not in iv.arm_labels:
                    iv.arm_labels.append(arm.label)
    return arms


_SEPARATORS = re.compile(r"[\s,;/+&]*")


def _split_arm(row: str, names: list[str]) -> Arm | None:
    """The group is the text before the first intervention name that has text before it.

    A name glued to the previous cell ("transplantationExpanded") beats one after a
    space, because a group label can itself contain the name ("MSC group").
    """
    low = _fold(row)
    first_text = len(row) - len(row.lstrip())  # a hit needs text before it
    hits = []  # (not glued, position, name)
    for name in names:
        start = low.find(_fold(name), first_text + 1)
        while start != -1:
            hits.append((row[start - 1].isspace(), start, name))
            start = low.find(_fold(name), start + 1)
    if not hits:
        return None
    _, start, name = min(hits, key=lambda h: (h[0], h[1], -len(h[2])))
    arm = Arm(label=row[:start].strip(), intervention_names=[name])
    pos = start + len(name)
    while True:  # further interventions of the same arm follow in the same cell
        separators = _SEPARATORS.match(row, pos)
        assert separators  # the pattern matches the empty string too
        after = separators.end()
        nxt = next((n for n in names if low.startswith(_fold(n), after)), None)
        if not nxt or nxt in arm.intervention_names:
            break
        arm.intervention_names.append(nxt)
        pos = after + len(nxt)
    arm.description = row[pos:].strip()
    return arm


def _fold(text: str) -> str:
    """text.lower() with every character kept in place, so positions in both agree.

    str.lower() turns "İ" into two characters; that one keeps its case here.
    """
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def _split_outcome(row: str, spaced: bool) -> tuple[str, str, bool]:
    """(measure, time frame, sure). Heuristic, see _GLUED/_SPACED_* above.

    Text pages: the first glued start wins. Pages whose table cells are joined by a
    space: the first strong start not preceded by a linking word, else the first weak one.
    """
    if not spaced:
        m = _GLUED.search(row, 1)
        if m:
            return row[: m.start()].strip(), row[m.start() :].strip(), True
    for pattern, sure in ((_SPACED_STRONG, True), (_SPACED_WEAK, False)):
        for m in pattern.finditer(row):
            word = _word_before(row, m.start())
            if word and word.lower() not in _LINKING_WORDS:
                return squash(row[: m.start()]), row[m.start() :].strip(), sure and spaced
    return row, "", False


def _word_before(row: str, end: int) -> str:
    """The last word of row[:end], found without copying row[:end] for every candidate start."""
    stop = end
    while stop and row[stop - 1].isspace():
        stop -= 1
    start = stop
    while start and not row[start - 1].isspace():
        start -= 1
    return row[start:stop]


def _outcomes(lines: list[str], kind: str, spaced: bool, warn) -> list[Outcome]:
    """Rows 'measure'+'time frame', each optionally followed by a description paragraph.

    Text pages put the description after a blank line; a row directly below a row is
    another row, and a line after a blank is a row only if it shows a glued time frame.
    Space-joined pages have blank lines everywhere, so there a row is a line with a
    time frame and anything else describes the row above.
    """
    out: list[Outcome] = []
    prev = ""  # "row", "desc" or ""
    blank = False
    for line in lines:
        row = squash(line)
        if not row or _OUTCOME_HEADER.fullmatch(row):
            blank = blank or not row
            continue
        if spaced:
            is_row = not out or _split_outcome(row, True)[2]
        elif prev == "row" and not blank:
            is_row = True
        else:
            is_row = not out or bool(_GLUED.search(row, 1))
        if is_row:
            measure, time_frame, sure = _split_outcome(row, spaced)
            if not time_frame:
                warn(f"no time frame found in {kind} outcome {row[:60]!r}")
            elif not sure:
                warn(f"unsure where the time frame starts in {kind} outcome {row[:60]!r}")
            out.append(Outcome(kind=kind, measure=measure, time_frame=time_frame))
            prev = "row"
        else:
            joiner = "\n\n" if blank else " "
            out[-1].description = (out[-1].description + joiner + row).strip()
            prev = "desc"
        blank = False
    return out


def _locations(lines: list[str], count: int | None, warn) -> list[Location]:
    """Facility line, a flag emoji line, then 'City, Country' or 'City, State, Country'."""
    locations: list[Location] = []
    facility = ""
    after_flag = False
    for line in (squash(line) for line in lines):
        if not line:
            continue
        if not any(ch.isalnum() for ch in line):  # the flag (emoji) line
            after_flag = True
            continue
        if after_flag or (facility and "," in line):
            locations.append(_place(line, facility))
            facility, after_flag = "", False
        else:
            if facility:
                locations.append(Location(facility=facility))
            facility = line
    if facility:
        locations.append(Location(facility=facility))
        warn(f"location {facility[:60]!r} has no city or country")
    if count is not None and count != len(locations):
        warn(f"page announces {count} locations but {len(locations)} were read")
    return locations


def _place(line: str, facility: str) -> Location:
    parts = [p.strip() for p in line.split(",") if p.strip()]
    if len(parts) == 1:
        return Location(facility=facility, country=parts[0])
    return Location(
        facility=facility, city=parts[0], state=", ".join(parts[1:-1]), country=parts[-1]
    )
