"""Publishing rankings for the phase-2 campaign: periods in Asia/Shanghai, rules, flags, history, atomicity."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
import quantstats as qs
from django.core.management import CommandError, call_command
from django.db import connection

from campaigns.models import Campaign, Enrollment, RewardPool
from campaigns.services.periods import reward_periods_ensure
from demo.campaigns import seed_campaigns
from leaderboard import selectors
from leaderboard.models import RankingRun, Standing
from leaderboard.scoring import RulesError
from leaderboard.services.ranking import RankingError, period_days, ranking_run_publish
from leaderboard.tasks import rank_all
from regime.models import MarketSeries, Observation
from regime.selectors import BTC_CODE
from tests.cache_support import cache_clear
from tests.factories import LeadTraderFactory
from traders.models import DailyEquity
from traders.services.equity import daily_equity_upsert

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST_DAY = date(2026, 2, 1)
DAYS = 89  # to 2026-04-30
NOW = datetime(2026, 5, 3, 4, 0, tzinfo=UTC)
API_FIELDS = [
    "rank",
    "score",
    "roi",
    "pnl",
    "max_drawdown",
    "sharpe",
    "sortino",
    "volatility",
    "win_rate",
    "excess_return_vs_btc",
    "eligible",
    "flags",
]


def _trader(uid, returns, *, capital=10_000.0, flows=None, closed=3, wins=2):
    trader = LeadTraderFactory(display_name=uid, exchange_uid=uid, active=True)
    level, rows = capital, []
    flows = flows or {}
    for t, r in enumerate(returns):
        day = FIRST_DAY + timedelta(days=t)
        flow = flows.get(day, 0.0) if t else 0.0
        level = float((level + flow) * (1 + r)) if t else level
        rows.append(
            {
                "trader_id": trader.id,
                "date": day,
                "equity": Decimal(repr(round(level, 2))),
                "net_flow": Decimal(repr(round(flow, 2))),
                "closed_positions": closed,
                "winning_positions": wins if closed else 0,
            }
        )
    daily_equity_upsert(rows=rows, source=DailyEquity.Source.SIMULATED)
    return trader


def _enrol(campaign, trader, status="approved", day=13, hour=19):
    Enrollment.objects.create(
        campaign=campaign,
        trader=trader,
        status=status,
        submitted_at=datetime(2026, 2, day, hour, tzinfo=SHANGHAI),
    )


@pytest.fixture
def phase2():
    campaign = next(c for c in seed_campaigns(now=NOW) if c.slug == "star-lead-traders-phase-2")
    reward_periods_ensure(campaign=campaign)
    return campaign


@pytest.fixture
def btc(shared_data):
    """Real BTC/USDT closes (Hyperliquid, from 2025-02-01) re-dated onto the campaign's days."""
    raw = pd.read_csv(shared_data / "btc_usdt_daily_hyperliquid_2023-2026.csv")
    raw["day"] = pd.to_datetime(raw["time"], unit="ms").dt.date
    closes = raw.set_index("day")["close"].loc[date(2025, 1, 31) :].iloc[: DAYS + 1]
    series = MarketSeries.objects.create(code=BTC_CODE, name="BTC/USDT")
    days = [FIRST_DAY - timedelta(days=1) + timedelta(days=i) for i in range(len(closes))]
    Observation.objects.bulk_create(
        Observation(series=series, date=d, value=Decimal(repr(float(v)))) for d, v in zip(days, closes, strict=True)
    )
    return pd.Series(closes.to_numpy(float), index=days)


