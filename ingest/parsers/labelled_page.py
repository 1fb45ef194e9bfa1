"""Saved pages in a layout no other parser knows: the facts the page states under labels.

A registry's own page, an aggregator's or a report's table often states a trial's facts
as "Recruitment status: Recruiting", as a label line with its value on the next line, as
a markdown list ("- Phase: Phase 2", or "- Phase" then "- Phase 2"), or as a table row
(which `page_text` turns into "label<TAB>value"). This parser reads such labels (the
`LABELS` table) wherever they sit, and nothing else: no sections, no prose.

It is the last row of the format table with the lowest precedence: it sees only pages
every other parser refused, and whatever it reads loses to any other source of the
trial. A page needs a registry id and at least two other labelled facts; every record it
gives carries the warning that its layout was not recognised, which puts the trial in
the review queue. Values go through the same normalisers and spelling table as the
registry formats; a status or phase the table does not know is kept as written.
"""

from __future__ import annotations

import re
from functools import lru_cache

from records import Intervention, ParsedTrial, ParseError, SecondaryId, Sponsor

from .. import normalize, spellings
from ..text import squash

FORMAT = "labelled_page"

# Label (folded by `_fold`) -> the fact it states.
LABELS: dict[str, str] = {
    **dict.fromkeys(
        [
            "registration number",
            "registration no",
            "registration id",
            "trial registration number",
            "trial registration",
            "trial id",
            "trial identifier",
            "registry id",
            "registry number",
            "register number",
            "main id",
            "primary registry id",
            "identifier",
            "nct id",
            "nct number",
            "ctri number",
            "eudract number",
            "eu ct number",
        ],
        "id",
    ),
    **dict.fromkeys(
        ["title", "public title", "brief title", "study title", "trial title"], "title"
    ),
    **dict.fromkeys(["scientific title", "official title"], "official_title"),
    "acronym": "acronym",
    **dict.fromkeys(
        [
            "recruitment status",
            "recruiting status",
            "status",
            "overall status",
            "trial status",
            "study status",
            "overall recruitment status",
        ],
        "status",
    ),
    **dict.fromkeys(["study phase", "phase", "trial phase", "phase of trial", "phases"], "phase"),
    **dict.fromkeys(
        [
            "target enrollment",
            "target enrolment",
            "enrollment",
            "enrolment",
            "target sample size",
            "sample size",
            "target size",
            "target recruitment",
            "target number of participants",
            "planned sample size",
            "number of participants",
            "anticipated enrollment",
            "estimated enrollment",
            "actual enrollment",
        ],
        "enrollment",
    ),
    **dict.fromkeys(["sponsor", "primary sponsor", "lead sponsor", "sponsor name"], "sponsor"),
    **dict.fromkeys(
        ["secondary sponsor", "secondary sponsors", "collaborator", "collaborators"],
        "collaborators",
    ),
    **dict.fromkeys(
        [
            "start date",
            "study start",
            "study start date",
            "date of first enrolment",
            "date of first enrollment",
            "anticipated start date",
            "actual start date",
        ],
        "start",
    ),
    **dict.fromkeys(
        ["completion date", "end date", "study completion date", "anticipated end date"], "end"
    ),
    **dict.fromkeys(
        ["registration date", "date of registration", "date registered", "registered on"],
        "registered",
    ),
    **dict.fromkeys(
        ["last updated", "last update", "last refreshed on", "last modified"], "updated"
    ),
    **dict.fromkeys(
        [
            "conditions",
            "condition",
            "health condition(s) or problem(s) studied",
            "health condition or problem studied",
            "disease",
            "diseases",
        ],
        "conditions",
    ),
    **dict.fromkeys(["interventions", "intervention"], "interventions"),
    **dict.fromkeys(
        ["countries", "country", "countries of recruitment", "recruitment countries"], "countries"
    ),
    **dict.fromkeys(
        [
            "secondary ids",
            "secondary id",
            "other ids",
            "other identifiers",
            "secondary identifying numbers",
        ],
        "secondary_ids",
    ),
    **dict.fromkeys(["sex", "gender"], "sex"),
    **dict.fromkeys(["minimum age", "age minimum", "min age"], "minimum_age"),
    **dict.fromkeys(["maximum age", "age maximum", "max age"], "maximum_age"),
    **dict.fromkeys(["study type", "type of study"], "study_type"),
}
# Facts that hold several values: one per line after a label line, or ";"-separated.
_FIRST_WORDS = {label.split()[0] for label in LABELS}
_LISTS = {"conditions", "interventions", "countries", "secondary_ids", "collaborators"}
# The facts that make a page a trial page, besides its id and title.
_FACTS = set(LABELS.values()) - {"id", "title", "official_title", "acronym"}
_NAMES = {
    "status": "status",
    "phase": "phase",
    "enrollment": "enrollment",
    "sponsor": "sponsor",
    "collaborators": "collaborators",
    "start": "start date",
    "end": "end date",
    "registered": "registration date",
    "updated": "last update",
    "conditions": "conditions",
    "interventions": "interventions",
    "countries": "countries",
    "secondary_ids": "secondary ids",
    "sex": "sex",
    "minimum_age": "minimum age",
    "maximum_age": "maximum age",
    "study_type": "study type",
}
_MARKER = re.compile(r"(?:[-*+•]|\d{1,2}[.)])\s+")
_INLINE = re.compile(r"([^:：\t]{1,60}?)\s*(?:[:：]|\t)\s*(.*)")
_MAX_LIST = 50  # values of one list label read from the lines below it
_TABLE_ROWS = 3  # "label value" rows that make a page a table of facts


