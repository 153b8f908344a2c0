"""Dashboard charts: server-rendered SVG with bars proportional to the numbers, escaped text, province tiles
shaded in five steps, accessible names, no inline styles; and the dashboard page shows them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from prakerja.reports import charts
from prakerja.reports.aggregates import Share
from prakerja.reports.models import RegionBatchFigures
from prakerja.reports.templatetags import report_charts


def attr(markup: str, tag_attr: str, name: str) -> str:
    """The value of attribute ``name`` in the element carrying ``tag_attr`` (e.g. 'data-province="32"')."""
    m = re.search(r"<[a-z]+ [^>]*" + re.escape(tag_attr) + r"[^>]*>", markup)
    assert m, f"no element with {tag_attr}"
    v = re.search(r"\b" + re.escape(name) + r'="([^"]*)"', m.group(0))
    assert v, f"no {name} on {m.group(0)}"
    return v.group(1)


def bar(markup: str, series: str, category: str) -> str:
    m = re.search(
        r'<rect class="chart-bar"[^>]*data-series="' + series + r'" data-category="' + category + r'"[^>]*>', markup
    )
    assert m
    return m.group(0)


def height(rect: str) -> float:
    return float(re.search(r'height="([0-9.]+)"', rect).group(1))  # type: ignore[union-attr]


def test_batch_bars_are_proportional_to_the_numbers() -> None:
    svg = report_charts.batch_chart(
        [
            {"batch_number": 1, "recipients": 200, "completions": 50},
            {"batch_number": 2, "recipients": 100, "completions": 0},
        ]
    )
    assert height(bar(svg, "recipients", "1")) == charts.PLOT_H
    assert height(bar(svg, "recipients", "2")) == charts.PLOT_H / 2
    assert height(bar(svg, "completions", "1")) == charts.PLOT_H / 4
    assert height(bar(svg, "completions", "2")) == 0
    # the bar stands on the baseline: y + height is the same for every bar
    for s, c in (("recipients", "1"), ("recipients", "2"), ("completions", "1")):
        rect = bar(svg, s, c)
        y = float(re.search(r' y="([0-9.]+)"', rect).group(1))  # type: ignore[union-attr]
        assert y + height(rect) == charts.TOP + charts.PLOT_H
    assert 'data-value="200"' in svg
    assert "gelombang 1: 200 penerima, 50 selesai" in svg  # the numbers are in the <desc>


def test_empty_figures_draw_no_bars_and_say_so() -> None:
    svg = report_charts.batch_chart([])
    assert 'class="chart-bar"' not in svg
    assert "Belum ada data." in svg
    assert charts.bar_height(5, 0) == 0


def test_profile_bars_are_the_percentages_of_the_track() -> None:
    shares = [Share("women", 6, 12), Share("disability", 1, 12), Share("unemployed", 0, 0)]
    svg = report_charts.profile_chart(shares)
    assert attr(svg, 'data-share="women"', "width") == "100"  # 50% of 200
    assert float(attr(svg, 'data-share="disability"', "width")) == pytest.approx(8.3 * 2)
    assert attr(svg, 'data-share="unemployed"', "width") == "0"  # no recipients: no bar, a dash
    assert ">50%</text>" in svg and ">8.3%</text>" in svg and ">—</text>" in svg
    assert "Perempuan: 50.0% (6 / 12)" in svg


def test_every_text_is_escaped() -> None:
    evil = '<script>alert("x")</script>'
    bars = charts.grouped_bars(
        "c1", [evil], [charts.Series("s", evil, [3], charts.BRAND)], title=evil, desc=evil, axis_label=evil
    )
    shares = charts.share_bars("c2", [charts.Bar("k", evil, 10.0, evil)], evil, evil)
    tiles = charts.province_tiles("c3", {"32": 5}, {"32": evil}, evil, evil, evil, evil)
    for svg in (bars, shares, tiles):
        assert "<script" not in svg
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in svg


def test_province_tiles_carry_their_shade_step_and_value() -> None:
    areas = [
        {"code": "32", "name": "Jawa Barat", "recipients": 100},
        {"code": "35", "name": "Jawa Timur", "recipients": 41},
        {"code": "11", "name": "Aceh", "recipients": 1},
    ]
    svg = report_charts.province_map(areas)
    assert len(re.findall(r'<g class="chart-tile ', svg)) == 38 == len(charts.PROVINCE_TILES)
    assert attr(svg, 'data-province="32"', "class") == "chart-tile chart-shade-5"
    assert attr(svg, 'data-province="32"', "data-value") == "100"
    assert attr(svg, 'data-province="35"', "data-step") == "3"  # 41/100 -> third fifth
    assert attr(svg, 'data-province="11"', "data-step") == "1"
    assert attr(svg, 'data-province="91"', "data-step") == "0"  # no recipients
    assert "<title>32 Jawa Barat: 100</title>" in svg
    assert ">JB</text>" in svg
    # legend: none + five steps, the last one ending at the largest count
    assert len(re.findall(r'class="chart-legend chart-shade-\d"', svg)) == 6
    assert "81–100" in svg
    assert "32 Jawa Barat: 100; 35 Jawa Timur: 41; 11 Aceh: 1" in svg  # the numbers in <desc>


def test_shade_steps_and_tile_layout() -> None:
    assert [charts.shade_step(v, 100) for v in (0, 1, 20, 21, 40, 60, 80, 81, 100)] == [0, 1, 1, 2, 2, 3, 4, 5, 5]
    assert charts.shade_step(7, 0) == 0
    assert charts.step_bounds(100) == [(1, 20), (21, 40), (41, 60), (61, 80), (81, 100)]
    cells = [(c, r) for _, c, r in charts.PROVINCE_TILES.values()]
    assert len(set(cells)) == 38, "two provinces share a tile"
    assert len({a for a, _, _ in charts.PROVINCE_TILES.values()}) == 38


def test_charts_are_accessible_and_have_no_inline_style() -> None:
    shares = [Share("women", 1, 2)]
    svgs = {
        "chart-batches": report_charts.batch_chart([{"batch_number": 1, "recipients": 3, "completions": 1}]),
        "chart-profile": report_charts.profile_chart(shares),
        "chart-provinces": report_charts.province_map([{"code": "31", "name": "DKI", "recipients": 3}]),
    }
    for cid, svg in svgs.items():
        assert svg.startswith("<svg ")
        assert 'role="img"' in svg
        assert f'aria-labelledby="{cid}-title {cid}-desc"' in svg
        assert f'<title id="{cid}-title">' in svg and f'<desc id="{cid}-desc">' in svg
        assert "style=" not in svg and "<style" not in svg and "<script" not in svg


def figures(batch: int, regency: str, recipients: int, completions: int) -> None:
    RegionBatchFigures.objects.create(
        batch_number=batch,
        regency_code=regency,
        province_code=regency[:2],
        applicants=recipients,
        eligible=recipients,
        recipients=recipients,
        completions=completions,
        women=recipients // 2,
    )


@pytest.mark.django_db
def test_dashboard_shows_the_charts(staff_client: Any) -> None:
    figures(1, "3273", 40, 30)  # Kota Bandung, Jawa Barat
    figures(2, "3273", 60, 10)
    figures(2, "3578", 10, 5)  # Surabaya, Jawa Timur
    response = staff_client("ministry").get(reverse("reports:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<svg ") == 3
    assert "style=" not in html
    batches = html[html.index('data-chart="chart-batches"') :]
    assert height(bar(batches, "recipients", "2")) == charts.PLOT_H  # 70, the largest
    assert height(bar(batches, "recipients", "1")) == pytest.approx(charts.PLOT_H * 40 / 70, abs=0.01)
    assert attr(html, 'data-province="32"', "data-value") == "100"
    assert attr(html, 'data-province="32"', "data-step") == "5"
    assert attr(html, 'data-province="35"', "data-step") == "1"
    assert attr(html, 'data-share="women"', "data-percent") == "50.0"  # 55 of 110
    # the same numbers stay in the tables
    assert 'data-region="32"' in html and 'data-batch="2"' in html


@pytest.mark.django_db
def test_regency_level_dashboard_has_no_province_map(staff_client: Any) -> None:
    figures(1, "3273", 40, 30)
    response = staff_client("regional", "32").get(reverse("reports:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<svg ") == 2
    assert "chart-provinces" not in html
