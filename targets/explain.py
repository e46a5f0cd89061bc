"""Plain-language sentences saying why a snapshot's status is what it is.

Built only from what the snapshot stored (`Snapshot.inputs`), never by recomputing, so
the explanation always matches the status shown beside it. Sentences are translatable.
"""

from __future__ import annotations

from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from targets import progress
from targets.language import active_language, is_chinese
from targets.units import format_quantity

QUALIFIER_WORDS = {
    progress.AT_LEAST: lambda: _("at least "),
    progress.AT_MOST: lambda: _("at most "),
}

NOTE_SENTENCES = {
    progress.NOTE_BASELINE_UNKNOWN: lambda: _(
        "No source gives the baseline, so progress is the attained value as a share of the target."
    ),
    progress.NOTE_TOO_EARLY: lambda: _(
        "It is too early to judge the pace: on the as-of date no progress is expected yet."
    ),
    progress.NOTE_DEADLINE_PASSED_WITHOUT_DATA: lambda: _(
        "The target date has passed, but no figure for the target date (or for the year before it) shows "
        "whether the target was met; the status stays “no data” until one is entered."
    ),
    progress.NOTE_BOUND_NOT_CONCLUSIVE: lambda: _(
        "The latest figure is only a bound (“more than” or “less than”), so it proves neither that the "
        "target was met nor that it was missed."
    ),
    progress.NOTE_ONE_POINT_PACE: lambda: _(
        "A growth rate needs two data points and only one is available, so the pace against a straight "
        "line is used instead."
    ),
    progress.NOTE_FIRST_POINT_AS_BASE: lambda: _(
        "Without a known baseline, growth is measured from the first reported figure."
    ),
    progress.NOTE_PARTIAL_PERIOD_LOWER_BOUND: lambda: _(
        "At least one figure covers only part of its period, so the total is a lower bound."
    ),
    progress.NOTE_MIXED_BOUNDS: lambda: _(
        "The figures mix lower and upper bounds, so the total is neither; it is read as exact."
    ),
    progress.NOTE_POINTS_TRUNCATED: lambda: _("Only the most recent figures are listed with this snapshot."),
    progress.NOTE_TARGET_EQUALS_BASELINE: lambda: _(
        "The target equals the baseline, so progress as a share of the way cannot be computed."
    ),
    progress.NOTE_NO_ITEMS: lambda: _("No named items have been entered for this target yet."),
    progress.NOTE_ITEMS_CURRENT_STATUS: lambda: _(
        "Named items have no dated history: their current status is used for every date."
    ),
}


def _day(value: str | date | None) -> str:
    if value is None:
        return "—"
    day = date.fromisoformat(value) if isinstance(value, str) else value
    if is_chinese():
        return f"{day.year}年{day.month}月{day.day}日"
    return date_format(day, "j M Y")


def _percent(value: float) -> str:
    return f"{value * 100:.2f} %"


def _bound(qualifier: str | None) -> str:
    word = QUALIFIER_WORDS.get(qualifier or "")
    return word() if word else ""


