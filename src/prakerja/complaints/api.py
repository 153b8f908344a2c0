"""Complaint operations of the API (mounted at ``/api/v1/`` with no prefix).

- ``POST /complaints``: file a complaint (``multipart/form-data``, up to three ``attachments``). With a
  participant's bearer token (optional; a wrong one is 401) the complaint is theirs; without one it is a public
  report (name and an email or phone required) and the answer carries the ticket's access code, once.
- ``GET /me/complaints``, ``GET /me/complaints/{id}``: a participant's own complaints (someone else's: 404).
- ``POST /me/complaints/{id}/messages``: reply (multipart, attachments optional).
- ``GET /me/complaints/{id}/attachments/{attachment_id}``: download an attachment.
- ``POST /me/complaints/{id}/confirm``, ``POST /me/complaints/{id}/reopen``: after the resolution.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils.http import content_disposition_header
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from prakerja.accounts.api import ErrorsOut, bearer
from prakerja.accounts.bearer import user_for_token
from prakerja.complaints import access, actions, rules, storage
from prakerja.complaints.models import Complaint, ComplaintAttachment, ComplaintMessage
from prakerja.core import clock
from prakerja.core.errors import fail
from prakerja.core.program import setting
from prakerja.core.public_ids import get_by_public_id
from prakerja.core.requests import client_ip

router = Router(tags=["complaints"])


def _reporter(request: HttpRequest) -> Any:
    """The participant whose bearer token came with the request, None without one; a wrong token is 401.

    The operation declares no security scheme on purpose: credentials are optional (a public report), so
    the schema must not promise that a request without them is refused.
    """
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    user = user_for_token(token.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        raise fail("NOT_AUTHENTICATED", status=401)
    return user


def _check_size(request: HttpRequest) -> None:
    try:
        too_big = int(request.META.get("CONTENT_LENGTH") or 0) > rules.MAX_REQUEST_BYTES
    except ValueError:
        too_big = True
    if too_big:
        raise fail("BODY_TOO_LARGE", status=413)


# --- schemas ----------------------------------------------------------------------------------------------


class ComplaintIn(Schema):
    category: str = Field(
        max_length=20,
        description="registration | ktp_upload | nik_registered | account_blocked | training | payment | other",
    )
    subject: str = Field(max_length=150)
    description: str = Field(max_length=5000)
    name: str = Field("", max_length=120, description="Public reporter only: full name.")
    email: str = Field("", max_length=254, description="Public reporter only: email (this or phone).")
    phone: str = Field("", max_length=24, description="Public reporter only: Indonesian mobile number.")
    regency_code: str = Field(
        "",
        max_length=4,
        description="4-digit regency/city code. Required from a public reporter and from a participant whose "
        "domicile or KTP district is not on record yet; otherwise taken from the record.",
    )


class FiledOut(Schema):
    id: str
    number: str
    status: str
    category: str
    sla_due_at: dt.datetime
    access_code: str | None = Field(
        None, description="Public reporter only: shown once; with the number it opens the ticket on the website."
    )


class AttachmentOut(Schema):
    id: str
    name: str
    content_type: str
    size: int


class MessageOut(Schema):
    id: str
    kind: str
    from_staff: bool
    body: str
    created_at: dt.datetime
    attachments: list[AttachmentOut]


class ComplaintOut(Schema):
    id: str
    number: str
    category: str
    subject: str
    status: str
    priority: str
    region_code: str
    created_at: dt.datetime
    updated_at: dt.datetime
    sla_due_at: dt.datetime
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None


class ComplaintDetailOut(ComplaintOut):
    description: str
    can_reply: bool
    can_confirm: bool
    can_reopen: bool
    messages: list[MessageOut]


class ReplyIn(Schema):
    body: str = Field(max_length=5000)


class ReopenIn(Schema):
    reason: str = Field(max_length=5000)


def _attachment_out(a: ComplaintAttachment) -> dict[str, Any]:
    return {"id": str(a.public_id), "name": a.original_name, "content_type": a.content_type, "size": a.size}


def _message_out(m: ComplaintMessage) -> dict[str, Any]:
    return {
        "id": str(m.public_id),
        "kind": m.kind,
        "from_staff": m.from_staff,
        "body": m.body,
        "created_at": m.created_at,
        "attachments": [_attachment_out(a) for a in m.attachments.all()],
    }


def _complaint_out(c: Complaint) -> dict[str, Any]:
    return {
        "id": str(c.public_id),
        "number": c.number,
        "category": c.category,
        "subject": c.subject,
        "status": c.status,
        "priority": c.priority,
        "region_code": c.region_code,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
        "sla_due_at": c.sla_due_at,
        "resolved_at": c.resolved_at,
        "closed_at": c.closed_at,
    }


def _detail_out(c: Complaint) -> dict[str, Any]:
    thread = c.messages.filter(internal=False).prefetch_related("attachments").order_by("created_at", "id")
    days = int(setting("complaint_reopen_days"))
    return {
        **_complaint_out(c),
        "description": c.description,
        "can_reply": c.status in rules.ACTIVE,
        "can_confirm": c.status == rules.RESOLVED,
        "can_reopen": rules.reopen_refusal(c.status, c.resolved_at, clock.now(), days) is None,
        "messages": [_message_out(m) for m in thread],
    }


# --- operations -------------------------------------------------------------------------------------------


@router.post(
    "/complaints",
    response={201: FiledOut, 400: ErrorsOut, 401: ErrorsOut, 413: ErrorsOut, 422: ErrorsOut, 429: ErrorsOut},
    summary="File a complaint (participant with a bearer token, or the public without one)",
)
def file_complaint(
    request: HttpRequest,
    payload: Form[ComplaintIn],
    attachments: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Status[dict[str, Any]]:
    """``multipart/form-data``. Attachments: at most 3 files, PDF, JPEG or PNG (checked by their content),
    2 MB each. Refusals: ``COMPLAINT_CATEGORY_INVALID``, ``FIELD_REQUIRED``, ``TOO_LONG``, ``EMAIL_INVALID``,
    ``PHONE_INVALID``, ``REPORTER_CONTACT_REQUIRED``, ``COMPLAINT_REGENCY_UNKNOWN``, ``ATTACHMENT_*``."""
    _check_size(request)
    user = _reporter(request)
    filed = actions.file_complaint(
        category=payload.category,
        subject=payload.subject,
        description=payload.description,
        reporter=user,
        name=payload.name,
        email=payload.email,
        phone=payload.phone,
        regency_code=payload.regency_code,
        files=attachments or [],
        actor=user,
        ip=client_ip(request),
    )
    c = filed.complaint
    return Status(
        201,
        {
            "id": str(c.public_id),
            "number": c.number,
            "status": c.status,
            "category": c.category,
            "sla_due_at": c.sla_due_at,
            "access_code": filed.access_code,
        },
    )


@router.get("/me/complaints", auth=bearer, response=list[ComplaintOut], summary="My complaints, newest first")
def my_complaints(request: HttpRequest) -> list[dict[str, Any]]:
    mine = access.own_complaints(request.auth).order_by("-created_at")[:200]  # type: ignore[attr-defined]
    return [_complaint_out(c) for c in mine]


@router.get(
    "/me/complaints/{complaint_id}",
    auth=bearer,
    response={200: ComplaintDetailOut, 404: ErrorsOut},
    summary="One of my complaints, with the thread (never internal notes)",
)
def my_complaint(request: HttpRequest, complaint_id: str) -> dict[str, Any]:
    return _detail_out(access.access_own_complaint(request.auth, complaint_id))  # type: ignore[attr-defined]


@router.post(
    "/me/complaints/{complaint_id}/messages",
    auth=bearer,
    response={201: MessageOut, 404: ErrorsOut, 409: ErrorsOut, 413: ErrorsOut, 422: ErrorsOut},
    summary="Reply on my complaint (multipart; attachments optional)",
)
def reply(
    request: HttpRequest,
    complaint_id: str,
    payload: Form[ReplyIn],
    attachments: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Status[dict[str, Any]]:
    _check_size(request)
    user = request.auth  # type: ignore[attr-defined]
    complaint = access.access_own_complaint(user, complaint_id)
    message = actions.reporter_reply(complaint, payload.body, attachments or [], user=user, ip=client_ip(request))
    return Status(201, _message_out(message))


@router.get(
    "/me/complaints/{complaint_id}/attachments/{attachment_id}",
    auth=bearer,
    response={200: None, 404: ErrorsOut},
    summary="Download an attachment of my complaint",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file, as an attachment (PDF, JPEG or PNG).",
                "content": {
                    kind: {"schema": {"type": "string", "format": "binary"}}
                    for kind in ("application/pdf", "image/jpeg", "image/png")
                },
            }
        }
    },
)
def download(request: HttpRequest, complaint_id: str, attachment_id: str) -> FileResponse:
    complaint = access.access_own_complaint(request.auth, complaint_id)  # type: ignore[attr-defined]
    found = get_by_public_id(
        ComplaintAttachment.objects.filter(complaint=complaint, message__internal=False),
        attachment_id,
        "COMPLAINT_NOT_FOUND",
    )
    try:
        handle = storage.path_of(found.stored_name).open("rb")
    except (OSError, ValueError):
        raise fail("COMPLAINT_NOT_FOUND", status=404) from None
    response = FileResponse(handle, content_type=found.content_type)
    response["Content-Disposition"] = content_disposition_header(True, found.original_name) or "attachment"
    response["Cache-Control"] = "private, no-store"
    return response


@router.post(
    "/me/complaints/{complaint_id}/confirm",
    auth=bearer,
    response={200: ComplaintOut, 404: ErrorsOut, 409: ErrorsOut},
    summary="Confirm the resolution of my complaint (closes it)",
)
def confirm(request: HttpRequest, complaint_id: str) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    complaint = access.access_own_complaint(user, complaint_id)
    return _complaint_out(actions.confirm(complaint, user=user, ip=client_ip(request)))


@router.post(
    "/me/complaints/{complaint_id}/reopen",
    auth=bearer,
    response={200: ComplaintOut, 404: ErrorsOut, 409: ErrorsOut, 422: ErrorsOut},
    summary="Reopen my resolved complaint (within the reopening window), saying why",
)
def reopen(request: HttpRequest, complaint_id: str, payload: ReopenIn) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    complaint = access.access_own_complaint(user, complaint_id)
    return _complaint_out(actions.reopen(complaint, payload.reason, user=user, ip=client_ip(request)))
