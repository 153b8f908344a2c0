"""The disbursement gateway simulator, spoken to over real HTTP on loopback (no database).

Each test starts its own simulator on a free port; callbacks go to a tiny local
receiver that records what arrives and can be told to fail.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import http.client
import io
import json
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from prakerja.payments.gateway_simulator import Faults, GatewaySimulator, SimulatorServer, load_book, start_simulator

KEY = "test-key"
SECRET = "test-secret"
ACCOUNTS: list[dict[str, Any]] = [
    {
        "provider": "bca",
        "account_number": "1234567890",
        "holder_name": "Budi Santoso",
        "holder_nik": "3174010101900001",
    },
    {"provider": "gopay", "account_number": "081234567890", "holder_name": "Siti Aminah", "phone": "081234567890"},
    {"provider": "ovo", "account_number": "081299990000", "holder_name": "Blokir Saja", "reject": True},
]


# --- helpers ----------------------------------------------------------------------------------


class Client:
    """A keep-alive JSON client for one simulator."""

    def __init__(self, url: str, api_key: str | None = KEY, timeout: float = 5.0) -> None:
        parts = urllib.parse.urlsplit(url)
        self.conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
        self.api_key = api_key

    def raw(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None):
        all_headers = {"Content-Type": "application/json"} | (headers or {})
        if self.api_key is not None:
            all_headers["Authorization"] = f"Bearer {self.api_key}"
        self.conn.request(method, path, body=body, headers=all_headers)
        response = self.conn.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()

    def call(self, method: str, path: str, payload: Any = None) -> tuple[int, Any]:
        body = json.dumps(payload).encode() if payload is not None else None
        status, _, raw = self.raw(method, path, body)
        return status, json.loads(raw)

    def post(self, path: str, payload: Any = None) -> tuple[int, Any]:
        return self.call("POST", path, payload if payload is not None else {})

    def get(self, path: str) -> tuple[int, Any]:
        return self.call("GET", path)

    def send(self, key: str, amount: int = 500_000, account: dict[str, Any] = ACCOUNTS[0], **extra: Any):
        body = {
            "idempotency_key": key,
            "amount": amount,
            "provider": account["provider"],
            "account_number": account["account_number"],
            "holder_name": account["holder_name"],
        }
        return self.post("/v1/transfers", body | extra)

    def transfer(self, key: str) -> tuple[int, Any]:
        return self.get("/v1/transfers/" + urllib.parse.quote(key, safe=""))

    def wait_status(self, key: str, wanted: str, deadline: float = 5.0) -> dict[str, Any]:
        state: Any = None
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            status, state = self.transfer(key)
            if status == 200 and state["status"] == wanted:
                return state
            time.sleep(0.01)
        raise AssertionError(f"{key} never reached {wanted}: {state}")

    def statement(self, day: str) -> tuple[int, list[dict[str, str]]]:
        status, content_type, raw = self.raw("GET", f"/v1/statements/{day}.csv")
        if status != 200:
            return status, json.loads(raw)
        assert content_type is not None and content_type.startswith("text/csv")
        return status, list(csv.DictReader(io.StringIO(raw.decode())))

    def close(self) -> None:
        self.conn.close()


def wait_until(predicate: Callable[[], Any], deadline: float = 5.0) -> Any:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError("condition never held")


class Receiver:
    """Records the callbacks POSTed to it; answers ``fail_first`` of them with a 500."""

    def __init__(self, fail_first: int = 0) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.fail_first = fail_first
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    failing = receiver.fail_first > 0
                    if failing:
                        receiver.fail_first -= 1
                    else:
                        receiver.received.append((dict(self.headers.items()), body))
                self.send_response(500 if failing else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/callbacks/gateway"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def events(self, count: int, deadline: float = 5.0) -> list[dict[str, Any]]:
        """The first ``count`` callbacks' bodies, once they have arrived; every signature checked."""

        def arrived() -> list[tuple[dict[str, str], bytes]] | None:
            with self.lock:
                return list(self.received) if len(self.received) >= count else None

        received = wait_until(arrived, deadline)
        for headers, body in received:
            assert headers["Content-Type"] == "application/json"
            expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
            assert headers["X-Gateway-Signature"] == expected
        return [json.loads(body) for _, body in received]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sim() -> Iterator[SimulatorServer]:
    server = start_simulator(api_key=KEY, callback_secret=SECRET)
    server.simulator.add_accounts(ACCOUNTS)
    yield server
    server.stop()


