"""Helpers of the operations tests: the production environment for subprocesses, and Redis."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from production_env import production_env  # noqa: F401 (the ops tests import it from here)

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


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
