from django.db import models
from django.utils.translation import gettext_lazy as _


class ZoneAdministration(models.Model):
    """No table: the holder of the zone administrator's permission, `access.administer_zone`
    (`access.permissions.is_zone_administrator`). A permission needs a content type, and the
    role is the zone's, not one app's, so it has one of its own in access."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("administer_zone", "Zone administrator: may change every figure and measure update, "
                                "approve or return sets, and open rounds"),
        ]
        verbose_name = _("zone administration")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
