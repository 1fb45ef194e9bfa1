from django.contrib.sitemaps import views as sitemaps
from django.urls import path, re_path
from django.views.generic import RedirectView

from . import views
from .sitemaps import SITEMAPS

app_name = "catalogue"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="catalogue:trial_list", query_string=True)),
    path("trials/", views.trial_list, name="trial_list"),
    re_path(r"^trials\.(?P<fmt>csv|json)$", views.download, name="download"),
    path("trials/feed.atom", views.trial_feed, name="feed"),
    path("trials/<path:registry_id>/report/", views.report_error, name="report_error"),
    path("trials/<path:registry_id>/report/thanks/", views.report_thanks, name="report_thanks"),
    # <path:…>: some registries' ids hold slashes (CTRI/2019/05/019123, SLCTR/2019/012), so
    # the detail page comes after the pages below a trial.
    path("trials/<path:registry_id>/", views.trial_detail, name="trial_detail"),
    path("landscape/", views.landscape, name="landscape"),
    path("data/", views.data_page, name="data"),
    path("data/<str:name>/<str:filename>", views.snapshot_file, name="snapshot_file"),
    path(
        "sitemap.xml",
        sitemaps.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "catalogue:sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemaps.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path("robots.txt", views.robots, name="robots"),
]
