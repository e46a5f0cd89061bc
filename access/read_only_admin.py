"""Admin pages for records that only the system writes (revisions, reminders sent, a round's
sets): shown for inspection, never added, changed or deleted by hand — by anyone, whatever
their model permissions, because the services that write them keep the record consistent."""


class ReadOnlyAdminMixin:
    """For ModelAdmin and inline classes alike (inlines pass `obj`)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
