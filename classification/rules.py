"""The rules: from a parsed trial to a `Classification`, each value with the phrase that decided it.

How the page is trusted, most first: its arms and interventions, the titles, the brief
summary, the detailed description, then the conditions. Eligibility criteria describe the
patients, never the product; related trials and references are never read. A part of the
page that names a value another part contradicts is kept, and the trial flagged for review.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from catalogue.vocabulary import (
    CellSource,
    CoIntervention,
    Comparator,
    DiabetesType,
    Donor,
    ProductForm,
    Route,
)
from records import ParsedTrial

from . import numbers, terms
from .matching import (
    Family,
    find,
    has,
    in_history,
    may_match,
    negated,
    pattern,
    snippet,
    studied,
    word_gap,
)
from .passages import (
    CONDITIONS,
    CRITERIA,
    DESCRIPTION,
    INTERVENTIONS,
    MSC_PRODUCT,
    PLACEBO,
    PRODUCT_TIERS,
    SUMMARY,
    TITLES,
    WITH_MSC,
    Passage,
    read,
)
from .result import Bound, Classification, Disagreement, Dose, Evidence, cell_numbers

MSC_KIND = "msc"
# MSCs the page measures (a lab study, a drug's effect on them), not a product it gives.
STUDIED_KIND = "studied"
STUDIED_REASON = "MSCs measured, not given"
KNOWN_PRODUCT = "known product"
# How many phrases to keep per value: enough to show agreement, few enough to read.
EVIDENCE_PER_VALUE = 3
_TIER = {group: index for index, group in enumerate(PRODUCT_TIERS)}
_GROUP_NAMES = {
    INTERVENTIONS: "arms and interventions",
    TITLES: "title",
    SUMMARY: "brief summary",
    DESCRIPTION: "detailed description",
    CONDITIONS: "conditions",
}

# The lists a rule looks for in turn, as families: one look says which a passage may name.
_LOOK_ALIKES = Family((look_alike, look_alike.patterns) for look_alike in terms.LOOK_ALIKES)
_PRODUCTS = Family((product, [product.pattern]) for product in terms.PRODUCTS)
_DIABETES_TYPES = Family(terms.DIABETES_TYPES.items())
_CELL_SOURCES = Family(terms.CELL_SOURCES.items())
_DONOR_ADJECTIVES = Family(terms.DONOR_ADJECTIVES.items())
_DONOR_PHRASES = Family(terms.DONOR_PHRASES.items())
_ROUTES = Family(terms.ROUTES.items())
_PRODUCT_FORMS = Family(terms.PRODUCT_FORMS.items())
_CO_INTERVENTIONS = Family(terms.CO_INTERVENTIONS.items())


# Mention and Hit are not frozen: built by the dozen for every trial, and nothing changes them.
@dataclass
class Mention:
    """A cell product named in a passage: MSCs (kind "msc"), MSCs only measured (kind
    "studied") or a look-alike (its slug)."""

    kind: str
    passage: Passage
    start: int
    end: int
    look_alike: terms.LookAlike | None = None
    product: terms.Product | None = None


@dataclass
class Hit:
    """A value found in a passage."""

    value: str
    passage: Passage
    start: int
    end: int
    note: str = ""

    def evidence(self, field_name: str) -> Evidence:
        p = self.passage
        phrase = snippet(p.text, self.start, self.end)
        match = " ".join(p.text[self.start : self.end].split())
        return Evidence(field_name, str(self.value), p.section, p.where, phrase, self.note, match)


def classify(record: ParsedTrial) -> Classification:
    passages = read(record)
    # Criteria rows describe the patients: only the indication and eligibility rules read them.
    page = [p for p in passages if p.group != CRITERIA]
    indication = _indication_passages(passages)
    mentions = _product_mentions(page)
    evidence: list[Evidence] = []
    disagreements: list[Disagreement] = []
    reasons: list[str] = []

    is_msc, deciding = _msc_decision(mentions)
    diabetes_hit = _names_diabetes(indication)
    is_diabetes = diabetes_hit is not None
    types, type_hits = _diabetes_types(indication, diabetes_hit)
    evidence += _keep("diabetes_types", type_hits)

    bounds = _eligibility(record)
    recent, recent_hits = _recent_onset(passages, bounds, types)
    evidence += _keep("recent_onset", recent_hits)

    product = _product_passages(page)  # read by each rule about the product
    sources, source_hits, source_groups = _cell_sources(product, mentions, is_msc, deciding)
    evidence += _keep("cell_sources", source_hits)
    disagreements += _disagreement("cell_sources", source_groups)

    donor, donor_hits, donor_conflict = _donor(product, mentions, source_hits, record, bounds)
    evidence += _keep("donor", donor_hits)
    if donor_conflict:
        disagreements.append(donor_conflict)

    routes, route_hits, route_groups = _routes(product, mentions, is_msc)
    evidence += _keep("routes", route_hits)
    disagreements += _disagreement("routes", route_groups)

    forms, form_hits = _product_forms(product, mentions, is_msc, deciding)
    evidence += _keep("product_form", form_hits)

    dose, dose_hits = _dose(product, mentions, is_msc)
    evidence += _keep("dose", dose_hits)

    comparators, comparator_hits = _comparators(record, page)
    evidence += _keep("comparators", comparator_hits)
    co_interventions, co_hits = _co_interventions(page) if is_msc else ([], [])
    evidence += _keep("co_interventions", co_hits)

    in_scope = is_msc and is_diabetes
    reason = _scope_reason(record, is_msc, is_diabetes, deciding, types)
    scope_hits = [diabetes_hit] if diabetes_hit else []
    if deciding is not None:
        note = deciding.look_alike.reason if deciding.look_alike else "names MSCs"
        note = STUDIED_REASON if deciding.kind == STUDIED_KIND else note
        scope_hits.insert(0, _hit_of(deciding, note=note))
    evidence = _keep("in_scope", scope_hits) + evidence
    if is_msc and deciding and deciding.passage.group in (DESCRIPTION, CONDITIONS):
        reasons.append(
            f"MSCs are named only in the {_GROUP_NAMES[deciding.passage.group]}; check the scope"
        )
    for item in disagreements:
        said = "; ".join(
            f"{_GROUP_NAMES.get(group, group)}: {', '.join(values)}"
            for group, values in item.values.items()
        )
        reasons.append(f"page sections disagree on {item.field.replace('_', ' ')} ({said})")

    product = ""
    if is_msc:
        product = "derived" if _names_derived_product(mentions) else "cells"
    elif deciding:
        product = deciding.kind
    values = {
        "in_scope": in_scope,
        "cell_sources": sources,
        "donor": str(donor),
        "diabetes_types": types,
        "routes": routes,
        "product_form": forms,
        "recent_onset": recent,
        "comparators": comparators,
        "co_interventions": co_interventions,
    }
    return Classification(
        values=values,
        scope_reason=reason,
        is_msc=is_msc,
        is_diabetes=is_diabetes,
        product=product,
        dose=dose,
        eligibility=bounds,
        evidence=evidence,
        disagreements=disagreements,
        review_reasons=reasons,
    )


# --- helpers ---------------------------------------------------------------


def _ordered(values: Iterable[str], vocabulary) -> list[str]:
    """Slugs in the vocabulary's order, each once."""
    present = set(values)
    return [slug for slug in _slugs(vocabulary) if slug in present]


