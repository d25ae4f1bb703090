"""Regime indicators on the real series of the shared data folder, checked against values computed here with plain
Python (csv, statistics), plus the label's hysteresis and the handling of missing and stale inputs."""

import csv
import math
import statistics
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from regime import indicators as ind


def _read_dated(path, date_col, value_col, *, ms=False):
    out = {}
    with open(path, newline="") as fh:
        for rec in csv.DictReader(fh):
            raw = rec[value_col].strip()
            if raw in ("", "."):
                continue
            day = (
                datetime.fromtimestamp(int(rec[date_col]) / 1000, tz=UTC).date()
                if ms
                else date.fromisoformat(rec[date_col][:10])
            )
            out[day] = float(raw)
    return out


def _series(d: dict) -> pd.Series:
    return pd.Series(list(d.values()), index=pd.to_datetime(list(d.keys())))


def _on_or_before(d: dict, day: date) -> float:
    return d[max(k for k in d if k <= day)]


@pytest.fixture(scope="module")
def real(shared_data):
    folder = shared_data
    raw = {
        "BTC/USDT": _read_dated(folder / "btc_usdt_daily_hyperliquid_2023-2026.csv", "time", "close", ms=True),
        "DGS10": _read_dated(folder / "fred_DGS10.csv", "date", "value"),
        "M2SL": _read_dated(folder / "fred_M2SL.csv", "date", "value"),
        "BOGMBASE": _read_dated(folder / "fred_BOGMBASE.csv", "observation_date", "BOGMBASE"),
        "BAMLH0A0HYM2": _read_dated(folder / "fred_BAMLH0A0HYM2.csv", "date", "value"),
        "BAA10Y": _read_dated(folder / "fred_BAA10Y.csv", "date", "value"),
        "MU": _read_dated(folder / "stock_MU_daily.csv", "Date", "Close"),
        "SNDK": _read_dated(folder / "stock_SNDK_daily.csv", "Date", "Close"),
    }
    table = ind.regime_table({k: _series(v) for k, v in raw.items()})
    return raw, table


def test_btc_deepest_drawdown_of_the_last_year_matches_a_plain_computation(real):
    raw, table = real
    days = sorted(raw["BTC/USDT"])
    closes = [raw["BTC/USDT"][d] for d in days]
    assert (days[-1] - days[0]).days == len(days) - 1  # the file has no gaps, so 365 rows = 365 days
    drawdowns = [closes[i] / max(closes[max(0, i - 364) : i + 1]) - 1 for i in range(len(closes))]
    last_year = range(len(days) - 365, len(days))
    deepest = min(last_year, key=lambda i: drawdowns[i])

    computed = table.values["btc_drawdown"].loc[pd.Timestamp(days[-365]) : pd.Timestamp(days[-1])]
    assert computed.idxmin().date() == days[deepest] == date(2025, 11, 22)
    assert computed.min() == pytest.approx(drawdowns[deepest], abs=1e-12)
    assert drawdowns[deepest] == pytest.approx(-0.32, abs=0.01)  # from the 2025-10-06 high of 124,711
    assert max(closes) == 124711.0 and days[closes.index(max(closes))] == date(2025, 10, 6)


def test_btc_return_average_and_volatility_on_the_last_day(real):
    raw, table = real
    days = sorted(raw["BTC/USDT"])
    closes = [raw["BTC/USDT"][d] for d in days]
    last = pd.Timestamp(days[-1])
    row = table.values.loc[last]
    assert row["btc_return_90d"] == pytest.approx(closes[-1] / closes[-91] - 1, rel=1e-12)
    assert row["btc_vs_200d"] == pytest.approx(closes[-1] / statistics.fmean(closes[-200:]) - 1, rel=1e-9)
    logs = [math.log(b / a) for a, b in zip(closes[-31:-1], closes[-30:], strict=True)]
    assert row["btc_vol_30d"] == pytest.approx(statistics.stdev(logs) * math.sqrt(365), rel=1e-9)
    assert not table.stale.loc[last, ["btc_drawdown", "btc_return_90d", "btc_vs_200d", "btc_vol_30d"]].any()


def test_yield_change_multiplier_and_cash_flow_leadership(real):
    raw, table = real
    # The 10-year yield's last observation is 2025-12-30: on that day the 90-day change is plain arithmetic.
    day = date(2025, 12, 30)
    dgs10 = raw["DGS10"]
    expected_bp = (dgs10[day] - _on_or_before(dgs10, day - timedelta(days=90))) * 100
    assert table.values.at[pd.Timestamp(day), "dgs10_change_90d"] == pytest.approx(expected_bp, abs=1e-9)

    # Money multiplier M2 / base at the base's last month (2025-05-01), and its change over a year.
    m2, base = raw["M2SL"], raw["BOGMBASE"]
    mult = m2[date(2025, 5, 1)] / base[date(2025, 5, 1)]
    change = mult / (m2[date(2024, 5, 1)] / base[date(2024, 5, 1)]) - 1
    at_end = table.values.loc[pd.Timestamp("2026-01-23")]
    assert at_end["money_multiplier"] == pytest.approx(mult, rel=1e-12)
    assert at_end["money_multiplier_change_1y"] == pytest.approx(change, rel=1e-9)
    assert change > 0  # still rising year on year at its last reading

    # MU's 90-day return minus BTC's, on a Friday both have a close.
    day = date(2026, 1, 23)
    mu, btc = raw["MU"], raw["BTC/USDT"]
    mu_90 = mu[day] / _on_or_before(mu, day - timedelta(days=90)) - 1
    btc_90 = btc[day] / btc[day - timedelta(days=90)] - 1
    assert at_end["mu_vs_btc_90d"] == pytest.approx(mu_90 - btc_90, rel=1e-9)
    assert at_end["mu_vs_btc_90d"] > 0.5  # the cash-flow leg leads strongly in early 2026


