"""The signature scheme against the reference clients' published test vector, and the verifier's
tolerance of what those clients actually send (without a server)."""

from __future__ import annotations

import json

import pytest

import partner_clients as pc
from prakerja.integrations import signing

VECTOR_KEY = "my_sign_key"
VECTOR_CLIENT = "myclient_code"
VECTOR_TIMESTAMP = "1516239022"
VECTOR_BODY = '{"redeem_code":"code"}'
VECTOR_SIGNATURE = "943c20a8e36b6243f576404b00fffdc86411ce1f"


def test_the_reference_clients_test_vector():
    assert signing.sign(VECTOR_KEY, VECTOR_CLIENT, VECTOR_TIMESTAMP, pc.COMMIT, VECTOR_BODY) == VECTOR_SIGNATURE
    text = "myclient_code1516239022POST/api/v1/integration/payment/redeem-code/commit" + VECTOR_BODY
    assert pc.hmac_sha1_hex(VECTOR_KEY, text) == VECTOR_SIGNATURE
    # The same text with the space json.dumps puts after the colon is a different signature, and
    # the older generator's {"code": …} body has its own published value.
    spaced = '{"redeem_code": "code"}'
    assert signing.sign(VECTOR_KEY, VECTOR_CLIENT, VECTOR_TIMESTAMP, pc.COMMIT, spaced) == (
        "3f54c558bb285267009a458ebd99dc69a0c53e9b"
    )
    assert signing.sign(VECTOR_KEY, VECTOR_CLIENT, VECTOR_TIMESTAMP, pc.COMMIT, '{"code":"code"}') == (
        "d46b59b221335976b46eafb752035a1172a8beb2"
    )


@pytest.mark.parametrize("name", sorted(pc.REFERENCE_CLIENTS))
def test_every_reference_client_reproduces_the_vector(name):
    """Each independent client, given the vector's inputs, puts the vector's signature on the wire,
    and the platform's verifier accepts exactly what it sends."""
    client = pc.REFERENCE_CLIENTS[name]
    request = client(pc.Credentials(VECTOR_CLIENT, VECTOR_KEY), pc.COMMIT, "code", float(VECTOR_TIMESTAMP))
    assert request.header("signature") == VECTOR_SIGNATURE
    assert request.header("timestamp") == VECTOR_TIMESTAMP
    assert request.header("client_code") == VECTOR_CLIENT
    assert request.header("content-type") == "application/json"
    data = json.loads(request.body)
    assert data == {"redeem_code": "code"}
    assert signing.verify(
        [VECTOR_KEY], VECTOR_CLIENT, VECTOR_TIMESTAMP, pc.COMMIT, request.body, data, request.header("signature")
    )


def test_what_the_clients_put_on_the_wire_differs_as_the_notes_say():
    creds = pc.Credentials(VECTOR_CLIENT, VECTOR_KEY)
    now = float(VECTOR_TIMESTAMP)
    assert pc.python_reference(creds, pc.COMMIT, "code", now).body == b'{"redeem_code": "code"}'
    assert pc.php_reference(creds, pc.COMMIT, "a/b", now).body == b'{"redeem_code":"a\\/b"}'
    for client in (pc.go_reference, pc.ruby_reference):
        names = [name for name, _ in client(creds, pc.COMMIT, "code", now).headers]
        assert {"Client_code", "Signature", "Timestamp"} <= set(names)
        assert not {"client_code", "signature", "timestamp"} & set(names)
    assert pc.node_reference(creds, pc.COMMIT, "code", now + 0.5).header("timestamp") == "1516239023"
    assert pc.third_party_with_sequence(creds, pc.STATUS, "code", now).body == b'{"redeem_code":"code","sequence":1}'
    assert pc.third_party_php_double_slash(creds, pc.STATUS, "code", now).path == "/" + pc.STATUS


@pytest.mark.parametrize(
    ("sent", "signed"),
    [
        ('{"redeem_code": "ABC"}', '{"redeem_code":"ABC"}'),  # Python: json.dumps sent, compact signed
        ('{"redeem_code":"A\\/B"}', '{"redeem_code":"A/B"}'),  # PHP json_encode escapes "/"
        ('{"redeem_code": "K\\u00f6de"}', '{"redeem_code":"Köde"}'),  # Python: \\u escapes sent, UTF-8 signed
        ('{"redeem_code":"ABC","sequence":2}', '{"redeem_code":"ABC","sequence":2}'),
        ('{"redeem_code": "ABC", "sequence": 2}', '{"redeem_code":"ABC","sequence":2}'),
    ],
)
def test_a_signature_over_the_compact_body_verifies_whatever_spacing_was_sent(sent, signed):
    signature = signing.sign("k", "c", "1", pc.STATUS, signed)
    assert signing.verify(["k"], "c", "1", pc.STATUS, sent.encode(), json.loads(sent), signature)
    assert signing.verify(["k"], "c", "1", pc.STATUS, sent.encode(), json.loads(sent), signature.upper())
    assert not signing.verify(["other"], "c", "1", pc.STATUS, sent.encode(), json.loads(sent), signature)
    assert not signing.verify(["k"], "c", "1", pc.COMMIT, sent.encode(), json.loads(sent), signature)


def test_the_verifier_refuses_rather_than_crashes_on_odd_input():
    body = b'{"redeem_code":"X"}'
    assert not signing.verify(["k"], "c", "1", pc.STATUS, body, {"redeem_code": "X"}, "\u00e9" * 40)
    assert not signing.verify(["k"], "c", "1", pc.STATUS, b"\xff\xfe", None, "0" * 40)
    assert not signing.verify(["k"], "c", "1", pc.STATUS, body, {"redeem_code": "X"}, "")


@pytest.mark.parametrize(
    ("timestamp", "skew"),
    [("1000", 0), (" 1000 ", 0), ("1301", 301), ("699", 301)],
)
def test_timestamp_skew(timestamp, skew):
    assert signing.timestamp_skew(timestamp, 1000.0) == skew


@pytest.mark.parametrize(
    "timestamp", ["", "abc", "1e3", "1000.5", "-1000", "1_000", "\u0661\u0660\u0660\u0660", "1" * 400]
)
def test_a_timestamp_that_is_not_unix_seconds_has_no_skew(timestamp):
    assert signing.timestamp_skew(timestamp, 1000.0) is None
