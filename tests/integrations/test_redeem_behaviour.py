"""What an institution relies on, over a real HTTP server: attendance is recorded once, a refusal
says why in the partner shape (4xx JSON, ``success: false``, ``code``, ``message``; never a 500),
completion issues the certificate, and a key rotation does not break a deployment.

Every request is sent as the independent clients in tests/partner_clients.py send it, with the
timestamp read from the platform's frozen clock (the server shares this process's clock).
"""

from __future__ import annotations

import datetime as dt

import pytest
from partner_server import Scene, credentials, now, other_institution, partner_server, scene

import partner_clients as pc
from prakerja.catalog import actions as catalog
from prakerja.core import clock
from prakerja.integrations.api import purge_seen_requests
from prakerja.integrations.models import SeenRequest
from prakerja.learning import actions
from prakerja.learning.models import Purchase, RedeemCode
from prakerja.payments import actions as ledger

pytestmark = pytest.mark.django_db(transaction=True)

MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def base_url():
    with partner_server() as url:
        yield url


def refused(reply: pc.Reply, status: int, code: str) -> dict:
    """The partner shape of a refusal; returns the body."""
    assert reply.status == status, (reply.status, reply.body[:300])
    assert reply.content_type.startswith("application/json"), reply.body[:300]
    body = reply.json()
    assert body["success"] is False
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert body["errors"][0]["code"] == code
    return body


def ok(reply: pc.Reply) -> dict:
    assert reply.status == 200, (reply.status, reply.body[:300])
    body = reply.json()
    assert body["success"] is True and isinstance(body["message"], str)
    return body["data"]


def at(frozen_clock, moment: dt.datetime) -> None:
    frozen_clock(moment)


def tick(frozen_clock, seconds: int = 1) -> None:
    """The next request is a new one (a new timestamp), not a replay of the previous."""
    frozen_clock(clock.now() + dt.timedelta(seconds=seconds))


def status(world: Scene, code: str, **kw) -> pc.Reply:
    return world.send(pc.python_reference(world.creds, pc.STATUS, code, now()), **kw)


def commit(world: Scene, code: str, **kw) -> pc.Reply:
    return world.send(pc.python_reference(world.creds, pc.COMMIT, code, now()), **kw)


def committed_codes() -> int:
    return RedeemCode.objects.filter(committed_at__isnull=False).count()


# --- attendance ----------------------------------------------------------------------------------------
def test_commit_inside_the_window_then_a_second_commit_changes_nothing(base_url, frozen_clock, provider):
    world = scene(base_url, frozen_clock, provider, seed=65)
    code = world.code()
    first = code.session.starts_at - 30 * MINUTE
    at(frozen_clock, first)
    holding = ledger.system_account(ledger.TRAINING_HOLDING).balance

    data = ok(status(world, code.code))
    assert (data["state"], data["status"], data["attendance_status"]) == ("valid", 0, 0)
    data = ok(world.send(pc.php_reference(world.creds, pc.COMMIT, code.code, now())))
    assert (data["state"], data["status"], data["attendance_status"]) == ("used", 1, 1)
    assert dt.datetime.fromisoformat(data["redeem_at"]) == first
    assert RedeemCode.objects.get(pk=code.pk).committed_at == first

    # Ten minutes later the institution's system retries (a new, correctly signed request).
    at(frozen_clock, first + 10 * MINUTE)
    again = refused(commit(world, code.code), 409, "ALREADY_USED")
    # The refusal carries the code's state, so a client retrying after a timeout learns it landed.
    assert again["data"]["attendance_status"] == 1 and again["data"]["status"] == 1
    assert dt.datetime.fromisoformat(again["data"]["redeem_at"]) == first
    assert RedeemCode.objects.get(pk=code.pk).committed_at == first
    assert committed_codes() == 1
    assert Purchase.objects.get(pk=world.purchases[0].pk).status == Purchase.Status.ACTIVE
    assert ledger.system_account(ledger.TRAINING_HOLDING).balance == holding

    tick(frozen_clock)
    data = ok(status(world, code.code))
    assert (data["state"], data["status"], data["attendance_status"]) == ("used", 1, 1)


