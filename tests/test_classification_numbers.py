"""Cell doses and eligibility bounds read from text as written (pure; no database)."""

from __future__ import annotations

import pytest

from classification.numbers import (
    dose_amounts,
    dose_count,
    dose_interval,
    eligibility_bounds,
)


@pytest.mark.parametrize(
    ("text", "per_kg", "values"),
    [
        ("2.5 x 10^6 MSC per kg will be infused intravenously", True, (2.5e6,)),
        ("dose: 2-3 millions/Kg; dosage: single", True, (2e6, 3e6)),
        ("a single infusion of 80, 160, or 240 x 10^6 cells", False, (80e6, 160e6, 240e6)),
        ("three infusions of 1×10⁶ cells/kg", True, (1e6,)),
        ("at 10\\^6 cells/kg on two occasions", True, (1e6,)),
        ("1.35 × 10^6 cells/kg body weight", True, (1.35e6,)),
        ("150 million or 300 million cells", False, (150e6,)),
        ("1 x 10(6) MSCs/kg", True, (1e6,)),
        ("1,000,000 cells per kilogram", True, (1e6,)),
    ],
)
def test_dose_amounts(text, per_kg, values):
    first = dose_amounts(text)[0]
    assert (first.per_kg, first.values) == (per_kg, values)


@pytest.mark.parametrize(
    "text",
    [
        "2 x 10^6 cells per cm2 of ulcer area",
        "platelets 140,000 to 450,000 per microliter",
        "Type 1 diabetes, 2 years",
        "0.5% human serum albumin",
    ],
)
def test_not_a_dose(text):
    assert dose_amounts(text) == []


def test_a_range_is_marked_as_one():
    assert [a.is_range for a in dose_amounts("2-3 millions/Kg and 80, 160, or 240 x 10^6")] == [
        True,
        False,
    ]


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Patients in Group A will receive a single MSCs infusion", 1),
        ("undergoing 2 treatment with 6 months interval", 2),
        ("dosage: single", 1),
        ("three intravenous infusions at 4-week intervals", 3),
        ("applied once a week for four weeks", 4),
        ("both given intravenously once", 1),
        ("This study compares three doses of MSCs given as a single infusion", 1),
        ("Stem Cell Transplantation for Type 1 Diabetes Treatment", None),
        ("on Day 1 infusion", None),
    ],
)
def test_dose_count(text, count):
    found = dose_count(text)
    assert (found[0] if found else None) == count


@pytest.mark.parametrize(
    ("text", "written", "days"),
    [
        ("2 treatment with 6 months interval", "6 months", 180),
        ("three infusions one month apart", "1 month", 30),
        ("at 4-week intervals", "4 weeks", 28),
        ("two infusions, 90 days apart", "90 days", 90),
    ],
)
def test_dose_interval(text, written, days):
    found = dose_interval(text)
    assert found is not None and found[:2] == (written, days)


def bounds(kind: str, text: str) -> dict[str, tuple]:
    return {
        b.measure: (b.low, b.high, b.unit)
        for b in eligibility_bounds(kind, text, position=0, shown=text)
    }


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("inclusion", "Male and female between the ages of 18 and 40", {"age": (18, 40, "years")}),
        ("inclusion", "Aged from 5 years and over.", {"age": (5, None, "years")}),
        ("inclusion", "HbA1C ≥ 6.5%.", {"hba1c": (6.5, None, "%")}),
        (
            "inclusion",
            "Hemoglobin A1c (HbA1c) is ranged from 7.5% to 9% at baseline.",
            {"hba1c": (7.5, 9, "%")},
        ),
        (
            "inclusion",
            "At screening, patients must have a stimulated peak C-peptide >0.2 nmol/l during a MMTT",
            {"c_peptide": (0.2, None, "nmol/L")},
        ),
        (
            "inclusion",
            "Type 2 diabetes duration 5 years or more.",
            {"diabetes_duration": (60, None, "months")},
        ),
        (
            "inclusion",
            "The time from the diagnosis of type 1 diabetes to enrollment ≤ 12 months.",
            {"diabetes_duration": (None, 12, "months")},
        ),
        ("exclusion", "Body Mass Index < 14 or >35", {"bmi": (14, 35, "kg/m²")}),
        ("exclusion", "Body Mass Index >30.", {"bmi": (None, 30, "kg/m²")}),
        (
            "exclusion",
            "Subjects with HgbA1c >12%, and/or fasting blood glucose >270 mg/dL and/or frequent "
            "episodes of hypoglycemia (>2 episodes per week of blood glucose levels <60 mg/dL).",
            {"hba1c": (None, 12, "%")},
        ),
        ("inclusion", "Serum creatinine range is 0.6-1.3 mg/dL, ALT 5 to 55 units per liter", {}),
        ("inclusion", "Fasting blood glucose ≥ 7 mmol / L,", {}),
    ],
)
def test_eligibility_bounds(kind, text, expected):
    assert bounds(kind, text) == expected


def test_exclusion_turned_round_keeps_strictness():
    [bound] = eligibility_bounds("exclusion", "HbA1c ≥ 10%", 3, "HbA1c ≥ 10%")
    assert (bound.high, bound.high_inclusive, bound.display, bound.position) == (
        10,
        False,
        "< 10 %",
        3,
    )
