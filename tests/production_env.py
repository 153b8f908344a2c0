"""The environment a production server has, for tests that start one in a subprocess."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def production_env(**extra: str) -> dict[str, str]:
    # Not what a server has: DEBUG, the tests' fast hasher, the browser tests' async switch, and the test
    # run's choices of log format and task backend (production picks its own).
    skip = ("DEBUG", "PRAKERJA_FAST_HASHER", "DJANGO_ALLOW_ASYNC_UNSAFE", "LOG_FORMAT", "TASKS_BACKEND")
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update(
        PRAKERJA_ENV="production",
        PRAKERJA_HOME=str(ROOT),
        SECRET_KEY=secrets.token_urlsafe(50),
        PII_ENCRYPTION_KEY=secrets.token_urlsafe(32),
        PII_INDEX_KEY=secrets.token_urlsafe(32),
        ALLOWED_HOSTS="prakerja.example",
        DATABASE_URL=os.environ.get("DATABASE_URL") or "postgresql://prakerja@127.0.0.1:5432/prakerja",
        DJANGO_SETTINGS_MODULE="prakerja.settings",
    )
    env.update(extra)
    return env
