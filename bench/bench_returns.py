"""Step returns of the public Hyperliquid vault histories: traders.unit_value.derive_returns (Modified Dietz
steps with the large-flow guard, exact in Decimal) beside the reference it replaced (flows at the start of the day,
one vectorised float pass), on the same rows in the same run.

    SHARED_DATA_DIR=/work/shared/data .venv/bin/python bench/bench_returns.py [--rounds 5]
"""

import argparse
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from leaderboard.vault_history import vault_days  # noqa: E402
from traders.unit_value import derive_returns  # noqa: E402


def reference(rows: pd.DataFrame) -> pd.DataFrame:
    """The method before issue 18: r = pnl / (E_prev + F), flows at the start of the day, floats."""
    frame = rows.sort_values(["trader_id", "date"], kind="mergesort").reset_index(drop=True)
    previous = frame.groupby("trader_id", sort=False)["equity"].shift(1)
    first = previous.isna().to_numpy()
    equity, flow = frame["equity"].to_numpy(dtype=object), frame["net_flow"].to_numpy(dtype=object)
    prev = previous.to_numpy(dtype=object)
    pnl = np.where(first, None, equity - np.where(first, Decimal(0), prev) - flow)
    capital = (previous.astype(float) + frame["net_flow"].astype(float)).to_numpy()
    pnl_float = pd.to_numeric(pd.Series(pnl), errors="coerce").to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ret = np.where(capital > 0, pnl_float / capital, np.nan)
    unit = pd.Series(1.0 + np.nan_to_num(ret)).groupby(frame["trader_id"].to_numpy(), sort=False).cumprod()
    return frame.assign(pnl=pnl, daily_return=ret, unit_value=unit.to_numpy())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    data = Path(os.environ.get("SHARED_DATA_DIR", "/work/shared/data"))
    days = vault_days(
        (data / "hyperliquid_vaults_alltime_account_value_history.csv").read_text().splitlines(),
        (data / "hyperliquid_vaults_alltime_pnl_history.csv").read_text().splitlines(),
    )
    ids: dict[str, int] = {}
    rows = pd.DataFrame(
        [
            {"trader_id": ids.setdefault(d.vault, len(ids)), "date": d.day, "equity": d.equity, "net_flow": d.net_flow}
            for d in days
        ]
    )
    variants = {"reference (flows at start, float)": reference, "ours (Modified Dietz steps, Decimal)": derive_returns}
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(args.rounds):  # alternate, so the load of a shared machine hits both alike
        for name, fn in variants.items():
            start = time.perf_counter()
            fn(rows)
            times[name].append(time.perf_counter() - start)
    print(f"{len(rows):,} rows, {len(ids)} vaults, {args.rounds} rounds, load {os.getloadavg()[0]:.1f}")
    print(f"{'variant':40} {'best s':>8} {'median s':>9} {'rows/s':>10}")
    for name, spent in times.items():
        best = min(spent)
        print(f"{name:40} {best:8.3f} {float(np.median(spent)):9.3f} {len(rows) / best:10,.0f}")


if __name__ == "__main__":
    main()
