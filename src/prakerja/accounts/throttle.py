"""Log-in throttling per client address and per account (fixed windows in the cache).

Failures count against both keys; a success clears the account's counter. A
locked account answers ``RATE_LIMITED`` with the seconds to wait, the same
whether or not the password was right, so the lock leaks nothing.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

from prakerja.core import clock


def _key(kind: str, value: str) -> str:
    return f"login-fail:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def _limits() -> dict[str, tuple[int, int]]:
    return settings.LOGIN_THROTTLE


def retry_after(ip: str, email: str) -> int:
    """Seconds until another attempt is allowed, 0 if allowed now."""
    waits = []
    for kind, value in (("per_ip", ip), ("per_account", email.lower())):
        limit, window = _limits()[kind]
        entry = cache.get(_key(kind, value))
        if entry and entry[0] >= limit:
            waits.append(max(1, int(entry[1] + window - clock.now().timestamp())))
    return max(waits, default=0)


def record_failure(ip: str, email: str) -> None:
    for kind, value in (("per_ip", ip), ("per_account", email.lower())):
        _limit, window = _limits()[kind]
        key = _key(kind, value)
        now = clock.now().timestamp()
        count, started = cache.get(key) or (0, now)
        # Keep the window fixed at its first failure: renewing it on every failure would keep a
        # person locked out past the wait we announced.
        cache.set(key, (count + 1, started), timeout=max(1, int(started + window - now)))


def record_success(email: str) -> None:
    cache.delete(_key("per_account", email.lower()))
