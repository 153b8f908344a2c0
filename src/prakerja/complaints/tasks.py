"""Background work of complaints: notifications, and the periodic SLA run.

``run_sla_task`` is one of the periodic tasks (``prakerja periodic``; docs/decisions/0007-complaints.md); the
command ``prakerja complaints-sla`` does the same by hand or from cron.
"""

from __future__ import annotations

from django_tasks import task


@task()
def run_sla_task() -> dict[str, int]:
    """Periodic: escalate complaints past their SLA, close those resolved long enough ago."""
    from prakerja.complaints.actions import run_sla

    summary = run_sla()
    return {"escalated": summary.escalated, "closed": summary.closed, "at_max_level": summary.at_max_level}


@task()
def notify_filed(complaint_id: int) -> int:
    from prakerja.complaints import notify

    return notify.filed(complaint_id)


@task()
def notify_reporter(message_id: int) -> int:
    from prakerja.complaints import notify

    return notify.reporter_about(message_id)


@task()
def notify_assignee(complaint_id: int) -> int:
    from prakerja.complaints import notify

    return notify.assignee_about(complaint_id)


@task()
def notify_escalation(complaint_id: int, level: int) -> int:
    from prakerja.complaints import notify

    return notify.escalation(complaint_id, level)
