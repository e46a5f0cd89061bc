"""Routes of the targets API, mounted by hangzhou_ai_zone.api_urls."""

from targets.api.views import EntryViewSet, ObjectiveViewSet, PlanViewSet, SnapshotViewSet, TargetViewSet

# (prefix, viewset, basename) for the /api/v1/ router and its root listing.
routes = [
    ("plans", PlanViewSet, "plan"),
    ("objectives", ObjectiveViewSet, "objective"),
    ("targets", TargetViewSet, "target"),
    ("entries", EntryViewSet, "entry"),
    ("snapshots", SnapshotViewSet, "snapshot"),
]
