"""Plotly figures built from stored rows (entries and snapshots), never from a recompute.

Each function returns a `Chart` (`site_shell.charts`, with the common styles): the figure as plain JSON-ready data (traces and layout as
dicts and lists, as `Plotly.newPlot` takes them), which the page puts in a
`<script type="application/json">` data block (`site_shell/_chart.html`, Django's json_script)
for one static script, `site_shell/charts.js`, to draw with Plotly. No chart needs an inline
script, so the Content-Security-Policy can forbid them. The page loads Plotly's JavaScript
once from the app's own static files.

The figures are written as dicts, not built with `plotly.graph_objects`: its validation of
every property cost more than the rest of a target's page (a profile of the page render),
and the browser's plotly.js validates what it draws anyway. Missing values are `None`
(JSON null: a gap in a line), never NaN, which JSON cannot hold.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

import pandas as pd
from django.utils.translation import gettext as _

from site_shell.charts import CONFIG, FONT, GRID, Chart
from snapshots.models import Snapshot
from targets import progress
from targets.language import active_language, is_chinese
from targets.models import Observation, Target
from targets.progress import running_sum_bounds
from targets.scopes import scope_name
from targets.units import YI_YUAN_PER_BILLION_RMB, Unit, format_quantity, is_money

STATUS_COLOURS = {
    Snapshot.Status.ACHIEVED: "#1b5e20",
    Snapshot.Status.ON_TRACK: "#2e7d32",
    Snapshot.Status.NEEDS_ACCELERATION: "#b26a00",
    Snapshot.Status.OFF_TRACK: "#c62828",
    Snapshot.Status.MOVING_AWAY: "#6a1b9a",
    Snapshot.Status.NOT_ACHIEVED: "#4e342e",
    Snapshot.Status.NOT_DETERMINED: "#8d6e63",
    Snapshot.Status.NO_DATA: "#757575",
    "not_computed": "#bdbdbd",
}
MEASURE_COLOURS = {
    "not_reported": "#cfd8dc", "not_started": "#9e9e9e", "in_progress": "#1565c0", "completed": "#2e7d32",
    "delayed": "#c62828",
}


def _axis(unit: str) -> tuple[Decimal, str]:
    """Divisor and axis title for a unit in the reader's conventions (亿元 or RMB billion)."""
    if is_money(unit) and not is_chinese():
        return YI_YUAN_PER_BILLION_RMB, _("RMB billion")
    if is_chinese():
        return Decimal(1), format_quantity(0, unit, "zh-hans").removeprefix("0").strip()
    return Decimal(1), str(Unit(unit).label) if unit in Unit.values else unit


def _layout(*, title: str, y_title: str, height: int = 380) -> dict:
    # No Plotly theme (template): plotly.js's own defaults, and the few styles needed set here.
    return {
        "title": {"text": title, "x": 0, "font": {"size": 15}},
        "font": {"family": FONT, "size": 12},
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 50, "b": 40},
        "legend": {"orientation": "h", "y": -0.15},
        "xaxis": {"gridcolor": GRID},
        "yaxis": {"title": {"text": y_title}, "separatethousands": True, "rangemode": "tozero", "gridcolor": GRID},
        "plot_bgcolor": "#ffffff",
        "hovermode": "closest",
    }


def _hline(y: float, **line) -> dict:
    """A horizontal line across the whole plot (what Plotly's add_hline draws)."""
    return {"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y", "y0": y, "y1": y, "line": line}


def _vline(x: str, **line) -> dict:
    return {"type": "line", "xref": "x", "x0": x, "x1": x, "yref": "y domain", "y0": 0, "y1": 1, "line": line}


def _day(value: date) -> str:
    return value.isoformat()


def _number(value) -> float | None:
    """A float for the chart, or None (a gap) where there is no number."""
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


# Longer legend entries and titles are broken into lines: Plotly does not wrap them, and a
# phone's chart is about 50 characters wide.
LEGEND_WIDTH, TITLE_WIDTH = 40, 44


def _chart(*, data: list[dict], layout: dict, div_id: str, caption: str = "") -> Chart:
    for trace in data:
        if _width(trace.get("name", "")) > LEGEND_WIDTH:
            trace["name"] = _wrap(trace["name"], LEGEND_WIDTH)
    title = layout["title"]["text"]
    if _width(title) > TITLE_WIDTH:
        layout["title"]["text"] = _wrap(title, TITLE_WIDTH)
        layout["margin"]["t"] += 18 * layout["title"]["text"].count("<br>")
    return Chart(element_id=div_id, figure={"data": data, "layout": layout, "config": CONFIG}, caption=caption)


