"""The classifier on short phrases: each trap from the issue, one test (pure; no database)."""

from __future__ import annotations

import pytest

from classification import classify
from records import (
    Arm,
    Criterion,
    Design,
    Eligibility,
    Intervention,
    ParsedTrial,
    RelatedTrial,
)


def trial(
    title: str = "",
    summary: str = "",
    description: str = "",
    conditions: tuple[str, ...] = (),
    keywords: tuple[str, ...] = (),
    interventions: tuple[tuple[str, str], ...] = (),
    arms: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (),
    inclusion: tuple[str, ...] = (),
    exclusion: tuple[str, ...] = (),
    minimum_age: str = "",
    related: tuple[str, ...] = (),
    model: str = "",
) -> ParsedTrial:
    """A parsed trial with only the parts a test needs."""
    criteria = [Criterion("inclusion", c) for c in inclusion] + [
        Criterion("exclusion", c) for c in exclusion
    ]
    return ParsedTrial(
        source_format="test",
        registry_id="NCT99999999",
        brief_title=title,
        brief_summary=summary,
        detailed_description=description,
        conditions=list(conditions),
        keywords=list(keywords),
        interventions=[Intervention(name, description=text) for name, text in interventions],
        arms=[
            Arm(label, arm_type=kind, description=text, intervention_names=list(names))
            for label, kind, text, names in arms
        ],
        eligibility=Eligibility(minimum_age=minimum_age, criteria=criteria),
        related_trials=[RelatedTrial(f"NCT0000000{i}", t) for i, t in enumerate(related)],
        design=Design(intervention_model=model),
    )


def msc_t1d(**parts) -> ParsedTrial:
    parts.setdefault("conditions", ("Type 1 Diabetes",))
    return trial(**parts)


# --- scope: MSCs, and look-alikes that are not ------------------------------


@pytest.mark.parametrize(
    ("name", "reason_words"),
    [
        ("Autologous bone marrow mononuclear cells", "bone marrow mononuclear cells"),
        ("Stem Cell Educator", "Stem Cell Educator"),
        ("Autologous umbilical cord blood infusion", "umbilical cord blood cells"),
        ("Allogeneic islet transplantation", "islet transplantation"),
        ("Autologous haematopoietic stem cell transplantation", "haematopoietic stem cells"),
    ],
)
def test_look_alike_products_are_out_of_scope(name, reason_words):
    result = classify(
        msc_t1d(
            interventions=((name, ""),),
            description="Mesenchymal stem cells have been shown to modulate autoimmunity.",
        )
    )
    assert result.in_scope is False
    assert result.scope_reason == f"Not an MSC trial: the product is {_reason(reason_words)}."


def _reason(words: str) -> str:
    from classification.terms import LOOK_ALIKES

    return next(
        la.reason for la in LOOK_ALIKES if la.reason.startswith(words) or words in la.reason
    )


def test_stem_cell_educator_stays_out_when_its_cells_resemble_mscs():
    result = classify(
        msc_t1d(
            title="Stem Cell Educator Therapy in Type 1 Diabetes",
            interventions=(
                ("Stem Cell Educator", "Lymphocytes co-cultured with cord blood stem cells"),
            ),
            description="Cord blood-derived multipotent stem cells share markers with mesenchymal stem cells.",
        )
    )
    assert (result.in_scope, result.product) == (False, "stem_cell_educator")


def test_insulin_trial_names_no_cell_product():
    result = classify(msc_t1d(interventions=(("Insulin degludec", "Subcutaneous, once daily"),)))
    assert result.in_scope is False
    assert result.scope_reason == (
        "Not an MSC trial: no mesenchymal stem/stromal cell product is named "
        "(interventions: Insulin degludec)."
    )


@pytest.mark.parametrize("condition", ["Knee Osteoarthritis", "Graft Versus Host Disease"])
def test_msc_trials_for_other_diseases_are_out_of_scope(condition):
    result = classify(
        trial(
            conditions=(condition,),
            interventions=(("Umbilical cord mesenchymal stem cells", ""),),
            exclusion=("Uncontrolled diabetes mellitus",),
            description="Steroid-induced diabetes will be recorded as an adverse event.",
        )
    )
    assert (result.is_msc, result.in_scope, result.diabetes_types) == (True, False, [])
    assert result.scope_reason.startswith("MSC trial, but not for diabetes")


