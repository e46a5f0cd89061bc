from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteShellConfig(AppConfig):
    """The site's shell, shared by every app's pages: the base templates and error pages, the
    static files they load, the context every page needs (the demo-data banner, the languages)
    and the chart basics. It sits below the pages (dashboard, reporting) so that they share it
    without importing each other (issue 17)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "site_shell"
    verbose_name = _("Site shell")