def test_the_same_signed_request_twice_is_a_replay(base_url, frozen_clock, provider):
    world = scene(base_url, frozen_clock, provider, seed=66)
    code = world.code()
    at(frozen_clock, code.session.starts_at)
    request = pc.node_reference(world.creds, pc.STATUS, code.code, now())
    ok(world.send(request))
    refused(world.send(request), 409, "REPLAYED_REQUEST")

    # A captured commit replayed is refused as a replay, before anything else is looked at.
    request = pc.go_reference(world.creds, pc.COMMIT, world.code(1).code, now())
    ok(world.send(request))
    tick(frozen_clock, 5)  # still inside the ±5 minutes the timestamp is accepted for
    refused(world.send(request), 409, "REPLAYED_REQUEST")
    assert committed_codes() == 1

    # The periodic purge forgets a request only once its timestamp can no longer be accepted, so
    # forgetting it opens no door: sent again, it is stale.
    assert purge_seen_requests() == 0
    tick(frozen_clock, 2 * 300 + 1)
    assert purge_seen_requests() == 2
    assert not SeenRequest.objects.exists()
    refused(world.send(request), 401, "TIMESTAMP_OUT_OF_RANGE")
    assert committed_codes() == 1


def test_a_code_outside_its_window_is_refused_and_the_edges_are_inside(base_url, frozen_clock, provider):
    world = scene(base_url, frozen_clock, provider, seed=67)
    early, late = world.code(0), world.code(1)
    start = early.session.starts_at

    at(frozen_clock, start - 61 * MINUTE)
    data = ok(status(world, early.code))
    assert (data["state"], data["status"], data["attendance_status"]) == ("not_yet", 0, 0)
    body = refused(commit(world, early.code), 422, "OUTSIDE_REDEEM_WINDOW")
    assert body["data"]["state"] == "not_yet"
    at(frozen_clock, start - 60 * MINUTE)
    ok(commit(world, early.code))

    at(frozen_clock, start + 61 * MINUTE)
    assert ok(status(world, late.code))["state"] == "expired"
    refused(commit(world, late.code), 422, "OUTSIDE_REDEEM_WINDOW")
    assert RedeemCode.objects.get(pk=late.pk).committed_at is None
    at(frozen_clock, start + 60 * MINUTE)
    ok(commit(world, late.code))

    # The second session's code is for tomorrow.
    tick(frozen_clock)
    refused(commit(world, world.code(0, sequence=2).code), 422, "OUTSIDE_REDEEM_WINDOW")
    assert committed_codes() == 2


def test_the_sequence_field_must_match_the_codes_session(base_url, frozen_clock, provider):
    world = scene(base_url, frozen_clock, provider, seed=68)
    second = world.code(0, sequence=2)
    at(frozen_clock, second.session.starts_at)
    send = world.send
    refused(send(pc.third_party_with_sequence(world.creds, pc.COMMIT, second.code, now(), 1)), 422, "SEQUENCE_MISMATCH")
    data = ok(send(pc.third_party_with_sequence(world.creds, pc.COMMIT, second.code, now(), 2)))
    assert data["sequence"] == 2 and data["attendance_status"] == 1


def test_unknown_and_foreign_codes(base_url, frozen_clock, provider):
    world = scene(base_url, frozen_clock, provider, seed=69)
    code = world.code()
    at(frozen_clock, code.session.starts_at)
    refused(status(world, "TIDAKADA99"), 404, "REDEEM_CODE_NOT_FOUND")
    refused(commit(world, "TIDAKADA99"), 404, "REDEEM_CODE_NOT_FOUND")

    # Another institution, correctly signed with its own key, cannot read or use this code...
    stranger = Scene(base_url, credentials(other_institution()), world.provider, world.training_class, [])
    body = refused(status(stranger, code.code), 403, "WRONG_INSTITUTION")
    assert body["data"] is None
    body = refused(commit(stranger, code.code), 403, "WRONG_INSTITUTION")
    assert body["data"] is None  # ...nor learn its state
    refused(
        world.send(pc.completion_client(stranger.creds, world.purchases[0].voucher_code, now())),
        403,
        "WRONG_INSTITUTION",
    )
    assert committed_codes() == 0
    # ...and the code still works for its own institution.
    tick(frozen_clock)
    ok(commit(world, code.code.lower()))


