from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeasuresConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "measures"
    verbose_name = _("Work areas and measures")

    def ready(self):
        # The area roll-ups are derived per plan and date: the snapshot pipeline computes,
        # prunes and verifies them with the snapshots, without the core naming measures.
        from measures import services
        from snapshots.services.derived import deriver_register

        deriver_register(name=services.AREA_ROLLUPS, compute=services.area_rollups_store,
                         prune=services.area_rollups_prune, verify=services.area_rollups_verify)
