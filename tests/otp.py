"""The authenticator app, for tests: the code for the key that the enrolment page shows."""

import base64

from django_otp.oath import totp


def code_for(secret: str, step: int = 0) -> str:
    """The six-digit code an authenticator app shows for `secret` (base32, as the enrolment page
    writes it, spaces allowed), `step` periods of 30 s from now."""
    return f"{totp(base64.b32decode(secret.replace(' ', '')), drift=step):06d}"


def enrol_in_browser(page, server: str, next_url: str = "/admin/") -> str:
    """On a signed-in playwright `page`: sets up the authenticator on the enrolment page and
    returns its secret (the recovery codes' page is showing afterwards)."""
    if "/accounts/two-factor/enrol/" not in page.url:
        page.goto(f"{server}/accounts/two-factor/enrol/?next={next_url}")
    page.wait_for_selector(".two-factor-qr svg")
    secret = page.inner_text(".two-factor-secret")
    page.fill("#id_code", code_for(secret))
    with page.expect_navigation():
        page.click("form.login-form button[type=submit]")
    page.wait_for_selector("ul.recovery-codes")
    return secret
