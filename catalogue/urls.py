from django.urls import path, re_path
from django.views.generic import RedirectView

from . import views

app_name = "catalogue"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="catalogue:trial_list", query_string=True)),
    path("trials/", views.trial_list, name="trial_list"),
    re_path(r"^trials\.(?P<fmt>csv|json)$", views.download, name="download"),
    # <path:…>: some registries' ids hold slashes (CTRI/2019/05/019123, SLCTR/2019/012).
    path("trials/<path:registry_id>/", views.trial_detail, name="trial_detail"),
    path("landscape/", views.landscape, name="landscape"),
]
