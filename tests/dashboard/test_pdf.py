""""Download PDF": the overview and a target page printed by headless Chromium from the page's
own HTML — A4, Chinese in an embedded CJK font — cached by the page's content, and a clear 503
(never a 500) when the browser is missing."""

import io
import time
from pathlib import Path

import pytest
from django.urls import reverse

from snapshots.services import snapshots_recompute
from tests.conftest import skip_or_fail
from tests.pdf_text import embedded_fonts, pdf_text_has

pytestmark = pytest.mark.django_db

HZ_CODE = "hz-ai-zone-2020"


@pytest.fixture
def computed(hangzhou_plan, settings):
    import datetime as dt

    if not Path(settings.PDF_CHROMIUM).exists():
        skip_or_fail(f"chromium not found at {settings.PDF_CHROMIUM}")
    snapshots_recompute(as_of=dt.date(2021, 12, 31))
    return hangzhou_plan


def _read(data: bytes):
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(data))


def test_the_overview_pdf_is_chinese_in_an_embedded_cjk_font(client, computed):
    url = reverse("dashboard:plan_pdf", args=[HZ_CODE])

    started = time.monotonic()
    response = client.get(url, {"as_of": "2021-12-31"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    elapsed = time.monotonic() - started

    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{HZ_CODE}-2021-12-31.pdf"'
    reader = _read(response.content)
    assert len(reader.pages) <= 2
    fonts = embedded_fonts(reader)
    cjk = [name for name in fonts if "CJK" in name]
    assert cjk and all(fonts[name] for name in cjk), fonts
    text = "".join(page.extract_text() for page in reader.pages)
    assert pdf_text_has(text, "杭州国家新一代人工智能创新发展试验区建设行动方案")
    assert pdf_text_has(text, "截至2021年12月31日")
    print(f"\npdf overview (zh): {elapsed * 1000:.0f} ms, {len(response.content)} bytes")


def test_a_target_pdf_draws_its_charts_and_is_served_from_the_cache_the_second_time(client, computed, settings):
    url = reverse("dashboard:target_pdf", args=[HZ_CODE, "industry-size"])

    started = time.monotonic()
    first = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    print(f"\npdf target page (en, two charts): {(time.monotonic() - started) * 1000:.0f} ms")
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    pages = [page.extract_text() for page in _read(first.content).pages]
    text = " ".join(pages)
    assert all(pdf_text_has(page, "Size of the local AI industry") for page in pages)  # at the top of each
    assert "Reported values, path and target" in text  # the chart's title: Plotly drew it

    settings.PDF_CHROMIUM = "/nonexistent/chromium"  # a second print would fail now
    again = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 200 and again.content == first.content


def test_without_a_browser_the_pdf_is_a_503_that_says_so(client, hangzhou_plan, settings):
    settings.PDF_CHROMIUM = "/nonexistent/chromium"

    response = client.get(reverse("dashboard:plan_pdf", args=[HZ_CODE]), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    html = response.content.decode()
    assert "PDF not available" in html and f'href="/plans/{HZ_CODE}/"' in html


def test_the_pdf_of_a_page_that_does_not_exist_is_its_404(client, hangzhou_plan):
    assert client.get(reverse("dashboard:plan_pdf", args=["no-such-plan"])).status_code == 404
    assert client.get(reverse("dashboard:target_pdf", args=[HZ_CODE, "no-such-target"])).status_code == 404


def test_the_pdf_follows_the_pages_access_rules(client, hangzhou_plan, settings):
    settings.PUBLIC_READ = False
    response = client.get(reverse("dashboard:plan_pdf", args=[HZ_CODE]))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.post(reverse("dashboard:plan_pdf", args=[HZ_CODE])).status_code in (302, 405)


def test_a_second_pdf_waits_its_turn_and_past_the_limit_is_unavailable():
    """One browser at a time per process: another print waits, within the time limit."""
    from dashboard import pdf

    assert pdf._printing.acquire(timeout=1)
    try:
        started = time.monotonic()
        with pytest.raises(pdf.PdfUnavailable):
            pdf.html_to_pdf(html="<html><head></head><body>x</body></html>", timeout_seconds=0.2)
        assert time.monotonic() - started < 2
    finally:
        pdf._printing.release()


@pytest.fixture
def printer(monkeypatch):
    """Chromium replaced by a recorder: these tests are about which pages get printed, when
    and for whom, not the print itself (the tests above print for real)."""
    from dashboard import pdf

    printed = []

    def html_to_pdf(*, html, charts=True, timeout_seconds=None):
        printed.append(html)
        return b"%PDF-1.4 made up"

    monkeypatch.setattr(pdf, "html_to_pdf", html_to_pdf)
    return printed


def test_made_up_query_parameters_are_one_page_and_one_print(client, hangzhou_plan, printer):
    url = reverse("dashboard:plan_pdf", args=[HZ_CODE])
    for query in ("?x=1", "?x=2&y=3", "?utm_source=mail&status=done&page=2", ""):
        response = client.get(url + query)
        assert response.status_code == 200 and response.content == b"%PDF-1.4 made up"
    assert len(printer) == 1
    assert "x=1" not in printer[0]

    # The date does change the page: a print of its own, whatever else the query says.
    for query in ("?as_of=2021-12-31&x=1", "?x=2&as_of=2021-12-31"):
        assert client.get(url + query).status_code == 200
    assert len(printer) == 2


def test_while_another_pdf_prints_a_request_gets_a_503_with_retry_after_at_once(client, hangzhou_plan, printer,
                                                                               settings):
    from django.core.cache import caches

    from dashboard import pdf

    assert caches[pdf.CACHE_ALIAS].add(pdf.RENDER_SLOT_KEY, 1, 60)  # another worker is printing
    started = time.monotonic()
    response = client.get(reverse("dashboard:plan_pdf", args=[HZ_CODE]), HTTP_ACCEPT_LANGUAGE="en")
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.PDF_TIMEOUT_SECONDS)
    assert "Another PDF is being printed" in response.content.decode()
    assert elapsed < 2 and printer == []

    caches[pdf.CACHE_ALIAS].delete(pdf.RENDER_SLOT_KEY)  # that print ended
    assert client.get(reverse("dashboard:plan_pdf", args=[HZ_CODE])).status_code == 200
    assert len(printer) == 1
    assert caches[pdf.CACHE_ALIAS].get(pdf.RENDER_SLOT_KEY) is None  # released after printing


def test_pdfs_are_throttled_per_client(client, hangzhou_plan, printer, settings, viewer):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "pdf_anon": "2/minute", "pdf_user": "3/minute"}}
    url = reverse("dashboard:plan_pdf", args=[HZ_CODE])
    assert [client.get(f"{url}?n={n}").status_code for n in range(3)] == [200, 200, 429]
    refused = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 60
    assert "Too many PDFs" in refused.content.decode()
    assert client.get(reverse("dashboard:plan", args=[HZ_CODE])).status_code == 200  # the page itself is not limited
    assert len(printer) == 1

    client.force_login(viewer)  # a user is counted by account, under the user limit
    assert [client.get(url).status_code for _n in range(4)] == [200, 200, 200, 429]