def test_early_2026_reads_capital_scarce_with_the_legs_the_data_shows(real):
    _, table = real
    last = pd.Timestamp("2026-01-23")
    assert table.label.at[last] == ind.SCARCE
    assert table.score.at[last] < -0.5
    legs = ind.leg_verdicts(table.values.loc[last].to_dict())
    assert legs["crypto"] == ind.CONFIRMS and legs["cashflow"] == ind.CONFIRMS
    assert legs["multiplier"] == ind.CONTRADICTS
    # Stale inputs on that day are named, and left out of the score.
    missing = {m["code"]: m for m in ind.missing_inputs(table, last)}
    assert missing["BOGMBASE"]["status"] == "stale" and missing["BOGMBASE"]["last"] == "2025-05-01"
    assert missing["DGS10"] == {"code": "DGS10", "status": "stale", "last": "2025-12-30", "age_days": 24}
    assert np.isnan(table.zscores.at[last, "dgs10_change_90d"])
    assert np.isnan(table.zscores.at[last, "money_multiplier_change_1y"])
    # Credit: the high-yield spread is stale, so the fresh Baa-minus-10y spread is used.
    assert table.credit_code.at[last] == "BAA10Y" and not table.stale.at[last, "credit_change_90d"]


def test_hysteresis_enters_beyond_outer_and_leaves_past_inner_threshold():
    scores = pd.Series([0.0, -0.45, -0.6, -0.3, -0.21, -0.1, 0.4, 0.55, 0.3, 0.21, 0.1, np.nan, -0.7, 0.9])
    labels = ind.label_with_hysteresis(scores, thresholds=ind.Hysteresis())
    assert labels.tolist() == [
        "neutral", "neutral", "scarce", "scarce", "scarce", "neutral", "neutral", "abundant", "abundant",
        "abundant", "neutral", "neutral", "scarce", "abundant",
    ]  # fmt: skip


def test_hysteresis_stops_flicker_around_a_threshold():
    rng = np.random.default_rng(1)
    scores = pd.Series(-0.5 + rng.normal(0, 0.1, 500))  # hovering on the scarce entry line
    with_h = ind.label_with_hysteresis(scores, thresholds=ind.Hysteresis())
    without = ind.label_with_hysteresis(scores, thresholds=ind.Hysteresis(-0.5, -0.5, 0.5, 0.5))
    changes = lambda s: int((s != s.shift()).sum() - 1)  # noqa: E731
    assert changes(with_h) < changes(without) / 5


def _btc_only(days=800, end=date(2026, 1, 1)):
    idx = pd.date_range(end=pd.Timestamp(end), periods=days, freq="D")
    return pd.Series(30000 * np.exp(np.cumsum(np.random.default_rng(7).normal(0, 0.02, days))), index=idx)


def test_missing_inputs_are_named_and_the_score_uses_what_is_there():
    btc = _btc_only()
    table = ind.regime_table({"BTC/USDT": btc})
    last = btc.index[-1]
    named = {m["code"]: m["status"] for m in ind.missing_inputs(table, last)}
    assert named == {c: "missing" for c in ["DGS10", "M2SL", "BOGMBASE", "MU", "SNDK", "BAMLH0A0HYM2"]}
    assert not np.isnan(table.score.at[last])
    z = table.zscores.loc[last]
    crypto = ["btc_drawdown", "btc_return_90d", "btc_vs_200d", "btc_vol_30d"]
    weights = {s.key: s.weight * s.sign for s in ind.INDICATORS}
    expected = sum(z[k] * weights[k] for k in crypto) / sum(abs(weights[k]) for k in crypto)
    assert table.score.at[last] == pytest.approx(expected, rel=1e-12)
    assert ind.leg_verdicts(table.values.loc[last].to_dict())["rates"] == ind.NO_DATA


def test_a_stale_input_keeps_its_last_reading_but_leaves_the_score():
    btc = _btc_only()
    idx = pd.bdate_range(btc.index[0], btc.index[-1] - pd.Timedelta(days=30))
    dgs10 = pd.Series(np.linspace(3.0, 4.5, len(idx)), index=idx)
    table = ind.regime_table({"BTC/USDT": btc, "DGS10": dgs10})
    last = btc.index[-1]
    assert table.stale.at[last, "dgs10_change_90d"]
    assert np.isnan(table.zscores.at[last, "dgs10_change_90d"])
    # The value shown is the 90-day change as of the yield's last day, not diluted by carried-forward days.
    last_obs = idx[-1]
    before = dgs10[dgs10.index <= last_obs - pd.Timedelta(days=90)].iloc[-1]
    assert table.values.at[last, "dgs10_change_90d"] == pytest.approx((dgs10.iloc[-1] - before) * 100)
    assert {"code": "DGS10", "status": "stale"}.items() <= ind.missing_inputs(table, last)[0].items()
    fresh_day = last_obs
    assert not table.stale.at[fresh_day, "dgs10_change_90d"]
    assert not np.isnan(table.zscores.at[fresh_day, "dgs10_change_90d"])


def test_no_inputs_at_all_gives_an_empty_table():
    table = ind.regime_table({})
    assert table.score.empty and table.label.empty
