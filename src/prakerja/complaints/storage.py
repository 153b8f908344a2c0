"""Attachment files: kept outside every publicly served directory, under random names.

The folder is ``settings.COMPLAINT_FILES_DIR`` when set, else ``VAR_DIR/private/complaints``. Nothing
serves it; :func:`prakerja.complaints.views.attachment` reads a file only after the access check.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from prakerja.complaints import rules
from prakerja.core import clock
from prakerja.core.errors import DomainError, Problem

_STORED_NAME = re.compile(r"^\d{6}/[0-9a-f]{40}$")


@dataclass(frozen=True)
class IncomingFile:
    """An uploaded file, checked: what its bytes are, a display name, and the bytes."""

    name: str
    content_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def files_dir() -> Path:
    return Path(getattr(settings, "COMPLAINT_FILES_DIR", None) or Path(settings.VAR_DIR) / "private" / "complaints")


def check_uploads(files: Iterable[Any], field: str = "attachments") -> list[IncomingFile]:
    """Read and check uploaded files (Django ``UploadedFile`` or anything with ``name``, ``size``, ``read``).

    Refuses, with every problem found: more than three files, an empty one, one over 2 MB (refused from its
    declared size before reading, and again from what was read), and one whose first bytes are not a PDF,
    JPEG or PNG.
    """
    files = [f for f in files if f is not None]
    if len(files) > rules.MAX_ATTACHMENTS_PER_MESSAGE:
        raise DomainError([Problem("ATTACHMENTS_TOO_MANY", field, {"max": rules.MAX_ATTACHMENTS_PER_MESSAGE})])
    problems: list[Problem] = []
    checked: list[IncomingFile] = []
    for upload in files:
        declared = int(getattr(upload, "size", 0) or 0)
        data = b""
        if declared <= rules.MAX_ATTACHMENT_BYTES:
            if hasattr(upload, "seek"):
                upload.seek(0)
            data = upload.read(rules.MAX_ATTACHMENT_BYTES + 1)
        size = max(declared, len(data))
        refusal = rules.attachment_refusal(size, data[:16])
        if refusal is not None:
            problems.append(Problem(refusal[0], field, refusal[1]))
            continue
        kind = rules.sniff(data[:16])
        assert kind is not None
        content_type, extension = kind
        checked.append(IncomingFile(rules.safe_file_name(getattr(upload, "name", ""), extension), content_type, data))
    if problems:
        raise DomainError(problems)
    return checked


def save(data: bytes) -> str:
    """Write the bytes under a new random name (readable by this process's user only); return that name."""
    stored_name = f"{clock.now():%Y%m}/{secrets.token_hex(20)}"
    path = files_dir() / stored_name
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)
    return stored_name


def path_of(stored_name: str) -> Path:
    if not _STORED_NAME.match(stored_name):
        raise ValueError("not a stored attachment name")
    return files_dir() / stored_name


def delete(stored_name: str) -> None:
    try:
        path_of(stored_name).unlink(missing_ok=True)
    except (ValueError, OSError):
        pass
