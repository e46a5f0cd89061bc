"""The pages in a real browser (Debian's chromium through playwright), served the way
production serves them: collected, hashed and compressed static files through whitenoise.

Also measures the overview's page weight: bytes over the wire on a first visit and on
a repeat visit (which should fetch only the HTML), and checks the pages on a phone
(390 × 844), printed on A4 and as the PDF download, in English and Chinese. Screenshots,
printed PDFs and the measurement go to test-artifacts/ (kept out of git).
"""

import datetime as dt
import io
import json
import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections

from tests.conftest import skip_or_fail
from tests.otp import enrol_in_browser
from tests.pdf_text import embedded_fonts, pdf_text_has

# Playwright's sync API runs an event loop in this thread; the database work the test
# does around it is ordinary synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The 2020 plan's pages (`/` shows the plan in force, else the newest: the 2025 plan).
HZ = "/plans/hz-ai-zone-2020"

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def production_static(settings, tmp_path):
    """collectstatic into a temporary STATIC_ROOT with the production storage."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    return settings.STATIC_ROOT


@pytest.fixture
def server(production_static, transactional_db):
    """A live server whose static files come from whitenoise (not Django's static
    handler), so cache headers and compression are what production sends."""
    from django.test.testcases import LiveServerThread

    shared = {
        conn.alias: conn for conn in connections.all()
        if conn.vendor == "sqlite" and conn.is_in_memory_db()
    }
    thread = LiveServerThread("127.0.0.1", static_handler=lambda app: app, connections_override=shared)
    thread.daemon = True
    for conn in shared.values():
        conn.inc_thread_sharing()
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()
    for conn in shared.values():
        conn.dec_thread_sharing()


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        skip_or_fail(f"chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()
        # Playwright runs the test in its own greenlet, whose context gets its own database
        # connection (Django keeps them per context); close it here, or PostgreSQL cannot
        # drop the test database afterwards.
        connections.close_all()


@pytest.fixture
def plan_with_history(db):
    from snapshots.services import snapshots_recompute

    call_command("load_plan", verbosity=0)
    for as_of in (dt.date(2020, 12, 31), dt.date(2021, 12, 31), dt.date(2022, 12, 31)):
        snapshots_recompute(as_of=as_of)


class Watch:
    """Everything the page asked for and complained about."""

    def __init__(self, page):
        self.requests, self.errors, self.headers = [], [], {}
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("response", lambda response: self.headers.setdefault(response.url, response.headers))
        page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        page.on("pageerror", lambda error: self.errors.append(str(error)))


class WireBytes:
    """Bytes actually transferred per request (Chrome's encodedDataLength: compressed
    body plus headers; 0 for what the cache served)."""

    def __init__(self, context, page):
        self.session = context.new_cdp_session(page)
        self.session.send("Network.enable")
        self.reset()
        self.session.on("Network.requestWillBeSent", lambda e: self.urls.__setitem__(e["requestId"], e["request"]["url"]))
        self.session.on("Network.requestServedFromCache", lambda e: self.cached.add(e["requestId"]))
        self.session.on("Network.loadingFinished", lambda e: self.sizes.__setitem__(e["requestId"], e["encodedDataLength"]))

    def reset(self):
        self.urls, self.sizes, self.cached = {}, {}, set()

    def over_the_wire(self) -> dict[str, int]:
        return {self.urls.get(rid, rid): size for rid, size in self.sizes.items() if rid not in self.cached and size > 0}


def test_overview_and_target_page_draw_their_charts_without_leaving_the_machine(server, browser, plan_with_history):
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US",
                                  extra_http_headers={"Accept-Language": "en"})
    page = context.new_page()
    watch = Watch(page)
    wire = WireBytes(context, page)

    page.goto(f"{server}{HZ}/", wait_until="networkidle")
    page.wait_for_selector(".main-svg")
    first_load = wire.over_the_wire()
    page.screenshot(path=ARTIFACTS / "overview-en.png", full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=ARTIFACTS / "overview-print.png", full_page=True)
    page.emulate_media(media="screen")

    wire.reset()
    page.goto(f"{server}{HZ}/", wait_until="networkidle")
    page.wait_for_selector(".main-svg")
    repeat_load = wire.over_the_wire()

    page.goto(f"{server}{HZ}/targets/industry-size/", wait_until="networkidle")
    page.wait_for_selector("#chart-values-industry-size .main-svg")
    page.wait_for_selector("#chart-history-industry-size .main-svg")
    page.screenshot(path=ARTIFACTS / "target-en.png", full_page=True)

    page.select_option("#language-select", "zh-hans")
    with page.expect_navigation(wait_until="networkidle"):
        page.click(".language-switch button")
    page.wait_for_selector(".main-svg")
    page.screenshot(path=ARTIFACTS / "target-zh.png", full_page=True)
    assert page.get_attribute("html", "lang") == "zh-hans"
    assert "杭州" in page.inner_text("h1") or "规模" in page.inner_text("h1")
    assert "2,000 亿元" in page.inner_text("main")
    assert "概览" in page.inner_text("nav")  # the interface, not only the data, is in Chinese

    page.goto(f"{server}{HZ}/measures/", wait_until="networkidle")
    page.wait_for_selector("#chart-measures .main-svg")
    page.screenshot(path=ARTIFACTS / "measures-zh.png", full_page=True)
    context.close()

    assert watch.errors == []
    static = {url: headers for url, headers in watch.headers.items() if "/static/" in url}
    assert any("plotly/plotly.min." in url for url in static)  # hashed name, from the package
    for url, headers in static.items():
        assert "max-age=315360000" in headers.get("cache-control", ""), url  # far-future caching
    plotly_js = next(headers for url, headers in static.items() if "plotly.min." in url)
    assert plotly_js.get("content-encoding") in ("gzip", "br")
    strangers = [url for url in watch.requests if not url.startswith(server + "/") and not url.startswith("data:")]
    assert strangers == []

    weight = {
        "first_load_bytes": sum(first_load.values()),
        "first_load_requests": len(first_load),
        "repeat_load_bytes": sum(repeat_load.values()),
        "repeat_load_requests": sorted(url.removeprefix(server) for url in repeat_load),
        "first_load_by_url": {url.removeprefix(server): size for url, size in sorted(first_load.items())},
    }
    (ARTIFACTS / "page-weight.json").write_text(json.dumps(weight, indent=2))
    print(f"\noverview page weight: {json.dumps(weight, indent=2)}")
    # Plotly's 4.6 MB arrive compressed, and a repeat visit fetches only the page itself.
    assert weight["first_load_bytes"] < 2_000_000
    assert weight["repeat_load_requests"] == [f"{HZ}/"]


# Collects the browser's own reports of blocked content; playwright runs it before any page script.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`);
});
"""


