"""Where face-to-face training can be bought: per province or regency/city, the approved offline
and blended classes still open with seats left. Every region is listed, so the regions with none
— the ones regional governments must act on — show as zeros."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Q, Sum

from prakerja.catalog import search
from prakerja.catalog.models import Program
from prakerja.regions.models import Province, Regency


def coverage(level: str = "province") -> list[dict[str, Any]]:
    key = "program__province_code" if level == "province" else "program__regency_code"
    rows = (
        search.open_classes()
        .filter(
            program__status=Program.Status.APPROVED,
            program__institution__status="active",
            program__mode__in=("offline", "blended"),
        )
        .values(key)
        .annotate(
            offline=Count("id", filter=Q(program__mode="offline")),
            blended=Count("id", filter=Q(program__mode="blended")),
            seats=Sum(F("capacity") - F("seats_taken")),
        )
    )
    found = {row[key]: row for row in rows}
    regions = Province.objects.order_by("code") if level == "province" else Regency.objects.order_by("code")
    out = []
    for region in regions.values("code", "name"):
        row = found.get(region["code"], {})
        out.append(
            {
                "code": region["code"],
                "name": region["name"],
                "offline_classes": row.get("offline", 0),
                "blended_classes": row.get("blended", 0),
                "open_seats": row.get("seats", 0) or 0,
            }
        )
    return out


def without_offline(level: str = "province") -> list[dict[str, Any]]:
    return [row for row in coverage(level) if row["offline_classes"] + row["blended_classes"] == 0]
