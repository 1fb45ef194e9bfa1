"""Which records are one trial: registrations linked by the registry ids they name.

A trial registered twice (an NCT id and a ChiCTR id) is one catalogue entry. A record
claims its own id and the other registries' ids it names as its own registrations
(`ingest.named_ids`: secondary ids, and ids in its text where the words around them
speak of registration); records whose claims meet are one trial. Two guards against a
false merge:
- only strings with a known registry's id shape are ids, so "N/A", "1" or a sponsor's
  protocol number never link anything;
- records linked by an id that is not both their own must not disagree on title and
  sponsor (`disagree`); when they do, they stay apart and the record goes to review.
A curator's decision on a pair (`Decisions`, from catalogue.IdentityDecision) overrides
both: joined ids link whatever their words, split ids never do.

Pure: records and decisions in, ids and verdicts out; `ingest.grouping` applies them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from records import ParsedTrial

from .named_ids import SECONDARY_ID, other_registry_ids

# Words that say a text's id is this trial's registration elsewhere, not a trial it cites.
_REGISTRATION_WORDS = re.compile(r"regist", re.IGNORECASE)
# Title words every MSC-for-diabetes trial shares: they say nothing about which trial it is.
_COMMON = frozenset(
    """a an and the of in on for with to by or at as from into vs versus study trial
    clinical phase randomized randomised controlled open label pilot safety efficacy
    effect effects evaluate evaluation treatment therapy patients patient subjects people
    mesenchymal stem stromal cell cells msc mscs derived transplantation infusion
    diabetes diabetic mellitus type t1dm t2dm""".split()
)
# Titles that share less than this part of their telling words are about different trials.
TITLE_OVERLAP = 0.34
SPONSOR_OVERLAP = 0.5


@dataclass(frozen=True)
class Decisions:
    """Curators' decisions on pairs of registry ids."""

    split: frozenset[frozenset[str]] = frozenset()
    joined: frozenset[frozenset[str]] = frozenset()

    def apart(self, first: str, second: str) -> bool:
        return frozenset((first, second)) in self.split

    def together(self, first: str, second: str) -> bool:
        return frozenset((first, second)) in self.joined

    def partners(self, identifier: str) -> set[str]:
        """The ids a curator joined to this one."""
        return {other for pair in self.joined if identifier in pair for other in pair} - {
            identifier
        }


def named(record: ParsedTrial) -> list[str]:
    """The other ids the record claims as this trial's registrations (the costly part of
    `claims`: it reads the record's text; done where the record is parsed)."""
    return [
        found.identifier
        for found in other_registry_ids(record)
        # An id in the text may be a trial it cites, unless the words around it say otherwise.
        if found.where == SECONDARY_ID or _REGISTRATION_WORDS.search(found.written)
    ]


def claims(own: str, named_ids: list[str], decisions: Decisions = Decisions()) -> list[str]:
    """The record's own id, then every other id it claims as this trial's registration,
    without those a curator split from it, with those a curator joined to it."""
    found = [own] + [i for i in named_ids if not decisions.apart(own, i)]
    return found + sorted(decisions.partners(own) - set(found))


@dataclass(frozen=True)
class Facts:
    """What tells two trials apart when their records name each other."""

    titles: tuple[str, ...]
    sponsors: tuple[str, ...] = ()
    ids: frozenset[str] = field(default_factory=frozenset)  # the registrations it is a record of

    @classmethod
    def of(cls, record: ParsedTrial) -> Facts:
        return cls(
            titles=(record.brief_title, record.official_title),
            sponsors=tuple(s.name for s in record.sponsors),
            ids=frozenset([record.registry_id]),
        )


def disagree(first: Facts, second: Facts) -> bool:
    """Whether two records that name each other read as different trials: their titles
    share too few telling words, and their sponsors no name (or one states none)."""
    return not _titles_agree(first.titles, second.titles) and not _sponsors_agree(
        first.sponsors, second.sponsors
    )


def _words(texts: Iterable[str]) -> set[str]:
    words = set(re.findall(r"[a-z0-9]+", " ".join(t or "" for t in texts).casefold()))
    return {w for w in words if w not in _COMMON and len(w) > 1}


def _overlap(first: set[str], second: set[str]) -> float:
    if not first or not second:
        return 0.0
    return len(first & second) / min(len(first), len(second))


def _titles_agree(first: tuple[str, ...], second: tuple[str, ...]) -> bool:
    a, b = _words(first), _words(second)
    if not a or not b:  # nothing telling on one side (a title of common words only)
        return True
    return _overlap(a, b) >= TITLE_OVERLAP


def _sponsors_agree(first: tuple[str, ...], second: tuple[str, ...]) -> bool:
    return any(_overlap(_words([x]), _words([y])) >= SPONSOR_OVERLAP for x in first for y in second)


def refused(other: str) -> str:
    """The warning for a link not made (it puts the record in the review queue)."""
    return (
        f"names {other} as another registration, but that record's title and sponsor differ "
        "from this one's: kept as separate trials (a curator can join them)"
    )
