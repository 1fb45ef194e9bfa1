"""The world's trial registries: one row each, the one place that knows their ids.

A row holds the registry's code (the slug stored on `Trial.registry` and used by the
list filter), its short and full name, the prefixes its ids start with, the shape of a
canonical id (a regular expression matched whole, and the same in words for messages),
other ways the same id is written (ICTRP's `EUCTR2012-001234-56-DE`, `JPRN-jRCT…`),
the URL of a record on the registry's own site, and the names ICTRP's `Source_Register`
gives it. Ingest reads ids through these functions (`ingest.normalize.registry_ids`, the
check of a document's own id); the web pages read names and links from them.

Pure Python, no Django: parsers import it.

Shapes are as far as they could be established from the registries' published formats
and ids seen in real records; URL patterns only where the registry's site addresses a
record by its id (elsewhere a record is reached through WHO ICTRP's page for the id).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

# WHO ICTRP shows every record it holds under its registry id: the link of last resort.
ICTRP_URL = "https://trialsearch.who.int/Trial2.aspx?TrialID={id}"


@dataclass(frozen=True)
class Registry:
    code: str  # the catalogue's slug: Trial.registry, the `registry` filter
    name: str  # short, as people cite it: "ChiCTR"
    full_name: str
    prefixes: tuple[str, ...]  # how its ids start; the first is the canonical prefix
    shape: str  # a canonical id, matched whole (ASCII, case as the registry writes it)
    shape_text: str  # the shape in words: "NCT + 8 digits"
    # Other ways the id is written; each has a group "id" holding the canonical id.
    written: tuple[str, ...] = ()
    url: str = ""  # the record on the registry's own site; "{id}" is the canonical id
    ictrp_names: tuple[str, ...] = ()  # Source_Register spellings in ICTRP exports
    ictrp_id: str = "{id}"  # the id as ICTRP's TrialID writes it
    # Whether a bare canonical id is recognised in running text. Not for EudraCT and EU CT
    # numbers, which have no letters: in text they count only after their registry's name.
    bare_in_text: bool = True

    def matches(self, identifier: str) -> bool:
        return bool(_SHAPES[self.code].fullmatch(identifier))


# Where an id ends: not inside a longer word or number. The digits of an EudraCT number
# must not run on either ("2022-500014-26" is the start of the EU CT number "2022-500014-26-00").
_END = r"(?![0-9A-Za-z])"
_NUMBER_END = r"(?![0-9A-Za-z]|-[0-9])"

REGISTRIES: tuple[Registry, ...] = (
    Registry(
        "ctgov",
        "ClinicalTrials.gov",
        "ClinicalTrials.gov",
        ("NCT",),
        r"NCT[0-9]{8}",
        "NCT + 8 digits",
        url="https://clinicaltrials.gov/study/{id}",
        ictrp_names=("ClinicalTrials.gov", "CT.gov", "ClinicalTrials"),
    ),
    Registry(
        "chictr",
        "ChiCTR",
        "Chinese Clinical Trial Registry",
        ("ChiCTR",),
        # Since 2016 ChiCTR + 10 digits; before, ChiCTR-<kind>-<8 digits> (TRC, IOR, ONRC, ...).
        r"ChiCTR(?:[0-9]{10}|-[A-Z]{2,5}-[0-9]{8})",
        "ChiCTR + 10 digits, or ChiCTR-XXX-8 digits",
        ictrp_names=("ChiCTR",),
    ),
    Registry(
        "irct",
        "IRCT",
        "Iranian Registry of Clinical Trials",
        ("IRCT",),
        # IRCT + registration date (Gregorian or Persian) and registrant number + N + serial.
        r"IRCT[0-9]{8,16}N[0-9]{1,4}",
        "IRCT + 8–16 digits + N + a number",
        ictrp_names=("IRCT",),
    ),
    Registry(
        "ctri",
        "CTRI",
        "Clinical Trials Registry – India",
        ("CTRI",),
        r"CTRI/[0-9]{4}/[0-9]{2,3}/[0-9]{6}",
        "CTRI/year/month/6 digits",
        ictrp_names=("CTRI",),
    ),
    Registry(
        "anzctr",
        "ANZCTR",
        "Australian New Zealand Clinical Trials Registry",
        ("ACTRN",),
        r"ACTRN[0-9]{14}",
        "ACTRN + 14 digits",
        url="https://www.anzctr.org.au/{id}.aspx",
        ictrp_names=("ANZCTR",),
    ),
    Registry(
        "euctr",
        "EU CTR",
        "EU Clinical Trials Register",
        ("EUCTR", "EudraCT"),
        r"[0-9]{4}-[0-9]{6}-[0-9]{2}",
        "a EudraCT number, year-6 digits-2 digits",
        written=(
            # ICTRP lists each country's record: EUCTR<number>-<country>, "-3RD" outside the EU.
            r"EUCTR(?P<id>[0-9]{4}-[0-9]{6}-[0-9]{2})(?:-(?:[A-Z]{2}|3RD|Outside-EU/EEA))?" + _END,
            r"(?i:Eudra[ -]?CT(?:[ -]?(?:number|no\.?|nr\.?|ID))?)[\s:#]*"
            + r"(?P<id>[0-9]{4}-[0-9]{6}-[0-9]{2})"
            + _NUMBER_END,
        ),
        url="https://www.clinicaltrialsregister.eu/ctr-search/search?query={id}",
        ictrp_names=("EU Clinical Trials Register", "EUCTR", "EU CTR", "EudraCT"),
        bare_in_text=False,
    ),
    Registry(
        "ctis",
        "CTIS",
        "EU Clinical Trials Information System",
        ("CTIS", "EU CT"),
        r"[0-9]{4}-5[0-9]{5}-[0-9]{2}-[0-9]{2}",
        "an EU CT number, year-5 and 5 digits-2 digits-2 digits",
        written=(
            r"CTIS(?P<id>[0-9]{4}-5[0-9]{5}-[0-9]{2}-[0-9]{2})" + _NUMBER_END,
            r"(?i:EU[ -]?CT(?:[ -]?(?:number|no\.?))?)[\s:#]*"
            + r"(?P<id>[0-9]{4}-5[0-9]{5}-[0-9]{2}-[0-9]{2})"
            + _NUMBER_END,
        ),
        url="https://euclinicaltrials.eu/ctis-public/view/{id}",
        ictrp_names=("CTIS", "EU CTIS", "EU Clinical Trials Information System"),
        bare_in_text=False,
    ),
    Registry(
        "isrctn",
        "ISRCTN",
        "ISRCTN registry",
        ("ISRCTN",),
        r"ISRCTN[0-9]{8}",
        "ISRCTN + 8 digits",
        url="https://www.isrctn.com/{id}",
        ictrp_names=("ISRCTN",),
    ),
    Registry(
        "jrct",
        "jRCT",
        "Japan Registry of Clinical Trials",
        ("jRCT",),
        # jRCT + a digit or a letter (s, b, c, d, e) + 9 digits.
        r"jRCT[0-9a-z][0-9]{9}",
        "jRCT + a digit or letter + 9 digits",
        written=(r"JPRN-(?P<id>jRCT[0-9a-z][0-9]{9})" + _END,),
        url="https://jrct.niph.go.jp/en-latest-detail/{id}",
        ictrp_names=("JPRN", "jRCT"),
    ),
    Registry(
        "jprn",
        "JPRN",
        "Japan Primary Registries Network: UMIN-CTR, JapicCTI, JMACCT",
        ("UMIN", "JapicCTI", "JMA-", "JPRN"),
        r"UMIN[0-9]{9}|JapicCTI-[0-9]{6}|JMA-IIA[0-9]{5}|JPRN-C[0-9]{9}",
        "UMIN + 9 digits, JapicCTI-6 digits, JMA-IIA + 5 digits",
        written=(r"JPRN-(?P<id>UMIN[0-9]{9}|JapicCTI-[0-9]{6}|JMA-IIA[0-9]{5})" + _END,),
        ictrp_id="JPRN-{id}",
        ictrp_names=("JPRN", "UMIN-CTR", "JapicCTI", "JMACCT"),
    ),
    Registry(
        "drks",
        "DRKS",
        "German Clinical Trials Register",
        ("DRKS",),
        r"DRKS[0-9]{8}",
        "DRKS + 8 digits",
        url="https://drks.de/search/en/trial/{id}",
        ictrp_names=("DRKS", "German Clinical Trials Register"),
    ),
    Registry(
        "kct",
        "CRiS",
        "Clinical Research Information Service, Republic of Korea",
        ("KCT",),
        r"KCT[0-9]{7}",
        "KCT + 7 digits",
        ictrp_names=("CRIS", "CRiS", "KCT"),
    ),
    Registry(
        "ntr",
        "NTR",
        "Netherlands Trial Register / Overview of Medical Research in the Netherlands",
        ("NL-OMON", "NTR", "NL"),
        # Not the CCMO's ABR number "NL12345.018.08": that one is 5 digits and dotted.
        r"NTR[0-9]{1,5}|NL[0-9]{4}|NL-OMON[0-9]{5,6}",
        "NTR + digits, NL + 4 digits or NL-OMON + digits",
        ictrp_names=("NTR", "Netherlands Trial Register", "OMON"),
    ),
    Registry(
        "tctr",
        "TCTR",
        "Thai Clinical Trials Registry",
        ("TCTR",),
        r"TCTR[0-9]{11}",
        "TCTR + 11 digits",
        url="https://www.thaiclinicaltrials.org/show/{id}",
        ictrp_names=("TCTR",),
    ),
    Registry(
        "pactr",
        "PACTR",
        "Pan African Clinical Trials Registry",
        ("PACTR",),
        r"PACTR[0-9]{15}",
        "PACTR + 15 digits",
        ictrp_names=("PACTR",),
    ),
    Registry(
        "slctr",
        "SLCTR",
        "Sri Lanka Clinical Trials Registry",
        ("SLCTR",),
        r"SLCTR/[0-9]{4}/[0-9]{3}",
        "SLCTR/year/3 digits",
        ictrp_names=("SLCTR",),
    ),
    Registry(
        "rebec",
        "ReBEC",
        "Brazilian Clinical Trials Registry",
        ("RBR",),
        r"RBR-[0-9a-z]{6,10}",
        "RBR- + 6 to 10 letters and digits",
        url="https://ensaiosclinicos.gov.br/rg/{id}",
        ictrp_names=("REBEC", "ReBec", "ReBEC"),
    ),
    Registry(
        "rpcec",
        "RPCEC",
        "Cuban Public Registry of Clinical Trials",
        ("RPCEC",),
        r"RPCEC[0-9]{8}",
        "RPCEC + 8 digits",
        ictrp_names=("RPCEC",),
    ),
    Registry(
        "lbctr",
        "LBCTR",
        "Lebanese Clinical Trials Registry",
        ("LBCTR",),
        r"LBCTR[0-9]{10}",
        "LBCTR + 10 digits",
        ictrp_names=("LBCTR",),
    ),
    Registry(
        "repec",
        "REPEC",
        "Peruvian Clinical Trial Registry",
        ("PER-",),
        r"PER-[0-9]{3}-[0-9]{2}",
        "PER-3 digits-2 digits",
        ictrp_names=("REPEC",),
    ),
    Registry(
        "itmctr",
        "ITMCTR",
        "International Traditional Medicine Clinical Trial Registry",
        ("ITMCTR",),
        r"ITMCTR[0-9]{10}",
        "ITMCTR + 10 digits",
        ictrp_names=("ITMCTR",),
    ),
)
BY_CODE = {r.code: r for r in REGISTRIES}
CHOICES = tuple((r.code, r.name) for r in REGISTRIES)
_SHAPES = {r.code: re.compile(r.shape, re.ASCII) for r in REGISTRIES}


def _forms(*, in_text: bool) -> list[tuple[str, Registry]]:
    """Every way an id is written, spelled-out forms before canonical shapes."""
    forms = [(w, r) for r in REGISTRIES for w in r.written]
    forms += [
        (f"(?P<id>{r.shape})" + (_END if r.bare_in_text else _NUMBER_END), r)
        for r in REGISTRIES
        if r.bare_in_text or not in_text
    ]
    return forms


def _scanner() -> tuple[re.Pattern, dict[str, Registry]]:
    """One pattern over running text for every form of every registry's id.

    Bounded by non-alphanumerics rather than \\b so "004_NCT02893306.txt" still yields its
    id; ASCII, since \\d would take other scripts' digits into an id."""
    groups: dict[str, Registry] = {}
    parts = []
    for number, (form, registry) in enumerate(_forms(in_text=True)):
        name = f"g{number}"
        groups[name] = registry
        parts.append(form.replace("(?P<id>", f"(?P<{name}>"))
    # Most positions of a text cannot start an id: one character class rejects them before
    # the alternatives are tried (a 1 MB page is scanned in ~0.1 s instead of over 1 s).
    starts = {p[0] for r in REGISTRIES for p in r.prefixes} | {"E", "e"}  # (?i:EudraCT), EU CT
    first = "[" + re.escape("".join(sorted(starts))) + "]"
    pattern = rf"(?<![0-9A-Za-z])(?={first})(?:" + "|".join(parts) + ")"
    return re.compile(pattern, re.ASCII), groups