def hover_date() -> str:
    """The hover labels' date in the pages' format for the reader's language (d3-time-format):
    "31 Dec 2019" or "2019年12月31日", as DATE_FORMAT writes it (hangzhou_ai_zone/formats)."""
    return "%Y年%-m月%-d日" if is_chinese() else "%-d %b %Y"


def _caption(parts: list[str]) -> str:
    """The parts of a caption as one sentence in the reader's language."""
    if not parts:
        return ""
    separator = "；" if is_chinese() else "; "
    end = "。" if is_chinese() else "."
    text = separator.join(parts)
    return text[0].upper() + text[1:] + end if not is_chinese() else text + end


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
    data, shapes, parts = [], [], []
    target_value = float(target.target_value / divisor) if target.target_value is not None else None

    if target.baseline_value is not None and target_value is not None:
        data.append({
            "type": "scatter", "x": [_day(target.baseline_date), _day(due)],
            "y": [float(target.baseline_value / divisor), target_value],
            "mode": "lines", "name": _("Straight path from baseline to target"),
            "line": {"dash": "dash", "color": "#9e9e9e"}, "hoverinfo": "skip",
        })
        parts.append(_("the dashed grey line is the straight path from baseline to target"))
    if target_value is not None:
        data.append({
            "type": "scatter", "x": [_day(due)], "y": [target_value], "mode": "markers+text",
            "name": _("Target"), "marker": {"symbol": "star", "size": 16, "color": "#1565c0"},
            "text": [format_quantity(target.target_value, target.unit, language)], "textposition": "top left",
            "hovertemplate": "%{text}<extra></extra>",
        })
        shapes.append(_hline(target_value, dash="dot", color="#1565c0", width=1))
        parts.append(_("the blue star is the target"))

    points = reported_points(target=target, entries=own)
    if not points.empty:
        signs = {Observation.Qualifier.AT_LEAST: "≥ ", Observation.Qualifier.AT_MOST: "≤ "}
        rows = [
            {
                "x": _day(period_end), "y": _number(level / float(divisor)),
                "label": signs.get(bound, "") + format_quantity(Decimal(str(level)), target.unit, language),
                "synthetic": bool(synthetic), "lower": bool(lower), "upper": bool(upper),
            }
            for period_end, level, bound, synthetic, lower, upper in zip(
                points["period_end"], points["level"], points["bound"], points["synthetic"],
                points["lower_bound"], points["upper_bound"], strict=True,
            )
        ]
        line_x, line_y = [row["x"] for row in rows], [row["y"] for row in rows]
        if target.aggregation == progress.SUM and target.baseline_value is not None:
            # A running sum starts from the baseline: draw the line from there.
            line_x.insert(0, _day(target.baseline_date))
            line_y.insert(0, float(target.baseline_value / divisor))
        data.append({
            "type": "scatter", "x": line_x, "y": line_y, "mode": "lines", "showlegend": False,
            "line": {"color": "#263238", "width": 1}, "hoverinfo": "skip",
        })
        groups = [
            (lambda r: not r["synthetic"] and not r["lower"] and not r["upper"], _("Reported value"), "circle", "#263238",
             _("dots are reported figures")),
            (lambda r: not r["synthetic"] and r["lower"], _("Lower bound (source says “more than”)"), "triangle-up", "#263238",
             _("upward triangles are lower bounds")),
            (lambda r: not r["synthetic"] and r["upper"], _("Upper bound (source says “less than”)"), "triangle-down", "#263238",
             _("downward triangles are upper bounds")),
            (lambda r: r["synthetic"], _("Synthetic demo figure (not official)"), "circle-open", "#e65100",
             _("open orange dots are synthetic demo figures")),
        ]
        for belongs, name, symbol, colour, described in groups:
            part = [row for row in rows if belongs(row)]
            if not part:
                continue
            parts.append(described)
            data.append({
                "type": "scatter", "x": [row["x"] for row in part], "y": [row["y"] for row in part],
                "mode": "markers", "name": name,
                "marker": {"symbol": symbol, "size": 11, "color": colour, "line": {"width": 2, "color": colour}},
                "text": [row["label"] for row in part],
                "hovertemplate": "%{x|" + hover_date() + "}: %{text}<extra>" + name + "</extra>",
            })

    if others:
        name = _("Figure of another definition (context, not part of the status)")
        data.append({
            "type": "scatter", "x": [_day(e.period_end) for e in others],
            "y": [float(e.value / divisor) for e in others], "mode": "markers", "name": name,
            "marker": {"symbol": "x", "size": 10, "color": "#8d6e63"},
            "text": [format_quantity(e.value, target.unit, language) for e in others],
            "hovertemplate": "%{x|" + hover_date() + "}: %{text}<extra>" + name + "</extra>",
        })
        parts.append(_("brown crosses are figures of another definition, shown as context only"))

    # A forecast is drawn only from a data point before the target date: afterwards the
    # reported figure itself says where the target ended up.
    if (
        snapshot is not None and snapshot.forecast_value is not None and snapshot.attained is not None
        and snapshot.data_date and snapshot.data_date < due
    ):
        data.append({
            "type": "scatter", "x": [_day(snapshot.data_date), _day(due)],
            "y": [float(snapshot.attained / divisor), float(snapshot.forecast_value / divisor)],
            "mode": "lines+markers", "name": _("Forecast from the trend"),
            "line": {"dash": "dot", "color": "#6a1b9a"}, "marker": {"symbol": "diamond", "size": 8},
            "hovertemplate": "%{x|" + hover_date() + "}: %{y:,.2f}<extra></extra>",
        })
        parts.append(_("the dotted purple line is the forecast from the trend"))
    if snapshot is not None:
        shapes.append(_vline(_day(snapshot.as_of), color="#bdbdbd", width=1))
        parts.append(_("the thin grey vertical line is the chosen date"))
    layout = _layout(title=_("Reported values, path and target"), y_title=y_title)
    if shapes:
        layout["shapes"] = shapes
    return _chart(data=data, layout=layout, div_id=f"chart-values-{target.code}", caption=_caption(parts))


