"""Headless Chromium through sign-up, enrolment in the open phase-3 campaign, and "My campaign" (on a phone-sized
screen), with screenshots kept under artifacts/."""

import pytest
from django.db import connections

from campaigns.models import Enrollment
from core.encryption import decrypt
from demo.campaigns import seed_campaigns
from tests.browser import chromium
from tests.signup_support import fast_signup  # noqa: F401
from traders.models import LeadTrader

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fast_signup")]


@pytest.fixture
def page(live_server, monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US", is_mobile=True)
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        page.goto("about:blank")  # end the keep-alive connection, so its server thread lets go of the database
        context.close()


def test_signup_enrol_and_my_campaign(page, live_server, artifacts_dir):
    try:
        _drive(page, live_server.url, artifacts_dir)
    finally:
        # Under Playwright's greenlets this body's ORM calls run on a connection of their own: close it, or
        # PostgreSQL refuses to drop the test database at the end ("accessed by other users").
        connections.close_all()


def _drive(page, base, artifacts_dir):
    _, phase3 = seed_campaigns()

    page.goto(f"{base}/register/")
    assert page.locator("select[name=exchange]").input_value() == "gate"
    page.fill("input[name=display_name]", "Browser Star 星")
    page.fill("input[name=exchange_uid]", "87654321")
    page.fill("input[name=profile_url]", "https://www.gate.com/copytrading/lead-trader/87654321")
    page.fill("input[name=email]", "browser.star@example.com")
    page.fill("input[name=telegram]", "@browser_star")
    page.select_option("select[name=preferred_language]", "en")
    page.fill("textarea[name=bio]", "Swing trader. BTC and ETH perpetuals.")
    page.fill("input[name=password1]", "a-Long-unusual-pass-42")
    page.fill("input[name=password2]", "a-Long-unusual-pass-42")
    page.click("summary")  # open the optional API key section
    page.fill("input[name=api_key]", "READONLYKEY12345")
    page.fill("input[name=api_secret]", "SuperSecretValue987")
    page.check("input[name=accept_terms]")
    box = page.locator("input[name=website]").bounding_box()
    assert box is None or box["x"] + box["width"] <= 0  # the honeypot is off-screen, out of a person's sight
    page.screenshot(path=str(artifacts_dir / "signup_register_form.png"), full_page=True)
    page.click("button[type=submit].btn-block")

    page.wait_for_url(f"{base}/me/")
    assert "Welcome, Browser Star 星" in page.content()
    trader = LeadTrader.objects.get(exchange_uid="87654321")
    assert decrypt(trader.accounts.get().api_secret_encrypted) == "SuperSecretValue987"

    page.click(f"a[href='/campaigns/{phase3.slug}/enrol/']")
    page.wait_for_url(f"{base}/campaigns/{phase3.slug}/enrol/")
    window = page.locator(".reg-window").inner_text()
    assert "Asia/Shanghai" in window and "Registration closes in" in window
    first = page.locator(".countdown-value").inner_text()
    # The countdown ticks in the browser.
    page.wait_for_function(
        "first => document.querySelector('.countdown-value').textContent !== first", arg=first, timeout=30_000
    )

    # Submitting without answers shows the errors and saves nothing.
    page.click("button[type=submit].btn-block")
    assert page.locator("#field-experience_years .error").inner_text() == "This field is required."
    assert not Enrollment.objects.exists()

    page.fill("input[name=experience_years]", "6")
    page.check("input[name=style][value=swing]")
    page.check("input[name=markets][value=btc]")
    page.check("input[name=markets][value=eth]")
    page.fill("textarea[name=posting_plan]", "Weekly BTC swing setups with entries, stops and take-profit levels.")
    page.screenshot(path=str(artifacts_dir / "signup_enrol_form.png"), full_page=True)
    page.click("button[type=submit].btn-block")

    page.wait_for_url(f"{base}/me/")
    enrolments = page.locator("#enrolments").inner_text()
    assert "Pending" in enrolments and phase3.name in enrolments
    assert "No posts yet." in page.content() and "No rewards yet." in page.content()
    enrollment = Enrollment.objects.get()
    assert enrollment.campaign == phase3 and enrollment.answers["markets"] == ["btc", "eth"]
    page.screenshot(path=str(artifacts_dir / "signup_my_campaign.png"), full_page=True)

    # The language switch re-renders the page in Chinese.
    page.click("nav.lang a[hreflang=zh-hans]")
    page.wait_for_load_state()
    page.wait_for_selector("text=我的活动")
    assert "待审核" in page.locator("#enrolments").inner_text() or "Pending" not in page.content()
    page.screenshot(path=str(artifacts_dir / "signup_my_campaign_zh.png"), full_page=True)
    assert (artifacts_dir / "signup_my_campaign.png").stat().st_size > 10_000
