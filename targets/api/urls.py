"""Routes of the targets API, mounted by hangzhou_ai_zone.api_urls."""

from django.urls import re_path

from api.redirects import QueryKeepingRedirect
from targets.api.views import (
    IndicatorViewSet,
    ObjectiveViewSet,
    ObservationViewSet,
    PlanViewSet,
)

# (prefix, viewset, basename) for the /api/v1/ router and its root listing; the targets and
# snapshots, shown with their snapshots, are `snapshots.api.urls`'.
routes = [
    ("plans", PlanViewSet, "plan"),
    ("objectives", ObjectiveViewSet, "objective"),
    ("indicators", IndicatorViewSet, "indicator"),
    ("observations", ObservationViewSet, "observation"),
]

# Progress entries became observations: for one release the old addresses redirect there,
# with 308 so that a POST, PATCH or DELETE keeps its method and body (a `target` in the body
# is still understood: its indicator is meant).
urlpatterns = [
    re_path(r"^entries/(?P<rest>.*)$", QueryKeepingRedirect.as_view(pattern="observations/", permanent=True),
            name="entries-redirect"),
]
