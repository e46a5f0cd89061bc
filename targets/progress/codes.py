"""The engine's vocabulary: statuses, methods, qualifiers and note codes.

Plain strings, so that the engine needs no Django. This is the one source of truth:
`snapshots.models.Snapshot.Status` and `Snapshot.Method` take their values from here, and a
test ties the two together.
"""

# Statuses, as stored in Snapshot.status.
ACHIEVED = "achieved"
ON_TRACK = "on_track"
NEEDS_ACCELERATION = "needs_acceleration"
OFF_TRACK = "off_track"
MOVING_AWAY = "moving_away"
NOT_ACHIEVED = "not_achieved"
# After the target date, without a figure for the period the target names: no verdict.
NOT_DETERMINED = "not_determined"
NO_DATA = "no_data"
STATUSES = (ACHIEVED, ON_TRACK, NEEDS_ACCELERATION, OFF_TRACK, MOVING_AWAY, NOT_ACHIEVED, NOT_DETERMINED, NO_DATA)

# A named item or a measure without any dated update: no news is not news of no progress.
NOT_REPORTED = "not_reported"

# Methods, as stored in Snapshot.method.
PACE = "pace"
GROWTH_RATIO = "growth_ratio"
ITEMS = "items"
NONE = "none"
METHODS = (PACE, GROWTH_RATIO, ITEMS, NONE)

# Qualifiers of a figure (ProgressEntry.qualifier) and of an attained value.
EXACT = "exact"
AT_LEAST = "at_least"
AT_MOST = "at_most"
PARTIAL_PERIOD = "partial_period"
QUALIFIERS = (EXACT, AT_LEAST, AT_MOST, PARTIAL_PERIOD)

# Confidence in a figure, lowest first.
LOW, MEDIUM, HIGH = "low", "medium", "high"
CONFIDENCES = (LOW, MEDIUM, HIGH)

# Target directions and aggregations (Target.direction, Target.aggregation).
SUM = "sum"
LATEST = "latest"
QUALITATIVE = "qualitative"

# Short codes stored in inputs.notes; `snapshots.explain` turns them into sentences.
NOTE_BASELINE_UNKNOWN = "baseline_unknown"
NOTE_BASELINE_OTHER_SCOPE = "baseline_other_scope"
NOTE_TOO_EARLY = "too_early"
NOTE_NO_FIGURE_SINCE_BASELINE = "no_figure_since_baseline"
NOTE_BOUND_NOT_CONCLUSIVE = "bound_not_conclusive"
# A bound (or a window of dates) that leaves the status open: the range it would take.
NOTE_STATUS_RANGE = "status_range"
# No comparable baseline and one figure: where the value stands, not how fast it moved.
NOTE_PACE_NEEDS_TWO_POINTS = "pace_needs_two_points"
NOTE_FIGURE_TOO_OLD_AT_DEADLINE = "figure_too_old_at_deadline"
NOTE_NO_FIGURE_BY_DEADLINE = "no_figure_by_deadline"
NOTE_AFTER_DEADLINE_FIGURE = "after_deadline_figure"
NOTE_ONE_POINT_PACE = "one_point_pace"
NOTE_FIRST_POINT_AS_BASE = "first_point_as_base"
NOTE_FORECAST_NEEDS_TWO_FIGURES = "forecast_needs_two_figures"
NOTE_PARTIAL_PERIOD_LOWER_BOUND = "partial_period_lower_bound"
NOTE_MIXED_BOUNDS = "mixed_bounds"
NOTE_POINTS_TRUNCATED = "points_truncated"
NOTE_TARGET_EQUALS_BASELINE = "target_equals_baseline"
NOTE_NO_ITEMS = "no_items"
NOTE_NO_ITEM_REPORTED = "no_item_reported"
NOTE_ITEMS_NOT_REPORTED = "items_not_reported"
NOTE_ITEMS_NOT_ALL_REPORTED_BY_DEADLINE = "items_not_all_reported_by_deadline"

# A snapshot without a forecast.
NO_FORECAST = {"value": None, "reach_date": None, "method": None}
