"""Issue 15, console home: the admin index lists what waits, with counts that match the filtered list each one
links to, and shows each operator only the queues of what their role may see."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from campaigns.models import Enrollment, Post, RewardPeriod
from core.models import OutboundEmail
from core.roles import AUDITOR, MODERATOR, PAYER, Role
from leaderboard.models import RankingRun, Standing
from tests.browser import chromium
from tests.factories import ExchangeAccountFactory
from tests.payouts_helpers import STAFF_PASSWORD, content_batch, phase2, post, sh, staff, trader
from tests.test_console_roles import _operator
from traders.models import ExchangeAccount

ENROLMENTS = "Enrolments to review"
POSTS = "Posts awaiting moderation"
PERIODS = "Open reward periods ending within three days (or already ended)"
FLAGS = "Anti-gaming flags to review"
DRAFTS = "Draft payout batches to recalculate or approve"
APPROVED = "Approved payout batches to pay"
EMAILS = "Failed emails to retry"
FAILING = "Exchange accounts needing attention (ingestion failing)"
LAGGING = "Active exchange accounts not ingested for over an hour"
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def _run(campaign, *, published_at, flags_by_trader) -> RankingRun:
    run = RankingRun.objects.create(
        campaign=campaign,
        window="7d",
        start_date=date(2026, 2, 12),
        end_date=date(2026, 2, 18),
        status="published",
        published_at=published_at,
    )
    for who, flags in flags_by_trader.items():
        Standing.objects.create(run=run, trader=who, flags=flags)
    return run


@pytest.fixture
def waiting_world(db):
    campaign = phase2()
    content_batch()  # one draft batch, calculated by the system
    for name in ("P1", "P2"):
        trader(name, campaign=campaign, status=Enrollment.Status.PENDING)
    post(campaign, trader("Writer"), sh(2026, 2, 20, 9), status=Post.Status.SUBMITTED)
    mail = {"kind": "enrolment", "subject": "s", "body": "b", "language": "en"}
    OutboundEmail.objects.create(to_email="a@example.com", status="failed", last_error="550 no such mailbox", **mail)
    OutboundEmail.objects.create(to_email="b@example.com", **mail)  # queued: not waiting for an operator
    now = timezone.now()
    ExchangeAccountFactory(status=ExchangeAccount.Status.NEEDS_ATTENTION)
    ExchangeAccountFactory(last_ingested_at=now - timedelta(hours=3))  # lagging
    ExchangeAccountFactory(last_ingested_at=now - timedelta(minutes=5))  # fresh
    ExchangeAccountFactory(status=ExchangeAccount.Status.DISABLED, last_ingested_at=now - timedelta(days=9))
    flagged, cleared, old = trader("Flagged"), trader("Cleared"), trader("Old")
    late = {"code": "large_deposit_before_end"}
    _run(campaign, published_at=sh(2026, 2, 18, 12), flags_by_trader={old: [late]})  # superseded run
    _run(
        campaign,
        published_at=sh(2026, 2, 25, 12),
        flags_by_trader={flagged: [late], cleared: [{**late, "cleared": True}], old: []},
    )
    return campaign


def _waiting(client) -> dict:
    response = client.get("/admin/")
    assert response.status_code == 200
    return {item.label: item for item in response.context["waiting"]}


@pytest.mark.django_db
def test_the_console_home_counts_what_waits_and_each_link_lists_exactly_those_rows(client, waiting_world):
    client.force_login(staff("root", superuser=True))
    waiting = _waiting(client)
    open_soon = RewardPeriod.objects.filter(status="open", ends_at__lt=timezone.now() + timedelta(days=3)).count()
    assert open_soon > 0  # phase 2 ended in 2026-03: its open periods are overdue
    expected = {
        ENROLMENTS: 2,
        POSTS: 1,
        PERIODS: open_soon,
        FLAGS: 1,
        DRAFTS: 1,
        APPROVED: 0,
        EMAILS: 1,
        FAILING: 1,
        LAGGING: 1,
    }
    assert {label: item.count for label, item in waiting.items()} == expected
    for label, item in waiting.items():
        listed = client.get(item.url)
        assert listed.status_code == 200, label
        assert listed.context["cl"].result_count == item.count, label
    page = client.get("/admin/").content.decode()
    assert 'id="waiting"' in page and ENROLMENTS in page


@pytest.mark.parametrize(
    "role, labels",
    [
        (MODERATOR, {POSTS}),
        (PAYER, {DRAFTS, APPROVED, PERIODS}),
        (AUDITOR, {ENROLMENTS, POSTS, PERIODS, FLAGS, DRAFTS, APPROVED, EMAILS, FAILING, LAGGING}),
    ],
    ids=lambda value: value.group if isinstance(value, Role) else "",
)
def test_each_role_sees_only_the_queues_of_what_it_may_see(client, waiting_world, role, labels):
    call_command("setup_roles")
    client.force_login(_operator(role))
    assert set(_waiting(client)) == labels


@pytest.mark.django_db
def test_the_console_home_in_chinese(client, waiting_world):
    client.force_login(staff("root", superuser=True))
    client.cookies["django_language"] = "zh-hans"
    page = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "待审核的报名" in page and "待处理" in page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_console_home_in_a_real_browser(live_server, artifacts_dir, waiting_world, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop runs in this thread
    staff("root", superuser=True)
    headings = {"en": ENROLMENTS, "zh-hans": "待审核的报名"}
    with chromium() as browser:
        for language, first in headings.items():
            for size_name, viewport in SIZES.items():
                context = browser.new_context(viewport=viewport, is_mobile=size_name == "phone")
                page = context.new_page()
                page.goto(f"{live_server.url}/lang/{language}/?next=/admin/login/")
                page.fill("#id_username", "root")
                page.fill("#id_password", STAFF_PASSWORD)
                page.click("input[type=submit]")
                page.wait_for_selector("#waiting")
                rows = page.locator("#waiting tr.waiting-row")
                assert rows.count() == 9
                assert first in page.locator("#waiting").inner_text()
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                if size_name == "desktop":  # the stock admin's phone layout is its own; shown, not asserted
                    assert overflow <= 1, f"{language}: the console home scrolls sideways by {overflow}px"
                page.screenshot(path=str(artifacts_dir / f"console-home-{language}-{size_name}.png"), full_page=True)
                rows.filter(has_text=first).locator("a").click()
                page.wait_for_selector("#result_list")
                assert page.locator("#result_list tbody tr").count() == 2  # the two pending enrolments
                context.close()
