"""``/healthz`` (liveness), ``/readyz`` (readiness) and ``/metrics`` (Prometheus).

- ``/healthz`` says the process answers; it touches nothing else, so a slow database never gets a
  healthy web worker restarted.
- ``/readyz`` runs ops.probes: 200 when the database answers, the schema is migrated and the task queue
  is reachable; 503 naming the failed checks otherwise, so a load balancer sends no traffic here.
- ``/metrics`` is for loopback callers or the holder of ``METRICS_TOKEN`` (ops.metrics.may_scrape).

None of them shows personal data, sets a cookie or may be cached. They are reached through
ops.middleware before the rest of the middleware; the URL patterns exist so they can be reversed and
appear in the access matrix like every other page.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from prakerja.core.errors import Problem, language_of
from prakerja.ops import probes
from prakerja.ops.metrics import exposition, may_scrape


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@csrf_exempt
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    return _no_store(JsonResponse({"status": "ok"}))


@csrf_exempt
@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    result = probes.readiness()
    return _no_store(JsonResponse(result.as_dict(), status=200 if result.ready else 503))


@csrf_exempt
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    if not may_scrape(request):
        problem = Problem("METRICS_FORBIDDEN")
        return _no_store(JsonResponse({"errors": [problem.as_dict(language_of(request))]}, status=403))
    body, content_type = exposition()
    return _no_store(HttpResponse(body, content_type=content_type))
