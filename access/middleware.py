"""The admin's second factor: a signed-in user who owes one reaches no admin page until they
have entered a code (or, a zone administrator without an authenticator, enrolled one)."""

from urllib.parse import urlencode

from django.http import HttpResponseRedirect
from django.urls import reverse
from django_otp.middleware import OTPMiddleware

from access.selectors import ENROL, second_factor_step


class AdminSecondFactorMiddleware(OTPMiddleware):
    """django-otp's middleware (request.user.otp_device, request.user.is_verified()), installed
    only on the admin and the second factor's own pages, where it is read: elsewhere a verified
    session would cost a query per request for nothing. Every admin page except its login and
    logout is redirected, GET and POST alike, so a refused request changes nothing."""

    sync_capable = True
    async_capable = False

    def __call__(self, request):
        admin = reverse("admin:index")
        path = request.path_info
        if not path.startswith((admin, reverse("two_factor_verify"))):  # the enrolment page is below it
            return self.get_response(request)
        self._install_lazy_accessors(request)
        if not path.startswith(admin) or path in (reverse("admin:login"), reverse("admin:logout")):
            return self.get_response(request)
        step = second_factor_step(request.user, verified=request.user.is_authenticated and request.user.is_verified())
        if step is None:
            return self.get_response(request)
        page = reverse("two_factor_enrol" if step == ENROL else "two_factor_verify")
        return HttpResponseRedirect(f"{page}?{urlencode({'next': request.get_full_path()})}")
