"""Probes for load balancers and orchestrators."""

import time

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    """The process is up and answers."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    """The database and the cache answer; 503 with the failing part otherwise."""
    checks = {}
    for name, probe in (("database", _database), ("cache", _cache)):
        started = time.perf_counter()
        try:
            probe()
        except Exception as exc:  # a probe reports any failure, it does not raise
            checks[name] = {"status": "error", "error": exc.__class__.__name__}
        else:
            checks[name] = {"status": "ok", "ms": round((time.perf_counter() - started) * 1000, 1)}
    ok = all(check["status"] == "ok" for check in checks.values())
    return JsonResponse(
        {"status": "ok" if ok else "error", "checks": checks}, status=200 if ok else 503
    )


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache():
    cache.set("lutetia:readyz", "1", 5)
    if cache.get("lutetia:readyz") != "1":
        raise RuntimeError("cache did not keep a value")


# Probes answer without finding the request's site (`lutetia.site.current`).
healthz.lutetia_no_site = readyz.lutetia_no_site = True