def looks_like(text: str) -> bool:
    """A registry id on the page and at least two other facts under labels."""
    facts = _facts(text)
    return bool(_own_id(facts, text)[0]) and len(_FACTS & facts.keys()) >= 2


def parse(text: str) -> ParsedTrial:
    facts = _facts(text)
    own, others = _own_id(facts, text)
    if not own:
        raise ParseError("no registry id on the page")
    stated = sorted(_FACTS & facts.keys(), key=list(_NAMES).index)
    if len(stated) < 2:
        raise ParseError("fewer than two labelled facts on the page")
    record = ParsedTrial(source_format=FORMAT, registry_id=own)
    warn = record.warnings.append
    warn(
        "page layout not recognised: read from its labels ("
        + ", ".join(_NAMES[f] for f in stated)
        + "); check these facts against the registry's record"
    )
    one = {key: values[0] for key, values in facts.items() if values}
    record.brief_title = one.get("title") or _first_line(text)
    record.official_title = one.get("official_title", "")
    record.acronym = one.get("acronym", "")[:100]
    if not record.brief_title and not record.official_title:
        warn("no title on the page")

    if "status" in one:
        record.overall_status, record.status_as_written = spellings.read_status(one["status"])
        if not record.overall_status:
            warn(f"status {one['status'][:60]!r} is not one the catalogue knows; kept as written")
    if "phase" in one:
        record.phases, record.phase_as_written = spellings.read_phases(one["phase"])
        if not record.phases:
            warn(f"phase {one['phase'][:60]!r} is not one the catalogue knows; kept as written")
    if "enrollment" in one:
        record.enrollment = normalize.target_size(one["enrollment"])
        if record.enrollment is None:
            warn(f"enrollment {one['enrollment'][:60]!r} states no number")
    if "sponsor" in one:
        record.sponsors.append(Sponsor(one["sponsor"], "lead"))
    record.sponsors += [Sponsor(name, "collaborator") for name in facts.get("collaborators", ())]
    for key, attr in (
        ("start", "start_date"),
        ("end", "completion_date"),
        ("registered", "registration_date"),
        ("updated", "last_update"),
    ):
        if key in one:
            setattr(record, attr, normalize.registry_date(one[key], day_first=False))
            if not getattr(record, attr):
                warn(f"{_NAMES[key]} {one[key][:60]!r} is not a date that can be read")
    record.conditions = list(facts.get("conditions", ()))
    record.countries = list(facts.get("countries", ()))
    record.interventions = [Intervention(name=name) for name in facts.get("interventions", ())]
    for value in [*others, *facts.get("secondary_ids", ())]:
        kept = normalize.registry_ids(value)
        for identifier in kept or [value]:
            if identifier != own and all(s.identifier != identifier for s in record.secondary_ids):
                record.secondary_ids.append(SecondaryId(identifier))
    _eligibility(one, record)
    if "study_type" in one:
        record.study_type = normalize.study_type(one["study_type"])
        if not record.study_type:
            warn(f"study type {one['study_type'][:60]!r} is not one the catalogue knows")
    return record


def _fold(label: str) -> str:
    return " ".join(label.replace("&", "and").split()).casefold().rstrip(".: ")


