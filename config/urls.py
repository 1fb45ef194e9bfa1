from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from catalogue.api.errors import not_found

from .health import healthz, sync_health

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("healthz/sync", sync_health, name="sync_health"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("api/v1/", include("catalogue.api.urls")),
    re_path(r"^api/", not_found),
    path("", include("catalogue.urls")),
]
