"""What the API shows of work areas, measures and their updates, and what it accepts."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from measures.models import Area, Measure, MeasureUpdate


class AreaSerializer(serializers.ModelSerializer):
    plan = serializers.CharField(source="plan.code", read_only=True, help_text=_("The plan's code."))

    class Meta:
        model = Area
        fields = ["id", "plan", "number", "title_zh", "title_en"]


class MeasureUpdateSerializer(serializers.ModelSerializer):
    measure = serializers.IntegerField(source="measure_id", read_only=True)

    class Meta:
        model = MeasureUpdate
        fields = ["id", "measure", "date", "note", "evidence_url", "status", "entered_at"]
        read_only_fields = ["entered_at"]


class MeasureSerializer(serializers.ModelSerializer):
    plan = serializers.CharField(source="area.plan.code", read_only=True, help_text=_("The plan's code."))
    area_number = serializers.IntegerField(source="area.number", read_only=True)
    targets = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True, help_text=_("Codes of the targets this measure serves.")
    )
    updates = MeasureUpdateSerializer(many=True, read_only=True, help_text=_("Dated updates, newest first."))
    lead_agency = serializers.SerializerMethodField(
        help_text=_("The lead agency's name in the reader's language; where no agency is linked, as the source wrote it."))
    lead_agency_code = serializers.SlugRelatedField(
        source="lead_agency", slug_field="code", read_only=True, allow_null=True, help_text=_("The lead agency's code; empty when none is linked."))

    def get_lead_agency(self, measure) -> str:
        return str(measure.lead_agency) if measure.lead_agency_id else measure.lead_agency_text

    class Meta:
        model = Measure
        fields = [
            "id", "plan", "area", "area_number", "number", "title_zh", "title_en", "description",
            "lead_agency", "lead_agency_code", "status", "start_date", "due_date", "completed_on", "is_provisional",
            "targets", "updates",
        ]
