"""Admin for zone administrators: plans, targets with their figures, snapshots (read only).

Saving and deleting progress entries goes through `targets.services`, so the admin
applies the same rules and triggers the same follow-up as the API and the commands.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from access.history_admin import HistoryAdmin
from edge.admin import KeyInputAdminMixin
from targets import services, validation
from targets.language import active_language
from targets.models import Objective, Plan, ProgressEntry, Rollup, Snapshot, Target, TargetItem
from targets.units import format_quantity


def _quantity(value, unit):
    return format_quantity(value, unit, active_language())


class ObjectiveInline(admin.TabularInline):
    model = Objective
    extra = 0
    fields = ("number", "title_zh", "title_en")


@admin.register(Plan)
class PlanAdmin(KeyInputAdminMixin, HistoryAdmin):
    list_display = ("__str__", "zone", "published_on", "baseline_date", "target_date")
    search_fields = ("code", "title_zh", "title_en", "zone")
    inlines = [ObjectiveInline]
    fieldsets = (
        (None, {"fields": ("code", "zone", "title_zh", "title_en", "issuing_body")}),
        (_("Dates"), {"fields": ("published_on", "baseline_date", "target_date")}),
        (_("Source"), {"fields": ("source_url", "source_note")}),
        (_("Status thresholds"), {
            "fields": ("on_track_threshold", "acceleration_threshold"),
            "description": _("Ratio of observed to required progress at or above which a target is "
                             "on track, and below which it is off track."),
        }),
    )

    def save_model(self, request, obj, form, change):
        services.plan_save(plan=obj)

    def save_formset(self, request, form, formset, change):
        changed = formset.save(commit=False)
        for objective in formset.deleted_objects:
            services.objective_delete(objective=objective)
        for objective in changed:
            services.objective_save(objective=objective)


@admin.register(Objective)
class ObjectiveAdmin(KeyInputAdminMixin, HistoryAdmin):
    list_display = ("__str__", "plan", "number")
    list_filter = ("plan",)
    search_fields = ("title_zh", "title_en")

    def save_model(self, request, obj, form, change):
        services.objective_save(objective=obj)

    def delete_model(self, request, obj):
        services.objective_delete(objective=obj)

    def delete_queryset(self, request, queryset):
        for objective in queryset:
            services.objective_delete(objective=objective)


class TargetItemInline(admin.TabularInline):
    model = TargetItem
    extra = 0
    fields = ("order", "code", "name_zh", "name_en", "status", "evidence", "evidence_url")


class ProgressEntryForm(forms.ModelForm):
    """The change form and the target page's inline: `is_synthetic` is shown read-only, and
    a hand-made POST that carries it anyway is refused rather than silently ignored."""

    def clean(self):
        try:
            validation.validate_synthetic_flag_absent(self.data, key=self.add_prefix("is_synthetic"))
        except ValidationError as error:
            # The field is not on this form, so the message goes to the form as a whole.
            raise ValidationError(error.messages) from None
        return super().clean()


@admin.register(TargetItem)
class TargetItemAdmin(KeyInputAdminMixin, HistoryAdmin):
    """Items are edited inline on their target; this admin gives each its own change history."""

    list_display = ("code", "__str__", "target", "status")
    list_filter = ("target__objective__plan", "status")
    search_fields = ("code", "name_zh", "name_en", "target__code")
    list_select_related = ("target",)
    autocomplete_fields = ("target",)
    fields = ("target", "order", "code", "name_zh", "name_en", "status", "evidence", "evidence_url")

    def save_model(self, request, obj, form, change):
        services.target_item_save(item=obj)

    def delete_model(self, request, obj):
        services.target_item_delete(item=obj)

    def delete_queryset(self, request, queryset):
        for item in queryset.select_related("target__objective"):
            services.target_item_delete(item=item)


class ProgressEntryInline(admin.StackedInline):
    model = ProgressEntry
    form = ProgressEntryForm
    extra = 0
    fields = (
        ("period_end", "value", "qualifier"),
        ("source_title", "source_url"),
        "quote", "definition_note", ("confidence", "confidence_note"), "is_synthetic",
    )
    readonly_fields = ("is_synthetic",)
    show_change_link = True

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            formset.form.base_fields["value"].help_text = _("In %(unit)s.") % {"unit": obj.get_unit_display()}
        return formset

    def get_max_num(self, request, obj=None, **kwargs):
        # Entries are validated against their target's plan; add them once the target exists.
        return None if obj is not None and not obj.is_qualitative else 0


@admin.register(Target)
class TargetAdmin(KeyInputAdminMixin, HistoryAdmin):
    list_display = ("code", "__str__", "objective", "unit", "target_with_unit", "baseline_with_unit", "aggregation")
    list_filter = ("objective__plan", "objective", "unit", "kind", "aggregation")
    search_fields = ("code", "name_zh", "name_en", "source_wording")
    list_select_related = ("objective__plan",)
    inlines = [TargetItemInline, ProgressEntryInline]
    fieldsets = (
        (None, {"fields": ("objective", "code", "order", "name_zh", "name_en", "kind")}),
        (_("Figure"), {"fields": ("unit", "target_value", "direction", "aggregation")}),
        (_("Baseline"), {"fields": ("baseline_value", "baseline_date", "baseline_source")}),
        (_("Source and method"), {"fields": ("source_wording", "method_note")}),
    )

    @admin.display(description=_("target value"), ordering="target_value")
    def target_with_unit(self, obj):
        return _quantity(obj.target_value, obj.unit)

    @admin.display(description=_("baseline value"), ordering="baseline_value")
    def baseline_with_unit(self, obj):
        return _quantity(obj.baseline_value, obj.unit) if obj.baseline_value is not None else _("unknown")

    def save_model(self, request, obj, form, change):
        services.target_save(target=obj)

    def delete_model(self, request, obj):
        services.target_delete(target=obj)

    def delete_queryset(self, request, queryset):
        for target in queryset.select_related("objective"):
            services.target_delete(target=target)

    def save_formset(self, request, form, formset, change):
        changed = formset.save(commit=False)
        if formset.model is ProgressEntry:
            for entry in formset.deleted_objects:
                services.progress_entry_delete(entry=entry, user=request.user)
            for entry in changed:
                services.progress_entry_save(entry=entry, user=request.user)
        else:
            for item in formset.deleted_objects:
                services.target_item_delete(item=item)
            for item in changed:
                services.target_item_save(item=item)


@admin.register(ProgressEntry)
class ProgressEntryAdmin(KeyInputAdminMixin, HistoryAdmin):
    list_display = (
        "target", "period_end", "value_with_unit", "qualifier", "confidence", "is_synthetic",
        "source_title", "entered_by", "entered_at",
    )
    list_filter = ("target__objective__plan", "target__objective", "target__unit", "qualifier", "confidence", "is_synthetic")
    search_fields = ("target__code", "target__name_zh", "target__name_en", "source_title", "quote")
    list_select_related = ("target", "entered_by")
    date_hierarchy = "period_end"
    form = ProgressEntryForm
    autocomplete_fields = ("target",)
    readonly_fields = ("is_synthetic", "entered_by", "entered_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("target", ("period_end", "value", "qualifier"))}),
        (_("Source"), {"fields": ("source_title", "source_url", "quote", "definition_note", ("confidence", "confidence_note"))}),
        (_("Record"), {"fields": ("is_synthetic", "entered_by", "entered_at", "updated_at")}),
    )

    @admin.display(description=_("value"), ordering="value")
    def value_with_unit(self, obj):
        return _quantity(obj.value, obj.target.unit)

    def get_readonly_fields(self, request, obj=None):
        # A figure stays with its target (targets.validation): not offered on the change form.
        readonly = super().get_readonly_fields(request, obj)
        return (*readonly, "target") if obj is not None else readonly

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "value" in form.base_fields:
            form.base_fields["value"].help_text = (
                _("In %(unit)s.") % {"unit": obj.target.get_unit_display()} if obj
                else _("In the target's unit (shown in the target list); money in 亿元 (100 million RMB).")
            )
        return form

    def save_model(self, request, obj, form, change):
        services.progress_entry_save(entry=obj, user=request.user)

    def delete_model(self, request, obj):
        services.progress_entry_delete(entry=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for entry in queryset.select_related("target"):
            services.progress_entry_delete(entry=entry, user=request.user)


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    """Computed by the progress engine; shown for inspection, never edited by hand."""

    list_display = ("target", "as_of", "status", "progress", "expected", "ratio", "data_date", "is_outdated", "computed_at")
    list_filter = ("status", "target__objective__plan", "as_of", "is_outdated", "has_synthetic")
    search_fields = ("target__code", "target__name_zh", "target__name_en")
    list_select_related = ("target",)
    date_hierarchy = "as_of"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Rollup)
class RollupAdmin(admin.ModelAdmin):
    list_display = ("plan", "objective", "as_of", "mean_capped_progress", "target_count", "computed_at")
    list_filter = ("plan", "as_of")
    list_select_related = ("plan", "objective")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
