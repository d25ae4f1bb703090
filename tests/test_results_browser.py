"""The results pages and bundle downloads in headless Chromium: desktop and phone, English and Chinese."""

import zipfile
from pathlib import Path

import pytest

from results.verify_results import bundle_files, recompute
from tests.browser import chromium
from tests.results_data import approved_content_batch, approved_leaderboard_batch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
LANGUAGES = {"en": "How to check the results", "zh-hans": "如何核验结果"}


def test_results_pages_and_downloads_in_a_real_browser(live_server, artifacts_dir, settings, monkeypatch, tmp_path):
    settings.DEBUG = False
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop runs in this thread
    bundle = approved_leaderboard_batch().results_bundle
    approved_content_batch()
    slug = bundle.campaign.slug
    results = f"{live_server.url}/campaigns/{slug}/results/"
    errors: list[str] = []
    with chromium() as browser:
        for language, heading in LANGUAGES.items():
            for size_name, viewport in SIZES.items():
                context = browser.new_context(viewport=viewport, is_mobile=size_name == "phone", accept_downloads=True)
                page = context.new_page()
                page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
                page.on("response", lambda r: errors.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None)
                page.goto(f"{live_server.url}/lang/{language}/?next=/campaigns/{slug}/results/")
                page.wait_for_url(results)
                assert page.locator("html").get_attribute("lang") == language
                assert page.locator("article.result").count() == 2
                assert heading in page.locator("#how-to-check h2").inner_text()
                assert bundle.sha256 in page.locator(f"#batch-{bundle.batch_id}").inner_text()
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 1, f"{language} {size_name}: the page scrolls sideways by {overflow}px"
                page.screenshot(path=str(artifacts_dir / f"results-list-{language}-{size_name}.png"), full_page=True)

                page.click(f"#batch-{bundle.batch_id} h2 a")
                page.wait_for_url(f"**/results/{bundle.batch_id}/")
                assert page.locator("#bundle-sha256").inner_text() == bundle.sha256
                assert page.locator("tbody tr[id^='line-']").count() == 10
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 1, f"{language} {size_name}: the detail scrolls sideways by {overflow}px"
                page.screenshot(path=str(artifacts_dir / f"results-detail-{language}-{size_name}.png"), full_page=True)

                with page.expect_download() as download:
                    page.click("#download-zip")
                saved = tmp_path / f"{language}-{size_name}.zip"
                download.value.save_as(saved)
                assert zipfile.is_zipfile(saved)
                recompute(bundle_files(saved))  # raises at the first difference
                with page.expect_download() as csv_download:
                    page.click("a[href$='/lines.csv']")
                assert csv_download.value.suggested_filename.endswith("lines.csv")
                assert Path(csv_download.value.path()).read_bytes() == bundle.file_bytes("lines.csv")
                context.close()
    assert errors == []
