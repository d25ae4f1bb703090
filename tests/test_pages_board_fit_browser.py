"""Issue 14: at 1366 px every column set of the board fits without scrolling sideways, in English and Chinese."""

import pytest

from leaderboard.metric_registry import COLUMN_SETS
from tests.browser import chromium
from tests.pages_data import build_board

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = """() => {
  const wrap = document.querySelector('.board-wrap');
  return {page: document.documentElement.scrollWidth - window.innerWidth,
          table: wrap ? wrap.scrollWidth - wrap.clientWidth : -1};
}"""


def test_every_column_set_fits_a_1366_screen(live_server, artifacts_dir, settings, monkeypatch):
    settings.DEBUG = False
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    build_board(traders=30, equity_traders=1)
    errors: list[str] = []
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.on("console", lambda m: errors.append(f"{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
        try:
            for language in ("en", "zh-hans"):
                page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
                urls = [f"/leaderboard/?window=period&cols={name}" for name in COLUMN_SETS]
                urls.append("/leaderboard/?window=period&sort=-sharpe")  # a set plus its sorted column
                for url in urls:
                    page.goto(live_server.url + url)
                    assert page.locator("table.board tbody tr").count() >= 10
                    fits = page.evaluate(FITS)
                    assert fits["page"] <= 1 and 0 <= fits["table"] <= 1, (language, url, fits)
                    name = url.split("cols=")[-1] if "cols=" in url else "sorted-sharpe"
                    page.screenshot(path=str(artifacts_dir / f"pages-board-{name}-{language}-desktop.png"))
        finally:
            page.close()
    assert not errors, errors
