"""Synthetic trials as COPY lines: the values and words of the real catalogue, in its proportions.

No database here: `Trials.add()` turns a number into the text-format COPY lines of a
trial and all its rows, with ids counted on from the tables' current ones; bench.seed
writes them. Proportions follow the catalogue (umbilical cord and bone marrow first,
China first, phase 1/2 mostly) so facets, filters and searches hit realistic shares.

The vocabulary holds no tab, newline or backslash, so child rows need no COPY escaping.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Iterable
from datetime import date, timedelta
from itertools import accumulate, pairwise

from catalogue.search import ABBREVIATIONS, expand_document

REGISTRY_PREFIX = "NCT9"
MARKER = "SYNTHETIC"
WEIGHTS = "ABCD"

# The tables written, parents first, each with its COPY columns. Tables whose first
# column is "id" get explicit ids (other rows point at them); the rest take the sequence's.
TABLES = {
    "catalogue_sponsor": ("id", "name", "agency_class"),
    "catalogue_trial": (
        "id registry_id secondary_ids brief_title official_title acronym overall_status phases "
        "study_type enrollment enrollment_type start_date start_date_precision "
        "primary_completion_date primary_completion_date_precision completion_date "
        "completion_date_precision last_update last_update_precision status_verified_date "
        "status_verified_date_precision results_posted mesh_terms intervention_mesh_terms "
        "brief_summary detailed_description conditions keywords allocation intervention_model "
        "primary_purpose masking responsible_party sex minimum_age maximum_age minimum_age_years "
        "maximum_age_years healthy_volunteers eligibility_text countries lead_sponsor_class "
        "in_scope scope_reason cell_sources donor routes diabetes_types recent_onset comparators "
        "co_interventions dose_per_kg_min dose_per_kg_max classification needs_review "
        "review_reasons search_text review_cleared field_sources record_hash first_ingested"
    ).split(),
    "catalogue_trialsponsor": "trial_id sponsor_id role position curated source_key".split(),
    "catalogue_intervention": "id trial_id position name intervention_type description curated source_key".split(),
    "catalogue_arm": "id trial_id position label arm_type description curated source_key".split(),
    "catalogue_arm_interventions": ("arm_id", "intervention_id"),
    "catalogue_eligibilitycriterion": "id trial_id position kind text parent_id depth curated source_key".split(),
    "catalogue_outcome": "trial_id position kind measure time_frame description curated source_key".split(),
    "catalogue_location": "trial_id position facility city state country status latitude longitude curated source_key".split(),
    "catalogue_reference": "trial_id position citation pmid reference_type curated source_key".split(),
    "catalogue_investigator": "trial_id position name role affiliation curated source_key".split(),
    "catalogue_relatedtrial": "trial_id position registry_id title status phases curated source_key".split(),
    "catalogue_sourcedocument": "trial_id path filename source_format sha256 raw_text parsed parser_version warnings ingested_at".split(),
}
WITH_IDS = [table for table, columns in TABLES.items() if columns[0] == "id"]


class Weighted:
    """A value drawn in the given proportions."""

    def __init__(self, weights: dict):
        self.values = list(weights)
        self.cum = list(accumulate(weights.values()))

    def __call__(self, rng: random.Random):
        return rng.choices(self.values, cum_weights=self.cum)[0]


# fmt: off
STATUS = Weighted({
    "COMPLETED": 28, "UNKNOWN": 22, "RECRUITING": 18, "NOT_YET_RECRUITING": 8, "ACTIVE_NOT_RECRUITING": 8,
    "TERMINATED": 5, "WITHDRAWN": 4, "ENROLLING_BY_INVITATION": 4, "SUSPENDED": 1, "AVAILABLE": 1,
    "NO_LONGER_AVAILABLE": 1,
})
PHASES = Weighted({
    ("PHASE1",): 20, ("PHASE1", "PHASE2"): 22, ("PHASE2",): 25, ("PHASE2", "PHASE3"): 6, ("PHASE3",): 7,
    ("PHASE4",): 2, ("EARLY_PHASE1",): 5, ("NA",): 8, (): 5,
})
STUDY_TYPE = Weighted({"INTERVENTIONAL": 90, "OBSERVATIONAL": 8, "EXPANDED_ACCESS": 2})
SPONSOR_CLASS = Weighted({
    "OTHER": 68, "INDUSTRY": 22, "OTHER_GOV": 4, "NIH": 2, "FED": 1, "NETWORK": 1, "INDIV": 1, "UNKNOWN": 1,
})
# slug: (share, donor proportions, how texts name the cells)
CELL_SOURCES = {
    "umbilical_cord": (34, {"allogeneic": 95, "unknown": 5}, [
        "umbilical cord mesenchymal stem cells", "UC-MSCs",
        "human umbilical cord-derived mesenchymal stromal cells", "Wharton's jelly mesenchymal stem cells"]),
    "bone_marrow": (24, {"autologous": 60, "allogeneic": 35, "unknown": 5}, [
        "bone marrow mesenchymal stem cells", "BM-MSCs", "bone marrow-derived mesenchymal stromal cells"]),
    "adipose": (14, {"autologous": 65, "allogeneic": 30, "unknown": 5}, [
        "adipose-derived mesenchymal stem cells", "ADSCs", "adipose tissue-derived stromal vascular fraction cells"]),
    "placenta": (4, {"allogeneic": 100}, ["placenta-derived mesenchymal stem cells"]),
    "cord_blood": (3, {"allogeneic": 80, "autologous": 20}, [
        "umbilical cord blood mesenchymal stem cells", "UCB-MSCs"]),
    "menstrual_blood": (1, {"allogeneic": 100}, ["menstrual blood-derived stem cells", "MenSCs"]),
    "dental_pulp": (1, {"allogeneic": 100}, ["dental pulp stem cells", "DPSCs"]),
    "other": (4, {"allogeneic": 70, "unknown": 30}, [
        "amniotic membrane mesenchymal stem cells", "iPSC-derived mesenchymal stromal cells"]),
    "unspecified": (15, {"unknown": 100}, ["mesenchymal stem cells", "MSCs"]),
}
# slug: (share, condition names as registries list them, how texts name it, route proportions)
DIABETES = {
    "t1d": (34, ["Type 1 Diabetes", "Diabetes Mellitus, Type 1", "Type 1 Diabetes Mellitus"],
            ["type 1 diabetes", "T1DM", "newly diagnosed type 1 diabetes mellitus"],
            {"intravenous": 80, "intra_arterial": 12, "intraportal": 5, "subcutaneous": 3}),
    "t2d": (30, ["Type 2 Diabetes", "Diabetes Mellitus, Type 2", "Insulin-Requiring Type 2 Diabetes"],
            ["type 2 diabetes", "T2DM", "insulin-dependent type 2 diabetes mellitus"],
            {"intravenous": 70, "intra_arterial": 25, "subcutaneous": 5}),
    "diabetic_foot": (12, ["Diabetic Foot Ulcer", "Diabetic Foot"],
                      ["diabetic foot ulcer", "DFU", "chronic diabetic foot wounds"],
                      {"local": 70, "intramuscular": 20, "subcutaneous": 10}),
    "limb_ischemia": (8, ["Critical Limb Ischemia", "Peripheral Arterial Disease"],
                      ["critical limb ischemia", "peripheral arterial disease in diabetic patients"],
                      {"intramuscular": 75, "intra_arterial": 25}),
    "nephropathy": (6, ["Diabetic Nephropathy", "Diabetic Kidney Disease"],
                    ["diabetic nephropathy", "diabetic kidney disease"], {"intravenous": 70, "intrarenal": 30}),
    "neuropathy": (4, ["Diabetic Neuropathy"], ["diabetic peripheral neuropathy"],
                   {"intramuscular": 60, "intravenous": 40}),
    "retinopathy": (2, ["Diabetic Retinopathy"], ["diabetic retinopathy"], {"other": 100}),
    "other": (4, ["Latent Autoimmune Diabetes in Adults", "Diabetes Mellitus"],
              ["latent autoimmune diabetes in adults", "diabetes mellitus"], {"intravenous": 100}),
}
ROUTE_TEXT = {
    "intravenous": "intravenous infusion", "intra_arterial": "infusion into the pancreatic artery",
    "intraportal": "intraportal infusion", "intramuscular": "intramuscular injection into the affected limb",
    "local": "local injection around the wound", "subcutaneous": "subcutaneous injection",
    "intrarenal": "injection into the renal artery", "other": "intravitreal injection",
}
# country: (share, sites as (city, state, latitude, longitude))
COUNTRIES = {
    "China": (34, [("Beijing", "", 39.9, 116.4), ("Qingdao", "Shandong", 36.1, 120.4)]),
    "United States": (12, [("Charleston", "South Carolina", 32.8, -79.9), ("Miami", "Florida", 25.8, -80.2)]),
    "Iran": (6, [("Tehran", "", 35.7, 51.4)]),
    "India": (5, [("Mumbai", "Maharashtra", 19.1, 72.9), ("Chennai", "Tamil Nadu", 13.1, 80.3)]),
    "Spain": (4, [("Madrid", "", 40.4, -3.7)]), "Vietnam": (3, [("Hanoi", "", 21.0, 105.8)]),
    "Brazil": (3, [("Sao Paulo", "SP", -23.5, -46.6)]), "Egypt": (3, [("Cairo", "", 30.0, 31.2)]),
    "Pakistan": (3, [("Lahore", "", 31.5, 74.3)]), "Indonesia": (3, [("Jakarta", "", -6.2, 106.8)]),
    "Malaysia": (2, [("Kuala Lumpur", "", 3.1, 101.7)]), "Jordan": (2, [("Amman", "", 31.9, 35.9)]),
    "Sweden": (2, [("Stockholm", "", 59.3, 18.1)]), "Chile": (2, [("Santiago", "", -33.4, -70.7)]),
    "Korea, Republic of": (2, [("Seoul", "", 37.6, 127.0)]), "Germany": (2, [("Berlin", "", 52.5, 13.4)]),
    "Italy": (2, [("Milan", "", 45.5, 9.2)]), "Turkey": (2, [("Ankara", "", 39.9, 32.9)]),
    "Russian Federation": (1, [("Moscow", "", 55.8, 37.6)]), "Japan": (1, [("Osaka", "", 34.7, 135.5)]),
    "Poland": (1, [("Gdansk", "", 54.4, 18.6)]), "Mexico": (1, [("Monterrey", "Nuevo Leon", 25.7, -100.3)]),
    "Argentina": (1, [("Buenos Aires", "", -34.6, -58.4)]), "Belarus": (1, [("Minsk", "", 53.9, 27.6)]),
    "Ukraine": (1, [("Kyiv", "", 50.5, 30.5)]), "Saudi Arabia": (1, [("Riyadh", "", 24.7, 46.7)]),
    "Canada": (1, [("Toronto", "Ontario", 43.7, -79.4)]), "Australia": (0.5, [("Sydney", "NSW", -33.9, 151.2)]),
    "Thailand": (0.5, [("Bangkok", "", 13.8, 100.5)]), "Kazakhstan": (0.3, [("Astana", "", 51.2, 71.4)]),
    "Nigeria": (0.2, [("Lagos", "", 6.5, 3.4)]),
}
OUT_OF_SCOPE = [  # (reason, what the trial gives instead)
    ("Islet transplantation without mesenchymal cells.", "islet transplantation"),
    ("Hematopoietic stem cells, not mesenchymal.", "autologous hematopoietic stem cell transplantation"),
    ("Mesenchymal cells for a condition other than diabetes.", "knee osteoarthritis cell therapy"),
    ("Observational registry without a cell product.", "a glucose monitoring registry"),
]
INSTITUTIONS = {
    "OTHER": ["University Hospital", "Medical University", "Stem Cell Research Center", "General Hospital"],
    "INDUSTRY": ["Biotech Co., Ltd.", "Cell Therapeutics Inc.", "Regenerative Medicine Ltd."],
    "OTHER_GOV": ["National Diabetes Institute", "Ministry of Health Research Unit"],
    "NIH": ["Diabetes Research Branch"], "FED": ["Veterans Affairs Medical Center"],
    "NETWORK": ["Diabetes Cell Therapy Network"], "INDIV": ["Principal Investigator"], "UNKNOWN": ["Foundation"],
}
SURNAMES = "Zhang Wang Li Nguyen Carlsson Garcia Rossi Ahmadi Patel Kim Silva Haller Novak Tan".split()
# Eligibility criteria and outcomes: those of any trial, and those of its condition.
INCLUSION = [
    "Age between {age_min} and {age_max} years", "Diagnosis of {condition} according to current guidelines",
    "Able to understand and sign the informed consent form", "Willing to attend every study visit for {months} months",
]
EXCLUSION = [
    "Pregnancy, lactation or unwillingness to use contraception",
    "Active infection including hepatitis B, hepatitis C or HIV", "History of malignancy within the last 5 years",
    "ALT or AST above {digit} times the upper limit of normal",
    "Participation in another clinical trial within 3 months",
    "Known allergy to dimethyl sulfoxide or bovine products", "Uncontrolled hypertension above 160/100 mmHg",
    "Use of systemic corticosteroids or immunosuppressants",
    "Myocardial infarction or stroke within the last 6 months",
    "Any condition that in the investigator's opinion makes participation unsafe",
]
CONDITION_CRITERIA = {  # condition: (inclusion, exclusion)
    "t1d": (["Diagnosis within the last {months} months", "Fasting C-peptide above 0.{digit} nmol/L",
             "Positive for at least one islet autoantibody (GAD, IA-2 or ZnT8)",
             "HbA1c between {hba1c}% and {hba1c_max}% at screening", "Insulin requirement below {insulin} IU/kg/day"],
            ["Diabetic ketoacidosis within the last {months} months", "Type 2 diabetes or monogenic diabetes",
             "Proliferative diabetic retinopathy"]),
    "t2d": (["HbA1c between {hba1c}% and {hba1c_max}% at screening", "Body mass index between 18 and {bmi} kg/m2",
             "Stable antidiabetic treatment for at least 3 months", "Diabetes for more than {digit} years"],
            ["Type 1 diabetes or latent autoimmune diabetes", "eGFR below {egfr} mL/min/1.73m2",
             "Proliferative diabetic retinopathy"]),
    "diabetic_foot": (["Ulcer area between 1 and {digit} cm2 persisting for at least 4 weeks",
                       "Wagner grade 1 or 2 ulcer below the ankle", "Ankle-brachial index above 0.{digit}"],
                      ["Osteomyelitis or gangrene of the affected foot", "Ulcer infection needing antibiotics"]),
    "limb_ischemia": (["Ankle-brachial index below 0.{digit}", "Rest pain or a non-healing ischemic wound",
                       "Not a candidate for surgical or endovascular revascularization"],
                      ["Gangrene above the ankle", "Life expectancy below one year"]),
    "nephropathy": (["eGFR between {egfr} and 90 mL/min/1.73m2", "Urinary albumin-to-creatinine ratio above 30 mg/g"],
                    ["Kidney transplant or dialysis", "Renal artery stenosis"]),
    "neuropathy": (["Reduced nerve conduction velocity in the lower limbs", "Neuropathy symptom score of 3 or more"],
                   ["Neuropathy from another cause such as alcohol or vitamin B12 deficiency"]),
    "retinopathy": (["Non-proliferative retinopathy in the study eye", "Best corrected visual acuity of 20/400 or better"],
                    ["Glaucoma or previous vitreoretinal surgery"]),
    "other": (["Positive GAD antibodies", "HbA1c between {hba1c}% and {hba1c_max}% at screening"],
              ["Insulin treatment from diagnosis"]),
}
NESTED = ["Fasting glucose of 7 mmol/L or more", "HbA1c of 6.5% or more", "Random glucose of 11.1 mmol/L or more"]
# The numbers criteria templates ask for, drawn only when a template uses them.
DRAWS = {
    "months": lambda rng: rng.randint(2, 24), "hba1c": lambda rng: rng.choice((6.5, 7, 7.5)),
    "hba1c_max": lambda rng: rng.choice((9, 10, 12)), "digit": lambda rng: rng.randint(2, 9),
    "bmi": lambda rng: rng.choice((30, 35, 40)), "insulin": lambda rng: rng.choice((0.5, 1, 1.5)),
    "egfr": lambda rng: rng.choice((30, 45, 60)),
}
SECONDARY = [
    "Incidence of adverse events", "Change in fasting blood glucose", "Change in regulatory T cell count",
    "Quality of life (SF-36)", "Change in inflammatory cytokines",
]
CONDITION_OUTCOMES = {  # condition: (primary, secondary)
    "t1d": (["Change in stimulated C-peptide area under the curve", "Change in daily insulin dose"],
            ["Proportion of participants with HbA1c below 7%", "Time in range on continuous glucose monitoring",
             "Frequency of severe hypoglycaemia", "Change in GAD antibody titre"]),
    "t2d": (["Change in HbA1c", "Change in daily insulin dose"],
            ["Proportion of participants with HbA1c below 7%", "Change in HOMA-IR", "Change in body weight"]),
    "diabetic_foot": (["Complete wound closure", "Time to wound healing"], ["Change in ulcer area", "Amputation"]),
    "limb_ischemia": (["Amputation-free survival", "Change in ankle-brachial index"],
                      ["Transcutaneous oxygen pressure", "Pain-free walking distance"]),
    "nephropathy": (["Change in urinary albumin-to-creatinine ratio"], ["Change in eGFR", "Change in serum creatinine"]),
    "neuropathy": (["Change in nerve conduction velocity"], ["Change in neuropathic pain score"]),
    "retinopathy": (["Change in best corrected visual acuity"], ["Change in central retinal thickness"]),
    "other": (["Change in HbA1c"], ["Change in fasting C-peptide"]),
}
AIMS = {
    "t1d": "The primary aim is to preserve residual beta-cell function measured by C-peptide.",
    "t2d": "Glycaemic control is followed with HbA1c and continuous glucose monitoring.",
    "diabetic_foot": "Wound healing is assessed every four weeks.",
    "limb_ischemia": "Limb perfusion and amputations are assessed every three months.",
    "nephropathy": "Kidney function is followed with eGFR and albuminuria.",
    "neuropathy": "Nerve conduction is measured at baseline and after six months.",
    "retinopathy": "Visual acuity and retinal thickness are measured every three months.",
    "other": "Safety and glycaemic control are followed for twelve months.",
}
TITLES = [
    "{marker}: {Cells} for {Condition}", "{marker} Safety and Efficacy of {Cells} in {Condition}",
    "{Cells} Transplantation in Patients With {Condition} ({marker})", "{marker} Trial of {Cells} Therapy for {Condition}",
]
JOURNALS = ["Stem Cell Res Ther", "Diabetes Care", "Cell Transplant", "J Diabetes Res", "Front Endocrinol"]
# fmt: on

CELL_SOURCE = Weighted({slug: spec[0] for slug, spec in CELL_SOURCES.items()})
DONORS = {slug: Weighted(spec[1]) for slug, spec in CELL_SOURCES.items()}
DIABETES_TYPE = Weighted({slug: spec[0] for slug, spec in DIABETES.items()})
ROUTES = {slug: Weighted(spec[3]) for slug, spec in DIABETES.items()}
COUNTRY = Weighted({country: spec[0] for country, spec in COUNTRIES.items()})


class Trials:
    """Makes each table's COPY lines, trial by trial; ids follow on from `next_ids`."""

    def __init__(self, rng: random.Random, next_ids: dict[str, int], sponsors: list, now: str):
        self.rng = rng
        self.ids = next_ids
        self.sponsors = sponsors  # (id, name, agency_class), the busiest first
        self.now = now
        self.lines: dict[str, list[str]] = {table: [] for table in TABLES}

    def take(self) -> dict[str, list[str]]:
        """The lines made since the last call."""
        lines, self.lines = self.lines, {table: [] for table in TABLES}
        return lines

    def _next(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table] - 1

    def add(self, number: int) -> None:
        rng = self.rng
        t = _Trial(rng, number, self._next("catalogue_trial"))
        t.lead = self._sponsor()
        texts = self._children(t)
        self._trial_row(t, *texts)

    def _sponsor(self) -> int:
        # A few sponsors run many trials: an index skewed towards the start of the list.
        return min(int(len(self.sponsors) * self.rng.random() ** 3), len(self.sponsors) - 1)

    def _trial_row(self, t: _Trial, criteria, interventions, arms, measures) -> None:
        rng = self.rng
        eligibility = "Inclusion Criteria: " + " ".join(criteria)
        keywords = [k for k in ("stem cell therapy", "MSC", "cell therapy") if rng.random() < 0.3]
        parts = {  # in the order search.documents() reads them
            "A": [t.registry_id, t.title, t.official_title, t.acronym],
            "B": [*t.conditions, *keywords, *(i[0] for i in interventions), *(a[0] for a in arms)],
            "C": [t.summary, t.description, *(i[2] for i in interventions), *(a[2] for a in arms)],
            "D": [eligibility, *criteria, *measures],
        }
        documents = {w: " ".join(p for p in texts if p) for w, texts in parts.items()}
        # For the expansion, finer pieces; the registry id (NCT9 and digits) is no abbreviation.
        pieces = {
            **parts,
            "A": parts["A"][1:],
            "C": [*t.summary_sentences, *t.paragraphs, *parts["C"][2:]],
            "D": ["Inclusion Criteria:", *criteria, *parts["D"][1:]],
        }
        randomized = len(arms) > 1
        row = {
            **t.fields(),
            "secondary_ids": _Json([{"identifier": f"SYN-{t.number}", "id_type": "Other"}]),
            "keywords": keywords,
            "allocation": "RANDOMIZED" if randomized else "NA",
            "intervention_model": "PARALLEL" if randomized else "SINGLE_GROUP",
            "masking": rng.choice(("NONE", "DOUBLE", "QUADRUPLE")) if randomized else "NONE",
            "comparators": ["placebo"] if randomized else ["none"],
            "eligibility_text": eligibility,
            "lead_sponsor_class": self.sponsors[t.lead][2],
            "search_text": " ".join(documents.values())[:200_000],
            "first_ingested": self.now,
        }
        # Each weight's text expanded as search.refresh() does; Postgres makes the vector.
        expanded = [_expanded(documents[w], [p for p in pieces[w] if p]) for w in WEIGHTS]
        self.lines["catalogue_trial"].append(
            _line([*(row[c] for c in TABLES["catalogue_trial"]), *expanded])
        )
        raw = f"{t.title}\n\n{t.summary}\n\n{t.description}\n\n{eligibility}"
        parsed = {"registry_id": t.registry_id, "brief_title": t.title, "phases": t.phases}
        digest = hashlib.sha256(raw.encode()).hexdigest()
        path = f"synthetic/{t.registry_id}.txt"
        self.lines["catalogue_sourcedocument"].append(
            _line(
                (
                    t.id,
                    path,
                    path[10:],
                    "ctgov_labeled",
                    digest,
                    raw,
                    parsed,
                    "1",
                    _Json(),
                    self.now,
                )
            )
        )

    def _children(self, t: _Trial):
        out, rng, trial_id = self.lines, self.rng, t.id
        links = {(t.lead, "lead")} | {
            (self._sponsor(), "collaborator") for _ in range(rng.choice((0, 0, 1, 2)))
        }
        for position, (index, role) in enumerate(sorted(links, key=lambda link: link[1] != "lead")):
            out["catalogue_trialsponsor"].append(
                f"{trial_id}\t{self.sponsors[index][0]}\t{role}\t{position}\tf\t\n"
            )

        interventions = [
            (_capital(t.cells), "BIOLOGICAL", f"{_capital(t.cells)} given by {t.route_text}.")
        ]
        if t.randomized:
            interventions.append(
                ("Placebo", "OTHER", "Saline with 5% human albumin, identical in appearance.")
            )
        if rng.random() < 0.15:
            interventions.append(
                ("Standard insulin therapy", "DRUG", "Usual insulin regimen continued.")
            )
        intervention_ids = [self._next("catalogue_intervention") for _ in interventions]
        for position, (name, kind, text) in enumerate(interventions):
            out["catalogue_intervention"].append(
                f"{intervention_ids[position]}\t{trial_id}\t{position}\t{name}\t{kind}\t{text}\tf\t\n"
            )
        arms = [
            (f"{_capital(t.cells)} group", "EXPERIMENTAL", f"Participants receive {t.cells}.", 0)
        ]
        if t.randomized:
            arms.append(("Placebo group", "PLACEBO_COMPARATOR", "Participants receive placebo.", 1))
        for position, (label, kind, text, uses) in enumerate(arms):
            arm_id = self._next("catalogue_arm")
            out["catalogue_arm"].append(
                f"{arm_id}\t{trial_id}\t{position}\t{label}\t{kind}\t{text}\tf\t\n"
            )
            for i in {uses, len(interventions) - 1} if len(interventions) > 2 else {uses}:
                out["catalogue_arm_interventions"].append(f"{arm_id}\t{intervention_ids[i]}\n")

        criteria = self._criteria(t)
        primary, secondary = CONDITION_OUTCOMES[t.first]
        primary = rng.sample(primary, rng.randint(1, len(primary)))
        secondary = SECONDARY + secondary
        measures = primary + rng.sample(secondary, rng.randint(2, min(7, len(secondary))))
        for position, measure in enumerate(measures):
            kind = "primary" if position < len(primary) else "secondary"
            months = rng.choice((3, 6, 12, 24))
            out["catalogue_outcome"].append(
                f"{trial_id}\t{position}\t{kind}\t{measure}\t{months} months\t\tf\t\n"
            )
        self._sites(t)
        for position in range(rng.choice((0, 0, 1, 2, 3))):
            citation = (
                f"{rng.choice(SURNAMES)} X, {rng.choice(SURNAMES)} Y. Synthetic report on {t.cells} in "
                f"{t.condition}. {rng.choice(JOURNALS)}. {rng.randint(2008, 2025)};{rng.randint(1, 30)}:{rng.randint(1, 900)}."
            )
            pmid = f"9{rng.randint(0, 9_999_999):07d}"  # no real PubMed id starts with 9 yet
            out["catalogue_reference"].append(
                f"{trial_id}\t{position}\t{citation}\t{pmid}\tBACKGROUND\tf\t\n"
            )
        for position in range(rng.choice((0, 1, 1, 2))):
            name = f"Synthetic {rng.choice(SURNAMES)}, MD"
            affiliation = self.sponsors[t.lead][1]
            out["catalogue_investigator"].append(
                f"{trial_id}\t{position}\t{name}\tPRINCIPAL_INVESTIGATOR\t{affiliation}\tf\t\n"
            )
        if rng.random() < 0.1:
            other = f"{REGISTRY_PREFIX}{rng.randint(0, 9_999_999):07d}"
            out["catalogue_relatedtrial"].append(f"{trial_id}\t0\t{other}\t\t\t{{}}\tf\t\n")
        return criteria, interventions, arms, measures

    def _criteria(self, t: _Trial) -> list[str]:
        """10 to 40 rows, two in five inclusions, now and then one nested under the row before."""
        rng, lines = self.rng, self.lines["catalogue_eligibilitycriterion"]
        fill = _Fill(rng, age_min=t.age_min, age_max=t.age_max, condition=t.condition)
        inclusion, exclusion = CONDITION_CRITERIA[t.first]
        inclusion, exclusion = INCLUSION + inclusion, EXCLUSION + exclusion
        count = rng.randint(10, 40)
        included = count * 2 // 5
        texts, parent = [], None
        for position in range(count):
            kind = "inclusion" if position < included else "exclusion"
            row_id = self._next("catalogue_eligibilitycriterion")
            if parent is not None and rng.random() < 0.08:
                text = rng.choice(NESTED)
                lines.append(f"{row_id}\t{t.id}\t{position}\t{kind}\t{text}\t{parent}\t1\tf\t\n")
            else:
                text = rng.choice(inclusion if kind == "inclusion" else exclusion).format_map(fill)
                lines.append(f"{row_id}\t{t.id}\t{position}\t{kind}\t{text}\t\\N\t0\tf\t\n")
                parent = row_id
            texts.append(text)
        return texts

    def _sites(self, t: _Trial) -> None:
        rng = self.rng
        if not t.countries:
            return
        sites = rng.choice((1, 1, 1, 2, 3)) if rng.random() < 0.97 else rng.randint(10, 40)
        for position in range(sites):
            country = t.countries[position % len(t.countries)]
            city, state, latitude, longitude = rng.choice(COUNTRIES[country][1])
            facility = f"Synthetic {city} {rng.choice(INSTITUTIONS['OTHER'])} {position + 1}"
            status = rng.choice(("", "RECRUITING", "COMPLETED"))
            self.lines["catalogue_location"].append(
                f"{t.id}\t{position}\t{facility}\t{city}\t{state}\t{country}\t{status}\t{latitude}\t{longitude}\tf\t\n"
            )


