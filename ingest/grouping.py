"""A batch's documents sorted into the trials they are records of (`ingest.identity`).

Documents meet when the registry ids they claim meet: a record's own id, or another
registry's id it names as its own registration. A stored trial is found by any of its
ids (`Trial.objects.with_any_id`). A batch that links two stored trials makes them one:
the later-registered entry's sources and curators' notes move to the other
(`absorb`), and the trial is assembled again from all of them.
"""

from __future__ import annotations

from collections import defaultdict

import pghistory
from django.db import transaction

from catalogue import search_index
from catalogue.models import (
    CuratorDeletion,
    CuratorLock,
    ErrorReport,
    IdentityDecision,
    ReviewNote,
    SourceDocument,
    Trial,
    TrialSponsor,
)
from records.merge import canonical_order

from . import identity
from .assemble import Stored
from .state import StoredSource, stored_sources, stored_state
from .writes import Group, JsonText, NewSource


def decisions() -> identity.Decisions:
    """Every curator's decision on a pair of registrations (a few rows: one query)."""
    split, joined = set(), set()
    for first, second, decision in IdentityDecision.objects.values_list(
        "first", "second", "decision"
    ):
        pair = frozenset((first, second))
        (joined if decision == IdentityDecision.Decision.JOINED else split).add(pair)
    return identity.Decisions(frozenset(split), frozenset(joined))


class _Components:
    """Union-find over the batch's documents ("p", i) and stored trials ("t", id)."""

    def __init__(self):
        self.parent: dict = {}

    def find(self, node):
        self.parent.setdefault(node, node)
        while self.parent[node] != node:
            self.parent[node] = self.parent[self.parent[node]]
            node = self.parent[node]
        return node

    def union(self, first, second) -> None:
        self.parent[self.find(first)] = self.find(second)


def groups(parsed: list) -> list[Group]:
    """One group per trial the batch touches, in the order of their first documents; a lone
    new document keeps the write its worker assembled, the others are assembled later."""
    rules = decisions()
    records = [p.source.record for p in parsed]
    claimed = [
        identity.claims(r.registry_id, p.named, rules) for r, p in zip(records, parsed, strict=True)
    ]
    stored = _stored_trials({i for ids in claimed for i in ids})
    owners: dict[str, list] = defaultdict(list)
    for trial_id, trial in stored.items():
        for identifier in trial.ids | trial.named:
            owners[identifier].append(("t", trial_id))
    for number, ids in enumerate(claimed):
        for identifier in ids:
            owners[identifier].append(("p", number))
    components, warned = _Components(), set()
    for number, record in enumerate(records):
        components.find(("p", number))
        for identifier in claimed[number]:
            for node in owners[identifier]:
                if node == ("p", number):
                    continue
                if _links(record, node, records, stored, rules):
                    components.union(("p", number), node)
                else:
                    warned.add(number)
    members: dict = defaultdict(list)
    for number in range(len(parsed)):
        members[components.find(("p", number))].append(number)
    trials_of: dict = defaultdict(list)
    for node in list(components.parent):
        if node[0] == "t":
            trials_of[components.find(node)].append(node[1])
    trial_of = {
        root: _one_trial(sorted(trials_of[root]), stored) if trials_of[root] else None
        for root in members
    }
    for number in warned:  # the warning goes into the stored parse too
        source = parsed[number].source
        source.parsed = JsonText(source.record.to_json())
    return _groups(parsed, members, trial_of)


def _links(record, node, records, stored, rules: identity.Decisions) -> bool:
    """Whether the record is of the same trial as a document or stored trial its claims meet."""
    own = record.registry_id
    if node[0] == "p":
        other = records[node[1]]
        facts, others_ids = identity.Facts.of(other), {other.registry_id}
    else:
        facts = stored[node[1]].facts
        others_ids = stored[node[1]].ids
    if own in others_ids:
        return True  # another record of the same registration
    if any(rules.apart(own, other) for other in others_ids):
        return False
    if any(rules.together(own, other) for other in others_ids):
        return True
    if identity.disagree(identity.Facts.of(record), facts):
        warning = identity.refused(min(others_ids))
        if warning not in record.warnings:
            record.warnings.append(warning)  # a review reason
        return False
    return True


class _StoredTrial:
    def __init__(self, registry_id, registrations, named, registered, titles):
        self.registry_id = registry_id
        self.ids = {registry_id, *registrations}
        self.named = set(named)
        self.registration_date = registered
        self.facts = identity.Facts(titles=titles, ids=frozenset(self.ids))


