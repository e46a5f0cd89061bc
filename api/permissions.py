"""Who may do what through the API."""

from django.conf import settings
from rest_framework.permissions import SAFE_METHODS, DjangoModelPermissions


class ReadPerSettingWriteWithModelPermission(DjangoModelPermissions):
    """Reading: anyone when settings.PUBLIC_READ is on, else any signed-in user.
    Writing: the model's add/change/delete permission (the data-entry and zone-administrator
    roles hold them for progress entries and measure updates; viewers do not).
    """

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return settings.PUBLIC_READ or bool(request.user and request.user.is_authenticated)
        if not hasattr(view, request.method.lower()):
            # No one may use this method here: let the view answer 405, the same for
            # everyone, rather than a 401/403 that suggests logging in would help.
            return True
        return super().has_permission(request, view)
