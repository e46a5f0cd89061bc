"""Admin for what the progress engine computes: shown for inspection, never edited by hand."""

from django.contrib import admin

from snapshots.models import Rollup, Snapshot


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    """Computed by the progress engine; shown for inspection, never edited by hand."""

    list_display = ("target", "as_of", "status", "confidence", "progress", "expected", "ratio", "data_date",
                    "is_outdated", "computed_at")
    list_filter = ("status", "confidence", "target__objective__plan", "as_of", "is_outdated", "has_synthetic")
    search_fields = ("target__code", "target__name_zh", "target__name_en")
    list_select_related = ("target",)
    date_hierarchy = "as_of"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Rollup)
class RollupAdmin(admin.ModelAdmin):
    list_display = ("plan", "objective", "as_of", "mean_capped_progress", "progress_count", "target_count",
                    "computed_at")
    list_filter = ("plan", "as_of")
    list_select_related = ("plan", "objective")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