@pytest.fixture
def field(phase2, btc):
    rng = np.random.default_rng(42)
    base = rng.normal(0.004, 0.02, DAYS)
    traders = {
        "strong": _trader("STRONG", base),
        "weak": _trader("WEAK", rng.normal(-0.001, 0.03, DAYS)),
        "pending": _trader("PENDING", rng.normal(0.01, 0.01, DAYS)),
        "rejected": _trader("REJECTED", rng.normal(0.0, 0.01, DAYS)),
        "tiny": _trader("TINY", np.full(DAYS, 0.06) + rng.normal(0, 0.002, DAYS), capital=150.0),
        "late": _trader("LATE", rng.normal(0.001, 0.02, DAYS), flows={date(2026, 2, 27): 100_000.0}),
        "nofills": _trader("NOFILLS", rng.normal(0.002, 0.01, DAYS), closed=0),
        "mirror": _trader("MIRROR", base + rng.normal(0, 1e-6, DAYS), capital=3000.0),
    }
    for name, trader in traders.items():
        status = {"pending": "pending", "rejected": "rejected"}.get(name, "approved")
        _enrol(phase2, trader, status=status, day=14 if name == "mirror" else 13)
    return traders


def _first_period(campaign):
    pool = campaign.pools.get(kind=RewardPool.Kind.LEADERBOARD)
    return pool.periods.order_by("starts_at")


def test_period_days_are_whole_days_in_the_campaign_zone(phase2):
    periods = list(_first_period(phase2))
    # Registration opens 2026-02-12 18:00 +08:00: the first whole day is the 13th; months end at local midnight.
    assert periods[0].starts_at == datetime(2026, 2, 12, 10, tzinfo=UTC)
    assert period_days(period=periods[0], zone=phase2.zone) == (date(2026, 2, 13), date(2026, 2, 28))
    assert period_days(period=periods[1], zone=phase2.zone) == (date(2026, 3, 1), date(2026, 3, 31))
    assert period_days(period=periods[2], zone=phase2.zone) == (date(2026, 4, 1), date(2026, 4, 30))


def test_period_run_ranks_flags_and_explains(phase2, field, btc):
    period = _first_period(phase2)[0]
    run = ranking_run_publish(campaign=phase2, window=RankingRun.Window.PERIOD, period=period, now=NOW)
    assert run.status == RankingRun.Status.PUBLISHED and run.published_at == NOW
    assert (run.start_date, run.end_date) == (date(2026, 2, 13), date(2026, 2, 28))
    standings = {s.trader.exchange_uid: s for s in selectors.standing_list(run=run)}
    assert "REJECTED" not in standings and run.trader_count == len(standings) == 7

    assert standings["PENDING"].ineligible_reasons == ["enrolment_not_approved"]
    assert standings["TINY"].ineligible_reasons == ["flagged"]
    assert [f["code"] for f in standings["TINY"].flags] == ["tiny_capital_high_roi"]
    assert standings["NOFILLS"].ineligible_reasons == ["flagged"]  # no trade floor by default: the flag holds it
    assert [f["code"] for f in standings["NOFILLS"].flags] == ["no_fills_behind_equity"]
    assert [f["code"] for f in standings["LATE"].flags] == ["large_deposit_before_end"] and standings["LATE"].eligible
    mirrored = {f["with_trader_id"] for s in ("STRONG", "MIRROR") for f in standings[s].flags}
    assert mirrored == {field["strong"].id, field["mirror"].id}
    # Mirrors are for review (not excluded by default): near-identical returns put them side by side.
    assert standings["STRONG"].eligible and standings["MIRROR"].eligible
    assert abs(standings["STRONG"].rank - standings["MIRROR"].rank) == 1
    eligible = [s for s in standings.values() if s.eligible]
    assert sorted(s.rank for s in eligible) == list(range(1, len(eligible) + 1))
    assert all(s.rank is None for s in standings.values() if not s.eligible)

    strong = standings["STRONG"]
    rows = DailyEquity.objects.filter(trader=field["strong"], date__range=(run.start_date, run.end_date))
    assert strong.pnl == sum(r.pnl for r in rows)  # exact Decimal, the 12th (before the start) excluded
    returns = pd.Series([float(r.daily_return) for r in rows], index=pd.to_datetime([r.date for r in rows]))
    assert strong.sharpe == pytest.approx(qs.stats.sharpe(returns, periods=365), rel=1e-9)
    assert strong.roi == pytest.approx(qs.stats.comp(returns), rel=1e-9)
    btc_window = btc.pct_change().loc[run.start_date : run.end_date]
    assert strong.excess_return_vs_btc == pytest.approx(qs.stats.comp(returns) - qs.stats.comp(btc_window), rel=1e-9)
    for name in API_FIELDS:
        assert hasattr(strong, name)

    explanation = strong.explanation  # what "why this rank" shows (leaderboard.explanation)
    assert run.rule_version.startswith("default-")
    assert set(explanation["percentiles"]) == {"roi", "sharpe", "max_drawdown", "win_rate"}
    assert sum(explanation["contributions"].values()) == pytest.approx(strong.score)
    assert explanation["window"] == {
        "kind": "period",
        "start": "2026-02-13",
        "end": "2026-02-28",
        "period_id": period.id,
    }
    assert selectors.ranking_run_for_period(period=period) == run


