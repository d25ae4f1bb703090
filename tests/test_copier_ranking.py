"""Issue 13 wired into the ranking: every new Standing field of a published run against an independent
implementation (scipy, a plain per-start-day loop, arch's resampler run trader by trader) on real BTC-based
returns with deposits and withdrawals, read back from the database; rules use them; the API and its schema carry them.
"""

import math
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
import yaml
from django.conf import settings

from campaigns.models import RewardPool
from campaigns.services.periods import reward_periods_ensure
from demo.campaigns import seed_campaigns
from leaderboard.metric_registry import API_FIELDS
from leaderboard.models import RankingRun
from leaderboard.scoring import DEFAULT_RULES, RulesError, rules_validate
from leaderboard.services.decision_figures import capacity_figures
from leaderboard.services.ranking import ranking_run_publish
from tests.browser import chromium
from tests.copier_data import BTC_TRADERS, btc_trader_rows
from tests.factories import EnrollmentFactory, ExchangeAccountFactory, LeadTraderFactory
from tests.test_confidence import _loop_samples, _reference
from tests.test_copier_outcome import _loop
from traders.models import DailyEquity, Fill
from traders.services.equity import daily_equity_upsert

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
LAST_DAY = date(2026, 4, 30)
NOW = datetime(2026, 5, 3, 4, 0, tzinfo=UTC)
RTOL = 1e-9
NEW_FIELDS = [
    "psr",
    "dsr",
    "min_track_record_days",
    "roi_ci_low",
    "roi_ci_high",
    "aum",
    "copiers",
    "copiers_max",
    "copier_pnl",
    "profit_share_rate",
    "days_leading",
    "skin_in_game",
    "copier_roi_median",
    "copier_roi_p10",
    "copier_roi_p90",
    "copier_loss_share",
]
# A few fills of the 2x trader (UTC instants): they make turnover and fees, which the copier outcome charges.
FILLS = [
    (datetime(2026, 3, 10, 3, 0, tzinfo=UTC), Decimal("41000.5"), Decimal("20.5")),
    (datetime(2026, 3, 10, 20, 0, tzinfo=UTC), Decimal("15000"), Decimal("7.5")),  # 04:00 on the 11th in Shanghai
    (datetime(2026, 4, 2, 9, 30, tzinfo=UTC), Decimal("88000"), Decimal("44")),
]


@pytest.fixture
def copy_field(shared_data):
    """Phase 2 with the six BTC-based traders (a year of equity with flows) re-dated to end on LAST_DAY; the last
    day of two of them reports copiers and AUM; one has fills."""
    campaign = next(c for c in seed_campaigns(now=NOW) if c.slug == "star-lead-traders-phase-2")
    reward_periods_ensure(campaign=campaign)
    rows = btc_trader_rows(shared_data)
    real_days = sorted({row["date"] for row in rows})
    redate = {day: LAST_DAY - timedelta(days=len(real_days) - 1 - i) for i, day in enumerate(real_days)}
    traders = {}
    for name in BTC_TRADERS:
        trader = LeadTraderFactory(display_name=name, exchange_uid=name.upper(), active=True)
        EnrollmentFactory(campaign=campaign, trader=trader, status="approved")
        traders[name] = trader
    stored = []
    for row in rows:
        extra = {}
        if redate[row["date"]] == LAST_DAY and row["trader_id"] in ("long-2x", "half"):
            extra = {"followers": 37, "aum": Decimal("250000.00")}
        stored.append({**row, **extra, "trader_id": traders[row["trader_id"]].id, "date": redate[row["date"]]})
    daily_equity_upsert(rows=stored, source=DailyEquity.Source.IMPORT)
    account = ExchangeAccountFactory(trader=traders["long-2x"])
    Fill.objects.bulk_create(
        Fill(
            account=account,
            exchange_trade_id=f"t{i}",
            symbol="BTC/USDT:USDT",
            side="buy",
            price=Decimal("80000"),
            amount=cost / Decimal("80000"),
            cost=cost,
            fee=fee,
            timestamp=at,
        )
        for i, (at, cost, fee) in enumerate(FILLS)
    )
    return campaign, traders