def test_cord_blood_derived_mscs_are_in_scope_with_a_cord_blood_source():
    result = classify(
        trial(
            conditions=("Type 2 Diabetes",),
            interventions=(("Umbilical cord blood-derived mesenchymal stem cells", ""),),
            minimum_age="30 Years",
        )
    )
    assert (result.in_scope, result.cell_sources, result.donor) == (
        True,
        ["cord_blood"],
        "allogeneic",
    )


def test_mscs_given_with_islets_stay_in_scope():
    result = classify(
        msc_t1d(
            interventions=(
                ("Islet transplantation", "Intraportal infusion of islets"),
                ("Mesenchymal stromal cells", "Given with the islets into the portal vein"),
            ),
        )
    )
    assert result.in_scope is True
    assert result.co_interventions == ["islet_transplant"]
    assert result.routes == ["intraportal"]


def test_msc_derived_exosomes_are_in_scope():
    result = classify(
        trial(
            conditions=("Diabetic Foot Ulcer",),
            interventions=(
                ("Exosomes from umbilical cord mesenchymal stem cells", "Applied topically"),
            ),
        )
    )
    assert (result.in_scope, result.product, result.routes) == (True, "derived", ["local"])


@pytest.mark.parametrize(
    ("title", "interventions"),
    [
        ("Impact of Semaglutide on CD34+ EPC and Fat Derived MSC", (("Semaglutide", ""),)),
        ("Osteogenic Differentiation of the Mesenchymal Stem Cells in Type 2 Diabetes", ()),
    ],
)
def test_msc_the_trial_measures_are_not_its_product(title, interventions):
    result = classify(
        trial(
            title=title,
            conditions=("Type 2 Diabetes",),
            keywords=("Mesenchymal stem cell",),
            interventions=interventions,
            summary="This study will examine the effect of the drug on adipose tissue-derived "
            "mesenchymal stem/stromal cell function.",
        )
    )
    assert (result.is_msc, result.in_scope, result.product) == (False, False, "studied")
    assert result.scope_reason == "Not an MSC trial: the MSCs are measured, not given."


def test_msc_given_for_their_effect_on_something_are_the_product():
    result = classify(
        trial(
            title="Effect of Umbilical Cord MSCs on Insulin Secretion in Type 2 Diabetes",
            interventions=(("UC-MSC", ""),),
        )
    )
    assert (result.in_scope, result.cell_sources) == (True, ["umbilical_cord"])


@pytest.mark.parametrize(
    "name",
    [
        "Lipogems - local injection of autologous micro-fragmented adipose tissue",
        "Autologous stromal vascular fraction (SVF)",
        "Autologous fat grafting",
    ],
)
def test_adipose_tissue_that_is_not_expanded_is_not_an_msc_product(name):
    result = classify(
        trial(
            conditions=("Diabetic Foot",),
            keywords=("Adipose-derived Mesenchymal Stem Cells",),
            interventions=((name, ""),),
        )
    )
    assert (result.is_msc, result.in_scope, result.product) == (False, False, "adipose_tissue")
    assert result.cell_sources == ["adipose"]


def test_msc_expanded_from_the_stromal_vascular_fraction_are_msc():
    result = classify(
        trial(
            conditions=("Diabetic Foot",),
            interventions=(("Stromal vascular fraction-derived mesenchymal stem cells", ""),),
        )
    )
    assert (result.in_scope, result.cell_sources) == (True, ["adipose"])


def test_a_product_code_that_names_adipose_stem_cells_is_an_msc_product():
    result = classify(
        trial(
            title="A Follow-up Study to Evaluate the Safety of ALLO-ASC-DFU",
            conditions=("Diabetic Foot Ulcer",),
            interventions=(("ALLO-ASC-DFU", ""),),
        )
    )
    assert (result.in_scope, result.cell_sources, result.donor) == (
        True,
        ["adipose"],
        "allogeneic",
    )
    assert result.diabetes_types == ["diabetic_foot"]


@pytest.mark.parametrize(
    ("title", "condition", "product"),
    [
        ("ALLO-ASC-DFU for Second Deep Degree Burn Injury", "Burn Injury", "ALLO-ASC-DFU"),
        ("PLX-PAD Cells for Hip Fracture", "Hip Fracture", "PLX-PAD"),
    ],
)
def test_a_disease_abbreviation_inside_a_product_code_is_not_the_indication(
    title, condition, product
):
    result = classify(trial(title=title, conditions=(condition,), interventions=((product, ""),)))
    assert (result.is_diabetes, result.in_scope, result.diabetes_types) == (False, False, [])


