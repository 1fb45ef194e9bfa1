"""Presentation helpers: vocabulary labels, dates as precise as known, filter links and chart geometry."""

from __future__ import annotations

import json
import math

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from catalogue import provenance, search, vocabulary
from catalogue.landscape import CrossTab

register = template.Library()

# By the list's parameter names: the registry's enums and the derived fields people filter by.
_VOCABULARIES = {
    "status": vocabulary.Status,
    "phase": vocabulary.Phase,
    "study_type": vocabulary.StudyType,
    "sponsor_class": vocabulary.SponsorClass,
    **{d.param: d.vocabulary for d in vocabulary.DERIVED if d.param},
    "flag": vocabulary.ReportingFlag,
    "registry": vocabulary.Registry,
}


@register.filter
def label(value: str, vocabulary_name: str) -> str:
    """{{ trial.overall_status|label:"status" }} -> "Active, not recruiting"."""
    if not value:
        return ""
    return vocabulary.label(_VOCABULARIES[vocabulary_name], value)


@register.filter
def labels(values, vocabulary_name: str) -> str:
    """A list of slugs as a comma-separated list of labels."""
    return ", ".join(label(v, vocabulary_name) for v in values or [])


# A long list shows this many items, the rest behind a "show more" disclosure: a facet with
# 50 countries, or a chart of them, would otherwise push everything below it off the screen.
FOLD_AFTER = 10


@register.filter
def fold(items, shown: int = FOLD_AFTER) -> dict:
    """{"shown": the first items, "rest": the others, "rest_selected": whether a folded-away
    filter option is ticked (its disclosure then starts open)}. Folds only when that hides
    at least three items: "1 more" would cost a click to save a line."""
    items = list(items)
    if len(items) < shown + 3:
        return {"shown": items, "rest": [], "rest_selected": False}
    rest = items[shown:]
    return {
        "shown": items[:shown],
        "rest": rest,
        "rest_selected": any(getattr(item, "selected", False) is True for item in rest),
    }


@register.filter
def with_role(links, role: str) -> list:
    """A trial's sponsor links of one role, in their order ("lead", "collaborator")."""
    return [link for link in links if link.role == role]


@register.filter
def says_more_than(written: str, shown: str) -> bool:
    """Whether a registry's own words for a value say more than the catalogue's label shown
    for it: "Recruiting complete" beside "Active, not recruiting" does, "COMPLETED" beside
    "Completed" does not."""

    def letters(text: str) -> str:
        return "".join(ch for ch in (text or "").casefold() if ch.isalnum())

    return bool(written) and letters(written) != letters(shown)


@register.filter
def enum_text(value: str) -> str:
    """SINGLE_GROUP -> "Single group" for registry enums that have no vocabulary here."""
    if value == "NA":  # the registry's "not applicable" (e.g. allocation of a one-arm trial)
        return "Not applicable"
    return value.replace("_", " ").capitalize() if value else ""


# One facet option of the filter panel (catalogue/_filters.html). A page lists ~100 options,
# and the template engine took ~0.15 ms each, a third of a list page's time: so they are
# built here, with the markup the template had, every value escaped as the template did.
_OPTION = (
    '\n          <li class="option{empty}" data-facet="{param}" data-value="{value}"'
    ' data-count="{count}">\n'
    '            <input type="checkbox" id="f-{param}-{slug}" name="{param}" value="{value}"'
    "{checked}>\n"
    '            <label for="f-{param}-{slug}">{label} <span class="count">{count}'
    '<span class="visually-hidden"> trial{plural}</span></span></label>\n'
    "          </li>\n          "
)
# What django.utils.html.escape replaces, as one translation table.
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"})


@register.simple_tag
def facet_options(facet, options=None) -> SafeString:
    """The <li> of every option of a facet (or of the given ones of its options)."""
    param = str(facet.param).translate(_ESCAPES)
    rows = []
    for option in facet.options if options is None else options:
        value = str(option.value)
        rows.append(
            _OPTION.format(
                empty="" if option.count else " empty",
                param=param,
                value=value.translate(_ESCAPES),
                count=int(option.count),
                slug=slugify(value).translate(_ESCAPES),
                checked=" checked" if option.selected else "",
                label=str(option.label).translate(_ESCAPES),
                plural="" if option.count == 1 else "s",
            )
        )
    return mark_safe("".join(rows))  # every piece escaped above


@register.simple_tag
def partial_date(value, precision: str) -> str:
    """A stored date shown only as precisely as the source gave it: "March 2012", not "1 March 2012"."""
    if value is None:
        return ""
    if precision == "year":
        return f"{value.year}"
    if precision == "month":
        return value.strftime("%B %Y")
    return f"{value.day} {value.strftime('%B %Y')}"


