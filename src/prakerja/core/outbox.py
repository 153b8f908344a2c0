"""The development outbox: every outgoing email and SMS as one text file.

With ``PRAKERJA_ENV=dev`` a person (or a test) follows a verification link or
types an SMS code by reading ``var/outbox/``. Production sends through real
backends; the outbox is then not written.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

from prakerja.core import clock

_counter = itertools.count()


def write(kind: str, recipient: str, body: str, subject: str = "") -> Path:
    """Write one message; the file name sorts by time and names the recipient."""
    folder = Path(settings.OUTBOX_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9@.+_-]", "_", recipient)[:80]
    stamp = clock.now().strftime("%Y%m%dT%H%M%S%f")
    path = folder / f"{stamp}-{next(_counter):06d}-{kind}-{safe}.txt"
    header = f"To: {recipient}\nKind: {kind}\n" + (f"Subject: {subject}\n" if subject else "")
    path.write_text(f"{header}\n{body}\n", encoding="utf-8")
    return path


def messages_for(recipient: str, kind: str | None = None) -> list[str]:
    """All outbox messages to ``recipient``, oldest first (used by tests and the demo)."""
    folder = Path(settings.OUTBOX_DIR)
    if not folder.exists():
        return []
    found = []
    for path in sorted(folder.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        if text.startswith(f"To: {recipient}\n") and (kind is None or f"\nKind: {kind}\n" in text):
            found.append(text)
    return found


class OutboxEmailBackend(BaseEmailBackend):
    """Django email backend writing each message to the outbox."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            for to in message.recipients():
                write("email", to, str(message.body), subject=str(message.subject))
        return len(email_messages)
