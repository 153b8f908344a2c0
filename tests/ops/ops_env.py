"""Helpers of the operations tests: the production environment for subprocesses, free ports, Redis."""

from __future__ import annotations

import os
import secrets
import socket
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def production_env(**extra: str) -> dict[str, str]:
    """What a production server has (as tests/security/test_production_profile.py builds it)."""
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def require_redis() -> str:
    """The Redis URL when a server answers; else skip LOUDLY (REQUIRE_REDIS=1 makes it a failure)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        message = f"!!! no Redis answers at {REDIS_URL} ({type(exc).__name__}): RQ backend tests SKIPPED !!!"
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail("REQUIRE_REDIS=1 but " + message)
        pytest.skip(message)
    finally:
        client.close()
    return REDIS_URL
