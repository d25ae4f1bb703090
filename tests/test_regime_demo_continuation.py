"""The demo's real market series end months before today: seed_regime continues each one to yesterday with a
seeded simulation, labelled as such, so the readings and the leaderboard's "vs BTC" reach yesterday."""

import csv
from datetime import date, timedelta

import numpy as np
import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from demo import regime_simulation as simulation
from demo.regime import seed_regime
from regime.models import MarketSeries, Observation, RegimeReading
from regime.selectors import BTC_CODE, btc_returns, series_values

TODAY = date(2026, 11, 26)
YESTERDAY = TODAY - timedelta(days=1)
BTC_REAL_END = date(2026, 8, 22)  # the last CoinGecko close of the shared snapshot (the candles end 2026-01-23)
WIDGET = Template("{% load regime_tags %}{% regime_widget %}")


def test_continuation_dates_follow_the_series_calendar():
    fridays = [date(2025, 12, 26) + timedelta(days=i) for i in range(5)]  # Fri..Tue, weekend included: crypto
    assert simulation.continuation_dates(history=fridays, end=date(2025, 12, 31)) == [date(2025, 12, 31)]
    weekdays = [date(2025, 12, 22), date(2025, 12, 23), date(2025, 12, 26)]
    assert simulation.continuation_dates(history=weekdays, end=date(2025, 12, 30)) == [
        date(2025, 12, 29),
        date(2025, 12, 30),
    ]
    months = [date(2025, 10, 1), date(2025, 11, 1)]
    assert simulation.continuation_dates(history=months, end=date(2026, 2, 15), frequency="monthly") == [
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
    assert simulation.continuation_dates(history=months, end=date(2025, 11, 1), frequency="monthly") == []


def test_continuation_is_deterministic_and_a_longer_one_extends_a_shorter_one():
    rng = np.random.default_rng(1)
    dates = [date(2023, 1, 1) + timedelta(days=i) for i in range(900)]
    values = 100 * np.exp(np.cumsum(rng.normal(0.002, 0.03, 900)))
    short = simulation.continue_values(dates=dates, values=values, steps=30, seed=5)
    long = simulation.continue_values(dates=dates, values=values, steps=90, seed=5)
    np.testing.assert_array_equal(short, long[:30])
    np.testing.assert_array_equal(long, simulation.continue_values(dates=dates, values=values, steps=90, seed=5))
    assert not np.array_equal(long, simulation.continue_values(dates=dates, values=values, steps=90, seed=6))
    # Resampled from the series' own (demeaned) steps: same step sizes, no trend carried over.
    steps = np.diff(np.log(np.concatenate([[values[-1]], long])))
    history = np.diff(np.log(values))
    assert np.isin(np.round(steps, 12), np.round(history - history.mean(), 12)).all()
    assert (
        simulation.series_seed("BTC/USDT", 1)
        == simulation.series_seed("BTC/USDT", 1)
        != simulation.series_seed("DGS10", 1)
    )


def _snapshot():
    return (
        list(Observation.objects.order_by("id").values_list("id", "series__code", "date", "value")),
        list(RegimeReading.objects.order_by("as_of").values_list("id", "as_of", "score", "label", "is_simulated")),
        list(MarketSeries.objects.order_by("code").values_list("code", "name", "is_simulated", "source")),
    )


def _render(language: str) -> str:
    with translation.override(language):
        return WIDGET.render(Context({}))


@pytest.mark.django_db
def test_seed_continues_real_series_to_yesterday_labelled_and_idempotent(shared_data):
    seed_regime(online=False, data_dir=shared_data, today=TODAY)

    # BTC: real to the last close of the snapshot, simulated from the day after it to yesterday, and labelled.
    btc = MarketSeries.objects.get(code=BTC_CODE)
    assert btc.is_simulated and btc.source == MarketSeries.Source.IMPORT
    assert f"values after {BTC_REAL_END} are SIMULATED" in btc.name
    closes = series_values(code=BTC_CODE)
    assert closes.index[-1] == YESTERDAY
    assert list(closes.index[closes.index > BTC_REAL_END]) == [
        BTC_REAL_END + timedelta(days=i) for i in range(1, (YESTERDAY - BTC_REAL_END).days + 1)
    ]
    with open(shared_data / "btc_daily_close_coinmaster_2010-2026.csv", newline="") as fh:
        real = {r["date"]: float(r["close_usd"]) for r in csv.DictReader(fh)}
    assert closes[BTC_REAL_END] == real[BTC_REAL_END.isoformat()]  # the real values are untouched
    assert closes[date(2026, 1, 23)] == 88769.0  # the last Hyperliquid candle
    assert len(btc_returns(start=date(2026, 11, 1), end=YESTERDAY)) == 25  # "vs BTC" has every day

    # Other series on their own calendar, from the day after their last real value.
    dgs10 = series_values(code="DGS10")
    after = dgs10.index[dgs10.index > date(2025, 12, 30)]
    assert after[0] == date(2025, 12, 31) and all(d.weekday() < 5 for d in after) and after[-1] == YESTERDAY
    assert "values after 2025-12-30 are SIMULATED" in MarketSeries.objects.get(code="DGS10").name
    m2 = series_values(code="M2SL")
    assert list(m2.index[m2.index > date(2025, 11, 1)])[:2] == [date(2025, 12, 1), date(2026, 1, 1)]
    assert m2.index[-1] == date(2026, 11, 1)

    # Readings reach yesterday; those before the first simulated value are real, the rest flagged.
    first_simulated = min(
        Observation.objects.filter(series__code=code, date__gt=real_end).order_by("date").first().date
        for code, real_end in [("BOGMBASE", date(2025, 5, 1)), ("M2SL", date(2025, 11, 1)), (BTC_CODE, BTC_REAL_END)]
    )
    assert first_simulated == date(2025, 6, 1)
    assert RegimeReading.objects.latest("as_of").as_of == YESTERDAY
    assert not RegimeReading.objects.filter(as_of__lt=first_simulated, is_simulated=True).exists()
    assert not RegimeReading.objects.filter(as_of__gte=first_simulated, is_simulated=False).exists()
    assert RegimeReading.objects.filter(as_of__lt=first_simulated).count() > 100

    # The widget and the history page say which part is simulated, in both languages.
    assert "Simulated data" in _render("en")
    assert "Readings from 2025-06-01 on use simulated market data" in _render("en")
    assert "自 2025-06-01 起的读数使用模拟市场数据" in _render("zh-hans")
    page = Client().get(reverse("regime:history")).content.decode()
    assert "Readings before 2025-06-01 are computed from real data only." in page
    assert f"values after {BTC_REAL_END} are SIMULATED" in page

    # A second seed the same day changes nothing; a day later only adds the new day.
    first = _snapshot()
    seed_regime(online=False, data_dir=shared_data, today=TODAY)
    assert _snapshot() == first
    seed_regime(online=False, data_dir=shared_data, today=TODAY + timedelta(days=1))
    later = series_values(code=BTC_CODE)
    assert later.index[-1] == TODAY
    assert later.iloc[:-1].equals(closes)
