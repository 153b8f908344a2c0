"""The cached CSP middleware (ops.csp_cache) writes the headers django-csp's own middleware writes."""

from __future__ import annotations

import pytest
from csp.decorators import csp_exempt, csp_update
from csp.middleware import CSPMiddleware as LibraryCSPMiddleware
from django.http import HttpResponse

from prakerja.ops.csp_cache import CSPMiddleware


def _headers(middleware_class, rf, view, *, use_nonce=False, path="/api/v1/me"):
    request = rf.get(path)
    middleware = middleware_class(lambda r: view(r))

    def respond(request):
        if use_nonce:
            str(request.csp_nonce)
        return view(request)

    middleware.get_response = respond
    response = middleware(request)
    return {k: v for k, v in response.items() if k.startswith("Content-Security-Policy")}


def _directives(headers):
    return {k: sorted(v.split("; ")) for k, v in headers.items()}


def plain(request):
    return HttpResponse("ok")


@csp_update({"img-src": ["https://example.org"]})
def updated(request):
    return HttpResponse("ok")


@csp_exempt()
def exempt(request):
    return HttpResponse("ok")


@pytest.mark.parametrize("view", [plain, updated, exempt])
@pytest.mark.parametrize("use_nonce", [False, True])
def test_same_headers_as_django_csp(rf, view, use_nonce):
    for _ in range(2):  # the second time from the cache
        ours = _headers(CSPMiddleware, rf, view, use_nonce=use_nonce)
        theirs = _headers(LibraryCSPMiddleware, rf, view, use_nonce=use_nonce)
        assert _directives(ours) == _directives(theirs)
    if view is not exempt:
        assert ours["Content-Security-Policy"]


def test_a_settings_change_is_seen(rf, settings):
    before = _headers(CSPMiddleware, rf, plain)["Content-Security-Policy"]
    policy = dict(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"] = {**policy["DIRECTIVES"], "img-src": ["'self'", "https://peta.example"]}
    settings.CONTENT_SECURITY_POLICY = policy
    after = _headers(CSPMiddleware, rf, plain)["Content-Security-Policy"]
    assert "https://peta.example" in after and "https://peta.example" not in before
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert _headers(CSPMiddleware, rf, plain)["Content-Security-Policy-Report-Only"] == "default-src 'none'"
