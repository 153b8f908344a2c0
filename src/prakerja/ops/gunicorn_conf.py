"""gunicorn settings for the web workers: ``gunicorn -c python:prakerja.ops.gunicorn_conf``.

Read from the environment (docs/operations.md has the table):

- ``GUNICORN_BIND`` (default ``127.0.0.1:$PORT``, port 8000): behind a reverse proxy on the same machine;
  ``0.0.0.0:8000`` in a container.
- ``WEB_CONCURRENCY`` worker processes (default one per core); ``GUNICORN_THREADS`` threads each
  (default 12: gthread workers — reads ran 2.5–3.5× faster than with sync workers on 2 cores, hashing
  releases the GIL, and the surge gate needs threads to see a queue: docs/decisions/0014);
  ``GUNICORN_TIMEOUT`` seconds before a stuck worker is replaced.
- ``GUNICORN_ACCESS_LOG=1`` writes an access log line per request (off by default: the metrics count
  requests, and an access log holds every caller's address).
- ``GUNICORN_CONTROL_SOCKET``: a path for gunicorn's control socket (``gunicornc``); none by default.

The application is loaded once in the master and the workers are forked from it (``preload_app``):
workers start fast and share its memory, and a broken deployment fails before any worker starts.

Metrics from all workers: prometheus_client's multiprocess mode keeps each worker's values in files
under ``PROMETHEUS_MULTIPROC_DIR``. This module sets that variable to a new private directory when the
operator did not (it must be set before the application is imported, and this file is read first),
empties a given one when the server starts, and drops a worker's live gauges when the worker exits.

Logs: with ``LOG_FORMAT=json`` (production's default) gunicorn's own messages are JSON lines through the
same formatter and personal-data filter as the application's (ops.json_logs, core.log_privacy).
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
from pathlib import Path
from typing import Any

wsgi_app = "prakerja.wsgi:application"
bind = [os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")]
workers = int(os.environ.get("WEB_CONCURRENCY", str(multiprocessing.cpu_count())))
threads = int(os.environ.get("GUNICORN_THREADS", "12"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# The partner API's headers have underscores (client_code), which gunicorn drops by default; no proxy in
# front sets them, so keep them (docs/decisions/0004-partner-api.md; nginx: underscores_in_headers on).
header_map = "dangerous"
preload_app = True
# Recycle workers now and then (jittered, so they do not all restart together): a slow leak stays small.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# The workers' heartbeat files in memory, not on a disk that may stall (containers).
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None  # noqa: S108 - a tmpfs, not a shared temp file
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG") == "1" else None
logger_class = "prakerja.ops.gunicorn_logging.Logger"  # builds no access-log line that would be dropped
proc_name = "prakerja-web"
# gunicorn's control socket (for `gunicornc`) defaults to one path per user, which two servers on one
# machine (blue/green, or tests) would fight over: only where the operator names a path for this one.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True

_production = os.environ.get("PRAKERJA_ENV", "dev") == "production"
if os.environ.get("LOG_FORMAT", "json" if _production else "text") == "json":
    _handler = {
        "class": "logging.StreamHandler",
        "formatter": "json",
        "filters": ["personal_data"],
        "stream": "ext://sys.stderr",
    }
    logconfig_dict: dict[str, Any] = {
        "filters": {"personal_data": {"()": "prakerja.core.log_privacy.PersonalDataFilter"}},
        "formatters": {"json": {"()": "prakerja.ops.json_logs.JsonFormatter"}},
        "handlers": {"console": _handler, "error_console": _handler},
        "root": {"level": "INFO", "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
            # Configuring logging turns gunicorn's access log on; keep it to what GUNICORN_ACCESS_LOG says.
            "gunicorn.access": {
                "level": "INFO" if accesslog else "WARNING",
                "handlers": ["console"],
                "propagate": False,
            },
        },
    }

if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).mkdir(mode=0o700, parents=True, exist_ok=True)
else:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="prakerja-metrics-")


def on_starting(server: Any) -> None:
    """A restarted server starts its counts afresh: files of the previous run's workers would add up."""
    for stale in Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).glob("*.db"):
        stale.unlink(missing_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
