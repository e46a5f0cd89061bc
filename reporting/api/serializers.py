"""Serializers of the reporting-rounds API: output (rounds, sets, rows, audit) and the small
inputs of the actions, kept apart (input and output differ)."""

from datetime import date

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from reporting.models import Round, RoundEntry, RoundSet, RoundState, RoundStateChange, StateChange
from reporting.selectors import round_status


class StateChangeSerializer(serializers.ModelSerializer):
    indicator = serializers.SlugRelatedField(source="entry.indicator", slug_field="code", read_only=True,
                                             allow_null=True, help_text=_("The row's indicator; empty for a change of the whole set."))
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = StateChange
        fields = ["at", "from_state", "to_state", "actor", "comment", "indicator", "version"]
        read_only_fields = fields


class RoundEntrySerializer(serializers.ModelSerializer):
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = RoundEntry
        fields = ["indicator", "state", "observation", "return_comment", "revision_reason", "not_reported_reason"]
        read_only_fields = fields


class RoundSetSerializer(serializers.ModelSerializer):
    round = serializers.SlugRelatedField(slug_field="code", read_only=True)
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True)
    agency_name = serializers.CharField(source="agency.__str__", read_only=True)
    submitted_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    approved_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    entries = RoundEntrySerializer(many=True, read_only=True)
    changes = StateChangeSerializer(many=True, read_only=True, help_text=_("Every state change, oldest first."))

    class Meta:
        model = RoundSet
        fields = ["round", "agency", "agency_name", "state", "version", "submitted_at", "submitted_by", "approved_at",
                  "approved_by", "entries", "changes"]
        read_only_fields = fields


class RoundStateChangeSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = RoundStateChange
        fields = ["at", "from_state", "to_state", "reopened_until", "actor", "comment"]
        read_only_fields = fields


class RoundSerializer(serializers.ModelSerializer):
    plan = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True,
                                        help_text=_("The plan's code; empty: every plan in force."))
    indicators = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    state = serializers.SerializerMethodField(help_text=_(
        "open, closed (after the due date plus the grace period, or by an administrator) or reopened."))
    closes_on = serializers.SerializerMethodField(help_text=_(
        "The last day drafts and submissions are taken; empty: until an administrator closes the round."))
    closed_on = serializers.SerializerMethodField(help_text=_("The day the round closed; empty while it is open."))
    state_changes = RoundStateChangeSerializer(many=True, read_only=True, help_text=_(
        "Every close and reopening, oldest first."))
    sets = RoundSetSerializer(many=True, read_only=True)

    class Meta:
        model = Round
        fields = ["code", "name_zh", "name_en", "plan", "period_start", "period_end", "opens_on", "due_on",
                  "grace_days", "state", "closes_on", "closed_on", "reopened_until", "state_changes", "indicators",
                  "created_at", "sets"]
        read_only_fields = fields

    def get_state(self, round_) -> RoundState:
        return round_status(round_).state

    def get_closes_on(self, round_) -> date | None:
        return round_status(round_).closes_on

    def get_closed_on(self, round_) -> date | None:
        return round_status(round_).closed_on


class SetActionInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=0, help_text=_("The set's version you saw: a stale one is refused with 409."))


class SetApproveInputSerializer(SetActionInputSerializer):
    without = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=2000), required=False,
        help_text=_("{indicator code: why it is not reported}: one reason per row left without a figure; required "
                    "when the set has such rows."),
    )


class RoundCloseInputSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000,
                                    help_text=_("Why (kept in the round's audit)."))


class RoundReopenInputSerializer(RoundCloseInputSerializer):
    until = serializers.DateField(required=False, allow_null=True, help_text=_(
        "The last day of the reopening; empty: until an administrator closes the round."))


class SetReturnInputSerializer(SetActionInputSerializer):
    comments = serializers.DictField(
        # Not empty here already: a form's "comments=" parses as {} and must not reach the set.
        child=serializers.CharField(allow_blank=True, max_length=2000), allow_empty=False,
        help_text=_("{indicator code: what to correct}; at least one comment."),
    )


class SetSaveInputSerializer(SetActionInputSerializer):
    rows = serializers.ListField(
        child=serializers.DictField(), max_length=500,
        help_text=_("One object per indicator: indicator (code or id), value, qualifier, source_title, source_url, "
                    "quote, scope, definition_note, confidence, confidence_note, revision_reason, confirm_outlier."),
    )
