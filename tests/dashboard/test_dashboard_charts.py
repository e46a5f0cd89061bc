"""The figures are built from stored rows: levels for sums, bounds and synthetic marks."""

import base64
import datetime as dt
import json
import re
from decimal import Decimal
from types import SimpleNamespace

import numpy as np
import pytest
from django.template.loader import render_to_string
from django.utils import translation

from dashboard.charts import measures_figure, reported_points, target_figure
from targets.models import Indicator, Observation, Target
from tests.factories import AreaFactory, ObservationFactory, SnapshotFactory, TargetFactory

pytestmark = pytest.mark.django_db


def figure_data(chart):
    """The traces Plotly.newPlot receives, read back from the page's JSON data block as the
    browser reads it, with typed arrays (base64) decoded to lists."""
    html = render_to_string("site_shell/_chart.html", {"chart": chart})
    block = re.search(r'<script id="([^"]+)" type="application/json">(.*?)</script>', html, re.S)
    assert block.group(1) == chart.data_id and f'data-plotly-figure="{chart.data_id}"' in html
    traces = json.loads(block.group(2))["data"]
    for trace in traces:
        for key, value in trace.items():
            if isinstance(value, dict) and "bdata" in value:
                trace[key] = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
    return traces


def test_a_sum_target_shows_running_totals_and_a_bound_stays_a_bound():
    target = TargetFactory(aggregation="sum", baseline_value=Decimal("10"))
    entries = [
        ObservationFactory(target=target, period_end=dt.date(2020, 12, 31), value=Decimal("40")),
        ObservationFactory(target=target, period_end=dt.date(2021, 12, 31), value=Decimal("30"),
                             qualifier=Observation.Qualifier.AT_LEAST),
        ObservationFactory(target=target, period_end=dt.date(2022, 12, 31), value=Decimal("20")),
    ]

    points = reported_points(target=target, entries=entries)

    assert list(points["level"]) == [50, 80, 100]
    assert list(points["lower_bound"]) == [False, True, True]


def test_a_level_target_shows_each_figure_as_reported():
    target = TargetFactory(aggregation="latest", baseline_value=None)
    entries = [
        ObservationFactory(target=target, period_end=dt.date(2020, 12, 31), value=Decimal("1500"),
                             qualifier=Observation.Qualifier.AT_LEAST),
        ObservationFactory(target=target, period_end=dt.date(2021, 12, 31), value=Decimal("1200")),
    ]

    points = reported_points(target=target, entries=entries)

    assert list(points["level"]) == [1500, 1200]
    assert list(points["lower_bound"]) == [True, False]


def test_the_figure_separates_bounds_and_synthetic_figures_and_shows_money_in_the_readers_unit():
    target = TargetFactory(unit="yi_yuan", aggregation="latest",
                           baseline_value=Decimal("1157.69"), target_value=Decimal("2000"))
    entries = [
        ObservationFactory(target=target, period_end=dt.date(2020, 12, 31), value=Decimal("1500"),
                             qualifier=Observation.Qualifier.AT_LEAST),
        ObservationFactory(target=target, period_end=dt.date(2021, 12, 31), value=Decimal("1700"),
                             is_synthetic=True),
    ]
    snapshot = SnapshotFactory(target=target, attained=Decimal("1700"), data_date=dt.date(2021, 12, 31),
                               forecast_value=Decimal("2100"))

    with translation.override("en"):
        traces = {trace.get("name"): trace for trace in figure_data(
            target_figure(target=target, entries=entries, snapshot=snapshot))}

    assert traces["Lower bound (source says “more than”)"]["y"] == [150.0]  # RMB billion
    assert traces["Lower bound (source says “more than”)"]["text"] == ["≥ RMB 150 billion"]
    assert traces["Synthetic demo figure (not official)"]["y"] == [170.0]
    assert "Reported value" not in traces  # no exact published figure here
    assert traces["Forecast from the trend"]["y"] == [170.0, 210.0]
    assert traces["Straight path from baseline to target"]["y"] == [115.769, 200.0]

    with translation.override("zh-hans"):
        traces = {trace.get("name"): trace for trace in figure_data(
            target_figure(target=target, entries=entries, snapshot=snapshot))}
    assert traces["下限（来源称“超过”）"]["text"] == ["≥ 1,500 亿元"]
    assert traces["下限（来源称“超过”）"]["y"] == [1500.0]  # 亿元, as the Chinese sources count


def test_a_chart_is_a_json_data_block_and_never_an_inline_script():
    """Text from the database (an area's title) stays data, even when it looks like markup."""
    area = AreaFactory(title_en="</script><script>alert(1)</script>")
    with translation.override("en"):
        chart = measures_figure(areas=[SimpleNamespace(area=area, status_counts={"in_progress": 2})],
                                status_labels=[("in_progress", "in progress")])
        html = render_to_string("site_shell/_chart.html", {"chart": chart})

    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts == [f' id="{chart.data_id}" type="application/json"']  # data, not code
    assert "alert(1)" in figure_data(chart)[0]["y"][0].replace("<br>", "")  # long labels wrap
    assert chart.figure["config"]["displaylogo"] is False


