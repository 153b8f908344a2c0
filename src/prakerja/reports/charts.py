"""Dashboard charts as server-rendered SVG: pure functions from plain numbers to markup strings.

No JavaScript and no inline styles (the Content-Security-Policy forbids both): colours are SVG
presentation attributes and CSS classes from site.css. Every piece of text is escaped here, and
every chart is an ``<svg role="img">`` labelled by its own ``<title>`` and ``<desc>`` that state the
numbers (the same numbers stay in the dashboard's tables).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

BRAND = "#1b6e3c"
SECOND = "#d69e2e"
INK = "#1a202c"
# Lightest to darkest; index 0 is "no recipients / no data".
SHADES = ("#edf2f7", "#c6e6d0", "#8fcca3", "#52a874", "#2b8150", "#134f2b")


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _num(value: float) -> str:
    """A coordinate with at most two decimals, without trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _open(chart_id: str, width: float, height: float, title: str, desc: str, css: str) -> list[str]:
    cid = _e(chart_id)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css}" role="img" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" width="100%" '
        f'aria-labelledby="{cid}-title {cid}-desc" data-chart="{cid}">',
        f'<title id="{cid}-title">{_e(title)}</title>',
        f'<desc id="{cid}-desc">{_e(desc)}</desc>',
    ]


# --- (1) bars per batch ---------------------------------------------------------------------------

PLOT_H = 160.0
BAR_W = 14.0
GROUP_GAP = 12.0
TOP, BOTTOM, LEFT = 24.0, 28.0, 8.0


def bar_height(value: int, largest: int, plot: float = PLOT_H) -> float:
    """Height of a bar: proportional to the largest value (0 when there is nothing to draw)."""
    if largest <= 0 or value <= 0:
        return 0.0
    return round(plot * value / largest, 2)


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    values: Sequence[int]
    fill: str