def test_every_page_renders_and_draws_under_the_content_security_policy(server, browser, plan_with_history):
    from tests.factories import UserFactory

    UserFactory(username="csp-admin", password="csp-test-password", is_staff=True, is_superuser=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, extra_http_headers={"Accept-Language": "en"})
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    watch = Watch(page)
    missing = []
    page.on("response", lambda response: response.status >= 400 and missing.append(response.url))
    policies, violations = {}, {}

    def visit(path, *, wait_for):
        response = page.goto(f"{server}{path}", wait_until="networkidle")
        assert response.status == 200, path
        policies[path] = response.headers.get("content-security-policy", "")
        for selector in wait_for:
            page.wait_for_selector(selector)
        violations[path] = page.evaluate("window.__cspViolations")

    visit("/", wait_for=[".plan-picker"])
    visit(f"{HZ}/", wait_for=["#chart-status .main-svg"])
    visit(f"{HZ}/targets/industry-size/", wait_for=["#chart-values-industry-size .main-svg",
                                                    "#chart-history-industry-size .main-svg"])
    visit(f"{HZ}/measures/", wait_for=["#chart-measures .main-svg"])
    visit("/plans/", wait_for=["table.plans"])
    visit("/indicators/ai-industry-revenue/", wait_for=["#chart-indicator-ai-industry-revenue .main-svg"])
    visit("/api/docs/", wait_for=[".swagger-ui .opblock"])
    visit("/admin/login/", wait_for=["#id_username"])
    page.fill("#id_username", "csp-admin")
    page.fill("#id_password", "csp-test-password")
    with page.expect_navigation(wait_until="networkidle"):
        page.click("input[type=submit]")
    # A superuser's first sign-in sets up the second factor (tests/access/test_two_factor_browser.py).
    visit("/accounts/two-factor/enrol/?next=/admin/", wait_for=[".two-factor-qr svg"])
    enrol_in_browser(page, server)
    visit("/admin/", wait_for=["#content-main"])
    # The autocomplete widget (select2 with Django's admin scripts) and the import form.
    visit("/admin/targets/observation/add/", wait_for=[".select2-container"])
    visit("/admin/measures/measure/import/", wait_for=["#id_import_file"])
    context.close()

    for path, policy in policies.items():
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0], path
        assert "unsafe-eval" not in policy, path
    assert violations == {path: [] for path in policies}
    assert missing == []
    assert watch.errors == []


