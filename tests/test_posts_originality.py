"""Originality checks (pure and through post_submit), moderation rules and the nh3 display filter."""

import pytest
from django.core.exceptions import ValidationError

from campaigns.models import Enrollment, Post
from campaigns.originality import OriginalityIndex, is_long_enough, matched_keywords, text_length
from campaigns.services.posts import post_submit, posts_moderate
from campaigns.templatetags.post_text import post_html
from core.models import AuditEvent
from demo.campaigns import CONTENT_RULES
from tests.payouts_helpers import phase2, sh, trader

ZH = (
    "今天BTC在六万八千附近震荡，我的策略是轻仓做多，止损设在六万六千，止盈看七万二。"
    "杠杆不超过五倍，仓位控制在百分之十以内。资金费率转正说明多头情绪回暖，但成交量还没有放大，"
    "所以我只用一半仓位试单，等突破确认后再加仓，跌破前低就按计划离场。"
)
EN = (
    "BTC has been ranging between 66k and 70k for a week. I opened a small long at 67.2k with 3x leverage, "
    "stop below the range low at 65.8k and take profit in two steps at 69.5k and 71k. Funding is flat and open "
    "interest is rising slowly, so I keep the position small until the range breaks with volume. If it fails "
    "I will cut the trade quickly and wait for a retest of the low before trying again with the same plan."
)


def test_length_in_words_or_cjk_characters():
    assert text_length("BTC long at 67k, stop 65k") == (6, "words")
    length, unit = text_length(ZH)
    assert unit == "cjk_chars" and length > 80
    assert is_long_enough(ZH, CONTENT_RULES) and is_long_enough(EN, CONTENT_RULES)
    assert not is_long_enough("BTC 做多 止损 6.6万", CONTENT_RULES)


def test_trading_keywords_whole_words_and_chinese():
    assert matched_keywords("I belong to the longest queue", ["long"]) == []
    assert matched_keywords("今天BTC做多", ["btc", "做多", "做空"]) == ["btc", "做多"]


def test_near_duplicate_chinese_and_english_point_at_the_earlier_post():
    index = OriginalityIndex(CONTENT_RULES)
    index.add("zh", ZH, 1)
    index.add("en", EN, 2)
    tweaked = ZH.replace("六万八千", "六万九千").replace("五倍", "三倍")
    check = index.check(tweaked, before=3)
    assert check.duplicate_of == "zh" and check.similarity >= 0.8
    assert index.check(EN.replace("67.2k", "67.4k"), before=3).duplicate_of == "en"
    # Only earlier posts count, and an unrelated text is original.
    assert index.check(tweaked, before=1).duplicate_of is None
    assert index.check("ETH 周线级别看空，空单分批在3500上方布局，止损3800。" * 3, before=3).duplicate_of is None


@pytest.mark.django_db
def test_submit_flags_a_copy_of_another_traders_post():
    campaign = phase2()
    alice, bob = trader("Alice", campaign=campaign), trader("Bob", campaign=campaign)
    original = post_submit(
        campaign=campaign, trader=alice, url="https://www.gate.com/post/1", text=ZH, published_at=sh(2026, 2, 13, 9)
    )
    copy = post_submit(
        campaign=campaign,
        trader=bob,
        url="https://www.gate.com/post/2",
        text=ZH.replace("六万八千", "六万九千"),
        published_at=sh(2026, 2, 14, 9),
    )
    assert original.duplicate_of is None and original.is_trading_related and original.checks["long_enough"]
    assert copy.duplicate_of == original and copy.similarity >= 0.8 and copy.status == Post.Status.SUBMITTED
    assert AuditEvent.objects.filter(action="post.submitted", target_id=str(copy.pk)).exists()
    with pytest.raises(ValidationError, match="already submitted"):
        post_submit(campaign=campaign, trader=bob, url=copy.url, text="x", published_at=sh(2026, 2, 14, 9))
    stranger = trader("Stranger")
    with pytest.raises(ValidationError, match="not enrolled"):
        post_submit(campaign=campaign, trader=stranger, url="https://x.com/p", text=EN, published_at=sh(2026, 2, 14))
    rejected = trader("Rej", campaign=campaign, status=Enrollment.Status.REJECTED)
    with pytest.raises(ValidationError, match="not enrolled"):
        post_submit(campaign=campaign, trader=rejected, url="https://x.com/q", text=EN, published_at=sh(2026, 2, 14))
    assert Post.objects.count() == 2


@pytest.mark.django_db
def test_rejection_needs_a_reason_and_clears_the_promotion():
    campaign = phase2()
    alice = trader("Alice", campaign=campaign)
    p = post_submit(
        campaign=campaign, trader=alice, url="https://www.gate.com/post/1", text=EN, published_at=sh(2026, 2, 13)
    )
    with pytest.raises(ValidationError, match="reason"):
        posts_moderate(post_ids=[p.pk], action="reject", actor=None, reason=" ")
    assert posts_moderate(post_ids=[p.pk], action="feature", actor=None).skipped == 1  # not quality yet
    posts_moderate(post_ids=[p.pk], action="quality", actor=None)
    posts_moderate(post_ids=[p.pk], action="home_page", actor=None)
    posts_moderate(post_ids=[p.pk], action="reject", actor=None, reason="Copied strategy")
    p.refresh_from_db()
    assert (p.status, p.is_home_page, p.rejection_reason) == ("rejected", False, "Copied strategy")
    assert list(AuditEvent.objects.filter(target_id=str(p.pk)).order_by("id").values_list("action", flat=True)) == [
        "post.submitted",
        "post.quality",
        "post.home_page",
        "post.reject",
    ]


def test_post_text_is_sanitised_for_display():
    html = post_html('<b>BTC</b> long<script>alert(1)</script>\n<a href="javascript:x()" onclick="y()">z</a>')
    assert "<script" not in html and "onclick" not in html and "javascript:" not in html
    assert "<b>BTC</b>" in html and "<br>" in html
    assert 'rel="nofollow noopener noreferrer"' in post_html('<a href="https://gate.com">g</a>')