@pytest.fixture
def client(sim: SimulatorServer) -> Iterator[Client]:
    c = Client(sim.url)
    yield c
    c.close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.stop()


def set_faults(client: Client, **faults: Any) -> None:
    assert client.post("/_sim/faults", faults)[0] == 200


def stats(client: Client) -> dict[str, Any]:
    status, data = client.get("/_sim/stats")
    assert status == 200
    return data


# --- inquiry and auth -------------------------------------------------------------------------


def test_inquiry_finds_an_account(client):
    status, data = client.post("/v1/inquiry", {"provider": "bca", "account_number": "1234567890"})
    assert (status, data) == (
        200,
        {
            "provider": "bca",
            "account_number": "1234567890",
            "holder_name": "Budi Santoso",
            "holder_nik": "3174010101900001",
            "phone": None,
            "status": "active",
        },
    )


def test_inquiry_unknown_account_is_404_and_a_rejecting_one_is_blocked(client):
    assert client.post("/v1/inquiry", {"provider": "bca", "account_number": "999"}) == (
        404,
        {"error": "ACCOUNT_NOT_FOUND"},
    )
    status, data = client.post("/v1/inquiry", {"provider": "ovo", "account_number": "081299990000"})
    assert (status, data["status"], data["holder_name"]) == (200, "blocked", "Blokir Saja")


@pytest.mark.parametrize("api_key", [None, "wrong-key"])
def test_every_v1_request_needs_the_api_key(sim, api_key):
    anonymous = Client(sim.url, api_key=api_key)
    try:
        unauthorized = (401, {"error": "UNAUTHORIZED"})
        assert anonymous.post("/v1/inquiry", {"provider": "bca", "account_number": "1234567890"}) == unauthorized
        assert anonymous.send("k-auth") == unauthorized
        assert anonymous.transfer("k-auth") == unauthorized
        assert anonymous.statement("2024-05-01") == unauthorized
    finally:
        anonymous.close()
    assert sim.simulator.stats()["transfers"] == 0


# --- transfers --------------------------------------------------------------------------------


def test_a_transfer_settles_to_success(client):
    status, created = client.send("k-happy", 750_000)
    assert status == 201
    assert created["transfer_id"].startswith("TRF") and len(created["transfer_id"]) == 15
    assert created["idempotency_key"] == "k-happy"
    assert created["amount"] == 750_000
    assert (created["provider"], created["account_number"]) == ("bca", "1234567890")
    assert (created["status"], created["failure_code"], created["event_seq"]) == ("processing", None, 1)
    assert created["settled_at"] is None
    dt.datetime.fromisoformat(created["created_at"])

    settled = client.wait_status("k-happy", "success")
    assert settled["transfer_id"] == created["transfer_id"]
    assert settled["event_seq"] == 2
    assert dt.datetime.fromisoformat(settled["settled_at"]).utcoffset() == dt.timedelta(0)
    data = stats(client)
    assert data["transfers"] == 1 and data["by_status"] == {"success": 1}
    assert data["credited"] == {"bca:1234567890": 750_000}


def test_settle_delay_keeps_a_transfer_processing_for_a_while():
    server = start_simulator(api_key=KEY, settle_delay=0.3)
    server.simulator.add_accounts(ACCOUNTS)
    client = Client(server.url)
    try:
        client.send("k-delay")
        time.sleep(0.1)
        assert client.transfer("k-delay")[1]["status"] == "processing"
        assert client.post("/_sim/transfers/k-delay/return") == (409, {"error": "NOT_RETURNABLE"})
        client.wait_status("k-delay", "success")
    finally:
        client.close()
        server.stop()


