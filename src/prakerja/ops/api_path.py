"""The browser's session machinery, stood aside for bearer-token API requests.

A request to ``/api/`` that presents ``Authorization: Bearer …`` is authenticated by its token and nothing
else: the JSON API has no session-authenticated operation, its views are exempt from CSRF (a bearer token
is not sent by a browser on its own, so there is nothing to forge), and it shows no flash messages. For
such a request the middleware below pass it straight on — no session looked up, no lazy user wrapped for
the second factor, no message storage — and ``request.user`` is the anonymous user (the API reads
``request.auth``, the token's account, never ``request.user``).

Every other middleware still runs for it (Django's CSRF middleware too, which reads nothing for the
API's csrf_exempt views): the probes, request ids, metrics, security headers (HTTPS
redirect, HSTS, nosniff), CSP, locale (``Content-Language``; error messages follow ``Accept-Language``),
rate limits, body ceilings, the surge gate, the staff second-factor check (a no-op for the anonymous user:
bearer tokens are never issued to or accepted for staff) and ``X-Frame-Options``. Any other request — a
page, a form post, an API call without a bearer header — goes through each of them unchanged.

The settings name these subclasses in place of Django's and django-otp's own (same order, same
checks: each is a subclass of the class the system checks look for).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.middleware import MessageMiddleware as DjangoMessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.http import HttpRequest
from django_otp.middleware import OTPMiddleware as DjangoOtpMiddleware

API_PREFIX = "/api/"
_FLAG = "_prakerja_bearer_api"


def is_bearer_api(request: HttpRequest) -> bool:
    """Whether the request is to the JSON API and presents a bearer token (decided once per request)."""
    found = request.__dict__.get(_FLAG)
    if found is None:
        authorization = request.META.get("HTTP_AUTHORIZATION", "")
        found = request.path_info.startswith(API_PREFIX) and authorization[:7].lower() == "bearer "
        setattr(request, _FLAG, found)
    return bool(found)


class _StandsAsideForBearerApi:
    get_response: Callable[[HttpRequest], Any]

    def __call__(self, request: HttpRequest) -> Any:
        if is_bearer_api(request):
            return self.get_response(request)
        return super().__call__(request)  # type: ignore[misc]


class SessionMiddleware(_StandsAsideForBearerApi, DjangoSessionMiddleware):
    pass


class AuthenticationMiddleware(_StandsAsideForBearerApi, DjangoAuthenticationMiddleware):
    def __call__(self, request: HttpRequest) -> Any:
        if is_bearer_api(request):
            request.user = AnonymousUser()
        return super().__call__(request)


class OTPMiddleware(_StandsAsideForBearerApi, DjangoOtpMiddleware):
    pass


class MessageMiddleware(_StandsAsideForBearerApi, DjangoMessageMiddleware):
    pass
