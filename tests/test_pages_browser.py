"""Headless Chromium over the live server: tabs, sorting, a profile with its charts, no console errors, screenshots."""

import pytest

from tests.browser import chromium
from tests.pages_data import build_board

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def test_pages_in_a_real_browser(live_server, artifacts_dir, settings, monkeypatch):
    settings.DEBUG = False
    # Playwright's sync API runs an event loop in this thread; the ORM calls here happen before it starts.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    board = build_board(traders=80, equity_traders=2)
    trader = board["traders"][0]
    errors: list[str] = []
    with chromium() as browser:
        try:
            for size_name, viewport in SIZES.items():
                page = browser.new_page(viewport=viewport, is_mobile=size_name == "phone")
                page.on("console", lambda m: errors.append(f"{m.type}: {m.text}") if m.type == "error" else None)
                page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
                page.on(
                    "response",
                    lambda r: errors.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None,
                )

                page.goto(f"{live_server.url}/")
                assert page.locator("#spotlight .spot-name").is_visible()
                assert page.locator("#top10 tbody tr").count() == 10
                page.screenshot(path=str(artifacts_dir / f"pages-home-{size_name}.png"), full_page=True)

                page.goto(f"{live_server.url}/leaderboard/")
                page.click("a.tab[data-window='7d']")
                page.wait_for_url("**window=7d**")
                assert page.locator("a.tab.active[data-window]").get_attribute("data-window") == "7d"
                if size_name == "desktop":
                    page.click("th a[data-sort-key='roi']")  # best first
                else:
                    page.select_option("select[name=sort]", "-roi")  # the phone's sort control
                page.wait_for_url("**sort=-roi**")
                rois = page.locator("table.board tbody tr td.col-roi").all_inner_texts()
                values = [float(v.rstrip("%")) for v in rois if v != "—"]
                assert values == sorted(values, reverse=True) and len(values) >= 10
                page.screenshot(path=str(artifacts_dir / f"pages-leaderboard-{size_name}.png"), full_page=True)

                page.goto(f"{live_server.url}/leaderboard/?window=30d&q={trader.exchange_uid}")
                page.click(f"a.trader-link[href='/traders/{trader.exchange_uid}/']")
                page.wait_for_url(f"**/traders/{trader.exchange_uid}/")
                line = page.locator("#uv-chart svg path.line")
                box = line.bounding_box()
                assert box and box["width"] > 100 and box["height"] > 10  # the chart really drew
                assert page.locator("#dd-chart svg path.area").count() == 1
                page.locator("#uv-chart svg").hover()
                assert page.locator("#uv-chart .chart-readout").inner_text().strip()
                page.screenshot(path=str(artifacts_dir / f"pages-profile-{size_name}.png"), full_page=True)
                # Phone: nothing wider than the screen except inside the scrollable table boxes.
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 1, f"{size_name}: page scrolls sideways by {overflow}px"
                if size_name == "desktop":  # the API docs render from our own static files (no CDN)
                    page.goto(f"{live_server.url}/api/docs/")
                    page.wait_for_selector(".opblock", timeout=60_000)
                    assert page.locator(".opblock").count() >= 5
                page.close()

            # Chinese: the language link switches the page (a cookie, then the same URL); phone-size screenshot.
            page = browser.new_page(viewport=SIZES["phone"], is_mobile=True)
            page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
            page.goto(f"{live_server.url}/leaderboard/?window=30d")
            page.click("a[hreflang='zh-hans']")
            page.wait_for_url("**/leaderboard/**")
            assert page.locator("html").get_attribute("lang") == "zh-hans"
            assert "排行榜" in page.locator("body").inner_text()
            assert page.locator("table.board tbody tr").count() >= 10
            page.screenshot(path=str(artifacts_dir / "pages-leaderboard-zh-phone.png"), full_page=True)
            page.close()
        finally:
            browser.close()
    assert errors == []
