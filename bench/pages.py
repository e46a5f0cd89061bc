"""Benchmark of the pages and the API at 1,000 and 5,000 targets, in-process on PostgreSQL
(run by `make bench-pages`).

For each size it builds a synthetic plan (bench/recompute.py's `plan_build`, a few figures a
year per target) with its monthly snapshot history up to today, in a throwaway database,
runs VACUUM ANALYZE, and prints with the machine's load beside them (medians of REPEATS):

- each page rendered from nothing (every cache emptied before each request) and, where the
  page is cached, served again; its size as sent, and gzip-compressed;
- the date picker's read (the plan's dates, newest first) and the newest date;
- the API's lists: a full 200 and a 304 to a conditional GET, and their ratio (goal ≤ 10 %);
- the targets' and snapshots' CSV: time to the first byte and to the last;
- the overview's PDF ("pdf overview: N ms"), printed by headless Chromium, and again cached.

BENCH_PROFILE=1 also prints the top of a profile of one overview render (cProfile).
DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/hangzhou_ai_zone_bench_pages; it
is emptied on every run (bench/recompute.py's rule: it refuses a database holding any other
plan). BENCH_SIZES (default "1000,5000") chooses the sizes.
"""

import cProfile
import gzip
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/hangzhou_ai_zone_bench_pages"
os.environ["DATABASE_URL"] = os.environ.get("DATABASE_URL") or DEFAULT_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hangzhou_ai_zone.settings")
os.environ["CELERY_BROKER_URL"] = ""
os.environ.setdefault("LOG_LEVEL", "WARNING")
# The test client's host, plain http (as `make run`), and no API throttle: the bench makes
# more requests than any client may.
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ["USE_HTTPS"] = "0"
os.environ["API_THROTTLE_ANON"] = ""
os.environ["API_THROTTLE_USER"] = ""
# Static files by their plain names: no `collectstatic` needed for in-process requests.
os.environ["STATICFILES_BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"

from bench.recompute import analyse, database_empty, database_ensure, plan_build  # noqa: E402

REPEATS = 7


def caches_clear() -> None:
    """Every cache the pages may use: the configured ones and any in-process memo."""
    from django.conf import settings
    from django.core.cache import caches

    for alias in settings.CACHES:
        caches[alias].clear()
    try:
        from dashboard import pagecache
    except ImportError:  # before the page cache existed
        return
    pagecache.memo_clear()
    try:
        from api import listcache
    except ImportError:  # before the API lists were cached
        return
    listcache.memo_clear()


def timed_get(client, url, **headers):
    """(seconds to the last byte, seconds to the first byte, response, body bytes)."""
    started = time.perf_counter()
    response = client.get(url, **headers)
    if response.streaming:
        chunks = iter(response.streaming_content)
        first = next(chunks, b"")
        first_at = time.perf_counter() - started
        body = first + b"".join(chunks)
    else:
        body = response.content
        first_at = time.perf_counter() - started
    return time.perf_counter() - started, first_at, response, body


def median_get(client, url, *, cold: bool, **headers):
    times, firsts = [], []
    for _ in range(REPEATS):
        if cold:
            caches_clear()
        elapsed, first, response, body = timed_get(client, url, **headers)
        assert response.status_code in (200, 304), (url, response.status_code)
        times.append(elapsed)
        firsts.append(first)
    return statistics.median(times), statistics.median(firsts), response, body


def sizes_of(response, body) -> tuple[int, int]:
    """(bytes as HTML, bytes gzip-compressed): compressed by the server when it does."""
    if response.get("Content-Encoding") == "gzip":
        return len(gzip.decompress(body)), len(body)
    return len(body), len(gzip.compress(body))


def page_line(client, name, url) -> None:
    render, _first, response, body = median_get(client, url, cold=True, HTTP_ACCEPT_ENCODING="gzip")
    plain, packed = sizes_of(response, body)
    cached, *_ = median_get(client, url, cold=False, HTTP_ACCEPT_ENCODING="gzip")
    etag = response.get("ETag")
    conditional = ""
    if etag:
        not_modified, _f, again, _b = median_get(client, url, cold=False, HTTP_IF_NONE_MATCH=etag)
        if again.status_code == 304:
            conditional = f", 304 {not_modified * 1000:.1f} ms"
    print(f"  {name}: rendered {render * 1000:.0f} ms, served again {cached * 1000:.1f} ms{conditional}; "
          f"{plain / 1024:,.0f} KB, {packed / 1024:,.1f} KB gzip")


def pdf_line(client, url) -> None:
    """The overview's "Download PDF": printed by headless Chromium with every cache emptied
    (fewer runs: each starts a browser), then served again from the cache."""
    times = []
    for _ in range(3):
        caches_clear()
        elapsed, _first, response, body = timed_get(client, url)
        if response.status_code != 200:
            print(f"  pdf overview: {response.status_code} (no browser for PDFs here)")
            return
        times.append(elapsed)
    cached, *_ = timed_get(client, url)
    print(f"  pdf overview: {statistics.median(times) * 1000:.0f} ms, served again {cached * 1000:.0f} ms; "
          f"{len(body) / 1024:,.0f} KB")


def api_line(client, name, url) -> None:
    full, _first, response, body = median_get(client, url, cold=True)
    etag = response.get("ETag")
    if not etag:
        print(f"  {name}: 200 {full * 1000:.0f} ms, no ETag")
        return
    not_modified, _f, again, _b = median_get(client, url, cold=True, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304, (url, again.status_code)
    cached, *_ = median_get(client, url, cold=False)  # from the list cache (api.listcache)
    print(f"  {name}: 200 {full * 1000:.0f} ms ({len(body) / 1024:,.0f} KB), served again {cached * 1000:.1f} ms, "
          f"304 {not_modified * 1000:.1f} ms: 304/200 {not_modified / full * 100:.1f} %")


def csv_line(client, name, url) -> None:
    total, first, response, body = median_get(client, url, cold=True)
    rows = body.count(b"\n") - 1
    kind = "streamed" if response.streaming else "in one piece"
    print(f"  {name}: {rows:,} rows {kind}, first byte {first * 1000:.0f} ms, last byte {total * 1000:.0f} ms")


def picker_line(plan) -> None:
    from snapshots import selectors

    def median(function):
        times = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            function()
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    dates = selectors.snapshot_dates(plan=plan)
    picker = median(lambda: selectors.snapshot_dates(plan=plan))
    newest = median(lambda: selectors.snapshot_latest_date(plan=plan))
    print(f"  date picker ({len(dates)} dates): {picker * 1000:.1f} ms; newest date {newest * 1000:.1f} ms")


def profile_overview(client) -> None:
    caches_clear()
    profiler = cProfile.Profile()
    profiler.enable()
    client.get("/")
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    print(out.getvalue())


def main() -> None:
    database_ensure(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from snapshots.services import snapshots_compute_and_store
    from snapshots.services.refresh import plan_calendar
    from targets.models import Plan, Target

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    sizes = [int(size) for size in os.environ.get("BENCH_SIZES", "1000,5000").split(",")]
    client = Client()
    load_before = os.getloadavg()
    for size in sizes:
        started = time.perf_counter()
        database_empty()
        plan = Plan.objects.get(pk=plan_build(f"p{size}", targets=size, figures="sparse"))
        snapshots_compute_and_store(dates_of={plan.pk: plan_calendar(plan)})
        analyse()
        plan.refresh_from_db()
        code = Target.objects.filter(objective__plan=plan).order_by("id").values_list("code", flat=True)[7]
        print(f"\n{size:,} targets, {len(plan_calendar(plan))} dates (built in {time.perf_counter() - started:.0f} s)")
        home = f"/plans/{plan.code}/"  # the plan's own addresses (the old ones redirect)
        page_line(client, "overview", home)
        page_line(client, "overview, one objective", f"{home}?objective=1")
        page_line(client, "target page", f"{home}targets/{code}/")
        page_line(client, "measures page", f"{home}measures/")
        pdf_line(client, f"{home}pdf/")
        picker_line(plan)
        api_line(client, "API targets", "/api/v1/targets/")
        api_line(client, "API snapshots", "/api/v1/snapshots/")
        api_line(client, "API observations", "/api/v1/observations/")
        csv_line(client, "CSV targets", "/api/v1/targets/?format=csv")
        csv_line(client, "CSV snapshots", "/api/v1/snapshots/?format=csv")
        if os.environ.get("BENCH_PROFILE") == "1":
            profile_overview(client)
    load = os.getloadavg()
    print(f"\nPostgreSQL {connection.pg_version // 10000}; load average {load_before[0]:.2f} before, "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} after, on {os.cpu_count()} cores; medians of {REPEATS} runs")


if __name__ == "__main__":
    main()
