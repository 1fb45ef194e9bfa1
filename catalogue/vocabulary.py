"""The catalogue's controlled vocabularies: one place for slugs and their labels.

The classifier writes these slugs, the list filters accept them, and the templates
show their labels. Registry enums (status, phase, ...) use ClinicalTrials.gov's
API v2 spellings so a value can be compared with the registry as it is.
"""

from dataclasses import dataclass

from django.contrib.postgres.fields import ArrayField
from django.db import models

from . import registries


class Status(models.TextChoices):
    NOT_YET_RECRUITING = "NOT_YET_RECRUITING", "Not yet recruiting"
    RECRUITING = "RECRUITING", "Recruiting"
    ENROLLING_BY_INVITATION = "ENROLLING_BY_INVITATION", "Enrolling by invitation"
    ACTIVE_NOT_RECRUITING = "ACTIVE_NOT_RECRUITING", "Active, not recruiting"
    SUSPENDED = "SUSPENDED", "Suspended"
    TERMINATED = "TERMINATED", "Terminated"
    COMPLETED = "COMPLETED", "Completed"
    WITHDRAWN = "WITHDRAWN", "Withdrawn"
    UNKNOWN = "UNKNOWN", "Unknown status"
    AVAILABLE = "AVAILABLE", "Available"
    NO_LONGER_AVAILABLE = "NO_LONGER_AVAILABLE", "No longer available"
    TEMPORARILY_NOT_AVAILABLE = "TEMPORARILY_NOT_AVAILABLE", "Temporarily not available"
    APPROVED_FOR_MARKETING = "APPROVED_FOR_MARKETING", "Approved for marketing"
    WITHHELD = "WITHHELD", "Withheld"


# The registries a trial's id can belong to, from the one table of registries.
Registry = models.TextChoices(
    "Registry", [(code.upper(), (code, name)) for code, name in registries.CHOICES]
)


class Phase(models.TextChoices):
    EARLY_PHASE1 = "EARLY_PHASE1", "Early phase 1"
    PHASE1 = "PHASE1", "Phase 1"
    PHASE2 = "PHASE2", "Phase 2"
    PHASE3 = "PHASE3", "Phase 3"
    PHASE4 = "PHASE4", "Phase 4"
    NA = "NA", "Not applicable"


class StudyType(models.TextChoices):
    INTERVENTIONAL = "INTERVENTIONAL", "Interventional"
    OBSERVATIONAL = "OBSERVATIONAL", "Observational"
    EXPANDED_ACCESS = "EXPANDED_ACCESS", "Expanded access"


class SponsorClass(models.TextChoices):
    NIH = "NIH", "NIH"
    FED = "FED", "US federal"
    INDUSTRY = "INDUSTRY", "Industry"
    OTHER = "OTHER", "Other (academic, hospital)"
    OTHER_GOV = "OTHER_GOV", "Other government"
    INDIV = "INDIV", "Individual"
    NETWORK = "NETWORK", "Network"
    AMBIG = "AMBIG", "Ambiguous"
    UNKNOWN = "UNKNOWN", "Unknown"


class SponsorRole(models.TextChoices):
    LEAD = "lead", "Lead sponsor"
    COLLABORATOR = "collaborator", "Collaborator"


class CriterionKind(models.TextChoices):
    INCLUSION = "inclusion", "Inclusion"
    EXCLUSION = "exclusion", "Exclusion"


class OutcomeKind(models.TextChoices):
    PRIMARY = "primary", "Primary"
    SECONDARY = "secondary", "Secondary"
    OTHER = "other", "Other"


class DatePrecision(models.TextChoices):
    YEAR = "year", "Year"
    MONTH = "month", "Month"
    DAY = "day", "Day"


class CellSource(models.TextChoices):
    BONE_MARROW = "bone_marrow", "Bone marrow"
    UMBILICAL_CORD = "umbilical_cord", "Umbilical cord"
    ADIPOSE = "adipose", "Adipose tissue"
    PLACENTA = "placenta", "Placenta"
    CORD_BLOOD = "cord_blood", "Cord blood"
    MENSTRUAL_BLOOD = "menstrual_blood", "Menstrual blood"
    DENTAL_PULP = "dental_pulp", "Dental pulp"
    OTHER = "other", "Other"
    UNSPECIFIED = "unspecified", "Unspecified"


class Donor(models.TextChoices):
    AUTOLOGOUS = "autologous", "Autologous"
    ALLOGENEIC = "allogeneic", "Allogeneic"
    UNKNOWN = "unknown", "Unknown"


class DiabetesType(models.TextChoices):
    T1D = "t1d", "Type 1 diabetes"
    T2D = "t2d", "Type 2 diabetes"
    DIABETIC_FOOT = "diabetic_foot", "Diabetic foot ulcer"
    NEPHROPATHY = "nephropathy", "Diabetic nephropathy"
    NEUROPATHY = "neuropathy", "Diabetic neuropathy"
    RETINOPATHY = "retinopathy", "Diabetic retinopathy"
    LIMB_ISCHEMIA = "limb_ischemia", "Limb ischemia"
    OTHER = "other", "Other"