@register.filter
def highlight(snippet: str) -> SafeString:
    """A search headline as HTML: the trial's text escaped, the matched words in <mark>.

    Empty when nothing in it matched (the words were in the title or the arms), since a
    snippet is there to show why the trial was found.
    """
    html = search.marked(snippet or "")
    return html if "<mark>" in html else SafeString("")


@register.filter
def marked(evidence: dict) -> SafeString:
    """An evidence passage as HTML: escaped, with the words that decided the value in <mark>
    (evidence stored before the classifier kept them has no `match`: shown unmarked)."""
    phrase, match = evidence.get("phrase") or "", evidence.get("match") or ""
    at = phrase.find(match) if match else -1
    if at < 0:
        return escape(phrase)
    end = at + len(match)
    return format_html("{}<mark>{}</mark>{}", phrase[:at], phrase[at:end], phrase[end:])


@register.filter
def evidence_source(section: str, trial) -> str:
    """{{ e.section|evidence_source:trial }} -> the source file that part of the page came from."""
    return provenance.evidence_source(trial, section)


@register.simple_tag(takes_context=True)
def without(context, param: str, value: str | None = None) -> str:
    """This page's URL less one filter value (or a whole parameter), back on the first page."""
    request = context["request"]
    query = request.GET.copy()
    for key in list(query):
        kept = [v for v in query.getlist(key) if v and key != "page"]
        if key == param:
            kept = [v for v in kept if value is not None and v != value]
        query.setlist(key, kept)
        if not kept:
            del query[key]
    return f"{request.path}?{query.urlencode()}" if query else request.path


# The column chart is SVG drawn in pixel-sized viewBox units, shown at that size so its
# text stays text-sized (a phone scrolls it sideways).
_PLOT_WIDTH, _PLOT_HEIGHT, _AXIS, _TOP = 640, 200, 34, 10


@register.filter
def percent_of(count: int, largest: int) -> float:
    """A bar's length in a horizontal bar chart: its share of the largest bar."""
    return round(count / largest * 100, 1) if largest else 0


@register.inclusion_tag("catalogue/charts/_columns.html")
def stacked_columns(crosstab: CrossTab, title: str, palette: str = "source") -> dict:
    """One column per row of the table (a year), stacked by its columns (the cell sources).

    `palette` prefixes each segment's class: "source-adipose" takes the cell-source colours."""
    table = crosstab.table
    top = _axis_top(max((total for _, _, total in table), default=0))
    scale = _PLOT_HEIGHT / top
    step = min(44, max(12, _PLOT_WIDTH // max(len(table), 1)))  # one column's slot
    every = math.ceil(34 / step)  # label every year that has room for its label
    columns = []
    for i, (row, cells, total) in enumerate(table):
        y = _TOP + _PLOT_HEIGHT
        segments = []
        for category, count in zip(crosstab.columns, cells, strict=True):
            if count:
                height = count * scale
                y -= height
                segments.append(
                    {
                        "category": category,
                        "count": count,
                        "y": round(y, 1),
                        "height": round(height, 1),
                    }
                )
        columns.append(
            {
                "row": row,
                "total": total,
                "x": _AXIS + i * step,
                "segments": segments,
                "labelled": i % every == 0,
            }
        )
    ticks = [
        {"value": v, "y": round(_TOP + _PLOT_HEIGHT - v * scale, 1)}
        for v in range(0, top + 1, top // 4)
    ]
    return {
        "columns": columns,
        "ticks": ticks,
        "title": title,
        "bar_x": max(1, step // 8),
        "bar_width": step - 2 * max(1, step // 8),
        "label_x": step / 2,
        "label_y": _TOP + _PLOT_HEIGHT + 16,
        "tick_x": _AXIS - 6,
        "width": _AXIS + max(len(table), 1) * step + 6,
        "height": _TOP + _PLOT_HEIGHT + 24,
        "axis": _AXIS,
        "series": crosstab.columns,
        "palette": palette,
    }


def _axis_top(largest: int) -> int:
    """A round multiple of 4 (four gridlines) at least as tall as the tallest column: 3 -> 4, 13 -> 16, 70 -> 80."""
    if largest <= 4:
        return 4
    magnitude = 10 ** int(math.log10(largest))
    for nice in (1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6, 8, 10):
        top = int(nice * magnitude)
        if top >= largest and top % 4 == 0:
            return top
    return 4 * math.ceil(largest / 4)


@register.filter
def heat(count: int, largest: int) -> int:
    """A shade from 0 (none) to 5 (the largest cell) for a matrix cell."""
    if not count or not largest:
        return 0
    return max(1, math.ceil(count / largest * 5))


# json_script's escapes: inside <script>, "</script>" or "<!--" in scraped text would end
# the element or change how it is parsed; as JSON escapes they read the same.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def json_ld(data: dict) -> SafeString:
    """{{ structured|json_ld }}: a schema.org dict as a <script type="application/ld+json"> block."""
    text = json.dumps(data, ensure_ascii=False, cls=DjangoJSONEncoder).translate(_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))