def history_figure(*, target: Target, history: list[Snapshot]) -> Chart:
    """Progress and expected progress at each past snapshot, as shares of the way."""
    days = [_day(snapshot.as_of) for snapshot in history]

    def percent(share):
        return None if share is None else share * 100

    hover = "%{x|" + hover_date() + "}: %{y:,.0f} %<extra></extra>"
    data = [
        {"type": "scatter", "x": days, "y": [percent(s.progress) for s in history], "mode": "lines+markers",
         "name": _("Progress"), "line": {"color": "#1565c0"}, "hovertemplate": hover},
        {"type": "scatter", "x": days, "y": [percent(s.expected) for s in history], "mode": "lines",
         "name": _("Expected by then"), "line": {"color": "#9e9e9e", "dash": "dash"}, "hovertemplate": hover},
    ]
    layout = _layout(title=_("Progress over time (share of the way from baseline to target)"), y_title="%",
                     height=320)
    layout["yaxis"]["rangemode"] = "normal"
    layout["shapes"] = [_hline(100, dash="dot", color="#1b5e20", width=1)]
    return _chart(data=data, layout=layout, div_id=f"chart-history-{target.code}")


def _count_step(top: int) -> int:
    """A whole step between the count axis's numbers giving at most about five of them, so
    that they stay level and apart on a phone (a step of 1 up to 15 jammed them together):
    1, 2, 5, 10, 20, 50..."""
    step = 1
    while top / step > 5:
        step = step * 5 // 2 if str(step).startswith("2") else step * 2
    return step


def _width(text: str) -> int:
    """Display width: a Chinese character takes about two Latin ones."""
    return sum(2 if ord(char) >= 0x2E80 else 1 for char in text)


def _wrap(label: str, width: int = 16) -> str:
    """A label broken into lines (<br>, which Plotly draws) of about `width` Latin characters
    — between words, and inside a run of Chinese characters — so that a phone can show it."""
    pieces = []
    for word in label.split(" "):
        while _width(word) > width:  # a run of Chinese (or one very long word): cut it
            cut = 1
            while cut < len(word) and _width(word[:cut + 1]) <= width:
                cut += 1
            pieces.append(word[:cut])
            word = word[cut:]
        pieces.append(word)
    lines, line = [], ""
    for piece in pieces:
        if line and _width(line) + 1 + _width(piece) > width:
            lines.append(line)
            line = piece
        else:
            line = f"{line} {piece}" if line else piece
    lines.append(line)
    return "<br>".join(lines)


def _bar_layout(*, title: str, x_title: str, height: int, top: int) -> dict:
    """A horizontal bar chart's layout: categories top to bottom, whole counts along x, with
    room to the right of the longest bar for its count."""
    layout = _layout(title=title, y_title="", height=height)
    layout["yaxis"].update(autorange="reversed", rangemode="normal", automargin=True)
    step = _count_step(top)
    layout["xaxis"].update(title={"text": x_title}, dtick=step, tickangle=0, tickformat=",d", automargin=True,
                           range=[0, top * 1.15 + step * 0.6])
    layout["margin"].update(l=20, r=24)
    return layout


