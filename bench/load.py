"""Load benchmark of the served site (run by `make bench-load`).

Builds the site as `make run` does (`manage.py setup`, then `manage.py generate_demo_data`, the
data the issue measured with) in a throwaway PostgreSQL database, starts `make run`'s server
(`manage.py serve`: gunicorn with 2 workers, and beat) on a free port, and drives it with wrk,
a bounded load tool (a fixed number of connections, for a fixed time), at 50 concurrent
clients: first a trivial address, then the overview. It prints each one's requests per second
and latencies, then

    overview p99 / trivial p99: N.N        (goal ≤ 3)
    overview requests/s: N                 (goal ≥ 500 on 2 workers)

Then a mixed run (issue 17): the 50 clients split over the overview, a target's page and an API
list (/api/v1/targets/), while two writers save a figure every half second each (through the
service, their recompute included, in processes of their own); it prints each one's figures and

    mixed: overview p99 / trivial p99: N.N (goal ≤ 3; the trivial p99 of the first run)
    mixed: errors: N                       (goal 0: non-2xx, socket errors, failed saves)

with the machine's load average beside them. The trivial address is the language view
answering a GET (a redirect): the same server, workers and middleware as the overview, and
no database, template or log line. (A 404 would also write a warning to the log.)

wrk comes from Debian (`apt-get install -y wrk`): when it is missing the script installs it
if it runs as root with apt-get, and otherwise says how to. Settings, all optional:
DATABASE_URL (default postgres://postgres@127.0.0.1:5432/hangzhou_ai_zone_load; emptied and
rebuilt on every run unless BENCH_LOAD_KEEP=1), BENCH_LOAD_SECONDS (30 per address),
BENCH_LOAD_CONNECTIONS (50), BENCH_LOAD_GZIP=1 (requests ask for gzip, as browsers do),
BENCH_LOAD_ONLY=pdf (the PDF flood alone), BENCH_LOAD_ONLY=mixed (the trivial address and the
mixed run alone).

Then the PDF flood (issue 16): 16 anonymous requests at once for one target's PDF, each with a
junk query parameter of its own, while one client reads `/plans/` over and over. Each PDF must
be answered within 25 s (200, or 503 with Retry-After); it prints

    pdf flood: plain page p99 N ms         (goal ≤ 1000)
    pdf flood: peak rss N MB               (goal ≤ 1536: the server's processes, Chromium included)
"""

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/hangzhou_ai_zone_load"
TRIVIAL_PATH = "/i18n/setlang/"
OVERVIEW_PATH = "/"
PLAIN_PATH = "/plans/"
API_LIST_PATH = "/api/v1/targets/"
FLOOD_REQUESTS = 16
FLOOD_LIMIT_SECONDS = 25


def wrk_ensure() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk (Debian package)")
        quiet = {"stdout": subprocess.DEVNULL, "env": {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}}
        if subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], **quiet).returncode != 0:
            subprocess.run(["apt-get", "update", "-qq"], **quiet)
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], **quiet)
        found = shutil.which("wrk")
    if not found:
        sys.exit("The load benchmark needs wrk, a bounded HTTP load tool: `sudo apt-get install wrk` (Debian, "
                 "Ubuntu) or `brew install wrk` (macOS), then run `make bench-load` again.")
    return found


