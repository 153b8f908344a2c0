"""The JSON API (``/api/v1/``): one NinjaAPI, routers from each app, one error format.

Every refusal is ``{"errors": [{"code", "field", "message"}]}`` with a 4xx
status and the message in the reader's language (``Accept-Language``:
Indonesian by default, English on request) — whether it came from a rule
(:class:`DomainError`), from the request's shape (pydantic), from an
oversized or unparsable body, or from missing credentials.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema

from prakerja.accounts.api import ErrorsOut
from prakerja.accounts.api import router as auth_router
from prakerja.aptitude.api import router as test_router
from prakerja.batches.api import router as batches_router
from prakerja.catalog.api import router as catalog_router
from prakerja.complaints.api import router as complaints_router
from prakerja.core.errors import DomainError, Problem, language_of
from prakerja.helpdesk.api import router as helpdesk_router
from prakerja.integrations.api import router as integration_router
from prakerja.learning.api import router as learning_router
from prakerja.payments.api import router as payments_router
from prakerja.regions.api import router as regions_router
from prakerja.registry.api import router as me_router
from prakerja.reports.api import router as reports_router
from prakerja.surveys.api import router as surveys_router

# Refusals made for every operation they can reach by the API's own handlers below and by the
# rate-limit middleware: documented here, once, rather than in each router's decorators (an
# operation's own declaration of a status wins).
_SHARED_REFUSALS = {
    "auth": {401: "Missing, unknown or expired bearer token (`NOT_AUTHENTICATED`)."},
    "input": {422: "The request's parameters or body do not have the documented shape (`FIELD_REQUIRED`, …)."},
    "body": {
        400: "The body is not JSON (`INVALID_JSON`).",
        413: "The body is larger than the platform accepts (`BODY_TOO_LARGE`).",
    },
    "rate": {429: "Too many requests from this address; wait `Retry-After` seconds (`RATE_LIMITED`)."},
}
_ERRORS_REF = {"$ref": "#/components/schemas/ErrorsOut"}
_RETRY_AFTER = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "string"}}}


def _rate_limited(method: str, path: str) -> bool:
    """Whether a rule of ``settings.RATE_LIMITS`` guards this operation (path parameters as "0")."""
    concrete = re.sub(r"\{[^}]*\}", "0", path)
    for methods, pattern, _limit, _window in settings.RATE_LIMITS.values():
        if method.upper() in methods.split(",") and re.match(pattern, concrete):
            return True
    return False


def document_shared_refusals(schema: dict[str, Any]) -> dict[str, Any]:
    """Add to each operation the 4xx answers given to it by the API-wide handlers and rate limits."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    errors_schema = ErrorsOut.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(errors_schema.pop("$defs", {}))
    components.setdefault("ErrorsOut", errors_schema)
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"] = _by_status_text(operation["responses"])
            if operation.get("x-own-refusals"):  # e.g. the signed partner API, in its own format
                continue
            kinds = []
            if operation.get("security"):
                kinds.append("auth")
            if operation.get("parameters") or operation.get("requestBody"):
                kinds.append("input")
            if operation.get("requestBody"):
                kinds.append("body")
            if _rate_limited(method, path):
                kinds.append("rate")
            for kind in kinds:
                for status, text in _SHARED_REFUSALS[kind].items():
                    responses.setdefault(
                        str(status),
                        {"description": text, "content": {"application/json": {"schema": _ERRORS_REF}}}
                        | ({"headers": _RETRY_AFTER} if status == 429 else {}),
                    )
    return schema


def _by_status_text(responses: dict[Any, Any]) -> dict[str, Any]:
    """Responses keyed by status as text, as in JSON. Ninja keys them by number, so an operation's
    ``openapi_extra`` that describes "200" would otherwise give the document two "200" keys; its
    description (given later) completes ninja's."""
    merged: dict[str, Any] = {}
    for status, response in sorted(responses.items(), key=lambda item: isinstance(item[0], str)):
        merged[str(status)] = merged.get(str(status), {}) | response
    return merged


class PlatformApi(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_shared_refusals(schema)
        return schema


api = PlatformApi(
    title="Kartu Prakerja API",
    version="1",
    description=(
        "Participant and partner API of the Kartu Prakerja platform. Errors are "
        '`{"errors": [{"code", "field", "message"}]}`; messages follow `Accept-Language` (`id`, `en`).'
    ),
    urls_namespace="api",
)


def errors_response(request: HttpRequest, problems: list[Problem], status: int) -> HttpResponse:
    language = language_of(request)
    return api.create_response(request, {"errors": [p.as_dict(language) for p in problems]}, status=status)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return errors_response(request, exc.problems, exc.status)


# pydantic error type -> our code
_PYDANTIC_CODES = {
    "missing": "FIELD_REQUIRED",
    "string_too_long": "TOO_LONG",
    "date_parsing": "INVALID_DATE",
    "date_from_datetime_parsing": "INVALID_DATE",
    "date_from_datetime_inexact": "INVALID_DATE",
    "date_type": "INVALID_DATE",
    "literal_error": "INVALID_VALUE",
    "enum": "INVALID_VALUE",
    "greater_than_equal": "INVALID_VALUE",
    "less_than_equal": "INVALID_VALUE",
    "json_invalid": "INVALID_JSON",
}


def _field_of(loc: Any) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "path", "form", "file")]
    return ".".join(parts) or None


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = []
    for error in exc.errors:
        code = _PYDANTIC_CODES.get(error.get("type", ""), "INVALID_TYPE")
        params = {"max": error.get("ctx", {}).get("max_length", "")} if code == "TOO_LONG" else {}
        problems.append(Problem(code, _field_of(error.get("loc", ())), params))
    return errors_response(request, problems, 422)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = errors_response(request, [Problem("NOT_AUTHENTICATED")], 401)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, RequestDataTooBig):
        return errors_response(request, [Problem("BODY_TOO_LARGE")], 413)
    if exc.status_code == 400:
        return errors_response(request, [Problem("INVALID_JSON")], 400)
    if exc.status_code == 404:
        return errors_response(request, [Problem("NOT_FOUND")], 404)
    return errors_response(request, [Problem("INVALID_VALUE")], exc.status_code)


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return errors_response(request, [Problem("BODY_TOO_LARGE")], 413)


@api.exception_handler(MultiPartParserError)
@api.exception_handler(TooManyFieldsSent)
@api.exception_handler(TooManyFilesSent)
def on_bad_multipart(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A form upload Django cannot read (no boundary, too many parts): the client's fault, said as JSON."""
    return errors_response(request, [Problem("INVALID_VALUE")], 400)


api.add_router("/auth", auth_router)
api.add_router("/me", me_router)
api.add_router("/me/test", test_router)
api.add_router("/regions", regions_router)
api.add_router("", batches_router)
api.add_router("", catalog_router)
api.add_router("/me", learning_router)
api.add_router("/integration", integration_router)
api.add_router("", payments_router)
api.add_router("/me", surveys_router)
api.add_router("", complaints_router)
api.add_router("", helpdesk_router)
api.add_router("", reports_router)
