"""``{% load report_charts %}``: the dashboard's charts from its existing context values.

Each tag returns an SVG built by ``prakerja.reports.charts`` (which escapes every text), marked safe.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from prakerja.reports import charts

register = template.Library()


def _n(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _label(key: str) -> str:
    return {
        "women": _("Perempuan"),
        "disability": _("Penyandang disabilitas"),
        "former_migrant_worker": _("Mantan pekerja migran"),
        "primary_or_less": _("Pendidikan SD atau lebih rendah"),
        "unemployed": _("Belum/tidak bekerja"),
        "never_trained": _("Belum pernah ikut pelatihan"),
    }.get(key, key)


@register.simple_tag
def batch_chart(batches: Sequence[Mapping[str, Any]]) -> SafeString:
    """Recipients and completed trainings per batch (the dashboard's ``batches`` rows)."""
    rows = list(batches or [])
    categories = [str(r.get("batch_number", "")) for r in rows]
    recipients = [_n(r.get("recipients")) for r in rows]
    completions = [_n(r.get("completions")) for r in rows]
    parts = [
        _("gelombang %(batch)s: %(recipients)s penerima, %(completions)s selesai")
        % {"batch": b, "recipients": r, "completions": c}
        for b, r, c in zip(categories, recipients, completions, strict=True)
    ]
    desc = "; ".join(parts) if parts else _("Belum ada data.")
    return mark_safe(  # noqa: S308 - built by charts, every text escaped there
        charts.grouped_bars(
            "chart-batches",
            categories,
            [
                charts.Series("recipients", _("Penerima"), recipients, charts.BRAND),
                charts.Series("completions", _("Pelatihan selesai"), completions, charts.SECOND),
            ],
            _("Penerima dan pelatihan selesai per gelombang"),
            desc,
            axis_label=_("Gelombang"),
        )
    )


@register.simple_tag
def profile_chart(shares: Iterable[Any]) -> SafeString:
    """The recipient profile shares (the dashboard's ``shares``: key, count, of, percent)."""
    bars = [charts.Bar(s.key, _label(s.key), s.percent, f"{_n(s.count)} / {_n(s.of)}") for s in (shares or [])]
    desc = "; ".join(f"{b.label}: {'—' if b.percent is None else f'{b.percent}%'} ({b.note})" for b in bars) or _(
        "Belum ada data."
    )
    return mark_safe(  # noqa: S308 - built by charts, every text escaped there
        charts.share_bars("chart-profile", bars, _("Profil penerima (persentase dari penerima)"), desc)
    )


@register.simple_tag
def province_map(areas: Iterable[Mapping[str, Any]]) -> SafeString:
    """Recipients per province as a tile map (the dashboard's ``areas`` at province level)."""
    values: dict[str, int] = {}
    names: dict[str, str] = {}
    for r in areas or []:
        code = str(r.get("code", ""))
        values[code] = values.get(code, 0) + _n(r.get("recipients"))
        names[code] = str(r.get("name", ""))
    shown = sorted(((c, v) for c, v in values.items() if v > 0), key=lambda cv: (-cv[1], cv[0]))
    desc = "; ".join(f"{c} {names.get(c, '')}".strip() + f": {v}" for c, v in shown)
    desc = (desc + ". " if desc else "") + _("Provinsi lain: 0 penerima.")
    return mark_safe(  # noqa: S308 - built by charts, every text escaped there
        charts.province_tiles(
            "chart-provinces",
            values,
            names,
            _("Penerima per provinsi"),
            desc,
            _("Penerima"),
            _("Tidak ada"),
        )
    )