# --- cell source ------------------------------------------------------------


@pytest.mark.parametrize(
    ("product", "source"),
    [
        ("Wharton's jelly mesenchymal stromal cells", "umbilical_cord"),
        ("hUC-MSCs", "umbilical_cord"),
        ("Decidual stromal cells", "placenta"),
        ("Amniotic membrane mesenchymal stromal cells", "placenta"),
        ("Menstrual blood-derived stromal cells", "menstrual_blood"),
        ("Dental pulp stem cells", "dental_pulp"),
        ("AD-MSC", "adipose"),
        ("Bone marrow-derived multipotent stromal cells", "bone_marrow"),
        ("iPSC-derived mesenchymal stromal cells (iMSCs)", "other"),
        ("Allogeneic mesenchymal stromal cells", "unspecified"),
    ],
)
def test_cell_source_of_the_product(product, source):
    assert classify(msc_t1d(interventions=((product, ""),))).cell_sources == [source]


# Spellings of real ClinicalTrials.gov rows (tests/fixtures/classification/realdata).
@pytest.mark.parametrize(
    ("product", "source"),
    [
        ("Wharton Jelly Mesenchymal stem cells", "umbilical_cord"),
        ("Wharton\u00b4s Jelly Derived Mesenchymal Stromal Cells", "umbilical_cord"),
        ("collagen scaffolds/HUCMSC injection", "umbilical_cord"),
        ("Allogeneic transplantation with WJMSCs", "umbilical_cord"),
        ("Stem cells from human exfoliated teeth", "dental_pulp"),
        ("100 million Allogeneic Mesenchymal Human Stem Cells", "unspecified"),
        ("Allogenic mesenchymoangioblast-derived mesenchymal stem cells", "other"),
    ],
)
def test_cell_source_as_registries_spell_it(product, source):
    result = classify(msc_t1d(interventions=((product, ""),)))
    assert (result.in_scope, result.cell_sources) == (True, [source])


def test_msc_with_bone_marrow_mononuclear_cells_has_both_sources():
    result = classify(
        trial(
            conditions=("Type 2 Diabetes",),
            interventions=(
                ("Adipose-derived mesenchymal stem cells", "From healthy donors"),
                ("Bone marrow mononuclear cells", "Autologous, aspirated from the iliac crest"),
            ),
            arms=(
                (
                    "Cells",
                    "EXPERIMENTAL",
                    "",
                    ("Adipose-derived mesenchymal stem cells", "Bone marrow mononuclear cells"),
                ),
            ),
        )
    )
    assert result.cell_sources == ["bone_marrow", "adipose"]
    assert result.donor == "allogeneic"  # "autologous" describes the mononuclear cells
    assert result.co_interventions == ["mononuclear_cells"]


def test_a_comparison_with_bone_marrow_is_not_a_source():
    result = classify(
        msc_t1d(
            interventions=(("Adipose-derived mesenchymal stem cells", ""),),
            description=(
                "Adipose derived mesenchymal stem cells have many advantages: harvesting is much less "
                "painful than harvesting bone marrow stem cells, and they come from autologous fat."
            ),
        )
    )
    assert (result.cell_sources, result.donor) == (["adipose"], "unknown")


def test_sections_that_disagree_keep_both_values_and_ask_for_review():
    result = classify(
        msc_t1d(
            interventions=(("Mesenchymal stem cells", ""),),
            summary="This study evaluates bone marrow-derived mesenchymal stem cells.",
            description="In this trial, umbilical cord-derived mesenchymal stem cells will be infused.",
        )
    )
    assert result.cell_sources == ["bone_marrow", "umbilical_cord"]
    assert [d.field for d in result.disagreements] == ["cell_sources"]
    assert result.review_reasons == [
        "page sections disagree on cell sources "
        "(brief summary: bone_marrow; detailed description: umbilical_cord)"
    ]
    assert result.donor == "unknown"  # no inference from a source that is in doubt


