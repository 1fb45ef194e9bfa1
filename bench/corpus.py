"""A synthetic corpus of trial pages for benchmarks: deterministic from a seed, clearly not real.

Every page says "SYNTHETIC BENCHMARK PAGE" in its summary and uses registry ids from
NCT8xxxxxxx, so it can never be mistaken for (or merged with) a real trial. The pages
follow the layouts of the real saved pages (ClinicalTrials.gov-derived with and without
labels, MedPath, the aggregator) with varied content and, in realistic proportions,
missing sections and cut-off endings.

    python -m bench.corpus --count 1000 --seed 1 --out bench/out/corpus
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass, field
from pathlib import Path

STATUSES = [
    "RECRUITING",
    "COMPLETED",
    "UNKNOWN",
    "ACTIVE_NOT_RECRUITING",
    "NOT_YET_RECRUITING",
    "TERMINATED",
    "WITHDRAWN",
    "ENROLLING_BY_INVITATION",
]
PHASES = [
    ["PHASE1"],
    ["PHASE2"],
    ["PHASE1", "PHASE2"],
    ["PHASE2", "PHASE3"],
    ["PHASE3"],
    ["NA"],
    ["EARLY_PHASE1"],
]
SOURCES = [
    ("umbilical cord", "allogeneic"),
    ("bone marrow", "autologous"),
    ("bone marrow", "allogeneic"),
    ("adipose tissue", "autologous"),
    ("adipose tissue", "allogeneic"),
    ("placenta", "allogeneic"),
    ("Wharton's jelly", "allogeneic"),
    ("menstrual blood", "allogeneic"),
    ("dental pulp", "allogeneic"),
]
CONDITIONS = [
    "Type 1 Diabetes",
    "Type 2 Diabetes Mellitus",
    "Diabetic Foot Ulcer",
    "Diabetic Nephropathy",
    "Diabetic Neuropathy",
    "Critical Limb Ischemia",
    "Diabetic Retinopathy",
    "Latent Autoimmune Diabetes in Adults",
]
ROUTES = [
    "intravenous infusion",
    "injection into the pancreatic artery",
    "intramuscular injection",
    "local injection around the wound",
    "intraportal infusion",
    "subcutaneous injection",
]
COUNTRIES = [
    ("Hanoi", "", "Vietnam"),
    ("Beijing", "", "China"),
    ("Qingdao", "Shandong", "China"),
    ("Charleston", "South Carolina", "United States"),
    ("Santiago", "", "Chile"),
    ("Tehran", "", "Iran"),
    ("Madrid", "", "Spain"),
    ("Stockholm", "", "Sweden"),
    ("Kuala Lumpur", "", "Malaysia"),
    ("Amman", "", "Jordan"),
    ("Lahore", "", "Pakistan"),
    ("São Paulo", "SP", "Brazil"),
    ("Mumbai", "Maharashtra", "India"),
]
SPONSORS = [
    ("Vinmec Research Institute of Stem Cell and Gene Technology", "OTHER"),
    ("Synthetic Cell Therapeutics Inc.", "INDUSTRY"),
    ("University Hospital Synthetica", "OTHER"),
    ("National Institute of Synthetic Research", "NIH"),
    ("Regenerative Bench Labs", "INDUSTRY"),
    ("Ministry of Health of Benchland", "OTHER_GOV"),
    ("Cord Cell Network", "NETWORK"),
]
INCLUSION = [
    "Age {lo} to {hi} years",
    "HbA1c between {a1}% and {a2}%",
    "Diagnosed with diabetes for at least {dur} years",
    "Fasting C-peptide > {cp} ng/mL",
    "Body mass index {bmi} to 35 kg/m2",
    "Able to give written informed consent",
    "Stable insulin dose for 3 months",
    "Negative pregnancy test in women of childbearing age",
    "Residual beta cell function on mixed meal tolerance test",
    "Willing to follow the visit schedule for 12 months",
]
EXCLUSION = [
    "Active infection including HIV, hepatitis B or C",
    "History of malignancy within 5 years",
    "Pregnancy or breast-feeding",
    "Creatinine > 1.5 mg/dL",
    "Severe heart failure (NYHA III-IV)",
    "Use of systemic steroids",
    "Participation in another trial within 30 days",
    "Uncontrolled hypertension > 160/100 mmHg",
    "Known allergy to albumin or DMSO",
    "Diabetic ketoacidosis in the last 3 months",
    "Liver enzymes > 3 times normal",
]


@dataclass
class Trial:
    registry_id: str
    title: str
    status: str
    phases: list[str]
    enrollment: int
    start: str
    completion: str
    condition: str
    source: str
    donor: str
    route: str
    dose: str
    arms: list[tuple[str, str, str]]
    inclusion: list[str]
    exclusion: list[str]
    sponsors: list[tuple[str, str]]
    sites: list[tuple[str, str, str]]
    summary: str
    outcomes: list[tuple[str, str]] = field(default_factory=list)


def make_trial(rng: random.Random, n: int) -> Trial:
    source, donor = rng.choice(SOURCES)
    condition = rng.choice(CONDITIONS)
    route = rng.choice(ROUTES)
    dose = rng.choice(
        [
            "1 x 10^6 cells/kg",
            "2.5 x 10^6 MSC per kg",
            "2-3 millions/Kg",
            "100 x 10^6 cells",
            "5 x 10^7 cells in 3 doses 4 weeks apart",
        ]
    )
    year = rng.randint(2008, 2026)
    values = {
        "lo": rng.choice([5, 12, 18, 18, 30]),
        "hi": rng.choice([40, 60, 65, 70]),
        "a1": rng.choice([6.5, 7, 7.5]),
        "a2": rng.choice([9, 10, 11]),
        "dur": rng.randint(1, 10),
        "cp": rng.choice([0.1, 0.2, 0.3]),
        "bmi": rng.choice([18, 20, 25]),
    }
    criteria = rng.randint(10, 40)
    n_inc = rng.randint(4, criteria - 4)
    inclusion = [
        rng.choice(INCLUSION).format(**values) + (f" ({i})" if i >= len(INCLUSION) else "")
        for i in range(n_inc)
    ]
    exclusion = [
        rng.choice(EXCLUSION) + (f" ({i})" if i >= len(EXCLUSION) else "")
        for i in range(criteria - n_inc)
    ]
    n_arms = rng.choice([1, 1, 2, 2, 3])
    arms = [
        (f"{donor.capitalize()} {source} MSC group", "EXPERIMENTAL", f"{dose} given by {route}")
    ]
    if n_arms > 1:
        arms.append(("Placebo group", "PLACEBO_COMPARATOR", f"Saline by {route}"))
    if n_arms > 2:
        arms.append(("Standard care", "ACTIVE_COMPARATOR", "Insulin therapy as usual"))
    sponsors = rng.sample(SPONSORS, rng.randint(1, 3))
    return Trial(
        registry_id=f"NCT8{n:07d}",
        title=f"{donor.capitalize()} {source.title()} Mesenchymal Stem Cells for {condition} "
        f"(synthetic {n})",
        status=rng.choice(STATUSES),
        phases=rng.choice(PHASES),
        enrollment=rng.choice([0, 10, 20, 30, 48, 60, 100, 120, 240, 500]),
        start=f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        completion=f"{year + rng.randint(1, 5)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        condition=condition,
        source=source,
        donor=donor,
        route=route,
        dose=dose,
        arms=arms,
        inclusion=inclusion,
        exclusion=exclusion,
        sponsors=sponsors,
        sites=rng.sample(COUNTRIES, rng.randint(1, 4)),
        summary=f"SYNTHETIC BENCHMARK PAGE, not a real trial. The purpose of this study is to "
        f"evaluate the safety of {donor} {source}-derived mesenchymal stem cells given by "
        f"{route} in patients with {condition.lower()}.",
        outcomes=[
            ("Adverse events", "12 months"),
            ("Change in HbA1c", "6 months"),
            ("C-peptide area under the curve", "1 year"),
        ][: rng.randint(1, 3)],
    )


def ctgov_labeled(t: Trial, rng: random.Random) -> str:
    lines = [
        t.title,
        "",
        f"NCT ID: {t.registry_id}",
        "",
        "Last Updated: 2025-08-17",
        "",
        "Basic Information",
        "",
        "Recruitment Status",
        "",
        t.status,
        "",
        "Clinical Phase",
        "",
        "/".join(t.phases),
        "",
        "Total Enrollment",
        "",
        f"{t.enrollment} participants",
        "",
        "Study Classification",
        "",
        "INTERVENTIONAL",
        "",
        "Study Start Date",
        "",
        t.start,
        "",
        "Study Completion Date",
        "",
        t.completion,
        "",
        "Brief Summary",
        "",
        t.summary,
        "",
        "Conditions",
        "",
        t.condition,
        "",
        "Study Groups",
        "",
    ]
    for label, kind, description in t.arms:
        lines += [label, "", f"Intervention: {description}", "", f"Group Type {kind}", ""]
    lines += ["Eligibility Criteria", "", "Inclusion Criteria", ""]
    lines += [f"* {c}" for c in t.inclusion] + ["", "Exclusion Criteria", ""]
    lines += [f"* {c}" for c in t.exclusion]
    lines += [
        "Minimum Eligible Age",
        "",
        "18 Years",
        "",
        "Eligible Sex",
        "",
        "ALL",
        "",
        "Accepts Healthy Volunteers",
        "",
        "No",
        "",
        "Sponsors",
        "",
    ]
    for i, (name, cls) in enumerate(t.sponsors):
        lines += [name, "", cls, "", f"Sponsor Role {'lead' if i == 0 else 'collaborator'}", ""]
    lines += ["Locations", ""]
    for city, state, country in t.sites:
        lines += [f"Hospital of {city}", "", f"{city}, {state}, {country}", ""]
    lines += ["Countries", "", *sorted({c for _, _, c in t.sites}), "", "More Related Trials", ""]
    return "\n".join(lines)


def medpath(t: Trial, rng: random.Random) -> str:
    lines = [
        "MedPath",
        "",
        t.title,
        "",
        " / ".join(p.replace("PHASE", "Phase ") for p in t.phases),
        t.status.replace("_", " ").title(),
        "Conditions",
        t.condition,
        "Interventions",
        f"Biological: {t.donor} {t.source} mesenchymal stem cells",
        "Registration Number",
        t.registry_id,
        "Lead Sponsor",
        t.sponsors[0][0],
        "Brief Summary",
        "",
        t.summary,
        "",
        "Recruitment & Eligibility",
        "",
        "Status",
        t.status,
        "Sex",
        "All",
        "Target Recruitment",
        str(t.enrollment),
        "Inclusion Criteria",
    ]
    lines += [f"  • {c}" for c in t.inclusion] + ["Exclusion Criteria"]
    lines += [f"  • {c}" for c in t.exclusion]
    lines += [
        "",
        "Study & Design",
        "",
        "Study Type",
        "INTERVENTIONAL",
        "Study Design",
        "PARALLEL",
        "Primary Outcome Measures",
        "NameTimeMethod",
    ]
    lines += [f"{measure}{frame}" for measure, frame in t.outcomes]
    lines += ["", "Trial Locations", "", f"Locations ({len(t.sites)})", ""]
    for city, state, country in t.sites:
        lines += [f"Hospital of {city}", "", ", ".join(p for p in (city, state, country) if p), ""]
    lines += ["© Copyright 2025. All Rights Reserved by MedPath"]
    return "\n".join(lines)


def aggregator(t: Trial, rng: random.Random) -> str:
    status = t.status.replace("_", " ").lower().replace("active not", "active, not")
    year, month = t.start[:4], int(t.start[5:7])
    months = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
    lines = [
        f"This trial is {status}.",
        "",
        f"Condition {t.condition.lower()}",
        f"Treatment {t.source} mscs",
        f"Phase {'/'.join(p.lower().replace('phase', 'phase ') for p in t.phases)}",
        f"Sponsor {t.sponsors[0][0]}",
        f"Start date {months[month - 1]} {year}",
        f"Trial size {t.enrollment} participants",
        f"Trial identifier {t.registry_id}",
        "",
        "",
        t.summary,
        "",
        "Study Design",
        "",
        "Intervention model parallel assignment",
        "Masking open label",
        "Primary purpose treatment",
        "",
        "Primary Outcomes",
        "",
    ]
    for measure, frame in t.outcomes:
        lines += [measure, f"time frame: {frame}", ""]
    lines += [
        "Eligibility Criteria",
        "",
        "Male or female participants at least 18 years old.",
        "",
        "Inclusion Criteria: "
        + " ".join(f"- {c}" for c in t.inclusion)
        + " Exclusion Criteria: "
        + " ".join(f"- {c}" for c in t.exclusion),
        "",
        "Additional Information",
        "",
        f"Official title {t.title}",
        "Trial information was received from ClinicalTrials.gov and was last updated in "
        "September 2016.",
    ]
    return "\n".join(lines)


FORMATS = {"ctgov_labeled": ctgov_labeled, "medpath": medpath, "aggregator": aggregator}
# Share of each format in the corpus, and of damaged pages among them.
WEIGHTS = {"ctgov_labeled": 5, "medpath": 3, "aggregator": 2}
MISSING_SECTION = 0.10
CUT_OFF = 0.05


def page(rng: random.Random, n: int) -> tuple[str, str]:
    trial = make_trial(rng, n)
    fmt = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
    text = FORMATS[fmt](trial, rng)
    if rng.random() < MISSING_SECTION:  # drop one section body (a summary, conditions, ...)
        text = (
            text.replace(trial.summary, "", 1)
            if rng.random() < 0.5
            else text.replace(trial.condition, "", 1)
        )
    if rng.random() < CUT_OFF:  # the saved page stops mid-way
        text = text[: max(len(text) // 2, text.find(trial.registry_id) + 20)]
    return fmt, text


def write_corpus(out: Path, count: int, seed: int = 1, first: int = 0) -> list[Path]:
    """`count` pages for registry ids NCT8{first} onwards (another `first` gives other trials)."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(first, first + count):
        fmt, text = page(rng, n)
        path = out / f"NCT8{n:07d}_{fmt}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--first", type=int, default=0, help="number of the first registry id")
    parser.add_argument("--out", type=Path, default=Path("bench/out/corpus"))
    args = parser.parse_args()
    paths = write_corpus(args.out, args.count, args.seed, args.first)
    print(f"wrote {len(paths)} synthetic pages to {args.out}")


if __name__ == "__main__":
    main()
