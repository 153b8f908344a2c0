"""A request id on every request, every response (``X-Request-ID``) and every log line written meanwhile.

A proxy or load balancer in front usually assigns one already; it is kept when it looks like an id (a
short token of letters, digits and ``.-_:``) so one id follows a request through every tier. Anything
else — a missing header, or free text that could smuggle data into the logs — is replaced by a new one.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
_current: ContextVar[str | None] = ContextVar("prakerja_request_id", default=None)


def current() -> str | None:
    """The id of the request being handled in this thread (or task), if any."""
    return _current.get()


def choose(incoming: str | None) -> str:
    return incoming if incoming and _ACCEPTABLE.match(incoming) else uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = choose(request.headers.get(HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        token = _current.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[HEADER] = request_id
        return response
