"""The Data page: the newest citable snapshot, how to cite it, and the terms; and its files."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from .. import snapshot
from ..structured import dataset

CONTENT_TYPES = {
    "trials.json": "application/json; charset=utf-8",
    "trials.csv": "text/csv; charset=utf-8",
    "datapackage.json": "application/json; charset=utf-8",
    "CITATION.cff": "text/plain; charset=utf-8",
}


def data_page(request: HttpRequest) -> HttpResponse:
    found = snapshot.snapshots(settings.SNAPSHOT_DIR)
    latest = found[0] if found else None
    page_url = request.build_absolute_uri(reverse("catalogue:data"))
    context = {"snapshot": latest, "older": found[1:], "license": settings.DATA_LICENSE}
    if latest:
        files = [
            {**f, "url": reverse("catalogue:snapshot_file", args=[latest.name, f["name"]])}
            for f in latest.files()
        ]
        context |= {
            "files": files,
            "citation_cff": latest.citation_cff(),
            "bibtex": snapshot.bibtex(latest, page_url),
            "structured": dataset(latest, page_url, request.build_absolute_uri),
        }
    return render(request, "catalogue/data.html", context)


def snapshot_file(request: HttpRequest, name: str, filename: str) -> FileResponse:
    path = snapshot.file_path(settings.SNAPSHOT_DIR, name, filename)
    if path is None:
        raise Http404("No such snapshot file.")
    # FileResponse closes the file once it is sent; a with-block would close it before.
    response = FileResponse(open(path, "rb"), content_type=CONTENT_TYPES[filename])  # noqa: SIM115
    disposition = "attachment" if filename in snapshot.DATA_FILES else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{name}-{filename}"'
    return response
