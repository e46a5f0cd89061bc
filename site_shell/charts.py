"""Chart basics shared by every page that draws one: the `Chart` a template puts in a JSON data
block (`site_shell/_chart.html`) for `site_shell/charts.js` to draw with Plotly, and the
common styles. The dashboard's figures (`dashboard.charts`) and reporting's completeness chart
(`reporting.completeness`) are built on them."""

from __future__ import annotations

from dataclasses import dataclass

FONT = "system-ui, 'Noto Sans CJK SC', 'Noto Sans SC', 'Microsoft YaHei', sans-serif"
CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}
GRID = "#eeeeee"


@dataclass(frozen=True)
class Chart:
    element_id: str
    figure: dict  # {"data": [...], "layout": {...}, "config": {...}}, as Plotly.newPlot takes them
    # What the figure shows, in words, made from the traces drawn (never a fixed text that
    # could describe a line the chart does not have).
    caption: str = ""

    @property
    def data_id(self) -> str:
        return f"{self.element_id}-figure"
