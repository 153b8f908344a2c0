"""Partner clients in the wild post to ``//api/v1/…`` (a base URL ending in "/" joined with a
path starting with one). The development server merges the slashes; gunicorn and most proxies
do not, and Django would answer 404. Collapse a run of leading slashes before routing."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class LeadingSlashesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith("//"):
            request.path_info = "/" + request.path_info.lstrip("/")
            request.path = "/" + request.path.lstrip("/")
        return self.get_response(request)