@cache
def _slugs(vocabulary) -> tuple[str, ...]:
    # Reading .value off enum members is slow, and every trial asks for every vocabulary.
    return tuple(choice.value for choice in vocabulary)


def _keep(field_name: str, hits: list[Hit]) -> list[Evidence]:
    """Evidence for a field: a few phrases per value, most trusted part of the page first."""
    kept: list[Evidence] = []
    count: dict[str, int] = {}
    seen = set()
    for hit in sorted(hits, key=lambda h: _TIER.get(h.passage.group, len(_TIER))):
        value = str(hit.value)
        key = (value, hit.passage.where, hit.passage.text)
        if key in seen or count.get(value, 0) >= EVIDENCE_PER_VALUE:
            continue
        seen.add(key)
        count[value] = count.get(value, 0) + 1
        kept.append(hit.evidence(field_name))
    return kept


def _by_passage(mentions: list[Mention]) -> dict[int, list[Mention]]:
    """The products named in each passage, keyed by the passage's id."""
    grouped: dict[int, list[Mention]] = {}
    for mention in mentions:
        grouped.setdefault(id(mention.passage), []).append(mention)
    return grouped


def _hit_of(mention: Mention, value: str = "", note: str = "") -> Hit:
    return Hit(value or mention.kind, mention.passage, mention.start, mention.end, note)


def _live(text: str, match: re.Match) -> bool:
    """Not denied and not about the patient's past."""
    return not negated(text, match.start()) and not in_history(text, match.start())


