"""The payout desk and the moderation queue in the admin: Django's test client, and a headless browser run."""

import csv
import io
from pathlib import Path

import pytest
from django.urls import reverse

from campaigns.models import Post
from core.models import AuditEvent
from tests.browser import chromium
from tests.payouts_helpers import STAFF_PASSWORD, content_batch, phase2, post, sh, staff, trader


@pytest.mark.django_db
def test_desk_preview_approve_export_and_pay_with_the_client(client):
    calculator = staff("calc", superuser=True)
    batch = content_batch(("Alice", "Bo"), actor=calculator)
    preview = reverse("admin:rewards_payoutbatch_preview", args=[batch.pk])
    client.force_login(calculator)
    page = client.get(preview).content.decode()
    assert "Content rank 1 of 2" in page and "UID-Alice" in page
    assert "2026-02-12 18:00 – 2026-02-26 18:00 (Asia/Shanghai)" in page  # the campaign's zone, not UTC
    assert 'id="approve"' not in page and "The person who last recalculated a batch cannot approve it." in page
    assert client.get(reverse("admin:rewards_payoutbatch_change", args=[batch.pk])).url == preview
    approver = staff("boss", "view_payoutbatch", "approve_payoutbatch", "pay_payoutbatch")
    client.force_login(approver)
    assert 'id="approve"' in client.get(preview).content.decode()
    client.post(reverse("admin:rewards_payoutbatch_approve", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "approved" and batch.approved_by == approver
    export = client.get(reverse("admin:rewards_payoutbatch_export", args=[batch.pk]))
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert [(r["uid"], r["amount"]) for r in rows] == [("UID-Alice", "333.33"), ("UID-Bo", "166.67")]
    assert 'value="Mark paid"' not in client.get(preview).content.decode()  # nor may the approver pay it
    client.force_login(staff("treasurer", "view_payoutbatch", "pay_payoutbatch"))
    client.post(reverse("admin:rewards_payoutbatch_paid", args=[batch.pk]), {"reference": "TX-9"})
    batch.refresh_from_db()
    assert batch.status == "paid" and batch.paid_reference == "TX-9"


@pytest.mark.django_db
def test_moderation_queue_bulk_actions_are_audited(client):
    campaign = phase2()
    who = trader("Alice", campaign=campaign)
    posts = [post(campaign, who, sh(2026, 2, 13, h), status=Post.Status.SUBMITTED) for h in (9, 10, 11)]
    moderator = staff("mod", superuser=True)
    client.force_login(moderator)
    url = reverse("admin:campaigns_post_changelist")
    ids = [str(p.pk) for p in posts]
    assert client.get(url).status_code == 200
    client.post(url, {"action": "mark_quality", "_selected_action": ids[:2]})
    page = client.post(url, {"action": "reject_selected", "_selected_action": ids[2:]})
    assert b"Reject posts" in page.content  # the reason is asked for first
    client.post(url, {"action": "reject_selected", "_selected_action": ids[2:], "apply": "1", "reason": "Copied"})
    client.post(url, {"action": "feature", "_selected_action": ids})  # the rejected one is skipped
    statuses = dict(Post.objects.values_list("pk", "status"))
    assert [statuses[p.pk] for p in posts] == ["quality", "quality", "rejected"]
    assert list(Post.objects.filter(is_featured=True).order_by("pk")) == posts[:2]
    assert Post.objects.get(pk=posts[2].pk).rejection_reason == "Copied"
    actions = sorted(AuditEvent.objects.filter(actor=moderator).values_list("action", flat=True))
    assert actions == ["post.feature", "post.feature", "post.quality", "post.quality", "post.reject"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_desk_in_a_browser(live_server, artifacts_dir):
    calculator = staff("calc", superuser=True)
    batch = content_batch(("Alice", "Bo"), actor=calculator)
    staff("boss", "view_payoutbatch", "approve_payoutbatch", "pay_payoutbatch")
    with chromium() as browser:
        try:
            page = browser.new_page(accept_downloads=True)
            page.goto(f"{live_server.url}/admin/login/")
            page.fill("#id_username", "boss")
            page.fill("#id_password", STAFF_PASSWORD)
            page.click("input[type=submit]")
            page.goto(f"{live_server.url}{reverse('admin:rewards_payoutbatch_changelist')}")
            page.screenshot(path=str(artifacts_dir / "payout_desk_list.png"), full_page=True)
            page.click("#result_list a:has-text('Preview')")
            assert page.locator("#batch-status").inner_text() == "Draft"
            reasons = page.locator("#batch-lines td.reason").all_inner_texts()
            assert len(reasons) == 2 and all("Content rank" in r for r in reasons)
            page.screenshot(path=str(artifacts_dir / "payout_desk_preview.png"), full_page=True)
            page.click("#approve")
            assert page.locator("#batch-status").inner_text() == "Approved"
            with page.expect_download() as download_info:
                page.click("#export")
            text = Path(download_info.value.path()).read_text(encoding="utf-8")
            header = '"exchange","uid","display_name","amount","currency","reward_form","reason","detail"'
            assert text.splitlines()[0] == header
            assert '"gate","UID-Alice","Alice",333.33,"USDT","cash","content"' in text  # the amount: a number
            page.screenshot(path=str(artifacts_dir / "payout_desk_approved.png"), full_page=True)
        finally:
            browser.close()
    batch.refresh_from_db()
    assert batch.status == "approved"
