"""Shared fixtures: the real Hangzhou plan, users in each role, and test settings."""

import datetime as dt
import os
import tempfile

import kombu.pools
import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from hypothesis import is_hypothesis_test

from access.roles import ROLE_DATA_ENTRY, ROLE_VIEWER, ROLE_ZONE_ADMINISTRATOR, roles_sync
from tests import hypothesis_setup
from tests.factories import UserFactory

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
_example_counter = hypothesis_setup.ExampleCounter()


def pytest_configure(config):
    if os.environ.get("FUZZ_COUNT_FILE"):
        _example_counter.start()


# Tests that start or share real services (a Celery worker on one Redis database, servers on
# the test database, a browser, the fault tests' own clusters) run one after another on one
# pytest-xdist worker (`--dist loadgroup`); the rest are spread over the others.
SERIAL_MARKS = ("worker", "processes", "faults", "browser", "slow")


def pytest_collection_modifyitems(items):
    for item in items:
        # Every property test draws from this run's seed (tests/hypothesis_setup.py).
        function = getattr(item, "obj", None)
        if is_hypothesis_test(function):
            hypothesis_setup.seeded(function)
        if any(item.get_closest_marker(mark) for mark in SERIAL_MARKS):
            item.add_marker(pytest.mark.xdist_group("services"))


def pytest_sessionfinish(session):
    if path := os.environ.get("FUZZ_COUNT_FILE"):
        with open(path, "w") as count_file:
            count_file.write(str(_example_counter.count))


def skip_or_fail(reason: str):
    """In CI (REQUIRE_SERVICES=1) a missing service is a failure, elsewhere a skip."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage needs `collectstatic`; tests resolve static files directly.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fresh_page_cache(settings):
    # Cached page bodies are keyed by plan id and data version, which two tests can share (an
    # emptied SQLite database gives out the same ids again): each test starts with an empty
    # page cache (and API list cache), in memory, so that a page's queries are the page's own (tests/
    # test_page_cache.py checks the database cache itself).
    from api import listcache
    from dashboard import pagecache

    settings.CACHES = {**settings.CACHES, "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "test-pages",
    }}
    from django.core.cache import caches

    pagecache.memo_clear()
    listcache.memo_clear()
    caches["pages"].clear()
    yield
    pagecache.memo_clear()
    listcache.memo_clear()


@pytest.fixture(scope="session", autouse=True)
def _plain_http():
    # Tests talk plain http to the test servers, like `make run` (USE_HTTPS=0); the production
    # defaults themselves are tested in test_deployment.py. For the whole session, so that
    # the session-wide live server starts with it too.
    from django.test.utils import override_settings

    with override_settings(SECURE_SSL_REDIRECT=False, SESSION_COOKIE_SECURE=False, CSRF_COOKIE_SECURE=False):
        yield


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):
    """`client.force_login(user)` signs in completely, as a test means it to: for a user who must
    use a second factor (access: zone administrators, superusers), it also gives them an
    authenticator and marks the session as having passed it, as entering a code would.
    `client.force_login(user, verified=False)` stops after the password."""
    from django.test import Client

    password_only = Client.force_login

    def force_login(self, user, backend=None, *, verified=True):
        password_only(self, user, backend)
        if verified:
            otp_verify_session(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


def otp_verify_session(client, user):
    """Marks `client`'s session as having passed the second factor, if `user` owes one."""
    from django.contrib.auth import get_user_model
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from access.permissions import SecondFactor, second_factor

    fresh = get_user_model().objects.get(pk=user.pk)  # no permission cache left on the test's object
    if second_factor(fresh) is not SecondFactor.REQUIRED:
        return
    device = TOTPDevice.objects.filter(user=fresh, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=fresh, name="Test authenticator", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def hangzhou_plan(db):
    """The Hangzhou 2020 plan loaded from the fixtures, exactly as `make run` loads it."""
    call_command("load_plan", verbosity=0)
    from targets.models import Plan

    return Plan.objects.get(code="hz-ai-zone-2020")


@pytest.fixture
def roles(db):
    roles_sync()


def _user_in(group_name):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def zone_admin(roles):
    return _user_in(ROLE_ZONE_ADMINISTRATOR)


@pytest.fixture
def data_entry_user(roles):
    return _user_in(ROLE_DATA_ENTRY)


@pytest.fixture
def viewer(roles):
    return _user_in(ROLE_VIEWER)


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request, django_db_modify_db_settings_parallel_suffix):
    # A real Celery worker or a second server is another process: on SQLite it can only
    # share the test database if that is a file, not the default in-memory one. tmpfs
    # keeps it fast.
    from django.conf import settings

    database = settings.DATABASES["default"]
    needs_file = any(
        item.get_closest_marker("worker") or item.get_closest_marker("processes") for item in request.session.items
    )
    if needs_file and database["ENGINE"].endswith("sqlite3"):
        folder = "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()
        database.setdefault("TEST", {})["NAME"] = os.path.join(folder, f"hangzhou-ai-zone-test-{os.getpid()}.sqlite3")


@pytest.fixture
def celery_broker(settings):
    """`celery_broker(url)` sends this test's tasks to a real broker instead of running them
    eagerly. Connections are dropped on each change, so none outlives its broker URL."""
    from hangzhou_ai_zone.celery import app

    def drop_connections():
        # Celery and kombu cache broker connection and producer pools for the process's
        # lifetime; close them all, or the next test reuses a connection to this broker.
        kombu.pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    def use(url: str):
        settings.CELERY_BROKER_URL = url
        settings.CELERY_TASK_ALWAYS_EAGER = False
        drop_connections()

    yield use
    drop_connections()


@pytest.fixture
def api_unthrottled(settings):
    """The API without throttling (tests make more requests than any client would)."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None},
    }


@pytest.fixture
def english():
    """Messages in English (the site default is Chinese), so that tests can match them."""
    from django.utils import translation

    with translation.override("en"):
        yield


# A day when the reporting zone's round (due 31 Jan 2022) is open; the reporting tests run on
# it, since a round closes after its due date (`reporting.selectors.round_status`).
ROUND_OPEN_DAY = dt.datetime(2022, 1, 20, 4, 0, tzinfo=dt.UTC)


@pytest.fixture
def zone_day(monkeypatch):
    """Sets the zone's clock (`targets.progress.dates.zone_today`): `zone_day(date)`; by default
    the reporting tests' open day. Returns the setter, so that a test can move the clock."""

    def set_day(day: dt.date | None = None):
        moment = ROUND_OPEN_DAY if day is None else dt.datetime(day.year, day.month, day.day, 4, 0, tzinfo=dt.UTC)
        monkeypatch.setattr("targets.progress.dates.utc_now", lambda: moment)

    set_day()
    return set_day


@pytest.fixture
def zone(roles, zone_day):
    """A small zone for reporting rounds, on a day its round is open (`zone_day`): one plan; the S&T bureau (kjj) owns patents (a flow)
    and achievements, the economy bureau (jxj) industry revenue (a stock); one data-entry
    member each, a superuser, and a round for 2021 with one set per bureau."""
    from tests.reporting_zone import make_zone

    return make_zone(staff_clerks=True, superuser=True)
