"""Plotly figures built from stored rows (entries and snapshots), never from a recompute.

Each function returns a `Chart`: the figure as JSON-ready data, which the page puts in a
`<script type="application/json">` data block (`dashboard/_chart.html`, Django's json_script)
for one static script, `dashboard/charts.js`, to draw with Plotly. No chart needs an inline
script, so the Content-Security-Policy can forbid them. The page loads Plotly's JavaScript
once from the app's own static files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
import plotly.graph_objects as go
import plotly.io
from django.utils.translation import gettext as _

from targets import progress
from targets.language import active_language, is_chinese
from targets.models import Observation, Snapshot, Target
from targets.progress import running_sum_bounds
from targets.units import YI_YUAN_PER_BILLION_RMB, Unit, format_quantity, is_money

STATUS_COLOURS = {
    Snapshot.Status.ACHIEVED: "#1b5e20",
    Snapshot.Status.ON_TRACK: "#2e7d32",
    Snapshot.Status.NEEDS_ACCELERATION: "#b26a00",
    Snapshot.Status.OFF_TRACK: "#c62828",
    Snapshot.Status.MOVING_AWAY: "#6a1b9a",
    Snapshot.Status.MISSED: "#4e342e",
    Snapshot.Status.NOT_DETERMINED: "#8d6e63",
    Snapshot.Status.NO_DATA: "#757575",
    "not_computed": "#bdbdbd",
}
MEASURE_COLOURS = {
    "not_reported": "#cfd8dc", "not_started": "#9e9e9e", "in_progress": "#1565c0", "completed": "#2e7d32",
    "delayed": "#c62828",
}
FONT = "system-ui, 'Noto Sans CJK SC', 'Noto Sans SC', 'Microsoft YaHei', sans-serif"
CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}


def _axis(unit: str) -> tuple[Decimal, str]:
    """Divisor and axis title for a unit in the reader's conventions (亿元 or RMB billion)."""
    if is_money(unit) and not is_chinese():
        return YI_YUAN_PER_BILLION_RMB, _("RMB billion")
    if is_chinese():
        return Decimal(1), format_quantity(0, unit, "zh-hans").removeprefix("0").strip()
    return Decimal(1), str(Unit(unit).label) if unit in Unit.values else unit


def _layout(fig: go.Figure, *, title: str, y_title: str, height: int = 380) -> None:
    fig.update_layout(
        # No Plotly theme: its ~7 KB of JSON would ride along with every chart; the few
        # styles needed are set here.
        template="none",
        title={"text": title, "x": 0, "font": {"size": 15}},
        font={"family": FONT, "size": 12},
        height=height,
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.15},
        yaxis={"title": {"text": y_title}, "separatethousands": True, "rangemode": "tozero"},
        plot_bgcolor="#ffffff",
        hovermode="closest",
    )
    fig.update_xaxes(gridcolor="#eeeeee")
    fig.update_yaxes(gridcolor="#eeeeee")


@dataclass(frozen=True)
class Chart:
    element_id: str
    figure: dict  # {"data": [...], "layout": {...}, "config": {...}}, as Plotly.newPlot takes them

    @property
    def data_id(self) -> str:
        return f"{self.element_id}-figure"


def _chart(fig: go.Figure, *, div_id: str) -> Chart:
    # Plotly's own encoder (dates, NumPy arrays as typed arrays), read back as plain data so
    # that json_script can escape it for the page.
    figure = json.loads(plotly.io.to_json(fig, validate=False))
    return Chart(element_id=div_id, figure={"data": figure["data"], "layout": figure["layout"], "config": CONFIG})


def reported_points(*, target: Target, entries: list[Observation]) -> pd.DataFrame:
    """One row per entry with the level it stands for (the reported level for a `latest`
    target, the baseline plus the running sum for a `sum` target) and its bound: the
    figure's own qualifier for a level, the engine's rule (`running_sum_bounds`) for a sum,
    so that a point is drawn as a bound exactly when its snapshot says it is one."""
    frame = pd.DataFrame(
        [
            {"period_end": e.period_end, "value": float(e.value), "qualifier": e.qualifier, "synthetic": e.is_synthetic}
            for e in entries
        ],
        columns=["period_end", "value", "qualifier", "synthetic"],
    )
    if target.aggregation == progress.SUM:
        start = float(target.baseline_value or 0)
        frame["level"] = start + frame["value"].cumsum()
        frame["bound"] = running_sum_bounds(frame["qualifier"])
    else:
        frame["level"] = frame["value"]
        frame["bound"] = frame["qualifier"]
    frame["lower_bound"] = frame["bound"] == Observation.Qualifier.AT_LEAST
    frame["upper_bound"] = frame["bound"] == Observation.Qualifier.AT_MOST
    return frame


