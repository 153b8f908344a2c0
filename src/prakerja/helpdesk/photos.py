"""Private storage of ID (KTP) photos while an officer verifies them.

The folder lies outside every served directory (``settings.VAR_DIR / "private" / "id-photos"`` by
default, ``HELPDESK_PHOTO_DIR`` to move it): a photo is only ever sent by the officer's page that
checks scope and audits the view. Files are created owner-only, under a random name. A photo lives
until it is verified, replaced or rejected (deleted at once) or until the purge removes it.
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_HOURS = 12


def folder() -> Path:
    return Path(getattr(settings, "HELPDESK_PHOTO_DIR", None) or settings.VAR_DIR / "private" / "id-photos")


def max_bytes() -> int:
    return int(getattr(settings, "HELPDESK_PHOTO_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_hours() -> float:
    """How long an unverified photo may be kept (the consent text promises at most 24 hours)."""
    return float(getattr(settings, "HELPDESK_PHOTO_MAX_HOURS", DEFAULT_MAX_HOURS))


def _path(name: str) -> Path:
    # Names are ours (random hex + extension); refuse anything else rather than follow it elsewhere.
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ValueError("not a photo file name")
    return folder() / name


def store(data: bytes, kind: str) -> tuple[str, str]:
    """Write the photo owner-only under a random name; returns (name, sha256)."""
    base = folder()
    base.mkdir(parents=True, exist_ok=True)
    os.chmod(base, 0o700)
    name = f"{secrets.token_hex(16)}.{'jpg' if kind == 'jpeg' else 'png'}"
    fd = os.open(_path(name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    return name, hashlib.sha256(data).hexdigest()


def read(name: str) -> bytes | None:
    try:
        return _path(name).read_bytes()
    except (OSError, ValueError):
        return None


def delete(name: str) -> bool:
    """Remove the file; True when it existed. A missing file is already what we want."""
    try:
        _path(name).unlink()
    except FileNotFoundError:
        return False
    except ValueError:
        return False
    return True


def sweep_orphans(known: set[str], older_than_seconds: float) -> int:
    """Delete files no registration holds (a write whose transaction rolled back) once old enough."""
    base = folder()
    if not base.exists():
        return 0
    cutoff = time.time() - older_than_seconds
    removed = 0
    for path in base.iterdir():
        if path.is_file() and path.name not in known and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


class PhotoSizeLimit(FileUploadHandler):
    """Read an uploaded photo into memory, up to the limit, and no further.

    Installed by the upload view as the only handler before the request body is parsed: an oversized
    photo is dropped as it arrives (the view then sees ``too_large``), and no photo is ever spooled to
    the system's temporary folder, where Django would put uploads over 2.5 MB.
    """

    def __init__(self, request: Any = None, limit: int = DEFAULT_MAX_BYTES) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.too_large = False
        self.buffer = io.BytesIO()

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        self.buffer = io.BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large = True
            self.buffer = io.BytesIO()
            raise SkipFile
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            self.buffer,
            self.field_name,
            self.file_name,
            self.content_type,
            file_size,
            self.charset,
            self.content_type_extra,
        )
