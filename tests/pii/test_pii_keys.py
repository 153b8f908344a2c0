"""core.pii: encryption, blind index, masking and keys (no database)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

import pytest
from django.core.exceptions import ImproperlyConfigured

from prakerja.core import pii
from prakerja.registry.apps import pii_keys_configured

NIK = "3174051203900001"


def key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def test_a_token_opens_to_the_number_and_never_shows_it():
    token = pii.encrypt("nik", NIK)
    assert NIK not in token and NIK[4:12] not in token
    assert token.startswith(f"v1.{pii.keys().current_id}.")
    assert pii.decrypt("nik", token) == NIK
    # A fresh nonce each time: the same number never gives the same token.
    assert len({pii.encrypt("nik", NIK) for _ in range(20)}) == 20


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda t: t[:-2] + ("A" if t[-2] != "A" else "B") + t[-1], id="altered-byte"),
        pytest.param(lambda t: "v2" + t[2:], id="unknown-format"),
        pytest.param(lambda t: t.replace(t.split(".")[1], "00000000"), id="unknown-key"),
        pytest.param(lambda t: "", id="empty"),
    ],
)
def test_a_spoiled_token_does_not_open(spoil):
    with pytest.raises(pii.DecryptionError):
        pii.decrypt("nik", spoil(pii.encrypt("nik", NIK)))


def test_a_nik_token_does_not_open_as_a_family_card():
    with pytest.raises(pii.DecryptionError):
        pii.decrypt("kk", pii.encrypt("nik", NIK))


def test_blind_index_is_keyed_per_kind_and_ignores_separators():
    index = pii.blind_index("nik", NIK)
    assert len(index) == 32 and int(index, 16) >= 0
    assert pii.blind_index("nik", "3174 0512-0390.0001") == index
    assert pii.blind_index("kk", NIK) != index  # same digits, another kind
    assert pii.blind_index("nik", "3174051203900002") != index
    assert pii.blind_indexes("nik", [NIK, "", "3174051203900002"]) == [index, pii.nik_index("3174051203900002")]
    with pytest.raises(ValueError):
        pii.blind_index("nik", " - ")


def test_blind_index_is_hmac_sha256_truncated_to_128_bits():
    """The precomputed-pad HMAC equals the standard library's."""
    raw = os.urandom(32)
    assert pii.IndexKey(raw).hexdigest(NIK.encode()) == hmac.digest(raw, NIK.encode(), hashlib.sha256)[:16].hex()


def test_blind_index_depends_on_the_index_key_only(settings):
    before = pii.nik_index(NIK)
    settings.PII_ENCRYPTION_KEY = key()
    assert pii.nik_index(NIK) == before
    settings.PII_INDEX_KEY = key()
    assert pii.nik_index(NIK) != before


def test_masking_keeps_region_and_serial():
    assert pii.mask(NIK) == "3174********0001"
    assert pii.mask("3273010510180004") == "3273********0004"
    assert pii.mask("") == "" and pii.mask(None) == "" and pii.mask("1234") == "****"


def test_old_keys_still_decrypt_and_the_current_one_encrypts(settings):
    old, new = key(), key()
    settings.PII_ENCRYPTION_KEY = old
    token = pii.encrypt("kk", NIK)
    settings.PII_ENCRYPTION_KEY = new
    with pytest.raises(pii.DecryptionError, match="PII_OLD_ENCRYPTION_KEYS"):
        pii.decrypt("kk", token)
    settings.PII_OLD_ENCRYPTION_KEYS = [old]
    assert pii.decrypt("kk", token) == NIK
    assert pii.needs_rotation(token)
    fresh = pii.encrypt("kk", NIK)
    assert pii.token_key_id(fresh) == pii.key_id(base64.b64decode(new)) and not pii.needs_rotation(fresh)


def test_development_keys_come_from_the_secret_key_with_distinct_labels(settings):
    settings.PII_ENCRYPTION_KEY = settings.PII_INDEX_KEY = ""
    first = pii.keys()
    assert first.current_id != pii.key_id(settings.SECRET_KEY.encode())
    settings.SECRET_KEY = "another-development-secret-key-0123456789"
    assert pii.keys().current_id != first.current_id


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PII_ENCRYPTION_KEY", "not base64!", "32 bytes in base64"),
        ("PII_ENCRYPTION_KEY", base64.b64encode(b"short").decode(), "not 5 bytes"),
        ("PII_INDEX_KEY", base64.urlsafe_b64encode(b"\xfb" * 31).decode(), "not 31 bytes"),
    ],
)
def test_malformed_keys_are_refused_at_start_up(settings, name, value, message):
    setattr(settings, name, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        pii.keys()
    assert [e.id for e in pii_keys_configured()] == ["prakerja.E601"]


def test_one_key_for_both_purposes_is_refused(settings):
    settings.PII_ENCRYPTION_KEY = settings.PII_INDEX_KEY = key()
    with pytest.raises(ImproperlyConfigured, match="must differ"):
        pii.keys()


def test_production_refuses_derived_keys(settings):
    settings.PRODUCTION = True
    settings.PII_ENCRYPTION_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="must be set in production"):
        pii.keys()
    settings.PII_ENCRYPTION_KEY = key()
    settings.PII_INDEX_KEY = key().replace("+", "-").replace("/", "_")  # URL-safe alphabet accepted
    assert pii.keys().current_id and pii_keys_configured() == []