def test_rolling_windows_end_at_the_cutoff_and_keep_history(phase2, field):
    first = ranking_run_publish(campaign=phase2, window="30d", now=NOW)
    assert (first.start_date, first.end_date) == (date(2026, 4, 1), date(2026, 4, 30))
    assert all(s.previous_rank is None for s in first.standings.all())
    second = ranking_run_publish(campaign=phase2, window="30d", now=NOW + timedelta(minutes=30))
    assert selectors.ranking_run_latest(campaign=phase2, window="30d") == second
    assert list(RankingRun.objects.filter(campaign=phase2, window="30d").order_by("-published_at")) == [second, first]
    before = dict(first.standings.values_list("trader_id", "rank"))
    for standing in second.standings.all():
        assert standing.previous_rank == before[standing.trader_id]
    # One-day window: every spread ratio is undefined and stored as NULL, never NaN or inf.
    one_day = ranking_run_publish(campaign=phase2, window="7d", cutoff=date(2026, 2, 2), now=NOW)
    assert Standing.objects.filter(run=one_day, sharpe__isnull=False).count() == 0


def test_half_written_run_is_never_visible(phase2, field):
    published = ranking_run_publish(campaign=phase2, window="7d", now=NOW)
    # A run still computing (its standings written, not yet flipped) is invisible to readers.
    computing = RankingRun.objects.create(
        campaign=phase2, window="7d", start_date=date(2026, 4, 24), end_date=date(2026, 4, 30)
    )
    Standing.objects.create(run=computing, trader=field["strong"], rank=1, eligible=True)
    assert selectors.ranking_run_latest(campaign=phase2, window="7d") == published
    assert list(selectors.standing_list(run=computing)) == []

    # A failure midway through writing the standings leaves nothing behind.
    def fail_on_standings(execute, sql, params, many, context):
        if "leaderboard_standing" in sql and sql.lstrip().upper().startswith("INSERT"):
            raise RuntimeError("disk full")
        return execute(sql, params, many, context)

    runs_before = RankingRun.objects.count()
    with connection.execute_wrapper(fail_on_standings), pytest.raises(RuntimeError, match="disk full"):
        ranking_run_publish(campaign=phase2, window="7d", now=NOW + timedelta(hours=1))
    assert RankingRun.objects.count() == runs_before
    assert selectors.ranking_run_latest(campaign=phase2, window="7d") == published


def test_rules_are_data_and_bad_rules_write_nothing(phase2, field):
    pool = phase2.pools.get(kind=RewardPool.Kind.LEADERBOARD)
    pool.rules = {**pool.rules, "ranking": {"score": {"method": "metric", "metric": "pnl"}, "version": "pnl-only"}}
    pool.save()
    run = ranking_run_publish(campaign=phase2, window="90d", now=NOW)
    ranked = list(selectors.standing_list(run=run, eligible_only=True))
    assert [s.pnl for s in ranked] == sorted((s.pnl for s in ranked), reverse=True)
    assert run.rule_version.startswith("pnl-only+") and run.rules["score"]["metric"] == "pnl"

    pool.rules["ranking"] = {"score": {"method": "metric", "metric": "luck"}}
    pool.save()
    with pytest.raises(RulesError, match="score.metric"):
        ranking_run_publish(campaign=phase2, window="90d", now=NOW)
    assert RankingRun.objects.count() == 1