# --- donor --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The mesenchymal stem cell line was collected from healthy donors.",
        "Bone marrow MSCs from an HLA-haploidentical first-degree relative.",
        "MSCs manufactured from the bone marrow of a single blood group O donor.",
        "The MSCs are not autologous: they come from a cell bank.",
    ],
)
def test_allogeneic_without_the_word(text):
    result = classify(msc_t1d(interventions=(("Mesenchymal stem cells", text),)))
    assert result.donor == "allogeneic"


def test_generic_remark_on_donors_decides_nothing():
    result = classify(
        msc_t1d(
            interventions=(("Mesenchymal stromal cells", ""),),
            description=(
                "MSCs are a cellular product that can be derived from a patient's own body "
                "(autologous) or from a donor (allogeneic)."
            ),
        )
    )
    assert result.donor == "unknown"


def test_the_patients_earlier_transplant_is_not_the_donor():
    result = classify(
        msc_t1d(
            interventions=(
                ("Bone marrow mesenchymal stem cells", "Expanded from each patient's bone marrow"),
            ),
            description=(
                "Participants who previously received an allogeneic kidney transplant may take part. "
                "Patients with an autologous haematopoietic stem cell transplant are excluded."
            ),
        )
    )
    assert result.donor == "autologous"


def test_perinatal_tissue_is_allogeneic_by_inference():
    result = classify(msc_t1d(interventions=(("Umbilical cord mesenchymal stem cells", ""),)))
    assert result.donor == "allogeneic"
    [evidence] = result.evidence_for("donor")
    assert evidence.note == "inferred: perinatal tissue is not the patient's own"


def test_cord_blood_for_children_may_be_their_own():
    result = classify(
        msc_t1d(
            interventions=(("Cord blood-derived mesenchymal stem cells", ""),),
            minimum_age="2 Years",
        )
    )
    assert result.donor == "unknown"


def test_cord_tissue_for_children_may_be_their_own():
    result = classify(
        msc_t1d(
            interventions=(("Umbilical cord mesenchymal stem cells", ""),),
            minimum_age="3 Years",
        )
    )
    assert result.donor == "unknown"


def test_two_perinatal_tissues_are_both_another_persons():
    result = classify(
        msc_t1d(
            interventions=(("Umbilical cord/placenta-derived mesenchymal stem cells", ""),),
            minimum_age="18 Years",
        )
    )
    assert (result.cell_sources, result.donor) == (["umbilical_cord", "placenta"], "allogeneic")


def test_the_donor_of_mononuclear_cells_given_with_the_msc_is_not_the_msc_donor():
    result = classify(
        msc_t1d(
            interventions=(
                (
                    "Autologous bone marrow mononuclear cells and umbilical cord mesenchymal stem cells",
                    "",
                ),
            ),
            minimum_age="18 Years",
        )
    )
    assert result.cell_sources == ["bone_marrow", "umbilical_cord"]
    assert result.co_interventions == ["mononuclear_cells"]
    assert result.donor == "allogeneic"


def test_msc_of_autograft_are_autologous():
    result = classify(
        msc_t1d(
            interventions=(
                ("Cotransplantation of islet and mesenchymal stem cell", ""),
                ("Islet", "islet of allograft and MSCs of autograft"),
            )
        )
    )
    assert result.donor == "autologous"


def test_explicit_autologous_perinatal_cells_win_over_inference():
    result = classify(
        msc_t1d(
            interventions=(
                ("Autologous Wharton's jelly MSCs", "From the child's banked cord tissue"),
            )
        )
    )
    assert result.donor == "autologous"


# --- route --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "route"),
    [
        ("Infused into the dorsal pancreatic artery by catheter", "intra_arterial"),
        ("Infused into the portal vein", "intraportal"),
        ("Injected into the gastrocnemius muscle at 40 sites", "intramuscular"),
        ("Applied topically to the wound bed in a hydrogel", "local"),
        ("Delivered by catheter into the renal artery", "intrarenal"),
        ("Single intravitreal injection", "other"),
        ("Intravenousling (IV) infusion", "intravenous"),
    ],
)
def test_routes(text, route):
    assert classify(msc_t1d(interventions=(("Mesenchymal stem cells", text),))).routes == [route]


