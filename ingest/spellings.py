"""Every registry's way of writing a recruitment status or a phase, and the catalogue's value
for it: the one table every parser reads (through `ingest.normalize` or directly).

A spelling is looked up whole, after folding case, spaces, dashes and a trailing full
stop. A spelling not in the table is not guessed at: `status` and `phases` give None,
and the parser keeps the words as written (`status_as_written`, `phase_as_written`) with
a warning, which puts the trial in the review queue. Add a spelling here when a curator
has decided what it means.

Judgement calls, each the closest catalogue meaning of the registry's own definition:
- "Not recruiting" (WHO ICTRP's coarse status) and "Recruitment complete" (IRCT, DRKS)
  say recruitment has ended, not that the trial has: "Active, not recruiting".
- "Authorised" (EU CTR through ICTRP: "Authorised - recruitment may be ongoing or
  finished") says neither: "Unknown status".
- "Pending" (ChiCTR, IRCT, TCTR): registered, recruitment not started: "Not yet recruiting".
- Phase 0 is ClinicalTrials.gov's "Early Phase 1" (its name for phase 0 since 2017).
- ChiCTR's "New Treatment Measure Clinical Study" and "Post-market" are its categories
  for studies outside the numbered phases and after marketing: "Not applicable" and phase 4.
"""

from __future__ import annotations

import re
from functools import lru_cache

from catalogue.vocabulary import Phase, Status

# The catalogue's statuses and phases (ClinicalTrials.gov API v2's enum values), read from
# its one vocabulary.
STATUS_VALUES: tuple[str, ...] = tuple(Status.values)
PHASE_VALUES: tuple[str, ...] = tuple(Phase.values)

# Spelling (folded by `key`) -> status. The enum values themselves ("ACTIVE_NOT_RECRUITING")
# and their words ("active not recruiting") need no row.
# ClinicalTrials.gov's own words for its values: the catalogue's spelling, nothing to keep.
OWN_STATUSES: dict[str, str] = {
    "active, not recruiting": "ACTIVE_NOT_RECRUITING",
    "not yet recruiting": "NOT_YET_RECRUITING",
    "enrolling by invitation": "ENROLLING_BY_INVITATION",
    "unknown status": "UNKNOWN",
    "unknown": "UNKNOWN",
}
STATUSES: dict[str, str] = {
    **OWN_STATUSES,
    # WHO ICTRP's own summary of every registry's status
    "not recruiting": "ACTIVE_NOT_RECRUITING",
    "authorised": "UNKNOWN",
    "authorized": "UNKNOWN",
    "authorised-recruitment may be ongoing or finished": "UNKNOWN",
    "not authorised": "WITHDRAWN",
    # ChiCTR, IRCT, TCTR
    "pending": "NOT_YET_RECRUITING",
    "suspending": "SUSPENDED",
    "recruitment complete": "ACTIVE_NOT_RECRUITING",
    "recruitment completed": "ACTIVE_NOT_RECRUITING",
    "recruiting complete": "ACTIVE_NOT_RECRUITING",
    "complete": "COMPLETED",
    # CTRI
    "open to recruitment": "RECRUITING",
    "closed to recruitment of participants": "ACTIVE_NOT_RECRUITING",
    "yet to recruit": "NOT_YET_RECRUITING",
    # ANZCTR
    "stopped early": "TERMINATED",
    "closed: follow-up continuing": "ACTIVE_NOT_RECRUITING",
    "closed: follow-up complete": "COMPLETED",
    # EU CTR
    "prematurely ended": "TERMINATED",
    "temporarily halted": "SUSPENDED",
    # ISRCTN, UMIN-CTR, jRCT
    "no longer recruiting": "ACTIVE_NOT_RECRUITING",
    "stopped": "TERMINATED",
    "preinitiation": "NOT_YET_RECRUITING",
    "open public recruiting": "RECRUITING",
    "main results already published": "COMPLETED",
    "complete: follow-up complete": "COMPLETED",
    "complete: follow-up continuing": "ACTIVE_NOT_RECRUITING",
    # DRKS
    "recruiting ongoing": "RECRUITING",
    "recruiting planned": "NOT_YET_RECRUITING",
    "recruiting complete, study complete": "COMPLETED",
    "recruiting complete, follow-up continuing": "ACTIVE_NOT_RECRUITING",
    "recruiting complete, follow-up complete": "COMPLETED",
    "recruiting stopped after recruiting started": "TERMINATED",
    "recruiting withdrawn before recruiting started": "WITHDRAWN",
    "recruiting suspended on temporary hold": "SUSPENDED",
}

