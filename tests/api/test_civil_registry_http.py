"""The civil registry over HTTP: the simulator on loopback, outages and malformed answers.

The identity step asks a real HTTP server (``prakerja.registry.simulator``)
through ``HttpRegistryAdapter``. When the registry cannot answer, nothing may
be concluded about the person: ``503 REGISTRY_UNAVAILABLE`` and nothing stored.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import Api
from prakerja.core.models import AuditEvent
from prakerja.regions.nik import make_nik
from prakerja.registry.civil_registry import HttpRegistryAdapter, RegistryUnavailable
from prakerja.registry.matching import RegistryEntry, Submitted
from prakerja.registry.models import CivilRegistryRecord, Person
from prakerja.registry.simulator import serve

pytestmark = pytest.mark.django_db(transaction=True)

_serial = itertools.count(7001)


@dataclass
class Simulator:
    """The simulator serving a dict of people; remembers which NIKs it was asked about."""

    people: dict[str, RegistryEntry] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    def lookup(self, nik: str) -> RegistryEntry | None:
        self.asked.append(nik)
        return self.people.get(nik)

    def start(self) -> str:
        self.server = serve(self.lookup)
        return f"http://127.0.0.1:{self.server.server_address[1]}/verify"

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def simulator(settings) -> Iterator[Simulator]:
    sim = Simulator()
    settings.CIVIL_REGISTRY_ADAPTER = "prakerja.registry.civil_registry.HttpRegistryAdapter"
    settings.CIVIL_REGISTRY_URL = sim.start()
    settings.CIVIL_REGISTRY_TIMEOUT = 2
    yield sim
    sim.stop()


def known_person(
    sim: Simulator,
    *,
    name: str = "Budi Santoso",
    birth_date: dt.date = dt.date(1990, 3, 7),
    gender: str = "M",
    district: str = "317407",
) -> dict:
    """Put a person in the simulator only (not the local table); returns the identity payload."""
    serial = next(_serial)
    nik = make_nik(district, birth_date, gender, serial)
    kk = f"{district}0101200{serial % 1000:03d}"
    sim.people[nik] = RegistryEntry(nik, kk, name, birth_date)
    return {
        "nik": nik,
        "kk_number": kk,
        "full_name": name,
        "birth_date": birth_date.isoformat(),
        "gender": gender,
        "mother_name": "Sri Wahyuni",
        "district_code": district,
        "address": "Jl. Kenanga No. 7",
    }


def assert_nothing_stored(client: Api) -> None:
    person = Person.objects.get(user__email=client.get("/me").json()["account"]["email"])
    assert person.nik is None and person.full_name == "" and person.identity_verified_at is None
    assert not AuditEvent.objects.filter(action="identity.verified").exists()
    assert client.get("/me").json()["next_step"] == "identity"


def only(response) -> tuple[int, str, str | None]:
    [error] = response.json()["errors"]
    return response.status_code, error["code"], error["field"]


# --- through the API --------------------------------------------------------------------------------
def test_person_known_to_the_http_registry_is_verified(verified_api, simulator):
    client = verified_api()
    identity = known_person(simulator)
    assert not CivilRegistryRecord.objects.filter(nik=identity["nik"]).exists()
    r = client.put("/me/identity", identity)
    assert r.status_code == 200, r.content
    assert r.json()["verified"] is True
    assert r.json()["nik_masked"] == identity["nik"][:4] + "********" + identity["nik"][12:]
    assert simulator.asked == [identity["nik"]]
    person = Person.objects.get()
    assert (person.nik, person.kk_number, person.full_name) == (identity["nik"], identity["kk_number"], "Budi Santoso")
    assert client.get("/me").json()["next_step"] == "profile"


def test_name_is_compared_loosely_by_the_simulator(verified_api, simulator):
    identity = known_person(simulator, name="Muh. Rizky Pratama")
    r = verified_api().put("/me/identity", identity | {"full_name": "MUH  rizky pratama"})
    assert r.status_code == 200, r.content


@pytest.mark.parametrize(
    ("registry_holds", "expected"),
    [
        ({"kk_number": "3174070101200999"}, [("REGISTRY_KK_MISMATCH", "kk_number")]),
        ({"full_name": "Budi Santosa"}, [("REGISTRY_NAME_MISMATCH", "full_name")]),
        ({"birth_date": dt.date(1990, 3, 8)}, [("REGISTRY_BIRTH_DATE_MISMATCH", "birth_date")]),
        (
            {"kk_number": "3174070101200999", "full_name": "Andi", "birth_date": dt.date(1991, 3, 7)},
            [
                ("REGISTRY_KK_MISMATCH", "kk_number"),
                ("REGISTRY_NAME_MISMATCH", "full_name"),
                ("REGISTRY_BIRTH_DATE_MISMATCH", "birth_date"),
            ],
        ),
    ],
)
def test_mismatches_come_back_with_their_reasons(verified_api, simulator, registry_holds, expected):
    client = verified_api()
    identity = known_person(simulator)
    simulator.people[identity["nik"]] = replace(simulator.people[identity["nik"]], **registry_holds)
    r = client.put("/me/identity", identity)
    assert r.status_code == 422
    assert [(e["code"], e["field"]) for e in r.json()["errors"]] == expected
    assert_nothing_stored(client)


def test_resident_of_the_local_table_is_unknown_to_the_http_registry(verified_api, simulator, resident):
    client = verified_api()
    identity = resident()  # only in the local table
    assert only(client.put("/me/identity", identity)) == (422, "REGISTRY_NIK_NOT_FOUND", "nik")
    assert simulator.asked == [identity["nik"]]
    assert_nothing_stored(client)


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/verify"


@pytest.mark.parametrize("outage", ["server-stopped", "closed-port"])
def test_registry_down_answers_503_and_stores_nothing(verified_api, simulator, settings, outage):
    client = verified_api()
    identity = known_person(simulator)
    url = settings.CIVIL_REGISTRY_URL
    if outage == "server-stopped":
        simulator.stop()
    else:
        settings.CIVIL_REGISTRY_URL = closed_port_url()
    r = client.put("/me/identity", identity)
    assert only(r) == (503, "REGISTRY_UNAVAILABLE", None)
    assert r.json()["errors"][0]["message"] == "Layanan Dukcapil sedang tidak tersedia. Coba lagi nanti."
    assert_nothing_stored(client)
    # When the registry is back, the same request goes through.
    settings.CIVIL_REGISTRY_URL = simulator.start() if outage == "server-stopped" else url
    assert client.put("/me/identity", identity).status_code == 200


# --- a misbehaving registry ------------------------------------------------------------------------
@pytest.fixture
def fake_registry(settings) -> Iterator:
    """Serve a fixed reply (status, body) or hang until released; point the adapter at it."""
    servers: list[ThreadingHTTPServer] = []
    release = threading.Event()

    def make(status: int = 200, body: bytes = b"", hang: bool = False) -> str:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if hang:
                    release.wait(10)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        settings.CIVIL_REGISTRY_ADAPTER = "prakerja.registry.civil_registry.HttpRegistryAdapter"
        settings.CIVIL_REGISTRY_URL = f"http://127.0.0.1:{server.server_address[1]}/verify"
        return settings.CIVIL_REGISTRY_URL

    yield make
    release.set()
    for server in servers:
        server.shutdown()
        server.server_close()


MALFORMED = [
    pytest.param(200, b"<html>Gateway error</html>", id="html"),
    pytest.param(200, b'{"mismatches": [', id="truncated-json"),
    pytest.param(200, b"", id="empty"),
    pytest.param(200, b"[]", id="list"),
    pytest.param(200, b'{"result": "ok"}', id="no-mismatches-key"),
    pytest.param(200, b'{"mismatches": "none"}', id="mismatches-not-a-list"),
    pytest.param(200, b'{"mismatches": [1, 2]}', id="codes-not-strings"),
    pytest.param(200, b'{"mismatches": null}', id="null"),
    pytest.param(500, b'{"mismatches": []}', id="server-error"),
    pytest.param(404, b'{"mismatches": []}', id="not-found"),
]


@pytest.mark.parametrize(("status", "body"), MALFORMED)
def test_malformed_registry_answer_is_503(verified_api, resident, fake_registry, status, body):
    client = verified_api()
    fake_registry(status, body)
    r = client.put("/me/identity", resident())
    assert only(r) == (503, "REGISTRY_UNAVAILABLE", None)
    assert_nothing_stored(client)


def test_registry_that_does_not_answer_in_time_is_503(verified_api, resident, fake_registry, settings):
    client = verified_api()
    fake_registry(200, b'{"mismatches": []}', hang=True)
    settings.CIVIL_REGISTRY_TIMEOUT = 0.3
    assert only(client.put("/me/identity", resident())) == (503, "REGISTRY_UNAVAILABLE", None)
    assert_nothing_stored(client)


def test_registry_is_not_asked_when_the_input_is_invalid(verified_api, simulator):
    identity = known_person(simulator)
    r = verified_api().put("/me/identity", identity | {"full_name": "<b>Budi</b>"})
    assert only(r) == (422, "INVALID_CHARACTERS", "full_name")
    assert simulator.asked == []


# --- the adapter on its own ---------------------------------------------------------------------------
ENTRY = RegistryEntry("3174070703900001", "3174070101200001", "Budi Santoso", dt.date(1990, 3, 7))
TYPED = Submitted(ENTRY.nik, ENTRY.kk_number, ENTRY.full_name, ENTRY.birth_date)


@pytest.fixture
def adapter(simulator) -> HttpRegistryAdapter:
    simulator.people[ENTRY.nik] = ENTRY
    return HttpRegistryAdapter()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (TYPED, []),
        (replace(TYPED, full_name="  budi   SANTOSO "), []),
        (replace(TYPED, kk_number="3174070101200002"), ["REGISTRY_KK_MISMATCH"]),
        (replace(TYPED, full_name="Budi"), ["REGISTRY_NAME_MISMATCH"]),
        (replace(TYPED, birth_date=dt.date(1990, 7, 3)), ["REGISTRY_BIRTH_DATE_MISMATCH"]),
        (replace(TYPED, nik="3174070703900002"), ["REGISTRY_NIK_NOT_FOUND"]),
    ],
)
def test_adapter_returns_the_mismatch_codes(adapter, simulator, typed, expected):
    assert adapter.check(typed) == expected
    assert simulator.asked == [typed.nik]


def test_adapter_reads_url_and_timeout_from_settings(settings):
    settings.CIVIL_REGISTRY_URL = "http://127.0.0.1:9/verify"
    settings.CIVIL_REGISTRY_TIMEOUT = 1.5
    adapter = HttpRegistryAdapter()
    assert (adapter.url, adapter.timeout) == ("http://127.0.0.1:9/verify", 1.5)
    explicit = HttpRegistryAdapter("http://127.0.0.1:10/verify", timeout=0)
    assert (explicit.url, explicit.timeout) == ("http://127.0.0.1:10/verify", 0)


def test_adapter_sends_the_four_fields_as_json():
    received: list[dict] = []

    class Recorder(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(
                {
                    "path": self.path,
                    "type": self.headers["Content-Type"],
                    "body": json.loads(self.rfile.read(int(self.headers["Content-Length"]))),
                }
            )
            payload = b'{"mismatches": []}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/verify"
        assert HttpRegistryAdapter(url, timeout=2).check(TYPED) == []
    finally:
        server.shutdown()
        server.server_close()
    assert received == [
        {
            "path": "/verify",
            "type": "application/json",
            "body": {
                "nik": TYPED.nik,
                "kk_number": TYPED.kk_number,
                "full_name": "Budi Santoso",
                "birth_date": "1990-03-07",
            },
        }
    ]


@pytest.mark.parametrize(("status", "body"), MALFORMED)
def test_adapter_raises_unavailable_on_a_malformed_answer(fake_registry, status, body):
    url = fake_registry(status, body)
    with pytest.raises(RegistryUnavailable):
        HttpRegistryAdapter(url, timeout=2).check(TYPED)


def test_adapter_raises_unavailable_when_nobody_listens():
    with pytest.raises(RegistryUnavailable):
        HttpRegistryAdapter(closed_port_url(), timeout=2).check(TYPED)


def test_adapter_raises_unavailable_on_a_wrong_path(simulator, settings):
    url = settings.CIVIL_REGISTRY_URL.replace("/verify", "/cek")
    with pytest.raises(RegistryUnavailable):
        HttpRegistryAdapter(url, timeout=2).check(TYPED)
    assert simulator.asked == []
