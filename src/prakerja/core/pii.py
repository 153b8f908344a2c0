"""Personal data at rest: NIK and KK numbers encrypted, found by a keyed blind index, shown masked.

- :func:`encrypt` / :func:`decrypt`: AES-256-GCM (``cryptography``), a random 96-bit nonce per value,
  the kind (``"nik"``, ``"kk"``) as associated data, so a NIK's ciphertext copied into the KK column
  does not open. A token is ``v1.<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>`` (about 70
  characters for 16 digits). The key id is derived from the key itself (8 hex characters of an
  HMAC), so a token names the key that opens it: the current key (``PII_ENCRYPTION_KEY``)
  encrypts; it and every key of ``PII_OLD_ENCRYPTION_KEYS`` decrypt. Rotating is: put the new
  key first, the old one among the old keys, run ``prakerja rotate-pii-key``, then drop the old.
- :func:`blind_index`: HMAC-SHA256 of the digits under a key derived per kind from
  ``PII_INDEX_KEY`` (a NIK's index never equals the index of a KK with the same digits),
  truncated to 128 bits, 32 hex characters. Equal numbers, equal indexes: what the unique NIK
  constraint, the look-ups and the selection's family-card grouping compare.
- :func:`mask`: ``3174051203900001`` -> ``3174********0001``.
- :func:`shown`: a number as one user may see it: in full to its owner, in full to a role of
  ``roles.SEES_FULL_IDENTITY`` that states a purpose (audited with ``audit.record_view``),
  masked to everyone else.

Keys are 32 bytes, base64 in the environment. In development and tests, when they are empty,
both are derived from ``SECRET_KEY`` with HKDF under distinct labels (so changing ``SECRET_KEY``
there makes the stored numbers unreadable: reload the demo data). Production refuses to start
without them (settings.py). See docs/decisions/0006-personal-data.md.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

KINDS = ("nik", "kk")
FORMAT = "v1"
NONCE_BYTES = 12
INDEX_HEX = 32  # 128 bits: collisions are out of reach for any population (2^64 numbers for an even chance)
TOKEN_MAX = 128  # a token of a 16-digit number is 71 characters; room for longer numbers or a longer key id
_DIGITS = frozenset("0123456789")
_URLSAFE = bytes.maketrans(b"+/", b"-_")


class DecryptionError(Exception):
    """A token that no configured key opens (unknown key id, altered bytes, or another kind's token)."""


class IndexKey:
    """HMAC-SHA256 (RFC 2104) with the key's inner and outer pads hashed once: a third of the cost of
    ``hmac.digest`` per value, which counts when a loader indexes millions of numbers."""

    def __init__(self, key: bytes) -> None:
        block = key.ljust(64, b"\0")  # keys here are 32 bytes, shorter than SHA-256's 64-byte block
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def hexdigest(self, message: bytes) -> str:
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()[: INDEX_HEX // 2].hex()


@dataclass(frozen=True)
class Keys:
    current_id: str
    current: AESGCM
    by_id: dict[str, AESGCM]
    index: dict[str, IndexKey]


def _hkdf(material: bytes, label: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label.encode()).derive(material)


def parse_key(text: str, name: str) -> bytes:
    """A key from the environment: 32 bytes in base64 (standard or URL-safe alphabet)."""
    cleaned = text.strip()
    padded = cleaned + "=" * (-len(cleaned) % 4)
    altchars = b"-_" if "-" in cleaned or "_" in cleaned else None
    try:
        raw = base64.b64decode(padded, altchars=altchars, validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{name} must be 32 bytes in base64") from None
    if len(raw) != 32:
        raise ImproperlyConfigured(f"{name} must be 32 bytes in base64, not {len(raw)} bytes")
    return raw


def key_id(key: bytes) -> str:
    """A short public name of a key, derived from it (never reveals it)."""
    return hmac.new(key, b"prakerja pii key id", hashlib.sha256).hexdigest()[:8]


def new_key() -> str:
    """A fresh key for the environment (``python -c 'from prakerja.core.pii import new_key; print(new_key())'``)."""
    return base64.b64encode(os.urandom(32)).decode()


@lru_cache(maxsize=1)
def keys() -> Keys:
    """The configured keys (cached; the cache is dropped when a test overrides the settings)."""
    secret = settings.SECRET_KEY.encode()
    if settings.PII_ENCRYPTION_KEY:
        current = parse_key(settings.PII_ENCRYPTION_KEY, "PII_ENCRYPTION_KEY")
    elif settings.PRODUCTION:
        raise ImproperlyConfigured("PII_ENCRYPTION_KEY must be set in production")
    else:
        current = _hkdf(secret, "prakerja pii encryption key v1")
    if settings.PII_INDEX_KEY:
        index = parse_key(settings.PII_INDEX_KEY, "PII_INDEX_KEY")
    elif settings.PRODUCTION:
        raise ImproperlyConfigured("PII_INDEX_KEY must be set in production")
    else:
        index = _hkdf(secret, "prakerja pii blind index key v1")
    if hmac.compare_digest(current, index):
        raise ImproperlyConfigured("PII_ENCRYPTION_KEY and PII_INDEX_KEY must differ")
    old = [parse_key(text, "PII_OLD_ENCRYPTION_KEYS") for text in settings.PII_OLD_ENCRYPTION_KEYS]
    by_id = {key_id(k): AESGCM(k) for k in old}
    current_id = key_id(current)
    by_id[current_id] = AESGCM(current)
    return Keys(
        current_id=current_id,
        current=by_id[current_id],
        by_id=by_id,
        index={kind: IndexKey(_hkdf(index, f"prakerja blind index {kind}")) for kind in KINDS},
    )


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in ("SECRET_KEY", "PII_ENCRYPTION_KEY", "PII_INDEX_KEY", "PII_OLD_ENCRYPTION_KEYS", "PRODUCTION"):
        keys.cache_clear()


def _aad(kind: str) -> bytes:
    if kind not in KINDS:
        raise ValueError(f"unknown kind of personal number {kind!r}")
    return b"prakerja:" + kind.encode()


def digits(value: object) -> str:
    """The ASCII digits of a number as typed (spaces, dots and dashes between groups dropped)."""
    text = "" if value is None else str(value)
    if text.isascii() and text.isdigit():
        return text
    return "".join(c for c in text if c in _DIGITS)


# --- encryption -----------------------------------------------------------------------------------
def encrypt(kind: str, value: str) -> str:
    """A token holding ``value`` (already validated: digits), encrypted under the current key."""
    return encrypt_many(kind, [value])[0]


def encrypt_many(kind: str, values: Sequence[str]) -> list[str]:
    """Tokens for many values at once (the bulk loader): one call for the nonces, one key look-up."""
    aad = _aad(kind)
    k = keys()
    seal = k.current.encrypt
    prefix = f"{FORMAT}.{k.current_id}."
    nonces = os.urandom(NONCE_BYTES * len(values))
    encode, urlsafe = binascii.b2a_base64, _URLSAFE  # a third of urlsafe_b64encode's time
    out = []
    for n, value in enumerate(values):
        nonce = nonces[n * NONCE_BYTES : (n + 1) * NONCE_BYTES]
        sealed = encode(nonce + seal(nonce, value.encode(), aad), newline=False)
        out.append(prefix + sealed.translate(urlsafe).rstrip(b"=").decode())
    return out


def token_key_id(token: str) -> str:
    """The id of the key a token was encrypted with ('' for something that is not a token)."""
    parts = token.split(".")
    return parts[1] if len(parts) == 3 and parts[0] == FORMAT else ""


def decrypt(kind: str, token: str) -> str:
    """The value a token holds; :class:`DecryptionError` when no configured key opens it."""
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != FORMAT:
        raise DecryptionError("not a personal-data token")
    aead = keys().by_id.get(parts[1])
    if aead is None:
        raise DecryptionError(f"no configured key has id {parts[1]} (PII_OLD_ENCRYPTION_KEYS?)")
    try:
        raw = base64.urlsafe_b64decode(parts[2] + "=" * (-len(parts[2]) % 4))
        return aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _aad(kind)).decode()
    except (InvalidTag, binascii.Error, ValueError):
        raise DecryptionError("the token does not open with its key (altered, or another kind's)") from None


def needs_rotation(token: str) -> bool:
    """Encrypted under a key other than the current one."""
    return bool(token) and token_key_id(token) != keys().current_id


# --- blind index ----------------------------------------------------------------------------------
def blind_index(kind: str, value: object) -> str:
    """The keyed index of a number: 32 hex characters, equal for equal digits, per kind.

    Raises ``ValueError`` for a value without digits: an empty number has no index (callers store
    NULL/'' for "none").
    """
    number = digits(value)
    if not number:
        raise ValueError("a number without digits has no blind index")
    if kind not in KINDS:
        raise ValueError(f"unknown kind of personal number {kind!r}")
    return keys().index[kind].hexdigest(number.encode())


def blind_indexes(kind: str, values: Iterable[object]) -> list[str]:
    """Indexes of many numbers (a look-up of a chunk); values without digits are left out."""
    index = keys().index[kind].hexdigest
    return [index(number.encode()) for value in values if (number := digits(value))]


def nik_index(value: object) -> str:
    return blind_index("nik", value)


def kk_index(value: object) -> str:
    return blind_index("kk", value)


# --- showing --------------------------------------------------------------------------------------
def mask(value: str | None) -> str:
    """Region (first four digits) and serial (last four) only: ``3174********0001``."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"


FIELDS = {"nik": "nik", "kk": "kk_number"}


def sees_full_identity(user: Any) -> bool:
    """A role whose work needs full numbers (``roles.SEES_FULL_IDENTITY``); each view is still audited."""
    from prakerja.core import roles

    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and getattr(user, "role", "") in roles.SEES_FULL_IDENTITY
    )


def shown(user: Any, person: Any, kind: str, *, purpose: str | None = None, ip: str | None = None) -> str:
    """``person``'s NIK or KK as ``user`` may see it.

    In full to the person themselves; in full to a role of ``roles.SEES_FULL_IDENTITY`` when the
    caller names the purpose (``"complaint:PGD-2026-000123"``), writing an audit row
    (``personal_data.view``, the field name, never the value); masked to anyone else, and to those
    roles when no purpose is given.
    """
    field = FIELDS[kind]
    value = getattr(person, field) or ""
    if not value:
        return ""
    user_pk = getattr(user, "pk", None)
    if user_pk is not None and getattr(person, "user_id", None) == user_pk:
        return str(value)
    if purpose and sees_full_identity(user):
        from prakerja.core import audit

        audit.record_view(user, person, [field], purpose=purpose, ip=ip)
        return str(value)
    return mask(str(value))