class Route(models.TextChoices):
    INTRAVENOUS = "intravenous", "Intravenous"
    INTRA_ARTERIAL = "intra_arterial", "Pancreatic artery / intra-arterial"
    INTRAPORTAL = "intraportal", "Intraportal"
    INTRAMUSCULAR = "intramuscular", "Intramuscular"
    LOCAL = "local", "Local / topical"
    SUBCUTANEOUS = "subcutaneous", "Subcutaneous"
    INTRARENAL = "intrarenal", "Intrarenal"
    OTHER = "other", "Other"


class ProductForm(models.TextChoices):
    """How the cells are prepared, as the page states it; "not stated" when it says nothing."""

    CULTURE_EXPANDED = "culture_expanded", "Culture-expanded"
    FRESH = "fresh", "Fresh (not frozen)"
    CRYOPRESERVED = "cryopreserved", "Cryopreserved"
    NOT_STATED = "not_stated", "Not stated"


class Comparator(models.TextChoices):
    """What the cell product is compared with; "none" is a trial without a control group."""

    PLACEBO = "placebo", "Placebo"
    STANDARD_CARE = "standard_care", "Standard care"
    ACTIVE = "active", "Active treatment"
    NONE = "none", "No control group"


class CoIntervention(models.TextChoices):
    """Treatments given together with the cells in the experimental arm."""

    VITAMIN_D = "vitamin_d", "Vitamin D"
    MONONUCLEAR_CELLS = "mononuclear_cells", "Mononuclear cells"
    LIRAGLUTIDE = "liraglutide", "Liraglutide"
    ISLET_TRANSPLANT = "islet_transplant", "Islet transplant"
    IMMUNOSUPPRESSION = "immunosuppression", "Immunosuppression"


class ReportingFlag(models.TextChoices):
    """What the catalogue notices about a trial's reporting that no registry shows (catalogue.flags)."""

    RESULTS_OVERDUE = "results_overdue", "No results 12 months after completion"
    STATUS_UNVERIFIED = "status_unverified", "Status not verified for over 2 years"
    START_PASSED = "start_passed", "Past its start date, still not yet recruiting"
    COMPLETION_PASSED = "completion_passed", "Past its completion date, still recruiting"
    ENROLLMENT_CUT = "enrollment_cut", "Enrollment cut by half or more"
    COMPLETION_DELAYED = "completion_delayed", "Completion moved a year or more later"


class EligibilityMeasure(models.TextChoices):
    """Numbers the classifier reads from eligibility criteria rows."""

    AGE = "age", "Age"
    HBA1C = "hba1c", "HbA1c"
    DIABETES_DURATION = "diabetes_duration", "Time since diagnosis"
    C_PEPTIDE = "c_peptide", "C-peptide"
    BMI = "bmi", "Body mass index"


def label(choices: type[models.TextChoices], value: str) -> str:
    """The label of a slug, or the slug itself when it is not in the vocabulary."""
    try:
        return choices(value).label
    except ValueError:
        return value


@dataclass(frozen=True)
class Derived:
    """A field the classifier derives from a trial's text (never stated by a registry).

    Declared once here and read by every consumer: the Trial column, the classifier's
    apply step and its JSON, the evaluation, the admin form, the export, the detail page,
    and the list's filter and facet. Adding one: its vocabulary and a line below, its terms
    and rule in `classification`, a migration.
    """

    name: str  # the Trial column, the classification key and the evaluation field
    label: str  # for people
    vocabulary: type[models.TextChoices] | None = None  # None: yes or no
    many: bool = False  # a list of slugs rather than one value
    param: str = ""  # the list filter's (and facet's) parameter; "" when not filterable
    folded: bool = False  # its facet starts closed
    empty: str = "Not stated"  # what the detail page says when there is no value
    default: object = None  # the column's default (a list field's is the empty list)
    evaluated: bool = True  # scored by evaluate_classifier against the labelled set

    def column(self) -> models.Field:
        if self.vocabulary is None:
            return models.BooleanField(default=self.default)
        if self.many:
            return ArrayField(models.CharField(max_length=32), default=list, blank=True)
        return models.CharField(
            max_length=16, choices=self.vocabulary.choices, default=self.default
        )

    @property
    def empty_value(self):
        return [] if self.many else self.default


# In the order the detail page, the admin and the export show them.
DERIVED: tuple[Derived, ...] = (
    Derived("in_scope", "In scope", default=True),
    Derived(
        "cell_sources",
        "Cell source",
        CellSource,
        many=True,
        param="cell_source",
        empty="Not classified",
    ),
    Derived("donor", "Donor", Donor, param="donor", empty="Unknown", default=Donor.UNKNOWN),
    Derived(
        "diabetes_types",
        "Condition",
        DiabetesType,
        many=True,
        param="diabetes_type",
        empty="Not classified",
    ),
    Derived("routes", "Route", Route, many=True, param="route", folded=True),
    Derived(
        "product_form",
        "Product form",
        ProductForm,
        many=True,
        param="product_form",
        folded=True,
        empty="Not classified",
    ),
    Derived("recent_onset", "Recent onset", default=False),
    Derived("comparators", "Compared with", Comparator, many=True),
    Derived(
        "co_interventions", "Given with", CoIntervention, many=True, empty="Nothing else named"
    ),
)
DERIVED_BY_NAME = {d.name: d for d in DERIVED}


def derived_columns() -> dict[str, models.Field]:
    """The Trial columns of the derived fields, by name."""
    return {d.name: d.column() for d in DERIVED}
