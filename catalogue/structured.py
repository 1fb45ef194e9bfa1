"""schema.org JSON-LD for search engines and dataset indexes, built as plain dicts.

Templates print them with the `json_ld` filter, which escapes <, > and & so scraped text
cannot end the script element.
"""

from __future__ import annotations

from django.urls import reverse

from .export import iso
from .models import Trial
from .snapshot import DESCRIPTION, LICENSE_URLS, TITLE, Snapshot
from .vocabulary import Phase, Status, label

SCHEMA = "https://schema.org"

# ClinicalTrials.gov statuses that schema.org's MedicalStudyStatus names; the rest go as text.
_STUDY_STATUS = {
    Status.ACTIVE_NOT_RECRUITING: "ActiveNotRecruiting",
    Status.COMPLETED: "Completed",
    Status.ENROLLING_BY_INVITATION: "EnrollingByInvitation",
    Status.NOT_YET_RECRUITING: "NotYetRecruiting",
    Status.RECRUITING: "Recruiting",
    Status.SUSPENDED: "Suspended",
    Status.TERMINATED: "Terminated",
    Status.WITHDRAWN: "Withdrawn",
}
_MASKING = {
    "NONE": "OpenTrial",
    "SINGLE": "SingleBlindTrial",
    "DOUBLE": "DoubleBlindedTrial",
    "TRIPLE": "TripleBlindedTrial",
    "QUADRUPLE": "TripleBlindedTrial",  # schema.org has no quadruple-blind design
}


def medical_trial(trial: Trial, url: str) -> dict:
    """A trial as a schema.org MedicalTrial. `trial` comes from `Trial.objects.for_detail()`.

    Dates: schema.org gives MedicalTrial no date properties; startDate, endDate and
    dateModified are the names every other schema.org type uses, which readers understand.
    """
    sponsors = list(trial.trial_sponsors.all())
    locations = list(trial.locations.all())
    data = {
        "@context": SCHEMA,
        "@type": "MedicalTrial",
        "@id": url,
        "url": url,
        "name": trial.title,
        "identifier": trial.registry_id,
        "alternateName": [
            t for t in (trial.official_title, trial.acronym) if t and t != trial.title
        ],
        "description": trial.brief_summary,
        "status": _status(trial.overall_status),
        "phase": [label(Phase, p) for p in trial.phases],
        "trialDesign": _designs(trial, locations),
        "healthCondition": [{"@type": "MedicalCondition", "name": c} for c in trial.conditions],
        "sponsor": [
            {"@type": "Organization", "name": s.sponsor.name}
            for s in sorted(sponsors, key=lambda s: s.role != "lead")
        ],
        "startDate": iso(trial.start_date, trial.start_date_precision),
        "endDate": iso(trial.completion_date, trial.completion_date_precision),
        "dateModified": iso(trial.last_update, trial.last_update_precision),
        "studyLocation": [_place(loc) for loc in locations],
    }
    if trial.is_nct:
        data["sameAs"] = f"https://clinicaltrials.gov/study/{trial.registry_id}"
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def _status(status: str) -> str | None:
    if status in _STUDY_STATUS:
        return f"{SCHEMA}/{_STUDY_STATUS[status]}"
    return label(Status, status) if status else None


def _designs(trial: Trial, locations: list) -> list[str]:
    designs = []
    if trial.allocation == "RANDOMIZED":
        designs.append("RandomizedTrial")
    if trial.masking in _MASKING:
        designs.append(_MASKING[trial.masking])
    if len(trial.countries) > 1:
        designs.append("InternationalTrial")
    if locations:
        designs.append("MultiCenterTrial" if len(locations) > 1 else "SingleCenterTrial")
    return [f"{SCHEMA}/{d}" for d in designs]


def _place(location) -> dict:
    address = {
        "@type": "PostalAddress",
        "addressLocality": location.city,
        "addressRegion": location.state,
        "addressCountry": location.country,
    }
    place = {
        "@type": "AdministrativeArea",
        "name": location.facility or location.city or location.country,
        "address": {k: v for k, v in address.items() if v},
    }
    return {k: v for k, v in place.items() if v}


def dataset(snapshot: Snapshot, url: str, absolute) -> dict:
    """The newest snapshot as a schema.org Dataset, for dataset indexes; `absolute` makes a
    path a full URL (request.build_absolute_uri)."""
    package = snapshot.package
    licence = package["licenses"][0]["name"]
    return {
        "@context": SCHEMA,
        "@type": "Dataset",
        "@id": url,
        "url": url,
        "name": TITLE,
        "description": DESCRIPTION,
        "version": package["version"],
        "datePublished": snapshot.date.isoformat(),
        "license": LICENSE_URLS.get(licence, licence),
        "creator": {"@type": "Organization", "name": TITLE},
        "isBasedOn": "https://clinicaltrials.gov/",
        "keywords": package["keywords"],
        "distribution": [
            {
                "@type": "DataDownload",
                "encodingFormat": mediatype,
                "contentUrl": absolute(
                    reverse("catalogue:snapshot_file", args=[snapshot.name, filename])
                ),
            }
            for filename, mediatype in (
                ("trials.csv", "text/csv"),
                ("trials.json", "application/json"),
            )
        ],
    }
