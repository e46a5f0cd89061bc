"""Writes for signing in: enrolling and passing the second factor (django-otp)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import django_otp
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from access.permissions import SecondFactor, second_factor
from access.selectors import has_authenticator

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django_otp.models import Device

RECOVERY_CODES = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


@transaction.atomic
def second_factor_enrol(*, user: AbstractBaseUser, key: str, token: str) -> tuple[TOTPDevice, list[str]]:
    """Enrols an authenticator app whose secret is `key` (hex) once `token` proves the app has it.

    Guarantees: either the user ends with exactly one confirmed authenticator and a fresh set of
    RECOVERY_CODES single-use recovery codes (any earlier ones deleted), returned once here and
    stored nowhere in clear text elsewhere; or nothing is written (a wrong code is a
    ValidationError; a user not asked for a second factor, or already enrolled, a
    PermissionDenied: a second authenticator could be added by whoever knows only the password).
    """
    if second_factor(user) is SecondFactor.NOT_ASKED:
        raise PermissionDenied(_("Your account does not use a second factor."))
    if has_authenticator(user):
        raise PermissionDenied(_("An authenticator app is already set up for your account."))
    TOTPDevice.objects.filter(user=user).delete()  # unconfirmed leftovers
    device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, key=key, confirmed=True)
    if not device.verify_token(token):  # also records the code's time step: it cannot be used again
        raise ValidationError(_("That code is not right. Check the time on your phone and enter the current code."))
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
    return device, codes


def second_factor_verify(*, user: AbstractBaseUser, token: str) -> Device | None:
    """The user's confirmed device that accepts `token`, or None.

    Six digits are an authenticator's code; anything else a recovery code, which is deleted as
    it is accepted (single use). Each device is verified under a row lock (django_otp.verify_token),
    so one code cannot be used twice by two requests at once."""
    token = "".join(token.split()).lower()
    model = TOTPDevice if (len(token) == 6 and token.isdigit()) else StaticDevice
    for device in model.objects.devices_for_user(user, confirmed=True):
        verified = django_otp.verify_token(user, device.persistent_id, token)
        if verified is not None:
            return verified
    return None
