"""Top-level routes. Each app owns its own routes; this file only mounts them."""

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

# A database that cannot be reached is a 503 wherever it is noticed (edge.middleware).
handler500 = "edge.middleware.server_error"

admin.site.site_header = _("Hangzhou AI Experimental Zone — progress tracker")
admin.site.site_title = _("Zone progress tracker")
admin.site.index_title = _("Plan, targets, figures and measures")

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("access.urls")),
    path("api/", include("hangzhou_ai_zone.api_urls")),
    path("reporting/", include("reporting.urls")),
    path("", include("dashboard.urls")),
]
