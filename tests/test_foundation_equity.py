"""Deposit-neutral daily returns and unit value, through the one write path for daily equity."""

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import LeadTraderFactory
from traders.models import DailyEquity
from traders.services.equity import daily_equity_upsert
from traders.unit_value import derive_returns

D = Decimal


def _rows(trader_id, values):
    return [
        {"trader_id": trader_id, "date": date(2026, 3, day), "equity": D(e), "net_flow": D(f)}
        for day, (e, f) in enumerate(values, start=1)
    ]


def test_deposits_and_withdrawals_are_never_profit():
    frame = derive_returns(pd.DataFrame(_rows(1, [("1000", "0"), ("1600", "500"), ("990", "-600")])))
    assert list(frame["pnl"]) == [None, D("100"), D("-10")]
    assert frame["daily_return"][0] is None
    # Both flows are large (>= 25% of the opening equity): the capital at work is the larger of the equity before
    # and after the flow (1500 after the deposit, 1600 before the withdrawal), never a sliver.
    assert frame["daily_return"][1] == pytest.approx(100 / 1500, rel=1e-15)
    assert frame["daily_return"][2] == pytest.approx(-10 / 1600, rel=1e-15)
    assert frame["unit_value"].iloc[-1] == pytest.approx((1 + 100 / 1500) * (1 - 10 / 1600), rel=1e-15)
    assert list(frame["step_days"]) == [None, 1, 1]


def test_a_small_flow_counts_half_the_step_when_its_time_is_unknown():
    frame = derive_returns(pd.DataFrame(_rows(1, [("1000", "0"), ("1130", "100")])))
    assert frame["daily_return"][1] == pytest.approx(30 / 1050, rel=1e-15)  # Modified Dietz, mid-step
    timed = pd.DataFrame(_rows(1, [("1000", "0"), ("1130", "100")])).assign(weighted_flow=[None, D("25")])
    assert derive_returns(timed)["daily_return"][1] == pytest.approx(30 / 1025, rel=1e-15)  # in with 1/4 day left


def test_a_pure_deposit_day_leaves_the_unit_value_unchanged():
    frame = derive_returns(pd.DataFrame(_rows(1, [("100", "0"), ("10100", "10000")])))
    assert frame["pnl"][1] == D("0")
    assert frame["unit_value"].tolist() == [1.0, 1.0]


def test_no_capital_at_work_gives_an_undefined_return_not_infinity():
    frame = derive_returns(pd.DataFrame(_rows(1, [("100", "0"), ("0", "-100"), ("0", "0"), ("50", "40")])))
    assert frame["daily_return"][1] == 0.0  # 100 at work until it was withdrawn, nothing gained or lost
    assert frame["daily_return"][2] is None  # nothing at work
    assert frame["daily_return"][3] == pytest.approx(10 / 40)


@given(st.lists(st.tuples(st.integers(0, 10**7), st.integers(-(10**6), 10**6)), min_size=1, max_size=30))
@settings(max_examples=60, deadline=None)
def test_unit_value_compounds_the_returns_and_pnl_is_exact(days):
    rows = _rows(7, [(str(e), str(f)) for e, f in days]) if len(days) <= 31 else []
    frame = derive_returns(pd.DataFrame(rows))
    equity = [D(e) for e, _ in days]
    for t in range(1, len(days)):
        assert frame["pnl"][t] == equity[t] - equity[t - 1] - D(days[t][1])
    growth = 1.0
    for r in frame["daily_return"]:
        growth *= 1 + (r or 0)
    assert frame["unit_value"].iloc[-1] == pytest.approx(growth, rel=1e-12)


@pytest.mark.django_db
def test_upsert_is_idempotent_and_recomputes_after_a_late_correction():
    trader = LeadTraderFactory()
    rows = _rows(trader.id, [("1000", "0"), ("1100", "0"), ("1210", "0")])
    daily_equity_upsert(rows=rows)
    first = list(DailyEquity.objects.values_list("date", "pnl", "unit_value"))
    daily_equity_upsert(rows=rows)
    assert list(DailyEquity.objects.values_list("date", "pnl", "unit_value")) == first
    assert DailyEquity.objects.count() == 3

    # A corrected day 2 (a deposit was reported late) changes day 2 and everything after it.
    daily_equity_upsert(rows=[{**rows[1], "net_flow": D("100")}])
    unit = list(DailyEquity.objects.order_by("date").values_list("unit_value", flat=True))
    assert unit[1] == D("1.0000000000000000")
    assert unit[2] == D("1.1000000000000001") or abs(unit[2] - D("1.1")) < D("1e-15")
