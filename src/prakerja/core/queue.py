"""Tasks an action queues once its transaction commits, without ever failing the action.

An action that changes state and then wants a task run (a notification, the disbursement worker, the
dashboards' refresh) queues it after its commit, so that no worker picks up a task whose rows were rolled
back. The enqueue can still fail then: Redis down (``TASKS_BACKEND=rq``), the database connection lost.
Raising at that point answers an action that did happen with an error page. The officer retries a
transition that is done and is refused, the reporter writes the reply again, the bank's callback is
answered 500 for a status that was recorded. So a failed enqueue is logged and counted
(``prakerja_task_enqueue_failures_total``, by task, on ``/metrics``), and the action answers as it
should. The count covers the web workers only: a task worker that queues a follow-up (payout notices
from a disbursement run, escalation notices from the SLA run) has no ``/metrics``, so there the log
line is the signal. What is lost is bounded, and docs/operations.md says what to do:

- the periodic tasks (``prakerja periodic``: disbursement, refresh, deadlines) pick up what their
  enqueue would have started at their next run;
- a lost notification is not sent again by itself; the state it would announce is on the person's
  pages, and the log line names the task and its arguments (ids only) so it can be queued again.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from prometheus_client import Counter

logger = logging.getLogger(__name__)

ENQUEUE_FAILURES = Counter(
    "prakerja_task_enqueue_failures",
    "Tasks that could not be queued after their action committed (the action stood), by task.",
    ["task"],
)


def after_commit(task: Any, *args: Any) -> None:
    """Queue ``task`` with ``args`` once the current transaction commits (at once outside one).

    ``args`` must be ids and other values that may rest in the queue: it is a table or a Redis list that
    operators read, so no codes, links or personal data (accounts/sending.py derives those in the worker).
    """

    def enqueue() -> None:
        try:
            task.enqueue(*args)
        except Exception:
            ENQUEUE_FAILURES.labels(task=task.name).inc()
            logger.exception("task %s%r could not be queued after its commit", task.module_path, args)

    transaction.on_commit(enqueue)