ID_PATTERN, _GROUPS = _scanner()
_WHOLE = [(re.compile(form, re.ASCII | re.IGNORECASE), r) for form, r in _forms(in_text=False)]


def find_ids(text: str) -> list[str]:
    """Every registry id in the text, canonical, in order of appearance, without repeats."""
    found: dict[str, None] = {}
    for match in ID_PATTERN.finditer(text or ""):
        # Each alternative holds one named group (the canonical id), the only one that matched.
        found[match[match.lastgroup or 0]] = None
    return list(found)


def canonical(identifier: str) -> str:
    """The id as the catalogue keeps it, or "" when it is no known registry's id.

    Spellings ICTRP and registries use reduce to one id: "EUCTR2012-001234-56-DE" and
    "EudraCT No. 2012-001234-56" to the EudraCT number, "JPRN-jRCT2051190001" to the
    jRCT id, "nct01234567" to "NCT01234567". The whole string must be the id.
    """
    value = (identifier or "").strip()
    if not value or len(value) > 80:
        return ""
    for matcher, registry in _WHOLE:
        match = matcher.fullmatch(value)
        if match:
            return _canonical_case(match.group("id"), registry)
    return ""


def _canonical_case(found: str, registry: Registry) -> str:
    """The registry's own capitals for its prefix (matched case-blind): "nct…" -> "NCT…"."""
    if registry.matches(found):
        return found
    for prefix in registry.prefixes:
        if found[: len(prefix)].casefold() == prefix.casefold():
            fixed = prefix + found[len(prefix) :]
            if registry.matches(fixed):
                return fixed
    upper = found.upper()
    return upper if registry.matches(upper) else ""