def _disagreement(field_name: str, groups: dict[str, set[str]]) -> list[Disagreement]:
    """Two parts of the page that name values with nothing in common disagree."""
    named = {g: v for g, v in groups.items() if v}
    parts = sorted(named, key=_TIER.get)
    for index, first in enumerate(parts):
        for second in parts[index + 1 :]:
            if not named[first] & named[second]:
                return [Disagreement(field_name, {g: sorted(named[g]) for g in parts})]
    return []


def _product_passages(passages: list[Passage]) -> list[Passage]:
    """Passages that may describe the product, most trusted first."""
    usable = [p for p in passages if p.about_this_trial and p.group != CONDITIONS]
    return sorted(usable, key=lambda p: _TIER[p.group])


# --- what the product is ---------------------------------------------------


def _msc_follows(text: str, look_alike: re.Match, mscs: list[re.Match]) -> bool:
    """ "cord blood-derived MSCs": the look-alike words name the MSCs' source."""
    for msc in mscs:
        if msc.end() <= look_alike.start():
            continue
        if msc.start() < look_alike.end():
            return True
        gap = word_gap(text, look_alike.end(), msc.start())
        between = text[look_alike.end() : msc.start()]
        if (
            gap is not None
            and gap <= terms.LOOK_ALIKE_MSC_GAP_WORDS
            and not pattern(terms.PRODUCT_JOINERS).search(between)
        ):
            return True
    return False


def _product_mentions(passages: list[Passage]) -> list[Mention]:
    mentions: list[Mention] = []
    for passage in passages:
        if passage.group == CRITERIA:
            continue
        text = passage.text
        mscs = find(terms.MSC, text)
        taken: list[tuple[int, int]] = []
        for look_alike, patterns in _LOOK_ALIKES.named_in(text):
            for match in find(patterns, text):
                if any(match.start() < b and match.end() > a for a, b in taken):
                    continue
                if look_alike.slug in terms.SOURCE_LOOK_ALIKES and _msc_follows(text, match, mscs):
                    continue
                taken.append(match.span())
                if _live(text, match):
                    mentions.append(
                        Mention(look_alike.slug, passage, *match.span(), look_alike=look_alike)
                    )
        for match in mscs:
            inside = any(match.start() >= a and match.end() <= b for a, b in taken)
            if not inside and _live(text, match):
                kind = STUDIED_KIND if studied(text, match.start()) else MSC_KIND
                mentions.append(Mention(kind, passage, *match.span()))
        for product, patterns in _PRODUCTS.named_in(text):
            for match in find(patterns, text):
                if _live(text, match):
                    mentions.append(Mention(MSC_KIND, passage, *match.span(), product=product))
    return mentions


def _msc_decision(mentions: list[Mention]) -> tuple[bool, Mention | None]:
    """Is the product MSCs? The most trusted part of the page that names any product decides.

    MSCs named there win over look-alikes named beside them (MSCs given with mononuclear
    cells); a look-alike named there wins over MSCs mentioned further down (background), and
    so do MSCs the page only measures (titles about a drug's effect on MSCs, a keyword below).
    """
    for tier in PRODUCT_TIERS:
        here = [m for m in mentions if m.passage.group == tier and m.passage.about_this_trial]
        mscs = [m for m in here if m.kind == MSC_KIND]
        if mscs:
            return True, mscs[0]
        if here:
            return False, here[0]
    return False, None


def _names_derived_product(mentions: list[Mention]) -> bool:
    return any(
        m.kind == MSC_KIND
        and m.passage.group in (INTERVENTIONS, TITLES, SUMMARY)
        and has(terms.DERIVED_PRODUCT, m.passage.text)
        for m in mentions
    )


def _scope_reason(
    record: ParsedTrial,
    is_msc: bool,
    is_diabetes: bool,
    deciding: Mention | None,
    types: list[str],
) -> str:
    indication = " and ".join(DiabetesType(t).label.lower() for t in types) if types else "diabetes"
    if is_msc and is_diabetes:
        return f"Mesenchymal stem/stromal cells for {indication}."
    if is_msc:
        named = _other_indications(record)
        what = named[0] if named else "; ".join(record.conditions[:3])
        return "MSC trial, but not for diabetes or a diabetic complication" + (
            f" ({what})." if what else "."
        )
    if deciding and deciding.look_alike:
        return f"Not an MSC trial: the product is {deciding.look_alike.reason}."
    if deciding and deciding.kind == STUDIED_KIND:
        return "Not an MSC trial: the MSCs are measured, not given."
    names = "; ".join(i.name for i in record.interventions[:3])
    return "Not an MSC trial: no mesenchymal stem/stromal cell product is named" + (
        f" (interventions: {names})." if names else "."
    )


