"""Prometheus metrics: requests by view, and the program's gauges (ops.program_metrics), at ``/metrics``.

Labels are bounded on purpose. A request is labelled by the name of the URL pattern that served it
(``catalog:detail``, ``api:apply``), never by its path, which carries ids, codes and tokens; a path no
pattern matches is ``<unmatched>``, a static file ``<static>``. The method is one of the standard ones
or ``other``; the status is its class (``2xx`` … ``5xx``).

Under gunicorn every worker is a process of its own. When ``PROMETHEUS_MULTIPROC_DIR`` is set (the
gunicorn configuration sets it, ops.gunicorn_conf) prometheus_client keeps each process's values in
memory-mapped files there, and a scrape adds up all of them, whichever worker answers it. The variable
must be set before this module is first imported, and the directory emptied when the server starts.

Probes and scrapes themselves are not counted (ops.middleware answers them before this middleware).
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, Histogram, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from prakerja.ops.program_metrics import ProgramCollector

UNMATCHED = "<unmatched>"
STATIC = "<static>"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Pages answer in tens of milliseconds; the API's heavier calls and exports in seconds.
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUESTS = Counter(
    "prakerja_http_requests",
    "HTTP requests answered, by URL pattern name, method and status class.",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "prakerja_http_request_duration_seconds",
    "Time from the request reaching Django to the response leaving it, by URL pattern name, method and status class.",
    ["view", "method", "status"],
    buckets=_BUCKETS,
)
IN_PROGRESS = Gauge("prakerja_http_requests_in_progress", "Requests being handled now.", multiprocess_mode="livesum")


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def view_label(request: HttpRequest) -> str:
    match = request.resolver_match
    if match is None:
        if request.path_info.startswith(settings.STATIC_URL):
            return STATIC  # served by WhiteNoise, ahead of URL resolution
        # Answered before URL resolution (rate limit, body size, two-factor redirect): resolve it now.
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return UNMATCHED
    return match.view_name or UNMATCHED


class RequestMetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        IN_PROGRESS.inc()
        try:
            response = self.get_response(request)
        finally:
            IN_PROGRESS.dec()
        elapsed = time.perf_counter() - started
        method = request.method if request.method in _METHODS else "other"
        labels = (view_label(request), method, f"{response.status_code // 100}xx")
        REQUESTS.labels(*labels).inc()
        LATENCY.labels(*labels).observe(elapsed)
        return response


# --- who may scrape ----------------------------------------------------------------------------------------
# A request relayed by a proxy on this machine arrives from loopback too; these headers give it away.
_PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED")


def is_loopback_caller(request: HttpRequest) -> bool:
    if any(request.META.get(header) for header in _PROXY_HEADERS):
        return False
    try:
        return ipaddress.ip_address(str(request.META.get("REMOTE_ADDR", ""))).is_loopback
    except ValueError:
        return False


def has_metrics_token(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(presented.strip(), token)


def may_scrape(request: HttpRequest) -> bool:
    return (settings.METRICS_ALLOW_LOOPBACK and is_loopback_caller(request)) or has_metrics_token(request)


# --- exposition --------------------------------------------------------------------------------------------
class _Scrape(Collector):
    """What one scrape reports: the request metrics (this process's, or every worker's) and the program's."""

    def __init__(self, *sources: Collector) -> None:
        self.sources = sources

    def collect(self) -> Iterable[Metric]:
        for source in self.sources:
            yield from source.collect()


_program = ProgramCollector()


def exposition() -> tuple[bytes, str]:
    directory = multiprocess_dir()
    requests: Collector = MultiProcessCollector(None, path=directory) if directory else REGISTRY
    return generate_latest(_Scrape(requests, _program)), CONTENT_TYPE_LATEST