def test_a_cancelled_purchase_cannot_be_attended(base_url, frozen_clock, provider):
    world = scene(base_url, frozen_clock, provider, seed=70)
    code = world.code()
    at(frozen_clock, code.session.starts_at - 2 * dt.timedelta(days=1))
    assert actions.cancel_class(world.training_class, "Pelatih berhalangan") == len(world.purchases)
    at(frozen_clock, code.session.starts_at)
    data = ok(status(world, code.code))
    assert (data["state"], data["status"], data["attendance_status"]) == ("cancelled", 2, 0)
    refused(commit(world, code.code), 409, "CANCELLED")
    refused(world.send(pc.completion_client(world.creds, world.purchases[0].voucher_code, now())), 409, "CANCELLED")
    assert committed_codes() == 0


# --- completion ------------------------------------------------------------------------------------------
def test_completion_after_every_session_issues_the_certificate(base_url, frozen_clock, provider):
    world = scene(base_url, frozen_clock, provider, seed=71)
    purchase, absent = world.purchases[0], world.purchases[1]
    first, second = world.codes(purchase)
    payable = ledger.account_for_institution(provider.institution)

    at(frozen_clock, first.session.starts_at)
    ok(commit(world, first.code))
    tick(frozen_clock)
    body = refused(
        world.send(pc.completion_client(world.creds, purchase.voucher_code, now())), 409, "ATTENDANCE_INCOMPLETE"
    )
    assert "1" in body["message"] and "2" in body["message"]
    assert ledger.balance_of(payable) == 0

    at(frozen_clock, second.session.starts_at + 15 * MINUTE)
    ok(commit(world, second.code))
    tick(frozen_clock)
    data = ok(world.send(pc.completion_client(world.creds, purchase.voucher_code.lower(), now())))
    assert data["invoice_code"] == purchase.voucher_code
    assert data["status"] == "completed" and data["completed_at"]
    number = data["certificate_number"]
    assert number and number.startswith("PKJ/2026/")
    assert ledger.balance_of(payable) == purchase.price  # settled at completion

    # Reporting it again is harmless: the same certificate, no second payment.
    tick(frozen_clock)
    assert ok(world.send(pc.completion_client(world.creds, purchase.voucher_code, now())))["certificate_number"] == (
        number
    )
    assert ledger.balance_of(payable) == purchase.price

    tick(frozen_clock)
    refused(world.send(pc.completion_client(world.creds, absent.voucher_code, now())), 409, "ATTENDANCE_INCOMPLETE")
    refused(world.send(pc.completion_client(world.creds, "VCRTIDAKADA", now())), 404, "VOUCHER_NOT_FOUND")
    assert Purchase.objects.get(pk=absent.pk).status == Purchase.Status.ACTIVE
    assert ledger.verify_balances() == []


# --- keys, time, signatures ------------------------------------------------------------------------------
def test_the_old_key_works_during_the_grace_period_and_not_after(base_url, frozen_clock, provider):
    world = scene(base_url, frozen_clock, provider, seed=73)
    code = world.code().code
    old = world.creds
    at(frozen_clock, world.code().session.starts_at - dt.timedelta(days=2))
    ok(status(world, code))

    rotated_at = clock.now()
    new_key = catalog.rotate_sign_key(provider.institution)
    assert new_key != old.sign_key
    new = Scene(base_url, pc.Credentials(old.client_code, new_key), provider, world.training_class, world.purchases)
    tick(frozen_clock)
    ok(status(world, code))
    ok(status(new, code))

    at(frozen_clock, rotated_at + dt.timedelta(hours=24) - dt.timedelta(seconds=1))
    ok(status(world, code))
    ok(status(new, code))

    at(frozen_clock, rotated_at + dt.timedelta(hours=24, seconds=1))
    refused(status(world, code), 401, "INVALID_SIGNATURE")
    ok(status(new, code))


