"""Pages as A4 PDFs, printed by headless Chromium (through playwright) from the page's own
HTML with its print stylesheet: what a reader's "Print → Save as PDF" gives, made on the server.

Chromium, not WeasyPrint: the browser tests already drive it, it draws the Plotly charts
(WeasyPrint runs no JavaScript) and it lays out the page exactly as the officials' browsers
print it. Chinese text is set in Noto Sans CJK (Debian's fonts-noto-cjk), which Chromium
embeds (as a subset) in the PDF.

Nothing leaves the machine: the HTML is loaded with `set_content` under a made-up origin, and
every request the page makes is answered from the site's own static files or refused.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import re
import threading
import time
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import caches

from dashboard.pagecache import code_version

logger = logging.getLogger(__name__)

# The origin the page is loaded under: never resolved, every request to it is answered here.
ORIGIN = "http://pdf.invalid"
CACHE_ALIAS = "pages"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--no-first-run", "--disable-sync", "--disable-dev-shm-usage"]
# The masked CSRF token differs on every response: left out of the cache key.
_CSRF_INPUT = re.compile(r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]*">')
# Every chart drawn, or a chart that cannot be drawn (no Plotly): then the page prints without it.
_CHARTS_DRAWN = """() => Array.from(document.querySelectorAll("[data-plotly-figure]"))
  .every((element) => element.querySelector(".main-svg"))"""


# One browser at a time per process: each takes a core and some 150 MB while it prints, and a
# reader asking for many dates at once must not start as many. In a threaded server the others
# wait their turn, within the time limit.
_printing = threading.BoundedSemaphore(1)
# And one at a time on the whole site, whatever the number of workers: a key in the pages'
# cache that every worker shares, taken with `add` (atomic in the database cache and Redis).
# A request that finds it taken is answered 503 with Retry-After at once rather than kept
# waiting: gunicorn's sync workers serve one request each, and a worker waiting for the
# printer is one fewer for every other page (16 PDFs at once held both of `make run`'s
# workers for a minute). It expires by itself if its holder dies mid-print.
RENDER_SLOT_KEY = "pdf:rendering"


class PdfUnavailable(Exception):
    """The PDF could not be made (no browser, or it took too long); the page itself works."""


class PdfBusy(PdfUnavailable):
    """Another PDF is being printed on the site; try again shortly."""


def _slot_take() -> bool:
    try:
        return caches[CACHE_ALIAS].add(RENDER_SLOT_KEY, 1, timeout=settings.PDF_TIMEOUT_SECONDS + 15)
    except Exception:
        # The cache is down: each process's own semaphore still bounds the printing.
        logger.warning("The page cache could not be read; printing without the site-wide slot", exc_info=True)
        return True


def _slot_release() -> None:
    try:
        caches[CACHE_ALIAS].delete(RENDER_SLOT_KEY)
    except Exception:
        logger.warning("The page cache could not be written; the PDF slot expires by itself", exc_info=True)


def _static_file(url_path: str) -> Path | None:
    """The file behind a static address: collected (hashed names, production) or found by
    the finders (development)."""
    prefix = "/" + settings.STATIC_URL.lstrip("/")
    if not url_path.startswith(prefix):
        return None
    name = url_path[len(prefix):]
    try:
        if staticfiles_storage.exists(name):
            return Path(staticfiles_storage.path(name))
    except NotImplementedError:  # a storage without local paths
        pass
    found = finders.find(name)
    return Path(found) if found else None


def _answer(route, *, scripts: bool = True) -> None:
    """Static files from disk; anything else (another origin, a page address) refused, and
    scripts too when no chart is to be drawn."""
    url = route.request.url
    path = _static_file(url[len(ORIGIN):].split("?", 1)[0]) if url.startswith(ORIGIN + "/") else None
    if path is None or not path.is_file() or (not scripts and path.suffix == ".js"):
        route.abort()
        return
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    # By path: the browser's driver reads the file itself (Plotly's 4.6 MB sent through the
    # driver's pipe instead took two seconds).
    route.fulfill(status=200, path=path, headers={"Content-Type": content_type})


def html_to_pdf(*, html: str, charts: bool = True, timeout_seconds: float | None = None) -> bytes:
    """The page printed on A4 (its print stylesheet, backgrounds kept, its charts drawn unless
    `charts` is False: a page whose print shows none is printed without loading Plotly, which
    takes most of the time). Raises PdfUnavailable when the browser is missing, fails or runs
    past the time limit."""
    timeout_ms = 1000 * (timeout_seconds or settings.PDF_TIMEOUT_SECONDS)
    # Relative addresses (/static/...) resolve under ORIGIN, where _answer serves them.
    html = html.replace("<head>", f'<head><base href="{ORIGIN}/">', 1)
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as error:
        raise PdfUnavailable("playwright is not installed") from error
    started = time.monotonic()

    def left() -> float:  # of the time limit, for the next step (the whole render is bounded)
        return max(timeout_ms - 1000 * (time.monotonic() - started), 1)

    if not _printing.acquire(timeout=timeout_ms / 1000):
        raise PdfUnavailable("another PDF is being printed")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=settings.PDF_CHROMIUM, headless=True,
                                                 args=LAUNCH_ARGS, timeout=left())
            try:
                page = browser.new_page(java_script_enabled=True)
                page.route("**/*", lambda route: _answer(route, scripts=charts))
                page.set_content(html, wait_until="load", timeout=left())
                if charts:
                    try:
                        page.wait_for_function(_CHARTS_DRAWN, timeout=min(left() / 2, 10_000))
                    except Error:
                        logger.warning("PDF: a chart was not drawn in time; printing without it")
                page.set_default_timeout(left())
                page.emulate_media(media="print")
                return page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
            finally:
                browser.close()
    except Error as error:
        logger.warning("PDF could not be made: %s", str(error).partition("\n")[0])
        raise PdfUnavailable(str(error).partition("\n")[0]) from error
    finally:
        _printing.release()


def _cached(key: str) -> bytes | None:
    try:
        return caches[CACHE_ALIAS].get(key)
    except Exception:
        logger.warning("The page cache could not be read; making the PDF instead", exc_info=True)
        return None


def pdf_for_page(*, html: str, charts: bool = True) -> bytes:
    """The PDF of a rendered page, from the cache when the same page was printed before (the
    key is the page's HTML, whose static addresses carry their files' hashes in production, and
    the code's version: any change of data, date, language, style or code is a new key). The
    page is rendered from the parameters that change it alone (dashboard.views._as_pdf), so a
    made-up query parameter is not a new key. Raises PdfBusy when another PDF is being printed
    on the site, PdfUnavailable when this one cannot be."""
    html_key = hashlib.sha256(_CSRF_INPUT.sub("", html).encode()).hexdigest()
    key = f"pdf:{int(charts)}:{code_version()}:{html_key}"
    cached = _cached(key)
    if cached is not None:
        return cached
    if not _slot_take():
        raise PdfBusy("another PDF is being printed")
    try:
        cached = _cached(key)  # printed by the slot's last holder while this request was on its way
        if cached is not None:
            return cached
        pdf = html_to_pdf(html=html, charts=charts)
    finally:
        _slot_release()
    try:
        caches[CACHE_ALIAS].set(key, pdf)
    except Exception:
        logger.warning("The page cache could not be written; the PDF was served uncached", exc_info=True)
    return pdf
