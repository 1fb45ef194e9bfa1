"""`ingest --ctgov QUERY`: the live pull, against a loopback server serving recorded pages.

The pages are built from the real record (tests/fixtures/NCT00763412.json) and the
constructed variants; the server injects a 429, a 500 and a truncated body mid-stream.
Nothing here touches the network beyond 127.0.0.1.
"""

from __future__ import annotations

import copy
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from catalogue.models import SourceDocument, Trial
from ingest import ctgov_api

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
REAL = json.loads((FIXTURES / "NCT00763412.json").read_text())
QUERY = "mesenchymal AND diabetes"


def variant(nct: str, title: str, status: str, phases: list[str]) -> dict:
    study = copy.deepcopy(REAL)
    protocol = study["protocolSection"]
    protocol["identificationModule"]["nctId"] = nct
    protocol["identificationModule"]["briefTitle"] = title
    protocol["statusModule"]["overallStatus"] = status
    protocol["designModule"]["phases"] = phases
    return study


def recorded_pages() -> dict[str, dict]:
    """Three pages of a search, keyed by the page token that asks for each ('' = first)."""
    constructed = FIXTURES / "ctgov"
    return {
        "": {
            "totalCount": 6,
            "studies": [
                REAL,
                variant(
                    "NCT99100001",
                    "Umbilical cord MSCs in type 1 diabetes",
                    "RECRUITING",
                    ["PHASE1", "PHASE2"],
                ),
                variant(
                    "NCT99100002", "Bone marrow MSCs in type 2 diabetes", "COMPLETED", ["PHASE2"]
                ),
            ],
            "nextPageToken": "tok-2",
        },
        "tok-2": {
            "studies": [
                json.loads((constructed / "observational_no_phases.json").read_text()),
                json.loads((constructed / "withdrawn_zero_enrollment.json").read_text()),
            ],
            "nextPageToken": "tok-3",
        },
        "tok-3": {
            "studies": [
                variant("NCT99100003", "Adipose MSCs and insulin", "TERMINATED", ["PHASE1"])
            ],
        },
    }


