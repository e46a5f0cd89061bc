from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SnapshotsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "snapshots"
    verbose_name = _("Progress snapshots")

    def ready(self):
        # Listed before the apps above it in INSTALLED_APPS, so the targets' snapshots are the
        # first deriver, and the core's recompute requests mark them from the first request on.
        from snapshots.services.refresh import core_derivers_register

        core_derivers_register()
