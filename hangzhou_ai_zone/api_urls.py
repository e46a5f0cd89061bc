"""The REST API: /api/v1/ (root listing the resources), /api/schema/ and /api/docs/.

Each app declares its routes in `<app>/api/urls.py`; this module only assembles them.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from measures.api import urls as measures_api
from reporting.api import urls as reporting_api
from snapshots.api import urls as snapshots_api
from targets.api import urls as targets_api

# No format suffixes (/targets.csv): `?format=csv` and `Accept: text/csv` choose CSV,
# and the schema stays one path per resource.
router = DefaultRouter(trailing_slash=True, use_regex_path=True)
router.include_format_suffixes = False
for prefix, viewset, basename in (*targets_api.routes, *snapshots_api.routes, *measures_api.routes, *reporting_api.routes):
    router.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("v1/", include([*router.urls, *targets_api.urlpatterns, *measures_api.urlpatterns,
                         *reporting_api.urlpatterns])),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file of its own: no inline
    # script, as the Content-Security-Policy requires.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