def target_figure(*, target: Target, entries: list[Observation], snapshot: Snapshot | None) -> Chart:
    """Reported values (bounds and synthetic figures marked; figures of another definition
    apart, as context), the straight trajectory from baseline to target, the target at its
    date, and the snapshot's forecast."""
    due = target.due_date
    own = [entry for entry in entries if getattr(entry, "counts", True)]
    others = [entry for entry in entries if not getattr(entry, "counts", True)]
    divisor, y_title = _axis(target.unit)
    language = active_language()
    fig = go.Figure()
    target_value = float(target.target_value / divisor) if target.target_value is not None else None

    if target.baseline_value is not None and target_value is not None:
        fig.add_trace(go.Scatter(
            x=[target.baseline_date, due],
            y=[float(target.baseline_value / divisor), target_value],
            mode="lines", name=_("Straight path from baseline to target"),
            line={"dash": "dash", "color": "#9e9e9e"}, hoverinfo="skip",
        ))
    if target_value is not None:
        fig.add_trace(go.Scatter(
            x=[due], y=[target_value], mode="markers+text", name=_("Target"),
            marker={"symbol": "star", "size": 16, "color": "#1565c0"},
            text=[format_quantity(target.target_value, target.unit, language)], textposition="top left",
            hovertemplate="%{text}<extra></extra>",
        ))
        fig.add_hline(y=target_value, line={"dash": "dot", "color": "#1565c0", "width": 1})

    points = reported_points(target=target, entries=own)
    if not points.empty:
        points["shown"] = points["level"] / float(divisor)
        signs = {Observation.Qualifier.AT_LEAST: "≥ ", Observation.Qualifier.AT_MOST: "≤ "}
        points["label"] = [
            signs.get(bound, "") + format_quantity(Decimal(str(level)), target.unit, language)
            for level, bound in zip(points["level"], points["bound"], strict=True)
        ]
        line_x, line_y = list(points["period_end"]), list(points["shown"])
        if target.aggregation == progress.SUM and target.baseline_value is not None:
            # A running sum starts from the baseline: draw the line from there.
            line_x.insert(0, target.baseline_date)
            line_y.insert(0, float(target.baseline_value / divisor))
        fig.add_trace(go.Scatter(
            x=line_x, y=line_y, mode="lines", showlegend=False,
            line={"color": "#263238", "width": 1}, hoverinfo="skip",
        ))
        exact = ~points["lower_bound"] & ~points["upper_bound"]
        groups = [
            (~points["synthetic"] & exact, _("Reported value"), "circle", "#263238"),
            (~points["synthetic"] & points["lower_bound"], _("Lower bound (source says “more than”)"), "triangle-up", "#263238"),
            (~points["synthetic"] & points["upper_bound"], _("Upper bound (source says “less than”)"), "triangle-down", "#263238"),
            (points["synthetic"], _("Synthetic demo figure (not official)"), "circle-open", "#e65100"),
        ]
        for mask, name, symbol, colour in groups:
            part = points[mask]
            if part.empty:
                continue
            fig.add_trace(go.Scatter(
                x=part["period_end"], y=part["shown"], mode="markers", name=name,
                marker={"symbol": symbol, "size": 11, "color": colour, "line": {"width": 2, "color": colour}},
                text=part["label"], hovertemplate="%{x|%Y-%m-%d}: %{text}<extra>" + name + "</extra>",
            ))

    if others:
        name = _("Figure of another definition (context, not part of the status)")
        fig.add_trace(go.Scatter(
            x=[e.period_end for e in others], y=[float(e.value / divisor) for e in others], mode="markers",
            name=name, marker={"symbol": "x", "size": 10, "color": "#8d6e63"},
            text=[format_quantity(e.value, target.unit, language) for e in others],
            hovertemplate="%{x|%Y-%m-%d}: %{text}<extra>" + name + "</extra>",
        ))

    # A forecast is drawn only from a data point before the target date: afterwards the
    # reported figure itself says where the target ended up.
    if (
        snapshot is not None and snapshot.forecast_value is not None and snapshot.attained is not None
        and snapshot.data_date and snapshot.data_date < due
    ):
        fig.add_trace(go.Scatter(
            x=[snapshot.data_date, due],
            y=[float(snapshot.attained / divisor), float(snapshot.forecast_value / divisor)],
            mode="lines+markers", name=_("Forecast from the trend"),
            line={"dash": "dot", "color": "#6a1b9a"}, marker={"symbol": "diamond", "size": 8},
            hovertemplate="%{x|%Y-%m-%d}: %{y:,.2f}<extra></extra>",
        ))
    if snapshot is not None:
        fig.add_vline(x=pd.Timestamp(snapshot.as_of).timestamp() * 1000, line={"color": "#bdbdbd", "width": 1})
    _layout(fig, title=_("Reported values, path and target"), y_title=y_title)
    return _chart(fig, div_id=f"chart-values-{target.code}")


