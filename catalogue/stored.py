"""A trial's stored sources read back as records and merged, without parsing them again.

Ingest rebuilds a trial from this, and the classifier's `reclassify` classifies it.
"""

from __future__ import annotations

from records.merge import Merged, Source, merge
from records.serialize import record_from_dict

from .models import Trial


def merged_record(trial: Trial) -> Merged:
    sources = [
        Source(doc.filename, record_from_dict(doc.parsed), doc.ingested_at.isoformat())
        for doc in trial.sources.all()
    ]
    return merge(sources)
