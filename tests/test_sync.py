"""`manage.py sync` against the loopback registry of tests/test_ctgov_pull.py.

Two syncs where the second brings a status change, an enrollment revision and a new
trial, followed to the detail page's Changes section and flags, the Atom feed, the
export and the list filter; a run killed between pages (a real process, SIGKILL) and
continued; a run that gave up and is continued; a token the registry no longer knows;
a second sync refused by the ingest lock.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

import feedparser
import psycopg
import pytest
from bs4 import BeautifulSoup
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from catalogue.locking import INGEST_LOCK_ID
from catalogue.models import SyncRun, Trial

from .test_ctgov_pull import RecordedApi, recorded_pages, variant

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
THIS_MONTH = date.today().isoformat()[:7]  # status verified now: no "not verified" flag


def study(
    nct: str,
    title: str,
    *,
    status: str = "RECRUITING",
    enrollment: int = 60,
    enrollment_type: str = "ESTIMATED",
    start: str = "2023-01",
    completion: str = "2035-12",
    updated: str = "2024-01-10",
    results: bool = False,
) -> dict:
    s = variant(nct, title, status, ["PHASE1", "PHASE2"])
    module = s["protocolSection"]["statusModule"]
    module["statusVerifiedDate"] = THIS_MONTH
    module["startDateStruct"] = {"date": start}
    module["primaryCompletionDateStruct"] = {"date": completion, "type": "ESTIMATED"}
    module["completionDateStruct"] = {"date": completion, "type": "ESTIMATED"}
    module["lastUpdatePostDateStruct"] = {"date": updated, "type": "ACTUAL"}
    s["protocolSection"]["designModule"]["enrollmentInfo"] = {
        "count": enrollment,
        "type": enrollment_type,
    }
    s["hasResults"] = results
    s.pop("resultsSection", None)
    return s


A, B, C, D = "NCT99200001", "NCT99200002", "NCT99200003", "NCT99200004"


def first_pages() -> dict[str, dict]:
    return {
        "": {
            "totalCount": 3,
            "studies": [
                study(A, "Umbilical cord MSCs in type 1 diabetes"),
                study(B, "Bone marrow MSCs in type 2 diabetes", enrollment=100),
            ],
            "nextPageToken": "p2",
        },
        "p2": {
            "studies": [
                study(
                    C,
                    "Adipose MSCs for diabetic foot ulcers",
                    status="COMPLETED",
                    start="2017-03",
                    completion="2019-06",
                    updated="2020-02-01",
                )
            ]
        },
    }


def second_pages() -> dict[str, dict]:
    return {
        "": {
            "totalCount": 3,
            "studies": [
                study(
                    A,
                    "Umbilical cord MSCs in type 1 diabetes",
                    status="ACTIVE_NOT_RECRUITING",
                    updated="2025-03-03",
                ),
                study(
                    B,
                    "Bone marrow MSCs in type 2 diabetes",
                    enrollment=40,
                    enrollment_type="ACTUAL",
                    updated="2025-03-04",
                ),
            ],
            "nextPageToken": "q2",
        },
        "q2": {
            "studies": [
                study(
                    D,
                    "Wharton's jelly MSCs in new-onset type 1 diabetes",
                    status="NOT_YET_RECRUITING",
                    start="2020-01",
                    updated="2025-03-05",
                )
            ]
        },
    }


def sync(**options) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    options.setdefault("workers", 1)
    try:
        call_command("sync", stdout=out, stderr=err, **options)
        code = 0
    except SystemExit as exit:
        code = exit.code
    return code, out.getvalue(), err.getvalue()


def serve(settings, pages, faults=None, hold=None) -> RecordedApi:
    api = RecordedApi(pages, faults, hold=hold)
    settings.CTGOV_API_URL = api.url
    return api


def soup(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def test_two_syncs_bring_a_status_change_an_enrollment_revision_and_a_new_trial(client, fast):
    with serve(fast, first_pages(), faults={"": [429], "p2": [500]}) as api:
        code, out, err = sync()
    assert code == 0, err
    first = SyncRun.objects.get()
    assert f"Sync #{first.pk} succeeded: 2 pages, 3 studies: 3 created, 0 updated" in out
    assert (first.status, first.pages, first.since, first.page_token) == ("succeeded", 2, None, "")
    assert (first.created, first.updated, first.unchanged, first.failed, first.total) == (
        3,
        0,
        0,
        0,
        3,
    )
    assert first.finished_at >= first.started_at
    assert {r["query.term"] for r in api.requests} == {fast.CTGOV_QUERY}
    assert not any("filter.advanced" in r for r in api.requests)  # the first sync takes all
    assert Trial.objects.get(registry_id=C).reporting_flags == ["results_overdue"]

    with serve(fast, second_pages()) as api:
        code, out, err = sync()
    assert code == 0, err
    second = SyncRun.objects.exclude(pk=first.pk).get()
    assert "3 studies: 1 created, 2 updated, 0 unchanged, 0 failed" in out
    since = timezone.localdate(first.started_at) - timedelta(days=1)
    assert second.since == since
    assert {r["filter.advanced"] for r in api.requests} == {
        f"AREA[LastUpdatePostDate]RANGE[{since.isoformat()},MAX]"
    }
    assert [r.get("pageToken", "") for r in api.requests] == ["", "q2"]

    # The status change, on A's page: dated, told as a registry update with its date.
    page = soup(client.get(reverse("catalogue:trial_detail", args=[A])))
    newest = page.select("#changes li.change")[0]
    assert newest["data-kind"] == "registry"
    assert newest.select_one(".change-by").get_text() == "Registry update"
    assert newest.select_one(".change-registry").get_text() == "registry record of 3 March 2025"
    status = newest.select_one('li[data-part="overall_status"]')
    assert status.select_one("del").get_text() == "Recruiting"
    assert status.select_one("ins").get_text() == "Active, not recruiting"
    oldest = page.select("#changes li.change")[-1]
    assert oldest["data-kind"] == "added" and not oldest.select("li[data-part]")
    assert not page.select("#flags li.flag")

    # The enrollment revision, on B's page, and the flag it raised, naming its numbers and dates.
    page = soup(client.get(reverse("catalogue:trial_detail", args=[B])))
    parts = {li["data-part"]: li for li in page.select("#changes li[data-part]")}
    assert parts["enrollment"].select_one("del").get_text() == "100 (estimated)"
    assert parts["enrollment"].select_one("ins").get_text() == "40 (actual)"
    assert "raised “Enrollment cut by half or more”" in parts["reporting_flags"].get_text()
    [flag] = page.select("#flags li.flag")
    assert flag["data-flag"] == "enrollment_cut"
    basis = flag.select_one(".flag-basis").get_text()
    assert "Enrollment 100 (registry record of 10 January 2024)" in basis
    assert "is now 40 (registry record of 4 March 2025)" in basis

    # The new trial, added and flagged: its start date passed while not yet recruiting.
    page = soup(client.get(reverse("catalogue:trial_detail", args=[D])))
    checked, added = page.select("#changes li.change")
    assert added.select_one(".change-by").get_text() == "Added to the catalogue"
    assert checked["data-kind"] == "check"
    assert checked.select_one(".change-by").get_text() == "The catalogue's reporting checks"
    assert "raised “Past its start date" in checked.select_one("li[data-part]").get_text()
    assert [li["data-flag"] for li in page.select("#flags li.flag")] == ["start_passed"]
    assert "Start date January 2020 has passed" in page.select_one("#flags .flag-basis").get_text()

    # The feed of the whole list: newest first, each entry saying what changed.
    response = client.get(reverse("catalogue:feed"))
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    ids = [entry.link.rstrip("/").rsplit("/", 1)[-1] for entry in feed.entries]
    assert ids == [D, B, A, C]
    titles = [entry.title for entry in feed.entries]
    assert titles[0].startswith(f"{D}: added")
    assert titles[1].startswith(f"{B}: enrollment and reporting flag changed")
    assert titles[2].startswith(f"{A}: status changed")
    assert "Enrollment: 100 (estimated) → 40 (actual)" in feed.entries[1].summary
    assert "registry record of 4 March 2025" in feed.entries[1].summary
    updated = [entry.updated_parsed for entry in feed.entries]
    assert updated == sorted(updated, reverse=True)

    # The flags in the export and as a list filter.
    exported = json.loads(client.get(reverse("catalogue:download", args=["json"])).content)
    flags = {t["registry_id"]: t["reporting_flags"] for t in exported}
    assert [f["flag"] for f in flags[B]] == ["enrollment_cut"]
    assert flags[B][0]["dates"]["from"] == 100 and flags[B][0]["dates"]["to"] == 40
    assert flags[B][0]["dates"]["to_registry_date"] == "2025-03-04"
    assert flags[A] == []
    listed = soup(client.get(reverse("catalogue:trial_list"), {"flag": "enrollment_cut"}))
    assert [li["data-registry-id"] for li in listed.select("li.result")] == [B]
    feed = feedparser.parse(
        client.get(reverse("catalogue:feed"), {"flag": "enrollment_cut"}).content
    )
    assert [entry.link.rstrip("/").rsplit("/", 1)[-1] for entry in feed.entries] == [B]


def test_sync_runs_are_listed_in_the_admin_and_read_only(admin_client, fast):
    with serve(fast, first_pages()):
        sync()
    page = soup(admin_client.get(reverse("admin:catalogue_syncrun_changelist")))
    [row] = page.select("#result_list tbody tr")
    assert "succeeded" in row.get_text().lower()
    assert not page.select('a[href$="/catalogue/syncrun/add/"]')
    run = SyncRun.objects.get()
    detail = admin_client.get(reverse("admin:catalogue_syncrun_change", args=[run.pk]))
    assert detail.status_code == 200 and b'name="_save"' not in detail.content


def test_a_third_sync_with_nothing_new_changes_nothing(fast):
    with serve(fast, first_pages()):
        sync()
    events = connection.cursor()
    events.execute("SELECT count(*) FROM catalogue_trialevent")
    before = events.fetchone()[0]
    with serve(fast, first_pages()):
        code, out, _ = sync()
    assert code == 0
    assert "3 studies: 0 created, 0 updated, 3 unchanged, 0 failed" in out
    events.execute("SELECT count(*) FROM catalogue_trialevent")
    assert events.fetchone()[0] == before


def test_a_run_that_gives_up_is_recorded_and_the_next_sync_continues_it(fast):
    with serve(fast, recorded_pages(), faults={"tok-2": [503] * 10}) as api:
        code, out, err = sync()
    assert code == 1
    run = SyncRun.objects.get()
    assert (run.status, run.pages, run.page_token, run.created) == ("failed", 1, "tok-2", 3)
    assert run.error.startswith("gave up after 4 attempts") and "HTTP 503" in run.error
    assert "stopped: gave up after 4 attempts" in err
    with serve(fast, recorded_pages()) as api:
        code, out, err = sync()
    assert code == 0, err
    assert f"Continuing sync #{run.pk} (all studies) after page 1" in out
    run.refresh_from_db()
    assert [r.get("pageToken", "") for r in api.requests] == ["tok-2", "tok-3"]
    assert (run.status, run.pages, run.studies, run.created, run.resumes) == (
        "succeeded",
        3,
        6,
        6,
        1,
    )
    assert run.error == ""
    assert Trial.objects.count() == 6


def test_a_page_token_the_registry_no_longer_knows_starts_the_pages_again(fast):
    run = SyncRun.objects.create(
        query=fast.CTGOV_QUERY,
        started_at=timezone.now(),
        status="running",
        pages=1,
        page_token="expired",
    )
    with serve(fast, recorded_pages()) as api:
        code, _, err = sync()
    assert code == 0, err
    assert [r.get("pageToken", "") for r in api.requests] == ["expired", "", "tok-2", "tok-3"]
    run.refresh_from_db()
    assert run.status == "succeeded" and run.created == 6


def test_since_and_full_start_a_new_run_with_that_range(fast):
    with serve(fast, recorded_pages()):
        sync()
    with serve(fast, recorded_pages()) as api:
        code, _, _ = sync(since="2024-05-01")
    assert code == 0
    assert {r["filter.advanced"] for r in api.requests} == {
        "AREA[LastUpdatePostDate]RANGE[2024-05-01,MAX]"
    }
    with serve(fast, recorded_pages()) as api:
        code, _, _ = sync(full=True, query="stem cells AND diabetes")
    assert code == 0
    assert not any("filter.advanced" in r for r in api.requests)
    assert {r["query.term"] for r in api.requests} == {"stem cells AND diabetes"}
    assert list(SyncRun.objects.order_by("started_at").values_list("since", flat=True)) == [
        None,
        date(2024, 5, 1),
        None,
    ]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"query": " "}, "--query needs a search"),
        ({"since": "yesterday"}, "--since must be a date"),
        ({"since": "2024-01-01", "full": True}, "give --since or --full, not both"),
    ],
)
def test_bad_arguments_are_refused(options, message):
    with pytest.raises(CommandError, match=message):
        call_command("sync", **options)


def test_a_second_sync_at_the_same_time_is_refused_by_the_ingest_lock(fast):
    db = connection.settings_dict
    with psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [INGEST_LOCK_ID])
        with (
            serve(fast, recorded_pages()) as api,
            pytest.raises(CommandError, match="not syncing now"),
        ):
            sync(wait=0)
    assert api.requests == [] and not SyncRun.objects.exists()


def _database_url() -> str:
    """The test database as a DATABASE_URL (config.database.from_url), for another process."""
    db = connection.settings_dict
    auth = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    host, port = db["HOST"] or "localhost", db["PORT"]
    if host.startswith("/"):  # a socket directory (the embedded server)
        query = f"?host={quote(host)}" + (f"&port={port}" if port else "")
        return f"postgres://{auth}@/{db['NAME']}{query}"
    return f"postgres://{auth}@{host}:{port or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.subprocess
def test_a_sync_killed_between_pages_is_continued_from_its_last_page(fast):
    """A real `manage.py sync` process on the test database, killed with SIGKILL while it
    waits for page 2 (page 1 written and its progress saved); the next sync continues."""
    with serve(fast, recorded_pages(), hold="tok-2") as api:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")},
            "DJANGO_SETTINGS_MODULE": "config.settings_test",
            "DATABASE_URL": _database_url(),
            "CTGOV_API_URL": api.url,
            "CTGOV_API_DELAY": "0",
            "CTGOV_API_BACKOFF": "0",
        }
        process = subprocess.Popen(
            [sys.executable, "manage.py", "sync", "--workers", "1"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            assert api.held.wait(60), process.communicate(timeout=5)[0]
            run = SyncRun.objects.get()
            assert (run.status, run.pages, run.page_token, run.created) == (
                "running",
                1,
                "tok-2",
                3,
            )
            process.send_signal(signal.SIGKILL)
            assert process.wait(30) == -signal.SIGKILL
        finally:
            if process.poll() is None:
                process.kill()
        api.release.set()
        time.sleep(0.2)  # the server notices the killed connection and ends its session
        before = len(api.requests)
        code, out, err = sync(wait=10)
    assert code == 0, err
    assert f"Continuing sync #{run.pk} (all studies) after page 1" in out
    # One held request for page 2 died with the process; the resume asks for it again.
    assert [r.get("pageToken", "") for r in api.requests[before:]] == ["tok-2", "tok-3"]
    run.refresh_from_db()
    assert (run.status, run.pages, run.studies, run.created, run.unchanged, run.resumes) == (
        "succeeded",
        3,
        6,
        6,
        0,
        1,
    )
    assert Trial.objects.count() == 6
