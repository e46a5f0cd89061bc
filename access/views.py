"""The lockout page that django-axes shows (AXES_LOCKOUT_CALLABLE), and the admin's second
factor: entering a code, and enrolling an authenticator app."""

import base64
from urllib.parse import urlencode

import django_otp
import qrcode
from axes.conf import settings
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_failure_limit
from django.contrib import auth
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex
from qrcode.image.svg import SvgPathImage

from access import selectors, services
from access.forms import CodeForm
from access.permissions import SecondFactor, second_factor


def lockout(request, original_response=None, credentials=None):
    """Signing in is locked: say why, for how long and who can unlock it, in the reader's
    language (django-axes' own page gives one English sentence)."""
    cool_off = get_cool_off(request)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        # Whole minutes, rounded up: "try again in 0 minutes" would be false.
        "cooloff_minutes": -(-int(cool_off.total_seconds()) // 60) if cool_off else None,
    }
    return render(request, "access/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


ENROL_SESSION_KEY = "two_factor_enrol_key"


def _next_url(request) -> str:
    """Where to go after the second factor: the page asked for, if it is on this site."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return wanted
    return reverse("admin:index")


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


@login_required
@sensitive_post_parameters("code")
def two_factor_verify(request):
    """The second step of signing in: a code from the authenticator app, or a recovery code.
    A wrong code is a failed sign-in for django-axes, like a wrong password: after
    AXES_FAILURE_LIMIT the session ends and signing in is locked."""
    user = request.user
    next_url = _next_url(request)
    step = selectors.second_factor_step(user, verified=user.is_verified())
    if step is None:
        return redirect(next_url)
    if step == selectors.ENROL:
        return redirect(_with_next("two_factor_enrol", next_url))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        credentials = {settings.AXES_USERNAME_FORM_FIELD: user.get_username()}
        if AxesProxyHandler.is_locked(request, credentials):
            auth.logout(request)
            return lockout(request, credentials=credentials)
        device = services.second_factor_verify(user=user, token=form.cleaned_data["code"])
        if device is not None:
            django_otp.login(request, device)
            AxesProxyHandler.get_implementation().reset_user_attempts(request, credentials)
            return redirect(next_url)
        # Counted as django-axes counts a wrong password; its middleware answers with the
        # lockout page when this was the last attempt allowed.
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            auth.logout(request)
        form.add_error("code", _("That code is not right."))
    return render(request, "access/two_factor_verify.html", {"form": form, "next": next_url})


@login_required
@sensitive_post_parameters("code")
def two_factor_enrol(request):
    """Setting up the authenticator app, on the first sign-in of a zone administrator (or when
    data entry chooses to): the secret as text and as a QR code, then a code to prove the app
    has it, then the recovery codes, shown this once."""
    user = request.user
    next_url = _next_url(request)
    if second_factor(user) is SecondFactor.NOT_ASKED:
        raise PermissionDenied(_("Your account does not use a second factor."))
    if selectors.has_authenticator(user):
        return redirect(_with_next("two_factor_verify", next_url))
    key = request.session.get(ENROL_SESSION_KEY)
    if not key:
        key = request.session[ENROL_SESSION_KEY] = random_hex(20)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.second_factor_enrol(user=user, key=key, token=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            del request.session[ENROL_SESSION_KEY]
            django_otp.login(request, device)
            return render(request, "access/two_factor_recovery.html", {"codes": codes, "next": next_url})
    secret = base64.b32encode(bytes.fromhex(key)).decode()
    url = TOTPDevice(user=user, name=services.AUTHENTICATOR_NAME, key=key).config_url
    qr = qrcode.make(url, image_factory=SvgPathImage, box_size=8).to_string(encoding="unicode")
    context = {
        "form": form, "next": next_url, "qr": mark_safe(qr),  # noqa: S308 (markup that qrcode made here, of our own URL)
        "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
    }
    return render(request, "access/two_factor_enrol.html", context)
