"""Login brute force: django-axes locks a username, and an address, after repeated failures,
on the admin's login and the site's; a zone administrator unlocks in the admin."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import Client, RequestFactory
from django.utils import timezone

from access.client_ip import client_ip
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-only"  # UserFactory's
LOGIN_PAGES = ["/admin/login/", "/accounts/login/"]


@pytest.fixture
def official(roles):
    return UserFactory(username="official", is_staff=True)


def _client(address="203.0.113.7", **headers):
    return Client(REMOTE_ADDR=address, **headers)


def _attempt(client, url, username, password, **extra):
    return client.post(url, {"username": username, "password": password, "next": "/"}, **extra)


def _signed_in(client) -> bool:
    return SESSION_KEY in client.session


@pytest.mark.parametrize("url", LOGIN_PAGES)
def test_thirty_wrong_passwords_lock_the_account(url, official, settings):
    client = _client()

    statuses = [_attempt(client, url, "official", f"wrong-{i}").status_code for i in range(30)]

    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    assert statuses[: limit - 1] == [200] * (limit - 1)  # the form again, with its error
    assert statuses[limit - 1:] == [429] * (30 - limit + 1)
    # While locked, the right password is refused too, from this address and any other.
    assert _attempt(client, url, "official", PASSWORD).status_code == 429
    assert _attempt(_client("198.51.100.20"), url, "official", PASSWORD).status_code == 429
    assert not _signed_in(client)


@pytest.mark.parametrize("url", LOGIN_PAGES)
def test_the_lockout_page_says_why_and_for_how_long_in_both_languages(url, official):
    client = _client()
    for i in range(5):
        _attempt(client, url, "official", f"wrong-{i}")

    english = _attempt(client, url, "official", PASSWORD, HTTP_ACCEPT_LANGUAGE="en")
    chinese = _attempt(client, url, "official", PASSWORD, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert english.status_code == chinese.status_code == 429
    text = english.content.decode()
    assert "Signing in is locked" in text
    assert "There were 5 failed attempts to sign in with this username or from this address" in text
    assert "Try again in 30 minutes" in text
    assert 'href="/static/site_shell/site.css"' in text  # styled like the site
    assert "登录已被锁定" in chinese.content.decode() and "30 分钟后重试" in chinese.content.decode()


@pytest.mark.parametrize("url", LOGIN_PAGES)
def test_a_zone_administrator_unlocks_in_the_admin(url, official, zone_admin):
    client = _client()
    for i in range(30):
        _attempt(client, url, "official", f"wrong-{i}")
    assert _attempt(client, url, "official", PASSWORD).status_code == 429
    administrator = Client()
    administrator.force_login(zone_admin)
    listing = administrator.get("/admin/axes/accessattempt/?q=official")
    assert listing.status_code == 200 and "official" in listing.content.decode()

    unlocked = administrator.post("/admin/axes/accessattempt/", {
        "action": "delete_selected", "post": "yes",
        "_selected_action": list(AccessAttempt.objects.filter(username="official").values_list("pk", flat=True)),
    })

    assert unlocked.status_code == 302
    assert not AccessAttempt.objects.filter(username="official").exists()
    response = _attempt(client, url, "official", PASSWORD)
    assert response.status_code == 302 and _signed_in(client)


def test_only_zone_administrators_may_unlock(official, viewer, data_entry_user):
    client = _client()
    for i in range(5):
        _attempt(client, "/admin/login/", "official", f"wrong-{i}")
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))

    for user in (viewer, data_entry_user):
        staff = Client()
        staff.force_login(user)
        response = staff.post("/admin/axes/accessattempt/", {
            "action": "delete_selected", "post": "yes", "_selected_action": attempts,
        })
        assert response.status_code == 403
    assert list(AccessAttempt.objects.values_list("pk", flat=True)) == attempts


@pytest.mark.parametrize("url", LOGIN_PAGES)
def test_one_address_trying_many_usernames_is_locked(url, official):
    client = _client("203.0.113.50")

    statuses = [_attempt(client, url, f"guess-{i}", "wrong").status_code for i in range(5)]

    assert statuses == [200, 200, 200, 200, 429]
    # Locked by address: even a real account with its right password, from there.
    assert _attempt(client, url, "official", PASSWORD).status_code == 429
    # The account itself is not locked: from another address it signs in.
    elsewhere = _client("203.0.113.51")
    assert _attempt(elsewhere, url, "official", PASSWORD).status_code == 302 and _signed_in(elsewhere)


@pytest.mark.parametrize("url", LOGIN_PAGES)
def test_one_username_tried_from_many_addresses_is_locked(url, official):
    statuses = [
        _attempt(_client(f"198.51.100.{i}", HTTP_USER_AGENT=f"agent-{i}"), url, "official", "wrong").status_code
        for i in range(5)
    ]

    assert statuses == [200, 200, 200, 200, 429]
    assert _attempt(_client("192.0.2.99"), url, "official", PASSWORD).status_code == 429


def test_the_lock_ends_after_the_cool_off(official):
    client = _client()
    for i in range(5):
        _attempt(client, "/accounts/login/", "official", f"wrong-{i}")
    assert _attempt(client, "/accounts/login/", "official", PASSWORD).status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=31))

    assert _attempt(client, "/accounts/login/", "official", PASSWORD).status_code == 302


def test_a_success_clears_earlier_failures(official):
    client = _client()
    for i in range(4):
        _attempt(client, "/accounts/login/", "official", f"wrong-{i}")
    assert _attempt(client, "/accounts/login/", "official", PASSWORD).status_code == 302
    client.post("/accounts/logout/")

    # Four more mistakes later are not the fifth and following.
    assert [_attempt(client, "/accounts/login/", "official", "wrong").status_code for _ in range(4)] == [200] * 4


@pytest.mark.parametrize("url", LOGIN_PAGES)
def test_a_username_with_a_nul_byte_is_refused_without_an_error(url, official):
    # PostgreSQL cannot store NUL: the edge refuses the form before the lockout could record it.
    from axes.models import AccessAttempt

    client = _client()

    response = _attempt(client, url, "offi\x00cial", PASSWORD)

    assert response.status_code == 400
    assert not _signed_in(client)
    assert not AccessAttempt.objects.exists()


# --- the client's address behind proxies (NUM_PROXIES) --------------------------------------

def _request(remote="10.0.0.1", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@pytest.mark.parametrize(("num_proxies", "remote", "forwarded", "expected"), [
    (0, "10.0.0.1", None, "10.0.0.1"),
    (0, "10.0.0.1", "203.0.113.9", "10.0.0.1"),  # no proxy: the header is the client's own text
    (1, "10.0.0.1", "203.0.113.9", "203.0.113.9"),  # the proxy appended the address it saw
    (1, "10.0.0.1", "1.2.3.4, 203.0.113.9", "203.0.113.9"),  # a forged entry in front is ignored
    (2, "10.0.0.2", "1.2.3.4, 203.0.113.9, 10.0.0.1", "203.0.113.9"),
    (3, "10.0.0.2", "203.0.113.9", "203.0.113.9"),  # fewer entries than proxies: the leftmost
    (1, "10.0.0.1", None, "10.0.0.1"),  # reached without the proxy
    (1, "10.0.0.1", "not-an-address", "10.0.0.1"),
    (1, "10.0.0.1", "2001:db8::1", "2001:db8::1"),
    (0, "", None, None),
])
def test_the_client_address_trusts_only_the_configured_proxies(settings, num_proxies, remote, forwarded, expected):
    settings.NUM_PROXIES = num_proxies

    assert client_ip(_request(remote, forwarded)) == expected


def test_without_proxies_a_forged_header_does_not_escape_the_lock(official, settings):
    settings.NUM_PROXIES = 0
    client = _client("203.0.113.60")

    statuses = [
        _attempt(client, "/admin/login/", f"guess-{i}", "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code
        for i in range(6)
    ]

    assert statuses[-2:] == [429, 429]


def test_behind_one_proxy_each_client_address_is_counted_apart(official, settings):
    settings.NUM_PROXIES = 1
    proxy = "10.0.0.1"
    for i in range(5):
        # A forged first entry changes nothing: the proxy's entry is the last.
        _attempt(_client(proxy), "/accounts/login/", f"guess-{i}", "wrong",
                 HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, 203.0.113.70")

    locked = _attempt(_client(proxy), "/accounts/login/", "official", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.70")
    other = _client(proxy)
    allowed = _attempt(other, "/accounts/login/", "official", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.71")

    assert locked.status_code == 429
    assert allowed.status_code == 302 and _signed_in(other)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.70"}


@pytest.mark.parametrize(("environment", "limit", "cool_off"), [
    ({}, "5", "0:30:00"),
    ({"LOGIN_FAILURE_LIMIT": "10", "LOGIN_COOLOFF_MINUTES": "5"}, "10", "0:05:00"),
    ({"LOGIN_COOLOFF_MINUTES": "0"}, "5", "None"),  # locked until an administrator unlocks
])
def test_the_limit_and_cool_off_come_from_the_environment(environment, limit, cool_off):
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOGIN_", "DJANGO_SETTINGS"))}
    env.update(environment, SECRET_KEY="test", DJANGO_SETTINGS_MODULE="hangzhou_ai_zone.settings")
    script = "import django; django.setup(); from django.conf import settings as s; " \
             "print(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME)"

    output = subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True,
                            check=True).stdout.split()

    assert output == [limit, *cool_off.split()]
