"""Structured logs: one JSON object a line, for log collectors (``LOG_FORMAT=json``, production's default).

Each line has ``time`` (UTC, ISO 8601, milliseconds), ``level``, ``logger``, ``message`` and, when the
line was written while a request was handled, ``request_id`` (ops.request_ids); an exception adds
``exception``. The handler's ``PersonalDataFilter`` has masked the message already; the formatter masks
what it writes once more (cheap and idempotent), so a handler set up without the filter still leaks no
NIK, email or phone number. Extra attributes passed by callers are NOT copied, except a short allow-list
of plain facts: an ``extra`` dict is where a person's details would slip past the filter, which only
rewrites the message.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from prakerja.core.log_privacy import scrub
from prakerja.ops import request_ids

# Attributes Django and our code attach that are safe and useful to search by.
_EXTRA_FIELDS = ("status_code",)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds")[:-6] + "Z",
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        # Django logs a request's 4xx/5xx on ``django.request`` after the middleware has returned, with the
        # request attached; everything else written while a request is handled finds its id in the context.
        request_id = getattr(getattr(record, "request", None), "request_id", None) or request_ids.current()
        if request_id:
            entry["request_id"] = request_id
        for name in _EXTRA_FIELDS:
            value = getattr(record, name, None)
            if isinstance(value, int | str):
                entry[name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = scrub(record.exc_text)
        if record.stack_info:
            entry["stack"] = scrub(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False, default=str)
