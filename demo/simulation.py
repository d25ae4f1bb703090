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


_STYLES = ["steady", "aggressive", "scalper", "swing", "no_fills", "tiny_lucky", "late_depositor", "copycat"]
# The last traders of a population, one case per anti-gaming flag (leaderboard.flags), in this order; the copycat
# mirrors trader 0. Each keeps its case in every window: 7/30/90 days ending at the data end, and monthly periods.
SHOWCASE_STYLES = ("no_fills", "tiny_lucky", "late_depositor", "copycat")
TINY_START, TINY_SWEEP_ABOVE = 150.0, 600.0  # the tiny account sweeps its winnings out: capital stays under 1,000
TINY_LUCKY_RETURN, TINY_LUCKY_DAYS = 0.075, 8  # +7.5% a day over its streaks: ROI over 50% in any 7 of them
LATE_DEPOSIT_MULTIPLE = 2.0  # the late depositor parks twice its equity just before a period or window ends
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


def trader_uid(index: int) -> str:
    return f"SIM{100000 + index}"


def showcase_uids(*, count: int) -> list[str]:
    """UIDs of the traders every flag should catch in a population of `count` (and trader 0, the one copied)."""
    if count <= len(SHOWCASE_STYLES):
        return []
    return [trader_uid(0)] + [trader_uid(count - len(SHOWCASE_STYLES) + k) for k in range(len(SHOWCASE_STYLES))]


def _lucky_days(dates) -> np.ndarray:
    """The tiny account's streaks: the last TINY_LUCKY_DAYS of each calendar month (monthly reward periods end
    there) and of the data, so every 7-day-or-longer window ending at one of them shows a huge ROI. Only there: a
    year of it would compound past any sane unit value."""
    month_left = np.array([((d.replace(day=28) + timedelta(days=4)).replace(day=1) - d).days for d in dates])
    lucky = month_left <= TINY_LUCKY_DAYS
    lucky[-TINY_LUCKY_DAYS:] = True
    return lucky


def _late_deposit_days(dates) -> tuple[set[int], set[int]]:
    """(deposit, withdrawal) day indexes of the late depositor: in with two days left of each calendar month
    (monthly reward periods end there) and three days before the data end; out again on the 2nd of the next month."""
    deposit, withdraw = set(), set()
    for t, day in enumerate(dates):
        following = day + timedelta(days=2)
        if following.month != day.month and (day + timedelta(days=1)).month == day.month:
            deposit.add(t)
        if day.day == 2 and t > 0:
            withdraw.add(t)
    if len(dates) >= 3:
        deposit.add(len(dates) - 3)
    return deposit, withdraw - deposit


def simulate_population(*, count: int, end: date, days: int, seed: int) -> tuple[list[SimulatedTrader], pd.DataFrame]:
    rng = np.random.default_rng(seed)
    start = end - timedelta(days=days - 1)
    dates = pd.date_range(start, end, freq="D").date
    styles = rng.choice(_STYLES[:4], size=count, p=[0.4, 0.25, 0.15, 0.2]).astype(object)
    # A handful of the cases the anti-gaming rules must catch (see showcase_uids).
    if count > len(SHOWCASE_STYLES):
        styles[count - len(SHOWCASE_STYLES) :] = SHOWCASE_STYLES

    traders, frames = [], []
    copied_returns = None
    for i in range(count):
        style = str(styles[i])
        late_start = int(rng.integers(0, days // 2)) if rng.random() < 0.2 else 0
        if i == 0 or style in SHOWCASE_STYLES:  # the showcase runs the whole span (the copycat mirrors trader 0)
            late_start = 0
        n = days - late_start
        mu, sigma = {
            "steady": (0.0008, 0.012),
            "aggressive": (0.0015, 0.045),
            "scalper": (0.0005, 0.008),
            "swing": (0.0010, 0.025),
            "no_fills": (0.002, 0.015),
            "tiny_lucky": (0.0, 0.01),  # flat, but for its lucky streaks (below)
            "late_depositor": (0.001, 0.02),
            "copycat": (0.0, 0.0),
        }[style]
        spread = rng.normal(1.0, 0.8)
        mu = mu if style in SHOWCASE_STYLES else mu * spread
        returns = mu + sigma * rng.standard_t(4, size=n) / np.sqrt(2)
        if style == "copycat" and copied_returns is not None:
            returns = copied_returns[-n:] + rng.normal(0, 1e-5, size=n)
        if style == "tiny_lucky":
            returns = returns + np.where(_lucky_days(dates[late_start:]), TINY_LUCKY_RETURN, 0.0)
        returns = np.clip(returns, -0.6, 1.5)
        if i == 0:
            copied_returns = returns.copy()
        initial = TINY_START if style == "tiny_lucky" else float(np.exp(rng.normal(np.log(8000), 1.3)))
        flows = np.zeros(n)
        events = rng.random(n) < 1 / 30
        flows[events] = np.round(initial * rng.uniform(-0.3, 0.6, size=events.sum()), 2)
        deposit_days, withdraw_days = _late_deposit_days(dates[late_start:]) if style == "late_depositor" else ((), ())
        if style in ("late_depositor", "tiny_lucky"):
            flows[:] = 0.0  # their money moves only as their case needs
        flows[0] = 0.0
        equity = np.empty(n)
        level, parked = initial, 0.0
        for t in range(n):
            if t and style == "tiny_lucky" and level > TINY_SWEEP_ABOVE:
                flows[t] = -round(level - TINY_START, 2)
            elif t in deposit_days:
                parked = round(level * LATE_DEPOSIT_MULTIPLE, 2)
                flows[t] = parked
            elif t in withdraw_days and parked:
                flows[t], parked = -round(min(parked, level), 2), 0.0
            if t and level + flows[t] < 0:  # no withdrawing more than the account holds
                flows[t] = -level
            level = (level + flows[t]) * (1 + returns[t]) if t else level
            equity[t] = level
        closed = rng.poisson(3 if style != "scalper" else 12, size=n)
        if style == "no_fills":  # equity moves, but no trade stands behind it
            closed[:] = 0
        win_prob = np.clip(0.5 + returns * 8, 0.05, 0.95)
        wins = rng.binomial(closed, win_prob)
        followers = np.maximum(0, np.cumsum(rng.integers(-2, 5, size=n)) + int(rng.integers(0, 300)))
        uid = trader_uid(i)
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