def history_figure(*, target: Target, history: list[Snapshot]) -> Chart:
    """Progress and expected progress at each past snapshot, as shares of the way."""
    frame = pd.DataFrame(
        [{"as_of": s.as_of, "progress": s.progress, "expected": s.expected} for s in history],
        columns=["as_of", "progress", "expected"],
    )
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=frame["as_of"], y=frame["progress"] * 100, mode="lines+markers", name=_("Progress"),
        line={"color": "#1565c0"}, hovertemplate="%{x|%Y-%m-%d}: %{y:,.0f} %<extra></extra>",
    ))
    fig.add_trace(go.Scatter(
        x=frame["as_of"], y=frame["expected"] * 100, mode="lines", name=_("Expected by then"),
        line={"color": "#9e9e9e", "dash": "dash"}, hovertemplate="%{x|%Y-%m-%d}: %{y:,.0f} %<extra></extra>",
    ))
    fig.add_hline(y=100, line={"dash": "dot", "color": "#1b5e20", "width": 1})
    _layout(fig, title=_("Progress over time (share of the way from baseline to target)"), y_title="%", height=320)
    fig.update_yaxes(rangemode="normal")
    return _chart(fig, div_id=f"chart-history-{target.code}")


def status_figure(*, status_counts: list[tuple[str, str, int]]) -> Chart:
    """Number of targets in each status, for the overview."""
    labels = [str(label) for _status, label, _count in status_counts]
    fig = go.Figure(go.Bar(
        x=[count for *_rest, count in status_counts], y=labels, orientation="h",
        marker={"color": [STATUS_COLOURS[status] for status, *_rest in status_counts]},
        text=[count for *_rest, count in status_counts], textposition="outside",
        hovertemplate="%{y}: %{x}<extra></extra>",
    ))
    _layout(fig, title=_("Targets per status"), y_title="", height=300)
    fig.update_yaxes(autorange="reversed", rangemode="normal", automargin=True)
    fig.update_xaxes(title={"text": _("targets")}, dtick=1, rangemode="tozero")
    fig.update_layout(showlegend=False, margin={"l": 20})
    return _chart(fig, div_id="chart-status")


def measures_figure(*, areas, status_labels: list[tuple[str, str]]) -> Chart:
    """Measures per status in each work area, stacked."""
    names = [f"{a.area.number}. {a.area.localized('title')}" for a in areas]
    fig = go.Figure()
    for status, label in status_labels:
        counts = [a.status_counts.get(status, 0) for a in areas]
        if not any(counts):
            continue
        fig.add_trace(go.Bar(
            y=names, x=counts, name=str(label), orientation="h",
            marker={"color": MEASURE_COLOURS.get(status, "#757575")},
            hovertemplate="%{y}: %{x}<extra>" + str(label) + "</extra>",
        ))
    _layout(fig, title=_("Measures per status in each work area"), y_title="", height=120 + 45 * max(len(names), 1))
    # A legend even for one status: the colour alone must not carry the meaning.
    fig.update_layout(barmode="stack", margin={"l": 20}, showlegend=True)
    fig.update_yaxes(autorange="reversed", rangemode="normal", automargin=True)
    fig.update_xaxes(title={"text": _("measures")}, dtick=1)
    return _chart(fig, div_id="chart-measures")