# ---- Phone (390 × 844), paper (A4) and the PDF download ----

PHONE = {"width": 390, "height": 844}
TARGET = f"{HZ}/targets/industry-size/"

# Every element whose right edge lies beyond the viewport (ignoring what a clipping ancestor
# hides), with a short description for the failure message.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const element of document.querySelectorAll("body *")) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.right > width + 0.5) {
      const chart = element.closest(".plotly-graph-div");
      out.push(`${element.tagName.toLowerCase()}.${element.getAttribute("class") || ""}${chart ? " in #" + chart.id : ""} right=${Math.round(box.right)}`);
    }
  }
  return out;
}"""


def _open(browser, language, viewport=PHONE):
    context = browser.new_context(viewport=viewport, locale="en-US" if language == "en" else "zh-CN",
                                  extra_http_headers={"Accept-Language": language}, device_scale_factor=1)
    return context, context.new_page()


# The status chart's count labels and bars, each with its box against the chart's own svg.
CHART_TEXTS = """(selector) => {
  const svg = document.querySelector(selector + " svg.main-svg").getBoundingClientRect();
  return Array.from(document.querySelectorAll(selector + " .bartext, " + selector + " .ytick text, "
                                              + selector + " .xtick text")).map((text) => {
    const box = text.getBoundingClientRect();
    return {text: text.textContent, inside: box.left >= svg.left - 0.5 && box.right <= svg.right + 0.5
            && box.top >= svg.top - 0.5 && box.bottom <= svg.bottom + 0.5, top: Math.round(box.top)};
  });
}"""

# Chinese text set in italics (a slanted CJK glyph is a distorted one).
ITALIC_CHINESE = """() => Array.from(document.querySelectorAll("body *")).filter((element) =>
  getComputedStyle(element).fontStyle === "italic" && /[\u4e00-\u9fff]/.test(element.textContent)
).map((element) => element.tagName)"""


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_on_a_phone_nothing_is_wider_than_the_screen(server, browser, plan_with_history, language):
    ARTIFACTS.mkdir(exist_ok=True)
    context, page = _open(browser, language)
    for name, path, chart in (("overview", f"{HZ}/", "#chart-status"),
                              ("target", TARGET, "#chart-values-industry-size"),
                              ("measures", f"{HZ}/measures/", "#chart-measures"),
                              ("indicator", "/indicators/ai-industry-revenue/", "#chart-indicator-ai-industry-revenue")):
        page.goto(f"{server}{path}", wait_until="networkidle")
        page.wait_for_selector(f"{chart} .main-svg")
        page.screenshot(path=ARTIFACTS / f"phone-{name}-{language}.png", full_page=True)

        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), (name, language)
        assert page.evaluate(OVERFLOWING) == [], (name, language)
        assert page.query_selector(f"{chart} .modebar-btn") is None  # no toolbar over the title
        if language == "zh-hans":
            assert page.evaluate(ITALIC_CHINESE) == [], name

    # The overview's status chart: every count and label inside the chart, the counts whole
    # ("15", not "1"), the axis numbers level and apart.
    page.goto(f"{server}{HZ}/", wait_until="networkidle")
    page.wait_for_selector("#chart-status .bartext", state="attached")
    page.locator("#chart-status").screenshot(path=ARTIFACTS / f"phone-status-chart-{language}.png")
    texts = page.evaluate(CHART_TEXTS, "#chart-status")
    assert texts and all(text["inside"] for text in texts), texts
    table = dict(zip(page.locator("#status-counts tbody td:first-child").all_inner_texts(),
                     page.locator("#status-counts tbody td.num").all_inner_texts(), strict=True))
    counts = sorted(text["text"] for text in page.evaluate(
        "Array.from(document.querySelectorAll('#chart-status .bartext')).map(t => ({text: t.textContent}))"))
    assert counts == sorted(value.strip() for value in table.values())
    x_ticks = page.evaluate("Array.from(document.querySelectorAll('#chart-status .xtick text'))"
                            ".map(t => [t.getAttribute('transform') || '', t.getBoundingClientRect().left])")
    assert 2 <= len(x_ticks) <= 7 and not any("rotate" in transform for transform, _left in x_ticks)

    # A target's table becomes cards: each value under its column's name.
    cards = page.locator("table.targets.cards tbody tr").first
    assert cards.evaluate("row => getComputedStyle(row).display") == "block"
    assert cards.locator("td[data-label]").count() >= 4
    context.close()


def _pdf_pages(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_overview_prints_on_at_most_two_a4_pages_each_with_title_and_dates(server, browser, plan_with_history,
                                                                               language):
    ARTIFACTS.mkdir(exist_ok=True)
    context, page = _open(browser, language, viewport={"width": 1280, "height": 900})
    page.goto(f"{server}{HZ}/?as_of=2022-12-31", wait_until="networkidle")
    page.wait_for_selector("#chart-status .main-svg")
    title = page.inner_text("h1").strip()
    data_date = page.inner_text(".print-header .print-data-date").strip()
    as_of = page.inner_text(".print-header .print-as-of").strip()
    page.emulate_media(media="print")
    page.screenshot(path=ARTIFACTS / f"overview-print-{language}.png", full_page=True)
    # An A4 page's width between the margins (186 mm at 96 px to the inch): no data date cut.
    page.set_viewport_size({"width": 703, "height": 1000})
    cut = page.evaluate("Array.from(document.querySelectorAll('td.col-date'))"
                        ".filter(td => td.scrollWidth > td.clientWidth + 1).map(td => td.innerText)")
    assert cut == []
    pdf = page.pdf(format="A4", print_background=True)
    (ARTIFACTS / f"overview-a4-{language}.pdf").write_bytes(pdf)
    context.close()

    pages = _pdf_pages(pdf)
    print(f"\noverview on A4 ({language}): {len(pages)} pages")
    assert len(pages) <= 2
    for number, text in enumerate(pages, start=1):
        for expected in (title, as_of, data_date):
            assert pdf_text_has(text, expected), (number, expected, text[:300])


def test_the_download_pdf_link_gives_the_page_as_a_pdf_with_chinese_in_an_embedded_cjk_font(server, browser,
                                                                                           plan_with_history):
    from pypdf import PdfReader

    context, page = _open(browser, "zh-hans", viewport={"width": 1280, "height": 900})
    page.goto(f"{server}{HZ}/?as_of=2022-12-31", wait_until="networkidle")
    with page.expect_download() as download:
        page.click(".download a")
    saved = ARTIFACTS / "overview-download-zh-hans.pdf"
    download.value.save_as(saved)
    response = page.request.get(f"{server}{HZ}/targets/industry-size/pdf/", headers={"Accept-Language": "zh-hans"})
    target_pdf = response.body()
    context.close()

    data = saved.read_bytes()
    reader = PdfReader(io.BytesIO(data))
    fonts = embedded_fonts(reader)
    assert any("CJK" in name and embedded for name, embedded in fonts.items()), fonts
    assert pdf_text_has(reader.pages[0].extract_text(), "杭州国家新一代人工智能创新发展试验区建设行动方案")
    assert len(reader.pages) <= 2
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    target = PdfReader(io.BytesIO(target_pdf))
    assert pdf_text_has(target.pages[0].extract_text(), "人工智能产业规模")
