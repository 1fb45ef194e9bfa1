"""Health endpoints.

GET /healthz: for load balancers. 200 when the app can reach its database, 503 when it
cannot; it also reports the last successful registry sync, but a stale sync never makes
it fail (the site still serves what it has).

GET /healthz/sync: for a monitor that should alarm when the catalogue stops following
the registry. 503 when no sync has succeeded for SYNC_MAX_AGE_HOURS (or none ever has).
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.utils import DatabaseError
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def sync_status() -> dict:
    """The last successful sync: when it finished and how many hours ago; one query."""
    runs = apps.get_model("catalogue", "SyncRun").objects
    last = runs.filter(status="succeeded").order_by("-finished_at").first()
    limit = settings.SYNC_MAX_AGE_HOURS
    if last is None:
        return {"last_success": None, "age_hours": None, "max_age_hours": limit, "stale": True}
    age = (timezone.now() - last.finished_at).total_seconds() / 3600
    return {
        "last_success": last.finished_at.isoformat(),
        "age_hours": round(age, 2),
        "max_age_hours": limit,
        "stale": age > limit,
    }


@never_cache
@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        sync = sync_status()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "sync": sync})


@never_cache
@require_GET
def sync_health(request):
    try:
        sync = sync_status()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    status = "stale" if sync["stale"] else "ok"
    return JsonResponse({"status": status, "sync": sync}, status=503 if sync["stale"] else 200)