def _other_indications(record: ParsedTrial) -> list[str]:
    text = " ".join([record.brief_title, record.official_title, *record.conditions])
    return [m.group(0) for m in find(terms.OTHER_INDICATIONS, text)]


# --- what is treated -------------------------------------------------------


def _indication_passages(passages: list[Passage]) -> list[Passage]:
    """Where the treated disease is named: not exclusion rows, placebo arms or background."""
    return [
        p for p in passages if p.section != "exclusion" and not p.background and p.role != PLACEBO
    ]


def _names_diabetes(indication: list[Passage]) -> Hit | None:
    """Is diabetes (or a diabetic complication) what the trial treats? The first phrase that says so.

    The description and the inclusion criteria count only on a page that states no
    conditions: elsewhere the description may name diabetes as a side effect
    ("steroid-induced diabetes"), and a criterion as a comorbidity the trial allows
    ("diabetic subjects must have HbA1c < 8%") in a trial of something else.
    """
    states_conditions = any(p.group == CONDITIONS for p in indication)
    for passage in sorted(indication, key=_indication_order):
        if passage.group in (DESCRIPTION, CRITERIA) and states_conditions:
            continue
        for match in find(terms.DIABETES, passage.text):
            if _live(passage.text, match) or passage.group == CONDITIONS:
                return Hit("diabetes", passage, *match.span(), "names diabetes")
    return None


def _indication_order(passage: Passage) -> int:
    order = (CONDITIONS, TITLES, SUMMARY, INTERVENTIONS, CRITERIA, DESCRIPTION)
    return order.index(passage.group)


# Parts of the page asked in turn for the main type (type 1 / type 2); the first that names one decides.
_MAIN_TYPE_TIERS = ((CONDITIONS, TITLES), (SUMMARY, INTERVENTIONS), (CRITERIA,), (DESCRIPTION,))
_MAIN_TYPES = (DiabetesType.T1D, DiabetesType.T2D)


# Every term _diabetes_types reads (keep in step with it): most criteria rows name none.
_TYPE_TERMS = (
    *(term for alternatives in terms.DIABETES_TYPES.values() for term in alternatives),
    *terms.OTHER_DIABETES_FORMS,
    terms.ICD10,
)


def _diabetes_types(
    indication: list[Passage], diabetes_hit: Hit | None
) -> tuple[list[str], list[Hit]]:
    """The types and complications the trial treats; "other" for diabetes of no stated type."""
    if diabetes_hit is None:
        return [], []
    found: list[Hit] = []
    for passage in indication:
        text = passage.text
        if not may_match(_TYPE_TERMS, text):
            continue
        for slug, alternatives in _DIABETES_TYPES.named_in(text):
            for match in find(alternatives, text):
                if negated(text, match.start()):
                    continue
                found.append(Hit(slug, passage, *match.span()))
        for match in find(terms.OTHER_DIABETES_FORMS, text):
            if not negated(text, match.start()):
                found.append(
                    Hit(DiabetesType.OTHER, passage, *match.span(), "another form of diabetes")
                )
        for match in find(terms.ICD10, text):
            if negated(text, match.start()):
                continue
            code = match.group(0)[:3].upper()
            found.append(Hit(terms.ICD10_TYPES[code], passage, *match.span(), "ICD-10 code"))
            sub = match.group("sub") or ""
            for prefix, slug in sorted(
                terms.ICD10_COMPLICATIONS.items(), key=lambda kv: -len(kv[0])
            ):
                if sub.startswith(prefix):
                    found.append(Hit(slug, passage, *match.span(), "ICD-10 code"))
                    break
    forms = [h for h in found if h.note == "another form of diabetes"]
    main: list[Hit] = []
    for tier in _MAIN_TYPE_TIERS:
        main = [h for h in found if h.value in _MAIN_TYPES and h.passage.group in tier]
        if main or any(h.passage.group in tier for h in forms):
            break
    # An inclusion row that requires a type names whom the trial is for, as the conditions do.
    if main and main[0].passage.group != CRITERIA:
        main += [h for h in found if h.value in _MAIN_TYPES and h.passage.section == "inclusion"]
    # Complications likewise: a complication the criteria require ("neuropathic ulcer",
    # "at least one manifestation of microangiopathy") describes the patients, not the target,
    # when the conditions or titles already name what the trial treats.
    complications: list[Hit] = []
    for tier in _MAIN_TYPE_TIERS:
        complications = [h for h in found if h.value not in _MAIN_TYPES and h.passage.group in tier]
        if complications:
            break
    hits = main + complications
    if not hits:
        note = "diabetes of no stated type or complication"
        hits = [Hit(DiabetesType.OTHER, *_span(diabetes_hit), note)]
    return _ordered((h.value for h in hits), DiabetesType), hits


