"""The training institutions' integration API, compatible with the program's existing partner
API: institutions' current code works by changing the base URL (CONTRACT.md).

Every request is signed (see ``signing.py``) and answered ``{"success", "message", "data"}``;
a refusal also carries ``code`` and the platform's usual ``errors`` list, with a 4xx status.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router

from prakerja.catalog.models import Institution
from prakerja.core import clock
from prakerja.core.errors import DomainError, Problem, fail, language_of
from prakerja.core.program import setting
from prakerja.integrations import signing
from prakerja.integrations.models import SeenRequest
from prakerja.learning import actions
from prakerja.learning.models import Purchase, RedeemCode

router = Router(tags=["integration"])

PREFIX = "/api/v1/integration"
STATUS_PATH = f"{PREFIX}/payment/redeem-code/status"
COMMIT_PATH = f"{PREFIX}/payment/redeem-code/commit"
COMPLETION_PATH = f"{PREFIX}/completion"
VERIFY_PATH = f"{PREFIX}/signature-check"

_ERROR_ITEM = {
    "type": "object",
    "required": ["code", "field", "message"],
    "properties": {
        "code": {"type": "string"},
        "field": {"type": ["string", "null"]},
        "message": {"type": "string"},
    },
}
_ANSWERED = {
    "type": "object",
    "required": ["success", "message", "data"],
    "properties": {
        "success": {"const": True},
        "message": {"type": "string"},
        "data": {"type": ["object", "null"]},
    },
}
_REFUSED = {
    "type": "object",
    "required": ["success", "message", "code", "data", "errors"],
    "properties": {
        "success": {"const": False},
        "message": {"type": "string", "description": "the first error's message"},
        "code": {"type": "string", "description": "the first error's code"},
        "data": {"type": ["object", "null"], "description": "the redeem code's state when a commit is refused"},
        "errors": {"type": "array", "minItems": 1, "items": _ERROR_ITEM},
    },
}


def _answers(refusals: dict[int, str]) -> dict[str, Any]:
    """Every answer the operation gives, in the partner format (so the API's shared refusals in the
    ``{"errors": …}`` format are not added to it: ``x-own-refusals``)."""
    responses: dict[int, Any] = {200: {"description": "OK", "content": {"application/json": {"schema": _ANSWERED}}}}
    for status, text in refusals.items():
        responses[status] = {"description": text, "content": {"application/json": {"schema": _REFUSED}}}
    return {"responses": responses, "x-own-refusals": True}


# Every signed operation can refuse the request itself; the redeem and completion ones also its content.
_REQUEST_REFUSALS = {
    400: "The signed body is not a JSON object (`INVALID_JSON`).",
    401: "Unsigned, badly signed, unknown client or stale timestamp "
    "(`INVALID_SIGNATURE`, `UNKNOWN_CLIENT`, `TIMESTAMP_OUT_OF_RANGE`).",
    409: "This exact signed request was already received (`REPLAYED_REQUEST`).",
    413: "The body is too large (`BODY_TOO_LARGE`).",
}
_CONTENT_REFUSALS = _REQUEST_REFUSALS | {
    403: "The code or voucher belongs to another institution (`WRONG_INSTITUTION`).",
    404: "No such redeem code or voucher (`REDEEM_CODE_NOT_FOUND`, `VOUCHER_NOT_FOUND`).",
    409: "Replayed request, or the code/voucher's state forbids it (`ALREADY_USED`, `CANCELLED`, …).",
    422: "A field is missing or wrong, or outside the redeem window (`FIELD_REQUIRED`, `SEQUENCE_MISMATCH`, …).",
}

_SIGNED_HEADERS = _answers(_REQUEST_REFUSALS) | {
    "parameters": [
        {"in": "header", "name": name, "required": True, "schema": {"type": "string"}, "description": text}
        for name, text in (
            ("client_code", "The institution's client code."),
            ("timestamp", "Unix time in seconds; accepted within ±5 minutes of the server's clock."),
            ("signature", "hex(HMAC-SHA1(sign_key, client_code + timestamp + 'POST' + path + body))."),
        )
    ]
}


def _redeem_body(required: list[str], properties: dict[str, Any]) -> dict[str, Any]:
    return (
        _SIGNED_HEADERS
        | _answers(_CONTENT_REFUSALS)
        | {
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"type": "object", "required": required, "properties": properties}}
                },
            }
        }
    )


REDEEM_SCHEMA = _redeem_body(
    ["redeem_code"],
    {
        "redeem_code": {"type": "string"},
        "sequence": {"type": "integer", "minimum": 1, "description": "session number, default: the code's own"},
    },
)
COMPLETION_SCHEMA = _redeem_body(["voucher_code"], {"voucher_code": {"type": "string"}})
SIGNATURE_CHECK_SCHEMA = _SIGNED_HEADERS | {
    "requestBody": {
        "required": True,
        "description": "Any JSON object (e.g. `{}`), signed like the other requests.",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


class PartnerError(Exception):
    def __init__(self, problem: Problem, status: int, data: dict[str, Any] | None = None) -> None:
        self.problem, self.status, self.data = problem, status, data


# Success messages, (Indonesian, English) like the error messages: ``message`` follows Accept-Language.
SUCCESS_MESSAGES = {
    "OK": ("OK", "OK"),
    "COMMITTED": ("Kode redeem berhasil digunakan.", "The redeem code was used successfully."),
    "COMPLETED": ("Penyelesaian pelatihan tercatat.", "The training completion was recorded."),
}


def respond(request: HttpRequest, data: dict[str, Any] | None, message: str = "OK", status: int = 200) -> HttpResponse:
    indonesian, english = SUCCESS_MESSAGES.get(message, (message, message))
    text = english if language_of(request) == "en" else indonesian
    return JsonResponse({"success": True, "message": text, "data": data}, status=status)


def refuse(request: HttpRequest, problem: Problem, status: int, data: dict[str, Any] | None = None) -> HttpResponse:
    language = language_of(request)
    body = {
        "success": False,
        "message": problem.message(language),
        "code": problem.code,
        "data": data,
        "errors": [problem.as_dict(language)],
    }
    return JsonResponse(body, status=status)


def authenticate(request: HttpRequest, path: str) -> tuple[Institution, Any]:
    """Check who is calling and that this exact request is fresh; returns the institution and the
    parsed body (None when it is not JSON)."""
    client_code = request.headers.get("client_code", "").strip()
    timestamp = request.headers.get("timestamp", "").strip()
    signature = request.headers.get("signature", "").strip()
    if not (client_code and timestamp and signature):
        raise PartnerError(Problem("INVALID_SIGNATURE"), 401)
    # No client code has a NUL character, and PostgreSQL cannot even look one up.
    known = "\x00" not in client_code
    institution = next(iter(Institution.objects.filter(client_code=client_code)[:1]), None) if known else None
    if institution is None:
        raise PartnerError(Problem("UNKNOWN_CLIENT"), 401)
    tolerance = setting("signature_tolerance_seconds")
    skew = signing.timestamp_skew(timestamp, clock.now().timestamp())
    if skew is None or skew > tolerance:
        raise PartnerError(Problem("TIMESTAMP_OUT_OF_RANGE", params={"seconds": tolerance}), 401)
    raw = request.body
    try:
        data = json.loads(raw) if raw else None
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: "[[[[…" nested too deep
        data = None
    keys = [institution.sign_key]
    if institution.previous_sign_key and (institution.previous_key_valid_until or clock.now()) > clock.now():
        keys.append(institution.previous_sign_key)
    # The endpoint's own path is what clients sign; a client that posts to "//api/…" still signs it.
    paths = [path] + ([request.path] if request.path != path else [])
    if not any(signing.verify(keys, client_code, timestamp, p, raw, data, signature) for p in paths):
        raise PartnerError(Problem("INVALID_SIGNATURE"), 401)
    seen = SeenRequest(client_code=client_code, signature=signature.lower(), timestamp=int(timestamp))
    try:
        if connection.in_atomic_block:  # a savepoint keeps the caller's transaction usable
            with transaction.atomic():
                seen.save(force_insert=True)
        else:  # one INSERT is atomic by itself: one round trip instead of BEGIN/INSERT/COMMIT
            seen.save(force_insert=True)
    except IntegrityError:
        raise PartnerError(Problem("REPLAYED_REQUEST"), 409) from None
    # A suspended institution sells nothing new (off the catalog, no new programs or classes),
    # but the trainings it already sold go on: attendance and completion are still recorded.
    if not isinstance(data, dict):
        raise PartnerError(Problem("INVALID_JSON"), 400)
    return institution, data


def _redeem_args(data: dict[str, Any]) -> tuple[str, int | None]:
    code = data.get("redeem_code")
    if not isinstance(code, str) or not code.strip():
        raise PartnerError(Problem("FIELD_REQUIRED", "redeem_code"), 422)
    sequence = data.get("sequence")
    if isinstance(sequence, str) and sequence.strip().isascii() and sequence.strip().isdigit():
        try:
            sequence = int(sequence)
        except ValueError:  # more digits than int() converts
            raise PartnerError(Problem("INVALID_VALUE", "sequence"), 422) from None
    if sequence is not None and (not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 1):
        raise PartnerError(Problem("INVALID_VALUE", "sequence"), 422)
    return code, sequence


_STATUS_NUMBER = {"valid": 0, "not_yet": 0, "expired": 0, "used": 1, "cancelled": 2}


def redeem_data(code: RedeemCode) -> dict[str, Any]:
    """The fields partner clients read (success/message/data with redeem_code, status,
    attendance_status, sequence, schedule and course codes…)."""
    facts = actions.class_facts(code.training_class_id)
    opens, closes = actions.redeem_window(code)
    state = actions.redeem_state(code)
    return {
        "redeem_code": code.code,
        "sequence": code.sequence,
        "state": state,
        "status": _STATUS_NUMBER[state],
        "attendance_status": 1 if code.committed_at else 0,
        "redeem_at": code.committed_at.isoformat() if code.committed_at else None,
        "invoice_code": code.voucher_code,
        "schedule_code": facts.class_code,
        "course_code": facts.program_id,
        "course_title": facts.title,
        "course_type": facts.mode,
        "is_online_attendance": facts.mode in ("webinar", "self_paced"),
        "schedule_start_end": f"{code.starts_at.isoformat()} - {code.ends_at.isoformat()}",
        "redeem_window": {"opens": opens.isoformat(), "closes": closes.isoformat()},
    }


def _handle(request: HttpRequest, path: str, work: Any) -> HttpResponse:
    try:
        institution, data = authenticate(request, path)
        return work(institution, data)
    except PartnerError as refusal:
        return refuse(request, refusal.problem, refusal.status, refusal.data)
    except DomainError as refusal:
        return refuse(request, refusal.problems[0], refusal.status)
    except RequestDataTooBig:
        return refuse(request, Problem("BODY_TOO_LARGE"), 413)


@router.post(
    "/payment/redeem-code/status",
    auth=None,
    summary="Redeem code status (signed)",
    openapi_extra=REDEEM_SCHEMA,
    include_in_schema=True,
)
def redeem_status(request: HttpRequest) -> HttpResponse:
    def work(institution: Institution, data: dict[str, Any]) -> HttpResponse:
        code, sequence = _redeem_args(data)
        found = actions.find_redeem_code(institution, code, sequence)
        return respond(request, redeem_data(found))

    return _handle(request, STATUS_PATH, work)


@router.post(
    "/payment/redeem-code/commit",
    auth=None,
    summary="Commit a redeem code: attendance (signed)",
    openapi_extra=REDEEM_SCHEMA,
)
def redeem_commit(request: HttpRequest) -> HttpResponse:
    def work(institution: Institution, data: dict[str, Any]) -> HttpResponse:
        code, sequence = _redeem_args(data)
        try:
            committed = actions.commit_redeem(institution, code, sequence)
        except DomainError as refusal:
            if refusal.codes[0] in ("REDEEM_CODE_NOT_FOUND", "WRONG_INSTITUTION", "SEQUENCE_MISMATCH"):
                raise
            found = actions.find_redeem_code(institution, code, None)
            # Say what the code's state is, so a client retrying after a timeout learns that its
            # first commit did land.
            raise PartnerError(refusal.problems[0], refusal.status, redeem_data(found)) from None
        return respond(request, redeem_data(committed), "COMMITTED")

    return _handle(request, COMMIT_PATH, work)


@router.post(
    "/completion", auth=None, summary="Report a participant's completion (signed)", openapi_extra=COMPLETION_SCHEMA
)
def completion(request: HttpRequest) -> HttpResponse:
    def work(institution: Institution, data: dict[str, Any]) -> HttpResponse:
        voucher = data.get("voucher_code")
        if not isinstance(voucher, str) or not voucher.strip():
            raise PartnerError(Problem("FIELD_REQUIRED", "voucher_code"), 422)
        purchase = actions.complete(institution, voucher)
        return respond(request, completion_data(purchase), "COMPLETED")

    return _handle(request, COMPLETION_PATH, work)


@router.post(
    "/signature-check",
    auth=None,
    summary="Check a request's signature only (signed)",
    openapi_extra=SIGNATURE_CHECK_SCHEMA,
)
def signature_check(request: HttpRequest) -> HttpResponse:
    """For an institution's developers testing their signing; also the benchmark's floor."""
    return _handle(
        request, VERIFY_PATH, lambda institution, data: respond(request, {"client_code": institution.client_code})
    )


def completion_data(purchase: Purchase) -> dict[str, Any]:
    certificate = getattr(purchase, "certificate", None)
    return {
        "invoice_code": purchase.voucher_code,
        "status": purchase.status,
        "completed_at": purchase.completed_at.isoformat() if purchase.completed_at else None,
        "certificate_number": certificate.number if certificate else None,
    }


def purge_seen_requests() -> int:
    """Forget requests whose timestamp can no longer be accepted anyway (periodic)."""
    cutoff = int(clock.now().timestamp()) - 2 * setting("signature_tolerance_seconds")
    deleted, _ = SeenRequest.objects.filter(timestamp__lt=cutoff).delete()
    return deleted


__all__ = ["fail", "router"]