class _Trial:
    """The trial's own values, drawn together so they agree (a cord-blood trial is allogeneic ...)."""

    def __init__(self, rng: random.Random, number: int, trial_id: int):
        self.rng, self.number, self.id = rng, number, trial_id
        self.registry_id = f"{REGISTRY_PREFIX}{number:07d}"
        self.in_scope = rng.random() < 0.86
        types = [DIABETES_TYPE(rng)] + ([DIABETES_TYPE(rng)] if rng.random() < 0.08 else [])
        self.diabetes_types = list(dict.fromkeys(types))
        self.first = first = self.diabetes_types[0]
        self.randomized = rng.random() < 0.4
        source = CELL_SOURCE(rng)
        self.cell_sources = list(
            dict.fromkeys([source] + ([CELL_SOURCE(rng)] if rng.random() < 0.1 else []))
        )
        self.source_tissue = source.replace("_", " ")
        self.donor = DONORS[source](rng)
        self.routes = list(
            dict.fromkeys([ROUTES[first](rng)] + (["intravenous"] if rng.random() < 0.07 else []))
        )
        self.cells = rng.choice(CELL_SOURCES[source][2])
        self.condition = rng.choice(DIABETES[first][2])
        self.conditions = [rng.choice(DIABETES[d][1]) for d in self.diabetes_types]
        self.scope_reason = f"Mesenchymal stem/stromal cells for {DIABETES[first][2][0]}."
        if not self.in_scope:
            self.scope_reason, self.cells = rng.choice(OUT_OF_SCOPE)
            self.cell_sources, self.donor, self.routes, self.diabetes_types = [], "unknown", [], []
        self.route_text = ROUTE_TEXT[self.routes[0]] if self.routes else "infusion"
        self.phases = list(PHASES(rng))
        self.status = STATUS(rng)
        young = first == "t1d"
        self.age_min = rng.choice((6, 12, 18) if young else (18, 30, 40))
        self.age_max = rng.choice((35, 40, 45) if young else (65, 70, 75))
        self.recent_onset = young and rng.random() < 0.5
        self.dose = rng.choice((0.5, 1.0, 1.5, 2.0, 3.0))
        self.countries = self._countries()
        self.title = rng.choice(TITLES).format(
            marker=MARKER, Cells=_capital(self.cells), Condition=_capital(self.condition)
        )
        phase = "/".join(p.replace("PHASE", "") for p in self.phases) or "Unstated"
        randomized = "Randomized " if self.randomized else ""
        self.official_title = f"A {randomized}Phase {phase} Study of {self.cells} in Patients With {self.condition} ({MARKER})"
        self.acronym = f"SYN-{number % 1000:03d}" if rng.random() < 0.2 else ""
        # Kept as sentences and paragraphs too: the search expansion works piece by piece.
        self.summary_sentences = self._summary()
        self.summary = " ".join(self.summary_sentences)
        self.paragraphs = self._description(first)
        self.description = "\n\n".join(self.paragraphs)

    def _countries(self) -> list[str]:
        roll = self.rng.random()
        count = 0 if roll < 0.05 else 1 if roll < 0.85 else 2 if roll < 0.95 else 4
        return list(dict.fromkeys(COUNTRY(self.rng) for _ in range(count)))

    def _summary(self) -> list[str]:
        rng = self.rng
        twice = ", twice, three months apart" if rng.random() < 0.3 else ""
        sentences = [
            f"This {MARKER} study evaluates the safety and efficacy of {self.cells} given by "
            f"{self.route_text} to patients with {self.condition}.",
            f"Participants receive {self.dose} × 10^6 cells/kg body weight{twice}.",
            AIMS[self.first],
        ]
        if self.randomized:
            sentences.append("The study compares the cell product with placebo over twelve months.")
        if self.first == "t1d" and rng.random() < 0.5:
            sentences.append(
                f"Mesenchymal stromal cells modulate autoimmunity and may protect islets in {self.condition}."
            )
        return sentences

    def _description(self, first: str) -> list[str]:
        rng = self.rng
        excluded = {"t1d": "type 2 diabetes", "t2d": "type 1 diabetes"}.get(
            first, "active infection"
        )
        paragraphs = [
            f"Background: {_capital(self.condition)} remains a major cause of morbidity. {_capital(self.cells)} "
            "have immunomodulatory and regenerative properties shown in preclinical models.",
            f"Methods: cells are isolated from {self.source_tissue} tissue, expanded under GMP conditions, "
            "and released after sterility, endotoxin and karyotype testing.",
            rng.choice(
                (
                    "Participants are followed for 12 months with visits at weeks 2, 4, 12, 24 and 52.",
                    "An independent data safety monitoring board reviews adverse events after every five participants.",
                    f"Patients with {excluded} are not eligible.",
                )
            ),
        ]
        if rng.random() < 0.4:
            paragraphs.append(
                "Immunological markers, including regulatory T cells and cytokines, are measured at each visit."
            )
        return paragraphs

    def fields(self) -> dict:
        """The trial row's columns that need nothing from its child rows."""
        rng = self.rng
        start, precision = self._date(rng.triangular(2005, 2027, 2022))
        finish = start and start + timedelta(days=rng.randint(300, 2500))
        updated = start and min(start + timedelta(days=rng.randint(30, 2800)), date(2026, 6, 30))
        enrollment = (
            None
            if rng.random() < 0.04
            else min(2000, max(1, int(rng.lognormvariate(math.log(30), 0.9))))
        )
        done = self.status in ("COMPLETED", "TERMINATED")
        dose = self.dose * 1e6
        return {
            "id": self.id, "registry_id": self.registry_id, "brief_title": self.title,
            "official_title": self.official_title, "acronym": self.acronym, "overall_status": self.status,
            "phases": self.phases, "study_type": STUDY_TYPE(rng), "enrollment": enrollment,
            "enrollment_type": "" if enrollment is None else "ACTUAL" if done else "ESTIMATED",
            "start_date": start, "start_date_precision": precision,
            "primary_completion_date": finish, "primary_completion_date_precision": precision,
            "completion_date": finish, "completion_date_precision": precision,
            "last_update": updated, "last_update_precision": "day" if updated else "",
            "status_verified_date": updated, "status_verified_date_precision": "month" if updated else "",
            "results_posted": done and rng.random() < 0.15, "mesh_terms": self.conditions,
            "intervention_mesh_terms": [], "brief_summary": self.summary,
            "detailed_description": self.description, "conditions": self.conditions,
            "primary_purpose": "TREATMENT", "responsible_party": "SPONSOR", "sex": "ALL",
            "minimum_age": f"{self.age_min} Years", "maximum_age": f"{self.age_max} Years",
            "minimum_age_years": float(self.age_min), "maximum_age_years": float(self.age_max),
            "healthy_volunteers": False, "countries": self.countries, "in_scope": self.in_scope,
            "scope_reason": self.scope_reason, "cell_sources": self.cell_sources, "donor": self.donor,
            "routes": self.routes, "diabetes_types": self.diabetes_types, "recent_onset": self.recent_onset,
            "co_interventions": [], "dose_per_kg_min": dose, "dose_per_kg_max": dose,
            "classification": self._classification(), "needs_review": False, "review_reasons": _Json(),
            "review_cleared": _Json(), "field_sources": {}, "record_hash": "",
        }  # fmt: skip

    def _date(self, year: float) -> tuple[date | None, str]:
        if self.rng.random() < 0.03:
            return None, ""
        day = date(2005, 1, 1) + timedelta(days=int((min(year, 2026.9) - 2005) * 365))
        return (day.replace(day=1), "month") if self.rng.random() < 0.7 else (day, "day")

    def _classification(self) -> dict:
        """The classifier's record, as the detail page reads it: derived values and their evidence."""

        def evidence(value, phrase, where="title", section="title"):
            return {"value": value, "where": where, "phrase": phrase, "section": section}

        return {
            "version": 1,
            "product": "cells",
            "derived": {
                "in_scope": self.in_scope,
                "scope_reason": self.scope_reason,
                "cell_sources": self.cell_sources,
                "donor": self.donor,
                "routes": self.routes,
                "diabetes_types": self.diabetes_types,
                "recent_onset": self.recent_onset,
                "comparators": [],
                "co_interventions": [],
            },
            "evidence": {
                "cell_sources": [evidence(s, self.cells) for s in self.cell_sources],
                "diabetes_types": [evidence(d, self.title) for d in self.diabetes_types],
                "donor": [evidence(self.donor, self.cells, "intervention", "intervention")],
                "routes": [evidence(r, ROUTE_TEXT[r], "arm", "arm") for r in self.routes],
                "in_scope": [evidence("diabetes", self.condition, "conditions", "condition")],
            },
            "dose": None,
            "eligibility": [],
            "conflicts": {},
            "disagreements": [],
            "review_reasons": [],
            "comparators": [],
            "co_interventions": [],
        }