def _span(hit: Hit) -> tuple[Passage, int, int]:
    return hit.passage, hit.start, hit.end


def _recent_onset(
    passages: list[Passage], bounds: list[Bound], types: list[str]
) -> tuple[bool, list[Hit]]:
    if not types:
        return False, []
    hits = []
    for passage in _indication_passages(passages):
        for match in find(terms.RECENT_ONSET, passage.text):
            if _live(passage.text, match):
                hits.append(Hit("true", passage, *match.span(), "named on the page"))
    for bound in bounds:
        if bound.measure == "diabetes_duration" and bound.high is not None:
            if bound.high <= terms.RECENT_ONSET_MAX_MONTHS:
                where = next(
                    (p for p in passages if p.group == CRITERIA and p.index == bound.position),
                    None,
                )
                if where is not None:
                    start = where.text.find(bound.as_written)
                    note = f"diagnosed at most {bound.high:g} months before"
                    hits.append(Hit("true", where, start, start + len(bound.as_written), note))
    return bool(hits), hits


def _eligibility(record: ParsedTrial) -> list[Bound]:
    rows = record.eligibility.criteria
    bounds: list[Bound] = []
    for position, row in enumerate(rows):
        shown = row.text
        if row.depth > 0:
            parent = next(
                (
                    r
                    for r in reversed(rows[:position])
                    if r.kind == row.kind and r.depth < row.depth
                ),
                None,
            )
            if parent is not None:
                shown = f"{parent.text} › {row.text}"
        bounds += numbers.eligibility_bounds(row.kind, row.text, position, shown)
    return bounds


# --- where the cells come from ---------------------------------------------


def _attached(text: str, source: re.Match, mscs: list[Mention]) -> bool:
    """Does a source word describe one of these MSC mentions?"""
    for msc in mscs:
        if source.start() >= msc.start and source.end() <= msc.end:
            return True  # inside an abbreviation: "UC-MSC"
        if source.end() <= msc.start:
            gap = word_gap(text, source.end(), msc.start)
            if gap is not None and gap <= 5:
                return True
        elif msc.end <= source.start():
            gap = word_gap(text, msc.end, source.start())
            link = text[msc.end : source.start()]
            if gap is not None and gap <= 6 and pattern(terms.SOURCE_LINKS).search(link):
                return True
    return False


def _cell_sources(
    product: list[Passage], mentions: list[Mention], is_msc: bool, deciding: Mention | None
) -> tuple[list[str], list[Hit], dict[str, set[str]]]:
    hits: list[Hit] = []
    groups: dict[str, set[str]] = {}
    by_passage = _by_passage(mentions)
    for passage in product:
        here = by_passage.get(id(passage), [])
        mscs = [m for m in here if m.kind == MSC_KIND]
        look_alike_spans = [(m.start, m.end) for m in here if m.kind != MSC_KIND]
        if not mscs and passage.role != MSC_PRODUCT:
            continue
        for slug, alternatives in _CELL_SOURCES.named_in(passage.text):
            for match in find(alternatives, passage.text):
                if any(match.start() < b and match.end() > a for a, b in look_alike_spans):
                    continue
                if not _live(passage.text, match):
                    continue
                if passage.role == MSC_PRODUCT or _attached(passage.text, match, mscs):
                    hits.append(Hit(slug, passage, *match.span()))
                    groups.setdefault(passage.group, set()).add(slug)
        for mention in mscs:
            if mention.product:
                hits.append(_hit_of(mention, mention.product.source, KNOWN_PRODUCT))
                groups.setdefault(passage.group, set()).add(mention.product.source)

    # Other cells given with the MSCs (or, out of scope, instead of them) have a source too.
    for mention in mentions:
        la = mention.look_alike
        if not la or not la.source or not mention.passage.about_this_trial:
            continue
        if (
            mention.passage.group not in (INTERVENTIONS, TITLES, SUMMARY)
            and mention is not deciding
        ):
            continue
        note = f"{'given with the MSCs' if is_msc else 'the product'}: {la.reason}"
        hits.append(_hit_of(mention, la.source, note))

    if is_msc and not any(_names_msc_tissue(h) for h in hits) and deciding:
        hits.append(_hit_of(deciding, CellSource.UNSPECIFIED, "the page names no tissue of origin"))
    return _ordered((h.value for h in hits), CellSource), hits, groups


