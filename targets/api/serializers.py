"""What the API shows of plans, targets, indicators, observations and snapshots, and what it accepts.

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
from targets import validation
from targets.models import Indicator, Objective, Observation, Plan, Target


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
    status = serializers.SerializerMethodField(help_text=_("draft, in force or ended, today."))

    class Meta:
        model = Plan
        fields = [
            "id", "code", "zone_zh", "zone_en", "title_zh", "title_en", "issuing_body_zh", "issuing_body_en",
            "stage", "status", "published_on", "baseline_date", "target_date", "source_url", "on_track_threshold",
            "acceleration_threshold", "zh_is_translation",
        ]

    def get_status(self, plan) -> str:
        from targets.progress.dates import zone_today

        return plan.status_on(zone_today())


class ObjectiveSerializer(serializers.ModelSerializer):
    plan = serializers.CharField(source="plan.code", read_only=True, help_text=_("The plan's code."))

    class Meta:
        model = Objective
        fields = ["id", "plan", "number", "title_zh", "title_en"]


class ObservationSerializer(serializers.ModelSerializer):
    """A figure as the API shows it: its indicator by code, and whether it is of another
    definition than the indicator's (`other_scope`: context, never part of a status)."""

    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    scope = serializers.CharField(
        source="effective_scope", read_only=True,
        help_text=_("The definition the figure counts (statistical scope): the indicator's unless the source counts "
                    "something else."),
    )
    other_scope = serializers.BooleanField(source="is_other_scope", read_only=True)

    class Meta:
        model = Observation
        fields = [
            "id", "indicator", "period_end", "value", "qualifier", "scope", "other_scope", "source_title",
            "source_url", "quote", "definition_note", "confidence", "confidence_note", "is_synthetic",
            "entered_at", "updated_at", "status", "approved_at",
        ]
        read_only_fields = fields


def _given(data, key: str) -> bool:
    """Whether a request body (a JSON object or a form's QueryDict) holds a value for `key`."""
    if not hasattr(data, "get"):
        return False
    value = data.get(key)
    return value is not None and value != ""


class ObservationInputSerializer(serializers.ModelSerializer):
    """What a client may send: the indicator by code or id — or, for one release, the
    `target` the old /entries/ took (its indicator is meant) — and `confirm_outlier` to save a
    figure the plausibility check questions."""

    indicator = CodeOrIdRelatedField(queryset=Indicator.objects.all(), required=False)
    target = CodeOrIdRelatedField(
        queryset=Target.objects.select_related("indicator"), required=False, write_only=True,
        help_text=_("Deprecated: the target whose indicator the figure is for. Send `indicator` instead."),
    )
    confirm_outlier = serializers.BooleanField(required=False, default=False, write_only=True)

    class Meta:
        model = Observation
        fields = [
            "indicator", "target", "period_end", *Observation.EDITABLE_FIELDS, "confirm_outlier",
        ]
        # The one-figure-per-period rule is checked by targets.validation, with a message
        # that names the existing figure; DRF's generic unique-together check would pre-empt it.
        validators = []

    def to_internal_value(self, data):
        # Either key may name the indicator, so neither field is required on its own; a body
        # with neither is told so beside the other missing fields, in one answer. "Neither"
        # means no value, not no key: a form sends an empty field as "" (which DRF drops as
        # absent), and JSON may send "" or null.
        missing = self.instance is None and not any(
            _given(data, key) for key in ("indicator", "target")
        )
        try:
            attrs = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if missing:  # one message for an absent, empty or null indicator
                error.detail["indicator"] = [_("This field is required.")]
            raise
        if missing:
            raise serializers.ValidationError({"indicator": [_("This field is required.")]})
        return attrs

    def validate(self, attrs):
        # A read-only field in the body is otherwise dropped without a word, and the
        # figure stored as official while the client believes it sent a demo figure.
        validation.validate_synthetic_flag_absent(self.initial_data)
        target = attrs.pop("target", None)
        if target is not None:
            if target.indicator_id is None:
                raise serializers.ValidationError({"target": [_("This target is qualitative: it has no figures.")]})
            attrs.setdefault("indicator", target.indicator)
        if self.instance is None and "indicator" not in attrs:
            # The last guard before the service, whatever the body's encoding dropped.
            raise serializers.ValidationError({"indicator": [_("This field is required.")]})
        return attrs


class IndicatorTargetSerializer(serializers.ModelSerializer):
    plan = serializers.CharField(source="plan.code", read_only=True)
    due_date = serializers.DateField(read_only=True)

    class Meta:
        model = Target
        fields = ["plan", "code", "name_zh", "name_en", "target_value", "direction", "due_date", "scope"]


class IndicatorSerializer(serializers.ModelSerializer):
    observations = ObservationSerializer(many=True, read_only=True, help_text=_("Every figure, in date order."))
    targets = IndicatorTargetSerializer(many=True, read_only=True, help_text=_("The targets of every plan on it."))

    class Meta:
        model = Indicator
        fields = [
            "id", "code", "name_zh", "name_en", "unit", "kind", "reporting_period", "scope", "definition_zh",
            "definition_en", "zh_is_translation", "observations", "targets",
        ]
