"""The admin's second factor (django-otp): zone administrators and superusers enrol an
authenticator app on their first sign-in and enter a code on every later one; data entry may
enrol, viewers are not asked; wrong codes count towards the login lockout (django-axes)."""

import base64
import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import PermissionDenied
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from access import services
from access.permissions import SecondFactor, second_factor
from targets.models import Observation

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-only"  # UserFactory's
ENROL = "/accounts/two-factor/enrol/"
VERIFY = "/accounts/two-factor/"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Every test here signs in with a password several times; the production hasher's million
    # rounds are not what is tested.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _password(client, user, url="/admin/login/"):
    response = client.post(url, {"username": user.username, "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def _code(key: bytes, step: int = 0) -> str:
    """The authenticator app's code, `step` periods of 30 s from now."""
    return f"{totp(key, drift=step):06d}"


def _enrol(client, user) -> tuple[bytes, list[str]]:
    """Signs `user` in with the password and enrols an authenticator; returns its key and the
    recovery codes."""
    _password(client, user)
    page = client.get(f"{ENROL}?next=/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    secret = re.search(r'class="two-factor-secret">([A-Z2-7 ]+)<', page).group(1)
    key = base64.b32decode(secret.replace(" ", ""))
    shown = client.post(ENROL, {"code": _code(key), "next": "/admin/"})
    assert shown.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", shown.content.decode())
    return key, codes


def _signed_in(client) -> bool:
    return SESSION_KEY in client.session


def _devices(user):
    return (sorted(TOTPDevice.objects.filter(user=user).values_list("confirmed", flat=True)),
            StaticToken.objects.filter(device__user=user).count())


@pytest.mark.parametrize("role", ["zone_admin", "superuser"])
def test_it_sends_an_administrator_without_an_authenticator_to_enrol_and_lets_no_admin_request_through(
        role, request):
    user = request.getfixturevalue(role)
    client = Client()
    _password(client, user)
    before = Observation.objects.count()

    page = client.get("/admin/")
    add = client.post("/admin/targets/observation/add/", {"value": "1"})

    assert page.status_code == 302 and page["Location"] == f"{ENROL}?next=%2Fadmin%2F"
    assert add.status_code == 302 and add["Location"].startswith(ENROL)
    assert Observation.objects.count() == before
    # Signing out and in again through the admin's own pages still works.
    assert client.get("/admin/login/").status_code == 302
    assert client.post("/admin/logout/").status_code == 302 and not _signed_in(client)


def test_it_enrols_shows_the_recovery_codes_once_and_asks_for_a_code_at_the_next_sign_in(zone_admin, english):
    client = Client()
    _password(client, zone_admin)
    page = client.get(f"{ENROL}?next=/admin/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "http" not in html.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org/2000/svg", "")  # drawn here, nothing fetched from elsewhere
    key = base64.b32decode(re.search(r'class="two-factor-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", ""))
    assert client.get(ENROL).content.decode().count(html.split('two-factor-secret">')[1][:20]) == 1  # same key

    wrong = client.post(ENROL, {"code": "000000" if _code(key) != "000000" else "111111", "next": "/admin/"},
                        HTTP_ACCEPT_LANGUAGE="en")
    assert wrong.status_code == 200 and "That code is not right" in wrong.content.decode()
    assert _devices(zone_admin) == ([], 0)  # nothing written

    used = _code(key)
    shown = client.post(ENROL, {"code": used, "next": "/admin/"}, HTTP_ACCEPT_LANGUAGE="en")

    assert shown.status_code == 200 and "They are shown only now" in shown.content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", shown.content.decode())
    assert len(set(codes)) == services.RECOVERY_CODES
    assert _devices(zone_admin) == ([True], services.RECOVERY_CODES)
    assert client.get("/admin/").status_code == 200
    # Enrolled: the page does not show a key again (a second device needs an administrator).
    assert client.get(ENROL)["Location"].startswith(VERIFY)

    again = Client()
    _password(again, zone_admin)
    assert again.get("/admin/")["Location"] == f"{VERIFY}?next=%2Fadmin%2F"
    assert again.get(ENROL)["Location"].startswith(VERIFY)  # the password alone cannot enrol another
    refused = again.post(VERIFY, {"code": used, "next": "/admin/"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 200 and "That code is not right" in refused.content.decode()  # used already
    assert again.get("/admin/").status_code == 302

    passed = again.post(VERIFY, {"code": _code(key, step=1), "next": "/admin/"})

    assert passed.status_code == 302 and passed["Location"] == "/admin/"
    assert again.get("/admin/").status_code == 200


def test_a_recovery_code_signs_in_once(zone_admin):
    _key, codes = _enrol(Client(), zone_admin)
    first, second = Client(), Client()
    _password(first, zone_admin)
    _password(second, zone_admin)

    used = first.post(VERIFY, {"code": codes[0].upper(), "next": "/admin/"})
    reused = second.post(VERIFY, {"code": codes[0], "next": "/admin/"})

    assert used.status_code == 302 and first.get("/admin/").status_code == 200
    assert reused.status_code == 200 and second.get("/admin/").status_code == 302
    assert StaticToken.objects.filter(device__user=zone_admin).count() == services.RECOVERY_CODES - 1


def test_wrong_codes_lock_the_account_like_wrong_passwords(zone_admin, settings):
    key, _codes = _enrol(Client(), zone_admin)
    client = Client(REMOTE_ADDR="203.0.113.7")
    _password(client, zone_admin)
    wrong = "000000" if _code(key) != "000000" else "111111"

    statuses = [client.post(VERIFY, {"code": wrong}).status_code for _ in range(2)]
    _password(client, zone_admin)  # signing in again with the password does not clear the count
    statuses += [client.post(VERIFY, {"code": wrong}).status_code for _ in range(settings.AXES_FAILURE_LIMIT - 2)]

    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    assert not _signed_in(client)  # the half-signed-in session ended
    assert AccessAttempt.objects.get(username=zone_admin.username).failures_since_start == settings.AXES_FAILURE_LIMIT
    # Locked: the password is refused, from here and from elsewhere, and so is the right code.
    assert client.post("/admin/login/", {"username": zone_admin.username, "password": PASSWORD}).status_code == 429
    assert Client(REMOTE_ADDR="198.51.100.9").post(
        "/accounts/login/", {"username": zone_admin.username, "password": PASSWORD}).status_code == 429


def test_the_right_code_clears_earlier_wrong_ones(zone_admin, settings):
    key, _codes = _enrol(Client(), zone_admin)
    client = Client()
    _password(client, zone_admin)
    wrong = "000000" if _code(key, 1) != "000000" else "111111"
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(VERIFY, {"code": wrong})

    assert client.post(VERIFY, {"code": _code(key, 1)}).status_code == 302

    assert not AccessAttempt.objects.filter(username=zone_admin.username).exists()


def test_data_entry_is_asked_only_once_enrolled_and_viewers_never(data_entry_user, viewer):
    assert second_factor(data_entry_user) is SecondFactor.OPTIONAL
    assert second_factor(viewer) is SecondFactor.NOT_ASKED
    clerk, reader = Client(), Client()
    _password(clerk, data_entry_user)
    _password(reader, viewer)
    assert clerk.get("/admin/").status_code == 200
    assert reader.get("/admin/").status_code == 200
    assert reader.get(ENROL).status_code == 403
    assert TOTPDevice.objects.count() == 0

    _enrol(clerk, data_entry_user)
    later = Client()
    _password(later, data_entry_user)

    assert later.get("/admin/")["Location"] == f"{VERIFY}?next=%2Fadmin%2F"


def test_enrolling_is_refused_to_whoever_may_not_and_writes_nothing(zone_admin, viewer):
    with pytest.raises(PermissionDenied):
        services.second_factor_enrol(user=viewer, key="00" * 20, token="123456")
    device = TOTPDevice.objects.create(user=zone_admin, name="phone", confirmed=True)
    with pytest.raises(PermissionDenied):
        services.second_factor_enrol(user=zone_admin, key="11" * 20, token=_code(bytes.fromhex("11" * 20)))

    assert list(TOTPDevice.objects.values_list("pk", flat=True)) == [device.pk]
    assert not StaticDevice.objects.exists()


def test_the_site_login_leads_an_administrator_to_the_second_factor_for_the_admin_only(zone_admin):
    client = Client()
    _password(client, zone_admin, url="/accounts/login/")

    assert client.get("/plans/").status_code == 200  # reading needs no second factor
    assert client.get("/admin/targets/")["Location"] == f"{ENROL}?next=%2Fadmin%2Ftargets%2F"


def test_after_the_code_only_a_page_of_this_site_is_followed(zone_admin):
    key, _codes = _enrol(Client(), zone_admin)
    client = Client()
    _password(client, zone_admin)

    response = client.post(VERIFY, {"code": _code(key, 1), "next": "https://elsewhere.example/"})

    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_with_the_setting_off_nobody_is_asked(zone_admin, settings):
    settings.ADMIN_TWO_FACTOR = False
    client = Client()
    _password(client, zone_admin)

    assert client.get("/admin/").status_code == 200


def test_the_pages_speak_chinese(zone_admin):
    client = Client()
    _password(client, zone_admin)

    html = client.get(ENROL, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "设置身份验证器应用" in html and "确认" in html


def test_an_unverified_test_login_is_refused_too(client, zone_admin):
    client.force_login(zone_admin, verified=False)
    assert client.get("/admin/").status_code == 302
    client.force_login(zone_admin)
    assert client.get("/admin/").status_code == 200


def test_a_password_alone_approves_nothing_on_the_round_pages(zone):
    """Sets are approved and returned on the reporting pages too: they are guarded like the admin."""
    from reporting import services as reporting_services
    from tests.reporting_zone import rounds_state, row

    reporting_services.round_set_save_draft(round_set=zone["science_set"], rows=[row("patents", "120")],
                                            user=zone["science_user"], expected_version=0)
    reporting_services.round_set_submit(round_set=zone["science_set"], user=zone["science_user"], expected_version=1)
    client = Client()
    zone["admin"].set_password(PASSWORD)
    zone["admin"].save()
    _password(client, zone["admin"], url="/accounts/login/")
    before = rounds_state()

    page = client.get("/reporting/2021-annual/kjj/")
    approve = client.post("/reporting/2021-annual/kjj/approve/", {"version": "2"})

    assert page.status_code == 302 and page["Location"].startswith(ENROL)
    assert approve.status_code == 302 and approve["Location"].startswith(ENROL)
    assert rounds_state() == before


def test_a_password_alone_writes_nothing_through_the_api_but_a_token_does(hangzhou_plan, zone_admin):
    from rest_framework.authtoken.models import Token

    body = {"indicator": "ai-industry-revenue", "period_end": "2021-12-31", "value": "1800.5",
            "source_title": "Bulletin", "confidence": "medium"}
    client = Client(enforce_csrf_checks=False)
    _password(client, zone_admin, url="/accounts/login/")
    before = Observation.objects.count()

    refused = client.post("/api/v1/observations/", body, content_type="application/json")

    assert refused.status_code == 403 and "/accounts/two-factor/" in refused.json()["detail"]
    assert Observation.objects.count() == before
    assert client.get("/api/v1/observations/").status_code == 200  # reading is not guarded
    token = Token.objects.create(user=zone_admin)
    accepted = Client().post("/api/v1/observations/", body, content_type="application/json",
                             HTTP_AUTHORIZATION=f"Token {token.key}")
    assert accepted.status_code == 201, accepted.content
