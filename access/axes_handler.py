"""django-axes, told that a password is only half of some sign-ins (AXES_HANDLER)."""

from axes.handlers.database import AxesDatabaseHandler

from access.selectors import second_factor_owed


class SecondFactorAxesHandler(AxesDatabaseHandler):
    """Axes clears a username's failed attempts when it signs in (AXES_RESET_ON_SUCCESS). For a
    user who still owes a second factor the password is not yet a success: clearing then would
    let whoever knows the password guess codes without end (four wrong codes, sign in again,
    four more). Their failures are kept, and cleared when the second factor is passed
    (access.views.two_factor_verify)."""

    def user_logged_in(self, sender, request, user, **kwargs):
        request.axes_keep_failures = second_factor_owed(user)
        return super().user_logged_in(sender, request, user, **kwargs)

    def reset_user_attempts(self, request, credentials=None) -> int:
        if getattr(request, "axes_keep_failures", False):
            return 0
        return super().reset_user_attempts(request, credentials)
