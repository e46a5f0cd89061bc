"""Routes of the measures API, mounted by hangzhou_ai_zone.api_urls."""

from django.urls import re_path

from api.params import ID_PATTERN
from measures.api.views import AreaViewSet, MeasureUpdateViewSet, MeasureViewSet

# (prefix, viewset, basename) for the /api/v1/ router and its root listing.
routes = [
    ("areas", AreaViewSet, "area"),
    ("measures", MeasureViewSet, "measure"),
]

_updates = MeasureUpdateViewSet.as_view({"get": "list", "post": "create"})
_update = MeasureUpdateViewSet.as_view({"get": "retrieve", "patch": "partial_update", "delete": "destroy"})

# A measure's updates live under the measure: they are not a top-level resource.
urlpatterns = [
    re_path(rf"^measures/(?P<measure_id>{ID_PATTERN})/updates/$", _updates, name="measure-update-list"),
    re_path(
        rf"^measures/(?P<measure_id>{ID_PATTERN})/updates/(?P<pk>{ID_PATTERN})/$", _update,
        name="measure-update-detail",
    ),
]