def snapshot_explanation(snapshot) -> list[str]:
    """Sentences explaining the method, inputs, thresholds and status of one snapshot."""
    inputs = snapshot.inputs or {}
    language = active_language()
    unit = snapshot.target.unit

    def quantity(value) -> str:
        return format_quantity(value, unit, language)

    method = inputs.get("method", snapshot.method)
    thresholds = inputs.get("thresholds") or {}
    on_track, acceleration = thresholds.get("on_track"), thresholds.get("acceleration")
    sentences: list[str] = []

    if method == progress.ITEMS:
        sentences.append(_(
            "Judged by the share of named items achieved: %(achieved)s of %(total)s."
        ) % {"achieved": inputs.get("items_achieved", 0), "total": inputs.get("items_total", 0)})
    elif method == progress.GROWTH_RATIO:
        sentences.append(_(
            "Judged by the growth-rate ratio (Statistics Canada method, as in Open SDG): the observed compound "
            "annual growth divided by the growth needed to reach the target."
        ))
    elif method == progress.PACE:
        sentences.append(_(
            "Judged by pace: progress so far divided by the progress a straight line from %(start)s to "
            "%(end)s would have made."
        ) % {"start": _day(inputs.get("baseline_date")), "end": _day(inputs.get("target_date"))})
    else:
        sentences.append(_("No figure has been reported up to %(as_of)s.") % {"as_of": _day(snapshot.as_of)})

    if method != progress.ITEMS:
        if inputs.get("baseline_known") and inputs.get("baseline") is not None:
            sentences.append(_("Baseline: %(value)s on %(date)s.") % {
                "value": quantity(inputs["baseline"]), "date": _day(inputs.get("baseline_date"))})
        if inputs.get("attained") is not None:
            template = (
                ngettext(
                    "Attained by %(date)s (baseline plus %(count)s reported figure): %(bound)s%(value)s.",
                    "Attained by %(date)s (baseline plus %(count)s reported figures): %(bound)s%(value)s.",
                    inputs.get("points_count", 0),
                )
                if inputs.get("aggregation") == "sum"
                else _("Latest figure, for the period ending %(date)s: %(bound)s%(value)s.")
            )
            sentences.append(template % {
                "date": _day(inputs.get("data_date")), "count": inputs.get("points_count", 0),
                "bound": _bound(inputs.get("attained_qualifier")), "value": quantity(inputs["attained"]),
            })
    if inputs.get("progress") is not None and inputs.get("expected") is not None:
        sentences.append(_(
            "Progress is %(progress)s of the way from baseline to target; a straight line would have "
            "covered %(expected)s by %(as_of)s."
        ) % {"progress": _percent(inputs["progress"]), "expected": _percent(inputs["expected"]),
             "as_of": _day(snapshot.as_of)})

    ratio = inputs.get("ratio")
    if ratio is not None and on_track is not None:
        comparison = _threshold_comparison(ratio, on_track, acceleration)
        if method == progress.GROWTH_RATIO and inputs.get("required_cagr") is not None:
            sentences.append(_(
                "Required growth to reach %(target)s by %(target_date)s is %(required)s a year; observed "
                "growth is %(bound)s%(observed)s a year; their ratio %(ratio).2f %(comparison)s."
            ) % {
                "target": quantity(inputs.get("target")), "target_date": _day(inputs.get("target_date")),
                "required": _percent(inputs["required_cagr"]), "bound": _bound(inputs.get("attained_qualifier")),
                "observed": _percent(inputs["observed_cagr"]), "ratio": ratio, "comparison": comparison,
            })
        else:
            sentences.append(_("The pace, %(ratio).2f, %(comparison)s.") % {"ratio": ratio, "comparison": comparison})

    sentences.append(_status_sentence(snapshot, inputs, quantity))

    forecast = inputs.get("forecast") or {}
    if forecast.get("value") is not None:
        kind = _("linear trend") if forecast.get("method") == "linear_trend" else _("compound growth")
        sentences.append(_("At the current %(kind)s the value on %(target_date)s would be %(value)s.") % {
            "kind": kind, "target_date": _day(inputs.get("target_date")), "value": quantity(forecast["value"])})
        if forecast.get("reach_date"):
            sentences.append(_("At that trend the target is reached on %(date)s.") % {
                "date": _day(forecast["reach_date"])})
        else:
            sentences.append(_("At that trend the target is never reached."))

    if snapshot.is_data_stale and snapshot.data_age_days is not None:
        sentences.append(_(
            "The figure is %(days)s days old on %(as_of)s: older than a year, so the status may be out of date."
        ) % {"days": snapshot.data_age_days, "as_of": _day(snapshot.as_of)})
    if snapshot.has_synthetic:
        sentences.append(_("This snapshot rests on synthetic (demo) figures, not official statistics."))
    for note in inputs.get("notes", []):
        sentence = NOTE_SENTENCES.get(note)
        if sentence:
            sentences.append(sentence())
    return sentences


def _threshold_comparison(ratio: float, on_track: float, acceleration: float) -> str:
    """Where the ratio stands against the thresholds, in words: the band is the engine's
    (`status_from_ratio`), so the sentence can never disagree with the status."""
    values = {"ratio": ratio, "on_track": on_track, "acceleration": acceleration}
    band = progress.status_from_ratio(ratio, on_track=on_track, acceleration=acceleration)
    if band == progress.ON_TRACK:
        return _("is at or above the on-track threshold %(on_track)s") % values
    if band == progress.NEEDS_ACCELERATION:
        return _(
            "is below the on-track threshold %(on_track)s but at or above the needs-acceleration "
            "threshold %(acceleration)s"
        ) % values
    if band == progress.OFF_TRACK:
        return _("is below the needs-acceleration threshold %(acceleration)s") % values
    return _("is negative: the figures are moving away from the target")


def _status_sentence(snapshot, inputs: dict, quantity) -> str:
    from targets.models import Snapshot

    status = Snapshot.Status(snapshot.status)
    if status == Snapshot.Status.ACHIEVED and inputs.get("method") != progress.ITEMS:
        return _("Status: target achieved — %(bound)s%(attained)s meets the target %(target)s.") % {
            "bound": _bound(inputs.get("attained_qualifier")), "attained": quantity(inputs.get("attained")),
            "target": quantity(inputs.get("target"))}
    if status == Snapshot.Status.MISSED:
        return _("Status: missed — %(attained)s on %(date)s falls short of the target %(target)s due %(due)s.") % {
            "attained": quantity(inputs.get("attained")), "date": _day(inputs.get("data_date")),
            "target": quantity(inputs.get("target")), "due": _day(inputs.get("target_date"))}
    return _("Status: %(status)s.") % {"status": status.label}
