"""While the database cannot be reached: a 503 with Retry-After — a plain page in the reader's
language, or a JSON error under /api/ — never a 500, wherever the failure is noticed (a view, a
template, DRF's authentication, the session middleware), and nothing written. The same, through
gunicorn and a real PostgreSQL restart, is in test_faults.py."""

from unittest import mock

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client, RequestFactory
from rest_framework.authtoken.models import Token

from edge.middleware import database_unavailable
from targets.models import Observation

UNREACHABLE = OperationalError('connection to server at "db" (10.0.0.5), port 5432 failed: Connection refused')
ENGLISH_MESSAGE = "The database cannot be reached at the moment"
CHINESE_MESSAGE = "暂时无法连接数据库，本次请求未能完成"


@pytest.fixture
def database_down():
    """Every query fails as it does when the server is down: on connecting."""
    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", side_effect=UNREACHABLE):
        yield


@pytest.fixture
def browser():
    # A failure outside the view reaches Django's 500 handler; the test client would re-raise it
    # instead of returning what the handler answers. (The default `client` re-raises, so the
    # tests that use it show that the middleware answered, not the 500 handler.)
    return Client(raise_request_exception=False)


@pytest.mark.django_db
def test_a_page_is_a_plain_503_in_chinese_by_default(client, hangzhou_plan, database_down):
    response = client.get("/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page and CHINESE_MESSAGE in page
    assert "<script" not in page and "<link rel=\"stylesheet\"" not in page  # nothing else to fetch


@pytest.mark.django_db
def test_a_page_is_in_english_for_an_english_reader(client, hangzhou_plan, database_down):
    response = client.get("/measures/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 503
    assert ENGLISH_MESSAGE in response.content.decode()
    assert response["Content-Language"] == "en"


@pytest.mark.django_db
def test_the_language_cookie_chooses_as_it_does_on_every_page(client, hangzhou_plan, database_down):
    client.cookies["django_language"] = "en"

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert ENGLISH_MESSAGE in response.content.decode()


@pytest.mark.django_db
def test_the_api_answers_a_json_503(client, hangzhou_plan, database_down):
    response = client.get("/api/v1/targets/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"].startswith("application/json")
    assert ENGLISH_MESSAGE in response.json()["detail"]


@pytest.mark.django_db
def test_a_write_gets_503_and_nothing_is_written(client, hangzhou_plan, data_entry_user, api_unthrottled):
    token = Token.objects.create(user=data_entry_user)
    before = list(Observation.objects.values())
    entry = {"indicator": "core-invention-patents", "period_end": "2021-12-31", "value": "12",
             "source_title": "Hangzhou statistical bulletin"}

    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", side_effect=UNREACHABLE):
        response = client.post("/api/v1/observations/", entry, content_type="application/json",
                                 HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 503
    assert "check afterwards whether it was saved" in response.json()["detail"]
    assert list(Observation.objects.values()) == before


@pytest.mark.django_db
def test_the_admin_sign_in_of_a_session_gets_503(client, zone_admin, database_down):
    # Signing in reads the user and writes the session: both need the database.
    response = client.post("/admin/login/", {"username": zone_admin.username, "password": "x"})

    assert response.status_code == 503


@pytest.mark.django_db
def test_a_failure_in_the_session_middleware_is_a_503_too(browser, hangzhou_plan):
    # The session is saved after the view, outside it: Django's 500 handler sees this one.
    with mock.patch.object(SessionMiddleware, "process_response", side_effect=UNREACHABLE):
        response = browser.get("/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert ENGLISH_MESSAGE in response.content.decode()


@pytest.mark.django_db
def test_any_other_error_is_still_a_500(browser, hangzhou_plan):
    with mock.patch.object(SessionMiddleware, "process_response", side_effect=RuntimeError("a bug")):
        response = browser.get("/")

    assert response.status_code == 500
    assert "Retry-After" not in response


def test_the_503_needs_no_database():
    # No django_db mark: pytest-django fails any query made here.
    response = database_unavailable(RequestFactory().get("/targets/x/", HTTP_ACCEPT_LANGUAGE="en"), UNREACHABLE)

    assert response.status_code == 503
    assert ENGLISH_MESSAGE in response.content.decode()


def test_the_site_reconnects_by_itself_after_a_database_restart(settings):
    default = settings.DATABASES["default"]
    assert default["CONN_HEALTH_CHECKS"] is True
    assert default["CONN_MAX_AGE"] > 0


@pytest.mark.django_db
def test_a_write_that_meets_a_deadlock_is_told_it_conflicted_not_that_the_database_is_down(
        client, hangzhou_plan, zone_admin, api_unthrottled):
    """A deadlock is an OperationalError too, but the database is up: the answer says that the
    change met another one and asks to send it again soon (the services retry it once first;
    inside the test's transaction there is no retry, so the first one reaches the answer)."""
    class DeadlockDetected(Exception):
        pgcode = "40P01"

    def deadlocked(**_kwargs):
        raise OperationalError("deadlock detected") from DeadlockDetected("deadlock detected")

    token = Token.objects.create(user=zone_admin)
    before = list(Observation.objects.values())
    entry = {"indicator": "core-invention-patents", "period_end": "2021-12-31", "value": "12",
             "source_title": "Hangzhou statistical bulletin"}

    with mock.patch("targets.services.observations.targets_of_indicator_recompute", side_effect=deadlocked):
        response = client.post("/api/v1/observations/", entry, content_type="application/json",
                               HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    detail = response.json()["detail"]
    assert "met another one made at the same moment" in detail and ENGLISH_MESSAGE not in detail
    assert list(Observation.objects.values()) == before
