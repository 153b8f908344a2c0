"""Each reference client, byte for byte as it sends, against a real HTTP server: status, then
commit, of a code inside its window."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.test.client import FakePayload
from django.test.testcases import QuietWSGIRequestHandler
from partner_server import now, partner_server, scene

import partner_clients as pc
from prakerja.core import clock
from prakerja.learning.models import RedeemCode

pytestmark = pytest.mark.django_db(transaction=True)

CLIENTS = pc.REFERENCE_CLIENTS | pc.THIRD_PARTY_CLIENTS


@pytest.fixture
def base_url():
    with partner_server() as url:
        yield url


@pytest.mark.parametrize("name", sorted(CLIENTS))
def test_status_then_commit_as_each_client_sends_them(name, base_url, frozen_clock, provider):
    client = CLIENTS[name]
    world = scene(base_url, frozen_clock, provider, seed=79)
    code = world.code()
    # Half past nine Jakarta time plus 0.6 s: Python/PHP/Java floor the time, Node rounds it up.
    frozen_clock(code.session.starts_at - dt.timedelta(minutes=30) + dt.timedelta(milliseconds=600))

    status = world.send(client(world.creds, pc.STATUS, code.code, now()))
    assert status.status == 200, status.body
    assert status.content_type.startswith("application/json")
    body = status.json()
    assert body["success"] is True and isinstance(body["message"], str)
    data = body["data"]
    assert data["redeem_code"] == code.code
    assert data["sequence"] == 1 and data["state"] == "valid"
    assert data["status"] == 0 and data["attendance_status"] == 0 and data["redeem_at"] is None
    assert data["invoice_code"] == world.purchases[0].voucher_code
    assert data["schedule_code"] == world.training_class.code
    assert data["course_code"] and data["schedule_start_end"]

    committed = world.send(client(world.creds, pc.COMMIT, code.code, now()))
    assert committed.status == 200, committed.body
    body = committed.json()
    assert body["success"] is True
    assert body["data"]["attendance_status"] == 1 and body["data"]["status"] == 1
    assert body["data"]["state"] == "used" and body["data"]["redeem_at"]
    stored = RedeemCode.objects.get(pk=code.pk)
    assert stored.committed_at == frozen_at(code)
    # Nobody else's attendance moved.
    assert RedeemCode.objects.filter(committed_at__isnull=False).count() == 1


def frozen_at(code: RedeemCode) -> dt.datetime:
    return code.session.starts_at - dt.timedelta(minutes=30) + dt.timedelta(milliseconds=600)


def test_the_python_client_with_a_code_it_signs_differently_than_it_sends(base_url, frozen_clock, provider):
    """A code with "/" or non-ASCII is sent escaped (\\/, \\u00e9) but signed raw: the signature still
    verifies, so the answer is about the code (not found), not about the signature."""
    world = scene(base_url, frozen_clock, provider, seed=81)
    for client, code in (
        (pc.python_reference, "K\u00f6de-1"),
        (pc.php_reference, "AB/CD"),
        (pc.python_reference, "AB/CD"),
    ):
        frozen_clock(clock.now() + dt.timedelta(seconds=1))  # else the second "AB/CD" is a replay
        reply = world.send(client(world.creds, pc.STATUS, code, now()))
        assert reply.status == 404, (client.__name__, code, reply.body)
        assert reply.json()["code"] == "REDEEM_CODE_NOT_FOUND"


def test_without_the_partner_handler_the_underscored_headers_never_arrive(frozen_clock, provider):
    """Django's own handler drops client_code/timestamp/signature (as nginx does by default): the
    request is refused as unsigned, in the API's shape, which is what the partner handler exists for."""
    with partner_server(QuietWSGIRequestHandler) as url:
        world = scene(url, frozen_clock, provider, seed=82)
        reply = world.send(pc.php_reference(world.creds, pc.STATUS, world.code().code, now()))
    assert reply.status == 401
    assert reply.json()["code"] == "INVALID_SIGNATURE"


def test_a_doubled_leading_slash_reaches_the_endpoint_through_wsgi(frozen_clock, provider):
    world = scene("http://unused", frozen_clock, provider, seed=83)
    request = pc.third_party_php_double_slash(world.creds, pc.STATUS, world.code().code, now())
    assert request.path.startswith("//api/v1/")
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": request.path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(request.body)),
        "wsgi.input": FakePayload(request.body),
        "wsgi.errors": io.StringIO(),
        "wsgi.url_scheme": "http",
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    for name, value in request.headers:
        if name.lower() in ("client_code", "signature", "timestamp"):
            environ["HTTP_" + name.upper()] = value  # gunicorn --header-map dangerous
    answer = {}
    chunks = WSGIHandler()(environ, lambda status, headers: answer.update(status=status))
    assert answer["status"].startswith("200"), (answer, b"".join(chunks)[:200])
    assert json.loads(b"".join(chunks))["success"] is True