@pytest.mark.parametrize(
    "qualifiers",
    [
        ["exact", "partial_period"],  # a partial period understates: the sum is a lower bound
        ["at_least", "at_most"],  # lower and upper bounds together: read as exact
        ["at_most", "exact"],  # an upper bound
        ["exact", "at_least", "exact"],
    ],
)
def test_a_chart_point_is_a_bound_exactly_when_the_snapshot_says_so(qualifiers):
    """The chart and the engine follow one rule for the bound of a running sum
    (targets.progress.sum_bound): the last point and the snapshot always agree."""
    from targets import progress

    indicator = Indicator(code="patents", kind=Indicator.Kind.FLOW, unit="patent")
    target = Target(pk=1, code="patents", indicator=indicator, baseline_value=Decimal("0"),
                    target_value=Decimal("300"), baseline_date=dt.date(2019, 12, 31))
    days = [dt.date(2020 + i, 12, 31) for i in range(len(qualifiers))]
    entries = [Observation(indicator=indicator, period_end=day, value=Decimal("50"), qualifier=qualifier)
               for day, qualifier in zip(days, qualifiers, strict=True)]
    row = progress.snapshots_compute(
        targets=[{
            "id": 1, "objective_id": 1, "plan_id": 1, "kind": "quantitative", "target_value": Decimal("300"),
            "baseline_value": Decimal("0"), "baseline_date": dt.date(2019, 12, 31), "direction": "at_least",
            "aggregation": "sum", "target_date": dt.date(2023, 12, 31),
            "on_track_threshold": Decimal("0.95"), "acceleration_threshold": Decimal("0.6"),
        }],
        entries=progress.entries_frame([(1, e.period_end, float(e.value), e.qualifier, False) for e in entries]),
        item_statuses={}, as_of=days[-1],
    )[0]

    points = reported_points(target=target, entries=entries)

    last = points.iloc[-1]
    assert last["bound"] == row["attained_qualifier"]
    assert bool(last["lower_bound"]) == (row["attained_qualifier"] == "at_least")
    assert bool(last["upper_bound"]) == (row["attained_qualifier"] == "at_most")


def test_a_missing_value_is_a_gap_in_strict_json_not_nan():
    """Figures are plain data; a snapshot without an expected share is null (a gap in the
    line), since NaN is not JSON and the browser's JSON.parse would refuse the whole chart."""
    from dashboard.charts import history_figure
    from snapshots.models import Snapshot

    history = [Snapshot(as_of=dt.date(2020, 12, 31), progress=0.1, expected=None),
               Snapshot(as_of=dt.date(2021, 12, 31), progress=0.4, expected=0.5)]
    chart = history_figure(target=TargetFactory.build(code="t"), history=history)
    html = render_to_string("site_shell/_chart.html", {"chart": chart})
    block = re.search(r'type="application/json">(.*?)</script>', html, re.S).group(1)

    def refuse(constant):
        raise AssertionError(f"{constant} in the chart's JSON")

    traces = json.loads(block, parse_constant=refuse)["data"]
    assert traces[0]["x"] == ["2020-12-31", "2021-12-31"]
    assert traces[1]["y"] == [None, 50.0]


def test_the_caption_describes_only_what_the_chart_draws():
    """No forecast (data after the target date) and no synthetic figure: the caption mentions
    neither the purple line nor the orange dots; with them drawn, it does."""
    target = TargetFactory(aggregation="latest", baseline_value=Decimal("10"), target_value=Decimal("20"),
                           target_date=dt.date(2021, 6, 30))
    entries = [ObservationFactory(target=target, period_end=dt.date(2021, 12, 31), value=Decimal("15"))]
    snapshot = SnapshotFactory(target=target, attained=Decimal("15"), data_date=dt.date(2021, 12, 31),
                               forecast_value=Decimal("16"))

    with translation.override("en"):
        chart = target_figure(target=target, entries=entries, snapshot=snapshot)
    drawn = {trace.get("name") for trace in figure_data(chart)}
    assert "Forecast from the trend" not in drawn
    assert "purple" not in chart.caption and "orange" not in chart.caption and "triangle" not in chart.caption
    assert chart.caption.startswith("The dashed grey line") and "dots are reported figures" in chart.caption

    target.target_date = dt.date(2025, 12, 31)
    entries.append(ObservationFactory(target=target, period_end=dt.date(2020, 12, 31), value=Decimal("12"),
                                      is_synthetic=True, qualifier=Observation.Qualifier.EXACT))
    with translation.override("zh-hans"):
        chart = target_figure(target=target, entries=entries, snapshot=snapshot)
    assert "紫色点线为按趋势的预测" in chart.caption and "橙色空心圆为合成演示数据" in chart.caption
    assert "向上三角形" not in chart.caption and chart.caption.endswith("。")


def test_the_indicator_caption_names_stars_only_when_a_target_is_drawn():
    from dashboard.charts import indicator_figure

    target = TargetFactory()
    figure = ObservationFactory(target=target)
    with translation.override("en"):
        alone = indicator_figure(detail=SimpleNamespace(indicator=figure.indicator, observations=[figure], targets=[]))
        with_target = indicator_figure(detail=SimpleNamespace(indicator=figure.indicator, observations=[figure],
                                                              targets=[target]))

    assert alone.caption == "Dots joined by a line are the figures of its own definition."
    assert "star" not in alone.caption and "cross" not in alone.caption
    assert "each star is a plan's target" in with_target.caption