def _names_msc_tissue(hit: Hit) -> bool:
    """A source read for the MSCs themselves (not inferred, not another product's)."""
    return not hit.note or hit.note == KNOWN_PRODUCT


# --- whose cells ------------------------------------------------------------


def _product_at(here: list[Mention], match: re.Match, text: str) -> Mention | None:
    """The product a word describes: one it overlaps, or the first named just after it."""
    overlapping = [m for m in here if m.start < match.end() and m.end > match.start()]
    if overlapping:
        return overlapping[0]
    following = sorted((m for m in here if m.start >= match.end()), key=lambda m: m.start)
    if following:
        gap = word_gap(text, match.end(), following[0].start)
        if gap is not None and gap <= 6:
            return following[0]
    return None


def _donor(
    product: list[Passage],
    mentions: list[Mention],
    source_hits: list[Hit],
    record: ParsedTrial,
    bounds: list[Bound],
) -> tuple[str, list[Hit], Disagreement | None]:
    by_passage = _by_passage(mentions)
    hits: list[Hit] = []
    for passage in product:
        here = by_passage.get(id(passage), [])
        text = passage.text
        mscs = [m for m in here if m.kind == MSC_KIND]
        found: list[Hit] = []
        for value, alternatives in _DONOR_ADJECTIVES.named_in(text):
            for match in find(alternatives, text):
                if not _live(text, match):
                    continue
                target = _product_at(here, match, text)
                if target is not None and target.kind != MSC_KIND:
                    continue  # "autologous haematopoietic stem cell transplant"
                if target is not None or passage.role == MSC_PRODUCT:
                    found.append(Hit(value, passage, *match.span()))
        if passage.role == MSC_PRODUCT or mscs:
            for value, alternatives in _DONOR_PHRASES.named_in(text):
                for match in find(alternatives, text):
                    if not _live(text, match):
                        continue
                    target = _product_at(here, match, text)
                    if target is not None and target.kind != MSC_KIND:
                        continue
                    if any(match.start() < h.end and match.end() > h.start for h in found):
                        continue
                    found.append(Hit(value, passage, *match.span()))
        for mention in mscs:
            if mention.product:
                found.append(_hit_of(mention, mention.product.donor, KNOWN_PRODUCT))
        hits += _without_alternatives(text, found)

    conflict = None
    values = {h.value for h in hits}
    if len(values) > 1:
        groups: dict[str, set[str]] = {}
        for hit in hits:
            groups.setdefault(hit.passage.group, set()).add(hit.value)
        conflict = Disagreement("donor", {g: sorted(v) for g, v in groups.items()})
        top = min(groups, key=_TIER.get)
        donor = next(iter(groups[top])) if len(groups[top]) == 1 else Donor.UNKNOWN
        return donor, hits, conflict
    if values:
        return values.pop(), hits, None
    inferred = _perinatal(source_hits, record, bounds)
    if inferred:
        return Donor.ALLOGENEIC, [inferred], None
    return Donor.UNKNOWN, [], None


def _without_alternatives(text: str, found: list[Hit]) -> list[Hit]:
    """ "from the patient's own body (autologous) or from a donor (allogeneic)" decides nothing."""
    values = {h.value for h in found}
    if len(values) < 2:
        return found
    first = min(h.start for h in found)
    last = max(h.end for h in found)
    if re.search(terms.DONOR_ALTERNATIVES, text[first:last], re.I):
        return []
    return found


def _minimum_age(record: ParsedTrial, bounds: list[Bound]) -> float | None:
    """The youngest age the trial takes, in years (registry minimum age, or the criteria)."""
    match = re.match(r"\s*(\d+(?:\.\d+)?)\s*(year|month|week|day)?", record.eligibility.minimum_age)
    if match:
        factor = {"year": 1, "month": 1 / 12, "week": 1 / 52, "day": 1 / 365}
        return float(match.group(1)) * factor[(match.group(2) or "year").lower()]
    ages = [b.low for b in bounds if b.measure == "age" and b.low is not None]
    return min(ages) if ages else None