def grouped_bars(
    chart_id: str, categories: Sequence[str], series: Sequence[Series], title: str, desc: str, axis_label: str = ""
) -> str:
    """Vertical bars, one group per category (e.g. a batch), one bar per series in each group."""
    per_group = len(series) * BAR_W + GROUP_GAP
    width = max(LEFT * 2 + per_group * len(categories), 160.0)
    height = TOP + PLOT_H + BOTTOM
    largest = max((v for s in series for v in s.values), default=0)
    out = _open(chart_id, width, height, title, desc, "chart-bars")
    # legend
    x = LEFT
    for s in series:
        out.append(f'<rect x="{_num(x)}" y="4" width="10" height="10" fill="{_e(s.fill)}"/>')
        out.append(f'<text x="{_num(x + 14)}" y="13" font-size="11" fill="{INK}">{_e(s.label)}</text>')
        x += 14 + 7 * len(s.label) + 12
    base = TOP + PLOT_H
    out.append(
        f'<line x1="{_num(LEFT)}" y1="{_num(base)}" x2="{_num(width - LEFT)}" y2="{_num(base)}" stroke="{INK}"/>'
    )
    for i, category in enumerate(categories):
        gx = LEFT + GROUP_GAP / 2 + i * per_group
        for j, s in enumerate(series):
            value = s.values[i] if i < len(s.values) else 0
            h = bar_height(value, largest)
            out.append(
                f'<rect class="chart-bar" x="{_num(gx + j * BAR_W)}" y="{_num(base - h)}" '
                f'width="{_num(BAR_W - 2)}" height="{_num(h)}" fill="{_e(s.fill)}" '
                f'data-series="{_e(s.key)}" data-category="{_e(category)}" data-value="{int(value)}">'
                f"<title>{_e(category)} — {_e(s.label)}: {_e(_thousands(int(value)))}</title></rect>"
            )
        cx = gx + len(series) * BAR_W / 2
        out.append(
            f'<text x="{_num(cx)}" y="{_num(base + 14)}" font-size="10" text-anchor="middle" fill="{INK}">'
            f"{_e(category)}</text>"
        )
    if axis_label:
        out.append(
            f'<text x="{_num(width / 2)}" y="{_num(height - 2)}" font-size="10" text-anchor="middle" '
            f'fill="{INK}">{_e(axis_label)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


# --- (2) horizontal share bars --------------------------------------------------------------------

SHARE_W = 200.0
LABEL_W = 190.0
ROW_H = 24.0


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    percent: float | None
    note: str = ""


def bar_width(percent: float | None, full: float = SHARE_W) -> float:
    """Width of a share bar: the percentage of the full width (clamped to 0..100)."""
    if percent is None or percent <= 0:
        return 0.0
    return round(full * min(percent, 100.0) / 100.0, 2)


def share_bars(chart_id: str, bars: Sequence[Bar], title: str, desc: str) -> str:
    """One horizontal bar per share, on a 0–100% track, with the percentage written after it."""
    width = LABEL_W + SHARE_W + 60
    height = ROW_H * len(bars) + 8
    out = _open(chart_id, width, height, title, desc, "chart-shares")
    for i, b in enumerate(bars):
        y = 4 + i * ROW_H
        w = bar_width(b.percent)
        shown = "—" if b.percent is None else f"{_num(b.percent)}%"
        out.append(
            f'<text x="{_num(LABEL_W - 6)}" y="{_num(y + 14)}" font-size="11" text-anchor="end" fill="{INK}">'
            f"{_e(b.label)}</text>"
        )
        out.append(
            f'<rect class="chart-track" x="{_num(LABEL_W)}" y="{_num(y + 3)}" width="{_num(SHARE_W)}" '
            f'height="14" fill="{SHADES[0]}"/>'
        )
        out.append(
            f'<rect class="chart-bar" x="{_num(LABEL_W)}" y="{_num(y + 3)}" width="{_num(w)}" height="14" '
            f'fill="{BRAND}" data-share="{_e(b.key)}" data-percent="{_e("" if b.percent is None else b.percent)}">'
            f"<title>{_e(b.label)}: {_e(shown)}{(' (' + _e(b.note) + ')') if b.note else ''}</title></rect>"
        )
        out.append(
            f'<text x="{_num(LABEL_W + SHARE_W + 6)}" y="{_num(y + 14)}" font-size="11" fill="{INK}">{_e(shown)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


# --- (3) province tile map ------------------------------------------------------------------------

# Kemendagri province code -> (abbreviation, column, row): a fixed, roughly geographic grid of the 38
# provinces (Sumatra on the left, Java and Nusa Tenggara along the bottom, Papua on the right).
PROVINCE_TILES: dict[str, tuple[str, int, int]] = {
    "11": ("AC", 0, 0),
    "21": ("KR", 3, 0),
    "65": ("KU", 6, 0),
    "75": ("GO", 8, 0),
    "71": ("SA", 9, 0),
    "82": ("MU", 10, 0),
    "12": ("SU", 0, 1),
    "14": ("RI", 1, 1),
    "19": ("BB", 3, 1),
    "61": ("KB", 4, 1),
    "62": ("KT", 5, 1),
    "64": ("KI", 6, 1),
    "76": ("SR", 7, 1),
    "72": ("ST", 8, 1),
    "96": ("PD", 10, 1),
    "92": ("PB", 11, 1),
    "91": ("PA", 12, 1),
    "13": ("SB", 0, 2),
    "15": ("JA", 1, 2),
    "16": ("SS", 2, 2),
    "63": ("KS", 5, 2),
    "73": ("SN", 7, 2),
    "74": ("SG", 8, 2),
    "81": ("MA", 10, 2),
    "94": ("PT", 11, 2),
    "95": ("PE", 12, 2),
    "17": ("BE", 0, 3),
    "18": ("LA", 1, 3),
    "36": ("BT", 2, 3),
    "31": ("JK", 3, 3),
    "32": ("JB", 4, 3),
    "33": ("JT", 5, 3),
    "34": ("YO", 6, 3),
    "35": ("JI", 7, 3),
    "51": ("BA", 8, 3),
    "52": ("NB", 9, 3),
    "53": ("NT", 10, 3),
    "93": ("PS", 12, 3),
}
STEPS = 5
TILE = 34.0
GAP = 4.0


def shade_step(value: int, largest: int, steps: int = STEPS) -> int:
    """0 for none; otherwise 1..steps, the fifth of the largest value the count falls in."""
    if value <= 0 or largest <= 0:
        return 0
    return max(1, min(steps, math.ceil(steps * value / largest)))


def step_bounds(largest: int, steps: int = STEPS) -> list[tuple[int, int]]:
    """The (low, high) counts of each step 1..steps, for the legend."""
    bounds = []
    for s in range(1, steps + 1):
        low = largest * (s - 1) // steps + 1
        high = largest * s // steps
        bounds.append((low, max(low, high)))
    return bounds


def province_tiles(
    chart_id: str,
    values: Mapping[str, int],
    names: Mapping[str, str],
    title: str,
    desc: str,
    legend_title: str,
    none_label: str,
) -> str:
    """A tile per province shaded by its count in 5 steps of the largest count, with a legend below."""
    cols = 1 + max(c for _, c, _ in PROVINCE_TILES.values())
    rows = 1 + max(r for _, _, r in PROVINCE_TILES.values())
    width = cols * (TILE + GAP) + GAP
    grid_h = rows * (TILE + GAP) + GAP
    height = grid_h + 40
    largest = max((v for v in values.values() if v > 0), default=0)
    out = _open(chart_id, width, height, title, desc, "chart-tiles")
    for code, (abbr, col, row) in PROVINCE_TILES.items():
        value = int(values.get(code, 0))
        step = shade_step(value, largest)
        x = GAP + col * (TILE + GAP)
        y = GAP + row * (TILE + GAP)
        ink = "#ffffff" if step >= 3 else INK
        name = names.get(code, "")
        label = f"{code} {name}".strip() + f": {_thousands(value)}"
        out.append(
            f'<g class="chart-tile chart-shade-{step}" data-province="{_e(code)}" data-step="{step}" '
            f'data-value="{value}"><title>{_e(label)}</title>'
            f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(TILE)}" height="{_num(TILE)}" rx="3" '
            f'fill="{SHADES[step]}" stroke="#ffffff"/>'
            f'<text x="{_num(x + TILE / 2)}" y="{_num(y + TILE / 2 + 4)}" font-size="11" text-anchor="middle" '
            f'fill="{ink}">{_e(abbr)}</text></g>'
        )
    # legend: "none" plus the five steps with their ranges
    ly = grid_h + 6
    out.append(f'<text x="{_num(GAP)}" y="{_num(ly + 10)}" font-size="10" fill="{INK}">{_e(legend_title)}</text>')
    entries = [(0, none_label)] + [
        (s, f"{_thousands(lo)}–{_thousands(hi)}") for s, (lo, hi) in enumerate(step_bounds(largest), 1)
    ]
    if largest == 0:
        entries = entries[:1]
    x = GAP
    for step, text in entries:
        out.append(
            f'<rect class="chart-legend chart-shade-{step}" x="{_num(x)}" y="{_num(ly + 16)}" width="12" height="12" '
            f'fill="{SHADES[step]}" stroke="#a0aec0" data-step="{step}"/>'
            f'<text x="{_num(x + 16)}" y="{_num(ly + 26)}" font-size="10" fill="{INK}">{_e(text)}</text>'
        )
        x += 16 + 6 * len(text) + 14
    out.append("</svg>")
    return "".join(out)
