"""The completeness chart of a round: per agency, the share of its rows submitted and
approved. Built from `reporting.selectors.round_completeness`'s rows (nothing is counted
twice), drawn by the site shell's Plotly script (`site_shell/charts.js`) from a JSON data block."""

from __future__ import annotations

from django.utils.translation import gettext as _

from reporting.models import Round
from site_shell.charts import CONFIG, FONT, Chart

SUBMITTED_COLOUR, APPROVED_COLOUR = "#1565c0", "#2e7d32"


def completeness_figure(*, round_: Round, rows: list[dict]) -> Chart:
    """Grouped horizontal bars, in percent, one group per agency."""
    agencies = [row["agency"].short_name() for row in rows]
    data = [
        {
            "type": "bar", "orientation": "h", "name": str(name), "y": agencies,
            "x": [round(row[share] * 100, 1) for row in rows], "marker": {"color": colour},
            "text": [f"{round(row[share] * 100):d} %" for row in rows], "textposition": "outside",
            "hovertemplate": "%{y}: %{x} %<extra>" + str(name) + "</extra>",
        }
        for name, share, colour in (
            (_("Submitted"), "submitted_share", SUBMITTED_COLOUR), (_("Approved"), "approved_share", APPROVED_COLOUR),
        )
    ]
    layout = {
        "title": {"text": _("Completeness of %(round)s") % {"round": round_}, "font": {"size": 15}},
        "font": {"family": FONT, "size": 13}, "barmode": "group", "height": 120 + 60 * max(len(rows), 1),
        "margin": {"l": 20, "r": 40, "t": 48, "b": 48},
        "xaxis": {"range": [0, 110], "title": {"text": _("share of the agency's indicators (%)")}, "gridcolor": "#eeeeee"},
        "yaxis": {"autorange": "reversed", "automargin": True},
        "legend": {"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom"}, "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff",
    }
    return Chart(element_id="chart-completeness", figure={"data": data, "layout": layout, "config": CONFIG})
