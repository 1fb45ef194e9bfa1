"""The canonical JSON shape of a trial, shared by `export_trials`, downloads and any API.

Keep keys stable: people script against them. Dates are ISO strings as precise as
the source ("2012-03"). Rows come from `Trial.objects.for_export()` so that
exporting N trials costs a constant number of queries.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable

from . import flags
from .models import Trial
from .vocabulary import DERIVED

CSV_COLUMNS = (
    "registry_id",
    "registry",
    "also_registered_as",
    "title",
    "overall_status",
    "phases",
    "study_type",
    "enrollment",
    "registration_date",
    "start_date",
    "completion_date",
    "conditions",
    "lead_sponsor",
    "lead_sponsor_class",
    "collaborators",
    "countries",
    "sex",
    "minimum_age_years",
    "maximum_age_years",
    "in_scope",
    # The derived fields people filter by.
    *(derived.name for derived in DERIVED if derived.param),
    "reporting_flags",
)


def iso(value, precision: str) -> str | None:
    """A stored date back to the precision the source gave: 2012-03-01 + 'month' -> '2012-03'."""
    if value is None:
        return None
    text = value.isoformat()
    return {"year": text[:4], "month": text[:7]}.get(precision, text)


def _sponsor(link) -> dict:
    return {"name": link.sponsor.name, "class": link.sponsor.agency_class or None}


def trial_to_dict(trial: Trial) -> dict:
    sponsors = list(trial.trial_sponsors.all())
    lead = next((s for s in sponsors if s.role == "lead"), None)
    criteria = list(trial.criteria.all())
    arms = list(trial.arms.all())
    return {
        "registry_id": trial.registry_id,
        "registry": trial.registry or None,
        "registry_url": trial.registry_link or None,
        "also_registered_as": [other["id"] for other in trial.also_registered],
        "secondary_ids": trial.secondary_ids,
        "title": trial.title,
        "official_title": trial.official_title or None,
        "acronym": trial.acronym or None,
        "overall_status": trial.overall_status or None,
        "status_as_written": trial.status_as_written or None,
        "phases": trial.phases,
        "phase_as_written": trial.phase_as_written or None,
        "study_type": trial.study_type or None,
        "enrollment": trial.enrollment,
        "enrollment_type": trial.enrollment_type or None,
        "registration_date": iso(trial.registration_date, "day"),
        "start_date": iso(trial.start_date, trial.start_date_precision),
        "primary_completion_date": iso(
            trial.primary_completion_date, trial.primary_completion_date_precision
        ),
        "completion_date": iso(trial.completion_date, trial.completion_date_precision),
        "first_posted": iso(trial.first_posted, trial.first_posted_precision),
        "last_update": iso(trial.last_update, trial.last_update_precision),
        "status_verified_date": iso(
            trial.status_verified_date, trial.status_verified_date_precision
        ),
        "results_posted": trial.results_posted,
        "brief_summary": trial.brief_summary or None,
        "detailed_description": trial.detailed_description or None,
        "conditions": trial.conditions,
        "keywords": trial.keywords,
        "mesh_terms": trial.mesh_terms,
        "intervention_mesh_terms": trial.intervention_mesh_terms,
        "design": {
            "allocation": trial.allocation or None,
            "intervention_model": trial.intervention_model or None,
            "primary_purpose": trial.primary_purpose or None,
            "masking": trial.masking or None,
        },
        "lead_sponsor": _sponsor(lead) if lead else None,
        "collaborators": [_sponsor(s) for s in sponsors if s.role == "collaborator"],
        "responsible_party": trial.responsible_party or None,
        "investigators": [
            {"name": p.name, "role": p.role or None, "affiliation": p.affiliation or None}
            for p in trial.investigators.all()
        ],
        "countries": trial.countries,
        "eligibility": {
            "sex": trial.sex or None,
            "minimum_age": trial.minimum_age or None,
            "maximum_age": trial.maximum_age or None,
            "minimum_age_years": trial.minimum_age_years,
            "maximum_age_years": trial.maximum_age_years,
            "healthy_volunteers": trial.healthy_volunteers,
            "inclusion": _criteria(criteria, "inclusion"),
            "exclusion": _criteria(criteria, "exclusion"),
        },
        "arms": [
            {
                "label": a.label,
                "type": a.arm_type or None,
                "description": a.description or None,
                "interventions": [i.name for i in a.interventions.all()],
            }
            for a in arms
        ],
        "interventions": [
            {
                "name": i.name,
                "type": i.intervention_type or None,
                "description": i.description or None,
            }
            for i in trial.interventions.all()
        ],
        "outcomes": [
            {"kind": o.kind or None, "measure": o.measure, "time_frame": o.time_frame or None}
            for o in trial.outcomes.all()
        ],
        "locations": [
            {
                "facility": loc.facility or None,
                "city": loc.city or None,
                "state": loc.state or None,
                "country": loc.country or None,
                "latitude": loc.latitude,
                "longitude": loc.longitude,
            }
            for loc in trial.locations.all()
        ],
        "references": [
            {"pmid": r.pmid or None, "citation": r.citation or None} for r in trial.references.all()
        ],
        "related_trials": [r.registry_id for r in trial.related_trials.all()],
        "classification": classification(trial),
        "reporting_flags": reporting_flags(trial),
        "sources": [
            {"file": s.filename, "format": s.source_format, "sha256": s.sha256}
            for s in trial.sources.all()
        ],
    }


def classification(trial: Trial) -> dict:
    """The `classification` key: what the catalogue read from the trial's text, and why.

    - in_scope, scope_reason and every derived field of `catalogue.vocabulary.DERIVED`
      (cell_sources, donor, diabetes_types, routes, recent_onset, comparators,
      co_interventions, ...): the values as stored, curator corrections included; slugs are
      those of `catalogue.vocabulary`.
    - dose: {cells_per_kg, total_cells, doses, interval, interval_days, written, summary}
      or null; cell numbers are plain numbers ("2-3 millions/Kg" -> [2000000.0, 3000000.0]).
    - eligibility: [{measure, low, high, low_inclusive, high_inclusive, unit, kind,
      criterion, position, as_written, display}]: eligible ranges read from criteria rows
      (an exclusion row is turned round: "BMI > 30" -> high 30).
    - evidence: {field: [{value, section, where, phrase, match, note}]}: the passage each
      value was read from, the words in it that decided (`match`), and where on the page
      they stand.
    - derived: the classifier's own values, which differ from the stored ones only where
      a curator corrected them.
    - disagreements: [{field, values: {part of the page: [values]}}]: both values kept.
    - needs_review, review_reasons, classifier_version.
    """
    detail = trial.classification or {}
    return {
        **{derived.name: getattr(trial, derived.name) for derived in DERIVED},
        "scope_reason": trial.scope_reason or None,
        "product": detail.get("product") or None,
        "dose": detail.get("dose"),
        "eligibility": detail.get("eligibility", []),
        "evidence": detail.get("evidence", {}),
        "derived": detail.get("derived"),
        "disagreements": detail.get("disagreements", []),
        "needs_review": trial.needs_review,
        "review_reasons": trial.review_reasons,
        "classifier_version": detail.get("version"),
    }


def reporting_flags(trial: Trial) -> list[dict]:
    """The `reporting_flags` key: [{flag, label, text, dates}], `dates` holding the dates
    (and values) the flag was computed from, as catalogue.flags.compute gives them."""
    return [
        {"flag": f.slug, "label": f.label, "text": f.text, "dates": f.basis}
        for f in flags.shown(trial)
    ]


def _criteria(rows: list, kind: str) -> list[dict]:
    """Criteria of one kind in order; nested bullets sit under their parent as `sub`."""
    out: list[dict] = []
    by_id: dict[int, dict] = {}
    for row in rows:
        if row.kind != kind:
            continue
        item = {"text": row.text, "sub": []}
        by_id[row.pk] = item
        parent = by_id.get(row.parent_id)
        (parent["sub"] if parent else out).append(item)
    return out


def to_json(trials: Iterable[Trial]) -> str:
    return json.dumps([trial_to_dict(t) for t in trials], ensure_ascii=False, indent=2)


def json_item(data: dict) -> str:
    """One trial as an element of a streamed JSON array (snapshots write trial by trial)."""
    return json.dumps(data, ensure_ascii=False, indent=2)


def csv_row(data: dict) -> dict:
    lead = data["lead_sponsor"] or {}
    flat = {
        **data,
        **data["classification"],
        **{k: data["eligibility"][k] for k in ("sex", "minimum_age_years", "maximum_age_years")},
        "lead_sponsor": lead.get("name"),
        "lead_sponsor_class": lead.get("class"),
        "collaborators": [c["name"] for c in data["collaborators"]],
        "reporting_flags": [f["flag"] for f in data["reporting_flags"]],
    }
    row = {}
    for column in CSV_COLUMNS:
        value = flat.get(column)
        row[column] = (
            "; ".join(value) if isinstance(value, list) else ("" if value is None else value)
        )
    return row


# The start of a cell that a spreadsheet program may run as a formula (OWASP "CSV
# injection"): = + - @ also after spaces, and in the fullwidth forms some programs fold
# to ASCII; a tab or line break first, whatever follows.
_FORMULA_START = re.compile(r"[\s\u3000]*[=+\-@\uff1d\uff0b\uff0d\uff20]|[\t\r\n]")


def safe_cell(value) -> object:
    """Keep spreadsheet programs from running scraped text as a formula: a quote in front."""
    if isinstance(value, str) and _FORMULA_START.match(value):
        return "'" + value
    return value


def csv_writer(out) -> csv.DictWriter:
    """A writer of CSV rows to `out`, header written; feed it `safe_csv_row(data)`."""
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    return writer


def safe_csv_row(data: dict) -> dict:
    return {k: safe_cell(v) for k, v in csv_row(data).items()}


def to_csv(trials: Iterable[Trial]) -> str:
    out = io.StringIO()
    writer = csv_writer(out)
    for trial in trials:
        writer.writerow(safe_csv_row(trial_to_dict(trial)))
    return out.getvalue()
