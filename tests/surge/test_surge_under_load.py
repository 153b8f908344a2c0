"""A registration surge against the real server: gunicorn (2 gthread workers) with real Argon2id hashing and
a deliberately small gate (one registration at a time per process, one more in line). Many clients register
at once: every answer is 201 or 429 with Retry-After — no 5xx, no dropped connection — and the accounts in
the database are exactly those answered 201, each whole (audit row and SMS code written with it). Then the
refused retry, one at a time, and all get in."""

from __future__ import annotations

import http.client
import json
import os
import sqlite3
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
from django.db import connection

from servers import ROOT, free_port, gunicorn, server_database_url

PASSWORD = "Rahasia#2024x"
CLIENTS = 32
REQUESTS = 192
# The server's settings: the project's, with the gate made small, so that 32 clients are far over capacity.
SETTINGS = """
from prakerja.settings import *  # noqa: F403

SURGE_MAX_CONCURRENT = 1
SURGE_MAX_WAITING = 1
SURGE_WAIT_SECONDS = 1.0
RATE_LIMIT_SCALE = 0  # every client is 127.0.0.1: the per-address limit would answer first
"""

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_url(tmp_path) -> str:
    return server_database_url(tmp_path)  # on PostgreSQL the test database, emptied after the test


def query(database_url: str, sql: str) -> list[tuple]:
    if database_url.startswith("sqlite"):
        with sqlite3.connect(urlsplit(database_url).path) as db:
            return db.execute(sql).fetchall()
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


@pytest.fixture
def server(tmp_path, database_url):
    (tmp_path / "surge_load_settings.py").write_text(SETTINGS)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "PRAKERJA_FAST_HASHER"}  # the real hashing cost
    env |= {
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "surge_load_settings",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT / "src"), env.get("PYTHONPATH", "")]),
        "PRAKERJA_ENV": "test",
        "PRAKERJA_HOME": str(ROOT),
        "PRAKERJA_OUTBOX": str(tmp_path / "outbox"),
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "8",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "LOG_FORMAT": "text",
        "LOG_LEVEL": "ERROR",
    }
    with gunicorn(env, port, tmp_path / "gunicorn.log"):
        yield port, tmp_path / "gunicorn.log"


def get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def register(port: int, n: int) -> tuple[int, str, str]:
    """(status, Retry-After, error code) of one registration; status 0 for a connection that failed."""
    body = json.dumps({"email": f"ramai{n}@contoh.id", "password": PASSWORD, "phone": f"0812{30_000_000 + n}"})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", "/api/v1/auth/register", body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        content = response.read()
        code = json.loads(content)["errors"][0]["code"] if response.status == 429 else ""
        return response.status, response.getheader("Retry-After") or "", code
    except (OSError, http.client.HTTPException) as error:
        return 0, "", type(error).__name__
    finally:
        conn.close()


def test_a_registration_surge_is_refused_cleanly_and_loses_nothing(server, database_url):
    port, log = server
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        answers = dict(zip(range(REQUESTS), pool.map(lambda n: register(port, n), range(REQUESTS)), strict=True))
    surge_seconds = time.monotonic() - started
    statuses = Counter(status for status, _, _ in answers.values())
    assert set(statuses) <= {201, 429}, (statuses, log.read_text()[-3000:])
    assert statuses[201] >= 2 and statuses[429] >= REQUESTS // 4, statuses  # the gate did refuse, and admit
    refused = [n for n, (status, _, _) in answers.items() if status == 429]
    for n in refused:
        _, retry_after, code = answers[n]
        assert retry_after.isdigit() and int(retry_after) >= 1, answers[n]
        assert code == "SERVER_BUSY"

    # Exactly the accepted registrations exist, each whole.
    accepted = {f"ramai{n}@contoh.id" for n, (status, _, _) in answers.items() if status == 201}
    assert {email for (email,) in query(database_url, "SELECT email FROM accounts_user")} == accepted
    [(audited,)] = query(database_url, "SELECT count(*) FROM core_auditevent WHERE action = 'account.registered'")
    [(codes,)] = query(database_url, "SELECT count(DISTINCT user_id) FROM accounts_phoneotp")
    assert audited == codes == len(accepted)

    # The refused come back (one at a time: under capacity) and every one gets in.
    retried = [register(port, n) for n in refused]
    assert [status for status, _, _ in retried] == [201] * len(refused), Counter(s for s, _, _ in retried)
    [(users,)] = query(database_url, "SELECT count(*) FROM accounts_user")
    assert users == REQUESTS
    assert "Traceback" not in log.read_text()
    assert surge_seconds < 30
