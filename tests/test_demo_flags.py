"""The demo population's showcase traders (demo.simulation) raise every anti-gaming flag on both phases'
public boards: rolling windows and monthly periods. A small population through the same seeding and ranking code
as seed_demo, so it runs in seconds."""

from datetime import UTC, date, datetime

import pytest

from campaigns.models import Enrollment
from campaigns.selectors import leaderboard_pool
from campaigns.services.periods import reward_periods_ensure
from demo.campaigns import seed_campaigns, seed_enrolments
from demo.simulation import SHOWCASE_STYLES, showcase_uids, simulate_population
from demo.traders import seed_performance, seed_traders
from leaderboard.models import RankingRun
from leaderboard.services.ranking import ranking_run_publish

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)
END = date(2026, 11, 25)  # yesterday: the data end
COUNT = 12
EXPECTED = {  # showcase trader -> its flag (trader 0 is the copycat's partner)
    "SIM100000": {"mirror_returns"},
    "SIM100008": {"no_fills_behind_equity"},
    "SIM100009": {"tiny_capital_high_roi"},
    "SIM100010": {"large_deposit_before_end"},
    "SIM100011": {"mirror_returns"},
}


def test_showcase_is_the_last_traders_and_trader_zero():
    traders, _ = simulate_population(count=COUNT, end=END, days=30, seed=3)
    assert showcase_uids(count=COUNT) == list(EXPECTED)
    assert tuple(t.style for t in traders[-len(SHOWCASE_STYLES) :]) == SHOWCASE_STYLES
    assert showcase_uids(count=len(SHOWCASE_STYLES)) == []  # too small a population for a showcase


def test_every_flag_shows_on_both_phases_boards():
    population, table = simulate_population(count=COUNT, end=END, days=330, seed=20260212)
    phase2, phase3 = seed_campaigns(now=NOW)
    for campaign in (phase2, phase3):
        reward_periods_ensure(campaign=campaign)
    traders = seed_traders(population=population)
    seed_enrolments(campaigns=[phase2, phase3], traders=traders, now=NOW)
    seed_performance(table=table)
    for campaign in (phase2, phase3):
        approved = set(
            Enrollment.objects.filter(campaign=campaign, status=Enrollment.Status.APPROVED).values_list(
                "trader__exchange_uid", flat=True
            )
        )
        assert approved >= set(EXPECTED), campaign.slug

    targets = [(phase2, "7d", None, date(2026, 4, 30)), (phase2, "90d", None, date(2026, 4, 30))]
    targets += [(phase3, "7d", None, END), (phase3, "30d", None, END)]
    for campaign in (phase2, phase3):
        for period in leaderboard_pool(campaign=campaign).periods.filter(starts_at__lte=NOW).order_by("starts_at"):
            targets.append((campaign, "period", period, None))
    assert len(targets) == 8  # phase 2: Feb, Mar, Apr; phase 3: its first month, running
    for campaign, window, period, cutoff in targets:
        run = ranking_run_publish(campaign=campaign, window=window, period=period, cutoff=cutoff, now=NOW)
        flags = {s.trader.exchange_uid: {f["code"] for f in s.flags} for s in run.standings.select_related("trader")}
        where = f"{campaign.slug} {window} {period.index if period else ''} {run.start_date}..{run.end_date}"
        assert {uid: flags.get(uid) for uid in EXPECTED} == EXPECTED, where
        # Flagged, not silently dropped: the tiny account is listed but not eligible (an excluding flag).
        tiny = run.standings.get(trader__exchange_uid="SIM100009")
        assert not tiny.eligible and "flagged" in tiny.ineligible_reasons, where
        mirror = next(
            f for f in run.standings.get(trader__exchange_uid="SIM100011").flags if f["code"] == "mirror_returns"
        )
        assert mirror["with_exchange_uid"] == "SIM100000" and mirror["correlation"] > 0.99, where
    assert RankingRun.objects.count() == 8
