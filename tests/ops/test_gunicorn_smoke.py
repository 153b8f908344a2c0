"""The production web server for real: gunicorn with the project's configuration (ops.gunicorn_conf), two
worker processes on a loopback port, answering the probes and adding up both workers' metrics."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from ops_env import BIN
from prometheus_client.parser import text_string_to_metric_families

from servers import free_port, gunicorn, server_database_url

REQUESTS = 20


def get(url: str, timeout: float = 10) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # loopback only
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def database_url(tmp_path, db) -> str:
    return server_database_url(tmp_path)


@pytest.fixture
def server(tmp_path, database_url):
    port = free_port()
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_999999.db").write_bytes(b"")  # left by a previous run: must be cleared
    log = tmp_path / "gunicorn.log"
    env = os.environ | {
        "DATABASE_URL": database_url,
        "WEB_CONCURRENCY": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "LOG_FORMAT": "json",
    }
    with gunicorn(env, port, log) as process:
        yield process, f"http://127.0.0.1:{port}", metrics_dir, log


@pytest.mark.django_db
def test_gunicorn_serves_the_probes_and_every_workers_metrics(server):
    process, base, metrics_dir, log = server

    status, body = get(base + "/healthz")
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    status, body = get(base + "/readyz")
    assert status == 200, body
    assert json.loads(body)["checks"] == {"database": "ok", "migrations": "ok"}

    # Concurrent requests keep both workers busy; the scrape (answered by either) counts them all.
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(lambda _: get(base + "/")[0], range(REQUESTS)))
    assert statuses == [200] * REQUESTS
    status, body = get(base + "/metrics")
    assert status == 200
    served = {
        s.labels["status"]: s.value
        for family in text_string_to_metric_families(body.decode())
        for s in family.samples
        if s.name == "prakerja_http_requests_total" and s.labels["view"] == "home"
    }
    assert served == {"2xx": REQUESTS}
    assert not (metrics_dir / "counter_999999.db").exists()
    assert len(list(metrics_dir.glob("counter_*.db"))) >= 1

    # A graceful stop: the master stops its workers, and their live gauges go with them (child_exit).
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0
    assert not list(metrics_dir.glob("gauge_live*.db")), sorted(p.name for p in metrics_dir.iterdir())

    # gunicorn's own lines are JSON too, through the same personal-data filter.
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert any(line["logger"] == "gunicorn.error" and "Booting worker" in line["message"] for line in lines)
    assert all(not line.startswith("[") for line in log.read_text().splitlines()), log.read_text()[-2000:]


def test_the_configuration_reads_its_environment(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"} | {
        "WEB_CONCURRENCY": "3",
        "GUNICORN_THREADS": "4",
        "GUNICORN_BIND": "0.0.0.0:9000",
        "PRAKERJA_ENV": "production",
    }
    code = (
        "import json, os; import prakerja.ops.gunicorn_conf as c; "
        "print(json.dumps([c.workers, c.threads, c.bind, c.preload_app, c.header_map, "
        "hasattr(c, 'logconfig_dict'), os.environ['PROMETHEUS_MULTIPROC_DIR']]))"
    )
    result = subprocess.run(
        [str(BIN / "python"), "-c", code], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    workers, threads, bind, preload, header_map, json_logs, metrics_dir = json.loads(result.stdout)
    assert (workers, threads, bind, preload, json_logs) == (3, 4, ["0.0.0.0:9000"], True, True)
    assert header_map == "dangerous"  # the partner API's client_code header (docs/decisions/0004)
    assert Path(metrics_dir).is_dir()  # made for this server when the operator names none
    Path(metrics_dir).rmdir()


ACCESS_PROBE = """
import json
from unittest import mock
from gunicorn import glogging
from gunicorn.config import Config
import prakerja.ops.gunicorn_conf as conf

cfg = Config()
for name in ("accesslog", "logconfig_dict", "logger_class"):
    if hasattr(conf, name):
        cfg.set(name, getattr(conf, name))
logger = cfg.logger_class(cfg)
with mock.patch.object(glogging.Logger, "atoms", return_value={}) as atoms:
    logger.access(mock.Mock(), mock.Mock(), {}, mock.Mock())
print(json.dumps([cfg.logger_class.__module__, atoms.call_count]))
"""


@pytest.mark.parametrize(("access_log", "lines_built"), [("0", 0), ("1", 1)])
def test_an_access_line_is_built_only_when_it_is_written(access_log, lines_built):
    """With JSON logs and the access log off, gunicorn would still build every request's access-log fields
    (6.5% of a worker's CPU under load) for a line its logger then drops (ops.gunicorn_logging)."""
    env = os.environ | {"PRAKERJA_ENV": "production", "LOG_FORMAT": "json", "GUNICORN_ACCESS_LOG": access_log}
    result = subprocess.run(
        [str(BIN / "python"), "-c", ACCESS_PROBE], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == ["prakerja.ops.gunicorn_logging", lines_built]
