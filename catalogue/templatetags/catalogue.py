"""Presentation helpers: vocabulary labels, dates as precise as known, filter links and chart geometry."""

from __future__ import annotations

import math

from django import template
from django.utils.safestring import SafeString

from catalogue import search, vocabulary
from catalogue.landscape import CrossTab, Tally

register = template.Library()

_VOCABULARIES = {
    "status": vocabulary.Status,
    "phase": vocabulary.Phase,
    "study_type": vocabulary.StudyType,
    "sponsor_class": vocabulary.SponsorClass,
    "cell_source": vocabulary.CellSource,
    "donor": vocabulary.Donor,
    "diabetes_type": vocabulary.DiabetesType,
    "route": vocabulary.Route,
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


@register.filter
def enum_text(value: str) -> str:
    """SINGLE_GROUP -> "Single group" for registry enums that have no vocabulary here."""
    return value.replace("_", " ").capitalize() if value else ""


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
    """A search headline as HTML: the trial's text escaped, the matched words in <mark>."""
    return search.marked(snippet or "")


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


# Charts are SVG drawn on a fixed grid (viewBox units) and scaled to their box by CSS.
_BAR_ROW, _BAR_LABEL, _BAR_LENGTH = 26, 190, 300
_COLUMN_WIDTH, _PLOT_HEIGHT, _AXIS = 30, 200, 34


@register.inclusion_tag("catalogue/charts/_bars.html")
def bar_chart(tally: Tally, title: str, series: str = "") -> dict:
    """Horizontal bars, one per category; `series` names the CSS colour family of the bars."""
    largest = tally.largest or 1
    bar_x = _BAR_LABEL + 8
    bars = []
    for i, (category, count) in enumerate(tally.rows):
        length = round(count / largest * _BAR_LENGTH, 1)
        bars.append({"category": category, "count": count, "y": i * _BAR_ROW, "length": length, "value_x": bar_x + length + 5})
    return {
        "bars": bars,
        "title": title,
        "series": series,
        "label_x": _BAR_LABEL,
        "bar_x": bar_x,
        "text_y": _BAR_ROW - 9,
        "bar_height": _BAR_ROW - 8,
        "width": _BAR_LABEL + _BAR_LENGTH + 50,
        "height": max(len(bars), 1) * _BAR_ROW,
    }


@register.inclusion_tag("catalogue/charts/_columns.html")
def stacked_columns(crosstab: CrossTab, title: str) -> dict:
    """One column per row of the table (a year), stacked by its columns (the cell sources)."""
    table = crosstab.table
    top = _axis_top(max((total for _, _, total in table), default=0))
    scale = _PLOT_HEIGHT / top
    columns = []
    for i, (row, cells, total) in enumerate(table):
        x = _AXIS + i * _COLUMN_WIDTH
        y = _PLOT_HEIGHT
        segments = []
        for category, count in zip(crosstab.columns, cells):
            if count:
                height = count * scale
                y -= height
                segments.append({"category": category, "count": count, "y": round(y, 1), "height": round(height, 1)})
        every = max(1, math.ceil(len(table) / 16))  # keep year labels from overlapping
        columns.append({"row": row, "total": total, "x": x, "segments": segments, "labelled": i % every == 0})
    step = top // 4 if top % 4 == 0 else top
    ticks = [{"value": v, "y": round(_PLOT_HEIGHT - v * scale, 1)} for v in range(0, top + 1, max(step, 1))]
    return {
        "columns": columns,
        "ticks": ticks,
        "title": title,
        "bar_width": _COLUMN_WIDTH - 6,
        "label_x": _COLUMN_WIDTH / 2,
        "label_y": _PLOT_HEIGHT + 16,
        "tick_x": _AXIS - 6,
        "width": _AXIS + max(len(table), 1) * _COLUMN_WIDTH + 6,
        "height": _PLOT_HEIGHT + 24,
        "axis": _AXIS,
        "series": crosstab.columns,
    }


def _axis_top(largest: int) -> int:
    """A round number at least as large as the tallest column: 3 -> 4, 13 -> 16, 70 -> 80."""
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
