"""ingest.spellings: every registry's status and phase spellings, one by one.

Each row of the table is tested as written by its registry (the case and punctuation of
ICTRP exports and registry pages), and the table is checked to hold only catalogue values.
"""

from __future__ import annotations

import pytest

from catalogue.vocabulary import Phase, Status
from ingest import normalize, spellings

STATUS_SPELLINGS = [
    # ClinicalTrials.gov
    ("Active, not recruiting", "ACTIVE_NOT_RECRUITING"),
    ("ACTIVE_NOT_RECRUITING", "ACTIVE_NOT_RECRUITING"),
    ("Not yet recruiting", "NOT_YET_RECRUITING"),
    ("Enrolling by invitation", "ENROLLING_BY_INVITATION"),
    ("Unknown status", "UNKNOWN"),
    ("Unknown", "UNKNOWN"),
    ("Recruiting", "RECRUITING"),
    ("Completed", "COMPLETED"),
    ("Terminated", "TERMINATED"),
    ("Withdrawn", "WITHDRAWN"),
    ("Suspended", "SUSPENDED"),
    # WHO ICTRP
    ("Not Recruiting", "ACTIVE_NOT_RECRUITING"),
    ("Not recruiting", "ACTIVE_NOT_RECRUITING"),
    ("Authorised", "UNKNOWN"),
    ("Authorized", "UNKNOWN"),
    ("Authorised-recruitment may be ongoing or finished", "UNKNOWN"),
    ("Not Authorised", "WITHDRAWN"),
    # ChiCTR, IRCT, TCTR
    ("Pending", "NOT_YET_RECRUITING"),
    ("Suspending", "SUSPENDED"),
    ("Recruitment complete", "ACTIVE_NOT_RECRUITING"),
    ("Recruitment completed", "ACTIVE_NOT_RECRUITING"),
    ("Recruiting complete", "ACTIVE_NOT_RECRUITING"),
    ("Complete", "COMPLETED"),
    # CTRI
    ("Open to Recruitment", "RECRUITING"),
    ("Closed to Recruitment of Participants", "ACTIVE_NOT_RECRUITING"),
    ("Yet to Recruit", "NOT_YET_RECRUITING"),
    ("Not Yet Recruiting", "NOT_YET_RECRUITING"),
    # ANZCTR
    ("Stopped early", "TERMINATED"),
    ("Closed: follow-up continuing", "ACTIVE_NOT_RECRUITING"),
    ("Closed: follow up complete", "COMPLETED"),
    # EU CTR
    ("Prematurely Ended", "TERMINATED"),
    ("Temporarily Halted", "SUSPENDED"),
    # ISRCTN, UMIN-CTR, jRCT
    ("No longer recruiting", "ACTIVE_NOT_RECRUITING"),
    ("Stopped", "TERMINATED"),
    ("Preinitiation", "NOT_YET_RECRUITING"),
    ("Open public recruiting", "RECRUITING"),
    ("Main results already published", "COMPLETED"),
    ("Complete: follow-up complete", "COMPLETED"),
    ("Complete: follow-up continuing", "ACTIVE_NOT_RECRUITING"),
    # DRKS
    ("Recruiting ongoing", "RECRUITING"),
    ("Recruiting planned", "NOT_YET_RECRUITING"),
    ("Recruiting complete, study complete", "COMPLETED"),
    ("Recruiting complete, follow-up continuing", "ACTIVE_NOT_RECRUITING"),
    ("Recruiting complete, follow-up complete", "COMPLETED"),
    ("Recruiting stopped after recruiting started", "TERMINATED"),
    ("Recruiting withdrawn before recruiting started", "WITHDRAWN"),
    ("Recruiting suspended on temporary hold", "SUSPENDED"),
    # folding: case, spaces, a full stop, a dash
    ("  COMPLETE. ", "COMPLETED"),
    ("Closed:  follow–up continuing", "ACTIVE_NOT_RECRUITING"),
]

