"""A trader's result framed against BTC and the liquidity regime (pure pandas, no Django).

Inputs are daily simple returns indexed by date. Only the days where the trader, BTC and the regime label are all
known are compared, so the trader and BTC are measured over exactly the same window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from leaderboard.metrics import compound_by_label, metrics_arrays


@dataclass(frozen=True)
class TraderFraming:
    days: int
    trader_return: float | None  # compounded over the common days
    btc_return: float | None
    excess_return: float | None  # trader minus BTC, in return points
    beta: float | None  # cov(trader, BTC) / var(BTC) of daily returns
    scarce_days: int
    scarce_return: float | None  # compounded over the capital-scarce days only
    abundant_days: int
    abundant_return: float | None
    neutral_days: int
    neutral_return: float | None


def _finite(value) -> float | None:
    return float(value) if np.isfinite(value) else None


def _normalise(series: pd.Series) -> pd.Series:
    out = series.copy()
    out.index = pd.to_datetime(out.index).normalize()
    return out[~out.index.duplicated(keep="last")]


def trader_framing(*, returns: pd.Series, btc_returns: pd.Series, labels: pd.Series) -> TraderFraming:
    frame = pd.concat(
        {
            "trader": _normalise(returns).astype(float),
            "btc": _normalise(btc_returns).astype(float),
            "label": _normalise(labels),
        },
        axis=1,
        join="inner",
    ).dropna()
    if frame.empty:
        return TraderFraming(0, None, None, None, None, 0, None, 0, None, 0, None)
    trader, btc = frame["trader"], frame["btc"]
    # The leaderboard's own definitions of ROI, BTC return, excess return and beta, over the common days.
    m = metrics_arrays(trader.to_numpy()[:, None], benchmark=btc.to_numpy())
    trader_total, btc_total = _finite(m["roi"][0]), _finite(m["btc_return"][0])
    # One definition of "return over the days of a regime", shared with the leaderboard's metrics.
    by_label = {
        name: compound_by_label(trader.to_numpy(), frame["label"].to_numpy(), name)
        for name in ("scarce", "abundant", "neutral")
    }
    return TraderFraming(
        days=len(frame),
        trader_return=trader_total,
        btc_return=btc_total,
        excess_return=_finite(m["excess_return_vs_btc"][0]),
        beta=_finite(m["beta"][0]),
        scarce_days=int(by_label["scarce"][0][0]),
        scarce_return=_finite(by_label["scarce"][1][0]),
        abundant_days=int(by_label["abundant"][0][0]),
        abundant_return=_finite(by_label["abundant"][1][0]),
        neutral_days=int(by_label["neutral"][0][0]),
        neutral_return=_finite(by_label["neutral"][1][0]),
    )
