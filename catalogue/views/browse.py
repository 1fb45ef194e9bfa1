"""The trial list (search, filters with facet counts, sorting, pages) and the same list as a download."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ..export import to_csv, to_json
from ..facets import facets
from ..filters import PAGE_SIZES, TrialFilter, echo
from ..listing import Listing
from ..models import Trial
from ..pagecache import cached_for_visitors

DOWNLOADS = {
    "csv": (to_csv, "text/csv; charset=utf-8"),
    "json": (to_json, "application/json; charset=utf-8"),
}


@cached_for_visitors
def trial_list(request: HttpRequest) -> HttpResponse:
    listing = Listing(request.GET, Trial.objects.for_list())
    filterset, trials, counts = listing.filterset, listing.trials, listing.counts
    # The page's links (pages, downloads, filter chips) are built from request.GET: they
    # carry what the filterset read, so a 100 kB or repeated parameter is not in each one.
    request.GET = filterset.data
    if filterset.searched:
        trials = trials.with_snippets(filterset.searched)
    paginator = CountedPaginator(trials, filterset.per_page, count=counts.total)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "catalogue/trial_list.html",
        {
            "filterset": filterset,
            "facets": facets(filterset, counts),
            "page": page,
            "page_range": page.paginator.get_elided_page_range(
                page.number, on_each_side=2, on_ends=1
            ),
            "problems": [*filterset.problems, *_page_problem(request.GET.get("page"), page)],
            "page_sizes": PAGE_SIZES,
        },
    )


class CountedPaginator(Paginator):
    """A paginator told how many items there are: the facet query counted them already."""

    def __init__(self, object_list, per_page: int, *, count: int):
        super().__init__(object_list, per_page)
        self.count = count


def _page_problem(asked: str | None, page: Page) -> list[str]:
    if not asked or asked == str(page.number):
        return []
    if not asked.isdigit():
        shown = echo(asked)
        return [f"Page: ignored “{shown}”, which is not a page number. Showing page {page.number}."]
    return [
        f"There is no page {echo(asked)}: the list has {page.paginator.num_pages} "
        f"page{'s' if page.paginator.num_pages != 1 else ''}. Showing page {page.number}."
    ]


def download(request: HttpRequest, fmt: str) -> HttpResponse:
    """The whole filtered list, in the list's order, as the canonical JSON or its CSV flattening."""
    render_as, content_type = DOWNLOADS[fmt]
    trials = TrialFilter(request.GET, queryset=Trial.objects.for_export()).qs
    response = HttpResponse(render_as(trials), content_type=content_type)
    filename = f"msc-diabetes-trials-{timezone.localdate():%Y-%m-%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
