"""Per-trader flag review: an operator clears (or upholds) one anti-gaming flag of one trader in one campaign.

The phase-2 campaign (Asia/Shanghai) with three traders ranked from real daily-equity rows: STRONG and WEAK, and
TINY, a 150 USDT account making 8% a day, which the ranking flags "high return on a very small account" and holds
out. The review goes through the real admin views; the ranking, the spotlight and the payout desk are the real
services.
"""

import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest
from django.contrib.auth.models import Permission, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from campaigns.models import Campaign, Enrollment, RewardPool
from core.models import AuditEvent
from core.services.audit import SYSTEM
from leaderboard.models import FlagReview, RankingRun, Standing
from leaderboard.selectors import flag_clearances_in_force
from leaderboard.services.flag_review import flag_review_record
from leaderboard.services.ranking import ranking_run_publish
from rewards.services.payouts import payout_batch_approve, payout_batch_calculate
from tests.cache_support import cache_clear
from tests.factories import LeadTraderFactory
from tests.payouts_helpers import period_of, phase2, sh
from traders.models import DailyEquity, LeadTrader
from traders.services.equity import daily_equity_upsert
from web.selectors import spotlight

pytestmark = pytest.mark.django_db

K = RewardPool.Kind
TINY_FLAG = "tiny_capital_high_roi"
PASSWORD = "flags-pw-for-tests-only"
FIRST_DAY = date(2026, 2, 1)
DAYS = 28  # to 2026-02-28


def _trader(uid: str, returns, *, capital: float) -> LeadTrader:
    trader = LeadTraderFactory(display_name=uid, exchange_uid=uid, active=True)
    level, rows = capital, []
    for t, r in enumerate(returns):
        level = float(level * (1 + r)) if t else level
        rows.append(
            {
                "trader_id": trader.id,
                "date": FIRST_DAY + timedelta(days=t),
                "equity": Decimal(repr(round(level, 2))),
                "net_flow": Decimal(0),
                "closed_positions": 3,
                "winning_positions": 2,
            }
        )
    daily_equity_upsert(rows=rows, source=DailyEquity.Source.SIMULATED)
    return trader


@pytest.fixture
def world():
    campaign = phase2()
    rng = np.random.default_rng(7)
    traders = {
        "STRONG": _trader("STRONG", rng.normal(0.004, 0.02, DAYS), capital=10_000.0),
        "WEAK": _trader("WEAK", rng.normal(-0.001, 0.03, DAYS), capital=8_000.0),
        "TINY": _trader("TINY", 0.08 + rng.normal(0, 0.002, DAYS), capital=150.0),
    }
    for trader in traders.values():
        Enrollment.objects.create(
            campaign=campaign, trader=trader, status=Enrollment.Status.APPROVED, submitted_at=sh(2026, 2, 13, 19)
        )
    return campaign, traders


def _operator(name: str, *perms: str) -> User:
    user = User.objects.create_user(name, password=PASSWORD, is_staff=True)
    for codename in perms:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return User.objects.get(pk=user.pk)  # fresh instance: no stale permission cache


def _period_run(campaign, now: datetime) -> RankingRun:
    return ranking_run_publish(
        campaign=campaign, window=RankingRun.Window.PERIOD, period=period_of(campaign, K.LEADERBOARD, 1), now=now
    )


def _standing(run: RankingRun, uid: str) -> Standing:
    return Standing.objects.get(run=run, trader__exchange_uid=uid)


def _snapshot(run: RankingRun) -> list[tuple]:
    return list(
        run.standings.order_by("trader_id").values_list(
            "trader_id", "rank", "eligible", "score", "ineligible_reasons", "flags", "explanation"
        )
    )


def _clear(standing: Standing, actor, now: datetime, **kwargs) -> FlagReview:
    return flag_review_record(
        standing=standing,
        code=TINY_FLAG,
        decision=kwargs.pop("decision", FlagReview.Decision.CLEARED),
        reason=kwargs.pop("reason", "Deposits and fills checked: a genuine small account."),
        actor=actor,
        now=now,
        **kwargs,
    )


# --- the admin action -------------------------------------------------------------------------------------------