def test_routes_of_other_things_are_not_the_cells_route():
    result = classify(
        msc_t1d(
            interventions=(("Adipose-derived mesenchymal stem cells", "Infused intravenously"),),
            description=(
                "Fat is obtained by subcutaneous lipoaspiration. All patients continue subcutaneous insulin "
                "injections. Function is measured with an intravenous glucose tolerance test."
            ),
        )
    )
    assert result.routes == ["intravenous"]


def test_placebo_arm_route_is_not_read():
    result = classify(
        msc_t1d(
            interventions=(
                ("MSC", "Infused into the pancreatic artery"),
                ("Placebo", "Saline given subcutaneously"),
            ),
            arms=(
                ("MSC", "EXPERIMENTAL", "", ("MSC",)),
                ("Placebo", "PLACEBO_COMPARATOR", "Saline given subcutaneously", ("Placebo",)),
            ),
        )
    )
    assert (result.routes, result.comparators) == (["intra_arterial"], ["placebo"])


# --- indication ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("inclusion", "types"),
    [
        ("Type 1 or type 2 diabetes mellitus, HbA1c up to 9%", ["t1d", "t2d"]),
        ("Subject is diagnosed with Type I or Type II diabetics", ["t1d", "t2d"]),
        ("Type I or II diabetes", ["t1d", "t2d"]),
        ("Diabetes mellitus Type 2 or Type 1", ["t1d", "t2d"]),
        ("Patients with diabetes (diabetes mellitus type 1 and type 2)", ["t1d", "t2d"]),
        ("Diabete Type 2", ["t2d"]),
        ("Subjects With Diabetes 2 Type", ["t2d"]),
    ],
)
def test_both_types_named_together_give_both(inclusion, types):
    result = classify(
        trial(
            title="Mesenchymal stem cells for diabetic patients",
            interventions=(("Mesenchymal stem cells", ""),),
            inclusion=(inclusion,),
        )
    )
    assert result.diabetes_types == types


def test_a_type_run_together_with_diabetes_names_diabetes():
    result = classify(trial(conditions=("Type1diabetes",), interventions=(("MSC", ""),)))
    assert (result.in_scope, result.diabetes_types) == (True, ["t1d"])


def test_a_type_an_inclusion_row_admits_is_a_type_the_trial_is_for():
    result = classify(
        trial(
            conditions=("Type1diabetes",),
            interventions=(("Mesenchymal stem cells", ""),),
            inclusion=(
                "Patients with type 2 diabetes for more than 5 years, or with type 1 diabetes "
                "for more than 1 year",
            ),
            exclusion=("Gestational diabetes",),
        )
    )
    assert result.diabetes_types == ["t1d", "t2d"]


def test_a_type_the_description_mentions_is_not_added_to_the_conditions():
    result = classify(
        trial(
            conditions=("Type 1 Diabetes",),
            interventions=(("Mesenchymal stem cells", ""),),
            description="Unlike type 2 diabetes, type 1 diabetes is autoimmune.",
        )
    )
    assert result.diabetes_types == ["t1d"]


def test_a_complication_the_criteria_require_is_not_the_target():
    result = classify(
        trial(
            title="Intracavernous Mesenchymal Stem Cells for Erectile Dysfunction in Type 1 Diabetes",
            interventions=(("Mesenchymal stem cells", ""),),
            inclusion=(
                "At least one manifestation of microangiopathy: diabetic retinopathy, "
                "diabetic nephropathy or diabetic neuropathy",
                "Diagnosis of peripheral neuropathy",
            ),
        )
    )
    assert result.diabetes_types == ["t1d", "other"]


@pytest.mark.parametrize(
    ("condition", "types"),
    [
        ("Diabetic Neuropathic Ulcer", ["diabetic_foot"]),
        ("Neuropathic foot ulcer", ["diabetic_foot"]),
        ("Diabetic peripheral neuropathy", ["neuropathy"]),
        ("Endothelial dysfunction", ["other"]),
    ],
)
def test_complication_named_as_the_condition(condition, types):
    result = classify(
        trial(
            title="Mesenchymal stem cells in diabetic patients",
            conditions=(condition,),
            interventions=(("Mesenchymal stem cells", ""),),
        )
    )
    assert result.diabetes_types == types


def test_another_eye_disease_in_a_basket_trial_is_not_a_diabetic_complication():
    result = classify(
        trial(
            conditions=("Diabetic Retinopathy", "Traumatic Optic Neuropathy", "Glaucoma"),
            interventions=(("Umbilical cord mesenchymal stem cells", ""),),
        )
    )
    assert result.diabetes_types == ["retinopathy"]


