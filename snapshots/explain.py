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
from targets.language import active_language
from targets.scopes import scope_name
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
    progress.NOTE_BASELINE_OTHER_SCOPE: lambda: _(
        "The baseline counts something else than the target (another statistical scope), so no progress or "
        "growth is computed from it: progress is the attained value as a share of the target."
    ),
    progress.NOTE_NO_FIGURE_SINCE_BASELINE: lambda: _(
        "No figure of the target's definition has been reported since the baseline: a baseline alone shows "
        "no progress, so there is no status."
    ),
    progress.NOTE_BOUND_NOT_CONCLUSIVE: lambda: _(
        "The figure the verdict rests on is only a bound (“more than” or “less than”) on the far side of the "
        "target: it cannot show whether the target was met, so the status is not determined at the deadline."
    ),
    progress.NOTE_FIGURE_TOO_OLD_AT_DEADLINE: lambda: _(
        "The target date has passed, and the last figure before it is more than one reporting period older "
        "than the target date: it cannot show whether the target was met, so the status is not determined "
        "at the deadline until a figure for the period is entered."
    ),
    progress.NOTE_NO_FIGURE_BY_DEADLINE: lambda: _(
        "The target date has passed without any figure of the target's definition for a period ending by "
        "then: not determined at the deadline."
    ),
    progress.NOTE_FORECAST_NEEDS_TWO_FIGURES: lambda: _(
        "A forecast needs at least two figures of the target's definition; there is only one."
    ),
    progress.NOTE_PACE_NEEDS_TWO_POINTS: lambda: _(
        "Without a baseline of the target's definition, one figure shows where the value stands but not how "
        "fast it moves: the status is not determined until a second figure (or a figure that meets the "
        "target) is reported."
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
    progress.NOTE_NO_ITEM_REPORTED: lambda: _(
        "None of the named items has a dated report yet, so there is no status: no evidence, no judgement."
    ),
    progress.NOTE_ITEMS_NOT_REPORTED: lambda: _(
        "Some named items have no dated report: they count as not achieved in the share, and are shown "
        "as “not reported”."
    ),
    progress.NOTE_ITEMS_NOT_ALL_REPORTED_BY_DEADLINE: lambda: _(
        "The target date has passed and not every named item was reported by then: not determined at the "
        "deadline."
    ),
}


# Notes about judging the pace, which a verdict at the deadline does not rest on.
PACE_NOTES = {
    progress.NOTE_BASELINE_UNKNOWN, progress.NOTE_BASELINE_OTHER_SCOPE, progress.NOTE_TOO_EARLY,
    progress.NOTE_ONE_POINT_PACE, progress.NOTE_PACE_NEEDS_TWO_POINTS, progress.NOTE_FIRST_POINT_AS_BASE, progress.NOTE_FORECAST_NEEDS_TWO_FIGURES,
    progress.NOTE_TARGET_EQUALS_BASELINE,
}


