"""Helpers and fixtures of the complaint tests: a private folder for attachments, files of each kind, reporters
and staff. Test modules import the fixtures they use from here (a second ``conftest.py`` would shadow the
suite's own ``conftest`` module, which tests import helpers from)."""

from __future__ import annotations

import json
import zlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conftest import PASSWORD, Api
from prakerja.accounts.actions import issue_token
from prakerja.accounts.models import User
from prakerja.complaints.models import Complaint
from prakerja.core import clock
from prakerja.core.models import AuditEvent
from staff import log_in_staff, make_staff

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
HTML = b"<!doctype html><script>alert(1)</script>"


def png_bytes() -> bytes:
    """A real 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = (1).to_bytes(4, "big") + (1).to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


PNG = png_bytes()

PUBLIC_REPORT = {
    "category": "nik_registered",
    "subject": "NIK saya dipakai akun lain",
    "description": "Saat mendaftar muncul pesan NIK sudah terdaftar, padahal saya belum pernah mendaftar.",
    "name": "Budi Santoso",
    "email": "budi.pelapor@contoh.id",
    "phone": "081377778888",
    "regency_code": "3273",
}
PARTICIPANT_REPORT = {
    "category": "payment",
    "subject": "Insentif belum masuk",
    "description": "Pelatihan pertama selesai dan sudah diulas dua minggu lalu, insentif belum diterima.",
}


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def private_files(settings, tmp_path):
    """Each test's attachments in its own private folder (outside every served directory)."""
    settings.COMPLAINT_FILES_DIR = tmp_path / "private-complaints"
    return settings.COMPLAINT_FILES_DIR


def file_via_api(client: Api, fields: dict[str, Any], files: list[SimpleUploadedFile] | None = None, **headers: str):
    """POST /api/v1/complaints as multipart, with the client's bearer token when it has one."""
    data: dict[str, Any] = dict(fields)
    if files:
        data["attachments"] = files
    auth = {"Authorization": f"Bearer {client.token}"} if client.token else {}
    return client.client.post("/api/v1/complaints", data=data, headers=auth | headers)


def reply_via_api(client: Api, complaint_id: str, body: str, files: list[SimpleUploadedFile] | None = None):
    data: dict[str, Any] = {"body": body}
    if files:
        data["attachments"] = files
    return client.client.post(
        f"/api/v1/me/complaints/{complaint_id}/messages", data=data, headers={"Authorization": f"Bearer {client.token}"}
    )


_serial = iter(range(20_000_000, 29_999_999))


@pytest.fixture
def participant(resident):
    """``participant(district="327301")`` → an API client of a verified participant whose identity (and so
    regency) is on record, with ``.user``; ``participant(identity=False)`` has no district yet."""

    def make(*, district: str = "327301", identity: bool = True) -> Api:
        n = next(_serial)
        now = clock.now()
        user = User.objects.create_user(
            f"pelapor{n}@contoh.id", PASSWORD, phone=f"+62812{n}", email_verified_at=now, phone_verified_at=now
        )
        client = Api()
        client.token = issue_token(user)
        client.user = user  # type: ignore[attr-defined]
        if identity:
            response = client.put("/me/identity", resident(district=district))
            assert response.status_code == 200, response.content
        return client

    return make


def web(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def staff_web(role: str, email: str, region_code: str = "") -> tuple[User, Client]:
    """A staff account and a Client logged in with both factors."""
    user = make_staff(role, email, region_code=region_code)
    return user, log_in_staff(Client(), user)


def bytes_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def audit_rows(complaint: Complaint, action: str | None = None) -> list[AuditEvent]:
    rows = AuditEvent.objects.filter(object_type="complaints.complaint", object_id=str(complaint.public_id))
    if action:
        rows = rows.filter(action=action)
    return list(rows.order_by("id"))


def audit_text() -> str:
    """Everything the audit log holds, as text (to look for what must never be in it)."""
    return json.dumps([[e.action, e.before, e.after] for e in AuditEvent.objects.order_by("id")], ensure_ascii=False)
