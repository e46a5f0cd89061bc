"""Routes of the targets' and snapshots' API, mounted by hangzhou_ai_zone.api_urls."""

from snapshots.api.views import SnapshotViewSet, TargetViewSet

# (prefix, viewset, basename) for the /api/v1/ router and its root listing.
routes = [
    ("targets", TargetViewSet, "target"),
    ("snapshots", SnapshotViewSet, "snapshot"),
]
