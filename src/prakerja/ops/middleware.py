"""Answer the probes and the metrics scrape first, before the rest of the middleware.

A load balancer's probe names the server by its address, carries no session and repeats every few
seconds; the rest of the stack would refuse its Host header (ALLOWED_HOSTS), redirect it to HTTPS,
count it against a rate limit, look up a session or send a staff session to the two-factor prompt.
None of that protects these three answers, which hold no personal data and change nothing, so they are
served here directly. Only GET and HEAD are answered; anything else falls through to the normal stack
(and its 405). The same views are in the URL configuration, for reversing and for the access matrix.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from prakerja.ops import views

ENDPOINTS: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/healthz": views.healthz,
    "/readyz": views.readyz,
    "/metrics": views.metrics,
}


class OpsEndpointsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = ENDPOINTS.get(request.path_info)
        if view is not None and request.method in ("GET", "HEAD"):
            return view(request)
        return self.get_response(request)
