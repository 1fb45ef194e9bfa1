"""Every term and pattern the classifier looks for, keyed by the vocabulary's slugs.

This is the file a domain expert edits. Each entry is a regular expression, matched
case-insensitively and only as whole words. A space in a pattern matches a space, a
hyphen or nothing ("bone marrow" also finds "bone-marrow" and "bonemarrow");
`(?-i:...)` marks a part that must match in exactly that case ("IV", not "iv").
The rules that use these lists live in `rules.py`; nothing here decides anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalogue.vocabulary import CellSource as S
from catalogue.vocabulary import CoIntervention as C
from catalogue.vocabulary import DiabetesType as D
from catalogue.vocabulary import Donor
from catalogue.vocabulary import ProductForm as F
from catalogue.vocabulary import Route as R

# ---------------------------------------------------------------------------
# Is the product mesenchymal stem/stromal cells (or made from them)?
# ---------------------------------------------------------------------------

MSC = [
    r"mes+enc?h[yi]mal (human )?(stem|stromal|progenitor|precursor|stem ?/ ?stromal|stromal ?/ ?stem)( like)? cells?",
    r"mesenchymal cells?",
    r"multipotent (mesenchymal )?stromal cells?",
    r"(adipose|fat)( tissue)?( derived)? (stromal|stem|stromal ?/ ?stem|stem ?/ ?stromal) cells?",
    r"wharton('?s)? jelly( derived)? (mesenchymal |stromal |stem )+cells?",
    r"dental pulp stem cells?",
    r"stem cells? from (human )?exfoliated (deciduous )?teeth",
    r"menstrual blood( derived)? (stem|stromal|mesenchymal) cells?",
    r"endometrial regenerative cells?",
    r"placenta(l)?( derived)? (expanded )?(adherent )?(stromal|mesenchymal) cells?",
    r"decidual? stromal cells?",
    r"amni(on|otic)( membrane)?( derived)? (mesenchymal|stromal) (stem )?cells?",
    # Abbreviations: MSC with an optional source prefix (UC-MSC, hUC-MSCs, BM-MSC, AD-MSC).
    # "MSc" is the degree, not the cell.
    r"(?!(?-i:MSc)\b)[a-z]{0,4} ?(?-i:MSCs?|MSCS|mscs?)",
    r"(?-i:h?ADSCs?|h?ASCs|DPSCs?|SHED|MenSCs?|ERCs|MPCs)",
]


# Named products: the source and donor a reviewer knows without the page saying so.
@dataclass(frozen=True)
class Product:
    pattern: str
    source: str
    donor: str


PRODUCTS = [
    Product(r"remestemcel( l)?|prochymal", S.BONE_MARROW, Donor.ALLOGENEIC),
    # Anterogen's ALLO-ASC-DFU, -SHEET, -CD...: the code itself says allogeneic adipose stem cells.
    Product(r"(?-i:ALLO ?ASC)", S.ADIPOSE, Donor.ALLOGENEIC),
    Product(r"rexlemestrocel( l)?", S.BONE_MARROW, Donor.ALLOGENEIC),
    Product(r"stempeucel", S.BONE_MARROW, Donor.ALLOGENEIC),
]

# An MSC-derived product rather than the cells themselves (still in scope).
DERIVED_PRODUCT = [
    r"exosomes?",
    r"extracellular vesicles?",
    r"secretome",
    r"conditioned medi(um|a)",
]

# ---------------------------------------------------------------------------
# Look-alikes: cell therapies that are NOT mesenchymal stem/stromal cells.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LookAlike:
    slug: str
    reason: str  # completes "not an MSC trial: the product is ..."
    patterns: tuple[str, ...]
    source: str = ""  # the tissue the cells come from, when the pattern itself says so


LOOK_ALIKES = [
    LookAlike(
        "stem_cell_educator",
        "the Stem Cell Educator (the patient's own lymphocytes passed over cord-blood stem cells)",
        (r"stem cell educator( therapy)?", r"(?-i:SCE) therapy"),
        S.CORD_BLOOD,
    ),
    LookAlike(
        "bone_marrow_mononuclear",
        "bone marrow mononuclear cells",
        (
            r"bone marrow( derived)? mononuclear( stem)? cells?",
            r"(?-i:BM ?MNCs?|BMMNCs?|BMNCs?)",
        ),
        S.BONE_MARROW,
    ),
    LookAlike(
        "mononuclear",
        "mononuclear cells",
        (r"(peripheral blood )?mononuclear( stem)? cells?", r"(?-i:PB ?MNCs?|MNCs?)"),
    ),
    LookAlike(
        "cord_blood",
        "umbilical cord blood cells",
        (
            r"(umbilical )?cord blood( derived)?( (stem|mononuclear|nucleated|progenitor|ha?ematopoietic|immune))* cells?",
            r"(umbilical )?cord blood (infusion|transfusion|transplant(ation)?|units?)",
            r"(autologous|allogeneic) (umbilical )?cord blood",
            r"(?-i:h?UCB)",
            r"(?-i:CB ?SCs?)",
        ),
        S.CORD_BLOOD,
    ),
    LookAlike(
        "islets",
        "islet transplantation",
        (
            r"(pancreatic |donor |allogeneic |cadaveric |stem cell derived )?islets?( cells?)? (transplant(ation|s)?|allotransplant(ation)?|infusion|grafts?)",
            r"islets? of langerhans",
            r"(?-i:VX ?880)",
        ),
    ),
    LookAlike(
        "hematopoietic",
        "haematopoietic stem cells",
        (
            r"(autologous )?(non ?myeloablative )?ha?ematopoietic stem cells?( transplant(ation)?)?",
            r"(?-i:AHSCT|HSCT|aHSCT)",
            r"(?-i:CD34)\+?( selected| positive)? (stem )?cells?",
        ),
    ),
    LookAlike(
        "adipose_tissue",
        "adipose tissue that is not culture-expanded (stromal vascular fraction or micro-fragmented fat)",
        (
            r"stromal vascular fractions?( cells?)?",
            r"(?-i:SVF)",
            r"(micro ?fragmented|minimally manipulated|non ?expanded)( and non ?expanded)?( autologous)? (adipose|fat)( tissue)?",
            r"lipogems",
            r"lipofilling",
            r"(autologous )?fat (graft(s|ing)?|transfer|injection)",
        ),
        S.ADIPOSE,
    ),
    LookAlike(
        "other_cells",
        "another cell therapy",
        (
            r"regulatory T cells?",
            r"(?-i:Tregs?)",
            r"(tolerogenic )?dendritic cells?",
            r"endothelial progenitor cells?",
            r"(?-i:CAR ?T)",
        ),
    ),
]

# A cord-blood, mononuclear or adipose-tissue mention followed this closely by an MSC term is
# the MSC's source ("umbilical cord blood-derived MSCs", "SVF-derived MSCs"), not a look-alike.
LOOK_ALIKE_MSC_GAP_WORDS = 3
# ...unless words join two products: "bone marrow mononuclear cells and umbilical cord MSCs".
PRODUCT_JOINERS = [r"and", r"or", r"plus", r"with", r"together with", r"\+", r"&"]
SOURCE_LOOK_ALIKES = ("cord_blood", "mononuclear", "bone_marrow_mononuclear", "adipose_tissue")

# ---------------------------------------------------------------------------
# Where the cells come from.
# ---------------------------------------------------------------------------

CELL_SOURCES = {
    S.BONE_MARROW: [r"bone marrow", r"marrow", r"(?-i:BM)(?= ?MSC)", r"(?-i:BMSCs?|BMMSCs?)"],
    S.UMBILICAL_CORD: [
        r"umbilical(?! cord blood)( cords?)?(?! blood)",
        r"wharton('?s)? jelly",
        r"cord tissue",
        r"(?-i:[hH]?UC|WJ)(?= ?MSC)",
        r"(?-i:[hH]?UCMSCs?|WJMSCs?)",
    ],
    S.ADIPOSE: [
        r"adipose",
        r"fat(?= (tissue )?(derived )?(mesenchymal|stromal|stem))",
        r"(?-i:AD|AT|hAD)(?= ?MSC)",
        r"lipoaspirat\w*",
        r"(?-i:h?ADSCs?|h?ASCs)",
        r"stromal vascular fractions?",
        r"(?-i:SVF)",
    ],
    S.PLACENTA: [
        r"placenta(l)?",
        r"amnion",
        r"amniotic membrane",
        r"decidua(l)?",
        r"chorion(ic)?",
        r"(?-i:PL|P|hP|AM|hAM)(?= ?MSC)",
    ],
    S.CORD_BLOOD: [r"(umbilical )?cord blood", r"(?-i:h?UCB|CB)(?= ?MSC)"],
    S.MENSTRUAL_BLOOD: [r"menstrual( blood)?", r"endometrial regenerative", r"(?-i:MenSCs?)"],
    S.DENTAL_PULP: [r"dental pulp", r"(exfoliated |deciduous )+teeth", r"(?-i:DPSCs?|SHED)"],
    S.OTHER: [
        r"synovi(al|um)",
        r"amniotic fluid",
        r"(induced )?pluripotent stem cell derived",
        r"(?-i:iPSC?)( derived)?",
        r"(?-i:iMSCs?)",
        r"mesenchymoangioblasts?( derived)?",  # Cynata's iPSC-derived Cymerus MSCs
        r"cymerus",
        r"olfactory mucosa",
        r"muscle derived",
        r"skin derived",
    ],
}

# A sentence with one of these, in a trial of MSCs, is about giving the product.
CELL_WORDS = [r"cells?", r"cell (arm|product|suspension|infusion)"]

# Placental and cord tissue is not the patient's own once the patient is past birth.
PERINATAL_SOURCES = (S.UMBILICAL_CORD, S.PLACENTA)
# Cord blood may have been banked at the patient's own birth; allogeneic only for adults.
PERINATAL_SOURCES_FOR_ADULTS = (S.CORD_BLOOD,)
ADULT_AGE = 18

# Words that tie a source named after the cell term to it: "MSCs derived from umbilical cords".
SOURCE_LINKS = r"(derived|isolated|obtained|harvested|expanded|originating|sourced|collected|prepared|cultured)? ?(from|of|out of)"

# ---------------------------------------------------------------------------
# Whose cells: the patient's own (autologous) or another person's (allogeneic).
# ---------------------------------------------------------------------------

DONOR_ADJECTIVES = {
    Donor.ALLOGENEIC: [r"allogen(e|ei)?ic", r"allogenous", r"allogeneous", r"non autologous"],
    Donor.AUTOLOGOUS: [r"autologous", r"autologic", r"autogenous", r"self derived", r"autograft"],
}

# Phrases that settle the donor when they describe the product itself.
DONOR_PHRASES = {
    Donor.ALLOGENEIC: [
        r"(healthy|normal|unrelated|third party|screened|young|volunteer|adult) (human )?donors?",
        r"(healthy|normal) (women|mothers|volunteers)",
        r"donors?",
        r"donated",
        r"first degree relatives?",
        r"siblings?",
        r"(?-i:HLA) (matched|mismatched|haploidentical)",
        r"haploidentical",
        r"(mesenchymal |stem |stromal )*cell lines?",
        r"(master )?cell banks?",
        r"off the shelf",
        r"blood (group|type) (?-i:O)\b",
        r"(at the time of|after) (a )?(full term |caesarean |cesarean )?(delivery|birth|section)",
    ],
    Donor.AUTOLOGOUS: [
        r"patients?'? own",
        r"(his|her|their) own",
        r"(isolated|harvested|obtained|aspirated|collected|taken|derived|expanded|grown|prepared|manufactured) from (the|each) (patient|participant|subject)s?",
        r"(each|the) (patient|participant|subject|child)'s (own )?(bone marrow|adipose|fat|tissue|cells|blood|cord)",
        r"(from|of) the patients themselves",
        r"autologous (fat|adipose|bone marrow|tissue|lipoaspirate)",
    ],
}

# ---------------------------------------------------------------------------
# How the cells are prepared: grown in culture, given fresh, or frozen and thawed.
# ---------------------------------------------------------------------------

PRODUCT_FORMS = {
    F.CULTURE_EXPANDED: [
        r"(culture|ex vivo|in vitro) expanded",
        r"expanded (ex vivo|in vitro|in culture)",
        r"(cell|culture|ex vivo|in vitro) expansion",
        r"cultured",
        r"passages? \d+",
    ],
    F.FRESH: [
        r"fresh(ly)? (prepared|isolated|harvested|cultured|expanded|collected)",
        r"fresh (mesenchymal |stem |stromal )*(cells?|MSCs?|products?|suspensions?)",
        r"non ?cryopreserved",
        r"never (been )?frozen",
        r"without (prior )?(cryopreservation|freezing)",
    ],
    F.CRYOPRESERVED: [
        r"cryo ?preserv\w*",
        r"thaw(ed|ing)",
        r"frozen (and )?thawed",
        r"frozen (mesenchymal |stem |stromal )*(cells?|MSCs?|products?|vials?|bags?|aliquots?|suspensions?)",
        r"liquid nitrogen",
        r"cryo ?bags?",
    ],
}

# ---------------------------------------------------------------------------
# How the cells are given.
# ---------------------------------------------------------------------------

ROUTES = {
    R.INTRAVENOUS: [
        r"intra ?venous\w*",
        r"(?-i:IV|I\.V\.|i\.v\.)",
        r"(peripheral|antecubital|cubital|forearm) vein",
        r"venous infusion",
        r"into (a|the) vein",
    ],
    R.INTRA_ARTERIAL: [
        r"intra ?arterial(ly)?",
        r"(dorsal )?pancreatic arter(y|ies)",
        r"(splenic|c(o)?eliac|gastroduodenal|superior mesenteric) arter(y|ies)",
        r"(arterial|angiographic) (catheter|infusion|delivery)",
    ],
    R.INTRAPORTAL: [r"intra ?portal(ly)?", r"portal vein"],
    R.INTRAMUSCULAR: [
        r"intra ?muscular(ly)?",
        r"(?-i:IM)",
        r"into the (\w+ )?(muscles?|gastrocnemius|calf|thigh)",
        r"(muscle|gastrocnemius) injections?",
    ],
    R.LOCAL: [
        r"topical(ly)?",
        r"local(ly)? (injection|injected|application|applied|administration|administered|delivery)",
        r"(applied|application|spread) (to|on|onto|over) the (wound|ulcer)",
        r"wound (bed|edges?|margins?)",
        r"peri ?(lesional|wound|ulcer)(ly)?",
        r"intra ?lesional(ly)?",
        r"(around|into) the (ulcer|wound)s?",
        r"(hydrogel|scaffold|dressing|sheet|patch|spray)",
    ],
    R.SUBCUTANEOUS: [r"sub ?cutaneous(ly)?", r"(?-i:s\.c\.)"],
    R.INTRARENAL: [r"intra ?renal(ly)?", r"renal arter(y|ies)", r"into the kidneys?"],
    R.OTHER: [
        r"intra ?thecal(ly)?",
        r"intra ?vitreal(ly)?",
        r"intra ?pancreatic(ally)?",
        r"intra ?nasal(ly)?",
        r"intra ?(bone marrow|osseous)",
        r"intra ?coronary",
        r"intra ?dermal(ly)?",
        r"sub ?retinal(ly)?",
        r"intra ?articular(ly)?",
        r"intra ?cavernos(al|ous)(ly)?",
    ],
}

# A route word followed or preceded this closely by one of these is about something else
# ("subcutaneous lipoaspiration", "intravenous glucose tolerance test", "IV insulin").
ROUTE_BLOCKERS = [
    r"insulin\w*",
    r"glucose",
    r"tolerance",
    r"fat",
    r"adipose",
    r"tissue",
    r"lipo\w+",
    r"liposuction",
    r"an(a)?esthe\w+",
    r"antibiotics?",
    r"contrast",
    r"heparin",
    r"fluids?",
    r"hydration",
    r"phase",
    r"stage",
    r"grade",
    r"type",
    r"class",
    r"(?-i:NYHA)",
    r"wagner",
]
ROUTE_BLOCKER_WORDS = 2

# ---------------------------------------------------------------------------
# What is treated.
# ---------------------------------------------------------------------------

# An abbreviation that is one part of a product code names the product, not the disease
# ("ALLO-ASC-DFU" used for burns, "PLX-PAD"): it must not follow another part and a hyphen.
NOT_IN_CODE = r"(?<![A-Za-z0-9]-)"

# Diabetes a total pancreatectomy causes, which an islet autotransplant is there to prevent.
POST_PANCREATECTOMY = [
    r"post ?pancreatectomy diabet\w*",
    r"(?-i:TP ?IAT|TPIAT)",
    r"total pancreatectomy (with|and) (islet )?auto ?transplant\w*",
    r"islet auto ?transplant\w*",
]

# Any of these makes a trial a diabetes trial (the abbreviations all stand for "diabetic ...").
DIABETES = [
    *POST_PANCREATECTOMY,
    r"type ?(1|2|I|II|one|two) diabet\w*",  # also run together: "Type1diabetes"
    r"diabet\w*",
    r"(?-i:T[12]DM?)",
    r"(?-i:IDDM|NIDDM)",
    r"(?-i:E1[01])(\.\d+)?",
    NOT_IN_CODE + r"(?-i:DFUs?|DKD|DPN|DSPN|DME)",
]

# "Type 1 or type 2 diabetes", "diabetes mellitus type 2 or type 1": both types, each named.
BOTH_TYPES = [
    r"type ?(1|I|one) (or|and|/|&) (type ?)?(2|II|two) (diabet\w*|DM)",
    r"diabet\w*( mellitus)?,? type ?(1|I) (or|and|/|&) (type ?)?(2|II)\b",
    r"diabet\w*( mellitus)?,? type ?(2|II) (or|and|/|&) (type ?)?(1|I)\b",
]

DIABETES_TYPES = {
    D.T1D: [
        r"type ?(1|I|one) (diabet\w*|DM)",
        r"(?-i:T1DM?)",
        r"diabet\w*( mellitus)?,? type ?(1|I)\b",
        r"diabet\w* (1|I) type",
        *BOTH_TYPES,
        r"insulin dependent diabet\w*",
        r"(?-i:IDDM)",
        r"juvenile( onset)? diabet\w*",
        r"autoimmune diabet\w*",
    ],
    D.T2D: [
        r"type ?(2|II|two) (diabet\w*|DM)",
        r"(?-i:T2DM?)",
        r"diabet\w*( mellitus)?,? type ?(2|II)\b",
        r"diabet\w* (2|II) type",
        *BOTH_TYPES,
        r"non insulin dependent diabet\w*",
        r"(?-i:NIDDM)",
    ],
    D.DIABETIC_FOOT: [
        r"diabetic foot( ulcers?| wounds?| syndrome)?",
        NOT_IN_CODE + r"(?-i:DFUs?)",
        r"(neuropathic|ischa?emic|diabetic|chronic) (foot |plantar )?(ulcers?|wounds?)",
        r"foot ulcers?",
    ],
    D.NEPHROPATHY: [
        r"diabetic nephropath\w*",
        r"diabetic kidney disease",
        r"(?-i:DKD)",
        r"diabetic (renal|kidney) (disease|injury|damage|failure)",
        r"nephropath\w*",
    ],
    D.NEUROPATHY: [
        r"diabetic (peripheral |sensorimotor |autonomic )?(poly)?neuropath(y|ies)",
        r"(?-i:DPN|DSPN)",
        # A noun: "neuropathic ulcer" is a kind of foot ulcer; optic neuropathy is an eye disease.
        r"(?<!optic[ -])(peripheral )?neuropath(y|ies)",
    ],
    D.RETINOPATHY: [
        r"diabetic retinopath\w*",
        r"diabetic macular (o)?edema",
        r"(?-i:DME|PDR)",
        r"(proliferative )?retinopath\w*",
    ],
    D.LIMB_ISCHEMIA: [
        r"(critical |chronic )?limb( threatening)? isch(a)?emi\w*",
        r"(?-i:CLI|CLTI)",
        r"peripheral arter(y|ial) (occlusive )?disease",
        NOT_IN_CODE + r"(?-i:PAD|PAOD)",
        r"diabetic (foot )?(angiopathy|vasculopathy|macroangiopathy)",
        r"peripheral vascular disease",
        r"thromboangiitis",
    ],
    D.OTHER: [
        r"diabetic (cardiomyopathy|gastroparesis|erectile dysfunction)",
        r"erectile dysfunction",
        r"endothelial dysfunction",
    ],
}

# Forms of diabetes that are neither type 1 nor type 2 (recorded as "other"). A page that
# names one in its conditions or title is not read for type 1 / type 2 further down.
OTHER_DIABETES_FORMS = [
    r"cystic fibrosis( related)? diabet\w*",
    r"(?-i:CFRD)",
    r"post ?transplant(ation)? diabet\w*",
    r"new onset diabetes after transplant\w*",
    r"(?-i:NODAT|PTDM|MODY)",
    r"maturity onset diabetes of the young",
    r"monogenic diabet\w*",
    r"gestational diabet\w*",
    r"type ?3c diabet\w*",
    r"pancreatogenic diabet\w*",
    *POST_PANCREATECTOMY,
]

# ICD-10: E10 is type 1, E11 type 2; the digit after the dot names the complication.
ICD10 = r"(?-i:E1[01])(\.(?P<sub>\d{1,3}))?"
ICD10_TYPES = {"E10": D.T1D, "E11": D.T2D}
ICD10_COMPLICATIONS = {
    "2": D.NEPHROPATHY,
    "3": D.RETINOPATHY,
    "4": D.NEUROPATHY,
    "5": D.LIMB_ISCHEMIA,
    "62": D.DIABETIC_FOOT,
}

# Scope words for trials of MSCs for something other than diabetes (used in the reason).
OTHER_INDICATIONS = [
    r"osteoarthritis",
    r"graft ?versus ?host disease",
    r"(?-i:GVHD|GvHD|aGVHD|cGVHD)",
    r"covid\w*",
    r"(?-i:ARDS)",
    r"multiple sclerosis",
    r"crohn'?s disease",
    r"lupus",
    r"spinal cord injur\w*",
    r"heart failure",
    r"myocardial infarction",
    r"liver cirrhosis",
    r"stroke",
]

# Onset: the page names it, or an inclusion window since diagnosis is at most this long.
RECENT_ONSET = [
    r"new(ly)? (diagnosed|onset)",
    r"recent(ly)? (onset|diagnosed)",
    r"early stage type ?(1|I) diabet\w*",
]
RECENT_ONSET_MAX_MONTHS = 24

# ---------------------------------------------------------------------------
# Context: negation, the patient's history, background remarks.
# ---------------------------------------------------------------------------

# Within a few words before a term, these deny it ("no history of", "not autologous").
NEGATIONS = [
    r"no",
    r"not",
    r"non",
    r"without",
    r"never",
    r"neither",
    r"nor",
    r"absence of",
    r"free of",
    r"rather than",
    r"instead of",
    r"other than",
    r"unlike",
    r"than",
    r"excluding",
    r"except",
    r"exclude[sd]?",
    r"denies",
    r"negative for",
    r"lack of",
]
NEGATION_WORDS = 8

# Before an MSC term in its sentence, these make the cells what the trial measures, not what
# it gives ("the effect of fisetin on adipose-derived MSC function", "osteogenic
# differentiation of the MSCs of patients with type 2 diabetes").
STUDIED = [
    r"(effects?|impacts?|influences?) of .+ on",
    r"(differentiation|activation|function|expression|senescence|proliferation|apoptosis)( defects?)? (of|in)( the)?",
]

# Within a few words before a term, these put it in the patient's past, not in this trial.
HISTORY = [
    r"history of",
    r"previous(ly)?",
    r"prior",
    r"earlier",
    r"(had|have|has) (received|undergone)",
    r"underwent",
    r"received an?",
    r"after (an? )?(failed )?",
]
HISTORY_WORDS = 6

# A summary or description sentence with one of these and none of STUDY_CUES is background:
# it may name sources, donors or routes that are not this trial's.
BACKGROUND_CUES = [
    r"can be",
    r"could be",
    r"may be",
    r"might",
    r"advantages?",
    r"ha(s|ve) emerged",
    r"ha(s|ve) been (shown|reported|demonstrated|used|proposed|suggested|studied)",
    r"studies (have|show|suggest)\w*",
    r"previous (studies|trials|reports)",
    r"animal (models?|studies|experiments)",
    r"pre ?clinical",
    r"in (general|theory)",
    r"literature",
    r"suggests?",
    r"evidence",
    r"(is|are) known",
    r"(is|are) (often |commonly |closely |strongly )?associated with",
    r"commonly",
    r"typically",
    r"(prevent|avoid|reduce the risk of) (the )?(long term |chronic |diabetic )?complications",
    r"complications (such as|like|including)",
]
STUDY_CUES = [
    r"this (study|trial|protocol|project)",
    r"(the )?(present|current) (study|trial)",
    r"will (be|receive|undergo|get|obtain|use|measure|evaluate)",
    r"(patients|participants|subjects) (will|who)",
    r"enrolled",
    r"randomi[sz]ed",
    r"we (will|aim|propose|plan)",
    r"in (the|this) (study|trial)",
    r"(is|are) (to be )?(administered|infused|injected|transplanted|given)",
    r"the purpose",
]

# Two donor words joined by "or" in one sentence are a general remark, not a decision.
DONOR_ALTERNATIVES = r"\bor\b|\beither\b|\bwhether\b"

# ---------------------------------------------------------------------------
# Comparators and co-interventions.
# ---------------------------------------------------------------------------

# An arm or intervention named like this gives no cells.
PLACEBO = [r"placebo", r"sham", r"vehicle( only| control)?", r"(normal )?saline( only| infusion)?"]
# In running text only these name a placebo control ("cells suspended in saline" does not).
PLACEBO_IN_TEXT = [r"placebo", r"sham"]
STANDARD_CARE = [
    r"standard (of )?(\w+ )?(care|treatment|therapy|dressings?)",
    r"(conventional|usual|routine|best medical|current) (\w+ )?(care|treatment|therapy|dressings?)",
    r"insulin (therapy|treatment) (alone|only)",
    r"control (group|arm)",
    r"(?-i:SOC)",
]
CO_INTERVENTIONS = {
    C.VITAMIN_D: [r"vitamin ?(?-i:D)3?", r"cholecalciferol", r"calcitriol"],
    C.MONONUCLEAR_CELLS: [r"mononuclear( stem)? cells?", r"(?-i:BM ?MNCs?|BMMNCs?|MNCs?)"],
    C.LIRAGLUTIDE: [r"liraglutide", r"victoza"],
    C.ISLET_TRANSPLANT: [
        r"islets?( cells?)? (transplant(ation|s)?|allotransplant(ation)?|infusion|grafts?)",
    ],
    C.IMMUNOSUPPRESSION: [
        r"anti ?thymocyte globulin",
        r"(?-i:ATG)",
        r"cyclosporin\w*",
        r"tacrolimus",
        r"sirolimus",
        r"mycophenolate",
    ],
}

# ---------------------------------------------------------------------------
# Numbers: doses and eligibility.
# ---------------------------------------------------------------------------

# Sentences about how often the cells are given.
DOSE_COUNT_WORDS = {
    "single": 1,
    "one": 1,
    "once": 1,
    "two": 2,
    "twice": 2,
    "double": 2,
    "three": 3,
    "thrice": 3,
    "four": 4,
    "five": 5,
    "six": 6,
}
DOSE_EVENTS = r"(doses?|infusions?|injections?|administrations?|applications?|treatments?|transplant(ation)?s?|courses?|cycles?|sessions?)"
# "three doses" compared side by side are dose levels, not three administrations.
DOSE_LEVEL_CUES = r"(compar\w*|different|ascending|escalating|randomi[sz]ed to|levels?)"

# What an eligibility number is about: the nearest of these before it.
ELIGIBILITY_ANCHORS = {
    "age": r"ages?d?|years? old|year olds?",
    "hba1c": r"(?-i:HbA1c|HbA1C|HBA1C|HgbA1c|A1C|A1c)|hb ?a1c|hemoglobin a1c|glyc(at|osyl)ated ha?emoglobin( a1c)?|glycohemoglobin",
    "c_peptide": r"c ?peptide",
    "bmi": r"(?-i:BMI)|body mass index",
    "diabetes_duration": r"diagnos\w*|duration|onset|diabetes for|history of (type ?[12I]+ )?diabetes|course of (the )?disease",
    # Numbers about anything else are skipped, not given to the anchor before them.
    "other": r"glucose|creatinine|insulin|pressure|counts?|platelets?|cholesterol|triglycerides?|weight|e?GFR|antibod\w*|(?-i:ALT|AST|INR|PTT|PT)|proteinuria|albumin\w*|ketoacidosis|hypoglyc\w*|episodes?|times|mg|dose",
}
ELIGIBILITY_UNITS = {
    "age": {"years": 1.0, "year": 1.0, "yrs": 1.0, "y": 1.0, "months": 1 / 12},
    "hba1c": {"%": 1.0, "mmol/mol": 1.0},
    "c_peptide": {"nmol/l": 1.0, "pmol/ml": 1.0, "ng/ml": 1.0, "pmol/l": 1.0, "ng/dl": 1.0},
    "bmi": {"kg/m2": 1.0, "kg/m²": 1.0, "kg/m^2": 1.0},
    "diabetes_duration": {
        "days": 1 / 30.44,
        "day": 1 / 30.44,
        "weeks": 7 / 30.44,
        "week": 7 / 30.44,
        "months": 1.0,
        "month": 1.0,
        "years": 12.0,
        "year": 12.0,
    },
}
# The unit a measure is stored in, and the plausible range of its numbers in that unit.
ELIGIBILITY_STORED_UNIT = {
    "age": "years",
    "hba1c": "%",
    "c_peptide": "",  # kept in the unit the page uses
    "bmi": "kg/m²",
    "diabetes_duration": "months",
}
ELIGIBILITY_PLAUSIBLE = {
    "age": (0, 120),
    "hba1c": (3, 200),  # % or mmol/mol
    "c_peptide": (0, 5000),
    "bmi": (10, 80),
    "diabetes_duration": (0, 1200),
}