def test_no_data_is_a_clear_error(phase2):
    with pytest.raises(RankingError, match="No daily equity"):
        ranking_run_publish(campaign=phase2, window="7d", now=NOW)


def test_rank_command_and_task(phase2, field, capsys):
    call_command("rank", "--campaign", phase2.slug, "--window", "period", "--all-periods")
    out = capsys.readouterr().out
    assert "Published 3 ranking run(s) with 21 standings" in out
    assert RankingRun.objects.filter(window="period", status="published").count() == 3
    with pytest.raises(CommandError, match="No campaign"):
        call_command("rank", "--campaign", "nope")
    Campaign.objects.exclude(pk=phase2.pk).delete()
    result = rank_all.delay().get()
    # 7d, 30d, 90d; phase 2's periods are still "open" (no one closed them), so they are re-ranked too.
    assert len(result["runs"]) == 6 and result["skipped"] == []


def test_profile_explains_the_score_row_by_row(client, phase2, field, btc):
    """'Why am I fifth?': the profile lists value, percentile, weight and points per metric; the points add up."""
    from leaderboard.explanation import score_breakdown

    cache_clear()
    period = _first_period(phase2)[0]
    run = ranking_run_publish(campaign=phase2, window=RankingRun.Window.PERIOD, period=period, now=NOW)
    strong = Standing.objects.get(run=run, trader=field["strong"])
    breakdown = score_breakdown(strong.explanation, labels={})
    assert [row["key"] for row in breakdown["rows"]] == ["roi", "sharpe", "max_drawdown", "win_rate"]
    assert breakdown["total"] == pytest.approx(strong.score)
    for row in breakdown["rows"]:
        assert row["points"] == pytest.approx(100 * row["weight"] * row["percentile"])
    assert breakdown["floors"] and all(f["ok"] for f in breakdown["floors"])

    pending = Standing.objects.get(run=run, trader__exchange_uid="PENDING")
    floors = score_breakdown(pending.explanation, labels={})["floors"]
    assert [f["ok"] for f in floors if f["format"] == "bool"] == [False]

    url = f"/traders/{field['strong'].exchange_uid}/?campaign={phase2.slug}"
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Percentile" in html and "Eligibility floors" in html
    assert f"{strong.score:,.2f}" in html
    assert "earlier enrolment" in html


def test_returns_on_scarce_and_abundant_days_follow_the_regime_labels(phase2, field):
    from regime.models import RegimeReading

    period = _first_period(phase2)[0]
    start, end = period_days(period=period, zone=phase2.zone)
    day, labels = start, {}
    while day <= end:
        labels[day] = ["scarce", "abundant", "neutral"][day.toordinal() % 3]
        RegimeReading.objects.create(as_of=day, score=0.0, label=labels[day])
        day += timedelta(days=1)
    run = ranking_run_publish(campaign=phase2, window=RankingRun.Window.PERIOD, period=period, now=NOW)
    strong = Standing.objects.get(run=run, trader=field["strong"])
    rows = DailyEquity.objects.filter(trader=field["strong"], date__range=(start, end)).exclude(daily_return=None)
    for regime, value in (("scarce", strong.return_scarce), ("abundant", strong.return_abundant)):
        picked = [float(r.daily_return) for r in rows if labels[r.date] == regime]
        assert picked and value == pytest.approx(float(np.prod([1 + x for x in picked]) - 1), rel=1e-12)
        assert strong.explanation["metrics"][f"{regime}_days"] == len(picked)
