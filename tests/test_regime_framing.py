"""A trader's result framed against BTC and the regime: return vs BTC, beta, and returns by regime, checked against
plain numpy on the same days; and the selectors that feed it from the stored readings and BTC closes."""

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from leaderboard.framing import trader_framing
from leaderboard.selectors import trader_regime_framing
from regime.models import MarketSeries, Observation, RegimeReading
from regime.selectors import btc_returns, regime_labels


def _days(n, start=date(2025, 1, 1)):
    return [start + timedelta(days=i) for i in range(n)]


def test_framing_matches_plain_numpy_on_the_common_days():
    rng = np.random.default_rng(3)
    days = _days(120)
    btc = pd.Series(rng.normal(0.001, 0.03, 120), index=days)
    trader = pd.Series(0.5 * btc.to_numpy() + rng.normal(0.002, 0.01, 120), index=days)
    labels = pd.Series(["scarce"] * 40 + ["neutral"] * 30 + ["abundant"] * 50, index=days)
    # The trader has no data on the first 10 days and BTC none on day 60: both are left out for everyone.
    trader = trader.iloc[10:]
    btc = btc.drop(days[60])
    result = trader_framing(returns=trader, btc_returns=btc, labels=labels)

    common = [d for d in days[10:] if d != days[60]]
    t = trader.loc[common].to_numpy()
    b = btc.loc[common].to_numpy()
    lab = labels.loc[common].to_numpy()
    assert result.days == len(common) == 109
    assert result.trader_return == pytest.approx(np.prod(1 + t) - 1, rel=1e-12)
    assert result.btc_return == pytest.approx(np.prod(1 + b) - 1, rel=1e-12)
    assert result.excess_return == pytest.approx((np.prod(1 + t) - 1) - (np.prod(1 + b) - 1), rel=1e-12)
    assert result.beta == pytest.approx(np.cov(t, b, ddof=1)[0, 1] / np.var(b, ddof=1), rel=1e-12)
    assert 0.3 < result.beta < 0.7
    assert result.scarce_days == 30 and result.abundant_days == 50 and result.neutral_days == 29
    assert result.scarce_return == pytest.approx(np.prod(1 + t[lab == "scarce"]) - 1, rel=1e-12)
    assert result.abundant_return == pytest.approx(np.prod(1 + t[lab == "abundant"]) - 1, rel=1e-12)


def test_framing_without_overlap_is_empty():
    result = trader_framing(
        returns=pd.Series([0.01], index=[date(2025, 1, 1)]),
        btc_returns=pd.Series([0.02], index=[date(2025, 2, 1)]),
        labels=pd.Series(["scarce"], index=[date(2025, 1, 1)]),
    )
    assert result.days == 0 and result.trader_return is None and result.beta is None


@pytest.mark.django_db
def test_selectors_feed_the_framing_from_stored_closes_and_readings():
    series = MarketSeries.objects.create(code="BTC/USDT", name="BTC")
    closes = [100, 110, 99, 120, 120, 90]
    days = _days(len(closes))
    Observation.objects.bulk_create(
        Observation(series=series, date=d, value=Decimal(c)) for d, c in zip(days, closes, strict=True)
    )
    for d, label in zip(days, ["neutral", "scarce", "scarce", "abundant", "abundant", "scarce"], strict=True):
        RegimeReading.objects.create(as_of=d, score=0.0, label=label)

    returns = btc_returns(start=days[1], end=days[-1])
    assert returns.tolist() == pytest.approx([0.1, -0.1, 120 / 99 - 1, 0.0, -0.25])
    assert regime_labels(start=days[2]).tolist() == ["scarce", "abundant", "abundant", "scarce"]

    trader = pd.Series([0.02, 0.01, -0.01, 0.03], index=days[2:])
    framed = trader_regime_framing(returns=trader)
    assert framed.days == 4
    assert framed.btc_return == pytest.approx(90 / 110 - 1)
    assert framed.scarce_days == 2
    assert framed.scarce_return == pytest.approx(1.02 * 1.03 - 1)
    assert framed.abundant_return == pytest.approx(1.01 * 0.99 - 1)


@pytest.mark.django_db
def test_trader_framing_partial_in_both_languages():
    from django.template import Context, Template
    from django.utils import translation

    series = MarketSeries.objects.create(code="BTC/USDT", name="BTC")
    days = _days(5)
    Observation.objects.bulk_create(
        Observation(series=series, date=d, value=Decimal(c)) for d, c in zip(days, [100, 90, 81, 90, 99], strict=True)
    )
    for d, label in zip(days, ["scarce", "scarce", "scarce", "abundant", "abundant"], strict=True):
        RegimeReading.objects.create(as_of=d, score=0.0, label=label)
    returns = pd.Series([0.01, 0.01, 0.02, 0.0], index=days[1:])
    framing = trader_regime_framing(returns=returns)
    template = Template("{% load regime_tags %}{% regime_trader_framing framing=framing %}")
    with translation.override("en"):
        html = template.render(Context({"framing": framing}))
    # Trader +4.05% vs BTC -1% over the same four days; two scarce days, two abundant ones.
    assert "+4.1%" in html and "vs BTC -1.0%" in html and "+5.1 pts" in html
    assert "Capital-scarce days (2)" in html and "+2.0%" in html
    with translation.override("zh-hans"):
        zh = template.render(Context({"framing": framing}))
    assert "相对 BTC" in zh and "资本稀缺日（2）" in zh
    assert "Not enough overlapping days" in Template("{% load regime_tags %}{% regime_trader_framing %}").render(
        Context({})
    )
