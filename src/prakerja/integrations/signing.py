"""The partner API's request signature, as the institutions' reference clients compute it.

    signature = hex(HMAC-SHA1(sign_key, client_code + timestamp + "POST" + path + body))

``path`` is the endpoint's own path (``/api/v1/integration/payment/redeem-code/commit``), and
``body`` is the JSON the client *signed* — which is not always the JSON it *sent*: the Python
reference client signs the compact form ``{"redeem_code":"X"}`` but sends ``json.dumps(data)``,
``{"redeem_code": "X"}``. So a signature is accepted when it matches the raw body or the body
rebuilt compactly (keys in the order received, no spaces, ``/`` and non-ASCII as they are).
See docs/decisions/0004-partner-api.md.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any


def sign(key: str, client_code: str, timestamp: str, path: str, body: str) -> str:
    message = f"{client_code}{timestamp}POST{path}{body}"
    return hmac.new(key.encode(), message.encode(), hashlib.sha1).hexdigest()


def compact(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def candidate_bodies(raw: bytes, data: Any) -> list[str]:
    """The body strings a well-behaved client may have signed for this request."""
    bodies = []
    try:
        bodies.append(raw.decode())
    except UnicodeDecodeError:
        pass
    if data is not None:
        try:
            rebuilt = compact(data)
        except (ValueError, RecursionError):
            return bodies
        if rebuilt not in bodies:
            bodies.append(rebuilt)
    return bodies


def verify(keys: list[str], client_code: str, timestamp: str, path: str, raw: bytes, data: Any, signature: str) -> bool:
    """Constant-time comparison against every key (current, and the previous during its grace)
    and every candidate body."""
    given = (signature or "").strip().lower()
    if not given.isascii():
        # compare_digest refuses non-ASCII strings; no signature we issue contains any.
        return False
    ok = False
    for key in keys:
        for body in candidate_bodies(raw, data):
            # No early exit: the time taken does not tell which candidate matched.
            ok |= hmac.compare_digest(sign(key, client_code, timestamp, path, body), given)
    return ok


def timestamp_skew(timestamp: str, now: float) -> float | None:
    """Seconds between the request's timestamp and now; None when it is not a Unix time
    (decimal ASCII digits, as every client sends it)."""
    value = timestamp.strip() if isinstance(timestamp, str) else ""
    # Digits only (int() would also take "1_516_239_022" or other scripts' digits), and short
    # enough to be a time: a 400-digit number would overflow the float subtraction.
    if not (value.isascii() and value.isdigit()) or len(value) > 15:
        return None
    return abs(now - int(value))
