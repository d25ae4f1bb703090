"""A seeded simulator of lead-trader performance for the demo (clearly labelled simulated everywhere).

Pure numpy/pandas: parameters in, a long table of daily snapshots out, in the same shape the operator import takes
(exchange_uid, date, equity, net_flow, closed_positions, winning_positions, followers, aum).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd

CENT = Decimal("0.01")


@dataclass(frozen=True)
class SimulatedTrader:
    exchange_uid: str
    display_name: str
    first_day: date
    style: str


_STYLES = ["steady", "aggressive", "scalper", "swing", "tiny_lucky", "late_depositor", "copycat"]
_NAMES = [
    "Aurora",
    "Bolt",
    "Cobalt",
    "Delta",
    "Ember",
    "Falcon",
    "Granite",
    "Harbor",
    "Iris",
    "Jade",
    "Kite",
    "Lumen",
    "Maple",
    "Nova",
    "Onyx",
    "Pulse",
    "Quartz",
    "Raven",
    "Sable",
    "Tide",
    "Umbra",
    "Vega",
    "Willow",
    "Xeno",
    "Yarrow",
    "Zephyr",
    "青龙",
    "白虎",
    "朱雀",
    "玄武",
    "麒麟",
    "凤凰",
    "北斗",
    "星河",
]


def simulate_population(*, count: int, end: date, days: int, seed: int) -> tuple[list[SimulatedTrader], pd.DataFrame]:
    rng = np.random.default_rng(seed)
    start = end - timedelta(days=days - 1)
    dates = pd.date_range(start, end, freq="D").date
    styles = rng.choice(_STYLES[:4], size=count, p=[0.4, 0.25, 0.15, 0.2]).astype(object)
    # A handful of the cases the anti-gaming rules must catch.
    styles[count - 3] = "tiny_lucky"
    styles[count - 2] = "late_depositor"
    styles[count - 1] = "copycat"

    traders, frames = [], []
    copied_returns = None
    for i in range(count):
        style = str(styles[i])
        late_start = int(rng.integers(0, days // 2)) if rng.random() < 0.2 else 0
        if i == 0 or style == "copycat":  # the copycat mirrors trader 0 over the whole year
            late_start = 0
        n = days - late_start
        mu, sigma = {
            "steady": (0.0008, 0.012),
            "aggressive": (0.0015, 0.045),
            "scalper": (0.0005, 0.008),
            "swing": (0.0010, 0.025),
            "tiny_lucky": (0.02, 0.06),
            "late_depositor": (0.001, 0.02),
            "copycat": (0.0, 0.0),
        }[style]
        mu = mu * rng.normal(1.0, 0.8)
        returns = mu + sigma * rng.standard_t(4, size=n) / np.sqrt(2)
        if style == "copycat" and copied_returns is not None:
            returns = copied_returns[-n:] + rng.normal(0, 1e-5, size=n)
        returns = np.clip(returns, -0.6, 1.5)
        if i == 0:
            copied_returns = returns.copy()
        initial = 150.0 if style == "tiny_lucky" else float(np.exp(rng.normal(np.log(8000), 1.3)))
        flows = np.zeros(n)
        events = rng.random(n) < 1 / 30
        flows[events] = np.round(initial * rng.uniform(-0.3, 0.6, size=events.sum()), 2)
        if style == "late_depositor":
            flows[-3] = round(initial * 10, 2)
        flows[0] = 0.0
        equity = np.empty(n)
        level = initial
        for t in range(n):
            level = max(level + flows[t], 0.0) * (1 + returns[t]) if t else level
            if t and level + flows[t] < 0:
                flows[t] = -level
            equity[t] = level
        closed = rng.poisson(3 if style != "scalper" else 12, size=n)
        win_prob = np.clip(0.5 + returns * 8, 0.05, 0.95)
        wins = rng.binomial(closed, win_prob)
        followers = np.maximum(0, np.cumsum(rng.integers(-2, 5, size=n)) + int(rng.integers(0, 300)))
        uid = f"SIM{100000 + i}"
        name = f"{_NAMES[i % len(_NAMES)]}-{i:03d} (sim)"
        traders.append(SimulatedTrader(uid, name, dates[late_start], style))
        frames.append(
            pd.DataFrame(
                {
                    "exchange_uid": uid,
                    "date": dates[late_start:],
                    "equity": equity,
                    "net_flow": flows,
                    "closed_positions": closed,
                    "winning_positions": wins,
                    "followers": followers,
                    "aum": equity * rng.uniform(1, 6),
                }
            )
        )
    table = pd.concat(frames, ignore_index=True)
    for column in ("equity", "net_flow", "aum"):
        table[column] = [Decimal(repr(round(float(x), 2))).quantize(CENT) for x in table[column]]
    return traders, table
