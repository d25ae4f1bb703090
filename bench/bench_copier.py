"""Benchmark: the copier's maths (confidence, bootstrap interval, copier outcome, trading style) for N traders x 365
days, side by side with today's ranking (metrics, score, rank) in the same run. Not a test.

    .venv/bin/python bench/bench_copier.py                  # 10,000 and 100,000 traders
    .venv/bin/python bench/bench_copier.py --sizes 2000     # a quick look

Variants (each in its own child process, data generated from bench_metrics' seed before the clock starts; "peak" is
the child's whole peak RSS):
    ours            leaderboard.metrics + scoring: today's ranking, the reference
    ours+confidence the same plus psr, dsr, min track record, the status badge and capacity: every new metric but
                    the bootstrap and the copier outcome
    bootstrap       the 90% stationary-bootstrap ROI interval (1,000 resamples)
    copier-weekly   the copier outcome with Gate's weekly settlement (the default)
    copier-daily    the copier outcome settled daily (the slowest schedule)
    style           trading style of 100 closed positions per trader plus the symbol mix of as many fills
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_metrics import SEED, make_data, run_ours  # noqa: E402

from leaderboard import capacity, confidence, copier_outcome, trading_style  # noqa: E402

DAYS = pd.date_range("2025-01-01", periods=365, freq="D")


def _turnover(n: int) -> np.ndarray:
    rng = np.random.default_rng(SEED + 1)
    return rng.gamma(0.8, 1.5, size=(len(DAYS), n))


def run_confidence(data, extra):
    run_ours(*data)
    returns, equity = data[0], data[4]
    c = confidence.confidence_arrays(returns)
    confidence.track_record_status(c["days"], c["min_track_record_days"], sharpe=c["sharpe_daily"])
    n = returns.shape[1]
    capacity.capacity_arrays(
        own_capital=equity * 0.1,
        aum=equity,
        copiers=np.full(n, 40.0),
        copiers_max=np.full(n, 100.0),
        lead_since=np.full(n, np.datetime64("2025-03-01")),
        as_of=np.datetime64("2026-01-01"),
    )


def run_bootstrap(data, extra):
    confidence.roi_interval_arrays(data[0])


def run_copier(schedule: str):
    def run(data, extra):
        settle = copier_outcome.settlement_days(DAYS, schedule=schedule, zone="Asia/Shanghai")
        copier_outcome.copier_outcome_arrays(data[0], turnover=extra, settle=settle)

    return run


def _positions(n: int, per_trader: int = 100) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(SEED + 2)
    rows = n * per_trader
    opened = pd.Timestamp("2025-06-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 180 * 86400, rows), unit="s")
    positions = pd.DataFrame(
        {
            "trader_id": np.repeat(np.arange(n), per_trader),
            "symbol": rng.choice(["BTC", "ETH", "SOL", "XRP", "DOGE", "BNB", "ADA", "LINK"], size=rows),
            "side": rng.choice(["long", "short"], size=rows),
            "amount": rng.uniform(0.1, 5, rows),
            "entry_price": rng.uniform(1, 1000, rows),
            "realized_pnl": [Decimal(f"{x:.2f}") for x in rng.normal(0, 50, rows)],
            "opened_at": opened,
            "closed_at": opened + pd.to_timedelta(rng.integers(60, 7 * 86400, rows), unit="s"),
            "leverage": np.where(rng.random(rows) < 0.5, rng.integers(1, 50, rows), np.nan),
        }
    )
    fills = positions[["trader_id", "symbol"]].assign(cost=positions["amount"] * positions["entry_price"])
    return positions, fills


def run_style(data, extra):
    positions, fills = extra
    trading_style.position_style(positions, window_days=180)
    trading_style.symbol_mix(fills)


VARIANTS = {
    "ours": lambda data, extra: run_ours(*data),
    "ours+confidence": run_confidence,
    "bootstrap": run_bootstrap,
    "copier-weekly": run_copier("weekly"),
    "copier-daily": run_copier("daily"),
    "style": run_style,
}


def child(variant: str, n: int) -> dict:
    data = make_data(n)
    extra = _turnover(n) if variant.startswith("copier") else _positions(n) if variant == "style" else None
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    VARIANTS[variant](data, extra)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "variant": variant,
        "traders": n,
        "seconds": seconds,
        "peak_rss_mb": peak / 1024,
        "data_rss_mb": before / 1024,
    }


def measure(variant: str, n: int) -> dict:
    cmd = [sys.executable, __file__, "--child", variant, "--sizes", str(n)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated trader counts")
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated variants")
    parser.add_argument("--child", choices=list(VARIANTS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.child:
        print(json.dumps(child(args.child, sizes[0])))
        return
    print(f"{os.cpu_count()} CPUs, numpy {np.__version__}, pandas {pd.__version__}, {len(DAYS)} days")
    print(f"{'traders':>8} {'variant':<16} {'wall s':>8} {'peak RSS MB':>12} {'inputs MB':>10}")
    for n in sizes:
        results = {}
        for v in args.variants.split(","):
            res = results[v] = measure(v, n)
            line = f"{n:>8} {v:<16} {res['seconds']:>8.2f} {res['peak_rss_mb']:>12.0f} {res['data_rss_mb']:>10.0f}"
            print(line, flush=True)
        if "ours" in results and "ours+confidence" in results:
            ratio = results["ours+confidence"]["seconds"] / results["ours"]["seconds"]
            print(f"{n:>8} ours+confidence / ours: {ratio:.2f}x")


if __name__ == "__main__":
    main()