def _perinatal(source_hits: list[Hit], record: ParsedTrial, bounds: list[Bound]) -> Hit | None:
    """Allogeneic by inference, when every tissue named for the MSCs is perinatal.

    Not when the trial takes children: a child's own cord or cord blood may have been banked
    at birth. Cord blood, often banked, needs the trial to say it takes adults only.
    """
    named = [h for h in source_hits if _names_msc_tissue(h)]
    slugs = {h.value for h in named}
    if not named or not slugs <= set(terms.PERINATAL_SOURCES + terms.PERINATAL_SOURCES_FOR_ADULTS):
        return None
    youngest = _minimum_age(record, bounds)
    if youngest is not None and youngest < terms.ADULT_AGE:
        return None
    if slugs & set(terms.PERINATAL_SOURCES_FOR_ADULTS) and youngest is None:
        return None
    first = named[0]
    note = (
        "inferred: cord blood given to adults is not their own"
        if first.value in terms.PERINATAL_SOURCES_FOR_ADULTS
        else "inferred: perinatal tissue is not the patient's own"
    )
    return Hit(Donor.ALLOGENEIC, first.passage, first.start, first.end, note)


# --- how the cells are given -----------------------------------------------


def _route_blocked(text: str, match: re.Match, mscs: list[Mention]) -> bool:
    """ "subcutaneous lipoaspiration", "intravenous glucose tolerance test", "phase IV"."""
    if any(
        m.start >= match.end() and (word_gap(text, match.end(), m.start) or 99) <= 4 for m in mscs
    ):
        return False
    after = re.findall(r"[\w'-]+", text[match.end() :])[: terms.ROUTE_BLOCKER_WORDS]
    before = re.findall(r"[\w'-]+", text[: match.start()])[-terms.ROUTE_BLOCKER_WORDS :]
    blocker = pattern(terms.ROUTE_BLOCKERS)
    return any(blocker.fullmatch(word) for word in after + before)


def _about_the_cells(passage: Passage, here: list[Mention], is_msc: bool) -> bool:
    """Does a passage describe giving the product: it names one, or says "cells" in an MSC trial?"""
    if passage.group == INTERVENTIONS or here:
        return True
    return is_msc and has(terms.CELL_WORDS, passage.text)


def _routes(
    product: list[Passage], mentions: list[Mention], is_msc: bool
) -> tuple[list[str], list[Hit], dict[str, set[str]]]:
    by_passage = _by_passage(mentions)
    hits: list[Hit] = []
    groups: dict[str, set[str]] = {}
    for passage in product:
        here = by_passage.get(id(passage), [])
        if not _about_the_cells(passage, here, is_msc):
            continue
        mscs = [m for m in here if m.kind == MSC_KIND]
        taken: list[tuple[int, int]] = []
        for slug, alternatives in _ROUTES.named_in(passage.text):
            for match in find(alternatives, passage.text):
                if any(match.start() < b and match.end() > a for a, b in taken):
                    continue
                if not _live(passage.text, match) or _route_blocked(passage.text, match, mscs):
                    continue
                taken.append(match.span())
                hits.append(Hit(slug, passage, *match.span()))
                groups.setdefault(passage.group, set()).add(slug)
    return _ordered((h.value for h in hits), Route), hits, groups


# --- how the cells are prepared ----------------------------------------------


def _product_forms(
    product: list[Passage], mentions: list[Mention], is_msc: bool, deciding: Mention | None
) -> tuple[list[str], list[Hit]]:
    """Culture-expanded, fresh, cryopreserved: only what the page says of the cells given."""
    if not is_msc:
        return [], []
    by_passage = _by_passage(mentions)
    hits: list[Hit] = []
    for passage in product:
        if not _about_the_cells(passage, by_passage.get(id(passage), []), is_msc):
            continue
        for slug, alternatives in _PRODUCT_FORMS.named_in(passage.text):
            for match in find(alternatives, passage.text):
                if _live(passage.text, match):
                    hits.append(Hit(slug, passage, *match.span()))
    if not hits and deciding is not None:
        note = "the page does not say how the cells are prepared"
        hits.append(_hit_of(deciding, ProductForm.NOT_STATED, note))
    return _ordered((h.value for h in hits), ProductForm), hits


# --- how much, how often -----------------------------------------------------


