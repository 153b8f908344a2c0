"""Real servers for tests: a free loopback port, a database a server process can open, and gunicorn with the
project's configuration, started, waited for and stopped."""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_database_url(tmp_path: Path) -> str:
    """A migrated database a server's processes can open: the test database on PostgreSQL, a fresh file
    on SQLite (the test run's own SQLite database lives in memory)."""
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
        return f"postgresql://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    migrate = subprocess.run(
        [str(BIN / "prakerja"), "migrate", "--noinput", "-v0"],
        env=os.environ | {"DATABASE_URL": url},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert migrate.returncode == 0, migrate.stderr
    return url


def _healthy(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


@contextlib.contextmanager
def gunicorn(env: dict[str, str], port: int, log: Path) -> Iterator[subprocess.Popen]:
    """gunicorn with ``prakerja.ops.gunicorn_conf`` on ``port`` (``env`` as given), once /healthz answers;
    stopped afterwards (terminated, killed if it will not go)."""
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "python:prakerja.ops.gunicorn_conf"],
            env=env | {"GUNICORN_BIND": f"127.0.0.1:{port}"},
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while not _healthy(port):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not come up (exit {process.poll()}):\n{log.read_text()[-4000:]}")
            time.sleep(0.2)
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
