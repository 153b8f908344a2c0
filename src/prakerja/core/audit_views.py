"""The auditors' pages: search the audit trail and export what was found (read-only).

Nothing here changes state except that an export is itself audited: who
downloaded which slice of the trail, and why.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import uuid
from collections.abc import Iterator
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from prakerja.core import audit, roles
from prakerja.core.access import duty_required
from prakerja.core.models import AuditEvent
from prakerja.core.requests import client_ip

PAGE = 100
EXPORT_LIMIT = 200_000


def _day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def filtered(params: Any) -> tuple[QuerySet[AuditEvent], dict[str, str]]:
    """The audit rows matching the search form; the form's values come back cleaned."""
    clean = {
        k: (params.get(k) or "").strip()[:120]
        for k in ("actor", "action", "object_type", "object_id", "since", "until")
    }
    rows = AuditEvent.objects.select_related("actor").order_by("-id")
    if clean["actor"]:
        try:
            rows = rows.filter(actor__public_id=uuid.UUID(clean["actor"]))
        except ValueError:
            rows = rows.filter(actor__email__iexact=clean["actor"])
    if clean["action"]:
        rows = rows.filter(action__startswith=clean["action"])
    if clean["object_type"]:
        rows = rows.filter(object_type=clean["object_type"])
    if clean["object_id"]:
        rows = rows.filter(object_id=clean["object_id"])
    tz = timezone.get_current_timezone()
    since, until = _day(clean["since"]), _day(clean["until"])
    if since:
        rows = rows.filter(at__gte=dt.datetime.combine(since, dt.time.min, tzinfo=tz))
    if until:
        rows = rows.filter(at__lt=dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    return rows, clean


@duty_required(roles.AUDIT)
def search(request: HttpRequest) -> HttpResponse:
    rows, clean = filtered(request.GET)
    before = request.GET.get("before", "")
    if before.isdigit():
        # Keyset paging on the id: stays fast on a trail of hundreds of millions of rows.
        rows = rows.filter(Q(id__lt=int(before)))
    page = list(rows[: PAGE + 1])
    more = len(page) > PAGE
    page = page[:PAGE]
    query = "&".join(f"{k}={v}" for k, v in clean.items() if v)
    return render(
        request,
        "core/audit_search.html",
        {
            "rows": [{"event": e, "actor": actor_label(e.actor), "detail": _detail(e)} for e in page],
            "form": clean,
            "next_before": page[-1].id if more else None,
            "query": query,
            "actions": AuditEvent.objects.order_by().values_list("action", flat=True).distinct()[:300],
        },
    )


def actor_label(actor: Any) -> str:
    """Staff are named by their work email (they answer for their actions); a participant by public id only,
    so the trail shows who acted without spreading a participant's contact details."""
    if actor is None:
        return "sistem"
    if roles.is_staff_role(actor.role) or actor.is_superuser:
        return str(actor.email)
    return f"peserta {actor.public_id}"


def _detail(event: AuditEvent) -> str:
    parts = []
    if event.before is not None:
        parts.append("before " + json.dumps(event.before, ensure_ascii=False, sort_keys=True))
    if event.after is not None:
        parts.append("after " + json.dumps(event.after, ensure_ascii=False, sort_keys=True))
    return " · ".join(parts)[:600]


class _Echo:
    def write(self, value: str) -> str:
        return value


@duty_required(roles.AUDIT)
def export(request: HttpRequest) -> StreamingHttpResponse:
    rows, _form = filtered(request.GET)
    purpose = (request.GET.get("purpose") or "").strip()[:200] or "audit review"
    audit.record_export(
        request.user, "audit trail", rows=min(rows.count(), EXPORT_LIMIT), purpose=purpose, ip=client_ip(request)
    )
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(["at", "actor", "action", "object_type", "object_id", "before", "after", "ip"])
        for e in rows[:EXPORT_LIMIT].iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    e.at.isoformat(),
                    actor_label(e.actor),
                    e.action,
                    e.object_type,
                    e.object_id,
                    json.dumps(e.before, ensure_ascii=False, sort_keys=True) if e.before is not None else "",
                    json.dumps(e.after, ensure_ascii=False, sort_keys=True) if e.after is not None else "",
                    e.ip or "",
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="jejak-audit.csv"'
    return response