def _stored_window(traders: dict, start: date, end: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The window's returns and capital at work (previous equity + the day's flow) as the database holds them."""
    frame = pd.DataFrame(
        DailyEquity.objects.filter(trader__in=traders.values(), date__gte=start - timedelta(days=1), date__lte=end)
        .order_by("date")
        .values("trader_id", "date", "equity", "net_flow", "daily_return")
    )
    ids = [t.id for t in traders.values()]
    days = pd.Index([start + timedelta(days=i) for i in range((end - start).days + 1)])
    returns = frame.pivot(index="date", columns="trader_id", values="daily_return").astype(float)
    equity = frame.pivot(index="date", columns="trader_id", values="equity").astype(float)
    flows = frame.pivot(index="date", columns="trader_id", values="net_flow").astype(float)
    capital = equity.shift(1) + flows
    return returns.reindex(index=days, columns=ids), capital.reindex(index=days, columns=ids)


def test_new_standing_fields_equal_independent_implementations_on_btc_traders_with_flows(copy_field):
    campaign, traders = copy_field
    run = ranking_run_publish(campaign=campaign, window=RankingRun.Window.D90, now=NOW)
    start, end = run.start_date, run.end_date
    assert (start, end) == (LAST_DAY - timedelta(days=89), LAST_DAY)
    returns, capital = _stored_window(traders, start, end)
    standings = {s.trader_id: s for s in run.standings.all()}
    ids = list(returns.columns)

    # Confidence: scipy's moments and normal distribution, N and V over the run's traders with a Sharpe.
    expected = _reference(returns, min_days=DEFAULT_RULES["confidence"]["min_days"])
    checked = 0
    for trader_id in ids:
        for field in ["psr", "dsr", "min_track_record_days"]:
            want, got = expected.at[trader_id, field], getattr(standings[trader_id], field)
            if math.isnan(want):
                assert got is None, (trader_id, field)
            else:
                np.testing.assert_allclose(got, want, rtol=RTOL, atol=0, err_msg=f"{trader_id} {field}")
                checked += 1
    assert checked >= 12  # psr and dsr of all six; min_track_record_days only where SR > 0

    # ROI interval: each trader resampled alone with arch's index algorithm, ROI by a plain product.
    limits = DEFAULT_RULES["confidence"]
    samples = _loop_samples(returns.to_numpy(), replicates=limits["replicates"], seed=limits["seed"])
    low, high = np.quantile(samples, [0.05, 0.95], axis=0)
    for j, trader_id in enumerate(ids):
        np.testing.assert_allclose(standings[trader_id].roi_ci_low, low[j], rtol=RTOL, atol=1e-12)
        np.testing.assert_allclose(standings[trader_id].roi_ci_high, high[j], rtol=RTOL, atol=1e-12)
        assert standings[trader_id].roi_ci_low < standings[trader_id].roi < standings[trader_id].roi_ci_high

    # Copier outcome: the plain loop; settlements Sunday 00:00 in Shanghai close the Saturday (campaign days);
    # turnover and fees from the fills, by the Shanghai day, over the stored capital at work.
    settle = np.array([d.weekday() == 5 for d in returns.index])
    turnover = pd.DataFrame(0.0, index=returns.index, columns=ids)
    fees = turnover.copy()
    two_x = traders["long-2x"].id
    for at, cost, fee in FILLS:
        day = at.astimezone(SHANGHAI).date()
        turnover.at[day, two_x] += float(cost) / capital.at[day, two_x]
        fees.at[day, two_x] += float(fee) / capital.at[day, two_x]
    assumptions = {k: v for k, v in DEFAULT_RULES["copier_outcome"].items() if k != "schedule"}
    loop = _loop(returns.to_numpy(), turnover.to_numpy(), fees.to_numpy(), settle, **assumptions)
    for j, trader_id in enumerate(ids):
        for field in ["copier_roi_median", "copier_roi_p10", "copier_roi_p90", "copier_loss_share"]:
            np.testing.assert_allclose(
                getattr(standings[trader_id], field), loop.at[j, field], rtol=RTOL, atol=1e-12, err_msg=field
            )
    # The fills cost the 2x trader's copiers something: without them the loop gives more.
    no_costs = _loop(returns.to_numpy(), np.zeros_like(turnover), np.zeros_like(fees), settle, **assumptions)
    j = ids.index(two_x)
    assert no_costs.at[j, "copier_roi_p90"] != loop.at[j, "copier_roi_p90"]

    # Capacity: what was reported, and "not reported" (null) for the rest.
    for name, trader in traders.items():
        s = standings[trader.id]
        first = DailyEquity.objects.filter(trader=trader).order_by("date").first().date
        assert s.days_leading == (end - first).days
        if name in ("long-2x", "half"):
            assert (s.copiers, s.aum) == (37, Decimal("250000.00"))
            np.testing.assert_allclose(s.skin_in_game, float(s.equity) / 250000.0, rtol=RTOL)
        else:
            assert s.copiers is s.aum is s.skin_in_game is None
        assert s.copiers_max is s.copier_pnl is s.profit_share_rate is None


def test_rules_score_and_floor_on_the_new_metrics(copy_field):
    campaign, traders = copy_field
    pool = campaign.pools.get(kind=RewardPool.Kind.LEADERBOARD)
    pool.rules = {
        "ranking": {
            "score": {"method": "metric", "metric": "copier_roi_median"},
            "eligibility": {"metric_floors": {"psr": 0.5, "copier_loss_share": 0.9}},
        }
    }
    pool.save()
    run = ranking_run_publish(campaign=campaign, window=RankingRun.Window.D90, now=NOW)
    rows = list(run.standings.all())
    for s in rows:
        held = s.psr is None or s.psr < 0.5 or s.copier_loss_share is None or s.copier_loss_share > 0.9
        assert ("below_metric_floor" in s.ineligible_reasons) == held
        if s.eligible:
            assert s.score == s.copier_roi_median
    ranked = sorted((s for s in rows if s.rank), key=lambda s: s.rank)
    assert ranked and [s.score for s in ranked] == sorted((s.score for s in ranked), reverse=True)
    assert any(not s.eligible for s in rows)  # the floors hold someone out on this field


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"eligibility": {"metric_floors": {"luck": 1}}}, "metric_floors: 'luck' is not a metric"),
        ({"eligibility": {"metric_floors": {"psr": "high"}}}, "metric_floors.psr must be a number"),
        ({"confidence": {"replicates": 5}}, "confidence.replicates must be between"),
        ({"confidence": {"level": 1.5}}, "confidence.level must be between"),
        ({"copier_outcome": {"schedule": "hourly"}}, "copier_outcome.schedule must be one of"),
        ({"copier_outcome": {"profit_share": -0.1}}, "copier_outcome.profit_share must be between"),
        ({"copier_outcome": {"fees": 0}}, "copier_outcome: unknown field(s) fees"),
    ],
)
def test_bad_limits_are_refused_with_a_clear_message(rules, message):
    with pytest.raises(RulesError, match=message.replace("(", r"\(").replace(")", r"\)")):
        rules_validate(rules)


def test_api_rows_and_schema_carry_the_new_fields(client, copy_field):
    campaign, traders = copy_field
    ranking_run_publish(campaign=campaign, window=RankingRun.Window.D90, now=NOW)
    assert set(NEW_FIELDS) <= set(API_FIELDS)
    body = client.get(f"/api/v1/leaderboard/?campaign={campaign.slug}&window=90d").json()
    row = body["results"][0]
    assert set(NEW_FIELDS) <= set(row)
    assert isinstance(row["psr"], float) and 0 <= row["psr"] <= 1
    profile = client.get(f"/api/v1/traders/{traders['long-2x'].exchange_uid}/?campaign={campaign.slug}").json()
    standing = next(s for s in profile["standings"] if s["window"] == "90d")
    assert standing["copiers"] == 37 and standing["copiers_max"] is None
    assert Decimal(str(standing["aum"])) == Decimal("250000.00")
    schema = yaml.safe_load(client.get("/api/schema/").content)
    properties = schema["components"]["schemas"]["StandingRow"]["properties"]
    assert set(NEW_FIELDS) <= set(properties)


def test_ranking_is_reproducible_run_to_run(copy_field):
    campaign, _ = copy_field
    first = ranking_run_publish(campaign=campaign, window=RankingRun.Window.D90, now=NOW)
    second = ranking_run_publish(campaign=campaign, window=RankingRun.Window.D90, now=NOW + timedelta(hours=1))
    fields = ["trader_id", *NEW_FIELDS]
    assert list(first.standings.order_by("trader_id").values(*fields)) == list(
        second.standings.order_by("trader_id").values(*fields)
    )


def test_board_badge_and_profile_panels_in_both_languages(client, copy_field):
    campaign, traders = copy_field
    run = ranking_run_publish(campaign=campaign, window=RankingRun.Window.D30, now=NOW)
    ranking_run_publish(campaign=campaign, window=RankingRun.Window.D90, now=NOW)
    codes = {s.trader_id: s.track_record for s in run.standings.all()}
    assert {c["code"] for c in codes.values()} <= {"significant", "not_yet", "no_edge", "too_short", "undefined"}
    for status in codes.values():
        assert (status["more_days"] is not None) == (status["code"] in ("not_yet", "too_short"))
    board = client.get(f"/leaderboard/?campaign={campaign.slug}&window=30d").content.decode()
    assert "track record:" in board
    waiting = next((c for c in codes.values() if c["code"] == "not_yet"), None)
    if waiting:
        assert f"{waiting['more_days']} more day" in board
    profile = client.get(f"/traders/{traders['long-2x'].exchange_uid}/?campaign={campaign.slug}")
    assert profile.status_code == 200
    page = profile.content.decode()
    for panel in ("confidence-panel", "copier-outcome-panel", "capacity-panel"):
        assert f'id="{panel}"' in page
    assert "not reported" in page  # copier slots, copiers' PnL, profit share
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    zh = client.get(f"/traders/{traders['long-1x'].exchange_uid}/?campaign={campaign.slug}").content.decode()
    assert "跟单之前" in zh and "未报告" in zh and "业绩记录" in zh and "收益率 90% 区间" in zh


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_profile_panels_in_headless_chromium(live_server, artifacts_dir, copy_field, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    campaign, traders = copy_field
    for window in (RankingRun.Window.D30, RankingRun.Window.D90):
        ranking_run_publish(campaign=campaign, window=window, now=NOW)
    url = f"{live_server.url}/traders/{traders['long-2x'].exchange_uid}/?campaign={campaign.slug}"
    sizes = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
    with chromium() as browser:
        for language in ("en", "zh-hans"):
            for size, viewport in sizes.items():
                context = browser.new_context(viewport=viewport, is_mobile=size == "phone")
                context.add_cookies(
                    [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
                )
                page = context.new_page()
                page.goto(url)
                for panel in ("#confidence-panel", "#copier-outcome-panel", "#capacity-panel"):
                    assert page.locator(panel).is_visible()
                # The card fits the screen: nothing in it runs past the viewport's right edge.
                right = page.evaluate("document.querySelector('#copier-view').getBoundingClientRect().right")
                assert right <= viewport["width"]
                page.locator("#copier-view").screenshot(
                    path=str(artifacts_dir / f"copier-panels-{language}-{size}.png")
                )
                context.close()


@pytest.mark.django_db
def test_a_trader_whose_record_starts_after_the_window_is_not_counted_as_leading():
    """Found by CI's demo seed: a trader whose daily equity starts after a window's end got days_leading < 0, which
    the Standing CHECK constraint refused, failing the whole ranking. Such a trader has no days as lead trader."""
    trader = LeadTraderFactory()
    DailyEquity.objects.create(trader=trader, date=date(2026, 3, 10), equity=1000)
    figures = capacity_figures(trader_ids=[trader.pk], end=date(2026, 3, 1), own_capital=np.array([1000.0]))
    assert figures["days_leading"] == [None]
    figures = capacity_figures(trader_ids=[trader.pk], end=date(2026, 3, 12), own_capital=np.array([1000.0]))
    assert figures["days_leading"] == [2]
