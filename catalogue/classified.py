"""The classification section of a trial's page, as plain rows for the template.

One row per declared derived field (vocabulary.DERIVED), with the stored value for people,
what the text says when a curator changed it, and the phrases it was read from.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import Trial
from .vocabulary import DERIVED, Derived, label


@dataclass(frozen=True)
class DerivedRow:
    derived: Derived
    shown: str  # the stored value for people, or what to say when there is none
    read: str | None  # when a curator changed the value: what the text says
    evidence: list[dict]  # {value, label, note, section, where, phrase}


def in_words(derived: Derived, value) -> str:
    """A derived value as people read it: labels, "Yes"/"No", or "" for no value."""
    if derived.vocabulary is None:
        return "Yes" if value else "No"
    values = value if derived.many else ([value] if value != derived.default else [])
    return ", ".join(label(derived.vocabulary, v) for v in values)


def evidence(derived: Derived | None, items: list[dict]) -> list[dict]:
    """The phrases of a field, each with the label of the value it supports."""
    out = []
    for item in items:
        vocabulary = derived.vocabulary if derived else None
        shown = (
            label(vocabulary, item["value"]) if vocabulary else item.get("note") or item["value"]
        )
        out.append({**item, "label": shown, "note": item.get("note", "") if vocabulary else ""})
    return out


def derived_rows(trial: Trial) -> list[DerivedRow]:
    detail = trial.classification or {}
    read_from_text = detail.get("derived")
    rows = []
    for derived in DERIVED:
        if derived.name == "in_scope":  # shown apart, as the page's first statement
            continue
        value = getattr(trial, derived.name)
        read = None
        if read_from_text and read_from_text.get(derived.name, value) != value:
            read = in_words(derived, read_from_text[derived.name]) or "nothing"
        rows.append(
            DerivedRow(
                derived=derived,
                shown=in_words(derived, value) or derived.empty,
                read=read,
                evidence=evidence(derived, detail.get("evidence", {}).get(derived.name, [])),
            )
        )
    return rows


def section(trial: Trial) -> dict:
    """The template context of the classification section."""
    found = (trial.classification or {}).get("evidence", {})
    return {
        "derived": derived_rows(trial),
        "scope_evidence": evidence(None, found.get("in_scope", [])),
        "dose_evidence": evidence(None, found.get("dose", [])),
    }