def _dose(product: list[Passage], mentions: list[Mention], is_msc: bool) -> tuple[Dose, list[Hit]]:
    """Cell numbers, number of administrations and interval; the most trusted statement first."""
    by_passage = _by_passage(mentions)
    dose = Dose()
    hits: list[Hit] = []
    amounts: dict[tuple, str] = {}  # (per_kg, values) -> how it reads
    for passage in product:
        if not _about_the_cells(passage, by_passage.get(id(passage), []), is_msc):
            continue
        text = passage.text
        for amount in numbers.dose_amounts(text):
            unit = "cells/kg" if amount.per_kg else "cells"
            shown = f"{cell_numbers(list(amount.values), amount.is_range)} {unit}"
            amounts.setdefault((amount.per_kg, amount.values), shown)
            written = text[amount.start : amount.end].strip()
            if written not in dose.written:
                dose.written.append(written)
            hits.append(Hit(shown, passage, amount.start, amount.end))
        counted = numbers.dose_count(text)
        if counted and dose.doses is None:
            dose.doses, match = counted
            shown = f"{dose.doses} dose{'s' if dose.doses > 1 else ''}"
            hits.append(Hit(shown, passage, *match.span()))
        interval = numbers.dose_interval(text)
        if interval and not dose.interval:
            dose.interval, dose.interval_days, match = interval
            hits.append(Hit(f"{dose.interval} apart", passage, *match.span()))
    dose.cells_per_kg = sorted({v for (per_kg, values) in amounts if per_kg for v in values})
    dose.total_cells = sorted({v for (per_kg, values) in amounts if not per_kg for v in values})
    # "80 x 10^6" in one arm is already in "80, 160, or 240 x 10^6": show the fuller statement.
    parts = [
        shown
        for (per_kg, values), shown in amounts.items()
        if not any(other_kg == per_kg and set(values) < set(other) for other_kg, other in amounts)
    ]
    parts = list(dict.fromkeys(parts))
    if dose.doses:
        count = f"{dose.doses} dose{'s' if dose.doses > 1 else ''}"
        parts.append(
            f"{count}, {dose.interval} apart" if dose.interval and dose.doses > 1 else count
        )
    elif dose.interval:
        parts.append(f"every {dose.interval}")
    dose.summary = "; ".join(parts)
    return dose, hits


# --- compared with what, given with what -----------------------------------


def _comparators(record: ParsedTrial, passages: list[Passage]) -> tuple[list[str], list[Hit]]:
    """What the control arms give; "none" when every arm gives the cells or there is one group."""
    hits: list[Hit] = []
    for number, arm in enumerate(record.arms if len(record.arms) > 1 else []):
        own = [p for p in passages if p.section == "arm" and p.index == number]
        if not own or own[0].role == MSC_PRODUCT or arm.arm_type == "EXPERIMENTAL":
            continue
        text = " ".join([arm.label, arm.description, *arm.intervention_names])
        if own[0].role == PLACEBO:
            value = Comparator.PLACEBO
        elif arm.arm_type == "NO_INTERVENTION" or has(terms.STANDARD_CARE, text):
            value = Comparator.STANDARD_CARE
        else:
            value = Comparator.ACTIVE
        hits.append(Hit(value, own[0], 0, len(own[0].text)))
    for passage in passages:
        if passage.group not in (TITLES, SUMMARY, DESCRIPTION) or passage.background:
            continue
        for slug, alternatives in (
            (Comparator.PLACEBO, terms.PLACEBO_IN_TEXT),
            (Comparator.STANDARD_CARE, terms.STANDARD_CARE),
        ):
            for match in find(alternatives, passage.text):
                if _live(passage.text, match):
                    hits.append(Hit(slug, passage, *match.span()))
    if not hits:
        single = record.design.intervention_model == "SINGLE_GROUP" or len(record.arms) == 1
        if single or record.arms:
            note = "single-group design" if single else "every arm gives the cells"
            first_arm = next((p for p in passages if p.section == "arm"), None)
            if first_arm is None:
                return [Comparator.NONE], []
            hits.append(Hit(Comparator.NONE, first_arm, 0, len(first_arm.text), note))
    return _ordered((h.value for h in hits), Comparator), hits


def _co_interventions(passages: list[Passage]) -> tuple[list[str], list[Hit]]:
    """What the MSC arms give besides the cells (named in those arms, the title or the summary)."""
    hits: list[Hit] = []
    for passage in passages:
        if not passage.about_this_trial:
            continue
        if passage.group == INTERVENTIONS and passage.role not in (MSC_PRODUCT, WITH_MSC):
            continue
        if passage.group not in (INTERVENTIONS, TITLES, SUMMARY):
            continue
        for slug, alternatives in _CO_INTERVENTIONS.named_in(passage.text):
            for match in find(alternatives, passage.text):
                if _live(passage.text, match):
                    hits.append(Hit(slug, passage, *match.span()))
    return _ordered((h.value for h in hits), CoIntervention), hits
