"""Routes of the targets API, mounted by hangzhou_ai_zone.api_urls."""

from django.urls import re_path

from api.redirects import QueryKeepingRedirect
from targets.api.views import (
    IndicatorViewSet,
    ObjectiveViewSet,
    ObservationViewSet,
    PlanViewSet,
    SnapshotViewSet,
    TargetViewSet,
)

# (prefix, viewset, basename) for the /api/v1/ router and its root listing.
routes = [
    ("plans", PlanViewSet, "plan"),
    ("objectives", ObjectiveViewSet, "objective"),
    ("targets", TargetViewSet, "target"),
    ("indicators", IndicatorViewSet, "indicator"),
    ("observations", ObservationViewSet, "observation"),
    ("snapshots", SnapshotViewSet, "snapshot"),
]

# Progress entries became observations: for one release the old addresses redirect there,
# with 308 so that a POST, PATCH or DELETE keeps its method and body (a `target` in the body
# is still understood: its indicator is meant).
urlpatterns = [
    re_path(r"^entries/(?P<rest>.*)$", QueryKeepingRedirect.as_view(pattern="observations/", permanent=True),
            name="entries-redirect"),
]
