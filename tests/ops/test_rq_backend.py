"""The optional Redis task backend (TASKS_BACKEND=rq): a real task through a real Redis and a real RQ worker.

Redis is expected at 127.0.0.1:6379 (TEST_REDIS_URL to change it). When none answers these tests are
skipped with a loud notice; REQUIRE_REDIS=1 turns that into a failure (CI).
"""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django_tasks.base import TaskResultStatus
from ops_env import BIN, ROOT, require_redis

from prakerja.ops import metrics, probes
from prakerja.reports.tasks import refresh_aggregates_task


@pytest.fixture
def rq_queue(settings):
    """A queue of this test's own on the real Redis, with the RQ backend in front of it; emptied afterwards."""
    import django_rq

    redis_url = require_redis()
    name = f"prakerja-test-{uuid.uuid4().hex[:12]}"
    # django-tasks-rq fetches results through django-rq's "default" connection, so that one must exist.
    settings.RQ_QUEUES = {"default": {"URL": redis_url}, name: {"URL": redis_url}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [name]}}
    metrics._program.forget_cached()
    probes.forget_cached()
    yield name
    django_rq.get_queue(name).delete(delete_jobs=True)  # also leaves RQ's set of known queues
    redis = django_rq.get_connection(name)
    for key in redis.scan_iter(f"*{name}*"):
        redis.delete(key)
    metrics._program.forget_cached()


def forget_jobs(queue: str, *job_ids: str) -> None:
    import django_rq

    redis = django_rq.get_connection(queue)
    for job_id in job_ids:
        for key in redis.scan_iter(f"rq:*{job_id}*"):
            redis.delete(key)


@pytest.mark.django_db
def test_a_task_goes_through_redis_and_an_rq_worker(rq_queue):
    import django_rq
    from django_tasks_rq import Job
    from rq import SimpleWorker

    result = refresh_aggregates_task.using(queue_name=rq_queue).enqueue()
    try:
        assert result.status == TaskResultStatus.READY
        assert django_rq.get_queue(rq_queue).count == 1

        # The queue's depth and the backend's reachability are visible to operators.
        scraped = Client().get("/metrics").content.decode()
        assert f'prakerja_task_queue_depth{{backend="default",queue="{rq_queue}"}} 1.0' in scraped
        ready = Client().get("/readyz")
        assert ready.status_code == 200 and ready.json()["checks"]["tasks"] == "ok"

        # A real RQ worker in burst mode: takes the job from Redis, runs it, and stops when the queue is empty.
        # (SimpleWorker runs the job in this process, inside this test's database transaction; the
        # forking worker of `prakerja rqworker` is exercised on PostgreSQL below.)
        worker = django_rq.get_worker(rq_queue, job_class=Job, worker_class=SimpleWorker)
        assert worker.work(burst=True)
        result.refresh()
        assert result.status == TaskResultStatus.SUCCESSFUL, result.errors
        assert "as_of" in result.return_value
        assert django_rq.get_queue(rq_queue).count == 0
    finally:
        forget_jobs(rq_queue, result.id)


@pytest.mark.django_db
def test_readiness_fails_when_the_task_queue_is_unreachable(settings):
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0"}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    probes.forget_cached()
    response = Client().get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["tasks"] and body["errors"]["tasks"] == "ConnectionError"
    assert body["checks"]["database"] == "ok"


def test_tasks_backend_rq_needs_redis_url():
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | {"TASKS_BACKEND": "rq"}
    result = subprocess.run(
        [str(BIN / "prakerja"), "check"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode != 0 and "TASKS_BACKEND=rq needs REDIS_URL" in result.stderr


def test_tasks_backend_rq_passes_the_system_checks():
    env = os.environ | {"TASKS_BACKEND": "rq", "REDIS_URL": "redis://127.0.0.1:6379/0"}
    result = subprocess.run(
        [str(BIN / "prakerja"), "check"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgresql://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker process shares the test database")
def test_the_rqworker_command_runs_the_task_in_its_own_process(rq_queue, tmp_path):
    """What production runs: `prakerja rqworker --burst --job-class django_tasks_rq.Job`, forking per job."""
    result = refresh_aggregates_task.using(queue_name=rq_queue).enqueue()
    env = os.environ | {
        "PYTHONPATH": str(Path(__file__).parent),
        "DJANGO_SETTINGS_MODULE": "rq_worker_settings",
        "TASKS_BACKEND": "rq",
        "REDIS_URL": require_redis(),
        "TEST_RQ_QUEUE": rq_queue,
        "DATABASE_URL": database_url(),
    }
    try:
        worker = subprocess.run(
            [str(BIN / "prakerja"), "rqworker", "--burst", "--job-class", "django_tasks_rq.Job", rq_queue],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert worker.returncode == 0, worker.stdout + worker.stderr
        result.refresh()
        assert result.status == TaskResultStatus.SUCCESSFUL, result.errors[0].traceback + worker.stderr[-3000:]
        assert len(result.worker_ids) == 1
    finally:
        forget_jobs(rq_queue, result.id)