def test_admin_action_asks_for_a_reason_records_the_review_and_audits_it(client, world):
    campaign, traders = world
    run = _period_run(campaign, sh(2026, 3, 1, 1))
    tiny, strong = _standing(run, "TINY"), _standing(run, "STRONG")
    ops = _operator("ops", "view_standing", "review_flag", "view_flagreview")
    client.force_login(ops)
    url = reverse("admin:leaderboard_standing_changelist")
    listing = client.get(url, {"flagged": "yes"}).content.decode()
    assert "High return on a very small account" in listing and 'value="review_flag"' in listing

    page = client.post(url, {"action": "review_flag", "_selected_action": [tiny.pk, strong.pk]})
    assert page.status_code == 200 and "Review an anti-gaming flag" in page.content.decode()
    assert FlagReview.objects.count() == 0  # nothing before the operator confirms

    base = {"action": "review_flag", "_selected_action": [tiny.pk, strong.pk], "apply": "1", "code": TINY_FLAG}
    blank = client.post(url, {**base, "decision": "cleared", "reason": "   "})
    assert blank.status_code == 200 and "This field is required" in blank.content.decode()
    upheld_with_end = client.post(url, {**base, "decision": "upheld", "reason": "Real", "valid_days": "5"})
    assert "Only a clearance can have an end." in upheld_with_end.content.decode()
    assert FlagReview.objects.count() == 0

    done = client.post(url, {**base, "decision": "cleared", "reason": "  Verified the deposits.  "}, follow=True)
    text = done.content.decode()
    assert "1 flag review(s) recorded" in text and "Skipped, no such flag: STRONG" in text
    review = FlagReview.objects.get()
    assert (review.trader, review.campaign, review.code, review.decision) == (
        traders["TINY"],
        campaign,
        TINY_FLAG,
        "cleared",
    )
    assert review.reason == "Verified the deposits." and review.reviewed_by == ops and review.run == run
    assert review.expires_at is None  # until the campaign ends
    event = AuditEvent.objects.get(action="flag_review.cleared")
    assert event.actor == ops and event.campaign == campaign and event.target_id == str(review.pk)
    assert event.target_type == "leaderboard.flagreview"
    assert event.data["flag"] == TINY_FLAG and event.data["reason"] == "Verified the deposits."
    assert event.data["exchange_uid"] == "TINY" and event.data["run_id"] == run.pk and event.data["expires_at"] is None

    listing = client.get(reverse("admin:leaderboard_flagreview_changelist")).content.decode()
    assert "TINY" in listing and "(Asia/Shanghai)" in listing and "when the campaign ends" in listing


def test_a_staff_user_without_the_permission_is_refused(client, world):
    campaign, _ = world
    run = _period_run(campaign, sh(2026, 3, 1, 1))
    tiny = _standing(run, "TINY")
    viewer = _operator("viewer", "view_standing")
    client.force_login(viewer)
    url = reverse("admin:leaderboard_standing_changelist")
    assert 'value="review_flag"' not in client.get(url).content.decode()  # not offered
    data = {"action": "review_flag", "_selected_action": [tiny.pk], "apply": "1", "code": TINY_FLAG}
    response = client.post(url, {**data, "decision": "cleared", "reason": "Looks fine to me"})
    # Django ignores an action the user may not run: the plain list comes back, no review form, nothing recorded.
    assert response.status_code == 200 and "Review an anti-gaming flag" not in response.content.decode()
    assert FlagReview.objects.count() == 0 and not AuditEvent.objects.filter(action__startswith="flag_review").exists()
    with pytest.raises(PermissionDenied):
        _clear(tiny, viewer, sh(2026, 3, 1, 2))
    assert FlagReview.objects.count() == 0


def test_the_service_refuses_a_flag_the_standing_does_not_carry_and_an_unpublished_run(world):
    campaign, traders = world
    run = _period_run(campaign, sh(2026, 3, 1, 1))
    ops = _operator("ops", "review_flag")
    with pytest.raises(ValidationError, match="no flag"):
        _clear(_standing(run, "STRONG"), ops, sh(2026, 3, 1, 2))
    with pytest.raises(ValidationError, match="reason"):
        _clear(_standing(run, "TINY"), ops, sh(2026, 3, 1, 2), reason=" \n ")
    with pytest.raises(ValidationError, match="1 to 366"):
        _clear(_standing(run, "TINY"), ops, sh(2026, 3, 1, 2), valid_days=0)
    computing = RankingRun.objects.create(
        campaign=campaign, window="7d", start_date=date(2026, 2, 22), end_date=date(2026, 2, 28)
    )
    draft = Standing.objects.create(run=computing, trader=traders["TINY"], flags=[{"code": TINY_FLAG}])
    with pytest.raises(ValidationError, match="published"):
        _clear(draft, ops, sh(2026, 3, 1, 2))
    assert FlagReview.objects.count() == 0


