"""A reporting round end to end in a real browser (chromium through playwright), against the
real 2020 plan: the round is opened; the S&T bureau fills its grid and submits; the economy
bureau downloads the Excel template, fills it offline and uploads it; the zone administrator
returns the S&T set with a comment, the bureau corrects and resubmits, the administrator
approves both; the dashboard shows the new figures with the revision, the completeness page
shows 100 % approved, and the reminder mails (sent before approval) listed the open indicators.

Screenshots go to test-artifacts/reporting-*.png; with UPDATE_SCREENSHOTS=1 they replace the
README's in docs/screenshots/ (so that a test run leaves the checkout unchanged)."""

import datetime as dt
import io
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from openpyxl import load_workbook

import tests.dashboard.test_browser as browser_fixtures
from access.roles import ROLE_DATA_ENTRY, ROLE_ZONE_ADMINISTRATOR, roles_sync
from reporting import reminders, services, uploads
from reporting.models import RoundSet, State
from snapshots.services import snapshots_recompute
from targets.models import Agency, Indicator, Observation, ObservationRevision
from tests.factories import UserFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The live server, whitenoise's static files and chromium: the fixtures of tests/dashboard/test_browser.py.
server, browser, production_static = browser_fixtures.server, browser_fixtures.browser, browser_fixtures.production_static

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / ("docs/screenshots" if os.environ.get("UPDATE_SCREENSHOTS") == "1" else "test-artifacts")
PASSWORD = "round-test-password"
ADMIN_TOTP_KEY = bytes(range(20))
PERIOD_END = dt.date(2021, 12, 31)
SCIENCE = ["core-invention-patents", "national-major-achievements"]
ECONOMY = ["ai-industry-revenue", "benchmark-enterprises"]


@pytest.fixture
def round_open(transactional_db, request):
    call_command("load_plan", verbosity=0)  # today's date: the plan holds figures up to 2024
    request.getfixturevalue("zone_day")  # then a day in January 2022, when the round is open
    roles_sync()
    snapshots_recompute(as_of=PERIOD_END)
    science, economy = Agency.objects.get(code="kjj"), Agency.objects.get(code="jxj")
    Agency.objects.filter(pk=science.pk).update(contact_email="kjj@example.org")
    Agency.objects.filter(pk=economy.pk).update(contact_email="jxj@example.org")
    for name, agency in (("kjj-clerk", science), ("jxj-clerk", economy)):
        user = UserFactory(username=name, password=PASSWORD)
        user.groups.add(Group.objects.get(name=ROLE_DATA_ENTRY))
        agency.members.add(user)
    admin = UserFactory(username="zone-admin", password=PASSWORD, is_staff=True)
    admin.groups.add(Group.objects.get(name=ROLE_ZONE_ADMINISTRATOR))
    # The administrator's authenticator app, enrolled earlier: approving needs its code.
    TOTPDevice.objects.create(user=admin, name="Phone", key=ADMIN_TOTP_KEY.hex(), confirmed=True)
    # A preliminary 2021 revenue figure is already published: the round's figure revises it.
    Observation.objects.create(indicator=Indicator.objects.get(code="ai-industry-revenue"), period_end=PERIOD_END,
                               value=Decimal("1480"), source_title="Preliminary statistics 2021")
    return services.round_create(
        code="2021-annual", name_zh="2021 年度", name_en="2021 annual", plan=None, period_start=dt.date(2021, 1, 1),
        period_end=PERIOD_END, opens_on=dt.date(2022, 1, 1), due_on=dt.date(2022, 1, 31),
        indicators=list(Indicator.objects.filter(code__in=SCIENCE + ECONOMY)), user=admin,
    )


