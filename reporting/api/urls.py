"""Routes of the reporting-rounds API, mounted by hangzhou_ai_zone.api_urls."""

from django.urls import re_path

from api.params import CODE_OR_ID_PATTERN
from reporting.api.views import RoundSetViewSet, RoundViewSet

# (prefix, viewset, basename) for the /api/v1/ router and its root listing.
routes = [
    ("rounds", RoundViewSet, "round"),
]

_SET = rf"^rounds/(?P<code>{CODE_OR_ID_PATTERN})/sets/(?P<agency>{CODE_OR_ID_PATTERN})/"

# An agency's set lives under its round: not a top-level resource.
urlpatterns = [
    re_path(_SET + "$", RoundSetViewSet.as_view({"get": "retrieve"}), name="round-set-detail"),
    *(
        re_path(_SET + f"{name}/$", RoundSetViewSet.as_view({"post": method}), name=f"round-set-{name}")
        for name, method in (("save", "save"), ("submit", "submit"), ("approve", "approve"), ("return", "return_"))
    ),
]
