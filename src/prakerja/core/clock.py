"""The platform's clock.

Everything reads time through :func:`now` so tests can move time
(``clock.freeze(...)``) without patching the standard library. Instants are
stored in UTC; program deadlines ("15 calendar days") are counted in
Asia/Jakarta, which :func:`today` gives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

JAKARTA = ZoneInfo("Asia/Jakarta")
_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    """The current instant, timezone-aware (UTC)."""
    return _frozen if _frozen is not None else dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """Today's calendar date in Jakarta, the program's reference for deadlines and ages."""
    return now().astimezone(JAKARTA).date()


@contextmanager
def freeze(at: dt.datetime) -> Iterator[None]:
    """Fix the clock at ``at`` for the duration of the block (tests, replays)."""
    global _frozen
    if at.tzinfo is None:
        raise ValueError("freeze() needs an aware datetime")
    previous, _frozen = _frozen, at
    try:
        yield
    finally:
        _frozen = previous
