"""The second factor: a signed-in user who owes one changes nothing until they have entered a
code (or, a zone administrator without an authenticator, enrolled one).

Guarded: every admin page, every reporting-round page (where sets are approved and returned)
and every write to the API by a browser session. Reading the dashboards needs no second
factor; an API token is a credential of its own, issued by an administrator, and is not asked.
"""

from urllib.parse import urlencode

from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp.middleware import OTPMiddleware

from access.selectors import ENROL, second_factor_step

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class AdminSecondFactorMiddleware(OTPMiddleware):
    """django-otp's middleware (request.user.otp_device, request.user.is_verified()), installed
    only where it is read: elsewhere a verified session would cost a query per request for
    nothing. A guarded page is redirected, GET and POST alike, so a refused request changes
    nothing; a session's API write is answered 403 with where to enter the code."""

    sync_capable = True
    async_capable = False

    def __call__(self, request):
        admin, verify = reverse("admin:index"), reverse("two_factor_verify")
        path = request.path_info
        api_write = path.startswith("/api/") and request.method not in SAFE_METHODS
        if not (path.startswith((admin, verify, "/reporting/")) or api_write):  # enrolment is below verify
            return self.get_response(request)
        self._install_lazy_accessors(request)
        if path.startswith(verify) or path in (reverse("admin:login"), reverse("admin:logout")):
            return self.get_response(request)
        user = request.user  # the session's user: a token's is authenticated later, by the API
        step = second_factor_step(user, verified=user.is_authenticated and user.is_verified())
        if step is None:
            return self.get_response(request)
        page = reverse("two_factor_enrol" if step == ENROL else "two_factor_verify")
        if api_write:
            return JsonResponse({"detail": _(
                "Enter your second factor first (%(page)s): this account changes published figures."
            ) % {"page": page}}, status=403)
        return HttpResponseRedirect(f"{page}?{urlencode({'next': request.get_full_path()})}")
