"""/trials/feed.atom?<the list's parameters>: the trials of any list that were added or changed, as Atom.

One entry per trial, newest change first, saying what changed (catalogue.changes); the
list page links it with <link rel="alternate">. Kept per catalogue version like the
list page itself (catalogue.pagecache): a feed reader asking again gets the stored copy
until a trial changes.
"""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join

from ..changes import Entry, changes_for, recently_changed
from ..filters import TrialFilter
from ..models import Trial
from ..pagecache import cached_for_visitors

ENTRIES = 50
# The flags a sync raises right after writing a trial belong to that write's entry.
SAME_UPDATE = timedelta(minutes=10)
LIST_PARAMS_DROPPED = ("page", "per_page", "sort")


@cached_for_visitors
def trial_feed(request: HttpRequest) -> HttpResponse:
    filterset = TrialFilter(request.GET, queryset=Trial.objects.all())
    ids = recently_changed(filterset.filtered(), limit=ENTRIES)
    histories = changes_for(ids, per_trial=5)
    trials = Trial.objects.only("registry_id", "brief_title", "official_title").in_bulk(ids)
    query = filterset.data.copy()
    for name in LIST_PARAMS_DROPPED:
        query.pop(name, None)
    params = f"?{query.urlencode()}" if query else ""
    list_url = request.build_absolute_uri(reverse("catalogue:trial_list") + params)
    searched = f" matching “{filterset.search_text}”" if filterset.search_text else ""
    feed = Atom1Feed(
        title=f"MSC–Diabetes Trial Catalogue: trials added or changed{searched}",
        link=list_url,
        description="Trials of this list that were added or changed, newest first.",
        feed_url=request.build_absolute_uri(),
        feed_guid=list_url,
        language="en",
    )
    for pk in ids:
        history, trial = histories.get(pk), trials.get(pk)
        if trial is None or not history or not history.entries:
            continue
        newest = history.entries[0]
        update = latest_update(history.entries)
        url = request.build_absolute_uri(
            reverse("catalogue:trial_detail", args=[trial.registry_id])
        )
        feed.add_item(
            title=f"{trial.registry_id}: {headline(update)} ({trial.title})",
            link=url,
            description=describe(update),
            unique_id=f"{url}#change-{newest.key}",
            unique_id_is_permalink=False,
            pubdate=newest.when,
            updateddate=newest.when,
        )
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    feed.write(response, "utf-8")
    return response


def latest_update(entries: list[Entry]) -> list[Entry]:
    """The newest entry, with the write it followed when it is the catalogue's own check;
    oldest first, as it happened."""
    update = []
    for entry in entries:
        if update and entries[0].when - entry.when > SAME_UPDATE:
            break
        update.append(entry)
        if entry.kind != "check":
            break
    return update[::-1]


def headline(entries: list[Entry]) -> str:
    """'added', or what changed: 'status and enrollment changed'."""
    if any(e.added for e in entries):
        return "added"
    labels = list(dict.fromkeys(c.label.lower() for e in entries for c in e.changes))
    if len(labels) > 1:
        return f"{', '.join(labels[:-1])} and {labels[-1]} changed"
    return f"{labels[0]} changed" if labels else "changed"


def describe(entries: list[Entry]) -> str:
    """The entry's HTML: each change of the update, who made it and the registry's date."""
    parts = []
    for entry in entries:
        registry = (
            format_html(", registry record of {}", entry.registry_date_shown)
            if entry.registry_date
            else ""
        )
        parts.append(
            format_html(
                "<p>{} ({}{})</p>{}",
                f"{entry.when.day} {entry.when:%B %Y}",
                entry.by,
                registry,
                format_html(
                    "<ul>{}</ul>",
                    format_html_join("", "<li>{}</li>", ((c.text,) for c in entry.changes)),
                )
                if entry.changes
                else "",
            )
        )
    return "".join(parts)