def test_msc_with_an_islet_autotransplant_after_pancreatectomy_treat_its_diabetes():
    result = classify(
        trial(
            title="Autologous Mesenchymal Stromal Cells and Islet Co-transplantation in TP-IAT",
            conditions=("Chronic Pancreatitis",),
            interventions=(("Bone marrow-derived mesenchymal stem cells", ""),),
        )
    )
    assert (result.in_scope, result.diabetes_types) == (True, ["other"])


def test_a_complication_named_as_background_is_not_the_target():
    result = classify(
        trial(
            conditions=("Type 2 Diabetes",),
            interventions=(("MSC", ""),),
            description="Both diabetes and obesity are associated with endothelial dysfunction.",
        )
    )
    assert result.diabetes_types == ["t2d"]


def test_diabetes_of_no_stated_type_is_other():
    result = classify(
        trial(
            title="Umbilical Cord Mesenchymal Stem Cell Infusion for Diabetes",
            conditions=("Diabetes",),
            interventions=(("MSC", ""),),
        )
    )
    assert (result.in_scope, result.diabetes_types) == (True, ["other"])
    [evidence] = result.evidence_for("diabetes_types")
    assert (evidence.value, evidence.match) == ("other", "Diabetes")


def test_diabetes_allowed_by_a_criterion_of_a_limb_ischemia_trial_is_not_the_indication():
    result = classify(
        trial(
            title="Cell Therapy in Critical Limb Ischemia",
            conditions=("Critical Limb Ischemia",),
            interventions=(("Umbilical cord mesenchymal stem cells", ""),),
            inclusion=("Those diabetic subjects who are on optimal diabetes medication",),
        )
    )
    assert (result.is_diabetes, result.in_scope, result.diabetes_types) == (False, False, [])


def test_a_page_without_conditions_may_name_diabetes_in_its_criteria():
    result = classify(
        trial(
            title="Mesenchymal stem cells for critical limb ischemia",
            interventions=(("Mesenchymal stem cells", ""),),
            inclusion=("Type 2 diabetic patients with critical limb ischemia",),
        )
    )
    assert (result.in_scope, result.diabetes_types) == (True, ["t2d", "limb_ischemia"])


def test_negated_and_excluded_complications_are_not_indications():
    result = classify(
        msc_t1d(
            interventions=(("Mesenchymal stem cells", ""),),
            description="Patients with no history of diabetic retinopathy or nephropathy will be enrolled.",
            exclusion=("Type 2 diabetes", "Diabetic foot ulcer"),
        )
    )
    assert result.diabetes_types == ["t1d"]


@pytest.mark.parametrize(
    ("code", "types"),
    [
        ("E10.9", ["t1d"]),
        ("E11.65", ["t2d"]),
        ("E11.21", ["t2d", "nephropathy"]),
        ("E10.621", ["t1d", "diabetic_foot"]),
    ],
)
def test_icd10_codes_name_the_type(code, types):
    result = classify(trial(conditions=(code,), interventions=(("MSC", ""),)))
    assert result.diabetes_types == types


def test_related_trial_titles_are_never_evidence():
    result = classify(
        msc_t1d(
            interventions=(("Umbilical cord mesenchymal stromal cells", "Given intravenously"),),
            related=(
                "Stem Cell Educator Therapy in Diabetes",
                "Autologous Bone Marrow Mononuclear Cells in Newly Diagnosed Type 2 Diabetes",
                "Subcutaneous Adipose MSC for Diabetic Foot Ulcer",
            ),
        )
    )
    assert (result.in_scope, result.cell_sources, result.donor) == (
        True,
        ["umbilical_cord"],
        "allogeneic",
    )
    assert (result.routes, result.diabetes_types, result.recent_onset) == (
        ["intravenous"],
        ["t1d"],
        False,
    )
    assert all("Educator" not in e.phrase for e in result.evidence)