def test_timestamps_more_than_five_minutes_away_are_refused(base_url, frozen_clock, provider):
    world = scene(base_url, frozen_clock, provider, seed=75)
    code = world.code().code
    at(frozen_clock, world.code().session.starts_at)
    server = now()
    for skew in (-301, 301, 3600):
        reply = world.send(pc.java_reference(world.creds, pc.COMMIT, code, server + skew))
        body = refused(reply, 401, "TIMESTAMP_OUT_OF_RANGE")
        assert "300" in body["message"]
    assert committed_codes() == 0
    # Exactly five minutes behind is still accepted, and so is Node's rounding half a second ahead.
    ok(world.send(pc.java_reference(world.creds, pc.STATUS, code, server - 300)))
    ok(world.send(pc.node_reference(world.creds, pc.STATUS, code, server + 0.5)))
    ok(world.send(pc.dotnet_reference(world.creds, pc.COMMIT, code, server + 300)))


def test_a_wrong_signature_is_refused(base_url, frozen_clock, provider):
    world = scene(base_url, frozen_clock, provider, seed=76)
    code, other = world.code(0).code, world.code(1).code
    at(frozen_clock, world.code().session.starts_at)
    ts = str(int(now()))
    wrong_key = pc.Credentials(world.creds.client_code, "bukan-kunci-yang-benar")
    refused(world.send(pc.python_reference(wrong_key, pc.COMMIT, code, now())), 401, "INVALID_SIGNATURE")

    # Signed for one code, sent with another; signed for status, sent to commit.
    signed = pc.php_reference(world.creds, pc.COMMIT, code, now())
    tampered = pc.Prepared(signed.path, signed.headers, signed.body.replace(code.encode(), other.encode()))
    refused(world.send(tampered), 401, "INVALID_SIGNATURE")
    signed = pc.php_reference(world.creds, pc.STATUS, code, now())
    refused(world.send(pc.Prepared(pc.COMMIT, signed.headers, signed.body)), 401, "INVALID_SIGNATURE")
    # A timestamp changed after signing.
    moved = [(k, str(int(ts) - 1) if k == "timestamp" else v) for k, v in signed.headers]
    refused(world.send(pc.Prepared(pc.STATUS, moved, signed.body)), 401, "INVALID_SIGNATURE")
    # Missing headers, and a client code nobody has.
    bare = [(k, v) for k, v in signed.headers if k != "signature"]
    refused(world.send(pc.Prepared(pc.STATUS, bare, signed.body)), 401, "INVALID_SIGNATURE")
    stranger = pc.Credentials("TIDAKADA", world.creds.sign_key)
    refused(world.send(pc.python_reference(stranger, pc.STATUS, code, now())), 401, "UNKNOWN_CLIENT")
    assert committed_codes() == 0

    # A refused request does not use up its signature: the genuine one still goes through.
    ok(world.send(pc.php_reference(world.creds, pc.COMMIT, code, now())))


