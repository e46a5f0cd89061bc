"""Reads for signing in: what a signed-in user still owes before the admin."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from access.permissions import SecondFactor, second_factor

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

VERIFY = "verify"
ENROL = "enrol"


def has_authenticator(user: AbstractBaseUser) -> bool:
    """Whether the user has enrolled an authenticator app (a confirmed TOTP device)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def second_factor_step(user: AbstractBaseUser | AnonymousUser, *, verified: bool) -> str | None:
    """What the user must do before the admin: VERIFY (enter a code), ENROL (set up an
    authenticator first: a zone administrator or superuser without one), or None.

    A user asked only if enrolled (data entry) is asked once they have any confirmed device."""
    if verified or not user.is_authenticated:
        return None
    rule = second_factor(user)
    if rule is SecondFactor.NOT_ASKED:
        return None
    if user_has_device(user, confirmed=True):
        return VERIFY
    return ENROL if rule is SecondFactor.REQUIRED else None


def second_factor_owed(user: AbstractBaseUser) -> bool:
    """Whether a password alone does not complete this user's sign-in to the admin."""
    return second_factor_step(user, verified=False) is not None