def _signed_in(browser, server, username):
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-US", accept_downloads=True)
    page = context.new_page()
    page.goto(f"{server}/accounts/login/?next=/reporting/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_load_state()
    if "/accounts/two-factor/" in page.url:  # a zone administrator: the code from the app
        # A code is accepted once (django-otp keeps its time step); each sign-in here stands for
        # one on another day, with a new code, so the device forgets the last one used.
        TOTPDevice.objects.filter(user__username=username).update(last_t=-1)
        page.fill("#id_code", f"{totp(ADMIN_TOTP_KEY):06d}")
        page.click("form.login-form button[type=submit]")
    page.wait_for_url(f"{server}/reporting/")
    return context, page


def _set_state(agency_code):
    return RoundSet.objects.get(round__code="2021-annual", agency__code=agency_code).state


def test_a_round_end_to_end(server, browser, round_open, tmp_path):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # The S&T bureau fills its grid in the browser and submits.
    context, page = _signed_in(browser, server, "kjj-clerk")
    assert "2021 annual" in page.inner_text("table.rounds")
    page.click('a[href="/reporting/2021-annual/kjj/"]')
    page.fill('input[name="core-invention-patents-value"]', "120")
    page.fill('input[name="core-invention-patents-source_title"]', "S&T bureau statistics 2021")
    page.fill('input[name="national-major-achievements-value"]', "3")
    page.fill('input[name="national-major-achievements-source_title"]', "S&T bureau statistics 2021")
    page.screenshot(path=SCREENSHOTS / "reporting-grid.png")
    page.click("button[value=submit]")
    page.wait_for_selector("text=The set is submitted for approval.")
    assert _set_state("kjj") == State.SUBMITTED
    context.close()

    # Before the economy bureau reports: the reminder on the due date lists its open indicators only.
    sent = reminders.round_reminders_send(today=dt.date(2022, 1, 31))
    assert sent == [("2021-annual", "jxj", "due")]
    (reminder,) = mail.outbox
    assert reminder.to == ["jxj@example.org"]
    assert all(code in reminder.body for code in ECONOMY) and not any(code in reminder.body for code in SCIENCE)

    # The economy bureau downloads the template, fills it offline and uploads it, then submits.
    context, page = _signed_in(browser, server, "jxj-clerk")
    page.goto(f"{server}/reporting/2021-annual/jxj/")
    with page.expect_download() as download:
        page.click("text=Download the .xlsx template")
    assert download.value.suggested_filename == "2021-annual-jxj.xlsx"
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    sheet = book.worksheets[0]
    fields = uploads.FIELDS
    for line in sheet.iter_rows(min_row=2):
        code = line[0].value
        line[fields.index("source_title")].value = "Economy bureau statistics 2021"
        if code == "ai-industry-revenue":
            line[fields.index("value")].value = 1512
            line[fields.index("revision_reason")].value = "final statistics"
        else:
            line[fields.index("value")].value = 20
    filled = tmp_path / "2021-annual-jxj.xlsx"
    book.save(filled)
    page.set_input_files('input[name="file"]', str(filled))
    page.click("text=Upload as draft")
    page.wait_for_selector("text=every row is saved as a draft")
    assert _set_state("jxj") == State.DRAFT
    page.click("button[value=submit]")
    page.wait_for_selector("text=The set is submitted for approval.")
    assert _set_state("jxj") == State.SUBMITTED
    context.close()

    # The zone administrator returns the S&T set with a comment on one row.
    context, page = _signed_in(browser, server, "zone-admin")
    page.goto(f"{server}/reporting/2021-annual/")
    page.fill('#set-kjj textarea[name="national-major-achievements-comment"]', "The bureau's report says 2.")
    page.locator("#set-kjj").screenshot(path=SCREENSHOTS / "reporting-approval.png")
    page.click("#set-kjj button.return")
    page.wait_for_selector("text=set returned with your comments")
    assert _set_state("kjj") == State.RETURNED
    assert "The bureau's report says 2." in page.inner_text("#set-kjj details.audit")
    context.close()

    # The S&T bureau sees the comment, corrects the row and submits again.
    context, page = _signed_in(browser, server, "kjj-clerk")
    page.goto(f"{server}/reporting/2021-annual/kjj/")
    assert "The bureau's report says 2." in page.inner_text("#row-national-major-achievements")
    page.fill('input[name="national-major-achievements-value"]', "2")
    page.click("button[value=submit]")
    page.wait_for_selector("text=The set is submitted for approval.")
    context.close()

    # The administrator approves both sets.
    context, page = _signed_in(browser, server, "zone-admin")
    page.goto(f"{server}/reporting/2021-annual/")
    for agency in ("kjj", "jxj"):
        page.click(f"#set-{agency} button.approve")
        page.wait_for_selector("text=set approved; its figures are published")
    assert (_set_state("kjj"), _set_state("jxj")) == (State.APPROVED, State.APPROVED)
    revision = ObservationRevision.objects.get()
    assert (revision.previous_value, revision.new_value, revision.reason) == (1480, 1512, "final statistics")

    # The completeness page: 100 % approved for both agencies.
    page.goto(f"{server}/reporting/2021-annual/completeness/", wait_until="networkidle")
    for agency in ("kjj", "jxj"):
        assert page.get_attribute(f'tr[data-agency="{agency}"] td[data-approved-share]', "data-approved-share") == "100"
    page.wait_for_selector("#chart-completeness .main-svg")
    page.screenshot(path=SCREENSHOTS / "reporting-completeness.png")

    # The dashboard: the new figures, with the revision beside the revised one.
    page.goto(f"{server}/plans/hz-ai-zone-2020/targets/industry-size/?as_of=2021-12-31")
    entries = page.inner_text("table.entries")
    # 1,512 亿元 is RMB 151.2 billion in English.
    assert "RMB 151.2 billion" in entries
    assert "revised from RMB 148 billion to RMB 151.2 billion on" in entries and "final statistics" in entries
    page.goto(f"{server}/plans/hz-ai-zone-2020/targets/national-major-achievements/?as_of=2021-12-31")
    assert "S&T bureau statistics 2021" in page.inner_text("table.entries")
    approved = dict(Observation.objects.filter(status=Observation.Status.APPROVED, period_end=PERIOD_END)
                    .values_list("indicator__code", "value"))
    assert approved == {"core-invention-patents": 120, "national-major-achievements": 2,
                        "ai-industry-revenue": 1512, "benchmark-enterprises": 20}
    context.close()