def _lines(text: str) -> list[str]:
    """The page's lines with list markers ("- ", "* ", "• ", "1. ") removed."""
    out = []
    for line in text.split("\n"):
        line = line.strip()
        marker = _MARKER.match(line)
        out.append(line[marker.end() :] if marker else line)
    return out


@lru_cache(maxsize=4)  # detect asks looks_like, then parse, about the same page
def _facts(text: str) -> dict[str, tuple[str, ...]]:
    """Each labelled fact's values, the first label of a fact winning."""
    lines = _lines(text)
    # A table's cells reach the text as "label value": read that form only on a page with
    # several such rows, so a sentence starting with "Status" or "Phase" is not a fact.
    table = sum(1 for line in lines if _table_row(line)[0]) >= _TABLE_ROWS
    facts: dict[str, tuple[str, ...]] = {}
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line or len(line) > 2000:
            continue
        fact, value = _labelled(line)
        if not fact and table:
            fact, value = _table_row(line)
        if not fact:
            continue
        values: list[str] = []
        if value:
            values = _split(fact, value)
        else:  # the value sits on the lines below the label
            while index < len(lines) and not lines[index]:
                index += 1
            while index < len(lines) and lines[index] and not _labelled(lines[index])[0]:
                values += _split(fact, lines[index])
                index += 1
                if fact not in _LISTS or len(values) >= _MAX_LIST:
                    break
        if values and fact not in facts:
            facts[fact] = tuple(values)
    return facts


def _labelled(line: str) -> tuple[str, str]:
    """(fact, value written after the label) for a label line; ("", "") for any other line."""
    fact = LABELS.get(_fold(line)) if len(line) <= 60 else None  # labels are short
    if fact:
        return fact, ""
    if ":" not in line and "\t" not in line and "：" not in line:
        return "", ""
    match = _INLINE.fullmatch(line)
    if match:
        fact = LABELS.get(_fold(match.group(1)))
        if fact:
            return fact, squash(match.group(2))
    return "", ""


def _table_row(line: str) -> tuple[str, str]:
    """(fact, value) for a short line that starts with a label and goes on with its value."""
    words = line.split(" ")
    if len(line) > 200 or words[0].casefold().rstrip(".:") not in _FIRST_WORDS:
        return "", ""
    for count in range(min(len(words) - 1, 6), 0, -1):  # the longest label first
        fact = LABELS.get(_fold(" ".join(words[:count])))
        if fact:
            return fact, squash(" ".join(words[count:]))
    return "", ""


def _split(fact: str, value: str) -> list[str]:
    if fact not in _LISTS:
        return [squash(value)] if value.strip() else []
    return [squash(v) for v in normalize.split_list(value, ";|") if squash(v)]


def _own_id(facts: dict[str, tuple[str, ...]], text: str) -> tuple[str, list[str]]:
    """The page's own registry id, and the other ids its id label names.

    The id label's first id, else a malformed id written there (kept so that
    `detect.parse_document` refuses the page with the reason), else the first registry
    id anywhere on the page."""
    labelled = " ".join(facts.get("id", ()))
    ids = normalize.registry_ids(labelled)
    if ids:
        return ids[0], ids[1:]
    claimed = normalize.claimed_id(labelled.split()[0]) if labelled.split() else ""
    if claimed:
        return claimed, []
    found = normalize.registry_ids(text)
    return (found[0], []) if found else ("", [])


def _first_line(text: str) -> str:
    """The page's first line that reads like a title (four words or more) and is not a
    label or an id; a saved page's <title> is often only "Trial record"."""
    for line in _lines("\n".join(text.split("\n", 20)[:20])):
        if (
            len(line.split()) >= 4
            and not _labelled(line)[0]
            and not _table_row(line)[0]
            and not normalize.registry_ids(line)
        ):
            return squash(line)[:500]
    return ""


def _eligibility(one: dict[str, str], record: ParsedTrial) -> None:
    eligibility = record.eligibility
    if "sex" in one:
        eligibility.sex = normalize.sex(one["sex"])
        if not eligibility.sex:
            record.warnings.append(f"sex {one['sex'][:60]!r} is not one the catalogue knows")
    for key in ("minimum_age", "maximum_age"):
        if key in one:
            age = normalize.age_limit(one[key])
            if age is None:
                record.warnings.append(f"{_NAMES[key]} {one[key][:60]!r} kept as written")
                age = one[key][:64]
            setattr(eligibility, key, age)
