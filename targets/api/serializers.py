"""What the API shows of plans, targets, entries and snapshots, and what it accepts.

Serializers check types and shapes only; the rules a figure must obey live in
`targets.validation` and are applied by the services the views call.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.lookups import by_code_or_id
from edge import text
from targets import selectors, validation
from targets.models import Objective, Plan, ProgressEntry, Snapshot, Target, TargetItem


@extend_schema_field(OpenApiTypes.STR)
class CodeOrIdRelatedField(serializers.RelatedField):
    """A target (or plan) given by its stable code or its id; shown as its code."""

    default_error_messages = {
        "does_not_exist": _("There is no {model} with the code or id “{value}”."),
        "incorrect_type": _("Give the {model}'s code (text) or id (a whole number)."),
    }

    def run_validation(self, data=serializers.empty):
        # Before the lookup: the database must never see a control character (a NUL is a
        # 500 on PostgreSQL).
        try:
            text.validate_line(data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None
        return super().run_validation(data)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, str | int):
            self.fail("incorrect_type", model=self.queryset.model._meta.verbose_name)
        found = by_code_or_id(self.get_queryset(), data)
        if found is None:
            self.fail("does_not_exist", model=self.queryset.model._meta.verbose_name, value=data)
        return found

    def to_representation(self, value):
        return value.code


class PlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = Plan
        fields = [
            "id", "code", "zone", "title_zh", "title_en", "issuing_body", "published_on",
            "baseline_date", "target_date", "source_url", "on_track_threshold", "acceleration_threshold",
        ]


class ObjectiveSerializer(serializers.ModelSerializer):
    plan = serializers.CharField(source="plan.code", read_only=True, help_text=_("The plan's code."))

    class Meta:
        model = Objective
        fields = ["id", "plan", "number", "title_zh", "title_en"]


class TargetSnapshotSerializer(serializers.ModelSerializer):
    """A target's standing on the as-of date (empty when no snapshot was computed)."""

    unit = serializers.CharField(source="target.unit", read_only=True)

    class Meta:
        model = Snapshot
        fields = [
            "as_of", "computed_at", "status", "attained", "attained_qualifier", "unit", "progress",
            "expected", "method", "forecast_value", "forecast_reach_date", "data_date", "data_age_days",
            "is_data_stale", "has_synthetic", "is_outdated",
        ]


class _LatestSnapshotField(TargetSnapshotSerializer):
    def get_attribute(self, instance):
        return selectors.snapshot_of(instance)


class TargetSerializer(serializers.ModelSerializer):
    plan = serializers.CharField(source="objective.plan.code", read_only=True, help_text=_("The plan's code."))
    objective_number = serializers.IntegerField(source="objective.number", read_only=True)
    snapshot = _LatestSnapshotField(
        read_only=True, allow_null=True,
        help_text=_("The snapshot on the as-of date (default: the newest date with snapshots)."),
    )

    class Meta:
        model = Target
        fields = [
            "id", "code", "plan", "objective", "objective_number", "order", "name_zh", "name_en", "kind",
            "unit", "target_value", "direction", "aggregation", "baseline_value", "baseline_date",
            "baseline_source", "snapshot",
        ]


class TargetItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = TargetItem
        fields = ["code", "order", "name_zh", "name_en", "status", "evidence", "evidence_url"]


class TargetDetailSerializer(TargetSerializer):
    items = TargetItemSerializer(
        many=True, read_only=True, source="items_in_order", help_text=_("Named items of a qualitative target.")
    )

    class Meta(TargetSerializer.Meta):
        fields = [*TargetSerializer.Meta.fields, "source_wording", "method_note", "items"]


class EntrySerializer(serializers.ModelSerializer):
    target = CodeOrIdRelatedField(queryset=Target.objects.select_related("objective__plan"))
    target_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = ProgressEntry
        fields = [
            "id", "target", "target_id", "period_end", "value", "qualifier", "source_title", "source_url",
            "quote", "definition_note", "confidence", "confidence_note", "is_synthetic", "entered_at",
            "updated_at",
        ]
        read_only_fields = ["is_synthetic", "entered_at", "updated_at"]
        # The one-entry-per-period rule is checked by targets.validation, with a message
        # that names the existing entry; DRF's generic unique-together check would pre-empt it.
        validators = []

    def validate(self, attrs):
        # A read-only field in the body is otherwise dropped without a word, and the
        # figure stored as official while the client believes it sent a demo figure.
        validation.validate_synthetic_flag_absent(self.initial_data)
        return attrs


class SnapshotSerializer(serializers.ModelSerializer):
    target = serializers.CharField(source="target.code", read_only=True, help_text=_("The target's code."))
    plan = serializers.CharField(source="target.objective.plan.code", read_only=True, help_text=_("The plan's code."))
    objective_number = serializers.IntegerField(source="target.objective.number", read_only=True)
    unit = serializers.CharField(source="target.unit", read_only=True)

    class Meta:
        model = Snapshot
        fields = [
            "id", "target", "target_id", "plan", "objective_number", "as_of", "computed_at", "status",
            "attained", "attained_qualifier", "unit", "baseline_known", "progress", "expected", "ratio",
            "method", "forecast_value", "forecast_reach_date", "data_date", "data_age_days",
            "is_data_stale", "has_synthetic", "is_outdated",
        ]


class SnapshotHistorySerializer(SnapshotSerializer):
    """A target's own history: the target and plan are in the address."""

    class Meta(SnapshotSerializer.Meta):
        fields = [f for f in SnapshotSerializer.Meta.fields if f not in ("plan", "objective_number", "unit")]


class SnapshotDetailSerializer(SnapshotSerializer):
    explanation = serializers.SerializerMethodField(
        help_text=_("Sentences saying why the status is what it is, built from the stored inputs.")
    )

    class Meta(SnapshotSerializer.Meta):
        fields = [*SnapshotSerializer.Meta.fields, "inputs", "explanation"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_explanation(self, snapshot) -> list[str]:
        from targets.explain import snapshot_explanation

        return snapshot_explanation(snapshot)
