"""/healthz for load balancers: 200 when the database and the cache answer, 503 if not.
It never touches the session, and is exempt from the HTTPS redirect (health checks
usually come over plain HTTP from inside the network)."""

from __future__ import annotations

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.warning("healthz: database does not answer", exc_info=True)
        return False


def _cache_answers() -> bool:
    probe = uuid.uuid4().hex
    try:
        cache.set("healthz", probe, 10)
        return cache.get("healthz") == probe
    except Exception:
        logger.warning("healthz: cache does not answer", exc_info=True)
        return False


@never_cache
@require_safe
def healthz(request):
    checks = {"database": _database_answers(), "cache": _cache_answers()}
    healthy = all(checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "failing", "checks": checks},
        status=200 if healthy else 503,
    )
