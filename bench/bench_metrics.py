"""Benchmark: metrics, score and rank for N traders x 365 days, against (a) a per-trader quantstats loop and
(b) a minimal vectorised numpy pass, in the same run. Not a test.

    .venv/bin/python bench/bench_metrics.py                 # 10,000 and 100,000 traders
    .venv/bin/python bench/bench_metrics.py --sizes 2000    # a quick look

Each measurement runs in its own child process, so its peak memory (ru_maxrss) is its own; the data are generated
in the child from the same seed before the clock starts, and "peak" is the child's whole peak RSS including the
interpreter, the imports and the input matrices. The quantstats loop is timed on a sample of traders and
extrapolated linearly when the full population would take too long (the output says so).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from leaderboard import flags  # noqa: E402
from leaderboard.metrics import PERIODS_PER_YEAR, metrics_arrays  # noqa: E402
from leaderboard.scoring import rules_validate, score_and_rank  # noqa: E402

DAYS = 365
SEED = 20260212


def make_data(n: int, days: int = DAYS):
    """A seeded population: fat-tailed daily returns, 20% late starters (NaN before their first day), counts."""
    rng = np.random.default_rng(SEED)
    returns = rng.standard_t(4, size=(days, n))
    returns *= rng.uniform(0.005, 0.04, size=n)
    returns += rng.normal(0.0005, 0.001, size=n)
    np.clip(returns, -0.6, 1.5, out=returns)
    late = rng.random(n) < 0.2
    starts = np.where(late, rng.integers(0, days // 2, size=n), 0)
    returns[np.arange(days)[:, None] < starts[None, :]] = np.nan
    closed = rng.poisson(3.0, size=(days, n)).astype(float)
    wins = np.floor(closed * 0.55)
    bench = rng.normal(0.001, 0.03, size=days)
    equity = rng.lognormal(np.log(8000), 1.3, size=n)
    enrolled = pd.Timestamp("2026-02-13", tz="UTC") + pd.to_timedelta(rng.integers(0, 12 * 86400, size=n), unit="s")
    return returns, closed, wins, bench, equity, enrolled


def run_ours(returns, closed, wins, bench, equity, enrolled):
    """The production path: leaderboard.metrics then leaderboard.scoring (eligibility, score, rank)."""
    rules = rules_validate(None)
    m = metrics_arrays(returns, closed=closed, wins=wins, benchmark=bench)
    m["pnl"] = m["roi"] * equity
    n = returns.shape[1]
    table = pd.DataFrame(m)
    table["trader_id"] = np.arange(1, n + 1)
    table["approved"] = True
    table["enrolled_at"] = enrolled
    table["equity"] = equity
    table["flags"] = [[]] * n
    ranked = score_and_rank(table, rules)
    return int(ranked["eligible"].sum())


def run_ours_with_flags(returns, closed, wins, bench, equity, enrolled):
    """The same plus the anti-gaming pass the service adds: the mirror correlation over the top candidates."""
    run_ours(returns, closed, wins, bench, equity, enrolled)
    cfg = rules_validate(None)["flags"]["mirror"]
    roi = np.nan_to_num(np.nanprod(1.0 + returns, axis=0) - 1.0, nan=-np.inf)
    candidates = np.argsort(-roi, kind="stable")[: cfg["max_candidates"]]
    flags.mirror_pairs(
        returns, candidates=candidates, min_correlation=cfg["min_correlation"], min_overlap_days=cfg["min_overlap_days"]
    )


def run_numpy_minimal(returns, closed, wins, bench, equity, enrolled):
    """(b) One vectorised pass: cumulative return, running peak, mean and std. The practical lower bound."""
    r = np.nan_to_num(returns, nan=0.0)
    unit = np.cumprod(1.0 + r, axis=0)
    peak = np.maximum.accumulate(unit, axis=0)
    drawdown = (unit / peak).min(axis=0) - 1.0
    mean = r.mean(axis=0)
    std = r.std(axis=0, ddof=1)
    return float(unit[-1].sum() + drawdown.sum() + mean.sum() + std.sum())


def _quantstats_one(series: pd.Series, bench: pd.Series) -> dict:
    import quantstats as qs

    return {
        "roi": qs.stats.comp(series),
        "max_drawdown": qs.stats.max_drawdown(series),
        "volatility": qs.stats.volatility(series, periods=PERIODS_PER_YEAR),
        "sharpe": qs.stats.sharpe(series, periods=PERIODS_PER_YEAR),
        "sortino": qs.stats.sortino(series, periods=PERIODS_PER_YEAR),
        "cagr": qs.stats.cagr(series, periods=PERIODS_PER_YEAR),
        "calmar": qs.stats.calmar(series, periods=PERIODS_PER_YEAR),
        "profit_factor": qs.stats.profit_factor(series),
        "beta": qs.stats.greeks(series, bench.reindex(series.index), periods=PERIODS_PER_YEAR)["beta"],
    }


def run_quantstats_loop(returns, closed, wins, bench, equity, enrolled, *, sample: int | None = None):
    """(a) As a team would first write it: one quantstats call per metric per trader, then pandas ranks."""
    n = returns.shape[1]
    count = n if sample is None else min(sample, n)
    index = pd.date_range("2025-01-01", periods=returns.shape[0], freq="D")
    bench_series = pd.Series(bench, index=index)
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for j in range(count):
            series = pd.Series(returns[:, j], index=index).dropna()
            row = _quantstats_one(series, bench_series)
            trades = closed[:, j].sum()
            row["win_rate"] = wins[:, j].sum() / trades if trades else np.nan
            rows.append(row)
    table = pd.DataFrame(rows)
    weights = {"roi": 0.4, "sharpe": 0.3, "max_drawdown": 0.2, "win_rate": 0.1}
    score = sum(w * table[k].rank(pct=True) for k, w in weights.items())
    table["rank"] = score.rank(ascending=False, method="first")
    return count


VARIANTS = {
    "ours": run_ours,
    "ours+flags": run_ours_with_flags,
    "numpy": run_numpy_minimal,
    "quantstats": run_quantstats_loop,
}


def child(variant: str, n: int, sample: int | None) -> dict:
    data = make_data(n)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    if variant == "quantstats":
        done = run_quantstats_loop(*data, sample=sample)
    else:
        VARIANTS[variant](*data)
        done = n
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "variant": variant,
        "traders": n,
        "measured_traders": done,
        "seconds": seconds,
        "seconds_full": seconds * n / done,
        "extrapolated": done < n,
        "peak_rss_mb": peak / 1024,
        "data_rss_mb": before / 1024,
    }


def measure(variant: str, n: int, sample: int | None = None) -> dict:
    cmd = [sys.executable, __file__, "--child", variant, "--sizes", str(n)]
    cmd += ["--sample", str(sample or 0)]  # 0: every trader
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated trader counts")
    parser.add_argument(
        "--full-loop-up-to", type=int, default=10000, help="run the quantstats loop over every trader up to this size"
    )
    parser.add_argument("--sample", type=int, default=1000, help="traders timed in the quantstats loop above that")
    parser.add_argument("--child", choices=list(VARIANTS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.child:
        print(json.dumps(child(args.child, sizes[0], args.sample or None)))
        return

    print(f"{os.cpu_count()} CPUs, numpy {np.__version__}, pandas {pd.__version__}, {DAYS} days")
    header = f"{'traders':>8} {'variant':<12} {'wall s':>9} {'peak RSS MB':>12} {'inputs MB':>10}  note"
    print(header)
    for n in sizes:
        sample = None if n <= args.full_loop_up_to else args.sample
        results = {v: measure(v, n, sample if v == "quantstats" else None) for v in VARIANTS}
        for v, res in results.items():
            note = f"extrapolated from {res['measured_traders']} traders" if res["extrapolated"] else ""
            print(
                f"{n:>8} {v:<12} {res['seconds_full']:>9.2f} {res['peak_rss_mb']:>12.0f} {res['data_rss_mb']:>10.0f}  "
                f"{note}"
            )
        ours, numpy_, qs_ = (results[v]["seconds_full"] for v in ("ours", "numpy", "quantstats"))
        print(f"{n:>8} ours vs quantstats loop: {qs_ / ours:.0f}x faster; ours vs minimal numpy: {ours / numpy_:.2f}x")


if __name__ == "__main__":
    main()