def test_a_resend_returns_the_same_transfer_and_credits_once(client):
    _, first = client.send("k-again")
    client.wait_status("k-again", "success")
    status, again = client.send("k-again")
    assert status == 200
    assert again["transfer_id"] == first["transfer_id"]
    assert again["status"] == "success"  # the current state, not the one first answered
    data = stats(client)
    assert data["transfers"] == 1
    assert data["duplicate_sends"] == 1
    assert data["credited"] == {"bca:1234567890": 500_000}


def test_concurrent_sends_under_one_key_make_one_transfer(sim):
    results: list[tuple[int, Any]] = []
    lock = threading.Lock()

    def send() -> None:
        c = Client(sim.url)
        try:
            result = c.send("k-race")
        finally:
            c.close()
        with lock:
            results.append(result)

    threads = [threading.Thread(target=send) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(status for status, _ in results) == [200] * 15 + [201]
    assert len({data["transfer_id"] for _, data in results}) == 1
    data = sim.simulator.stats()
    assert data["transfers"] == 1 and data["duplicate_sends"] == 15


def test_the_same_key_for_another_amount_or_account_is_a_conflict(client):
    client.send("k-conflict", 500_000)
    conflict = (409, {"error": "IDEMPOTENCY_CONFLICT"})
    assert client.send("k-conflict", 600_000) == conflict
    assert client.send("k-conflict", 500_000, account=ACCOUNTS[1]) == conflict
    assert stats(client)["transfers"] == 1


@pytest.mark.parametrize(
    "account",
    [ACCOUNTS[2], {"provider": "bca", "account_number": "000", "holder_name": "Tidak Ada"}],
    ids=["rejecting", "unknown"],
)
def test_a_rejected_account_fails_the_transfer(client, receiver, account):
    status, created = client.send("k-reject", account=account, callback_url=receiver.url)
    assert status == 201
    assert (created["status"], created["failure_code"]) == ("failed", "ACCOUNT_REJECTED")
    [event] = receiver.events(1)
    assert (event["status"], event["failure_code"], event["settled_at"]) == ("failed", "ACCOUNT_REJECTED", None)
    time.sleep(0.05)
    assert client.transfer("k-reject")[1]["status"] == "failed"  # final: it never settles
    assert stats(client)["credited"] == {}


def test_an_unknown_key_is_404_and_keys_are_url_quoted(client):
    assert client.transfer("k-nothing") == (404, {"error": "TRANSFER_NOT_FOUND"})
    client.send("batch/7 #1?")
    status, data = client.transfer("batch/7 #1?")
    assert (status, data["idempotency_key"]) == (200, "batch/7 #1?")


def test_keep_alive_serves_many_requests_on_one_connection(client):
    client.send("k-alive")
    sock = client.conn.sock
    for _ in range(20):
        assert client.transfer("k-alive")[0] == 200
    assert client.conn.sock is sock


# --- faults -----------------------------------------------------------------------------------


def test_a_server_error_creates_nothing(client):
    set_faults(client, server_error=1.0)
    assert client.send("k-503") == (503, {"error": "SERVER_ERROR"})
    assert client.transfer("k-503")[0] == 404
    assert stats(client)["transfers"] == 0
    set_faults(client)  # back to no faults: the same key goes through
    assert client.send("k-503")[0] == 201


def test_a_timeout_after_success_still_creates_and_settles_the_transfer(sim, client):
    set_faults(client, timeout_after_success=1.0, timeout_seconds=1.0)
    impatient = Client(sim.url, timeout=0.2)
    try:
        with pytest.raises((TimeoutError, socket.timeout)):
            impatient.send("k-timeout")
    finally:
        impatient.close()
    set_faults(client)
    settled = client.wait_status("k-timeout", "success")  # well before the late answer
    assert settled["amount"] == 500_000
    status, again = client.send("k-timeout")  # the client's safe retry under the same key
    assert (status, again["transfer_id"]) == (200, settled["transfer_id"])


def test_slow_answers_are_late_but_normal(client):
    set_faults(client, slow=1.0, slow_seconds=0.2)
    started = time.monotonic()
    status, _ = client.send("k-slow")
    assert status == 201
    assert time.monotonic() - started >= 0.2


def test_faults_are_drawn_from_the_seed():
    def outcomes() -> list[int]:
        server = start_simulator(api_key=KEY, faults=Faults(seed=7, server_error=0.5))
        server.simulator.add_accounts(ACCOUNTS)
        c = Client(server.url)
        try:
            return [c.send(f"k-seed-{i}")[0] for i in range(30)]
        finally:
            c.close()
            server.stop()

    first = outcomes()
    assert first == outcomes()
    assert set(first) == {201, 503}


# --- callbacks --------------------------------------------------------------------------------


def test_a_signed_callback_reports_success(client, receiver):
    _, created = client.send("k-callback", callback_url=receiver.url)
    [event] = receiver.events(1)
    assert set(event) == {
        "transfer_id",
        "idempotency_key",
        "amount",
        "status",
        "failure_code",
        "event_seq",
        "settled_at",
    }
    assert event["transfer_id"] == created["transfer_id"]
    assert (event["idempotency_key"], event["amount"]) == ("k-callback", 500_000)
    assert (event["status"], event["event_seq"], event["failure_code"]) == ("success", 2, None)
    assert event["settled_at"] == client.transfer("k-callback")[1]["settled_at"]
    wait_until(lambda: stats(client)["callbacks_delivered"] == 1)


def test_a_duplicate_callback_arrives_twice(client, receiver):
    set_faults(client, duplicate_callback=1.0)
    client.send("k-dup", callback_url=receiver.url)
    first, second = receiver.events(2)
    assert first == second and first["status"] == "success"


def test_an_out_of_order_callback_is_followed_by_a_stale_one(client, receiver):
    set_faults(client, out_of_order_callback=1.0)
    client.send("k-order", callback_url=receiver.url)
    final, stale = receiver.events(2)
    assert (final["status"], final["event_seq"]) == ("success", 2)
    assert (stale["status"], stale["event_seq"], stale["settled_at"]) == ("processing", 1, None)
    assert stale["transfer_id"] == final["transfer_id"]


def test_a_failing_receiver_is_retried():
    receiver = Receiver(fail_first=2)
    server = start_simulator(api_key=KEY, callback_secret=SECRET)
    server.simulator.add_accounts(ACCOUNTS)
    client = Client(server.url)
    try:
        client.send("k-retry", callback_url=receiver.url)
        [event] = receiver.events(1)
        assert event["status"] == "success"
        wait_until(lambda: server.simulator.stats()["callbacks_delivered"] == 1)
        assert server.simulator.stats()["callbacks_failed"] == 0
    finally:
        client.close()
        server.stop()
        receiver.stop()


def test_an_unreachable_receiver_is_given_up_on(client):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client.send("k-unreachable", callback_url=f"http://127.0.0.1:{port}/cb")
    wait_until(lambda: stats(client)["callbacks_failed"] == 1)
    assert stats(client)["callbacks_delivered"] == 0
    assert client.transfer("k-unreachable")[1]["status"] == "success"  # the platform polls instead


# --- returns ----------------------------------------------------------------------------------


def test_a_settled_transfer_can_be_returned(client, receiver):
    client.send("k-return", callback_url=receiver.url)
    assert client.post("/_sim/transfers/k-unknown/return") == (409, {"error": "NOT_RETURNABLE"})
    client.wait_status("k-return", "success")
    receiver.events(1)

    status, returned = client.post("/_sim/transfers/k-return/return")
    assert (status, returned["status"], returned["event_seq"]) == (200, "returned", 3)
    _, event = receiver.events(2)
    assert (event["status"], event["event_seq"]) == ("returned", 3)
    assert client.transfer("k-return")[1]["status"] == "returned"
    assert stats(client)["credited"] == {}
    assert client.post("/_sim/transfers/k-return/return") == (409, {"error": "NOT_RETURNABLE"})


# --- statements -------------------------------------------------------------------------------


class FakeClock:
    def __init__(self, iso: str) -> None:
        self.now = dt.datetime.fromisoformat(iso).timestamp()

    def set(self, iso: str) -> None:
        self.now = dt.datetime.fromisoformat(iso).timestamp()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clocked() -> Iterator[tuple[Client, FakeClock]]:
    clock = FakeClock("2024-05-01T10:00:00+00:00")
    server = start_simulator(api_key=KEY, clock=clock)
    server.simulator.add_accounts(ACCOUNTS)
    client = Client(server.url)
    yield client, clock
    client.close()
    server.stop()


def settle_at(client: Client, clock: FakeClock, key: str, iso: str, amount: int = 500_000, **kw: Any) -> str:
    clock.set(iso)
    _, created = client.send(key, amount, **kw)
    client.wait_status(key, created["status"] if created["status"] == "failed" else "success")
    return created["transfer_id"]


def test_the_statement_lists_a_jakarta_day_sorted_by_settlement(clocked):
    client, clock = clocked
    late = settle_at(client, clock, "k-late", "2024-05-01T16:59:59+00:00", 300_000)  # 23:59:59 WIB, 1 May
    early = settle_at(client, clock, "k-early", "2024-04-30T17:00:00+00:00", 100_000)  # 00:00 WIB, 1 May
    settle_at(client, clock, "k-next", "2024-05-01T17:00:00+00:00")  # 00:00 WIB, 2 May
    settle_at(client, clock, "k-before", "2024-04-30T16:59:59+00:00")  # 30 April, WIB
    settle_at(client, clock, "k-failed", "2024-05-01T05:00:00+00:00", account=ACCOUNTS[2])
    returned = settle_at(client, clock, "k-back", "2024-05-01T06:00:00+00:00", 200_000)
    client.post("/_sim/transfers/k-back/return")

    status, rows = client.statement("2024-05-01")
    assert status == 200
    assert rows == [
        {
            "transfer_id": early,
            "idempotency_key": "k-early",
            "amount": "100000",
            "status": "success",
            "settled_at": "2024-04-30T17:00:00.000Z",
        },
        {
            "transfer_id": returned,
            "idempotency_key": "k-back",
            "amount": "200000",
            "status": "returned",
            "settled_at": "2024-05-01T06:00:00.000Z",
        },
        {
            "transfer_id": late,
            "idempotency_key": "k-late",
            "amount": "300000",
            "status": "success",
            "settled_at": "2024-05-01T16:59:59.000Z",
        },
    ]
    assert [row["idempotency_key"] for row in client.statement("2024-05-02")[1]] == ["k-next"]
    assert client.statement("2024-06-01") == (200, [])


def test_statement_faults_are_the_same_on_every_fetch(clocked):
    client, clock = clocked
    keys = [f"k-stmt-{i}" for i in range(20)]
    for i, key in enumerate(keys):
        settle_at(client, clock, key, f"2024-05-01T03:00:{i:02d}+00:00", 100_000)

    set_faults(client, statement_omit=1.0)
    assert client.statement("2024-05-01") == (200, [])
    set_faults(client, statement_amount_differs=1.0)
    rows = client.statement("2024-05-01")[1]
    assert len(rows) == 20 and {row["amount"] for row in rows} == {"101000"}

    set_faults(client, seed=3, statement_omit=0.5, statement_amount_differs=0.5)
    first = client.statement("2024-05-01")
    assert client.statement("2024-05-01") == first
    listed = {row["idempotency_key"] for row in first[1]}
    assert 0 < len(listed) < 20
    assert {row["amount"] for row in first[1]} == {"100000", "101000"}


# --- bad input --------------------------------------------------------------------------------


def test_invalid_json_is_400(client):
    for raw in (b"{not json", b"\xff\xfe", b"[1, 2]", b'{"amount": NaN}', b"[" * 100_000):
        status, _, body = client.raw("POST", "/v1/transfers", raw)
        assert (status, json.loads(body)["error"]) == (400, "BAD_REQUEST")
    assert client.get("/_sim/stats")[0] == 200  # the connection still serves


@pytest.mark.parametrize(
    "change",
    [
        {"amount": -5},
        {"amount": 0},
        {"amount": "500000"},
        {"amount": 1.5},
        {"amount": True},
        {"idempotency_key": ""},
        {"idempotency_key": "x" * 121},
        {"provider": None},
        {"holder_name": 7},
        {"callback_url": "ftp://example.invalid/cb"},
        {"callback_url": "not a url"},
    ],
)
def test_a_malformed_transfer_is_400(client, change):
    body = {
        "idempotency_key": "k-bad",
        "amount": 500_000,
        "provider": "bca",
        "account_number": "1234567890",
        "holder_name": "Budi Santoso",
    } | change
    status, data = client.post("/v1/transfers", body)
    assert (status, data["error"]) == (400, "BAD_REQUEST") and data["detail"]
    assert stats(client)["transfers"] == 0


def test_a_key_of_120_characters_is_fine(client):
    assert client.send("x" * 120)[0] == 201


@pytest.mark.parametrize("day", ["2024-13-01", "2024-02-30", "yesterday", "20240501"])
def test_a_bad_statement_date_is_400(client, day):
    status, data = client.statement(day)
    assert (status, data["error"]) == (400, "BAD_REQUEST")


def test_bad_control_input_is_400(client):
    assert client.post("/_sim/faults", {"slow": 2})[0] == 400
    assert client.post("/_sim/faults", {"no_such_fault": 1})[0] == 400
    assert client.post("/_sim/faults", {"seed": "x"})[0] == 400
    assert client.post("/_sim/accounts", {"accounts": [{"provider": "bca"}]})[0] == 400
    assert client.post("/_sim/accounts", {"accounts": "nope"})[0] == 400


def test_unknown_paths_and_methods(client):
    assert client.get("/v1/nothing") == (404, {"error": "NOT_FOUND"})
    assert client.get("/v1/inquiry")[0] == 405
    assert client.call("DELETE", "/v1/transfers/k")[0] == 405


def test_a_bad_content_length_is_400_and_closes_the_connection(sim):
    with socket.create_connection(("127.0.0.1", int(sim.url.rsplit(":", 1)[1])), timeout=5) as s:
        s.sendall(b"POST /v1/inquiry HTTP/1.1\r\nHost: x\r\nContent-Length: banana\r\n\r\n")
        answer = b""
        while chunk := s.recv(4096):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 400")
    assert b"Connection: close" in answer


# --- control and Python API -------------------------------------------------------------------


def test_accounts_can_be_added_and_reset_keeps_them(client):
    account = {"provider": "dana", "account_number": "0877", "holder_name": "Dewi"}
    assert client.post("/_sim/accounts", {"accounts": [account]}) == (200, {"added": 1})
    assert client.send("k-dana", account=account)[1]["status"] == "processing"
    client.wait_status("k-dana", "success")
    assert client.post("/_sim/reset")[0] == 200
    data = stats(client)
    assert (data["transfers"], data["requests"], data["duplicate_sends"], data["credited"]) == (0, 0, 0, {})
    assert client.transfer("k-dana")[0] == 404
    assert client.post("/v1/inquiry", {"provider": "dana", "account_number": "0877"})[0] == 200


def test_stats_count_requests_and_statuses(client):
    client.send("k-s1")
    client.send("k-s2", account=ACCOUNTS[2])
    client.wait_status("k-s1", "success")
    data = stats(client)
    assert data["by_status"] == {"success": 1, "failed": 1}
    assert data["requests"] >= 3


def test_the_python_api_without_http(tmp_path):
    simulator = GatewaySimulator()
    try:
        with pytest.raises(ValueError):
            simulator.add_accounts([{"provider": "bca", "account_number": "1"}])
        with pytest.raises(ValueError):
            Faults(server_error=1.5)
        assert simulator.stats()["transfers"] == 0
        assert simulator.statement(dt.date(2024, 5, 1)).splitlines() == [
            "transfer_id,idempotency_key,amount,status,settled_at"
        ]
    finally:
        simulator.close()
    assert load_book(str(tmp_path / "missing.json")) == []
    book = tmp_path / "book.json"
    book.write_text(json.dumps(ACCOUNTS))
    assert load_book(str(book)) == ACCOUNTS
