"""The API's limits per client: counted in the shared cache, by the client's real address,
and switched off by an empty rate."""

import logging
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.conftest import skip_or_fail
from tests.operations.test_worker import BROKER_URL, redis_reachable, test_database_url

pytestmark = pytest.mark.django_db

PROJECT_DIR = Path(__file__).resolve().parents[2]
URL = "/api/v1/plans/"


@pytest.fixture
def rates(settings):
    """`rates(anon=…, user=…[, proxies=…])` sets this test's limits, with a clean count.
    Without `proxies`, NUM_PROXIES stays as the settings define it."""

    def use(*, anon=None, user=None, **proxies):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"anon": anon, "user": user},
            **({"NUM_PROXIES": proxies["proxies"]} if proxies else {}),
        }
        cache.clear()

    return use


def test_it_counts_the_connecting_address_not_a_made_up_forwarded_header(rates, settings):
    """200 requests, each claiming another address in X-Forwarded-For, against a limit of 120."""
    rates(anon="120/minute")
    client = APIClient()
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == 0  # the default: no proxy in front

    statuses = Counter(
        client.get(URL, HTTP_X_FORWARDED_FOR=f"198.51.100.{i % 250}, 10.0.{i // 250}.{i % 250}").status_code
        for i in range(200)
    )

    assert statuses == {200: 120, 429: 80}


def test_behind_a_proxy_it_counts_the_address_the_proxy_appended(rates):
    """NUM_PROXIES=1: the last address is the one our proxy saw; what the client wrote
    before it is ignored."""
    rates(anon="10/minute", proxies=1)
    client = APIClient()

    first_client = [
        client.get(URL, HTTP_X_FORWARDED_FOR=f"10.0.0.{i}, 203.0.113.7").status_code for i in range(15)
    ]
    second_client = client.get(URL, HTTP_X_FORWARDED_FOR="10.0.0.1, 203.0.113.8")

    assert first_client == [200] * 10 + [429] * 5
    assert second_client.status_code == 200


def test_anonymous_clients_are_not_limited_when_their_limit_is_off(rates, data_entry_user):
    rates(anon=None, user="3/minute")
    anonymous = APIClient()
    signed_in = APIClient()
    signed_in.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=data_entry_user).key}")

    anonymous_statuses = [anonymous.get(URL).status_code for _ in range(10)]
    signed_in_statuses = [signed_in.get(URL).status_code for _ in range(4)]

    assert anonymous_statuses == [200] * 10
    assert signed_in_statuses == [200, 200, 200, 429]


def test_signed_in_users_are_not_limited_when_their_limit_is_off(rates, data_entry_user):
    rates(anon="2/minute", user=None)
    signed_in = APIClient()
    signed_in.force_authenticate(data_entry_user)

    assert [signed_in.get(URL).status_code for _ in range(5)] == [200] * 5


def test_the_counts_are_in_the_configured_cache(rates, settings):
    rates(anon="5/minute")

    APIClient().get(URL)

    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert len(cache.get("throttle_anon_127.0.0.1")) == 1


def test_an_unreachable_cache_lets_requests_through_and_says_so(rates, settings, caplog):
    """Redis down: the data is still served (no 500), and the log says the limit is off."""
    rates(anon="1/minute")
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{_free_port()}/0"}}

    with caplog.at_level(logging.ERROR, logger="api.throttling"):
        statuses = [APIClient().get(URL).status_code for _ in range(3)]

    assert statuses == [200, 200, 200]
    assert "the cache is unavailable" in caplog.text


# Two server processes (as two gunicorn workers, or two hosts) on one test database: the
# limit holds across them because both count in the same cache, one request at a time.

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "application/json"}), timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as error:
        return error.code


def _start_server(environment: dict) -> tuple[subprocess.Popen, str, Path]:
    port = _free_port()
    with tempfile.NamedTemporaryFile(prefix="gunicorn-", suffix=".log", delete=False) as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "hangzhou_ai_zone.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            cwd=PROJECT_DIR, env=environment, stdout=log, stderr=subprocess.STDOUT,
        )
    return server, f"http://127.0.0.1:{port}", Path(log.name)


def _wait_until_serving(server: subprocess.Popen, base: str, log: Path, timeout: float = 60) -> None:
    # The admin's login page is not behind the API's throttle: waiting costs no request.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            _get(f"{base}/admin/login/")
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"The server did not start within {timeout} s:\n{log.read_text()}")


@pytest.fixture
def two_servers(transactional_db, settings):
    """`two_servers(cache_url)`: two gunicorn processes on the test database, anonymous
    limit 10 a minute, counting in the cache at `cache_url` (empty: the database cache)."""
    started = []

    def start(cache_url: str) -> list[str]:
        if cache_url:
            settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                           "LOCATION": cache_url}}
        cache.delete("throttle_anon_127.0.0.1")
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "hangzhou_ai_zone.settings",
            "DATABASE_URL": test_database_url(),
            "CACHE_URL": cache_url,
            "API_THROTTLE_ANON": "10/minute",
            "NUM_PROXIES": "0",
            "SECRET_KEY": "test-only",
            "DEBUG": "0",
            "USE_HTTPS": "0",  # plain http on 127.0.0.1, as under `make run`
            "CELERY_BROKER_URL": "",
            "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        }
        if not cache_url:
            environment.pop("CACHE_URL")
        servers = [_start_server(environment) for _ in range(2)]
        started.extend(servers)
        for server, base, log in servers:
            _wait_until_serving(server, base, log)
        return [base for _server, base, _log in servers]

    yield start
    for server, _base, log in started:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.unlink(missing_ok=True)
    cache.delete("throttle_anon_127.0.0.1")


@pytest.mark.processes
@pytest.mark.parametrize("cache_url", ["", BROKER_URL], ids=["database-cache", "redis-cache"])
def test_the_limit_holds_across_two_server_processes(two_servers, cache_url):
    if cache_url and not redis_reachable(cache_url):
        skip_or_fail(f"Redis is not reachable at {cache_url}")
    first, second = two_servers(cache_url)
    urls = [f"{(first, second)[i % 2]}{URL}" for i in range(40)]

    one_by_one = [_get(url) for url in urls[:30]]
    cache.delete("throttle_anon_127.0.0.1")
    with ThreadPoolExecutor(8) as pool:  # both servers busy with the same client at once
        at_once = list(pool.map(_get, urls))

    assert Counter(one_by_one) == {200: 10, 429: 20}
    assert one_by_one[:10] == [200] * 10  # both servers served, then both refused
    assert Counter(at_once) == {200: 10, 429: 30}


@pytest.mark.parametrize(
    ("value", "rate"),
    [("120/minute", "120/minute"), (" 5/hours ", "5/hours"), ("", None), ("  ", None)],
)
def test_a_rate_is_read_from_the_environment(monkeypatch, value, rate):
    from hangzhou_ai_zone.settings import _throttle_rate

    monkeypatch.setenv("API_THROTTLE_TEST", value)

    assert _throttle_rate("API_THROTTLE_TEST", "1/second") == rate


@pytest.mark.parametrize("value", ["120", "120/fortnight", "many/minute", "120 per minute"])
def test_a_malformed_rate_stops_the_process_at_start(monkeypatch, value):
    from django.core.exceptions import ImproperlyConfigured

    from hangzhou_ai_zone.settings import _throttle_rate

    monkeypatch.setenv("API_THROTTLE_TEST", value)

    with pytest.raises(ImproperlyConfigured, match="API_THROTTLE_TEST must look like 120/minute"):
        _throttle_rate("API_THROTTLE_TEST", "1/second")
