"""What the curators' desk asks of ingest: rebuild trials from their stored sources now.

The one entry point the admin uses, so the admin depends on ingest and never the other way."""

from __future__ import annotations

import pghistory
from django.db import transaction

from .loader import rebuild, reparse_sources


def rebuild_trials(trials, *, reparse: bool = False) -> tuple[int, list[str]]:
    """Rebuild each trial from its stored sources (re-parsing them first when asked)."""
    done, errors = 0, []
    for trial in trials:
        with transaction.atomic(), pghistory.context(source="admin rebuild", reparse=reparse):
            if reparse:
                errors += reparse_sources(trial)
            rebuild(trial, force=True)
        done += 1
    return done, errors
