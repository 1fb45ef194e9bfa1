"""'Report an error' from the public pages: no account, CSRF, a honeypot, a per-address limit,
straight into the review queue, and nothing a reader types ever rendered unescaped."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from catalogue.models import ErrorReport, Trial
from ingest.service import rebuild_trials

pytestmark = pytest.mark.django_db

VINMEC = "NCT05308836"  # nothing for a curator to check after ingest
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes"'


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()  # the per-address counters live in the cache
    yield
    cache.clear()


def report_url(registry_id: str = VINMEC) -> str:
    return reverse("catalogue:report_error", args=[registry_id])


def send(client, registry_id: str = VINMEC, **fields):
    data = {"field": "cell_sources", "text": "The cells come from bone marrow.", **fields}
    return client.post(report_url(registry_id), data, REMOTE_ADDR=fields.pop("ip", "203.0.113.7"))


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def test_every_detail_page_links_to_a_short_form(client, seeded):
    for trial in Trial.objects.all():
        page = soup(client.get(reverse("catalogue:trial_detail", args=[trial.registry_id])))
        link = page.select_one(".report-link a")
        assert link and link["href"] == report_url(trial.registry_id), trial.registry_id
    form = soup(client.get(report_url())).select_one("form.report-form")
    assert form["method"] == "post"
    names = [f["name"] for f in form.select("select, textarea, input") if f.get("name")]
    assert names == ["csrfmiddlewaretoken", "field", "text", "email", "website"]
    assert "trap" in form.select_one('input[name="website"]').find_parent("div")["class"]
    options = [o["value"] for o in form.select('select[name="field"] option')]
    assert {"status", "arms", "cell_sources", "donor", "other"} <= set(options)


def test_a_report_reaches_the_review_queue_in_the_same_request(client, seeded, admin_client):
    trial = Trial.objects.get(registry_id=VINMEC)
    assert not trial.needs_review
    response = send(client, email="reader@example.org", ip="198.51.100.23")
    assert response.status_code == 302
    assert response["Location"] == reverse("catalogue:report_thanks", args=[VINMEC])
    thanks = soup(client.get(response["Location"]))
    assert thanks.select_one("h1").get_text() == "Thank you"

    report = ErrorReport.objects.get()
    assert (report.trial, report.field, report.status) == (trial, "cell_sources", "open")
    assert report.email == "reader@example.org"
    assert report.address_hash and "198.51.100.23" not in report.address_hash
    trial.refresh_from_db()
    assert trial.needs_review
    reason = next(r for r in trial.review_reasons if r.startswith("error report from a reader"))
    assert reason.startswith("error report from a reader (Cell source), ")

    queue = soup(admin_client.get(reverse("admin:catalogue_reviewitem_changelist")))
    row = next(r for r in queue.select("#result_list tbody tr") if VINMEC in r.get_text())
    assert "The cells come from bone marrow." in row.select_one(".report-text").get_text()

    # A rebuild from the sources keeps it in the queue while the report is open.
    rebuild_trials([trial], reparse=True)
    trial.refresh_from_db()
    assert trial.needs_review and reason in trial.review_reasons


def test_the_honeypot_thanks_a_robot_and_stores_nothing(client, seeded):
    response = send(client, website="http://spam.example")
    assert response.status_code == 302
    assert not ErrorReport.objects.exists()
    assert not Trial.objects.get(registry_id=VINMEC).needs_review


def test_reports_are_limited_per_address(client, seeded, settings):
    settings.ERROR_REPORT_LIMIT = 2
    assert send(client, ip="192.0.2.1").status_code == 302
    assert send(client, ip="192.0.2.1", text="Second report.").status_code == 302
    refused = send(client, ip="192.0.2.1", text="Third report, kept in the form.")
    assert refused.status_code == 429
    page = soup(refused)
    assert "try again in an hour" in page.select_one("#report-limit").get_text()
    assert page.select_one("textarea").get_text().strip() == "Third report, kept in the form."
    assert ErrorReport.objects.count() == 2
    assert send(client, ip="192.0.2.2").status_code == 302  # another address is not held back
    assert ErrorReport.objects.count() == 3


def test_a_post_without_the_csrf_token_is_refused(seeded):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(report_url(), {"field": "other", "text": "No token here."})
    assert response.status_code == 403
    assert not ErrorReport.objects.exists()
    # The form as served carries the token, and then it goes through.
    page = soup(strict.get(report_url()))
    token = page.select_one('input[name="csrfmiddlewaretoken"]')["value"]
    data = {"csrfmiddlewaretoken": token, "field": "other", "text": "With the token."}
    assert strict.post(report_url(), data).status_code == 302


@pytest.mark.parametrize(
    ("fields", "error_on"),
    [
        ({"text": "bad\x00byte"}, "text"),
        ({"text": "x" * 2001}, "text"),
        ({"text": ""}, "text"),
        ({"field": "<script>"}, "field"),
        ({"email": "not an address"}, "email"),
        ({"email": "a@b.org\x00"}, "email"),
    ],
)
def test_bad_input_gets_the_form_again_never_a_500(client, seeded, fields, error_on):
    response = send(client, **fields)
    assert response.status_code == 200
    errors = soup(response).select(".field-errors")
    assert errors and errors[0].find_parent("div").select_one(f'[name="{error_on}"]')
    assert not ErrorReport.objects.exists()


def test_unknown_trials_are_a_404(client, seeded):
    assert client.get(report_url("NCT00000000")).status_code == 404
    assert client.post(report_url("NCT00000000"), {"text": "x"}).status_code == 404
    assert client.get("/trials/NCT%00/report/").status_code == 404
    page = client.get(report_url() + '?field="><script>alert(1)</script>')
    assert page.status_code == 200 and not soup(page).select("form script")


def test_what_a_reader_types_is_shown_escaped_and_the_email_never_publicly(
    client, seeded, admin_client
):
    send(client, text=HOSTILE, email="secret.reader@example.org")
    report = ErrorReport.objects.get()
    pages = [
        admin_client.get(reverse("admin:catalogue_reviewitem_changelist")),
        admin_client.get(reverse("admin:catalogue_errorreport_changelist")),
        admin_client.get(reverse("admin:catalogue_errorreport_change", args=[report.pk])),
        admin_client.get(reverse("admin:catalogue_trial_change", args=[report.trial_id])),
    ]
    for response in pages:
        assert response.status_code == 200
        page = soup(response)
        assert not page.select('script:-soup-contains("alert")'), response.request["PATH_INFO"]
        assert not page.select('img[src="x"]'), response.request["PATH_INFO"]
        assert HOSTILE.split(">")[0] in page.get_text()  # shown, as text
    public = [
        client.get(reverse("catalogue:trial_detail", args=[VINMEC])),
        client.get(reverse("catalogue:trial_list")),
        client.get(reverse("catalogue:download", args=["json"])),
        client.get(reverse("catalogue:download", args=["csv"])),
    ]
    for response in public:
        body = b"".join(response) if response.streaming else response.content
        assert b"secret.reader" not in body and b"alert" not in body


def test_a_curator_marks_a_report_handled_and_the_trial_leaves_the_queue(client, seeded, curator):
    send(Client(), text="Wrong donor.")
    trial = Trial.objects.get(registry_id=VINMEC)
    assert trial.needs_review
    report = ErrorReport.objects.get()
    response = client.post(
        reverse("admin:catalogue_errorreport_changelist"),
        {"action": "mark_handled", "_selected_action": [report.pk]},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.handled_by) == ("handled", curator)
    assert report.handled_at is not None
    trial.refresh_from_db()
    assert not trial.needs_review
    assert not any(r.startswith("error report") for r in trial.review_reasons)


def test_marking_a_trial_reviewed_answers_its_reports(client, seeded, curator):
    send(Client(), text="Wrong donor.")
    trial = Trial.objects.get(registry_id=VINMEC)
    client.post(
        reverse("admin:catalogue_reviewitem_changelist"),
        {"action": "mark_reviewed", "_selected_action": [trial.pk]},
    )
    assert ErrorReport.objects.get().status == "handled"
    trial.refresh_from_db()
    assert not trial.needs_review
    # A later report is a new reason: back in the queue.
    send(Client(), text="Still wrong.", ip="203.0.113.99")
    trial.refresh_from_db()
    assert trial.needs_review


def test_queue_and_report_list_read_a_fixed_number_of_queries(
    client, seeded, curator, django_assert_max_num_queries
):
    for n, trial in enumerate(Trial.objects.all()):
        send(Client(), trial.registry_id, text=f"Report {n}.", ip=f"192.0.2.{n}")
    for url in (
        reverse("admin:catalogue_reviewitem_changelist"),
        reverse("admin:catalogue_errorreport_changelist"),
    ):
        with django_assert_max_num_queries(12) as before:
            client.get(url)
        count = len(before)  # read now: the next request clears the query log
        for n, trial in enumerate(Trial.objects.all()):
            send(Client(), trial.registry_id, text=f"More {n}.", ip=f"198.51.100.{n}")
        with django_assert_max_num_queries(count):
            client.get(url)
