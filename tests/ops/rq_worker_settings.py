"""Settings of the RQ worker process that test_rq_backend starts: production's RQ set-up, working a queue of
the test's own (TEST_RQ_QUEUE), so tests sharing one Redis never take each other's jobs."""

import os

from prakerja.settings import *  # noqa: F403

# "default" stays valid: every task is declared on it (django-tasks checks that at import), and
# django-tasks-rq reads results through django-rq's "default" connection.
_QUEUES = ("default", os.environ["TEST_RQ_QUEUE"])
RQ_QUEUES = {name: {"URL": os.environ["REDIS_URL"]} for name in _QUEUES}
TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": list(_QUEUES)}}
