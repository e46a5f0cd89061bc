"""Admin for plans, objectives, targets, and named items with their dated updates."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from targets import services
from targets.admin.base import ServiceAdmin, Writes, _quantity
from targets.models import ItemUpdate, Objective, Plan, Target, TargetItem


class ObjectiveInline(admin.TabularInline):
    model = Objective
    extra = 0
    fields = ("number", "title_zh", "title_en", "zh_is_translation")


class PlanTargetInline(admin.StackedInline):
    """A plan's targets, added on the plan's page: the objective is one of the plan's own
    (save new objectives first, then add their targets)."""

    model = Target
    extra = 0
    show_change_link = True
    fields = (
        ("objective", "code", "order"), ("name_zh", "name_en"), ("kind", "indicator"),
        ("target_value", "direction", "target_date"), ("baseline_value", "baseline_date"),
    )
    autocomplete_fields = ("indicator",)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        objectives = formset.form.base_fields.get("objective")
        if objectives is not None:
            objectives.queryset = Objective.objects.filter(plan=obj) if obj is not None else Objective.objects.none()
        return formset


@admin.register(Plan)
class PlanAdmin(ServiceAdmin):
    list_display = ("__str__", "code", "stage", "published_on", "baseline_date", "target_date")
    search_fields = ("code", "title_zh", "title_en", "zone_zh", "zone_en")
    inlines = [ObjectiveInline, PlanTargetInline]
    fieldsets = (
        (None, {"fields": ("code", ("zone_zh", "zone_en"), ("title_zh", "title_en"),
                           ("issuing_body_zh", "issuing_body_en"), "stage", "zh_is_translation")}),
        (_("Dates"), {"fields": ("published_on", "baseline_date", "target_date")}),
        (_("Source"), {"fields": ("source_url", "source_note")}),
        (_("Status thresholds"), {
            "fields": ("on_track_threshold", "acceleration_threshold"),
            "description": _("Ratio of observed to required progress at or above which a target is "
                             "on track, and below which it is off track."),
        }),
    )

    service_module = services
    writes = {
        Plan: Writes("plan", "plan_save"),
        Objective: Writes("objective", "objective_save", "objective_delete"),
        Target: Writes("target", "target_save", "target_delete"),
    }


@admin.register(Objective)
class ObjectiveAdmin(ServiceAdmin):
    list_display = ("number", "title", "plan")
    list_display_links = ("number", "title")
    list_filter = ("plan",)
    list_select_related = ("plan",)
    search_fields = ("title_zh", "title_en", "plan__title_zh", "plan__title_en")

    @admin.display(description=_("title"))
    def title(self, obj):
        return obj.localized("title")

    service_module = services
    writes = {Objective: Writes("objective", "objective_save", "objective_delete")}


class TargetItemInline(admin.TabularInline):
    model = TargetItem
    extra = 0
    fields = ("order", "code", "name_zh", "name_en", "zh_is_translation")
    show_change_link = True


@admin.register(Target)
class TargetAdmin(ServiceAdmin):
    list_display = ("code", "__str__", "plan_code", "indicator", "target_with_unit", "baseline_with_unit")
    list_filter = ("plan", "objective", "kind", "indicator__kind", "indicator__unit")
    search_fields = ("code", "name_zh", "name_en", "source_wording", "indicator__code")
    list_select_related = ("plan", "objective", "indicator")
    autocomplete_fields = ("indicator",)
    inlines = [TargetItemInline]
    fieldsets = (
        (None, {"fields": ("plan", "objective", "code", "order", ("name_zh", "name_en"), "zh_is_translation",
                           "kind")}),
        (_("What is measured"), {
            "fields": ("indicator", "scope"),
            "description": _("Figures are entered on the indicator (Indicators), once for every plan that "
                             "tracks it; only figures of the target's scope count towards it."),
        }),
        (_("Target"), {"fields": ("target_value", "direction", "target_date")}),
        (_("Baseline"), {"fields": ("baseline_value", "baseline_date", "baseline_scope", "baseline_source",
                                    "baseline_note_zh", "baseline_note_en")}),
        (_("Source and method"), {"fields": ("source_wording", "source_confidence", "method_note_zh",
                                             "method_note_en")}),
    )

    @admin.display(description=_("plan"), ordering="plan__code")
    def plan_code(self, obj):
        return obj.plan.code

    @admin.display(description=_("target value"), ordering="target_value")
    def target_with_unit(self, obj):
        return _quantity(obj.target_value, obj.unit)

    @admin.display(description=_("baseline value"), ordering="baseline_value")
    def baseline_with_unit(self, obj):
        return _quantity(obj.baseline_value, obj.unit) if obj.baseline_value is not None else _("unknown")

    service_module = services
    writes = {
        Target: Writes("target", "target_save", "target_delete", related=("objective",)),
        TargetItem: Writes("item", "target_item_save", "target_item_delete"),
    }


class ItemUpdateInline(admin.StackedInline):
    model = ItemUpdate
    extra = 0
    fields = (("date", "status"), "evidence", "evidence_url", ("entered_by", "entered_at"))
    readonly_fields = ("entered_by", "entered_at")


@admin.register(TargetItem)
class TargetItemAdmin(ServiceAdmin):
    """A named item and its dated updates (its status on a date is its last update's)."""

    list_display = ("code", "__str__", "target")
    list_filter = ("target__plan",)
    search_fields = ("code", "name_zh", "name_en", "target__code")
    list_select_related = ("target",)
    autocomplete_fields = ("target",)
    fields = ("target", "order", "code", "name_zh", "name_en", "zh_is_translation")
    inlines = [ItemUpdateInline]

    service_module = services
    writes = {
        TargetItem: Writes("item", "target_item_save", "target_item_delete",
                           related=("target__objective",)),
        ItemUpdate: Writes("update", "item_update_save", "item_update_delete", with_user=True),
    }


@admin.register(ItemUpdate)
class ItemUpdateAdmin(ServiceAdmin):
    """Dated updates of named items, where a data-entry clerk records them: the item's status
    on a date is its last update's; an item without one is "not reported"."""

    list_display = ("item", "date", "status", "entered_by", "entered_at")
    list_filter = ("item__target__plan", "status")
    search_fields = ("evidence", "item__code", "item__name_zh", "item__name_en")
    list_select_related = ("item__target", "entered_by")
    autocomplete_fields = ("item",)
    readonly_fields = ("entered_by", "entered_at")

    service_module = services
    writes = {ItemUpdate: Writes("update", "item_update_save", "item_update_delete", with_user=True,
                                 related=("item",))}
