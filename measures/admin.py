"""Admin for work areas, measures and their updates. Writes go through measures.services."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats

from exports.workbooks import WorkbookRefused
from measures import services
from measures.models import Area, Measure, MeasureUpdate
from measures.resources import CheckedXLSX, MeasureResource
from targets.admin.base import ServiceAdmin, Writes


class MeasureInline(admin.TabularInline):
    model = Measure
    extra = 0
    fields = ("number", "title_zh", "title_en", "status", "is_provisional")
    readonly_fields = ("status",)
    show_change_link = True


@admin.register(Area)
class AreaAdmin(ServiceAdmin):
    list_display = ("__str__", "plan", "number")
    list_filter = ("plan",)
    search_fields = ("title_zh", "title_en")
    inlines = [MeasureInline]

    service_module = services
    writes = {
        Area: Writes("area", "area_save", "area_delete"),
        Measure: Writes("measure", "measure_save", "measure_delete"),
    }


class MeasureUpdateInline(admin.StackedInline):
    model = MeasureUpdate
    extra = 0
    fields = (("date", "status"), "note", "evidence_url", ("entered_by", "entered_at"))
    readonly_fields = ("entered_by", "entered_at")


@admin.register(Measure)
class MeasureAdmin(ImportExportMixin, ServiceAdmin):
    resource_classes = [MeasureResource]
    list_display = ("number", "__str__", "area", "status", "lead_agency_shown", "is_provisional", "due_date")
    list_display_links = ("number", "__str__")
    list_filter = ("area__plan", "area", "status", "is_provisional")
    search_fields = ("title_zh", "title_en", "lead_agency__name_zh", "lead_agency__name_en", "lead_agency_text",
                     "description")
    list_select_related = ("area", "lead_agency")
    filter_horizontal = ("targets",)
    inlines = [MeasureUpdateInline]
    readonly_fields = ("status", "completed_on")
    fieldsets = (
        (None, {"fields": ("area", "number", "title_zh", "title_en", "description", "is_provisional")}),
        (_("Progress"), {
            "fields": (("lead_agency", "lead_agency_text"), "status", ("start_date", "due_date", "completed_on")),
            "description": _("The status and completion date come from the dated updates below: add an "
                             "update to change them."),
        }),
        (_("Targets served"), {"fields": ("targets",)}),
    )

    def get_import_formats(self):
        # An uploaded workbook is checked before it is loaded (measures.resources.CheckedXLSX).
        return [CheckedXLSX if fmt is base_formats.XLSX else fmt for fmt in super().get_import_formats()]

    def add_data_read_fail_error_to_form(self, form, e):
        # A refused workbook says why (import-export shows only the exception's class name).
        if isinstance(e, WorkbookRefused):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    @admin.display(description=_("lead agency"), ordering="lead_agency__code")
    def lead_agency_shown(self, measure):
        return measure.lead_agency or measure.lead_agency_text or "—"

    service_module = services
    writes = {
        Measure: Writes("measure", "measure_save", "measure_delete", related=("area",)),
        MeasureUpdate: Writes("update", "measure_update_save", "measure_update_delete", with_user=True),
    }


@admin.register(MeasureUpdate)
class MeasureUpdateAdmin(ServiceAdmin):
    list_display = ("measure", "date", "status", "entered_by", "entered_at")
    list_filter = ("measure__area", "status")
    search_fields = ("note", "measure__title_zh", "measure__title_en")
    list_select_related = ("measure", "entered_by")
    autocomplete_fields = ("measure",)
    readonly_fields = ("entered_by", "entered_at")

    service_module = services
    writes = {MeasureUpdate: Writes("update", "measure_update_save", "measure_update_delete",
                                    with_user=True, related=("measure__area",))}
