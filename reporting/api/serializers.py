"""Serializers of the reporting-rounds API: output (rounds, sets, rows, audit) and the small
inputs of the actions, kept apart (input and output differ)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from reporting.models import Round, RoundEntry, RoundSet, StateChange


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
        fields = ["indicator", "state", "observation", "return_comment", "revision_reason"]
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


class RoundSerializer(serializers.ModelSerializer):
    plan = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True,
                                        help_text=_("The plan's code; empty: every plan in force."))
    indicators = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    sets = RoundSetSerializer(many=True, read_only=True)

    class Meta:
        model = Round
        fields = ["code", "name_zh", "name_en", "plan", "period_start", "period_end", "opens_on", "due_on",
                  "indicators", "created_at", "sets"]
        read_only_fields = fields


class SetActionInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=0, help_text=_("The set's version you saw: a stale one is refused with 409."))


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