PHASE_SPELLINGS = [
    ("N/A", ["NA"]),
    ("NA", ["NA"]),
    ("Not Applicable", ["NA"]),
    ("Not applicable", ["NA"]),
    ("Phase 0", ["EARLY_PHASE1"]),
    ("0", ["EARLY_PHASE1"]),
    ("Early Phase 1", ["EARLY_PHASE1"]),
    ("EARLY_PHASE1", ["EARLY_PHASE1"]),
    ("Phase 1", ["PHASE1"]),
    ("Phase I", ["PHASE1"]),
    ("1", ["PHASE1"]),
    ("PHASE1", ["PHASE1"]),
    ("Phase 1/Phase 2", ["PHASE1", "PHASE2"]),
    ("Phase 1 / Phase 2", ["PHASE1", "PHASE2"]),
    ("Phase 1/2", ["PHASE1", "PHASE2"]),
    ("1-2", ["PHASE1", "PHASE2"]),
    ("Phase I/II", ["PHASE1", "PHASE2"]),
    ("Phase I,II", ["PHASE1", "PHASE2"]),
    ("Phase 1b/2a", ["PHASE1", "PHASE2"]),
    ("PHASE1|PHASE2", ["PHASE1", "PHASE2"]),
    ("Phase 2-3", ["PHASE2", "PHASE3"]),
    ("Phase 2 and 3", ["PHASE2", "PHASE3"]),
    ("Phase 3", ["PHASE3"]),
    ("Phase IV", ["PHASE4"]),
    ("4", ["PHASE4"]),
    ("Human pharmacology (Phase I)", ["PHASE1"]),
    ("Therapeutic exploratory (Phase II)", ["PHASE2"]),
    ("Therapeutic confirmatory (Phase III)", ["PHASE3"]),
    ("Therapeutic confirmatory - (Phase III)", ["PHASE3"]),
    ("Therapeutic use (Phase IV)", ["PHASE4"]),
    (
        "Human pharmacology (Phase I): yes\nTherapeutic exploratory (Phase II): yes\n"
        "Therapeutic confirmatory - (Phase III): no\nTherapeutic use (Phase IV): no\n",
        ["PHASE1", "PHASE2"],
    ),
    ("New Treatment Measure Clinical Study", ["NA"]),
    ("Post-market", ["PHASE4"]),
]

UNKNOWN_STATUSES = ["Ongoing", "Restarted", "Open", "Closed", "Other", "Results pending", "Phase 1"]
UNKNOWN_PHASES = [
    "Others",
    "Retrospective study",
    "Pilot clinical trial",
    "Basic Science",
    "Not selected",
    "Phase 5",
    "Recruiting",
    "Human pharmacology (Phase I): no\nTherapeutic exploratory (Phase II): no",
]


@pytest.mark.parametrize(("written", "expected"), STATUS_SPELLINGS)
def test_status_spelling(written, expected):
    assert spellings.status(written) == expected
    assert normalize.status(written) == expected


@pytest.mark.parametrize(("written", "expected"), PHASE_SPELLINGS)
def test_phase_spelling(written, expected):
    assert list(spellings.phases(written)) == expected
    assert normalize.phases(written) == expected


@pytest.mark.parametrize("written", UNKNOWN_STATUSES)
def test_unknown_status_is_not_guessed(written):
    assert spellings.status(written) is None
    assert spellings.read_status(written) == ("", written)


@pytest.mark.parametrize("written", UNKNOWN_PHASES)
def test_unknown_phase_is_not_guessed(written):
    assert spellings.phases(written) is None
    assert spellings.read_phases(written) == ([], " ".join(written.split()))


def test_the_tables_hold_only_catalogue_values():
    assert set(spellings.STATUSES.values()) <= set(Status.values)
    assert {p for values in spellings.PHASES.values() for p in values} <= set(Phase.values)
    assert set(spellings.PHASE_NUMBERS.values()) <= set(Phase.values)


def test_every_row_of_the_tables_is_tested():
    tested = {spellings.key(w) for w, _ in STATUS_SPELLINGS}
    assert set(spellings.STATUSES) <= tested
    tested = {spellings.key(w) for w, _ in PHASE_SPELLINGS}
    # "early phase i" and "early_phase1" are variants of tested rows; the post-market forms too.
    assert set(spellings.PHASES) - tested <= {
        "early phase i",
        "early_phase1",
        "post market",
        "post-marketing",
    }


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("COMPLETED", ""),  # the catalogue's own spelling: nothing to keep
        ("Active, not recruiting", ""),
        ("Recruiting complete", "Recruiting complete"),  # another registry's words
        ("Authorised", "Authorised"),
        ("  Pending ", "Pending"),
        ("Restarted", "Restarted"),  # unknown: kept, and no status
        ("", ""),
    ],
)
def test_status_words_kept_as_written(written, kept):
    assert spellings.read_status(written)[1] == kept


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("Phase 1/Phase 2", ""),
        ("Phase I", ""),
        ("1-2", ""),
        ("N/A", ""),
        ("Human pharmacology (Phase I)", "Human pharmacology (Phase I)"),
        ("New Treatment Measure Clinical Study", "New Treatment Measure Clinical Study"),
        ("Retrospective study", "Retrospective study"),
    ],
)
def test_phase_words_kept_as_written(written, kept):
    assert spellings.read_phases(written)[1] == kept
