"""The other registries' ids a record names: what links one trial's registrations.

A trial registered twice (an NCT id and a ChiCTR or EudraCT number) usually says so in
its secondary ids (API v2 and classic records, the CSV's `Other IDs`, ICTRP's
`Secondary_ID`) and sometimes in its text ("also registered as ChiCTR2000031319"). Only
strings with a known registry's id shape count (`catalogue.registries`): never "N/A",
"1", a sponsor's protocol number or a grant number. Ids come back canonical, so the same
registration written two ways ("EUCTR2012-001234-56-DE", "EudraCT No. 2012-001234-56")
is one id, and never the record's own.

Pure: a record in, ids out. Cross-registry identity (which records are one trial) is
decided elsewhere; this only says what each record claims.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalogue import registries
from records import ParsedTrial

# Where in the record an id was named: a secondary id is a claim about this trial; an id in
# the text may be this trial's other registration or a trial it cites.
SECONDARY_ID = "secondary_id"
TEXT = "text"


@dataclass(frozen=True)
class NamedId:
    identifier: str  # canonical: the form the catalogue keeps as a registry id
    registry: str  # the registry's code in catalogue.registries
    where: str  # SECONDARY_ID or TEXT
    written: str  # the value or text it was found in, as the record writes it


def other_registry_ids(record: ParsedTrial, *, text: bool = True) -> list[NamedId]:
    """Every other registry id the record names, secondary ids first, each once.

    Text (titles, summary, description) is searched too unless `text` is False; an id the
    record lists among its related trials is another trial, so it is not taken from text."""
    own = registries.canonical(record.registry_id) or record.registry_id
    found: dict[str, NamedId] = {}

    def add(identifier: str, where: str, written: str) -> None:
        if identifier and identifier != own and identifier not in found:
            registry = registries.registry_of(identifier)
            found[identifier] = NamedId(identifier, registry.code, where, written[:200])

    for secondary in record.secondary_ids:
        value = secondary.identifier
        whole = registries.canonical(value)
        for identifier in [whole] if whole else registries.find_ids(value):
            add(identifier, SECONDARY_ID, value)
    if text:
        related = {registries.canonical(t.registry_id) for t in record.related_trials}
        for field in ("brief_title", "official_title", "brief_summary", "detailed_description"):
            value = getattr(record, field)
            for identifier in registries.find_ids(value):
                if identifier not in related:
                    add(identifier, TEXT, _around(value, identifier))
    return list(found.values())


def _around(text: str, identifier: str) -> str:
    """The words around an id in a long text, for a person checking the link."""
    at = text.find(identifier)
    if at < 0:
        return text[:200]
    return text[max(at - 80, 0) : at + len(identifier) + 80].strip()
