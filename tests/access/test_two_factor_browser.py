"""The admin's second factor in a real browser (chromium through playwright): a zone
administrator without an authenticator reaches no admin page; they enrol (the key read from the
page, the code computed as their phone would), sign in again, are refused a wrong code and let
in with the right one. The enrolment page draws its QR code under the site's
Content-Security-Policy, with nothing fetched from elsewhere."""

import os

import pytest
from django.contrib.auth.models import Group

import tests.dashboard.test_browser as browser_fixtures
from access.roles import ROLE_ZONE_ADMINISTRATOR, roles_sync
from tests.factories import UserFactory
from tests.otp import code_for, enrol_in_browser

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The live server, whitenoise's static files and chromium: the fixtures of tests/dashboard/test_browser.py.
server, browser, production_static = browser_fixtures.server, browser_fixtures.browser, browser_fixtures.production_static

PASSWORD = "two-factor-test-password"


@pytest.fixture
def administrator(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # two sign-ins, not hashing
    roles_sync()
    user = UserFactory(username="zone-admin", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=ROLE_ZONE_ADMINISTRATOR))
    return user


def _password(browser, server):
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-US",
                                  extra_http_headers={"Accept-Language": "en"})
    context.add_init_script(browser_fixtures.CSP_LISTENER)
    page = context.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{server}/admin/login/?next=/admin/")
    page.fill("#id_username", "zone-admin")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")
    return context, page, requests


def test_an_administrator_enrols_signs_in_again_and_is_refused_a_wrong_code(server, browser, administrator):
    context, page, requests = _password(browser, server)

    # Without a second factor no admin page opens: each leads to the enrolment page.
    assert page.url == f"{server}/accounts/two-factor/enrol/?next=%2Fadmin%2F"
    for path in ("/admin/targets/observation/", "/admin/auth/group/", "/admin/"):
        page.goto(f"{server}{path}")
        assert page.url.startswith(f"{server}/accounts/two-factor/enrol/"), path
        assert page.query_selector("#content-main") is None
    page.wait_for_selector(".two-factor-qr svg")
    assert page.evaluate("window.__cspViolations") == []
    assert all(url.startswith(server) for url in requests)

    secret = enrol_in_browser(page, server)
    assert len(page.query_selector_all("ul.recovery-codes li")) == 10
    page.click("text=Continue")
    page.wait_for_selector("#content-main")
    assert page.url == f"{server}/admin/"
    context.close()

    context, page, _requests = _password(browser, server)
    assert page.url == f"{server}/accounts/two-factor/?next=%2Fadmin%2F"
    right = code_for(secret, step=1)  # the enrolment's code is spent; the app's next one
    page.fill("#id_code", "000000" if right != "000000" else "111111")
    with page.expect_navigation():
        page.click("form.login-form button[type=submit]")
    assert "That code is not right." in page.inner_text(".message.error")
    page.goto(f"{server}/admin/")
    assert page.url.startswith(f"{server}/accounts/two-factor/?")

    page.fill("#id_code", right)
    with page.expect_navigation():
        page.click("form.login-form button[type=submit]")
    page.wait_for_selector("#content-main")
    assert page.url == f"{server}/admin/"
    context.close()
