"""The engine's vocabulary: statuses, methods, qualifiers and note codes.

Plain strings, so that the engine needs no Django. This is the one source of truth:
`targets.models.Snapshot.Status` and `Snapshot.Method` take their values from here, and a
test ties the two together.
"""

# Statuses, as stored in Snapshot.status.
ACHIEVED = "achieved"
ON_TRACK = "on_track"
NEEDS_ACCELERATION = "needs_acceleration"
OFF_TRACK = "off_track"
MOVING_AWAY = "moving_away"
MISSED = "missed"
NO_DATA = "no_data"
STATUSES = (ACHIEVED, ON_TRACK, NEEDS_ACCELERATION, OFF_TRACK, MOVING_AWAY, MISSED, NO_DATA)

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

# Target directions and aggregations (Target.direction, Target.aggregation).
SUM = "sum"
LATEST = "latest"
QUALITATIVE = "qualitative"

# Short codes stored in inputs.notes; `targets.explain` turns them into sentences.
NOTE_BASELINE_UNKNOWN = "baseline_unknown"
NOTE_TOO_EARLY = "too_early"
NOTE_DEADLINE_PASSED_WITHOUT_DATA = "deadline_passed_without_data"
NOTE_BOUND_NOT_CONCLUSIVE = "bound_not_conclusive"
NOTE_ONE_POINT_PACE = "one_point_pace"
NOTE_FIRST_POINT_AS_BASE = "first_point_as_base"
NOTE_PARTIAL_PERIOD_LOWER_BOUND = "partial_period_lower_bound"
NOTE_MIXED_BOUNDS = "mixed_bounds"
NOTE_POINTS_TRUNCATED = "points_truncated"
NOTE_TARGET_EQUALS_BASELINE = "target_equals_baseline"
NOTE_NO_ITEMS = "no_items"
NOTE_ITEMS_CURRENT_STATUS = "items_current_status"

# A snapshot without a forecast.
NO_FORECAST = {"value": None, "reach_date": None, "method": None}
