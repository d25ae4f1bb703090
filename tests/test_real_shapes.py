"""Issue 18: recorded real-world shapes (tests/fixtures/real_shapes) pin each rule, each against an independent
calculation in exact fractions or plain numpy written here, not the project's code."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns.models import Campaign, Enrollment
from leaderboard import flags
from leaderboard.metrics import metrics_arrays, metrics_bound
from leaderboard.models import RankingRun
from leaderboard.services.performance_import import performance_import
from leaderboard.services.ranking import ranking_run_publish
from traders.models import DailyEquity, LeadTrader
from traders.unit_value import step_return

SHAPES = Path(__file__).parent / "fixtures" / "real_shapes"
NOW = datetime(2026, 2, 1, tzinfo=UTC)


def _rows(name):
    lines = (SHAPES / name).read_text().splitlines()[1:]
    return [(u, date.fromisoformat(d), Fraction(e), Fraction(f)) for u, d, e, f in (x.split(",") for x in lines)]


def _import(name, *, campaign=None):
    uids = sorted({u for u, *_ in _rows(name)})
    for uid in uids:
        trader = LeadTrader.objects.create(
            display_name=uid, exchange_uid=uid, email=f"{uid.lower()}@shapes.test", status="active"
        )
        if campaign is not None:
            Enrollment.objects.create(campaign=campaign, trader=trader, status="approved", submitted_at=NOW)
    return performance_import(lines=(SHAPES / name).read_text().splitlines(keepends=True))


def _dietz(e0, e1, flow):
    """Independent Modified Dietz with the large-flow guard (docs/ranking.md), in exact fractions."""
    pnl = e1 - e0 - flow
    capital = e0 + flow / 2
    if e0 <= 0 or abs(flow) >= Fraction(1, 4) * e0:
        capital = max(capital, e0, e0 + flow, -flow)
    return None if capital < 1 else max(pnl / capital, Fraction(-1))


def _stored(uid):
    return list(DailyEquity.objects.filter(trader__exchange_uid=uid).order_by("date"))


@pytest.fixture
def campaign(db):
    return Campaign.objects.create(
        slug="shapes",
        name="Shapes",
        registration_opens_at=datetime(2023, 1, 1, tzinfo=UTC),
        registration_closes_at=datetime(2026, 6, 1, tzinfo=UTC),
        starts_at=datetime(2023, 1, 1, tzinfo=UTC),
        ends_at=datetime(2026, 6, 1, tzinfo=UTC),
        time_zone="UTC",
    )


@pytest.mark.django_db
def test_sparse_samples_are_multi_day_steps_and_the_import_names_the_missing_days():
    summary = _import("sparse.csv")
    rows = _rows("sparse.csv")
    stored = _stored("SPARSE")
    expected = [None] + [_dietz(a[2], b[2], b[3]) for a, b in zip(rows, rows[1:], strict=False)]
    assert [r.step_days for r in stored] == [None] + [(b[1] - a[1]).days for a, b in zip(rows, rows[1:], strict=False)]
    for row, want in zip(stored, expected, strict=True):
        assert (row.daily_return is None) == (want is None)
        if want is not None:
            assert float(row.daily_return) == pytest.approx(float(want), abs=1e-15)
    # Every week has 6 days without a row: 9 steps of 7 days.
    gaps = summary.gaps["SPARSE"]
    assert (gaps.missing, gaps.longest, gaps.first_gap) == (54, 6, (date(2025, 1, 16), date(2025, 1, 21)))

    # A 7-day step is one 7-day return: the year holds 365/7 of them, CAGR counts calendar days.
    r = np.array([[float(x)] for x in expected[1:]])
    m = metrics_arrays(r, step_days=np.full_like(r, 7.0), window_days=63)
    growth = np.prod(1 + r[:, 0])
    assert m["span_days"][0] == 63 and m["coverage"][0] == 1.0
    assert m["cagr"][0] == pytest.approx(growth ** (365 / 63) - 1, rel=1e-12)
    sharpe = r[:, 0].mean() / r[:, 0].std(ddof=1) * np.sqrt(365 / 7)
    assert m["sharpe"][0] == pytest.approx(sharpe, rel=1e-12)
    daily_style = r[:, 0].mean() / r[:, 0].std(ddof=1) * np.sqrt(365)
    assert daily_style / m["sharpe"][0] == pytest.approx(np.sqrt(7))  # what counting each step as a day inflated


@pytest.mark.django_db
def test_a_near_total_withdrawal_with_profit_is_not_a_fortune():
    _import("withdrawal.csv")
    step = next(r for r in _stored("WITHDRAW") if r.date == date(2023, 12, 13))
    e0, e1, flow = Fraction("3064122.77"), Fraction("2085647.91"), Fraction("-3061937.01")
    pnl = e1 - e0 - flow
    assert step.pnl == Decimal("2083462.15") and step.step_days == 14
    # The profit on the capital that was there before the money left: +68%, not +95,320% on $2,186.
    assert float(step.daily_return) == pytest.approx(float(pnl / e0), abs=1e-15)
    assert float(pnl / (e0 + flow)) > 950  # the old start-of-day convention
    units = [float(r.unit_value) for r in _stored("WITHDRAW")]
    assert max(units) < 3


@pytest.mark.django_db
def test_a_vault_that_goes_to_zero_loses_exactly_everything_and_its_unit_value_stays_at_zero():
    _import("to_zero.csv")
    stored = _stored("BLOWN")
    assert [r.daily_return for r in stored[:3]] == [None, Decimal(0), Decimal(0)]
    deposit = stored[3]
    want = _dietz(Fraction("8.86"), Fraction("10753.26"), Fraction(10500))  # deposit >= 25%: capital 10,508.86
    assert float(deposit.daily_return) == pytest.approx(float(want), abs=1e-15)
    assert stored[4].daily_return == Decimal(-1)
    assert stored[4].unit_value == Decimal(0)
    r = np.array([[float(x.daily_return)] for x in stored[1:]])
    m = metrics_arrays(r)
    assert m["roi"][0] == -1.0 and m["max_drawdown"][0] == -1.0


@pytest.mark.django_db
def test_two_dormant_accounts_with_one_shared_loss_are_not_mirrors():
    _import("dormant.csv")
    returns = np.array(
        [[float(r.daily_return) for r in _stored(uid)[1:]] for uid in ("DORMANT_A", "DORMANT_B")], dtype=float
    ).T
    # Over all days (zeros included) they correlate perfectly: the old flag's false positive.
    assert np.corrcoef(returns.T)[0, 1] == pytest.approx(1.0)
    assert np.count_nonzero((returns != 0).all(axis=1)) == 1
    corr = flags.correlation_matrix(returns, min_overlap_days=7)
    assert np.isnan(corr[0, 1])
    assert flags.mirror_pairs(returns, candidates=np.arange(2), min_correlation=0.99, min_overlap_days=7) == []


@pytest.mark.django_db
def test_an_equity_only_file_ranks_under_the_default_rules_and_says_so(campaign):
    summary = _import("equity_only.csv", campaign=campaign)
    assert "shapes" not in summary.rules_fit or not any("min_trades" in m for m in summary.rules_fit["shapes"])
    run = ranking_run_publish(campaign=campaign, window=RankingRun.Window.D90, now=NOW)
    standings = list(run.standings.order_by("rank"))
    ranked = [s for s in standings if s.rank]
    assert ranked, [s.ineligible_reasons for s in standings]
    for s in ranked:
        assert s.explanation["basis"] == "equity_and_flows"
        assert "win_rate" not in s.explanation["score"]["weights"]
        assert not any(f["code"] == "no_fills_behind_equity" for f in s.flags)
    # The same file under a campaign that asks for closed trades: the import says it can never be met.
    campaign.pools.create(
        kind="leaderboard", name="LB", amount=Decimal(1000), rules={"ranking": {"eligibility": {"min_trades": 1}}}
    )
    again = performance_import(lines=(SHAPES / "equity_only.csv").read_text().splitlines(keepends=True))
    assert any("min_trades is 1" in m and "Set it to 0" in m for m in again.rules_fit["shapes"])
    assert again.created == again.changed == 0  # and the re-import wrote nothing


def test_ratios_without_support_are_empty_with_their_reason():
    r = np.array([[0.02, 0.01], [-0.01, 0.03], [np.nan, 0.0], [np.nan, -0.0001]])
    m = metrics_arrays(r, window_days=4)
    assert np.isfinite(m["sharpe"][0]) and np.isfinite(m["calmar"][1])  # defined, but say nothing
    why = metrics_bound(m, min_returns=5, min_coverage=0.5, calmar_min_days=60, calmar_min_drawdown=0.01)
    assert np.isnan(m["sharpe"]).all() and why["sharpe"] == ["too_few_returns", "too_few_returns"]
    assert np.isnan(m["calmar"]).all() and why["calmar"] == ["short_window", "short_window"]
    long = np.full((90, 1), 0.001)
    long[10, 0] = -0.00005  # a drawdown of 0.005%
    m = metrics_arrays(long, window_days=90)
    why = metrics_bound(m, min_returns=5, min_coverage=0.5, calmar_min_days=60, calmar_min_drawdown=0.01)
    assert why["calmar"] == ["tiny_drawdown"] and why["sharpe"] == [None] and np.isfinite(m["sharpe"][0])
    sparse = np.full((90, 1), np.nan)
    sparse[[6, 13, 20], 0] = 0.01
    m = metrics_arrays(sparse, step_days=np.where(np.isnan(sparse), np.nan, 7.0), window_days=90)
    assert m["coverage"][0] == pytest.approx(21 / 90)
    why = metrics_bound(m, min_returns=2, min_coverage=0.5, calmar_min_days=1, calmar_min_drawdown=0.0)
    assert why["sharpe"] == [None] or why["sharpe"] == ["low_coverage"]
    assert why["cagr"] == ["low_coverage"] and np.isnan(m["cagr"][0])


money = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
flow = st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


@given(opening=money, equity=money, net=flow, timed=st.one_of(st.none(), st.fractions(0, 1)))
@settings(max_examples=300, deadline=None)
def test_a_step_is_never_below_a_total_loss_and_its_capital_never_dust(opening, equity, net, timed):
    weighted = None if timed is None else (net * Decimal(timed.numerator) / Decimal(timed.denominator))
    pnl, r = step_return(opening=opening, equity=equity, flow=net, weighted_flow=weighted)
    assert pnl == equity - opening - net
    if r is not None:
        assert r >= -1
        assert abs(pnl) / abs(r) >= 1 if r else True  # capital at work >= 1 USDT
        if abs(net) >= opening / 4:
            assert abs(r) <= abs(pnl) / max(opening, opening + net, -net, Decimal(1)) * (1 + Decimal("1e-20"))


@pytest.mark.django_db
def test_reimporting_money_with_sixteen_digits_is_a_no_op(tmp_path):
    LeadTrader.objects.create(display_name="Big", exchange_uid="BIG", email="big@shapes.test", status="active")
    text = "exchange_uid,date,equity,net_flow\nBIG,2025-01-01,44763514.11543900,10687300.00123299\n"
    text += "BIG,2025-01-02,83236996.68142401,20924391.90035701\n"
    first = performance_import(lines=text.splitlines(keepends=True))
    second = performance_import(lines=text.splitlines(keepends=True))
    assert first.created == 2 and (second.created, second.changed, second.unchanged) == (0, 0, 2)


@pytest.mark.django_db
def test_the_public_vault_dataset_imports_ranks_and_shows_sensible_figures(shared_data, campaign, capsys):
    values = shared_data / "hyperliquid_vaults_alltime_account_value_history.csv"
    pnls = shared_data / "hyperliquid_vaults_alltime_pnl_history.csv"
    if not values.exists() or not pnls.exists():
        pytest.skip("the Hyperliquid vault histories are not in the shared data folder")
    campaign.ends_at = datetime(2026, 6, 1, tzinfo=UTC)
    campaign.save()
    call_command("import_vault_history", str(values), str(pnls), "--campaign", "shapes")
    out = capsys.readouterr().out
    assert "for 563 traders" in out and "Missing days" in out and "score.weights uses win_rate" in out
    withdrawal = DailyEquity.objects.get(
        trader__exchange_uid="0x010461c14e146ac35fe42271bdc1134ee31c703a", date=date(2023, 12, 13)
    )
    assert float(withdrawal.daily_return) == pytest.approx(0.68, abs=0.001)
    assert DailyEquity.objects.filter(daily_return__lt=-1).count() == 0
    assert DailyEquity.objects.filter(unit_value__lt=0).count() == 0
    for window in (RankingRun.Window.D7, RankingRun.Window.D30, RankingRun.Window.D90):
        run = ranking_run_publish(campaign=campaign, window=window, now=NOW + timedelta(days=1))
        ranked = run.standings.exclude(rank=None)
        assert ranked.count() >= 20, window
        calmars = [c for c in run.standings.values_list("calmar", flat=True) if c is not None]
        assert all(abs(c) < 1e4 for c in calmars), window
        sharpes = [s for s in run.standings.values_list("sharpe", flat=True) if s is not None]
        assert all(abs(s) < 50 for s in sharpes), window
    call_command("import_vault_history", str(values), str(pnls))
    assert "0 new, 0 changed, 34306 unchanged" in capsys.readouterr().out
