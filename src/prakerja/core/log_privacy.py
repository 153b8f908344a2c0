"""No personal data in logs: a logging filter that masks NIK/KK numbers, emails and phone numbers.

Code logs public ids, never a person's details; this filter is the safety net
for what slips through anyway (a library's message, an exception text quoting
a bad value). It rewrites the final message, so it catches values passed as
arguments too, and an exception's text is masked the same way.
"""

from __future__ import annotations

import logging
import re

# 16 digits (NIK, KK, card numbers) keep the first 4 and last 4, as staff pages show them.
_SIXTEEN = re.compile(r"(?<!\d)(\d{4})\d{8}(\d{4})(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\d\w])(\+62|62|0)8\d{7,11}(?!\d)")


def scrub(text: str) -> str:
    text = _SIXTEEN.sub(r"\1********\2", text)
    text = _EMAIL.sub("[email]", text)
    return _PHONE.sub("[phone]", text)


class PersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        record.msg, record.args = scrub(message), None
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
        return True