class _Fill(dict):
    """Template values; a number is drawn only when the template asks for it."""

    def __init__(self, rng: random.Random, **fixed):
        super().__init__(fixed)
        self.rng = rng

    def __missing__(self, key: str):
        return DRAWS[key](self.rng)


class _Json(list):
    """A JSON list in a COPY row (a plain list is a Postgres array)."""


def _cell(value) -> str:
    kind = type(value)
    if kind is str:
        return _escape(value)
    if value is None:
        return "\\N"
    if kind is bool:
        return "t" if value else "f"
    if kind is list or kind is tuple:  # a Postgres array; the values hold no quotes
        return "{" + ",".join(f'"{v}"' for v in value) + "}"
    if kind is _Json or kind is dict:
        return _escape(json.dumps(value, ensure_ascii=False))
    return str(value)


def _escape(text: str) -> str:
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def _line(values: Iterable) -> str:
    return "\t".join(map(_cell, values)) + "\n"


def sponsor_lines(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """(name, agency class) of `count` synthetic sponsors."""
    cities = [sites[0][0] for _, sites in COUNTRIES.values()]
    named = []
    for n in range(count):
        agency = SPONSOR_CLASS(rng)
        named.append(
            (f"Synthetic {rng.choice(cities)} {rng.choice(INSTITUTIONS[agency])} {n}", agency)
        )
    return named


def sponsor_line(sponsor_id: int, name: str, agency: str) -> str:
    return _line((sponsor_id, name, agency))


_PHRASES = [phrase for _, phrase in ABBREVIATIONS]
_found: dict[str, frozenset[int]] = {}


def _expanded(text: str, fragments: list[str]) -> str:
    """search.expand_document(" ".join(fragments)) at a fraction of the cost.

    Fragments (titles, conditions, sentences, criteria) repeat across trials, so which
    abbreviations each one uses is worked out once, by expand_document itself. So is each
    seam between two: its last and first three words, since an abbreviation such as
    "Diabetes Mellitus, Type 1" can span "Diabetes Mellitus" + "Type 1 Diabetes". The text
    gets the union, in expand_document's order; tests/test_bench_web.py compares the
    stored vectors with what search.refresh() makes.
    """
    pieces = [*fragments, *(_seam(a, b) for a, b in pairwise(fragments))]
    found = frozenset().union(*(_uses(piece) for piece in pieces))
    return " ".join([text, *(_PHRASES[i] for i in sorted(found))]) if found else text


def _seam(before: str, after: str) -> str:
    return " ".join([*before.split()[-3:], *after.split()[:3]])


def _uses(piece: str) -> frozenset[int]:
    if piece not in _found:
        _found[piece] = _phrases_added(piece)
    return _found[piece]


def _phrases_added(fragment: str) -> frozenset[int]:
    added = expand_document(fragment)[len(fragment) + 1 :]
    found, position = set(), 0
    for i, phrase in enumerate(_PHRASES):  # expand_document adds them in this order
        if added.startswith(phrase, position):
            found.add(i)
            position += len(phrase) + 1
    return frozenset(found)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