class RecordedApi:
    """A stand-in for the API's /studies endpoint on 127.0.0.1, with scripted faults."""

    def __init__(
        self,
        pages: dict[str, dict],
        faults: dict[str, list] | None = None,
        hold: str | None = None,
    ):
        self.pages = pages
        self.faults = {token: list(queue) for token, queue in (faults or {}).items()}
        self.requests: list[dict[str, str]] = []
        # A request for the page `hold` waits (at most 60 s) until `release` is set, so a
        # test can act while a client is mid-run; `held` says the request has arrived.
        self.hold, self.held, self.release = hold, threading.Event(), threading.Event()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = urlsplit(self.path)
                params = {k: v[0] for k, v in parse_qs(url.query).items()}
                api.requests.append(params)
                token = params.get("pageToken", "")
                if token == api.hold and not api.release.is_set():
                    api.held.set()
                    api.release.wait(60)
                if url.path != "/api/v2/studies" or token not in api.pages:
                    return self.reply(404, b'{"message": "not found"}')
                queue = api.faults.get(token)
                fault = queue.pop(0) if queue else None
                body = json.dumps(api.pages[token]).encode()
                if fault == 429:
                    return self.reply(429, b"Too Many Requests", {"Retry-After": "0"})
                if isinstance(fault, tuple):  # (status, Retry-After)
                    return self.reply(fault[0], b"slow down", {"Retry-After": fault[1]})
                if isinstance(fault, int):
                    return self.reply(fault, b"Internal Server Error")
                if fault == "truncated":  # the connection drops before the promised length
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    self.close_connection = True
                    return None
                if fault == "cut-json":  # a complete response whose JSON is cut short
                    return self.reply(200, body[: len(body) // 3])
                return self.reply(200, body)

            def reply(self, status: int, body: bytes, headers: dict | None = None):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/api/v2"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> RecordedApi:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def serve(settings, faults=None, pages=None) -> RecordedApi:
    api = RecordedApi(pages or recorded_pages(), faults)
    settings.CTGOV_API_URL = api.url
    return api


def run_ingest(*paths, **options) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("ingest", *map(str, paths), stdout=out, stderr=err, **options)
        code = 0
    except SystemExit as exit:
        code = exit.code
    return code, out.getvalue(), err.getvalue()


FAULTS = {"tok-2": [429], "tok-3": [500, "truncated", "cut-json"]}


def test_pull_follows_pages_through_faults_and_stores_each_study(fast):
    with serve(fast, FAULTS) as api:
        code, out, err = run_ingest(ctgov=QUERY, no_progress=True)
    assert code == 0, err
    assert "6 studies from ClinicalTrials.gov: 6 created, 0 updated, 0 unchanged, 0 failed" in out
    # 1 request for page 1, 2 for page 2 (429 first), 4 for page 3 (500, cut, bad JSON, ok).
    assert [r.get("pageToken", "") for r in api.requests] == ["", "tok-2", "tok-2"] + ["tok-3"] * 4
    first = api.requests[0]
    assert first["query.term"] == QUERY
    assert first["format"] == "json" and first["pageSize"] == "100"
    assert first["countTotal"] == "true" and "countTotal" not in api.requests[1]
    assert "filter.advanced" not in first

    document = SourceDocument.objects.get(path="ctgov-api:NCT00763412")
    assert document.filename == "ctgov-api:NCT00763412"
    assert document.source_format == "ctgov_json"
    assert json.loads(document.raw_text) == REAL
    trial = Trial.objects.get(registry_id="NCT99100001")
    assert trial.overall_status == "RECRUITING" and trial.phases == ["PHASE1", "PHASE2"]
    assert Trial.objects.get(registry_id="NCT99000004").enrollment == 0
    assert Trial.objects.get(registry_id="NCT00763412").mesh_terms[0] == "Cystic Fibrosis"


def test_a_re_pull_with_no_changes_changes_nothing(fast):
    with serve(fast, FAULTS):
        run_ingest(ctgov=QUERY)
    before = {t.registry_id: (t.record_hash, t.last_ingested) for t in Trial.objects.all()}
    events = apps.get_model("catalogue", "TrialEvent").objects.count()
    with serve(fast, FAULTS):
        code, out, _ = run_ingest(ctgov=QUERY)
    assert code == 0
    assert "6 studies from ClinicalTrials.gov: 0 created, 0 updated, 6 unchanged, 0 failed" in out
    assert {t.registry_id: (t.record_hash, t.last_ingested) for t in Trial.objects.all()} == before
    assert apps.get_model("catalogue", "TrialEvent").objects.count() == events


def test_a_changed_study_updates_only_its_trial(fast):
    with serve(fast):
        run_ingest(ctgov=QUERY)
    pages = recorded_pages()
    pages["tok-3"]["studies"][0]["protocolSection"]["statusModule"]["overallStatus"] = "COMPLETED"
    with serve(fast, pages=pages):
        code, out, _ = run_ingest(ctgov=QUERY)
    assert code == 0
    assert "0 created, 1 updated, 5 unchanged, 0 failed" in out
    trial = Trial.objects.get(registry_id="NCT99100003")
    assert trial.overall_status == "COMPLETED"
    assert trial.sources.count() == 1  # the new version replaced the old at the same path


def test_pull_merges_into_trials_from_saved_pages(fast, seeded):
    twin = variant("NCT05308836", "Registry title", "ACTIVE_NOT_RECRUITING", ["PHASE1"])
    with serve(fast, pages={"": {"studies": [twin]}}):
        code, out, err = run_ingest(ctgov=QUERY)
    assert code == 0, err
    assert "1 studies from ClinicalTrials.gov: 0 created, 1 updated" in out
    trial = Trial.objects.get(registry_id="NCT05308836")
    assert trial.sources.count() == 2
    assert trial.overall_status == "ACTIVE_NOT_RECRUITING"
    assert trial.field_sources["overall_status"] == "ctgov-api:NCT05308836"
    assert "sources disagree on overall_status" in trial.review_reasons


def test_since_filters_on_the_last_update_date(fast):
    with serve(fast) as api:
        code, _, _ = run_ingest(ctgov=QUERY, since="2024-01-31")
    assert code == 0
    assert {r["filter.advanced"] for r in api.requests} == {
        "AREA[LastUpdatePostDate]RANGE[2024-01-31,MAX]"
    }


def test_giving_up_is_reported_and_what_was_fetched_still_loads(fast):
    with serve(fast, {"tok-2": [503] * 10}) as api:
        code, out, err = run_ingest(ctgov=QUERY)
    assert code == 1
    assert len(api.requests) == 1 + 4  # page 1, then four attempts at page 2
    assert "3 studies from ClinicalTrials.gov: 3 created, 0 updated, 0 unchanged, 1 failed" in out
    [line] = [line for line in err.splitlines() if line.startswith("FAILED")]
    assert line.startswith("FAILED ctgov-api: gave up after 4 attempts")
    assert "HTTP 503" in line
    assert Trial.objects.count() == 3


def test_a_client_error_is_not_retried(fast):
    with serve(fast, {"": [400]}) as api:
        code, _, err = run_ingest(ctgov=QUERY)
    assert code == 1
    assert len(api.requests) == 1
    assert "HTTP 400" in err
    assert Trial.objects.count() == 0


def test_dry_run_pulls_and_writes_nothing(fast):
    with serve(fast):
        code, out, _ = run_ingest(ctgov=QUERY, dry_run=True)
    assert code == 0
    assert "Dry run, nothing written: 6 studies from ClinicalTrials.gov: 6 parsed, 0 failed" in out
    assert Trial.objects.count() == 0


def test_paths_and_a_pull_in_one_run(fast, tmp_path):
    (tmp_path / "NCT00763412.json").write_text(json.dumps(REAL))
    with serve(fast, pages={"": {"studies": [REAL]}}):
        code, out, _ = run_ingest(tmp_path, ctgov=QUERY)
    assert code == 0
    # The same study by file and by API is the same document.
    assert "1 files + 1 studies from ClinicalTrials.gov: 1 created, 0 updated, 1 unchanged" in out


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "give source paths, --ctgov QUERY, or both"),
        ({"ctgov": "  "}, "--ctgov needs a search query"),
        ({"since": "2024-01-01"}, "--since applies to --ctgov only"),
        ({"ctgov": QUERY, "since": "last week"}, "--since must be a date"),
    ],
)
def test_bad_arguments_are_refused(options, message):
    with pytest.raises(CommandError, match=message):
        call_command("ingest", **options)


