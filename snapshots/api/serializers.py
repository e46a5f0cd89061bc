"""What the API shows of targets with their snapshots, and of the snapshots."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from snapshots import selectors
from snapshots.models import Snapshot
from targets.models import Target, TargetItem
from targets.progress.updates import status_from_updates


class TargetSnapshotSerializer(serializers.ModelSerializer):
    """A target's standing on the as-of date (empty when no snapshot was computed)."""

    unit = serializers.CharField(source="target.unit", read_only=True)
    scope = serializers.CharField(source="target.effective_scope", read_only=True,
                                  help_text=_("The definition the target counts."))
    baseline_comparable = serializers.BooleanField(
        source="target.baseline_comparable", read_only=True,
        help_text=_("False when the baseline counts another definition: no progress or growth from it."),
    )

    class Meta:
        model = Snapshot
        fields = [
            "as_of", "computed_at", "status", "confidence", "attained", "attained_qualifier", "unit", "progress",
            "expected", "method", "forecast_value", "forecast_reach_date", "data_date", "data_age_days",
            "is_data_stale", "has_synthetic", "is_outdated",
        ]


class _LatestSnapshotField(TargetSnapshotSerializer):
    def get_attribute(self, instance):
        return selectors.snapshot_of(instance)


class TargetSerializer(serializers.ModelSerializer):
    plan = serializers.CharField(source="plan.code", read_only=True, help_text=_("The plan's code."))
    objective_number = serializers.IntegerField(source="objective.number", read_only=True)
    indicator = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True,
        help_text=_("The code of the indicator the target is judged on (empty for a qualitative target)."),
    )
    unit = serializers.CharField(read_only=True, allow_null=True)
    aggregation = serializers.CharField(
        read_only=True, allow_null=True, help_text=_("sum (a flow indicator) or latest (a stock); empty if qualitative."),
    )
    due_date = serializers.DateField(read_only=True, help_text=_("The target date: the target's own, else the plan's."))
    scope = serializers.CharField(
        source="effective_scope", read_only=True,
        help_text=_("The definition (statistical scope) the target counts: only figures of it count towards it."),
    )
    baseline_comparable = serializers.BooleanField(
        read_only=True, help_text=_("False when the baseline counts another definition: shown, never compared."),
    )
    snapshot = _LatestSnapshotField(
        read_only=True, allow_null=True,
        help_text=_("The snapshot on the as-of date (default: the newest date with snapshots)."),
    )

    class Meta:
        model = Target
        fields = [
            "id", "code", "plan", "objective", "objective_number", "order", "name_zh", "name_en", "kind",
            "indicator", "unit", "aggregation", "scope", "target_value", "due_date", "direction", "baseline_value",
            "baseline_date", "baseline_scope", "baseline_comparable", "baseline_source", "source_confidence", "snapshot",
        ]


class TargetItemSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField(help_text=_("Its last dated update's status; not_reported without one."))

    class Meta:
        model = TargetItem
        fields = ["code", "order", "name_zh", "name_en", "status"]

    def get_status(self, item) -> str:
        from targets.progress.dates import zone_today

        return status_from_updates([(u.date, u.status) for u in item.updates_in_order], zone_today())


class TargetDetailSerializer(TargetSerializer):
    items = TargetItemSerializer(
        many=True, read_only=True, source="items_in_order", help_text=_("Named items of a qualitative target.")
    )

    class Meta(TargetSerializer.Meta):
        fields = [
            *TargetSerializer.Meta.fields, "source_wording", "method_note_zh", "method_note_en", "baseline_note_zh",
            "baseline_note_en", "zh_is_translation", "items",
        ]


class SnapshotSerializer(TargetSnapshotSerializer):
    """A target's snapshot on one date, with the target, plan, objective and indicator it belongs to."""

    target = serializers.CharField(source="target.code", read_only=True, help_text=_("The target's code."))
    plan = serializers.CharField(source="target.plan.code", read_only=True, help_text=_("The plan's code."))
    objective_number = serializers.IntegerField(source="target.objective.number", read_only=True)
    indicator = serializers.CharField(source="target.indicator.code", read_only=True, allow_null=True,
                                      help_text=_("The indicator's code (empty for a qualitative target)."))

    class Meta:
        model = Snapshot
        fields = [
            "id", "target", "target_id", "plan", "objective_number", "indicator", "scope", "baseline_comparable", "as_of",
            "computed_at", "status", "confidence",
            "attained", "attained_qualifier", "unit", "baseline_known", "progress", "expected", "ratio",
            "method", "forecast_value", "forecast_reach_date", "data_date", "data_age_days",
            "is_data_stale", "has_synthetic", "is_outdated",
        ]


class SnapshotHistorySerializer(SnapshotSerializer):
    """A target's own history: the target and plan are in the address."""

    class Meta(SnapshotSerializer.Meta):
        fields = [f for f in SnapshotSerializer.Meta.fields
                  if f not in ("plan", "objective_number", "unit", "indicator", "scope", "baseline_comparable")]


class SnapshotDetailSerializer(SnapshotSerializer):
    explanation = serializers.SerializerMethodField(
        help_text=_("Sentences saying why the status is what it is, built from the stored inputs.")
    )

    class Meta(SnapshotSerializer.Meta):
        fields = [*SnapshotSerializer.Meta.fields, "inputs", "explanation"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_explanation(self, snapshot) -> list[str]:
        from snapshots.explain import snapshot_explanation

        return snapshot_explanation(snapshot)