def registry_of(identifier: str) -> Registry | None:
    """The registry whose id this is (in any of its written forms), or None."""
    value = canonical(identifier)
    if not value:
        return None
    return next(r for r in REGISTRIES if r.matches(value))


def is_valid(identifier: str) -> bool:
    return bool(canonical(identifier))


def claimed_by(identifier: str) -> Registry | None:
    """The registry an id claims by its prefix, valid or not: "NCTXXXX" claims ClinicalTrials.gov."""
    value = (identifier or "").strip().casefold()
    best = None
    for registry in REGISTRIES:
        for prefix in registry.prefixes:
            if value.startswith(prefix.casefold()) and (best is None or len(prefix) > len(best[1])):
                best = (registry, prefix)
    return best[0] if best else None


def shape_problem(identifier: str) -> str:
    """Why a document's own id cannot be right: it has a known registry's prefix but not
    its shape. "" for a valid id and for an id of a registry not in the table."""
    if is_valid(identifier):
        return ""
    registry = claimed_by(identifier)
    if registry is None:
        return ""
    return (
        f"registry id {identifier.strip()[:80]!r} is not a valid {registry.name} id "
        f"(its ids are {registry.shape_text})"
    )


def record_url(identifier: str, web_address: str = "") -> str:
    """Where a person reads the record: the address the source gave, else the registry's
    page for the id, else WHO ICTRP's page for it; "" for an id of no known registry."""
    if web_address.startswith(("https://", "http://")):
        return web_address
    value = canonical(identifier)
    if not value:
        return ""
    registry = registry_of(value)
    assert registry  # a canonical id is some registry's
    if registry.url:
        return registry.url.format(id=quote(value, safe="/"))
    return ictrp_url(value)


