from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from .health import healthz, sync_health

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("healthz/sync", sync_health, name="sync_health"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("catalogue.urls")),
]
