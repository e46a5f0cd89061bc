"""The site's own sign-in (/accounts/login/): a reader needs no staff status and no admin access."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group

from access.roles import ROLE_VIEWER
from tests.conftest import otp_verify_session
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# The 2020 plan's pages (`/` shows the plan in force, else the newest: the 2025 plan).
HZ = "/plans/hz-ai-zone-2020"

PASSWORD = "pw-for-tests-only"  # UserFactory's


@pytest.fixture
def reader(roles):
    """A Viewer without staff status: an official who only reads."""
    user = UserFactory(username="reader", is_staff=False)
    user.groups.add(Group.objects.get(name=ROLE_VIEWER))
    return user


@pytest.fixture
def private(settings, hangzhou_plan):
    settings.PUBLIC_READ = False


def _sign_in(client, username, password=PASSWORD, next_url="/", **extra):
    return client.post("/accounts/login/", {"username": username, "password": password, "next": next_url}, **extra)


@pytest.mark.usefixtures("private")
def test_a_reader_without_staff_status_signs_in_and_reads_the_dashboard(client, reader):
    assert client.get(f"{HZ}/targets/industry-size/")["Location"] == f"/accounts/login/?next={HZ}/targets/industry-size/"
    page = client.get(f"/accounts/login/?next={HZ}/targets/industry-size/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert 'name="username"' in page.content.decode() and 'href="/static/site_shell/site.css"' in page.content.decode()

    response = _sign_in(client, "reader", next_url=f"{HZ}/targets/industry-size/")

    assert response.status_code == 302 and response["Location"] == f"{HZ}/targets/industry-size/"
    html = client.get(f"{HZ}/targets/industry-size/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Signed in as reader" in html
    assert 'action="/accounts/logout/"' in html
    assert "/admin/" not in html  # no link to an administration the reader cannot enter


@pytest.mark.usefixtures("private")
def test_a_signed_in_reader_reads_the_api_by_session(client, reader, api_unthrottled):
    assert client.get("/api/v1/targets/").status_code in (401, 403)

    _sign_in(client, "reader")

    response = client.get("/api/v1/targets/")
    assert response.status_code == 200 and response.json()["count"] == 16 + 6
    # Reading only: the session does not let a Viewer write.
    assert client.post("/api/v1/observations/", {}, content_type="application/json").status_code == 403


def test_a_reader_still_cannot_enter_the_admin(client, reader, hangzhou_plan):
    _sign_in(client, "reader")
    assert client.get("/admin/")["Location"].startswith("/admin/login/")

    response = client.post("/admin/login/?next=/admin/", {"username": "reader", "password": PASSWORD},
                           HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "staff account" in response.content.decode()
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_staff_sign_in_on_the_site_and_find_the_administration(client, zone_admin, hangzhou_plan):
    _sign_in(client, zone_admin.username)

    html = client.get(f"{HZ}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert 'href="/admin/"' in html
    # A zone administrator's password is only the first factor (tests/access/test_two_factor.py).
    assert client.get("/admin/")["Location"] == "/accounts/two-factor/enrol/?next=%2Fadmin%2F"
    otp_verify_session(client, zone_admin)
    assert client.get("/admin/").status_code == 200


def test_anyone_may_sign_in_from_every_page(client, hangzhou_plan):
    html = client.get(f"{HZ}/measures/?as_of=2021-12-31", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert f'href="/accounts/login/?next={HZ}/measures/%3Fas_of%3D2021-12-31"' in html
    assert "Signed in as" not in html and 'href="/admin/"' not in html


def test_a_wrong_password_is_refused_with_a_message_in_either_language(client, reader):
    english = _sign_in(client, "reader", "wrong", HTTP_ACCEPT_LANGUAGE="en")
    chinese = _sign_in(client, "reader", "wrong", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert english.status_code == 200 and "Please enter a correct username and password" in english.content.decode()
    assert chinese.status_code == 200 and "请输入一个正确的" in chinese.content.decode()
    assert "登录" in chinese.content.decode()
    assert SESSION_KEY not in client.session


def test_signing_out_takes_a_post(client, reader):
    _sign_in(client, "reader")

    assert client.get("/accounts/logout/").status_code == 405
    assert SESSION_KEY in client.session
    response = client.post("/accounts/logout/")

    assert response.status_code == 302 and response["Location"] == "/"
    assert SESSION_KEY not in client.session


def test_sign_in_never_sends_the_reader_to_another_site(client, reader):
    response = _sign_in(client, "reader", next_url="https://evil.example/")

    assert response.status_code == 302 and response["Location"] == "/"


def test_a_signed_in_reader_who_opens_the_sign_in_page_goes_on(client, reader):
    _sign_in(client, "reader")

    response = client.get("/accounts/login/?next=/measures/")

    assert response.status_code == 302 and response["Location"] == "/measures/"
