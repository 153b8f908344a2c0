"""Sending SMS through an adapter.

The outbox backend (development and tests) writes each message as a text file
in ``PRAKERJA_OUTBOX``; a real gateway backend implements the same ``send``.
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from prakerja.core import outbox

logger = logging.getLogger(__name__)


class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class OutboxSmsBackend:
    def send(self, phone: str, text: str) -> None:
        outbox.write("sms", phone, text)
        # The number is personal data: log only that a message went out.
        logger.debug("sms queued to outbox")


def send_sms(phone: str, text: str) -> None:
    backend: SmsBackend = import_string(settings.SMS_BACKEND)()
    backend.send(phone, text)
