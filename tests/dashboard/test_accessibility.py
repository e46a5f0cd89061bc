"""Accessibility basics on every page: language, headings, labelled controls, status in
words (never colour alone), and a table or text beside every chart."""

import datetime as dt
import re
from html.parser import HTMLParser

import pytest

from snapshots.models import Snapshot
from snapshots.services import snapshots_recompute

pytestmark = pytest.mark.django_db

# The 2020 plan's pages (`/` shows the plan in force, else the newest: the 2025 plan).
HZ = "/plans/hz-ai-zone-2020"

PAGES = ["/", f"{HZ}/", f"{HZ}/targets/industry-size/", f"{HZ}/targets/core-invention-patents/",
         f"{HZ}/targets/leading-sectors/", f"{HZ}/measures/", f"{HZ}/?as_of=2021-06-30", f"{HZ}/?as_of=not-a-date",
         "/plans/", "/indicators/ai-industry-revenue/", "/plans/hz-ai-2025/measures/"]
WITH_STATUSES = [f"{HZ}/", f"{HZ}/targets/industry-size/", f"{HZ}/targets/core-invention-patents/",
                 f"{HZ}/targets/leading-sectors/", f"{HZ}/measures/"]
WITH_CHARTS = [*WITH_STATUSES, "/indicators/ai-industry-revenue/"]


class Outline(HTMLParser):
    """Collects what the checks need from a page."""

    def __init__(self):
        super().__init__()
        self.html_lang = None
        self.headings = []
        self.controls = []  # (tag, id)
        self.labels_for = set()
        self.statuses = []  # text inside each .status / .mstatus element
        self.figures = []  # attrs of each <figure>
        self.ids = set()
        self._status_depth = 0
        self._status_text = ""
        self._heading = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        classes = (attrs.get("class") or "").split()
        if tag == "html":
            self.html_lang = attrs.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = [tag, ""]
        if tag in ("select", "textarea") or (tag == "input" and attrs.get("type") not in ("hidden", "submit")):
            self.controls.append((tag, attrs.get("id"), attrs.get("aria-label")))
        if tag == "label" and attrs.get("for"):
            self.labels_for.add(attrs["for"])
        if tag == "span" and ({"status", "mstatus"} & set(classes)):
            self._status_depth = 1
            self._status_text = ""
        elif self._status_depth and tag == "span":
            self._status_depth += 1
        if tag == "figure":
            self.figures.append(attrs)

    def handle_endtag(self, tag):
        if self._heading and tag == self._heading[0]:
            self.headings.append(tuple(self._heading))
            self._heading = None
        if self._status_depth and tag == "span":
            self._status_depth -= 1
            if not self._status_depth:
                self.statuses.append(self._status_text)

    def handle_data(self, data):
        if self._heading:
            self._heading[1] += data
        if self._status_depth:
            self._status_text += data


def outline(client, url, language):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code in (200, 400)
    parsed = Outline()
    html = response.content.decode()
    parsed.feed(html)
    return parsed, html


@pytest.fixture
def computed_plan(hangzhou_plan):
    for as_of in (dt.date(2020, 12, 31), dt.date(2021, 12, 31)):
        snapshots_recompute(as_of=as_of)
    return hangzhou_plan


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("url", PAGES)
def test_page_has_language_one_h1_and_labelled_controls(client, computed_plan, url, language):
    page, _html = outline(client, url, language)

    assert page.html_lang == language
    assert [level for level, _text in page.headings].count("h1") == 1
    assert all(text.strip() for _level, text in page.headings)
    if url in WITH_STATUSES:  # pages in sections; a plain list or a message has none
        assert any(level == "h2" for level, _text in page.headings)
    assert page.controls  # the date picker and the language switch at least
    for tag, control_id, aria_label in page.controls:
        assert aria_label or (control_id and control_id in page.labels_for), f"unlabelled <{tag} id={control_id}>"


@pytest.mark.parametrize("url", WITH_STATUSES)
def test_every_status_is_written_out_beside_its_icon(client, computed_plan, url):
    page, html = outline(client, url, "en")

    assert page.statuses
    labels = {str(label) for _value, label in Snapshot.Status.choices} | {
        "not reported", "not started", "in progress", "completed", "delayed", "not computed on this date"}
    for text in page.statuses:
        icon, _, words = text.strip().partition(" ")
        assert words.strip() in labels, text
    # Icons are decoration: screen readers read the words.
    assert html.count('class="status-icon" aria-hidden="true"') == len(page.statuses)


@pytest.mark.parametrize("url", WITH_CHARTS)
def test_every_chart_has_a_table_or_text_alternative(client, computed_plan, url):
    page, html = outline(client, url, "en")

    charts = re.findall(r'<div id="(chart-[^"]+)" class="plotly-graph-div"', html)
    assert charts, "each of these pages draws at least one chart"
    figure_blocks = re.findall(r"<figure[^>]*>(.*?)</figure>", html, re.S)
    assert len(figure_blocks) == len(charts)
    for block in figure_blocks:
        caption = re.search(r"<figcaption>(.*?)</figcaption>", block, re.S)
        assert caption and caption.group(1).strip()
    for attrs in page.figures:
        described = attrs.get("aria-describedby")
        if described:
            assert described in page.ids  # points at the table that holds the same numbers


def test_progress_bars_are_described_in_words(client, computed_plan):
    html = client.get(f"{HZ}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    bars = re.findall(r'<div class="bar" role="img" aria-label="([^"]+)"', html)
    assert bars and all(label.startswith("Progress ") and "expected by now" in label for label in bars)