def test_backoff_doubles_and_retry_after_is_honoured(caplog):
    waits: list[float] = []
    faults = {"": [500, 502, (429, "7")]}
    with RecordedApi(recorded_pages(), faults) as api:
        client = ctgov_api.Client(api.url, delay=0, backoff=1, attempts=4, sleep=waits.append)
        page = client.get_json("/studies", ctgov_api.search_params(QUERY, None))
    assert waits == [1, 2, 7]
    assert page["totalCount"] == 6
    assert [r.getMessage().split(";")[0] for r in caplog.records] == [
        "HTTP 500 Internal Server Error",
        "HTTP 502 Bad Gateway",
        "HTTP 429 Too Many Requests",
    ]


def test_requests_keep_a_polite_gap():
    # A clock that only the waits move: the gap does not depend on how busy the machine is.
    waits: list[float] = []

    def clock() -> float:
        return sum(waits)

    with RecordedApi(recorded_pages()) as api:
        client = ctgov_api.Client(api.url, delay=0.5, backoff=0, sleep=waits.append, clock=clock)
        pulled = ctgov_api.pull(QUERY, client=client)
    assert (pulled.pages, len(pulled.studies), pulled.total, pulled.error) == (3, 6, 6, "")
    assert waits == [0.5, 0.5]


def test_retry_after_values():
    assert ctgov_api.retry_after("0") == 0
    assert ctgov_api.retry_after("120") == 120
    assert ctgov_api.retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0  # in the past
    assert ctgov_api.retry_after("soon") is None
    assert ctgov_api.retry_after(None) is None


def test_a_repeated_page_token_stops_the_pull():
    pages = recorded_pages()
    pages["tok-2"]["nextPageToken"] = "tok-2"
    with RecordedApi(pages) as api:
        client = ctgov_api.Client(api.url, delay=0, backoff=0)
        pulled = ctgov_api.pull(QUERY, client=client)
    assert pulled.pages == 2 and "repeated a page token" in pulled.error