def test_the_database_refuses_a_review_without_reason_or_with_an_end_before_it(world):
    campaign, traders = world
    at = sh(2026, 3, 1, 2)
    base = {"trader": traders["TINY"], "campaign": campaign, "code": TINY_FLAG, "reviewed_at": at}
    bad = [
        {"decision": "cleared", "reason": ""},
        {"decision": "cleared", "reason": "x", "expires_at": at},
        {"decision": "upheld", "reason": "x", "expires_at": at + timedelta(days=1)},
        {"decision": "maybe", "reason": "x"},
        {"decision": "cleared", "reason": "x", "code": "lucky"},
    ]
    for fields in bad:
        with pytest.raises(IntegrityError), transaction.atomic():
            FlagReview.objects.create(**{**base, **fields})
    assert FlagReview.objects.count() == 0


# --- the ranking honours the clearance ----------------------------------------------------------------------------


def test_next_run_makes_the_trader_eligible_with_the_flag_still_visible(client, world):
    campaign, traders = world
    approver, ops = _operator("boss", "approve_payoutbatch"), _operator("ops", "review_flag")
    before = _period_run(campaign, sh(2026, 3, 1, 1))
    tiny = _standing(before, "TINY")
    assert (tiny.eligible, tiny.rank, tiny.ineligible_reasons) == (False, None, ["flagged"])
    assert [f["code"] for f in tiny.open_flags] == [TINY_FLAG] and tiny.cleared_flags == []
    # February's leaderboard batch is computed from this run and approved before the flag is cleared.
    batch = payout_batch_calculate(period=period_of(campaign, K.LEADERBOARD, 1), actor=SYSTEM)
    payout_batch_approve(batch_id=batch.pk, actor=approver)
    paid = sorted(batch.lines.values_list("trader__exchange_uid", "amount"))
    assert [uid for uid, _ in paid] == ["STRONG", "WEAK"]  # TINY held out: tiers 5000 and 3500 to the other two
    assert sorted(amount for _, amount in paid) == [Decimal("3500.00"), Decimal("5000.00")]
    frozen = _snapshot(before)

    review = _clear(tiny, ops, sh(2026, 3, 1, 2))
    after = _period_run(campaign, sh(2026, 3, 1, 3))
    tiny_after = _standing(after, "TINY")
    assert tiny_after.eligible and tiny_after.rank == 1 and tiny_after.ineligible_reasons == []
    assert [f["code"] for f in tiny_after.flags] == [TINY_FLAG]  # still shown ...
    assert tiny_after.open_flags == []  # ... but no longer holding the trader
    assert tiny_after.flags[0]["cleared"] == {
        "review_id": review.pk,
        "reviewed_at": "2026-02-28T18:00:00+00:00",  # 2026-03-01 02:00 in Shanghai, stored in UTC
        "expires_at": None,
    }
    assert tiny_after.flags[0]["capital"] < 1000  # the flag's evidence is kept
    cleared = tiny_after.explanation["eligibility"]["cleared_flags"]
    assert cleared == [{"code": TINY_FLAG, **tiny_after.flags[0]["cleared"]}]

    # The run published before the review is untouched, and so is the approved payout computed from it.
    assert _snapshot(before) == frozen
    batch.refresh_from_db()
    assert batch.ranking_run == before and sorted(batch.lines.values_list("trader__exchange_uid", "amount")) == paid
    with pytest.raises(ValidationError, match="frozen"):
        payout_batch_calculate(period=period_of(campaign, K.LEADERBOARD, 1), actor=SYSTEM)

    # The trader's page: the flag is listed as cleared by an operator, with the review's time in Shanghai time.
    cache_clear()
    html = client.get(f"/traders/TINY/?campaign={campaign.slug}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    why = html[html.index('id="why"') : html.index('id="rank-history"')]
    assert "flag cleared by operator" in why and "High return on a very small account" in why
    assert "2026-03-01 02:00 (UTC+08:00)" in why and "under review" not in why
    board = client.get(f"/leaderboard/?window=period&campaign={campaign.slug}", HTTP_ACCEPT_LANGUAGE="en")
    row = board.content.decode().split('href="/traders/TINY/')[1].split("</tr>")[0]
    assert "flag cleared by operator" in row and "under review" not in row and "not eligible" not in row


def test_a_run_published_before_the_review_or_after_it_ends_ignores_it(world):
    campaign, _ = world
    ops = _operator("ops", "review_flag")
    run = _period_run(campaign, sh(2026, 3, 1, 1))
    review = _clear(_standing(run, "TINY"), ops, sh(2026, 3, 2, 12), valid_days=2)
    assert review.expires_at == sh(2026, 3, 4, 12)
    # Published (back-dated) before the review: the flag holds.
    assert not _standing(_period_run(campaign, sh(2026, 3, 2, 11)), "TINY").eligible
    assert _standing(_period_run(campaign, sh(2026, 3, 4, 11, 59)), "TINY").eligible
    ended = _standing(_period_run(campaign, sh(2026, 3, 4, 12)), "TINY")  # the clearance has ended
    assert not ended.eligible and ended.ineligible_reasons == ["flagged"] and ended.cleared_flags == []


def test_upholding_the_flag_ends_a_clearance_at_once(world):
    campaign, traders = world
    ops = _operator("ops", "review_flag")
    run = _period_run(campaign, sh(2026, 3, 1, 1))
    _clear(_standing(run, "TINY"), ops, sh(2026, 3, 1, 2))
    cleared_run = _period_run(campaign, sh(2026, 3, 1, 3))
    assert _standing(cleared_run, "TINY").eligible
    _clear(_standing(cleared_run, "TINY"), ops, sh(2026, 3, 1, 4), decision="upheld", reason="Deposits came back.")
    assert flag_clearances_in_force(campaign=campaign, at=sh(2026, 3, 1, 3, 30)).keys() == {
        (traders["TINY"].pk, TINY_FLAG)
    }
    assert flag_clearances_in_force(campaign=campaign, at=sh(2026, 3, 1, 4)) == {}
    held = _standing(_period_run(campaign, sh(2026, 3, 1, 5)), "TINY")
    assert not held.eligible and held.ineligible_reasons == ["flagged"]
    assert list(AuditEvent.objects.filter(action__startswith="flag_review").values_list("action", flat=True)) == [
        "flag_review.upheld",
        "flag_review.cleared",
    ]


def test_a_clearance_holds_in_its_own_campaign_only(world):
    campaign, traders = world
    other = Campaign.objects.exclude(pk=campaign.pk).get()  # phase 3, seeded with phase 2
    ops = _operator("ops", "review_flag")
    _clear(_standing(_period_run(campaign, sh(2026, 3, 1, 1)), "TINY"), ops, sh(2026, 3, 1, 2))
    assert flag_clearances_in_force(campaign=other, at=sh(2026, 3, 1, 3)) == {}
    assert (traders["TINY"].pk, TINY_FLAG) in flag_clearances_in_force(campaign=campaign, at=sh(2026, 3, 1, 3))


# --- the weekly spotlight -----------------------------------------------------------------------------------------


def test_a_cleared_trader_can_become_the_weekly_star(world):
    campaign, traders = world
    ops = _operator("ops", "review_flag")
    week = period_of(campaign, K.SPOTLIGHT, 1)  # [02-12 18:00, 02-19 18:00) Shanghai
    flagged_run = ranking_run_publish(campaign=campaign, window="7d", cutoff=date(2026, 2, 18), now=sh(2026, 2, 18, 12))
    assert not _standing(flagged_run, "TINY").eligible
    assert spotlight(campaign=campaign, run_7d=flagged_run)["trader"] != traders["TINY"]
    batch = payout_batch_calculate(period=week, actor=SYSTEM)
    assert batch.lines.get().trader != traders["TINY"]

    _clear(_standing(flagged_run, "TINY"), ops, sh(2026, 2, 18, 13))
    cleared_run = ranking_run_publish(campaign=campaign, window="7d", cutoff=date(2026, 2, 18), now=sh(2026, 2, 19, 10))
    assert _standing(cleared_run, "TINY").rank == 1
    star = payout_batch_calculate(
        period=week, actor=SYSTEM
    ).lines.get()  # the draft recalculated from the week's latest run
    assert star.trader == traders["TINY"] and star.explanation["snapshot_id"] == cleared_run.pk
    assert spotlight(campaign=campaign, run_7d=cleared_run)["trader"] == traders["TINY"]


def test_the_spotlight_stand_in_skips_open_flags_and_not_cleared_ones(world):
    campaign, traders = world
    run = RankingRun.objects.create(
        campaign=campaign,
        window="7d",
        start_date=date(2026, 2, 12),
        end_date=date(2026, 2, 18),
        status="published",
        published_at=sh(2026, 2, 18, 12),
    )
    late_deposit = {"code": "large_deposit_before_end", "fraction": 0.9}
    top = Standing.objects.create(
        run=run, trader=traders["TINY"], rank=1, score=90, eligible=True, flags=[late_deposit]
    )
    Standing.objects.create(run=run, trader=traders["STRONG"], rank=2, score=80, eligible=True)
    # No weekly spotlight calculated yet: the best-ranked trader with no open flag stands in.
    assert spotlight(campaign=campaign, run_7d=run)["trader"] == traders["STRONG"]
    top.flags = [{**late_deposit, "cleared": {"review_id": 1, "reviewed_at": "2026-02-18T05:00:00+00:00"}}]
    top.save()
    assert spotlight(campaign=campaign, run_7d=run)["trader"] == traders["TINY"]


# --- the reason form, with generated input ------------------------------------------------------------------------

_BAD = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
hostile = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(categories=["Cc", "Zs", "Zl", "Zp"]), max_size=6),
    st.text(alphabet=st.sampled_from(list("ab 中文\u202e\u00a0e\u0301\n\t\r\x00\x1f")), max_size=30),
    st.builds(lambda ch, n: ch * n, st.sampled_from(["a", "中", " ", "é"]), st.integers(1990, 2010)),
    st.sampled_from(["<script>alert(1)</script>", "' OR 1=1 --", "Checked: fine.\r\nSecond line"]),
).filter(lambda s: not any(unicodedata.category(c) == "Cs" for c in s))


