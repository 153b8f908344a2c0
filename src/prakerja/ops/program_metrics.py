"""The program's gauges, read at scrape time from cheap sources and kept for a few seconds.

- ``prakerja_task_queue_depth{backend,queue}``: tasks waiting for a worker. The database backend counts
  its READY rows (a partial index holds exactly those); the RQ backend asks Redis for each queue's length.
- ``prakerja_payouts_waiting{stage}``: payouts not yet sent to the bank (``to_send``: due or retrying)
  and sent but not yet confirmed (``at_bank``); each a count over a partial index of the payouts table.
- ``prakerja_batches_open``: batches taking applications (a handful of rows).
- ``prakerja_program_metrics_up``: 1 when these could be read, 0 when the database or Redis failed (the
  request metrics are still reported then).

Counts are read at most once every ``CACHE_SECONDS`` per process, so a scraper polling often, or several
scrapers, cost the database next to nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

CACHE_SECONDS = 15.0
log = logging.getLogger(__name__)


def task_queue_depths() -> list[tuple[str, str, int]]:
    """(backend alias, queue name, tasks waiting) for each backend whose queue can be counted cheaply."""
    from django.db.models import Count
    from django_tasks import task_backends

    depths: list[tuple[str, str, int]] = []
    for backend in task_backends.all():
        module = type(backend).__module__
        if module.startswith("django_tasks_db"):
            from django_tasks.base import TaskResultStatus
            from django_tasks_db.models import DBTaskResult

            rows = (
                DBTaskResult.objects.filter(status=TaskResultStatus.READY, backend_name=backend.alias)
                .values("queue_name")
                .annotate(n=Count("id"))
            )
            waiting = {row["queue_name"]: row["n"] for row in rows}
            depths += [(backend.alias, queue, waiting.get(queue, 0)) for queue in sorted(set(waiting) | {"default"})]
        elif module.startswith("django_tasks_rq"):
            import django_rq

            depths += [(backend.alias, queue, django_rq.get_queue(queue).count) for queue in sorted(backend.queues)]
    return depths


def payouts_waiting() -> dict[str, int]:
    from prakerja.payments.models import Payout

    return {
        "to_send": Payout.objects.filter(status__in=[Payout.Status.DUE, Payout.Status.RETRYING]).count(),
        "at_bank": Payout.objects.filter(status=Payout.Status.SENT).count(),
    }


def batches_open() -> int:
    from prakerja.batches.models import Batch

    return Batch.objects.filter(status=Batch.Status.OPEN).count()


class ProgramCollector(Collector):
    def __init__(self) -> None:
        self._families: list[Metric] = []
        self._read_at = -CACHE_SECONDS

    def forget_cached(self) -> None:
        self._read_at = -CACHE_SECONDS

    def collect(self) -> Iterable[Metric]:
        now = time.monotonic()
        if now - self._read_at >= CACHE_SECONDS:
            self._families = self.read()
            self._read_at = now
        return list(self._families)

    def read(self) -> list[Metric]:
        up = GaugeMetricFamily("prakerja_program_metrics_up", "1 when the program's gauges could be read.")
        try:
            depths = task_queue_depths()
            payouts = payouts_waiting()
            open_batches = batches_open()
        except Exception as exc:  # a scrape must not fail because the database is down
            log.warning("program metrics unavailable: %s", type(exc).__name__)
            up.add_metric([], 0)
            return [up]
        up.add_metric([], 1)
        queue = GaugeMetricFamily(
            "prakerja_task_queue_depth", "Background tasks waiting for a worker.", labels=["backend", "queue"]
        )
        for alias, name, waiting in depths:
            queue.add_metric([alias, name], waiting)
        payout = GaugeMetricFamily(
            "prakerja_payouts_waiting", "Incentive payouts not yet confirmed by the bank.", labels=["stage"]
        )
        for stage, count in payouts.items():
            payout.add_metric([stage], count)
        batches = GaugeMetricFamily("prakerja_batches_open", "Batches taking applications.")
        batches.add_metric([], open_batches)
        return [up, queue, payout, batches]