@pytest.mark.parametrize(
    ("criterion", "recent"),
    [
        ("The time from the diagnosis of type 1 diabetes to enrollment ≤ 12 months.", True),
        ("Confirmed diagnosis of type 1 diabetes less than 6 weeks before enrolment", True),
        ("Diagnosed performed at most 1 year before enrollment", True),
        ("Type 1 diabetes duration 5 years or more", False),
        ("Type 1 diabetes for less than 10 years", False),
    ],
)
def test_recent_onset_from_a_diagnosis_window(criterion, recent):
    result = classify(msc_t1d(interventions=(("MSC", ""),), inclusion=(criterion,)))
    assert result.recent_onset is recent


def test_recent_onset_named_in_the_title():
    result = classify(
        msc_t1d(title="MSCs in Newly Diagnosed Type 1 Diabetes", interventions=(("MSC", ""),))
    )
    assert result.recent_onset is True


# --- product form --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "forms"),
    [
        ("Culture-expanded bone marrow MSCs are infused.", ["culture_expanded"]),
        ("MSCs expanded ex vivo to passage 3.", ["culture_expanded"]),
        ("Cryopreserved UC-MSCs are thawed at the bedside.", ["cryopreserved"]),
        ("Freshly prepared MSCs, never frozen, are infused.", ["fresh"]),
        ("Non-cryopreserved MSCs are given within 24 hours.", ["fresh"]),
        (
            "Cultured MSCs are frozen and thawed before infusion.",
            ["culture_expanded", "cryopreserved"],
        ),
        ("Mesenchymal stem cells are infused.", ["not_stated"]),
    ],
)
def test_product_form_is_what_the_page_states(text, forms):
    result = classify(msc_t1d(interventions=(("Mesenchymal stem cells", text),)))
    assert result.product_form == forms
    assert [e.value for e in result.evidence_for("product_form")] == forms


def test_no_product_form_for_a_look_alike():
    result = classify(msc_t1d(interventions=(("Cryopreserved cord blood units", ""),)))
    assert (result.is_msc, result.product_form) == (False, [])


def test_frozen_plasma_in_a_criterion_is_not_the_product_form():
    result = classify(
        msc_t1d(
            interventions=(("Mesenchymal stem cells", ""),),
            exclusion=("Received fresh frozen plasma or cryopreserved blood products",),
        )
    )
    assert result.product_form == ["not_stated"]


# --- comparators, co-interventions -------------------------------------------


def test_comparators_and_co_interventions_from_arms():
    result = classify(
        msc_t1d(
            interventions=(
                ("UC-MSC", ""),
                ("Cholecalciferol", "Vitamin D3 daily"),
                ("Insulin", ""),
            ),
            arms=(
                ("UC-MSC plus vitamin D", "EXPERIMENTAL", "", ("UC-MSC", "Cholecalciferol")),
                ("Insulin therapy alone", "ACTIVE_COMPARATOR", "", ("Insulin",)),
            ),
        )
    )
    assert (result.comparators, result.co_interventions) == (["standard_care"], ["vitamin_d"])


def test_single_group_has_no_comparator():
    result = classify(
        msc_t1d(
            interventions=(("MSC", ""),),
            arms=(("MSC", "EXPERIMENTAL", "", ("MSC",)),),
            model="SINGLE_GROUP",
        )
    )
    assert result.comparators == ["none"]


# --- evidence -------------------------------------------------------------------


def test_every_value_has_evidence_with_its_place():
    result = classify(
        msc_t1d(
            interventions=(
                (
                    "adipose-derived messenchymal stem cell",
                    "The adipose mesenchymal stem cell line (GXIPC1) was collected from healthy donors.",
                ),
            ),
            summary="Intravenously (IV) administered adipose-derived mesenchymal stem cells in T1D.",
        )
    )
    fields = {e.field for e in result.evidence}
    assert {"in_scope", "cell_sources", "donor", "routes", "diabetes_types"} <= fields
    donor = result.evidence_for("donor")[0]
    assert (donor.value, donor.section, donor.where) == (
        "allogeneic",
        "intervention",
        "intervention 'adipose-derived messenchymal stem cell'",
    )
    assert (
        donor.phrase
        == "The adipose mesenchymal stem cell line (GXIPC1) was collected from healthy donors."
    )


def test_another_form_of_diabetes_is_not_read_as_type_2_from_the_description():
    result = classify(
        trial(
            conditions=("Cystic Fibrosis Related Diabetes",),
            interventions=(("Repaglinide", ""),),
            description="Inflammation in type 2 diabetes will be compared with that in these patients.",
        )
    )
    assert result.diabetes_types == ["other"]