def _expected_reason(raw: str) -> str | None:
    """What the review stores for this input, or None when it must be refused (written from the rules, not code)."""
    if any(unicodedata.category(c) == "Cc" and c not in "\n\r\t" for c in raw):
        return None  # the request guard refuses C0/C1 controls anywhere, even those strip() would remove
    text = unicodedata.normalize("NFC", raw.strip()).strip()
    if not text or len(text) > 2000:
        return None
    if any(c in _BAD or (unicodedata.category(c) == "Cc" and c not in "\n\r\t") for c in text):
        return None
    return text


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(reason=hostile)
def test_any_reason_is_stored_exactly_or_refused_never_an_error(client, world, reason):
    campaign, _ = world
    run = RankingRun.objects.filter(campaign=campaign, status="published").first() or _period_run(
        campaign, sh(2026, 3, 1, 1)
    )
    tiny = _standing(run, "TINY")
    ops = User.objects.filter(username="ops").first() or _operator("ops", "view_standing", "review_flag")
    client.force_login(ops)
    count = FlagReview.objects.count()
    data = {"action": "review_flag", "_selected_action": [tiny.pk], "apply": "1", "code": TINY_FLAG}
    response = client.post(
        reverse("admin:leaderboard_standing_changelist"), {**data, "decision": "cleared", "reason": reason}
    )
    expected = _expected_reason(reason)
    event("refused" if expected is None else "stored")
    if expected is None:  # a form error (200), or a 400 for a C0/C1 control character (core.request_guard)
        assert response.status_code in (200, 400) and FlagReview.objects.count() == count
    else:
        assert response.status_code == 302 and FlagReview.objects.count() == count + 1
        assert FlagReview.objects.order_by("-id").first().reason == expected
