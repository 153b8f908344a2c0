"""Rate limits on public endpoints, per client address, from one table (``settings.RATE_LIMITS``).

Each rule names the method and path it guards, how many requests one address
may make, and in what window. Counting uses fixed windows in the cache (Redis
in production, so all web workers share the counts). A request over the limit
gets 429 with ``Retry-After`` — the JSON error format on the API, a short
page on the site — and never reaches the view, so a flood costs no password
hashing, no civil-registry call and no database write.

Log-in failures have their own, stricter throttle per account (accounts.throttle).
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from prakerja.core.errors import Problem, language_of
from prakerja.core.requests import client_ip


@dataclass(frozen=True)
class Rule:
    scope: str
    methods: frozenset[str]
    path: re.Pattern[str]
    limit: int
    window: int  # seconds


def rules() -> list[Rule]:
    """The table, scaled by ``RATE_LIMIT_SCALE`` (0 turns limits off, e.g. for a load benchmark).

    Built once per value of the two settings (every request asks; tests may change them)."""
    return _rules(tuple(settings.RATE_LIMITS.items()), settings.RATE_LIMIT_SCALE)


@functools.lru_cache(maxsize=8)
def _rules(table: tuple[tuple[str, tuple[str, str, int, int]], ...], scale: float) -> list[Rule]:
    if scale <= 0:
        return []
    return [
        Rule(scope, frozenset(methods.split(",")), re.compile(pattern), max(1, int(limit * scale)), window)
        for scope, (methods, pattern, limit, window) in table
    ]


def hit(rule: Rule, address: str, now: float | None = None) -> int:
    """Count one request; the seconds to wait when over the limit, else 0."""
    now = time.time() if now is None else now
    window_start = int(now // rule.window) * rule.window
    key = f"rl:{rule.scope}:{address}:{window_start}"
    cache.add(key, 0, timeout=rule.window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=rule.window + 1)
        count = 1
    if count > rule.limit:
        return max(1, int(window_start + rule.window - now))
    return 0


class RateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for rule in rules():
            if request.method in rule.methods and rule.path.match(request.path):
                wait = hit(rule, client_ip(request))
                if wait:
                    return too_many(request, wait)
        return self.get_response(request)


def too_many(request: HttpRequest, wait: int) -> HttpResponse:
    problem = Problem("RATE_LIMITED", params={"retry_after": wait})
    language = language_of(request)
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"errors": [problem.as_dict(language)]}, status=429)
    else:
        body = render_to_string("429.html", {"message": problem.message(language)}, request=request)
        response = HttpResponse(body, status=429)
    response["Retry-After"] = str(wait)
    return response


class BodySizeLimitMiddleware:
    """Refuse any request body above ``MAX_REQUEST_BYTES`` before it is read (413), uploads included.

    Django caps form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but not uploaded files; each upload form
    checks its own files' type and size, and this is the ceiling above all of them.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        ceiling = next(
            (size for prefix, size in settings.LARGE_BODY_PATHS if request.path.startswith(prefix)),
            settings.MAX_REQUEST_BYTES,
        )
        if length > ceiling:
            problem = Problem("BODY_TOO_LARGE")
            language = language_of(request)
            if request.path.startswith("/api/"):
                return JsonResponse({"errors": [problem.as_dict(language)]}, status=413)
            return HttpResponse(problem.message(language), status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
