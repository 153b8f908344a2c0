"""django-csp's middleware, with the site's own policy built once instead of on every response.

``csp.middleware.CSPMiddleware`` builds the ``Content-Security-Policy`` header anew for each response (from
the settings, a view's ``@csp_update``/``@csp_replace``/``@csp`` and the request's nonce): a fraction of a
millisecond, which on the API's busiest read was a fifth of its time in Python. The header of a response
that no view decorator changed and whose request used no nonce depends on the settings alone: this
subclass builds that one once (per setting change) and reuses it. Every other response — a nonce, a
decorator — has its header built exactly as before. Exemptions (``@csp_exempt``), ``EXCLUDE_URL_PREFIXES``,
the report-only header, the DEBUG error pages and the guard against reading the nonce after the header
was written behave as in django-csp (``tests/ops/test_csp_cache.py`` compares the two headers).
"""

from __future__ import annotations

import http.client as http_client
from dataclasses import asdict
from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase

_SETTINGS = ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY")
_plain: dict[bool, str] = {}  # report_only -> the policy of the settings alone


@receiver(setting_changed)
def _forget(setting: str, **kwargs: Any) -> None:
    if setting in _SETTINGS:
        _plain.clear()


class CSPMiddleware(DjangoCSPMiddleware):
    def _policy(self, request: HttpRequest, response: HttpResponseBase, report_only: bool) -> str:
        parts = self.get_policy_parts(request=request, response=response, report_only=report_only)
        if parts.config is None and parts.update is None and parts.replace is None and parts.nonce is None:
            found = _plain.get(report_only)
            if found is None:
                found = _plain[report_only] = build_policy(report_only=report_only)
            return found
        return build_policy(**asdict(parts), report_only=report_only)

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        exempted_debug_codes = (http_client.INTERNAL_SERVER_ERROR, http_client.NOT_FOUND)
        if response.status_code in exempted_debug_codes and settings.DEBUG:
            return response
        for report_only, header, exempt, setting in (
            (False, HEADER, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
            (True, HEADER_REPORT_ONLY, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        ):
            policy = self._policy(request, response, report_only)
            if not policy or header in response or getattr(response, exempt, False) is not False:
                continue
            prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES", None) or ()
            if not request.path_info.startswith(tuple(prefixes)):
                response[header] = policy
        # As django-csp: once the header is written, reading request.csp_nonce is an error.
        if getattr(request, "_csp_nonce", None) is None:
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response
