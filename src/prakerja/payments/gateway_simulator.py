"""A bank/e-wallet disbursement gateway simulator: a real HTTP server on loopback.

It stands in for a payment gateway (think Xendit or Flip disbursements) so the
platform's adapter, its tests and demos talk real HTTP, with the faults a real
gateway has: outages, answers that never arrive, slow answers, callbacks that
come twice or out of order, and daily statements that disagree with the
transfers. Standard library only, so it also runs without Django::

    python -m prakerja.payments.gateway_simulator --port 8770 --book accounts.json

Protocol (JSON bodies; every ``/v1`` request needs ``Authorization: Bearer <api_key>``,
else 401 ``{"error": "UNAUTHORIZED"}``; malformed input is 400
``{"error": "BAD_REQUEST", "detail": ...}``):

``POST /v1/inquiry`` ``{provider, account_number}``
    200 ``{provider, account_number, holder_name, holder_nik, phone, status}`` with
    status ``active``, or ``blocked`` for a book account marked ``reject``;
    404 ``{"error": "ACCOUNT_NOT_FOUND"}``.

``POST /v1/transfers`` ``{idempotency_key, amount, provider, account_number, holder_name, callback_url?, reference?}``
    A new key answers 201 with the transfer: ``{transfer_id, idempotency_key, amount,
    provider, account_number, status, failure_code, event_seq, created_at, settled_at}``.
    Its status is ``processing`` (it settles to ``success`` after ``settle_delay``
    seconds), or ``failed`` with failure_code ``ACCOUNT_REJECTED`` at once when the
    account is unknown or marked ``reject``. A key seen before with the same amount,
    provider and account number answers 200 with the transfer's current state (never a
    second transfer); with a different one, 409 ``{"error": "IDEMPOTENCY_CONFLICT"}``.

``GET /v1/transfers/<idempotency_key>`` (URL-quoted)
    200 the current state, or 404 ``{"error": "TRANSFER_NOT_FOUND"}``.

``GET /v1/statements/<YYYY-MM-DD>.csv``
    ``transfer_id,idempotency_key,amount,status,settled_at``: one row per transfer
    settled on that day in Asia/Jakarta (UTC+7), sorted by settled_at, its status the
    current one (``success`` or ``returned``).

Callbacks
    When a transfer reaches a final state (``success``, ``failed``) or is returned, and
    it has a ``callback_url``, the simulator POSTs ``{transfer_id, idempotency_key,
    amount, status, failure_code, event_seq, settled_at}`` there, signed with
    ``X-Gateway-Signature: hex(HMAC-SHA256(callback_secret, raw body))``. Failed
    deliveries are retried three times, then dropped: the platform also polls.

``event_seq`` counts a transfer's events (1 when created, +1 when settled, +1 when
returned), so a receiver can ignore a callback older than what it already knows.
Timestamps are ISO 8601 in UTC with milliseconds, e.g. ``2024-05-01T03:04:05.123Z``.

Faults (:class:`Faults`, set with ``POST /_sim/faults``) are drawn per request from a
seeded RNG; the statement faults are decided from the seed and the idempotency key
instead, so every fetch of a statement agrees. A transfer's settling is scheduled as
soon as its answer exists: an answer delayed by a fault does not delay the transfer.

Control endpoints (no auth; answered only to loopback clients):
``POST /_sim/accounts`` ``{"accounts": [...]}``, ``POST /_sim/faults`` (the fields of
:class:`Faults`), ``POST /_sim/transfers/<key>/return``, ``GET /_sim/stats`` and
``POST /_sim/reset`` (forgets transfers and counters, keeps the accounts).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import hashlib
import heapq
import hmac
import http.client
import io
import ipaddress
import itertools
import json
import os
import queue
import random
import re
import secrets
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

JAKARTA = dt.timezone(dt.timedelta(hours=7), "WIB")  # Indonesia abolished DST; a fixed offset is exact
MAX_BODY = 8 * 1024 * 1024  # a book of accounts can be large; a transfer is a few hundred bytes
CALLBACK_WORKERS = 3
CALLBACK_TIMEOUT = 5.0
CALLBACK_RETRIES = 3
CALLBACK_BACKOFF = 0.1  # doubled after each failed attempt: 0.1, 0.2, 0.4 s
STATEMENT_FIELDS = ("transfer_id", "idempotency_key", "amount", "status", "settled_at")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Callbacks go straight to the receiver, whatever http_proxy says; redirects are not followed.
_CALLBACK_OPENER = urllib.request.OpenerDirector()
for _handler in (urllib.request.ProxyHandler({}), urllib.request.HTTPHandler(), urllib.request.HTTPSHandler()):
    _CALLBACK_OPENER.add_handler(_handler)


@dataclass
class Faults:
    """Probabilities (0..1) of each fault, drawn per request from ``random.Random(seed)``."""

    seed: int = 0
    server_error: float = 0.0  # POST /v1/transfers answers 503 without creating the transfer
    timeout_after_success: float = 0.0  # the transfer is created, the answer waits timeout_seconds
    slow: float = 0.0  # any /v1 answer waits slow_seconds, otherwise normal
    duplicate_callback: float = 0.0  # a callback is delivered twice
    out_of_order_callback: float = 0.0  # a stale copy (previous status, event_seq - 1) follows the callback
    statement_omit: float = 0.0  # a settled transfer is missing from the statement
    statement_amount_differs: float = 0.0  # a settled transfer's statement amount is 1000 too high
    slow_seconds: float = 0.2
    timeout_seconds: float = 2.0

    def __post_init__(self) -> None:
        if not _is_int(self.seed):
            raise ValueError("seed must be an integer")
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if field.name == "seed":
                continue
            if not _is_number(value):
                raise ValueError(f"{field.name} must be a number")
            limit = 1.0 if not field.name.endswith("_seconds") else 3600.0
            if not 0.0 <= value <= limit:
                raise ValueError(f"{field.name} must be between 0 and {limit:g}")

    @classmethod
    def from_json(cls, data: object) -> Faults:
        if not isinstance(data, dict):
            raise ValueError("faults must be a JSON object")
        unknown = set(data) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise ValueError(f"unknown fault(s): {', '.join(sorted(unknown))}")
        return cls(**data)


@dataclass(slots=True)
class _Account:
    provider: str
    account_number: str
    holder_name: str
    holder_nik: str | None
    phone: str | None
    reject: bool


@dataclass(slots=True)
class _Transfer:
    transfer_id: str
    idempotency_key: str
    amount: int
    provider: str
    account_number: str
    holder_name: str
    callback_url: str | None
    reference: str | None
    status: str
    failure_code: str | None
    event_seq: int
    created_at: float
    settled_at: float | None = None

    def state(self) -> dict[str, Any]:
        return {
            "transfer_id": self.transfer_id,
            "idempotency_key": self.idempotency_key,
            "amount": self.amount,
            "provider": self.provider,
            "account_number": self.account_number,
            "status": self.status,
            "failure_code": self.failure_code,
            "event_seq": self.event_seq,
            "created_at": _iso(self.created_at),
            "settled_at": _iso(self.settled_at),
        }

    def event(self) -> dict[str, Any]:
        return {
            "transfer_id": self.transfer_id,
            "idempotency_key": self.idempotency_key,
            "amount": self.amount,
            "status": self.status,
            "failure_code": self.failure_code,
            "event_seq": self.event_seq,
            "settled_at": _iso(self.settled_at),
        }


@dataclass
class Reply:
    """What the handler sends. ``after`` runs once the answer is produced, even if the client has gone."""

    status: int
    body: bytes
    content_type: str = "application/json"
    delay: float = 0.0
    after: Callable[[], None] | None = None


class BadRequest(ValueError):
    pass


class GatewaySimulator:
    """The gateway's state and protocol; every method is thread-safe (one lock guards the state)."""

    def __init__(
        self,
        *,
        api_key: str = "sim-key",
        callback_secret: str = "sim-callback-secret",  # noqa: S107 (a simulator's well-known default)
        faults: Faults | None = None,
        settle_delay: float = 0.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if settle_delay < 0:
            raise ValueError("settle_delay must not be negative")
        self._expected_auth = f"Bearer {api_key}".encode()
        self._secret = callback_secret.encode()
        self._settle_delay = settle_delay
        self._clock = clock
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)  # the settler sleeps on the same lock
        self._faults = faults or Faults()
        self._rng = random.Random(self._faults.seed)
        self._accounts: dict[tuple[str, str], _Account] = {}
        self._transfers: dict[str, _Transfer] = {}
        self._transfer_ids: set[str] = set()
        self._due: list[tuple[float, int, _Transfer]] = []  # heap of (monotonic due time, tiebreak, transfer)
        self._tiebreak = itertools.count()
        self._requests = 0
        self._duplicate_sends = 0
        self._callbacks_delivered = 0
        self._callbacks_failed = 0
        self._callbacks_pending = 0  # jobs queued or being delivered (not yet delivered or given up)
        self._callbacks: queue.Queue[tuple[str, list[bytes]] | None] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._settler: threading.Thread | None = None
        self._workers_started = False
        self._stopping = threading.Event()
        self._callbacks_open = threading.Event()  # cleared by hold_callbacks(): a receiver that is slow to hear
        self._callbacks_open.set()

    # --- Python API ---------------------------------------------------------------------------

    def add_accounts(self, accounts: list[dict[str, Any]]) -> None:
        """Add (or replace) accounts in the book; all or nothing, ValueError on a malformed one."""
        parsed = [_account(a) for a in _list(accounts, "accounts")]
        with self._lock:
            for account in parsed:
                self._accounts[(account.provider, account.account_number)] = account

    def set_faults(self, faults: Faults) -> None:
        with self._lock:
            self._faults = faults
            self._rng = random.Random(faults.seed)

    def faults(self) -> Faults:
        with self._lock:
            return dataclasses.replace(self._faults)

    def reset(self) -> None:
        """Forget transfers and counters (and re-seed the faults); the book of accounts stays."""
        with self._lock:
            self._transfers.clear()
            self._transfer_ids.clear()
            self._due.clear()
            self._requests = self._duplicate_sends = 0
            self._callbacks_delivered = self._callbacks_failed = 0
            self._rng = random.Random(self._faults.seed)

    def stats(self) -> dict[str, Any]:
        with self._lock:
            by_status: dict[str, int] = {}
            credited: dict[str, int] = {}
            for t in self._transfers.values():
                by_status[t.status] = by_status.get(t.status, 0) + 1
                if t.status == "success":
                    key = f"{t.provider}:{t.account_number}"
                    credited[key] = credited.get(key, 0) + t.amount
            return {
                "transfers": len(self._transfers),
                "by_status": by_status,
                "requests": self._requests,
                "duplicate_sends": self._duplicate_sends,
                "credited": credited,
                "callbacks_delivered": self._callbacks_delivered,
                "callbacks_failed": self._callbacks_failed,
                # queued or being delivered: a test waits for 0 before it checks what callbacks did
                "callbacks_pending": self._callbacks_pending,
            }

    def hold_callbacks(self) -> None:
        """Keep queued callbacks back (the bank's notifications arrive late) until release_callbacks()."""
        self._callbacks_open.clear()

    def release_callbacks(self) -> None:
        self._callbacks_open.set()

    def return_transfer(self, idempotency_key: str) -> dict[str, Any] | None:
        """Have the bank send a settled transfer back; None if it is not (or no longer) ``success``."""
        with self._lock:
            transfer = self._transfers.get(idempotency_key)
            if transfer is None or transfer.status != "success":
                return None
            transfer.status = "returned"
            transfer.event_seq += 1
            self._queue_callback_locked(transfer, previous_status="success")
            return transfer.state()

    def statement(self, day: dt.date) -> str:
        """The CSV statement of one Jakarta day, with the statement faults applied."""
        with self._lock:
            seed = self._faults.seed
            omit, differs = self._faults.statement_omit, self._faults.statement_amount_differs
            settled = [
                (t.settled_at, t.transfer_id, t.idempotency_key, t.amount, t.status)
                for t in self._transfers.values()
                if t.settled_at is not None and t.status in ("success", "returned")
            ]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(STATEMENT_FIELDS)
        for settled_at, transfer_id, key, amount, status in sorted(settled):
            if dt.datetime.fromtimestamp(settled_at, JAKARTA).date() != day:
                continue
            # Decided from seed and key, not the request RNG: every fetch of a statement must agree.
            if _stable_chance(seed, "omit", key, omit):
                continue
            if _stable_chance(seed, "amount", key, differs):
                amount += 1000
            writer.writerow((transfer_id, key, amount, status, _iso(settled_at)))
        return out.getvalue()

    def close(self) -> None:
        """Stop the settler and the callback workers (pending callbacks are dropped)."""
        self._stopping.set()
        self._callbacks_open.set()
        with self._lock:
            self._wake.notify_all()
            threads = list(self._threads)
        for _ in threads:
            self._callbacks.put(None)
        for thread in threads:
            thread.join(timeout=2.0)

    # --- HTTP protocol ------------------------------------------------------------------------

    def handle(self, method: str, target: str, authorization: str | None, body: bytes, *, local: bool) -> Reply:
        """Answer one HTTP request; ``local`` says whether the client is on loopback."""
        path = target.split("?", 1)[0]
        try:
            if path.startswith("/v1/"):
                return self._handle_v1(method, path, authorization, body)
            if path.startswith("/_sim/"):
                if not local:
                    return _json(403, {"error": "FORBIDDEN"})
                return self._handle_control(method, path, body)
        except BadRequest as e:
            return _json(400, {"error": "BAD_REQUEST", "detail": str(e)})
        return _json(404, {"error": "NOT_FOUND"})

    def _handle_v1(self, method: str, path: str, authorization: str | None, body: bytes) -> Reply:
        with self._lock:
            self._requests += 1
            delay = self._faults.slow_seconds if self._chance_locked(self._faults.slow) else 0.0
        presented = (authorization or "").encode("latin-1", "replace")
        if not hmac.compare_digest(presented, self._expected_auth):
            reply = _json(401, {"error": "UNAUTHORIZED"})
        elif path == "/v1/inquiry":
            reply = self._inquiry(_json_body(body)) if method == "POST" else _not_allowed()
        elif path == "/v1/transfers":
            reply = self._create_transfer(_json_body(body)) if method == "POST" else _not_allowed()
        elif path.startswith("/v1/transfers/"):
            key = unquote(path.removeprefix("/v1/transfers/"))
            reply = self._get_transfer(key) if method == "GET" else _not_allowed()
        elif path.startswith("/v1/statements/") and path.endswith(".csv"):
            reply = self._statement(path.removeprefix("/v1/statements/").removesuffix(".csv"), method)
        else:
            reply = _json(404, {"error": "NOT_FOUND"})
        reply.delay = max(reply.delay, delay)
        return reply

    def _inquiry(self, data: dict[str, Any]) -> Reply:
        provider, number = _text(data, "provider"), _text(data, "account_number")
        with self._lock:
            account = self._accounts.get((provider, number))
        if account is None:
            return _json(404, {"error": "ACCOUNT_NOT_FOUND"})
        return _json(
            200,
            {
                "provider": account.provider,
                "account_number": account.account_number,
                "holder_name": account.holder_name,
                "holder_nik": account.holder_nik,
                "phone": account.phone,
                "status": "blocked" if account.reject else "active",
            },
        )

    def _create_transfer(self, data: dict[str, Any]) -> Reply:
        key = _text(data, "idempotency_key", max_length=120)
        amount = data.get("amount")
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise BadRequest("amount must be a positive integer")
        provider, number = _text(data, "provider"), _text(data, "account_number")
        holder_name = _text(data, "holder_name")
        callback_url = _optional_text(data, "callback_url", max_length=2000)
        if callback_url is not None:
            parts = urlsplit(callback_url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise BadRequest("callback_url must be an http(s) URL")
        reference = _optional_text(data, "reference", max_length=255)
        with self._lock:
            faults = self._faults
            if self._chance_locked(faults.server_error):
                return _json(503, {"error": "SERVER_ERROR"})
            existing = self._transfers.get(key)
            if existing is not None:
                if (existing.amount, existing.provider, existing.account_number) != (amount, provider, number):
                    return _json(409, {"error": "IDEMPOTENCY_CONFLICT"})
                self._duplicate_sends += 1
                return _json(200, existing.state())
            account = self._accounts.get((provider, number))
            rejected = account is None or account.reject
            transfer = _Transfer(
                transfer_id=self._new_transfer_id_locked(),
                idempotency_key=key,
                amount=amount,
                provider=provider,
                account_number=number,
                holder_name=holder_name,
                callback_url=callback_url,
                reference=reference,
                status="failed" if rejected else "processing",
                failure_code="ACCOUNT_REJECTED" if rejected else None,
                event_seq=1,
                created_at=self._clock(),
            )
            self._transfers[key] = transfer
            if rejected:
                self._queue_callback_locked(transfer, previous_status="processing")
                return _json(201, transfer.state())
            reply = _json(201, transfer.state())
            if self._chance_locked(faults.timeout_after_success):
                reply.delay = faults.timeout_seconds
        # Settling starts once the answer exists (before a delayed answer is sent), never inside the request.
        reply.after = lambda: self._schedule_settlement(transfer)
        return reply

    def _get_transfer(self, key: str) -> Reply:
        with self._lock:
            transfer = self._transfers.get(key)
            state = transfer.state() if transfer is not None else None
        if state is None:
            return _json(404, {"error": "TRANSFER_NOT_FOUND"})
        return _json(200, state)

    def _statement(self, name: str, method: str) -> Reply:
        if method != "GET":
            return _not_allowed()
        try:
            if not _DATE.fullmatch(name):
                raise ValueError
            day = dt.date.fromisoformat(name)
        except ValueError:
            raise BadRequest("statement date must be YYYY-MM-DD") from None
        return Reply(200, self.statement(day).encode(), content_type="text/csv; charset=utf-8")

    def _handle_control(self, method: str, path: str, body: bytes) -> Reply:
        if path == "/_sim/stats":
            return _json(200, self.stats()) if method == "GET" else _not_allowed()
        if method != "POST":
            return _not_allowed()
        if path == "/_sim/accounts":
            accounts = _list(_json_body(body).get("accounts"), "accounts")
            try:
                self.add_accounts(accounts)
            except ValueError as e:
                raise BadRequest(str(e)) from None
            return _json(200, {"added": len(accounts)})
        if path == "/_sim/faults":
            try:
                faults = Faults.from_json(_json_body(body))
            except (ValueError, TypeError) as e:
                raise BadRequest(str(e)) from None
            self.set_faults(faults)
            return _json(200, dataclasses.asdict(faults))
        if path == "/_sim/reset":
            self.reset()
            return _json(200, {"reset": True})
        if path.startswith("/_sim/transfers/") and path.endswith("/return"):
            key = unquote(path.removeprefix("/_sim/transfers/").removesuffix("/return"))
            state = self.return_transfer(key)
            if state is None:
                return _json(409, {"error": "NOT_RETURNABLE"})
            return _json(200, state)
        return _json(404, {"error": "NOT_FOUND"})

    # --- settling and callbacks ---------------------------------------------------------------

    def _chance_locked(self, probability: float) -> bool:
        return probability > 0 and (probability >= 1 or self._rng.random() < probability)

    def _new_transfer_id_locked(self) -> str:
        while True:
            transfer_id = "TRF" + secrets.token_hex(6).upper()
            if transfer_id not in self._transfer_ids:
                self._transfer_ids.add(transfer_id)
                return transfer_id

    def _schedule_settlement(self, transfer: _Transfer) -> None:
        with self._lock:
            if self._stopping.is_set():
                return
            heapq.heappush(self._due, (time.monotonic() + self._settle_delay, next(self._tiebreak), transfer))
            if self._settler is None:
                self._settler = threading.Thread(target=self._settle_loop, name="gateway-sim-settler", daemon=True)
                self._settler.start()
                self._threads.append(self._settler)
            self._wake.notify()

    def _settle_loop(self) -> None:
        with self._lock:
            while not self._stopping.is_set():
                if not self._due:
                    self._wake.wait()
                    continue
                wait = self._due[0][0] - time.monotonic()
                if wait > 0:
                    self._wake.wait(wait)
                    continue
                _, _, transfer = heapq.heappop(self._due)
                # A reset may have replaced the transfer under this key; settle only the one scheduled.
                if self._transfers.get(transfer.idempotency_key) is transfer and transfer.status == "processing":
                    transfer.status = "success"
                    transfer.settled_at = self._clock()
                    transfer.event_seq += 1
                    self._queue_callback_locked(transfer, previous_status="processing")

    def _queue_callback_locked(self, transfer: _Transfer, *, previous_status: str) -> None:
        if transfer.callback_url is None or self._stopping.is_set():
            return
        event = transfer.event()
        bodies = [_dumps(event)]
        # One job per event, so one worker delivers its copies in this order.
        if self._chance_locked(self._faults.out_of_order_callback):
            stale = event | {"status": previous_status, "event_seq": transfer.event_seq - 1}
            if previous_status == "processing":
                stale |= {"failure_code": None, "settled_at": None}
            bodies.append(_dumps(stale))
        if self._chance_locked(self._faults.duplicate_callback):
            bodies.append(bodies[0])
        if not self._workers_started:
            self._workers_started = True
            for n in range(CALLBACK_WORKERS):
                worker = threading.Thread(target=self._callback_loop, name=f"gateway-sim-callback-{n}", daemon=True)
                worker.start()
                self._threads.append(worker)
        self._callbacks_pending += 1
        self._callbacks.put((transfer.callback_url, bodies))

    def _callback_loop(self) -> None:
        while True:
            job = self._callbacks.get()
            if job is None:
                return
            try:
                self._callbacks_open.wait()
                if self._stopping.is_set():
                    return
                url, bodies = job
                for body in bodies:
                    delivered = self._deliver(url, body)
                    with self._lock:
                        if delivered:
                            self._callbacks_delivered += 1
                        else:
                            self._callbacks_failed += 1
            finally:
                with self._lock:
                    self._callbacks_pending -= 1

    def _deliver(self, url: str, body: bytes) -> bool:
        signature = hmac.new(self._secret, body, hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "X-Gateway-Signature": signature}
        backoff = CALLBACK_BACKOFF
        for attempt in range(1 + CALLBACK_RETRIES):
            if attempt:
                if self._stopping.wait(backoff):
                    return False
                backoff *= 2
            request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (http(s) checked)
            try:
                with _CALLBACK_OPENER.open(request, timeout=CALLBACK_TIMEOUT) as response:
                    response.read()
                    if 200 <= response.status < 300:
                        return True
            except (OSError, ValueError, http.client.HTTPException):
                continue  # connection refused, timeout, reset: try again
        return False


# --- helpers ----------------------------------------------------------------------------------


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _stable_chance(seed: int, kind: str, key: str, probability: float) -> bool:
    if probability <= 0:
        return False
    digest = hashlib.sha256(f"{seed}\0{kind}\0{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < probability


def _dumps(payload: object) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def _json(status: int, payload: object) -> Reply:
    return Reply(status, _dumps(payload))


def _not_allowed() -> Reply:
    return _json(405, {"error": "METHOD_NOT_ALLOWED"})


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _json_body(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body, parse_constant=_reject_constant)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise BadRequest("body must be valid JSON") from None
    if not isinstance(data, dict):
        raise BadRequest("body must be a JSON object")
    return data


def _text(data: dict[str, Any], name: str, *, max_length: int = 200) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(f"{name} must be a non-empty string")
    if len(value) > max_length:
        raise BadRequest(f"{name} must be at most {max_length} characters")
    return value


def _optional_text(data: dict[str, Any], name: str, *, max_length: int) -> str | None:
    if data.get(name) is None:
        return None
    return _text(data, name, max_length=max_length)


def _list(value: object, name: str) -> list[Any]:
    if not isinstance(value, list):
        raise BadRequest(f"{name} must be a JSON list")
    return value


def _account(data: object) -> _Account:
    if not isinstance(data, dict):
        raise BadRequest("an account must be a JSON object")
    reject = data.get("reject", False)
    if not isinstance(reject, bool):
        raise BadRequest("reject must be true or false")
    return _Account(
        provider=_text(data, "provider"),
        account_number=_text(data, "account_number"),
        holder_name=_text(data, "holder_name"),
        holder_nik=_optional_text(data, "holder_nik", max_length=32),
        phone=_optional_text(data, "phone", max_length=32),
        reject=reject,
    )


# --- the server -------------------------------------------------------------------------------


def make_handler(simulator: GatewaySimulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: every answer carries its Content-Length
        server_version = "GatewaySimulator/1.0"
        sys_version = ""
        disable_nagle_algorithm = True  # headers and body are two writes; don't wait for the ACK in between
        timeout = 60  # an idle keep-alive connection is closed after this

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_PUT(self) -> None:
            self._serve("PUT")

        def do_PATCH(self) -> None:
            self._serve("PATCH")

        def do_DELETE(self) -> None:
            self._serve("DELETE")

        def _serve(self, method: str) -> None:
            try:
                body = self._read_body()
                if body is None:
                    reply = _json(400, {"error": "BAD_REQUEST", "detail": "bad or missing Content-Length"})
                else:
                    local = ipaddress.ip_address(self.client_address[0].split("%", 1)[0]).is_loopback
                    reply = simulator.handle(method, self.path, self.headers.get("Authorization"), body, local=local)
            except Exception:  # a bug must cost one answer, not the connection's thread
                self.close_connection = True
                reply = _json(500, {"error": "INTERNAL_ERROR"})
            self._send(reply)

        def _read_body(self) -> bytes | None:
            if self.headers.get("Transfer-Encoding"):
                self.close_connection = True  # chunked bodies are not supported; the stream can't be resynced
                return None
            raw = self.headers.get("Content-Length")
            if raw is None:
                return b""
            try:
                length = int(raw)
            except ValueError:
                length = -1
            if not 0 <= length <= MAX_BODY:
                self.close_connection = True
                return None
            return self.rfile.read(length)

        def _send(self, reply: Reply) -> None:
            after = reply.after
            if after is not None and reply.delay > 0:
                after()  # the gateway works on while the client waits for (or gives up on) the answer
                after = None
            try:
                if reply.delay > 0:
                    time.sleep(reply.delay)
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                if self.close_connection:
                    self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(reply.body)
            except OSError:  # the client hung up (e.g. it timed out); the transfer stands regardless
                self.close_connection = True
            finally:
                if after is not None:
                    after()

        def log_message(self, format: str, *args: Any) -> None:  # 100,000 requests in a benchmark
            pass

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a benchmark opens many connections at once

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up or resets mid-request is ordinary here; only real bugs get a traceback.
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)


class SimulatorServer:
    """A gateway simulator bound to a port; ``url`` is its base address."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, **kwargs: Any) -> None:
        self.simulator = GatewaySimulator(**kwargs)
        self.httpd = _Server((host, port), make_handler(self.simulator))
        bound_host, bound_port = self.httpd.server_address[:2]
        shown = bound_host if isinstance(bound_host, str) else bound_host.decode()
        self.url = f"http://[{shown}]:{bound_port}" if ":" in shown else f"http://{shown}:{bound_port}"
        self._thread: threading.Thread | None = None

    def serve_forever(self) -> None:
        self.httpd.serve_forever(poll_interval=0.05)  # how soon a shutdown() is noticed

    def start(self) -> SimulatorServer:
        self._thread = threading.Thread(target=self.serve_forever, name="gateway-sim-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(timeout=5.0)
            self._thread = None
        self.httpd.server_close()
        self.simulator.close()


def start_simulator(host: str = "127.0.0.1", port: int = 0, **kwargs: Any) -> SimulatorServer:
    """Serve a new simulator in a daemon thread; ``kwargs`` go to :class:`GatewaySimulator`."""
    return SimulatorServer(host, port, **kwargs).start()


def load_book(path: str) -> list[dict[str, Any]]:
    """The accounts of a ``--book`` file (a JSON list of account objects); none if it doesn't exist."""
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        accounts = json.load(f)
    if not isinstance(accounts, list):
        raise ValueError(f"{path}: a book must be a JSON list of accounts")
    return accounts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="gateway_simulator", description="A disbursement gateway simulator.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8770)
    parser.add_argument("--book", help="JSON list of accounts to load at start (skipped if missing)")
    parser.add_argument("--api-key", default="sim-key")
    parser.add_argument("--callback-secret", default="sim-callback-secret")
    parser.add_argument("--settle-delay", type=float, default=0.0, help="seconds until a transfer succeeds")
    args = parser.parse_args(argv)
    try:
        accounts = load_book(args.book) if args.book else []
        server = SimulatorServer(
            args.host,
            args.port,
            api_key=args.api_key,
            callback_secret=args.callback_secret,
            settle_delay=args.settle_delay,
        )
    except (OSError, ValueError) as e:  # a port in use, an unreadable book
        parser.error(str(e))
    try:
        server.simulator.add_accounts(accounts)
    except ValueError as e:
        server.stop()
        parser.error(f"{args.book}: {e}")
    print(f"gateway simulator on {server.url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
