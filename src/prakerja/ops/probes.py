"""What the readiness probe checks, each check cheap enough to run every few seconds.

- ``database``: one ``SELECT 1`` on the default connection.
- ``migrations``: no migration left to apply (Django's ``MigrationExecutor`` plan is empty). Building the
  plan reads every migration module, so a success is remembered for ``MIGRATIONS_OK_SECONDS``; a failure
  is not, so the probe turns ready as soon as ``migrate`` has run. Skipped when the database is down.
- ``tasks``: only for the Redis-backed RQ backend (the database backend is covered by ``database``; the
  immediate and dummy backends have nothing to reach): a ``PING`` to each of its queues' Redis with short
  time-outs, so a black-holed Redis makes the probe fail rather than hang.

A failed check reports the exception's class name only: the message may name hosts and users.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

MIGRATIONS_OK_SECONDS = 60.0
REDIS_TIMEOUT_SECONDS = 2.0

_migrations_ok_until = 0.0


@dataclass
class Readiness:
    checks: dict[str, str] = field(default_factory=dict)  # name -> "ok", "fail" or "skipped"
    errors: dict[str, str] = field(default_factory=dict)  # name -> exception class or reason

    @property
    def ready(self) -> bool:
        return all(state != "fail" for state in self.checks.values())

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"status": "ok" if self.ready else "unavailable", "checks": self.checks}
        if not self.ready:
            body["failed"] = [name for name, state in self.checks.items() if state == "fail"]
            body["errors"] = self.errors
        return body


def forget_cached() -> None:
    """Tests: the next readiness check builds the migration plan again."""
    global _migrations_ok_until
    _migrations_ok_until = 0.0


def check_database(connection: BaseDatabaseWrapper | None = None) -> None:
    with (connection or connections[DEFAULT_DB_ALIAS]).cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def pending_migrations() -> list[str]:
    """Migrations not applied yet, as ``app.name`` (empty when the schema is current)."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def check_migrations() -> None:
    global _migrations_ok_until
    now = time.monotonic()
    if now < _migrations_ok_until:
        return
    pending = pending_migrations()
    if pending:
        raise MigrationsPending(f"{len(pending)} migrations not applied")
    _migrations_ok_until = now + MIGRATIONS_OK_SECONDS


class MigrationsPending(Exception):
    pass


def redis_backed_queues() -> list[str]:
    """The queues of every configured RQ task backend (none when tasks do not go through Redis)."""
    from django_tasks import task_backends

    queues: set[str] = set()
    for backend in task_backends.all():
        if type(backend).__module__.startswith("django_tasks_rq"):
            queues |= set(backend.queues)
    return sorted(queues)


def check_task_queues(queues: list[str]) -> None:
    import django_rq
    import redis

    for queue in queues:
        # The workers' own connection settings, with short time-outs for the probe.
        pool = django_rq.get_connection(queue).connection_pool
        kwargs = pool.connection_kwargs | {
            "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
            "socket_timeout": REDIS_TIMEOUT_SECONDS,
        }
        client = redis.Redis(connection_pool=redis.ConnectionPool(connection_class=pool.connection_class, **kwargs))
        try:
            client.ping()
        finally:
            client.close()


def readiness() -> Readiness:
    result = Readiness()
    _run(result, "database", check_database)
    if result.checks["database"] == "ok":
        _run(result, "migrations", check_migrations)
    else:
        result.checks["migrations"] = "skipped"
    queues = redis_backed_queues()
    if queues:
        _run(result, "tasks", lambda: check_task_queues(queues))
    return result


def _run(result: Readiness, name: str, check: Any) -> None:
    try:
        check()
    except Exception as exc:  # any failure means "not ready"; the class name says which
        result.checks[name] = "fail"
        result.errors[name] = type(exc).__name__
    else:
        result.checks[name] = "ok"
