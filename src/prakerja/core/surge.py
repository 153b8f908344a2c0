"""Surge protection: a short, bounded queue in front of the endpoints that hash passwords.

Registering, logging in and setting a password each cost one Argon2id hash: about 30 ms of a core
and 19 MiB of memory (accounts.hashers). When a batch opens, more people arrive than the cores can
hash; without a bound every request would still be taken on, each worker's queue would grow, every
answer would come later and later, and the proxy would start answering 502/504 for requests the
server may still complete — an error page for a registration that was in fact saved.

So each web process lets at most ``SURGE_MAX_CONCURRENT`` of these requests run at once. A request
finding them all taken waits up to ``SURGE_WAIT_SECONDS`` for a slot, in a line of at most
``SURGE_MAX_WAITING``; when the line is full or the wait runs out it is answered at once with 429 and
``Retry-After`` — the JSON error format with the code ``SERVER_BUSY`` on the API, a light waiting
page that reloads itself on the site (no script: the policy forbids inline script). The decision is
taken before the view runs, so a refused request has written nothing; an admitted one runs exactly
as it would without the gate. 429, not 503: the site is working as designed, and a 5xx would count
as a server error on the dashboards and the proxy's health checks.

The bound is per process: a gunicorn worker needs threads (``gthread``) beyond the gate's slots and
line for refusals to be quick — a sync worker takes one request at a time and never sees a queue.
docs/decisions/0014-surge-protection.md has the sizes and the measurements.

Settings (read with defaults, so a missing one changes nothing): ``SURGE_MAX_CONCURRENT`` (4),
``SURGE_MAX_WAITING`` (4), ``SURGE_WAIT_SECONDS`` (1.0), ``SURGE_RETRY_AFTER`` (3: the answer says
3 to 6 seconds, spread so that the refused do not all come back in the same second) and
``SURGE_PATHS`` (path patterns; only POST, PUT and PATCH are gated — showing a form hashes nothing).
"""

from __future__ import annotations

import functools
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation

from prakerja.core.errors import language_of

logger = logging.getLogger(__name__)

DEFAULT_MAX_CONCURRENT = 4  # 4 × 19 MiB per process; at ~34 hashes/s a core, a full gate clears in ~0.1 s
DEFAULT_MAX_WAITING = 4
DEFAULT_WAIT_SECONDS = 1.0
DEFAULT_RETRY_AFTER = 3
# Every request that checks or sets a password: registration and log-in (API and site), a password
# reset's new password, a desk-made account's activation, the admin log-in.
DEFAULT_PATHS: tuple[str, ...] = (
    r"^/api/v1/auth/(register|token)$",
    r"^/akun/(daftar|masuk)/$",
    r"^/akun/atur-sandi/",
    r"^/akun/aktivasi/",
    r"^/admin/login/$",
)
GATED_METHODS = frozenset({"POST", "PUT", "PATCH"})
CODE = "SERVER_BUSY"
MESSAGES = {
    "id": "Server sedang melayani banyak permintaan. Coba lagi dalam {retry_after} detik; data Anda belum dikirim.",
    "en": "The server is busy with many requests. Try again in {retry_after} seconds; nothing has been sent.",
}
LOG_EVERY_SECONDS = 10.0


@dataclass
class Gate:
    """At most ``limit`` holders; at most ``line`` more waiting, each up to ``wait`` seconds."""

    limit: int
    line: int
    wait: float
    _slots: threading.BoundedSemaphore = field(init=False, repr=False)
    _lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)
    _waiting: int = field(init=False, default=0)
    refused: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self._slots = threading.BoundedSemaphore(self.limit)

    def enter(self) -> bool:
        """Take a slot (True), or say no (False) without having taken one."""
        if self._slots.acquire(blocking=False):
            return True
        with self._lock:
            if self._waiting >= self.line or self.wait <= 0:
                self.refused += 1
                return False
            self._waiting += 1
        try:
            admitted = self._slots.acquire(timeout=self.wait)
        finally:
            with self._lock:
                self._waiting -= 1
                if not admitted:
                    self.refused += 1
        return admitted

    def leave(self) -> None:
        self._slots.release()

    @property
    def waiting(self) -> int:
        return self._waiting


_gates: dict[tuple[int, int, float], Gate] = {}
_gates_lock = threading.Lock()


def gate() -> Gate:
    """This process's gate for the current settings (tests change them; a server never does)."""
    key = (
        max(1, int(getattr(settings, "SURGE_MAX_CONCURRENT", DEFAULT_MAX_CONCURRENT))),
        max(0, int(getattr(settings, "SURGE_MAX_WAITING", DEFAULT_MAX_WAITING))),
        max(0.0, float(getattr(settings, "SURGE_WAIT_SECONDS", DEFAULT_WAIT_SECONDS))),
    )
    found = _gates.get(key)
    if found is None:
        with _gates_lock:
            found = _gates.setdefault(key, Gate(*key))
    return found


@functools.lru_cache(maxsize=8)
def _pattern(paths: tuple[str, ...]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{p})" for p in paths)) if paths else None


def gated(request: HttpRequest) -> bool:
    if request.method not in GATED_METHODS:
        return False
    paths: Sequence[str] = getattr(settings, "SURGE_PATHS", DEFAULT_PATHS)
    pattern = _pattern(tuple(paths))
    return pattern is not None and pattern.match(request.path_info) is not None


class SurgeMiddleware:
    """Place after the rate limits (a flood from one address is refused there and takes no slot)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._last_log = 0.0
        self._logged_refusals = 0

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not gated(request):
            return self.get_response(request)
        current = gate()
        if not current.enter():
            self._log(current)
            return busy(request)
        try:
            return self.get_response(request)
        finally:
            current.leave()

    def _log(self, current: Gate) -> None:
        """One line every few seconds while refusing, not one per refusal: a surge must not flood the logs."""
        now = time.monotonic()
        if now - self._last_log >= LOG_EVERY_SECONDS:
            logger.warning(
                "surge: refused %d requests in this process (%d slots, %d waiting allowed)",
                current.refused - self._logged_refusals,
                current.limit,
                current.line,
            )
            self._last_log, self._logged_refusals = now, current.refused


def retry_after() -> int:
    base = max(1, int(getattr(settings, "SURGE_RETRY_AFTER", DEFAULT_RETRY_AFTER)))
    return random.randint(base, 2 * base)  # spread, so the refused do not return together


def busy(request: HttpRequest) -> HttpResponse:
    """429 with Retry-After: the API's error format, or the waiting page that reloads itself."""
    wait = retry_after()
    language = language_of(request)
    response: HttpResponse
    if request.path_info.startswith("/api/"):
        message = MESSAGES["en" if language == "en" else "id"].format(retry_after=wait)
        response = JsonResponse({"errors": [{"code": CODE, "field": None, "message": message}]}, status=429)
    else:
        # The page reloads the address it was posted to (a GET: the form again, empty — nothing was
        # saved, and a password is never echoed back into a page).
        # In the reader's language whatever this thread last rendered in (LocaleMiddleware may not have run).
        with translation.override(language):
            context = {"seconds": wait, "again": request.get_full_path()}
            body = render_to_string("surge.html", context, request=request)
        response = HttpResponse(body, status=429)
    response["Retry-After"] = str(wait)
    response["Cache-Control"] = "no-store"
    return response
