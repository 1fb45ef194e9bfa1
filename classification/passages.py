"""A parsed trial as the classifier reads it: sentences, each knowing where on the page it stood.

Related trials and references are never read: their titles describe other trials.
Arms and interventions that give placebo are marked, so their routes and doses are not
taken for the cells'.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from records import ParsedTrial

from . import terms
from .matching import clean, find, has, in_history, is_background, negated

# Parts of the page, in the order the classifier trusts them when they disagree.
INTERVENTIONS = "interventions"
TITLES = "titles"
SUMMARY = "summary"
DESCRIPTION = "description"
CONDITIONS = "conditions"
CRITERIA = "criteria"
PRODUCT_TIERS = (INTERVENTIONS, TITLES, SUMMARY, DESCRIPTION, CONDITIONS)

# Roles of an arm or intervention passage.
MSC_PRODUCT = "msc"  # names MSCs, or is an arm that gives them
WITH_MSC = "with_msc"  # another intervention given in an arm that gives MSCs
PLACEBO = "placebo"


# Not frozen: built by the dozen for every trial, and a frozen dataclass is slower to build.
# Nothing changes a passage once read.
@dataclass
class Passage:
    section: str  # title, official_title, condition, keyword, summary, description, arm, intervention, inclusion, exclusion
    where: str  # for people: "intervention 'mscs'"
    text: str  # one sentence, or one short field
    group: str  # one of PRODUCT_TIERS or CRITERIA
    role: str = ""  # MSC_PRODUCT or PLACEBO for arms and interventions
    background: bool = False  # a remark about the field, not this trial
    index: int | None = None  # which arm, intervention or criteria row (its position on the page)

    @property
    def about_this_trial(self) -> bool:
        return not self.background and self.role != PLACEBO and self.group != CRITERIA


_ABBREVIATIONS = r"(?<!\be\.g)(?<!\bi\.e)(?<!\bvs)(?<!\bDr)(?<!\bNo)(?<!\bapprox)(?<!\bet al)"
# The cheap test first in each branch: the pattern is tried at every character.
_SENTENCE_END = re.compile(
    rf"(?<=[.!?]){_ABBREVIATIONS}\s+(?=[A-Z0-9(\"'])|(?=[A-Z][a-z])(?<=[a-z]{{3}}\.)|\n+"
)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(clean(text)) if s and s.strip()]


_MSC_OR_PRODUCT = terms.MSC + [p.pattern for p in terms.PRODUCTS]


def names_msc(text: str) -> bool:
    """Does the text name MSCs (or a known MSC product), other than to deny them?"""
    text = clean(text)
    for match in find(_MSC_OR_PRODUCT, text):
        if not negated(text, match.start()) and not in_history(text, match.start()):
            return True
    return False


def _is_placebo(text: str, arm_type: str = "") -> bool:
    if arm_type in ("PLACEBO_COMPARATOR", "SHAM_COMPARATOR"):
        return True
    return has(terms.PLACEBO, text) and not names_msc(text)


def _quoted(name: str) -> str:
    name = " ".join(name.split())
    return f"'{name[:60]}…'" if len(name) > 60 else f"'{name}'"


def read(record: ParsedTrial) -> list[Passage]:
    """Every sentence the classifier may use, in page order within each part."""
    out: list[Passage] = []

    def add_text(
        section: str, where: str, text: str, group: str, role: str = "", index: int | None = None
    ) -> None:
        for sentence in sentences(text):
            background = group in (SUMMARY, DESCRIPTION) and is_background(sentence)
            out.append(Passage(section, where, sentence, group, role, background, index))

    titles = [("title", "title", record.brief_title)]
    if record.official_title and record.official_title != record.brief_title:
        titles.append(("official_title", "official title", record.official_title))
    for section, where, text in titles:
        if text:
            out.append(Passage(section, where, clean(text), TITLES))
    for condition in record.conditions:
        out.append(Passage("condition", "conditions", clean(condition), CONDITIONS))
    for keyword in record.keywords:
        out.append(Passage("keyword", "keywords", clean(keyword), CONDITIONS))
    # Registry records (not pages) also carry the conditions' MeSH terms.
    for term in getattr(record, "mesh_terms", []):
        out.append(Passage("mesh_term", "condition MeSH terms", clean(term), CONDITIONS))
    add_text("summary", "brief summary", record.brief_summary, SUMMARY)
    add_text("description", "detailed description", record.detailed_description, DESCRIPTION)

    interventions = {i.name.casefold(): i for i in record.interventions}
    msc_arms: set[str] = set()
    with_msc: set[str] = set()
    for number, arm in enumerate(record.arms):
        linked = [interventions.get(n.casefold()) for n in arm.intervention_names]
        linked_text = " ".join(f"{i.name} {i.description}" for i in linked if i)
        own_text = f"{arm.label} {arm.description}"
        if names_msc(own_text) or names_msc(linked_text):
            role = MSC_PRODUCT
            msc_arms.add(arm.label.casefold())
            with_msc.update(n.casefold() for n in arm.intervention_names)
        elif _is_placebo(f"{own_text} {' '.join(arm.intervention_names)}", arm.arm_type):
            role = PLACEBO
        else:
            role = ""
        where = f"arm {_quoted(arm.label)}" if arm.label else "arm"
        if arm.label:
            out.append(Passage("arm", where, clean(arm.label), INTERVENTIONS, role, index=number))
        add_text("arm", where, arm.description, INTERVENTIONS, role, number)
    # Without arms, everything listed beside the MSCs is taken as given with them.
    msc_listed = not record.arms and any(
        names_msc(f"{i.name} {i.description}") for i in record.interventions
    )
    for number, intervention in enumerate(record.interventions):
        text = f"{intervention.name} {intervention.description}"
        if names_msc(text):
            role = MSC_PRODUCT
        elif _is_placebo(intervention.name):
            role = PLACEBO
        elif (
            msc_listed
            or intervention.name.casefold() in with_msc
            or any(label.casefold() in msc_arms for label in intervention.arm_labels)
        ):
            role = WITH_MSC
        else:
            role = ""
        where = f"intervention {_quoted(intervention.name)}"
        out.append(
            Passage(
                "intervention", where, clean(intervention.name), INTERVENTIONS, role, index=number
            )
        )
        add_text("intervention", where, intervention.description, INTERVENTIONS, role, number)

    numbers: dict[str, int] = {}  # rows are numbered per kind: "exclusion criterion 3"
    for position, criterion in enumerate(record.eligibility.criteria):
        number = numbers[criterion.kind] = numbers.get(criterion.kind, 0) + 1
        where = f"{criterion.kind} criterion {number}"
        out.append(Passage(criterion.kind, where, clean(criterion.text), CRITERIA, index=position))
    return out
