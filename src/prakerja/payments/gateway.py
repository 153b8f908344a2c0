"""The disbursement gateway adapter: one interface, spoken over HTTP.

:class:`HttpGateway` talks to a bank/e-wallet disbursement gateway with the
protocol of :mod:`prakerja.payments.gateway_simulator` (the local simulator
development and tests run; production points ``PAYMENT_GATEWAY_URL`` at the
real one). Every answer is sorted into three outcomes the disbursement worker
understands:

- a :class:`Transfer` — the gateway knows the transfer and says its state;
- :class:`GatewayRefused` — the gateway definitely did not take the request
  (4xx, or a 5xx that the protocol defines as "nothing created");
- :class:`GatewayUnknown` — no answer (timeout, connection reset): the
  transfer may or may not exist, so only asking again under the same
  idempotency key can tell.

One keep-alive connection per thread: a worker sends thousands of small
requests, and a new TCP connection for each would cost more than the request.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import threading
import urllib.parse
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings


class GatewayError(Exception):
    """Base of the gateway's failures."""


class GatewayUnknown(GatewayError):
    """No answer: whether the request took effect is unknown."""


class GatewayRefused(GatewayError):
    """A definite refusal: nothing was created. ``code`` is the gateway's error code."""

    def __init__(self, status: int, code: str) -> None:
        super().__init__(f"{status} {code}")
        self.status = status
        self.code = code


@dataclass(frozen=True)
class Transfer:
    idempotency_key: str
    transfer_id: str
    amount: int
    status: str  # processing | success | failed | returned
    failure_code: str
    event_seq: int

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Transfer:
        return cls(
            idempotency_key=str(data["idempotency_key"]),
            transfer_id=str(data.get("transfer_id") or ""),
            amount=int(data["amount"]),
            status=str(data["status"]),
            failure_code=str(data.get("failure_code") or ""),
            event_seq=int(data.get("event_seq") or 0),
        )


@dataclass(frozen=True)
class TransferRequest:
    idempotency_key: str
    amount: int
    provider: str
    account_number: str
    holder_name: str
    callback_url: str = ""


class Gateway(Protocol):
    def inquire(self, provider: str, account_number: str) -> dict[str, Any] | None:
        """The account's holder data, or None when the provider has no such account."""
        ...

    def send(self, request: TransferRequest) -> Transfer: ...

    def status(self, idempotency_key: str) -> Transfer | None:
        """The transfer under this key, or None when the gateway never created one."""
        ...

    def statement(self, date_iso: str) -> bytes: ...


def callback_signature(body: bytes, secret: str | None = None) -> str:
    """Lowercase hex HMAC-SHA256 of the raw callback body, as the gateway signs it."""
    key = (secret if secret is not None else settings.PAYMENT_GATEWAY_CALLBACK_SECRET).encode()
    return hmac.new(key, body, hashlib.sha256).hexdigest()


class HttpGateway:
    def __init__(self, url: str | None = None, api_key: str | None = None, timeout: float | None = None) -> None:
        parsed = urllib.parse.urlsplit(url or settings.PAYMENT_GATEWAY_URL)
        self.https = parsed.scheme == "https"
        self.host = parsed.hostname or "127.0.0.1"
        self.port = parsed.port or (443 if self.https else 80)
        self.prefix = parsed.path.rstrip("/")
        self.api_key = api_key if api_key is not None else settings.PAYMENT_GATEWAY_KEY
        self.timeout = timeout if timeout is not None else settings.PAYMENT_GATEWAY_TIMEOUT
        self._local = threading.local()

    # --- the interface ---
    def inquire(self, provider: str, account_number: str) -> dict[str, Any] | None:
        status, data = self._call("POST", "/v1/inquiry", {"provider": provider, "account_number": account_number})
        if status == 404:
            return None
        self._raise_for(status, data)
        return data

    def send(self, request: TransferRequest) -> Transfer:
        body: dict[str, Any] = {
            "idempotency_key": request.idempotency_key,
            "amount": request.amount,
            "provider": request.provider,
            "account_number": request.account_number,
            "holder_name": request.holder_name,
        }
        if request.callback_url:
            body["callback_url"] = request.callback_url
        status, data = self._call("POST", "/v1/transfers", body)
        self._raise_for(status, data)
        return Transfer.from_json(data)

    def status(self, idempotency_key: str) -> Transfer | None:
        status, data = self._call("GET", "/v1/transfers/" + urllib.parse.quote(idempotency_key, safe=""))
        if status == 404:
            return None
        self._raise_for(status, data)
        return Transfer.from_json(data)

    def statement(self, date_iso: str) -> bytes:
        status, raw = self._request("GET", f"/v1/statements/{date_iso}.csv", None)
        if status != 200:
            raise GatewayRefused(status, "STATEMENT_UNAVAILABLE")
        return raw

    # --- plumbing ---
    @staticmethod
    def _raise_for(status: int, data: dict[str, Any]) -> None:
        if 200 <= status < 300:
            return
        code = str(data.get("error") or f"HTTP_{status}")
        if status >= 500:
            # The protocol promises a 5xx created nothing; a proxy in between promises no such thing,
            # so the caller still treats it as unknown and asks again under the same key.
            raise GatewayUnknown(code)
        raise GatewayRefused(status, code)

    def _call(self, method: str, path: str, payload: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
        body = json.dumps(payload).encode() if payload is not None else None
        status, raw = self._request(method, path, body)
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        if 200 <= status < 300 and not data:
            raise GatewayUnknown("unreadable answer")
        return status, data

    def _connection(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
            conn = cls(self.host, self.port, timeout=self.timeout)
            self._local.conn = conn
        return conn

    def _drop_connection(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
        self._local.conn = None

    def _request(self, method: str, path: str, body: bytes | None) -> tuple[int, bytes]:
        headers = {"Authorization": f"Bearer {self.api_key}", "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        # A kept-alive connection the server closed meanwhile fails before anything is sent: one
        # fresh retry is safe then. A timeout is not retried here: the request may have arrived.
        for fresh in (False, True):
            conn = self._connection()
            try:
                conn.request(method, self.prefix + path, body=body, headers=headers)
                response = conn.getresponse()
                raw = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self._drop_connection()
                return response.status, raw
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                self._drop_connection()
                if fresh:
                    raise GatewayUnknown(str(exc)) from exc
            except (TimeoutError, OSError, http.client.HTTPException) as exc:
                self._drop_connection()
                raise GatewayUnknown(str(exc)) from exc
        raise GatewayUnknown("unreachable")


_gateway: Gateway | None = None


def gateway() -> Gateway:
    """The configured gateway (one per process; tests swap it with :func:`use_gateway`)."""
    global _gateway
    if _gateway is None:
        _gateway = HttpGateway()
    return _gateway


def use_gateway(instance: Gateway | None) -> None:
    global _gateway
    _gateway = instance