def _day(value: str | date | None) -> str:
    if value is None:
        return "—"
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return date_format(day)  # the language's DATE_FORMAT (hangzhou_ai_zone/formats), as on the pages


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
    # After the target date the verdict is achieved, not achieved or not determined, read off
    # the figures up to the deadline; the pace that led there is no longer the reason.
    target_date = inputs.get("target_date")
    verdict = bool(target_date) and snapshot.as_of >= date.fromisoformat(str(target_date)) and snapshot.status in (
        progress.ACHIEVED, progress.NOT_ACHIEVED, progress.NOT_DETERMINED)
    baseline_used = inputs.get("baseline_known") and inputs.get("baseline_comparable", True)

    if verdict and method != progress.ITEMS:
        sentences.append(_(
            "Judged at the target date, %(date)s: only figures for periods ending by then, and at most one "
            "reporting period before it, can show whether the target was met."
        ) % {"date": _day(target_date)})
    elif method == progress.ITEMS:
        sentences.append(_(
            "Judged by the share of named items achieved: %(achieved)s of %(total)s."
        ) % {"achieved": inputs.get("items_achieved", 0), "total": inputs.get("items_total", 0)})
    elif method == progress.GROWTH_RATIO:
        sentences.append(_(
            "Judged by the growth-rate ratio (Statistics Canada method, as in Open SDG): the observed compound "
            "annual growth divided by the growth needed to reach the target."
        ))
    elif method == progress.PACE and progress.NOTE_PACE_NEEDS_TWO_POINTS in inputs.get("notes", []):
        pass  # no pace was judged: the note says why
    elif method == progress.PACE:
        sentences.append(_(
            "Judged by pace: progress so far divided by the progress a straight line from %(start)s to "
            "%(end)s would have made."
        ) % {"start": _day(inputs.get("baseline_date")), "end": _day(inputs.get("target_date"))})
    else:
        sentences.append(_("No figure has been reported up to %(as_of)s.") % {"as_of": _day(snapshot.as_of)})

    if method != progress.ITEMS:
        if baseline_used and inputs.get("baseline") is not None:
            sentences.append(_("Baseline: %(value)s on %(date)s.") % {
                "value": quantity(inputs["baseline"]), "date": _day(inputs.get("baseline_date"))})
        elif inputs.get("baseline_known") and inputs.get("baseline") is not None:
            sentences.append(_("Baseline of another definition: %(value)s on %(date)s — shown, not compared.") % {
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
    if not verdict and inputs.get("progress") is not None and inputs.get("expected") is not None:
        values = {"progress": _percent(inputs["progress"]), "expected": _percent(inputs["expected"]),
                  "as_of": _day(snapshot.as_of)}
        if baseline_used:
            sentences.append(_(
                "Progress is %(progress)s of the way from baseline to target; a straight line would have "
                "covered %(expected)s by %(as_of)s."
            ) % values)
        else:
            sentences.append(_(
                "The attained value is %(progress)s of the target; a straight line would have covered "
                "%(expected)s of the plan period by %(as_of)s."
            ) % values)

    ratio = inputs.get("ratio")
    if not verdict and ratio is not None and on_track is not None:
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
    if inputs.get("confidence"):
        sentences.append(_("Confidence: %(level)s — the lowest among the figures the status rests on, lowered "
                           "for stale data or a bound.") % {"level": _confidence_word(inputs["confidence"])})

    forecast = inputs.get("forecast") or {}
    if forecast.get("value") is not None:
        kind = _("linear trend") if forecast.get("method") == "linear_trend" else _("compound growth")
        sentences.append(_("At the current %(kind)s the value on %(target_date)s would be %(value)s.") % {
            "kind": kind, "target_date": _day(inputs.get("target_date")), "value": quantity(forecast["value"])})
        if forecast.get("reach_date"):
            sentences.append(_("At that trend the target would be reached on %(date)s.") % {
                "date": _day(forecast["reach_date"])})
        elif float(forecast["value"]) < float(inputs.get("target") or 0) and inputs.get("direction") != progress.AT_MOST:
            sentences.append(_("At that trend the target is not reached."))

    later = inputs.get("after_deadline")
    if later:
        sentences.append(_(
            "After the deadline: %(bound)s%(value)s by %(date)s — context, not the verdict on a target due %(due)s."
        ) % {"bound": _bound(later.get("qualifier")), "value": quantity(later["value"]), "date": _day(later["period_end"]),
             "due": _day(inputs.get("target_date"))})
    other = inputs.get("other_scope")
    if other and baseline_used is False and str(other.get("period_end")) == str(inputs.get("baseline_date")):
        other = None  # the baseline sentence already shows it as another definition
    if other:
        sentences.append(_(
            "A figure of another definition, %(scope)s: %(bound)s%(value)s for %(date)s — shown as context, "
            "never part of the status or a growth rate."
        ) % {"scope": scope_name(other.get("scope", "")), "bound": _bound(other.get("qualifier")), "value": quantity(other["value"]),
             "date": _day(other["period_end"])})

    if not verdict and snapshot.is_data_stale and snapshot.data_age_days is not None:
        sentences.append(_(
            "The figure is %(days)s days old on %(as_of)s: older than a year, so the status may be out of date."
        ) % {"days": snapshot.data_age_days, "as_of": _day(snapshot.as_of)})
    if snapshot.has_synthetic:
        sentences.append(_("This snapshot rests on synthetic (demo) figures, not official statistics."))
    notes = inputs.get("notes", [])
    for note in notes:
        if verdict and note in PACE_NOTES:
            continue
        if note == progress.NOTE_ONE_POINT_PACE and progress.NOTE_PACE_NEEDS_TWO_POINTS in notes:
            continue  # no pace was used either
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
    from snapshots.models import Snapshot

    status = Snapshot.Status(snapshot.status)
    if status == Snapshot.Status.ACHIEVED and inputs.get("method") != progress.ITEMS:
        return _("Status: target achieved — reached by %(date)s: %(bound)s%(attained)s meets the target %(target)s.") % {
            "date": _day(inputs.get("data_date")), "bound": _bound(inputs.get("attained_qualifier")),
            "attained": quantity(inputs.get("attained")), "target": quantity(inputs.get("target"))}
    if status == Snapshot.Status.NOT_ACHIEVED:
        return _("Status: not achieved — %(attained)s on %(date)s falls short of the target %(target)s due %(due)s.") % {
            "attained": quantity(inputs.get("attained")), "date": _day(inputs.get("data_date")),
            "target": quantity(inputs.get("target")), "due": _day(inputs.get("target_date"))}
    status_range = inputs.get("status_range")
    if status == Snapshot.Status.NOT_DETERMINED and status_range:
        bounds = [point for point in inputs.get("points_used") or [] if point.get("qualifier") != progress.EXACT]
        figures = _(", ").join(_("for %(date)s (%(bound)s%(value)s)") % {
            "date": _day(point["period_end"]), "bound": _bound(point.get("qualifier")),
            "value": quantity(point["value"])} for point in bounds)
        if status_range[1] == progress.NOT_DETERMINED:  # one end has no status either
            return ngettext(
                "Status: not determined — %(best)s at some of the values the figure %(figures)s allows, "
                "not determined at the others.",
                "Status: not determined — %(best)s at some of the values the figures %(figures)s allow, "
                "not determined at the others.",
                len(bounds),
            ) % {"best": Snapshot.Status(status_range[0]).label, "figures": figures}
        return ngettext(
            "Status: not determined — between %(best)s and %(worst)s: the figure %(figures)s is a bound, and "
            "the status differs across the values it allows.",
            "Status: not determined — between %(best)s and %(worst)s: the figures %(figures)s are bounds, "
            "and the status differs across the values they allow.",
            len(bounds),
        ) % {
            "best": Snapshot.Status(status_range[0]).label, "worst": Snapshot.Status(status_range[1]).label,
            "figures": figures,
        }
    return _("Status: %(status)s.") % {"status": status.label}


def _confidence_word(level: str) -> str:
    from targets.models import Observation

    return str(Observation.Confidence(level).label)