def database_recreate(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    parts = urlparse(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit(f"The load benchmark runs on PostgreSQL; DATABASE_URL is {parts.scheme}://")
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(dbname="postgres", user=parts.username or "postgres", password=parts.password,
                             host=parts.hostname or "127.0.0.1", port=parts.port or 5432)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cursor.fetchone() is not None
        if exists and os.environ.get("BENCH_LOAD_KEEP") != "1":
            cursor.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = False
        if not exists:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(base: str, server: subprocess.Popen, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"The server stopped (exit code {server.returncode}); its log: {log_path}")
        try:
            urllib.request.urlopen(base + OVERVIEW_PATH, timeout=5).read()
            return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"The server did not answer within {timeout:.0f} s; its log: {log_path}")


def warm(base: str) -> None:
    """Every worker imports, connects and fills its caches before the clock starts."""
    for _ in range(20):
        for path in (OVERVIEW_PATH, TRIVIAL_PATH):
            with contextlib.suppress(urllib.error.HTTPError):
                urllib.request.urlopen(base + path, timeout=10).read()


def wrk_run(wrk: str, url: str, *, seconds: int, connections: int, gzip: bool) -> dict:
    command = [wrk, "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", "--timeout", "10s"]
    if gzip:
        command += ["-H", "Accept-Encoding: gzip"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    return {"output": output, **wrk_parse(output)}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


def wrk_parse(output: str) -> dict:
    latencies = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    rate = re.search(r"^Requests/sec:\s+([0-9.]+)", output, re.MULTILINE)
    if "50" not in latencies or rate is None:
        sys.exit(f"Could not read wrk's report:\n{output}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)$", output, re.MULTILINE)
    return {
        "p50": _ms(latencies["50"]), "p99": _ms(latencies["99"]), "rate": float(rate.group(1)),
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


# A writer: saves figures through the service (as the admin and the API do), the recompute
# included (no broker: tasks run in the saving process, as under `make run`), one save every
# WRITER_PAUSE seconds, for the given seconds; prints "saves N errors N p50 N p99 N" (ms).
WRITER_PAUSE = 0.5
WRITER = """
import os, sys, time
from targets.models import Observation
from targets.services import observation_update
seconds, first, pause = (float(os.environ["BENCH_WRITER_SECONDS"]), int(os.environ["BENCH_WRITER_NUMBER"]),
                         float(os.environ["BENCH_WRITER_PAUSE"]))
ids = list(Observation.objects.filter(status=Observation.Status.APPROVED, indicator__targets__isnull=False)
           .order_by("id").values_list("id", flat=True).distinct()[:40])
took, errors, position = [], 0, first
warm = Observation.objects.get(pk=ids[first])  # the first save loads the task modules: not timed
observation_update(observation=warm, data={"value": warm.value + 1})
end = time.monotonic() + seconds
while time.monotonic() < end:
    entry = Observation.objects.get(pk=ids[position % len(ids)])
    position += 2
    started = time.monotonic()
    try:
        observation_update(observation=entry, data={"value": entry.value + 1})
        took.append(1000 * (time.monotonic() - started))
    except Exception as error:
        errors += 1
        print("save failed:", repr(error), file=sys.stderr)
    time.sleep(pause)
took.sort()
print(f"saves {len(took)} errors {errors} p50 {took[len(took) // 2] if took else 0:.0f} "
      f"p99 {took[min(len(took) - 1, int(0.99 * len(took)))] if took else 0:.0f}")
"""


def mixed_run(wrk: str, base: str, env: dict, *, seconds: int, connections: int, gzip: bool) -> dict:
    """Readers and writers at once: `connections` wrk clients split over the overview (two
    fifths), a target's page and an API list, while two writers save figures."""
    overview = urllib.request.urlopen(base + OVERVIEW_PATH, timeout=10).read().decode()
    target = re.search(r'href="(/plans/[^/"]+/targets/[^/"]+/)', overview)
    if target is None:
        sys.exit("The overview lists no target.")
    paths = {"overview": OVERVIEW_PATH, "target page": target.group(1), "API list": API_LIST_PATH}
    shares = {"overview": connections * 2 // 5}
    shares["target page"] = (connections - shares["overview"]) // 2
    shares["API list"] = connections - shares["overview"] - shares["target page"]
    readers = {}
    for name, path in paths.items():
        command = [wrk, "-t", "1", "-c", str(shares[name]), "-d", f"{seconds}s", "--latency", "--timeout", "10s"]
        if gzip:
            command += ["-H", "Accept-Encoding: gzip"]
        readers[name] = subprocess.Popen([*command, base + path], stdout=subprocess.PIPE, text=True)
    writers = [
        subprocess.Popen([PYTHON, "manage.py", "shell", "-c", WRITER], cwd=ROOT, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True,
                         env={**env, "BENCH_WRITER_SECONDS": str(seconds), "BENCH_WRITER_NUMBER": str(number),
                              "BENCH_WRITER_PAUSE": str(WRITER_PAUSE)})
        for number in range(2)
    ]
    results = {name: {"path": paths[name], "connections": shares[name], **wrk_parse(process.communicate()[0])}
               for name, process in readers.items()}
    saves = []
    for writer in writers:
        out, err = writer.communicate()
        found = re.search(r"saves (\d+) errors (\d+) p50 (\d+) p99 (\d+)", out)
        if writer.returncode != 0 or found is None:
            sys.exit(f"A writer failed:\n{out}\n{err}")
        saves.append(dict(zip(("saves", "errors", "p50", "p99"), map(int, found.groups()), strict=True)))
    return {"readers": results, "writers": saves}


def mixed_report(mixed: dict, trivial: dict) -> None:
    errors = 0
    for name, result in mixed["readers"].items():
        errors += result["non_2xx"] + (1 if result["socket_errors"] else 0)
        print(f"mixed: {name} ({result['path']}, {result['connections']} connections): {result['rate']:,.0f} "
              f"requests/s, p50 {result['p50']:.1f} ms, p99 {result['p99']:.1f} ms"
              + (f", {result['non_2xx']} non-2xx" if result["non_2xx"] else "")
              + (f", socket errors: {result['socket_errors']}" if result["socket_errors"] else ""))
    for number, writer in enumerate(mixed["writers"], 1):
        errors += writer["errors"]
        print(f"mixed: writer {number}: {writer['saves']} saves (with their recompute), p50 {writer['p50']} ms, "
              f"p99 {writer['p99']} ms, {writer['errors']} errors")
    print(f"mixed: overview p99 / trivial p99: {mixed['readers']['overview']['p99'] / trivial['p99']:.1f}")
    print(f"mixed: errors: {errors}")


def session_rss_mb(session: int) -> float:
    """The resident memory of every process in the server's session (gunicorn, its workers,
    beat, the browsers they start), summed from /proc (Linux)."""
    total_kb = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[3]) != session:  # the session id, after state, ppid and pgrp
                continue
            status = (entry / "status").read_text()
        except (OSError, ValueError):
            continue
        found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        total_kb += int(found.group(1)) if found else 0
    return total_kb / 1024


def pdf_flood(base: str, session: int) -> dict:
    """FLOOD_REQUESTS anonymous requests at once for one target's PDF, each with a junk
    parameter of its own, while one client reads PLAIN_PATH in a loop and the server's memory
    is sampled."""
    overview = urllib.request.urlopen(base + OVERVIEW_PATH, timeout=10).read().decode()
    target = re.search(r'href="(/plans/[^/"]+/targets/[^/"]+/)', overview)
    if target is None:
        sys.exit("The overview lists no target to print.")
    pdf_url = base + target.group(1) + "pdf/"
    results, plain, peak = [], [], [0.0]
    done = threading.Event()

    def fetch_pdf(number: int) -> None:
        started = time.monotonic()
        try:
            with urllib.request.urlopen(f"{pdf_url}?junk={number}-{time.time_ns()}", timeout=60) as response:
                response.read()
                status, retry_after = response.status, response.headers.get("Retry-After")
        except urllib.error.HTTPError as error:
            status, retry_after = error.code, error.headers.get("Retry-After")
        except OSError as error:
            status, retry_after = f"error ({error})", None
        results.append({"status": status, "retry_after": retry_after, "seconds": time.monotonic() - started})

    def read_plain() -> None:
        while not done.is_set():
            started = time.monotonic()
            with contextlib.suppress(OSError):
                urllib.request.urlopen(base + PLAIN_PATH, timeout=60).read()
            plain.append(1000 * (time.monotonic() - started))

    def sample_memory() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], session_rss_mb(session))
            time.sleep(0.2)

    helpers = [threading.Thread(target=read_plain), threading.Thread(target=sample_memory)]
    flood = [threading.Thread(target=fetch_pdf, args=(number,)) for number in range(FLOOD_REQUESTS)]
    for thread in helpers + flood:
        thread.start()
    for thread in flood:
        thread.join()
    done.set()
    for thread in helpers:
        thread.join()
    plain.sort()
    return {"results": results, "plain_p99": plain[min(len(plain) - 1, int(0.99 * len(plain)))] if plain else 0,
            "plain_count": len(plain), "peak_rss": peak[0], "url": pdf_url}


def flood_report(flood: dict) -> None:
    results = flood["results"]
    counts = {}
    for result in results:
        counts[result["status"]] = counts.get(result["status"], 0) + 1
    late = [r for r in results if r["seconds"] > FLOOD_LIMIT_SECONDS]
    no_retry = [r for r in results if r["status"] == 503 and not r["retry_after"]]
    wrong = [r for r in results if r["status"] not in (200, 503)]
    print(f"\npdf flood: {len(results)} anonymous requests at once for {urlparse(flood['url']).path} "
          f"with distinct junk parameters: " + ", ".join(f"{n} × {s}" for s, n in sorted(counts.items(), key=str))
          + f"; slowest {max(r['seconds'] for r in results):.1f} s"
          + f"; {len(late)} past {FLOOD_LIMIT_SECONDS} s, {len(no_retry)} 503 without Retry-After, "
            f"{len(wrong)} neither 200 nor 503")
    print(f"pdf flood: {flood['plain_count']} reads of {PLAIN_PATH} meanwhile")
    print(f"pdf flood: plain page p99 {flood['plain_p99']:.0f} ms")
    print(f"pdf flood: peak rss {flood['peak_rss']:.0f} MB")


def main() -> None:
    only_pdf = os.environ.get("BENCH_LOAD_ONLY") == "pdf"
    only_mixed = os.environ.get("BENCH_LOAD_ONLY") == "mixed"
    wrk = None if only_pdf else wrk_ensure()
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    seconds = int(os.environ.get("BENCH_LOAD_SECONDS", "30"))
    connections = int(os.environ.get("BENCH_LOAD_CONNECTIONS", "50"))
    gzip = os.environ.get("BENCH_LOAD_GZIP") == "1"
    env = {**os.environ, "DATABASE_URL": url, "USE_HTTPS": "0", "CELERY_BROKER_URL": "",
           "ADMIN_PASSWORD": os.environ.get("ADMIN_PASSWORD", "bench-load-only-password"),
           # wrk's 50 clients share one address: the API's per-address throttle would count them
           # as one client and answer 429 (the throttle is tested on its own).
           "API_THROTTLE_ANON": ""}
    database_recreate(url)
    started = time.perf_counter()
    for command in (["setup"], ["generate_demo_data"]):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    print(f"built the site with demo data in {time.perf_counter() - started:.0f} s ({urlparse(url).path[1:]})")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = Path(tempfile.gettempdir()) / "hangzhou-ai-zone-bench-load-server.log"
    log = open(log_path, "w")  # noqa: SIM115 (open for the server's lifetime, closed in the finally below)
    server = subprocess.Popen([PYTHON, "manage.py", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_up(base, server, log_path)
        warm(base)
        load_before = os.getloadavg()
        if not only_pdf:
            trivial = wrk_run(wrk, base + TRIVIAL_PATH, seconds=seconds, connections=connections, gzip=gzip)
            if not only_mixed:
                overview = wrk_run(wrk, base + OVERVIEW_PATH, seconds=seconds, connections=connections, gzip=gzip)
            mixed = mixed_run(wrk, base, env, seconds=seconds, connections=connections, gzip=gzip)
        load = os.getloadavg()
        if not only_mixed:
            flood = pdf_flood(base, os.getsid(server.pid))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()

    if only_pdf:
        flood_report(flood)
        return
    print(f"\nwrk, {connections} connections, {seconds} s each, against manage.py serve (gunicorn, 2 workers) "
          f"on PostgreSQL{', gzip asked for' if gzip else ''}; load average {load_before[0]:.2f} before, "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} after, on {os.cpu_count()} cores")
    if only_mixed:
        print(f"\nload average {load_before[0]:.2f} before, {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} after, "
              f"on {os.cpu_count()} cores; trivial ({TRIVIAL_PATH}): p99 {trivial['p99']:.1f} ms")
        mixed_report(mixed, trivial)
        return
    for name, result in ((f"trivial ({TRIVIAL_PATH})", trivial), ("overview", overview)):
        problems = ""
        if result["non_2xx"] and name == "overview":
            problems += f", {result['non_2xx']} non-2xx responses"
        if result["socket_errors"]:
            problems += f", socket errors: {result['socket_errors']}"
        print(f"{name}: {result['rate']:,.0f} requests/s, p50 {result['p50']:.1f} ms, "
              f"p99 {result['p99']:.1f} ms{problems}")
    print(f"overview p99 / trivial p99: {overview['p99'] / trivial['p99']:.1f}")
    print(f"overview requests/s: {overview['rate']:,.0f}")
    print()
    mixed_report(mixed, trivial)
    flood_report(flood)


if __name__ == "__main__":
    main()