def test_messages_follow_accept_language(base_url, frozen_clock, provider):
    world = scene(base_url, frozen_clock, provider, seed=77)
    code = world.code()
    at(frozen_clock, code.session.starts_at - 90 * MINUTE)
    wrong = pc.Credentials(world.creds.client_code, "salah")

    body = refused(world.send(pc.ruby_reference(wrong, pc.STATUS, code.code, now())), 401, "INVALID_SIGNATURE")
    assert body["message"] == "Tanda tangan permintaan tidak sah."
    reply = world.send(pc.ruby_reference(wrong, pc.COMMIT, code.code, now()), accept_language="en")
    body = refused(reply, 401, "INVALID_SIGNATURE")
    assert body["message"] == body["errors"][0]["message"] == "The request signature is invalid."

    body = refused(commit(world, code.code, accept_language="en-US,en;q=0.9"), 422, "OUTSIDE_REDEEM_WINDOW")
    assert body["message"].startswith("The redeem code is valid only from") and "Jakarta time" in body["message"]

    at(frozen_clock, code.session.starts_at)
    reply = commit(world, code.code, accept_language="en")
    assert reply.json()["message"] == "The redeem code was used successfully."
    tick(frozen_clock)
    body = refused(commit(world, code.code, accept_language="en"), 409, "ALREADY_USED")
    assert body["message"] == "The redeem code was already used."
    tick(frozen_clock)
    body = refused(commit(world, code.code), 409, "ALREADY_USED")
    assert body["message"] == "Kode redeem sudah digunakan."
    body = refused(commit(world, "TIDAKADA", accept_language="en"), 404, "REDEEM_CODE_NOT_FOUND")
    assert body["message"] == "Redeem code not found."


# --- bad input -----------------------------------------------------------------------------------------
def test_bad_input_is_always_a_4xx_refusal_in_the_partner_shape(base_url, frozen_clock, provider):
    world = scene(base_url, frozen_clock, provider, seed=78)
    at(frozen_clock, world.code().session.starts_at)
    creds, ts = world.creds, str(int(now()))
    code = world.code().code

    def signed(body: str | bytes, endpoint: str = pc.COMMIT, **kw) -> pc.Reply:
        return world.send(pc.signed_request(creds, endpoint, body, ts, **kw))

    refused(signed("hello"), 400, "INVALID_JSON")
    refused(signed(""), 400, "INVALID_JSON")
    refused(signed("[1, 2]"), 400, "INVALID_JSON")
    refused(signed('"redeem_code"'), 400, "INVALID_JSON")
    refused(signed("[" * 50_000), 400, "INVALID_JSON")
    refused(signed(b'{"redeem_code":"\xff\xfe"}'), 401, "INVALID_SIGNATURE")
    refused(signed("{}"), 422, "FIELD_REQUIRED")
    refused(signed('{"redeem_code": 12345}'), 422, "FIELD_REQUIRED")
    refused(signed('{"redeem_code": "   "}'), 422, "FIELD_REQUIRED")
    for sequence in ("0", "-1", "true", "1.5", '"abc"', '"\u00b2"', '"' + "9" * 5000 + '"', "[1]"):
        reply = signed('{"redeem_code": "%s", "sequence": %s}' % (code, sequence))  # noqa: UP031
        refused(reply, 422, "INVALID_VALUE")
    refused(signed('{"redeem_code": "%s", "sequence": %s}' % (code, "9" * 30)), 422, "SEQUENCE_MISMATCH")  # noqa: UP031
    refused(signed('{"redeem_code": "%s"}' % ("X" * 10_000)), 404, "REDEEM_CODE_NOT_FOUND")
    refused(signed("{}", pc.COMPLETION), 422, "FIELD_REQUIRED")
    refused(signed('{"voucher_code": ["VCR1"]}', pc.COMPLETION), 422, "FIELD_REQUIRED")
    body = '{"redeem_code": "%s"}' % code  # noqa: UP031
    refused(signed(body, signature="\u00e9" * 40), 401, "INVALID_SIGNATURE")
    refused(signed(body, signature="z" * 4000), 401, "INVALID_SIGNATURE")
    # Arabic-Indic digits, as UTF-8 bytes on the wire (header values travel as Latin-1).
    other_digits = ts.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")).encode().decode("latin-1")
    for timestamp in ("1" + "0" * 400, "-1", "1e9", ts + "0", other_digits, ""):
        reply = world.send(pc.signed_request(creds, pc.COMMIT, body, timestamp))
        expected = "INVALID_SIGNATURE" if timestamp == "" else "TIMESTAMP_OUT_OF_RANGE"
        refused(reply, 401, expected)
    refused(signed('{"redeem_code": "%s", "pad": "%s"}' % (code, "x" * 300_000)), 413, "BODY_TOO_LARGE")  # noqa: UP031
    assert committed_codes() == 0