def ictrp_url(identifier: str) -> str:
    """WHO ICTRP's page for a registry id ("" for an id of no known registry)."""
    value = canonical(identifier)
    if not value:
        return ""
    registry = registry_of(value)
    assert registry  # a canonical id is some registry's
    trial_id = value if value.startswith("JPRN-") else registry.ictrp_id.format(id=value)
    return ICTRP_URL.format(id=quote(trial_id, safe="/"))


def on_own_site(identifier: str, web_address: str = "") -> bool:
    """Whether `record_url` leads to the registry's own site (not to WHO ICTRP)."""
    if web_address.startswith(("https://", "http://")):
        return "trialsearch.who.int" not in web_address
    registry = registry_of(identifier)
    return bool(registry and registry.url)


def _name_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.casefold())


_BY_ICTRP_NAME: dict[str, list[Registry]] = {}
for _registry in REGISTRIES:
    for _name in (*_registry.ictrp_names, _registry.name, _registry.code):
        _named = _BY_ICTRP_NAME.setdefault(_name_key(_name), [])
        if _registry not in _named:
            _named.append(_registry)


def named(source_register: str) -> list[Registry]:
    """The registries a name stands for (ICTRP's `Source_Register`): "JPRN" is jRCT or JPRN."""
    return list(_BY_ICTRP_NAME.get(_name_key(source_register), []))
