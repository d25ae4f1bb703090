"""Simulated exchange events for the demo, in ccxt's unified shapes (pure: a trader's daily table in, dicts out).

The closed positions of each day match that day's closed_positions / winning_positions of the simulated table, each
position is opened and closed by two fills, and each day's net flow appears as a ledger deposit or withdrawal, so the
demo's exchange data agrees with its daily equity. Seeded: the same inputs give the same events and ids.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pandas as pd

SYMBOLS = {"BTC/USDT:USDT": 60000.0, "ETH/USDT:USDT": 3000.0, "SOL/USDT:USDT": 150.0, "LTC/USDT:USDT": 80.0}
CONTRACT_SIZE = {"BTC/USDT:USDT": "0.0001", "ETH/USDT:USDT": "0.01", "SOL/USDT:USDT": "1", "LTC/USDT:USDT": "0.1"}
CENT = Decimal("0.01")


@dataclass
class SimulatedEvents:
    trades: list[dict] = field(default_factory=list)
    positions: list[dict] = field(default_factory=list)
    ledger: list[dict] = field(default_factory=list)


def _ms(day, seconds: int) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000) + seconds * 1000


def simulate_exchange_events(*, uid: str, days: pd.DataFrame, seed: int) -> SimulatedEvents:
    """days: date, equity, net_flow, closed_positions, winning_positions of one trader (one row per day)."""
    rng = np.random.default_rng([seed, int(uid.removeprefix("SIM") or 0)])
    events = SimulatedEvents()
    symbols = list(SYMBOLS)
    for row in days.itertuples(index=False):
        closed = int(row.closed_positions or 0)
        wins = int(row.winning_positions or 0)
        equity = float(row.equity)
        for k in range(closed):
            symbol = symbols[int(rng.integers(0, len(symbols)))]
            side = "long" if rng.random() < 0.55 else "short"
            contracts = int(rng.integers(1, 40))
            size = float(CONTRACT_SIZE[symbol])
            entry = SYMBOLS[symbol] * float(np.exp(rng.normal(0, 0.05)))
            magnitude = max(0.0001, abs(rng.normal(0, 0.004)) * equity)
            pnl = magnitude if k < wins else -magnitude
            move = pnl / (contracts * size)
            exit_ = entry + (move if side == "long" else -move)
            if exit_ <= 0:
                exit_, pnl = entry, 0.0
            opened = _ms(row.date, int(rng.integers(0, 43200)))
            closed_at = opened + int(rng.integers(60, 43000)) * 1000
            pid = f"{uid}-{row.date:%Y%m%d}-{k}"
            events.positions.append(
                {
                    "id": pid,
                    "symbol": symbol,
                    "side": side,
                    "contracts": str(contracts),
                    "entryPrice": f"{entry:.4f}",
                    "info": {},
                    "realizedPnl": str(Decimal(repr(pnl)).quantize(CENT)),
                    "timestamp": opened,
                    "lastUpdateTimestamp": closed_at,
                }
            )
            for leg, (ts, price, buy) in enumerate(
                ((opened, entry, side == "long"), (closed_at, exit_, side != "long"))
            ):
                cost = contracts * size * price
                events.trades.append(
                    {
                        "id": f"{pid}-{leg}",
                        "order": f"{pid}-o{leg}",
                        "timestamp": ts,
                        "symbol": symbol,
                        "side": "buy" if buy else "sell",
                        "price": f"{price:.4f}",
                        "amount": str(contracts),
                        "cost": f"{cost:.6f}",
                        "fee": {"cost": f"{cost * 0.0005:.6f}", "currency": "USDT"},
                    }
                )
        flow = Decimal(row.net_flow)
        if flow != 0:
            events.ledger.append(
                {
                    "id": f"{uid}-{row.date:%Y%m%d}-flow",
                    "type": "deposit" if flow > 0 else "withdrawal",
                    "direction": "in" if flow > 0 else "out",
                    "amount": str(abs(flow)),
                    "currency": "USDT",
                    "timestamp": _ms(row.date, 60),  # flows at the start of the day
                    "info": {},
                }
            )
    return events