# Spelling (folded by `key`) -> phases, for spellings that are not phase numbers.
OWN_PHASES: dict[str, tuple[str, ...]] = {
    "n/a": ("NA",),
    "na": ("NA",),
    "not applicable": ("NA",),
    "early phase 1": ("EARLY_PHASE1",),
    "early phase i": ("EARLY_PHASE1",),
    "early_phase1": ("EARLY_PHASE1",),
}
PHASES: dict[str, tuple[str, ...]] = {
    **OWN_PHASES,
    # EU CTR's trial categories, each naming its phase
    "human pharmacology (phase i)": ("PHASE1",),
    "therapeutic exploratory (phase ii)": ("PHASE2",),
    "therapeutic confirmatory (phase iii)": ("PHASE3",),
    "therapeutic confirmatory - (phase iii)": ("PHASE3",),
    "therapeutic use (phase iv)": ("PHASE4",),
    # ChiCTR's study categories outside the numbered phases
    "new treatment measure clinical study": ("NA",),
    "post-market": ("PHASE4",),
    "post market": ("PHASE4",),
    "post-marketing": ("PHASE4",),
}
# Phase numbers as registries write them; 0 is Early Phase 1 (see above).
PHASE_NUMBERS: dict[str, str] = {
    "0": "EARLY_PHASE1",
    "1": "PHASE1",
    "i": "PHASE1",
    "2": "PHASE2",
    "ii": "PHASE2",
    "3": "PHASE3",
    "iii": "PHASE3",
    "4": "PHASE4",
    "iv": "PHASE4",
}
# "Phase 1/Phase 2", "1-2", "Phase I,II", "phase 1b/2a", "PHASE1|PHASE2", "Phase 2 and 3":
# phase numbers, each with or without "phase", joined by / - , & + | "and" "to".
_NUMBER = r"(?:phase[\s_-]*)?(0|1|2|3|4|iv|iii|ii|i)[ab]?"
_JOINER = r"\s*(?:/|-|,|&|\+|\||\band\b|\bto\b|\s)\s*"
_NUMBERS = re.compile(rf"{_NUMBER}(?:{_JOINER}{_NUMBER})*")
_EU_CATEGORY = re.compile(
    r"(human pharmacology|therapeutic exploratory|therapeutic confirmatory|therapeutic use)"
    r"\s*-?\s*\(phase (i|ii|iii|iv)\)\s*:\s*(yes|no)"
)


def key(written: str) -> str:
    """A spelling folded for lookup: case, runs of spaces, dashes, a trailing full stop."""
    text = " ".join((written or "").replace("–", "-").replace("—", "-").split()).casefold()
    return text.rstrip(".").strip().replace("follow up", "follow-up")


# No spelling in the tables is longer; longer text is not looked up (nor cached).
_LONGEST = 400


@lru_cache(maxsize=4096)  # a registry dump repeats a few spellings thousands of times
def _status(written: str) -> str | None:
    folded = key(written)
    if not folded:
        return None
    if folded in STATUSES:
        return STATUSES[folded]
    enum = re.sub(r"[\s,_-]+", "_", folded).upper()
    return enum if enum in STATUS_VALUES else None


def status(written: str) -> str | None:
    """The catalogue's status for a registry's spelling; None when it is not in the table."""
    return _status(written) if written and len(written) <= _LONGEST else None


def phases(written: str) -> tuple[str, ...] | None:
    """The catalogue's phases for a registry's spelling of a trial's phase; None when it is
    not in the table. "Phase 1/Phase 2" -> ("PHASE1", "PHASE2")."""
    return _phases(written) if written and len(written) <= _LONGEST else None


@lru_cache(maxsize=4096)
def _phases(written: str) -> tuple[str, ...] | None:
    folded = key(written)
    if not folded:
        return None
    if folded in PHASES:
        return PHASES[folded]
    if folded.upper() in PHASE_VALUES:
        return (folded.upper(),)
    if _NUMBERS.fullmatch(folded):
        numbers = re.findall(_NUMBER, folded)
        return tuple(dict.fromkeys(PHASE_NUMBERS[n] for n in numbers))
    # EU CTR through ICTRP: every category with "yes" or "no" after it.
    categories = _EU_CATEGORY.findall(folded)
    if categories and not _EU_CATEGORY.sub("", folded).strip(" ;,\n"):
        chosen = [PHASE_NUMBERS[number] for _, number, said in categories if said == "yes"]
        return tuple(dict.fromkeys(chosen)) or None
    return None


def read_status(written: str) -> tuple[str, str]:
    """(the catalogue's status or "", the words worth keeping as written or "").

    The words are kept when the table does not know them, or knows them as another
    registry's way of saying it ("Recruiting complete"); not for ClinicalTrials.gov's own
    spellings ("COMPLETED", "Active, not recruiting")."""
    value = status(written)
    words = " ".join((written or "").split())
    if value is None:
        return "", words
    own = key(written) in OWN_STATUSES or _letters(written) == _letters(value)
    return value, "" if own else words


def read_phases(written: str) -> tuple[list[str], str]:
    """(the catalogue's phases, the words worth keeping as written or ""), as `read_status`:
    phase numbers in any style ("Phase I/II", "1-2") are not kept, category names are."""
    values = phases(written)
    words = " ".join((written or "").split())
    if values is None:
        return [], words
    folded = key(written)
    own = folded in OWN_PHASES or folded.upper() in PHASE_VALUES or bool(_NUMBERS.fullmatch(folded))
    return list(values), "" if own else words


def _letters(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.casefold())
