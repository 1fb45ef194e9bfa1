"""What the classifier returns: values, and for every value the phrase that decided it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from functools import cache

from catalogue.vocabulary import DERIVED, DERIVED_BY_NAME


@dataclass(frozen=True)
class Evidence:
    field: str  # cell_sources, donor, routes, diabetes_types, recent_onset, scope, dose, ...
    value: str  # the slug (or number as text) this phrase supports
    section: str  # machine key of the place: title, summary, description, arm, intervention, ...
    where: str  # the place for people: "intervention 'mscs'", "inclusion criterion 3"
    phrase: str  # the words on the page
    note: str = ""  # why an indirect phrase counts ("inferred: perinatal tissue")
    match: str = ""  # the words in `phrase` that decided it, as they stand there


@dataclass
class Dose:
    """Cell numbers as written: a range ("2-3 millions/Kg") gives both ends, a list each value."""

    cells_per_kg: list[float] = field(default_factory=list)
    total_cells: list[float] = field(default_factory=list)
    doses: int | None = None  # how many administrations
    interval: str = ""  # between administrations, as written ("6 months")
    interval_days: int | None = None
    written: list[str] = field(default_factory=list)  # the dose phrases as the page has them
    summary: str = ""  # for people: "2–3 × 10^6 cells/kg; 1 dose"

    @property
    def empty(self) -> bool:
        return not (self.cells_per_kg or self.total_cells or self.doses or self.interval)


def cell_count(value: float) -> str:
    """2500000.0 -> "2.5 × 10^6"."""
    exponent = math.floor(math.log10(value)) if value > 0 else 0
    return f"{value / 10**exponent:.3g} × 10^{exponent}"


def cell_numbers(values: list[float], is_range: bool = False) -> str:
    """[2e6, 3e6] -> "2–3 × 10^6" (a range) or "2, 3 × 10^6" (a list of doses)."""
    exponents = {math.floor(math.log10(v)) for v in values if v > 0}
    if len(exponents) == 1 and len(values) > 1:
        exponent = exponents.pop()
        mantissas = [f"{v / 10**exponent:.3g}" for v in values]
        joined = "–".join(mantissas) if is_range and len(values) == 2 else ", ".join(mantissas)
        return f"{joined} × 10^{exponent}"
    return ", ".join(cell_count(v) for v in values)


@dataclass(frozen=True)
class Bound:
    """One eligibility number range, already turned round for exclusion rows ("BMI > 30" -> ≤ 30)."""

    measure: str  # vocabulary.EligibilityMeasure slug
    low: float | None
    high: float | None
    low_inclusive: bool
    high_inclusive: bool
    unit: str
    kind: str  # the row it came from: inclusion or exclusion
    criterion: str  # the row's text (its parent's first, for a nested row)
    position: int  # index of the row among the trial's criteria
    as_written: str  # the words the numbers were read from

    @property
    def display(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        low, high = _number(self.low), _number(self.high)
        if self.low is not None and self.high is not None:
            return f"{low}–{high}{unit}"
        if self.low is not None:
            return f"{'≥' if self.low_inclusive else '>'} {low}{unit}"
        return f"{'≤' if self.high_inclusive else '<'} {high}{unit}"


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}" if abs(value) < 1e5 else f"{value:.3g}"


@dataclass(frozen=True)
class Disagreement:
    """Parts of the page that name different values for one field; both are kept."""

    field: str
    values: dict[str, list[str]]  # part of the page -> the values it names


@dataclass
class Classification:
    """The classifier's answer. `values` holds each declared derived field's value
    (catalogue.vocabulary.DERIVED), also readable as attributes: `result.cell_sources`."""

    values: dict[str, object]
    scope_reason: str
    is_msc: bool
    is_diabetes: bool
    product: str  # "cells", "derived" (exosomes, secretome, ...) or a look-alike slug
    dose: Dose
    eligibility: list[Bound]
    evidence: list[Evidence]
    disagreements: list[Disagreement]
    review_reasons: list[str]

    def __getattr__(self, name: str):
        if name != "values" and name in DERIVED_BY_NAME:
            return self.values[name]
        raise AttributeError(name)

    def evidence_for(self, field_name: str) -> list[Evidence]:
        return [e for e in self.evidence if e.field == field_name]

    def to_json(self) -> dict:
        """The detail kept in Trial.classification (documented in catalogue.export)."""
        evidence: dict[str, list[dict]] = {}
        for item in self.evidence:
            entry = {k: v for k, v in vars(item).items() if k != "field" and (v or k == "value")}
            evidence.setdefault(item.field, []).append(entry)
        derived = {d.name: self.values[d.name] for d in DERIVED}
        return {
            "derived": {**derived, "scope_reason": self.scope_reason},
            "product": self.product,
            "dose": None if self.dose.empty else _as_dict(self.dose),
            "eligibility": [{**vars(b), "display": b.display} for b in self.eligibility],
            "evidence": evidence,
            "disagreements": [_as_dict(d) for d in self.disagreements],
            "review_reasons": self.review_reasons,
        }


# dataclasses.asdict deep-copies every string and number it meets, which made it the
# costliest step of a classification. Evidence and Bound hold only strings, numbers and
# booleans, so their fields (`vars`) are what asdict gives; Dose and Disagreement hold lists.
def _as_dict(item) -> dict:
    """What dataclasses.asdict gives for Dose and Disagreement."""
    return {name: _copied(getattr(item, name)) for name in _field_names(type(item))}


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def _copied(value):
    if isinstance(value, list):
        return [_copied(v) for v in value]
    if isinstance(value, dict):
        return {k: _copied(v) for k, v in value.items()}
    return value
