from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """The project's composition: setting up, serving, the schedule, plan loading, demo data and
    the nightly job. It sits on top of every other app, so that none of them imports another
    app above it to run the whole product."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "operations"
    verbose_name = _("Operations")