def _stored_trials(ids: set[str]) -> dict[int, _StoredTrial]:
    """The stored trials any of these ids finds, with what tells them apart (two queries)."""
    found = {
        row[0]: _StoredTrial(*row[1:5], titles=row[5:])
        for row in Trial.objects.with_any_id(sorted(ids)).values_list(
            "id",
            "registry_id",
            "registrations",
            "named_registrations",
            "registration_date",
            "brief_title",
            "official_title",
        )
    }
    sponsors = defaultdict(list)
    for trial_id, name in TrialSponsor.objects.filter(trial_id__any=list(found)).values_list(
        "trial_id", "sponsor__name"
    ):
        sponsors[trial_id].append(name)
    for trial_id, trial in found.items():
        trial.facts = identity.Facts(trial.facts.titles, tuple(sponsors[trial_id]), trial.facts.ids)
    return found


def _one_trial(trials: list[int], stored: dict[int, _StoredTrial]) -> int:
    """The stored trial a batch's documents join; several become the one their canonical
    id names (the others' sources move to it)."""
    if len(trials) == 1:
        return trials[0]
    keep = keep_of({t: stored[t] for t in trials})
    absorb(keep, [t for t in trials if t != keep])
    return keep


def keep_of(trials: dict):
    """Of several entries that are one trial, the key of the one whose id is canonical,
    given objects with `registry_id` and `registration_date`."""

    def order(key) -> tuple:
        registered = trials[key].registration_date
        return canonical_order(
            trials[key].registry_id, registered.isoformat() if registered else ""
        )

    return min(trials, key=order)


@transaction.atomic
def absorb(keep: int, others: list[int]) -> None:
    """Make `others` part of trial `keep`: their sources, curators' notes, reports, locks
    and row deletions move to it (where it has no lock of its own on the field), and they
    go. The caller assembles `keep` again from all its sources."""
    with pghistory.context(source="ingest", path=f"one trial across registries: {keep}"):
        SourceDocument.objects.filter(trial_id__in=others).update(trial_id=keep)
        for model in (ReviewNote, ErrorReport):
            model.objects.filter(trial_id__in=others).update(trial_id=keep)
        locked = set(CuratorLock.objects.filter(trial_id=keep).values_list("field", flat=True))
        CuratorLock.objects.filter(trial_id__in=others).exclude(field__in=locked).update(
            trial_id=keep
        )
        deleted = set(CuratorDeletion.objects.filter(trial_id=keep).values_list("kind", "key"))
        moved = set(CuratorDeletion.objects.filter(trial_id__in=others).values_list("kind", "key"))
        CuratorDeletion.objects.bulk_create(
            CuratorDeletion(trial_id=keep, kind=kind, key=key) for kind, key in moved - deleted
        )
        Trial.objects.filter(id__in=others).delete()
        search_index.refresh(others)


def _groups(parsed: list, members: dict, trial_of: dict) -> list[Group]:
    trial_ids = [t for t in trial_of.values() if t is not None]
    hashes = dict(Trial.objects.filter(id__any=trial_ids).values_list("id", "record_hash"))
    paths = [p.document.path for p in parsed]
    # A document at a stored path replaces the document stored there, in whichever trial.
    replaced_at = dict(SourceDocument.objects.filter(path__any=paths).values_list("path", "id"))
    state = stored_state(trial_ids)
    sources = stored_sources(trial_ids)
    out = []
    for root, numbers in sorted(members.items(), key=lambda item: item[1][0]):
        trial_id = trial_of[root]
        items = [parsed[n] for n in numbers]
        new = [p.source for p in items]
        kept, replaced = _kept_sources(sources.get(trial_id, []), new)
        replaced += [replaced_at[s.document.path] for s in new if s.document.path in replaced_at]
        alone = trial_id is None and len(items) == 1
        out.append(
            Group(
                write=items[0].write if alone else None,
                stored=state.get(trial_id, Stored()),
                sources=new,
                replaced=sorted(set(replaced)),
                trial_id=trial_id,
                stored_sources=kept,
                stored_hash=hashes.get(trial_id, ""),
            )
        )
    return out


def _kept_sources(
    stored: list[StoredSource], new: list[NewSource]
) -> tuple[list[StoredSource], list[int]]:
    """The stored sources that stay beside the new ones, and those the new ones replace
    (the same content, or the same path: a changed file replaces its old copy)."""
    digests = {s.digest for s in new}
    paths = {s.document.path for s in new}
    kept = [s for s in stored if s.sha256 not in digests and s.path not in paths]
    replaced = [s.id for s in stored if s.sha256 in digests or s.path in paths]
    return kept, replaced
