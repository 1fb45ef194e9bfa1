"""Precision and recall of the classifier against a labelled set (pure: records and labels in).

A label file lists trials with the values a person reads on the page
(tests/fixtures/classification/labels.json). A field is scored only on the trials whose
label states it: product fields (cell source, donor, route, dose, ...) are labelled for
in-scope trials only. Every field is scored as (trial, value) pairs, so a list field
gets credit for each right slug and a single value for being right when it is known.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from catalogue.vocabulary import DERIVED, DERIVED_BY_NAME

from .result import Classification

_SCORED = [d for d in DERIVED if d.evaluated and d.name != "in_scope"]
FIELDS = (
    "in_scope",
    "out_of_scope",
    *(d.name for d in _SCORED),
    "dose",
    "eligibility",
    "needs_review",
)
# Slugs are scored one by one for the fields people filter by, so a weak slug is visible
# behind a good total.
PER_VALUE_FIELDS = tuple(d.name for d in _SCORED if d.param)
_TOLERANCE = 0.01  # relative, for numbers


@dataclass
class Count:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


@dataclass
class Miss:
    file: str
    field: str
    expected: object
    got: object


@dataclass
class Report:
    trials: int = 0
    fields: dict[str, Count] = field(default_factory=dict)
    values: dict[str, dict[str, Count]] = field(default_factory=dict)
    misses: list[Miss] = field(default_factory=list)

    def count(self, name: str) -> Count:
        return self.fields.setdefault(name, Count())

    def overall(self, names: Iterable[str] = FIELDS) -> Count:
        total = Count()
        for name in names:
            if name in self.fields:
                total.tp += self.fields[name].tp
                total.fp += self.fields[name].fp
                total.fn += self.fields[name].fn
        return total


def load_labels(path: Path) -> list[dict]:
    """The labelled trials, each with `path` resolved against the label file's folder."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [{**item, "path": (path.parent / item["file"]).resolve()} for item in data["trials"]]


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= _TOLERANCE * max(abs(a), abs(b), 1e-9) or abs(a - b) < 0.02


def _match(expected: list, got: list) -> tuple[int, int, int]:
    """tp, fp, fn between two lists of comparable items (numbers within tolerance)."""
    left = list(got)
    tp = 0
    for item in expected:
        for index, candidate in enumerate(left):
            if candidate == item or (
                isinstance(item, tuple)
                and isinstance(candidate, tuple)
                and item[:-1] == candidate[:-1]
                and isinstance(item[-1], float)
                and isinstance(candidate[-1], float)
                and _same(item[-1], candidate[-1])
            ):
                tp += 1
                del left[index]
                break
    return tp, len(left), len(expected) - tp


def _dose_items(dose: dict | None) -> list[tuple]:
    if not dose:
        return []
    items: list[tuple] = [("per_kg", float(v)) for v in dose.get("cells_per_kg") or []]
    items += [("total", float(v)) for v in dose.get("total_cells") or []]
    if dose.get("doses") is not None:
        items.append(("doses", float(dose["doses"])))
    return items


def _eligibility_items(
    bounds: Iterable[dict], measures: Iterable[str] | None = None
) -> list[tuple]:
    items = []
    for bound in bounds:
        if measures is not None and bound["measure"] not in measures:
            continue
        for end in ("low", "high"):
            if bound.get(end) is not None:
                items.append((bound["measure"], end, float(bound[end])))
    return items


def _labelled_eligibility(spec: dict) -> list[tuple]:
    items = []
    for measure, (low, high) in spec.items():
        if low is not None:
            items.append((measure, "low", float(low)))
        if high is not None:
            items.append((measure, "high", float(high)))
    return items


def _predicted(result: Classification, name: str):
    detail = result.to_json()
    if name == "dose":
        return _dose_items(detail["dose"])
    if name == "eligibility":
        return detail["eligibility"]
    if name == "needs_review":
        return bool(result.review_reasons)
    return result.values[name]


def score(labelled: Iterable[tuple[dict, Classification]]) -> Report:
    """Compare each trial's label with its classification."""
    report = Report()
    for label, result in labelled:
        report.trials += 1
        for name in FIELDS:
            key = "in_scope" if name == "out_of_scope" else name
            if key not in label:
                continue
            expected, got = label[key], _predicted(result, key)
            if name == "out_of_scope":
                expected, got = not expected, not got
            if name == "dose":
                expected = _dose_items(expected)
            elif name == "eligibility":
                expected = _labelled_eligibility(label["eligibility"])
                got = _eligibility_items(got)
            if isinstance(expected, bool):
                pairs_expected, pairs_got = [True] if expected else [], [True] if got else []
            elif isinstance(expected, str):  # one slug; the field's default says "not known"
                unknown = DERIVED_BY_NAME[name].default
                pairs_expected = [expected] if expected != unknown else []
                pairs_got = [got] if got != unknown else []
            else:
                pairs_expected, pairs_got = list(expected), list(got)
            tp, fp, fn = _match(pairs_expected, pairs_got)
            count = report.count(name)
            count.tp, count.fp, count.fn = count.tp + tp, count.fp + fp, count.fn + fn
            if fp or fn:
                shown = expected if name == "out_of_scope" else label[key]
                report.misses.append(Miss(label["file"], name, shown, _shown(got)))
            if name in PER_VALUE_FIELDS:
                _per_value(report, name, pairs_expected, pairs_got)
    return report


def _per_value(report: Report, name: str, expected: list, got: list) -> None:
    values = report.values.setdefault(name, {})
    for value in set(expected) | set(got):
        count = values.setdefault(str(value), Count())
        if value in expected and value in got:
            count.tp += 1
        elif value in got:
            count.fp += 1
        else:
            count.fn += 1


def _shown(value):
    if isinstance(value, list):
        return [tuple(v) if isinstance(v, tuple) else v for v in value]
    return value


def _percent(value: float | None) -> str:
    return "   –  " if value is None else f"{100 * value:5.1f}%"


def table(report: Report) -> list[str]:
    """The report as text lines: one row per field, indented rows per slug."""
    lines = [
        f"{report.trials} labelled trials",
        f"{'field':28} {'TP':>4} {'FP':>4} {'FN':>4}  {'precision':>9}  {'recall':>7}",
    ]

    def row(name: str, count: Count) -> str:
        return (
            f"{name:28} {count.tp:4} {count.fp:4} {count.fn:4}  "
            f"{_percent(count.precision):>9}  {_percent(count.recall):>7}"
        )

    for name in FIELDS:
        if name not in report.fields:
            continue
        lines.append(row(name, report.fields[name]))
        for value, count in sorted(report.values.get(name, {}).items()):
            lines.append(row(f"  {value}", count))
    lines.append(row("all fields", report.overall()))
    return lines
