"""seed_demo builds a living, clearly simulated site, and running it again changes nothing."""

import pytest
from django.core.management import call_command
from django.db.models import Count, Max, Min

from campaigns.models import Campaign, RewardPool
from traders.models import DailyEquity, LeadTrader

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", verbosity=0)
        snapshot = _snapshot()
        call_command("seed_demo", verbosity=0)
        yield snapshot
        call_command("flush", interactive=False, verbosity=0)


def _snapshot():
    return {
        "traders": LeadTrader.objects.count(),
        "equity_rows": DailyEquity.objects.count(),
        "equity_sum": str(sum(DailyEquity.objects.values_list("equity", flat=True))),
        "campaigns": Campaign.objects.count(),
        "pools": RewardPool.objects.count(),
    }


def test_phase_two_is_modelled_exactly_as_designed(seeded):
    phase2 = Campaign.objects.get(slug="star-lead-traders-phase-2")
    local = phase2.zone
    assert phase2.time_zone == "Asia/Shanghai"
    assert phase2.registration_opens_at.astimezone(local).strftime("%Y-%m-%d %H:%M") == "2026-02-12 18:00"
    assert phase2.registration_closes_at.astimezone(local).strftime("%Y-%m-%d %H:%M") == "2026-02-25 00:00"
    pools = {p.kind: p for p in phase2.pools.all()}
    assert (pools["first_post"].amount, pools["first_post"].reward_form) == (30, "trial_fund_voucher")
    assert (pools["content"].amount, pools["content"].cadence) == (500, "biweekly")
    assert (pools["leaderboard"].amount, pools["leaderboard"].winners, pools["leaderboard"].cadence) == (
        20000,
        10,
        "monthly",
    )


def test_population_is_large_simulated_and_has_a_year_with_flows(seeded):
    assert seeded["traders"] >= 200
    assert LeadTrader.objects.filter(is_simulated=False, exchange_uid__startswith="SIM").count() == 0
    span = DailyEquity.objects.aggregate(first=Min("date"), last=Max("date"))
    assert (span["last"] - span["first"]).days >= 364
    assert DailyEquity.objects.filter(net_flow__gt=0).exists()
    assert DailyEquity.objects.filter(net_flow__lt=0).exists()
    per_trader = DailyEquity.objects.values("trader").annotate(n=Count("id"))
    assert max(row["n"] for row in per_trader) >= 365


def test_seeding_twice_changes_nothing(seeded):
    assert _snapshot() == seeded


def test_home_page_renders_the_seeded_campaign_in_both_languages(seeded, client):
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 200
    assert "Star Lead Trader Recruitment" in english.content.decode()
    chinese = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese.status_code == 200
    assert "明星带单员招募" in chinese.content.decode()