def status_figure(*, status_counts: list[tuple[str, str, int]]) -> Chart:
    """Number of targets in each status, for the overview."""
    counts = [count for *_rest, count in status_counts]
    data = [{
        "type": "bar", "orientation": "h", "x": counts,
        "y": [_wrap(str(label)) for _status, label, _count in status_counts],
        "marker": {"color": [STATUS_COLOURS[status] for status, *_rest in status_counts]},
        # Outside the bar, never clipped: the axis leaves room for the longest bar's count.
        "text": [str(count) for count in counts], "textposition": "outside", "cliponaxis": False,
        "hovertemplate": "%{y}: %{x}<extra></extra>",
    }]
    layout = _bar_layout(title=_("Targets per status"), x_title=_("targets"), height=340, top=max(counts, default=0))
    layout["xaxis"]["rangemode"] = "tozero"
    layout["showlegend"] = False
    return _chart(data=data, layout=layout, div_id="chart-status")


def measures_figure(*, areas, status_labels: list[tuple[str, str]]) -> Chart:
    """Measures per status in each work area, stacked."""
    names = [_wrap(f"{a.area.number}. {a.area.localized('title')}", 24) for a in areas]
    data = []
    for status, label in status_labels:
        counts = [a.status_counts.get(status, 0) for a in areas]
        if not any(counts):
            continue
        data.append({
            "type": "bar", "orientation": "h", "y": names, "x": counts, "name": str(label),
            "marker": {"color": MEASURE_COLOURS.get(status, "#757575")},
            "hovertemplate": "%{y}: %{x}<extra>" + str(label) + "</extra>",
        })
    top = max((sum(a.status_counts.values()) for a in areas), default=0)
    layout = _bar_layout(title=_("Measures per status in each work area"), x_title=_("measures"),
                         height=120 + 45 * max(len(names), 1), top=top)
    # A legend even for one status: the colour alone must not carry the meaning.
    layout.update(barmode="stack", showlegend=True)
    return _chart(data=data, layout=layout, div_id="chart-measures")


PLAN_COLOURS = ["#1565c0", "#2e7d32", "#6a1b9a", "#e65100", "#00838f"]


def indicator_figure(*, detail) -> Chart:
    """An indicator's whole series — its own scope joined by a line, other scopes as context
    marks, synthetic figures open — and each plan's target as a star at its date, in the
    plan's colour."""
    indicator = detail.indicator
    divisor, y_title = _axis(indicator.unit)
    language = active_language()
    signs = {Observation.Qualifier.AT_LEAST: "≥ ", Observation.Qualifier.AT_MOST: "≤ "}
    data = []
    groups = {}
    for observation in detail.observations:
        key = (observation.effective_scope, observation.is_synthetic)
        groups.setdefault(key, []).append(observation)
    described = set()
    for (scope, synthetic), rows in groups.items():
        own = scope == indicator.scope
        described.add("synthetic" if synthetic else "own" if own else "other")
        name = scope_name(scope) + (" — " + _("synthetic demo figure (not official)") if synthetic else "")
        data.append({
            "type": "scatter", "x": [_day(o.period_end) for o in rows], "y": [float(o.value / divisor) for o in rows],
            "mode": "lines+markers" if own and not synthetic else "markers", "name": name,
            "marker": {"symbol": ("circle-open" if synthetic else "circle") if own else "x", "size": 10,
                       "color": ("#e65100" if synthetic else "#263238") if own else "#8d6e63"},
            "line": {"color": "#263238", "width": 1},
            "text": [signs.get(o.qualifier, "") + format_quantity(o.value, indicator.unit, language) for o in rows],
            "hovertemplate": "%{x|" + hover_date() + "}: %{text}<extra>" + name + "</extra>",
        })
    plans = list(dict.fromkeys(target.plan for target in detail.targets))
    for target in detail.targets:
        if target.target_value is None:
            continue
        colour = PLAN_COLOURS[plans.index(target.plan) % len(PLAN_COLOURS)]
        label = format_quantity(target.target_value, indicator.unit, language)
        name = f"{target.plan} — {_('target')}"
        described.add("target")
        data.append({
            "type": "scatter", "x": [_day(target.due_date)], "y": [float(target.target_value / divisor)],
            "mode": "markers+text", "name": name, "text": [label], "textposition": "top left",
            "marker": {"symbol": "star", "size": 16, "color": colour},
            "hovertemplate": "%{x|" + hover_date() + "}: %{text}<extra>" + str(target) + "</extra>",
        })
    words = {
        "own": _("dots joined by a line are the figures of its own definition"),
        "other": _("brown crosses are figures of another definition, shown as context only"),
        "synthetic": _("open orange dots are synthetic demo figures"),
        "target": _("each star is a plan's target at its date, in the plan's colour"),
    }
    return _chart(data=data, layout=_layout(title=str(indicator), y_title=y_title),
                  div_id=f"chart-indicator-{indicator.code}",
                  caption=_caption([text for key, text in words.items() if key in described]))
