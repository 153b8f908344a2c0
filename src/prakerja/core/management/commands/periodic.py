"""``prakerja periodic``: enqueue the platform's periodic tasks.

Django's task framework has no scheduler of its own; run this from cron or a
systemd timer (e.g. every hour) or leave it running with ``--loop``. Each task
is idempotent, so running it more often than needed is harmless.
"""

from __future__ import annotations

import logging
import time

from django.core.management.base import BaseCommand, CommandError

logger = logging.getLogger(__name__)

PERIODIC = (
    "prakerja.payments.tasks.disburse_task",
    "prakerja.surveys.tasks.send_due_surveys_task",
    "prakerja.batches.tasks.enforce_deadlines_task",
    "prakerja.learning.tasks.enforce_next_purchase_deadlines_task",
    "prakerja.learning.tasks.purge_seen_requests_task",
    "prakerja.helpdesk.tasks.purge_id_photos_task",
    "prakerja.complaints.tasks.run_sla_task",
    "prakerja.registry.tasks.purge_personal_data_task",
    "prakerja.reports.tasks.refresh_aggregates_task",
)


class Command(BaseCommand):
    help = "Enqueue periodic tasks (deadline enforcement); --loop repeats every --interval seconds."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true")
        parser.add_argument("--interval", type=int, default=3600)

    def handle(self, *args, **o):
        from django.utils.module_loading import import_string

        while True:
            failed = []
            for path in PERIODIC:
                # One task the queue refuses (Redis down) must not stop the others, nor end a --loop: the
                # next round queues it again, which is what the lost enqueues of actions rely on (core.queue).
                try:
                    result = import_string(path).enqueue()
                except Exception as exc:
                    logger.exception("periodic task %s could not be queued", path)
                    self.stderr.write(f"{path}: NOT QUEUED ({type(exc).__name__}: {exc})")
                    failed.append(path)
                    continue
                self.stdout.write(f"{path}: {result.status}")
            if not o["loop"]:
                if failed:
                    raise CommandError(f"{len(failed)} of {len(PERIODIC)} periodic tasks could not be queued")
                return
            time.sleep(o["interval"])
