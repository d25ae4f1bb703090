"""The standalone verifier re-implements the project's maths in plain Python (results/verify_results.py, one
section). These tests hold the two together on varied generated data: when the project's return method, metrics,
scoring or splits change, a test here fails, instead of the verifier silently disagreeing with published bundles.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leaderboard.metrics import BOUNDED, METRICS, metrics_arrays, metrics_bound
from leaderboard.scoring import FLAG_CODES, SCORABLE, TRADE_METRICS, rules_validate, rules_version, score_and_rank
from results import verify_results as v
from results.bundle import cell
from rewards import allocation
from rewards.content_scoring import content_scores
from traders.unit_value import derive_returns

SHANGHAI = ZoneInfo("Asia/Shanghai")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
COMPARED = [m for m in METRICS if m not in ("pnl", "beta")]  # pnl is summed in Decimal; beta is not scored


def _none(x):
    """A project value as published (leaderboard.metrics.db_value): None when undefined, never inf or NaN."""
    return None if x is None or not np.isfinite(x) else float(x)


def _matrix(seed: int, days: int, traders: int):
    """Returns with gaps, constant and one-day columns, zero days, big and small moves."""
    rng = np.random.default_rng(seed)
    r = rng.normal(rng.uniform(-0.01, 0.01), rng.uniform(0.001, 0.08), (days, traders))
    r[rng.random((days, traders)) < 0.15] = np.nan
    r[rng.random((days, traders)) < 0.05] = 0.0
    if traders > 1:
        r[:, 0] = 0.004  # constant: no spread
    if traders > 2:
        r[:, 1] = np.nan
        r[rng.integers(days), 1] = 0.02  # one day only
    closed = rng.integers(0, 4, (days, traders)).astype(float)
    closed[rng.random((days, traders)) < 0.1] = np.nan
    wins = np.minimum(closed, rng.integers(0, 4, (days, traders)))
    bench = rng.normal(0, 0.03, days)
    bench[rng.random(days) < 0.1] = np.nan
    return r, closed, wins, bench


def _step_days(r: np.ndarray, seed: int) -> np.ndarray:
    """Each return's step: the days since the trader's previous return (multi-day steps across the gaps), the first
    one reaching back 1 to 9 days; NaN where there is no return."""
    rng = np.random.default_rng(seed)
    steps = np.full(r.shape, np.nan)
    for j in range(r.shape[1]):
        last = -int(rng.integers(1, 10))
        for t in np.flatnonzero(~np.isnan(r[:, j])):
            steps[t, j] = t - last
            last = t
    return steps


@SETTINGS
@given(
    seed=st.integers(0, 2**32 - 1),
    days=st.integers(1, 60),
    traders=st.integers(1, 12),
    sparse=st.booleans(),
    coverage=st.fixed_dictionaries(
        {
            "min_coverage": st.sampled_from([0.0, 0.3, 0.5, 0.9]),
            "min_returns": st.integers(2, 8),
            "calmar_min_days": st.sampled_from([0, 5, 30, 60]),
            "calmar_min_drawdown": st.sampled_from([0.0, 0.01, 0.05]),
        }
    ),
)
def test_metrics_match_the_project(seed, days, traders, sparse, coverage):
    """Daily and sparse (multi-day steps) returns, annualised by calendar days, then bounded by the coverage rules."""
    r, closed, wins, bench = _matrix(seed, days, traders)
    if sparse:
        r[np.random.default_rng(seed + 1).random(r.shape) < 0.5] = np.nan
    steps = _step_days(r, seed)
    project = metrics_arrays(r, closed=closed, wins=wins, benchmark=bench, step_days=steps, window_days=days)
    metrics_bound(project, **coverage)
    for j in range(traders):
        ours = v.trader_metrics(
            [None if np.isnan(x) else float(x) for x in r[:, j]],
            closed=[None if np.isnan(x) else int(x) for x in closed[:, j]],
            wins=[None if np.isnan(x) else int(x) for x in wins[:, j]],
            benchmark=[None if np.isnan(x) else float(x) for x in bench],
            step_days=[None if np.isnan(x) else int(x) for x in steps[:, j]],
            window_days=days,
        )
        v.metrics_bound(ours, coverage)
        for metric in COMPARED:
            assert v.close(_none(project[metric][j]), ours[metric]), (metric, j, project[metric][j], ours[metric])


@SETTINGS
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 30),
    method=st.sampled_from(["blend", "metric", "lower", "trades_only"]),
)
def test_eligibility_scores_and_order_match_the_project(seed, n, method):
    rng = np.random.default_rng(seed)
    score = {
        "blend": {
            "method": "percentile_blend",
            "weights": {"roi": 0.4, "sharpe": 0.3, "max_drawdown": 0.2, "trades": 1},
        },
        "metric": {"method": "metric", "metric": "roi"},
        "lower": {"method": "metric", "metric": "volatility"},
        # Equity-only traders have no weight that counts for them: no score.
        "trades_only": {"method": "percentile_blend", "weights": {"win_rate": 1, "trades": 0.5}},
    }[method]
    rules = rules_validate({"score": score, "eligibility": {"min_equity": 500, "min_active_days": 2}})
    coarse = rng.integers(0, 3, n) / 10  # ties on purpose
    table = pd.DataFrame(
        {
            "trader_id": rng.permutation(np.arange(1, n + 1) * 7),
            "enrolled_at": [
                datetime(2026, 2, 13, tzinfo=UTC) + timedelta(minutes=int(m)) for m in rng.integers(0, 5, n)
            ],
            "approved": rng.random(n) < 0.85,
            "equity": np.where(rng.random(n) < 0.1, np.nan, rng.uniform(0, 5000, n)),
            "days": rng.integers(0, 4, n).astype(float),
            "roi": np.where(rng.random(n) < 0.1, np.nan, coarse),
            "sharpe": rng.normal(1, 1, n),
            "max_drawdown": -rng.integers(0, 3, n) / 10,
            "volatility": np.where(rng.random(n) < 0.1, np.nan, rng.uniform(0, 1, n)),
            "trades": rng.integers(0, 4, n).astype(float),
            "win_rate": np.where(rng.random(n) < 0.2, np.nan, rng.integers(0, 3, n) / 2),
            "active_days": rng.integers(0, 5, n).astype(float),
            "trade_data": rng.random(n) < 0.7,  # the others are equity-and-flows-only records
            "pnl": rng.integers(-2, 3, n).astype(float) * 100,
        }
    )
    table["flags"] = [[FLAG_CODES[k]] if rng.random() < 0.15 else [] for k in rng.integers(0, len(FLAG_CODES), n)]
    project = score_and_rank(table, rules)

    rows = []
    for rec in table.to_dict("records"):
        equity = _none(rec["equity"])
        rows.append(
            {
                **{
                    k: _none(rec[k])
                    for k in ["days", "roi", "sharpe", "max_drawdown", "volatility", "trades", "win_rate"]
                },
                "trade_data": bool(rec["trade_data"]),
                "active_days": float(rec["active_days"]),
                "pnl": float(rec["pnl"]),
                "approved": bool(rec["approved"]),
                "meets_equity_floor": equity is not None and equity >= rules["eligibility"]["min_equity"],
                "flags": rec["flags"],
                "enrolled_at": rec["enrolled_at"],
                "trader_id": int(rec["trader_id"]),
            }
        )
    reasons, eligible, scores = v.score_standings(rows, rules)
    assert reasons == [list(r) for r in project["reasons"]]
    assert eligible == list(project["eligible"])
    for ours, theirs in zip(scores, project["score"], strict=True):
        assert v.close(ours, _none(theirs))
    order = v.ranking_order(rows, [_none(s) for s in project["score"]], eligible, rules["score"])
    ranks = [None] * n
    for position, i in enumerate(order, start=1):
        ranks[i] = position
    assert ranks == [None if np.isnan(x) else int(x) for x in project["rank"]]


@SETTINGS
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(0, 15),
    tiers=st.lists(st.integers(0, 500_000), min_size=1, max_size=10),
    extra=st.integers(0, 100_000),
)
def test_tier_splits_match_the_project_to_the_cent(seed, n, tiers, extra):
    rng = np.random.default_rng(seed)
    tier_amounts = [Decimal(t) / 100 for t in tiers]
    total = sum(tier_amounts, Decimal(0)) + Decimal(extra) / 100
    scores = sorted((float(s) for s in rng.integers(0, 4, n)), reverse=True)
    project = allocation.split_tiers(total=total, keys=list(range(n)), scores=scores, tiers=tier_amounts)
    assert v.split_tiers(total, scores, tier_amounts) == [project.amounts[i] for i in range(n)]


@SETTINGS
@given(
    weights=st.lists(st.floats(0, 1000, allow_nan=False).map(lambda x: round(x, 6)), max_size=15),
    total=st.integers(0, 10**9),
    cap=st.one_of(st.none(), st.integers(1, 10**8)),
)
def test_proportional_splits_match_the_project_to_the_cent(weights, total, cap):
    total, cap = Decimal(total) / 100, None if cap is None else Decimal(cap) / 100
    project = allocation.split_proportional(total=total, keys=list(range(len(weights))), weights=weights, cap=cap)
    assert v.split_proportional(total, weights, cap) == [project.amounts[i] for i in range(len(weights))]


def _equity_history(seed: int, rows: int) -> pd.DataFrame:
    """One trader's equity rows with gaps (multi-day steps), deposits, large and total withdrawals, dust, zero
    equity, and the flows' weights known on some steps."""
    rng = np.random.default_rng(seed)
    equity = np.round(rng.uniform(0, 20_000, rows), 2)
    equity[rng.random(rows) < 0.05] = 0
    dust = rng.random(rows) < 0.08
    equity[dust] = np.round(rng.uniform(0, 2, rows), 2)[dust]
    flows = np.where(rng.random(rows) < 0.3, np.round(rng.normal(0, 5000, rows), 2), 0)
    # Large withdrawals: most or all of the previous equity leaves.
    out = rng.random(rows) < 0.15
    flows[1:][out[1:]] = -np.round(equity[:-1][out[1:]] * rng.choice([0.5, 0.9, 0.999, 1.0], out[1:].sum()), 2)
    weighted = [
        None if rng.random() < 0.6 else Decimal(repr(round(float(f) * float(rng.uniform(0, 1)), 2))) for f in flows
    ]
    gaps = rng.choice([1, 1, 1, 2, 3, 7, 14], rows)
    dates = [date(2026, 1, 1) + timedelta(days=int(d)) for d in np.cumsum(gaps)]
    return pd.DataFrame(
        {
            "trader_id": 1,
            "date": dates,
            "equity": [Decimal(repr(float(e))) for e in equity],
            "net_flow": [Decimal(repr(float(f))) for f in flows],
            "weighted_flow": weighted,
        }
    )


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), rows=st.integers(2, 40))
def test_step_returns_match_the_project(seed, rows):
    """Deposits and withdrawals are never profit: the verifier's step return from equity and flows is the
    project's, with gaps, large withdrawals, dust and known flow weights."""
    history = _equity_history(seed, rows)
    project = derive_returns(history)
    for t in range(1, rows):
        ours = v.step_return(
            history["equity"][t - 1], history["equity"][t], history["net_flow"][t], history["weighted_flow"][t]
        )
        assert v.close(ours, _none(project["daily_return"][t])), (t, ours, project["daily_return"][t])


def _stored(x: float) -> Decimal:
    return Decimal(repr(float(x))).quantize(Decimal("1e-16"))


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), rows=st.integers(2, 40), window_from=st.integers(0, 39))
def test_inputs_as_published_check_out_and_give_the_projects_window_returns(seed, rows, window_from):
    """The project's derived rows, written as inputs.csv writes them, pass the verifier's input check; the window's
    returns it keeps are those the ranking keeps (a step reaching back before the window is not the window's)."""
    project = derive_returns(_equity_history(seed, rows))
    start = project["date"][min(window_from, rows - 1)]
    days = [
        {
            "date": cell(row.date),
            "in_window": cell(row.date >= start),
            **{c: cell(getattr(row, c)) for c in ["equity", "net_flow", "weighted_flow"]},
            "step_days": cell(None if pd.isna(row.step_days) else int(row.step_days)),
            # Stored (and published) at 16 decimal places.
            "daily_return": cell(None if row.daily_return is None else _stored(row.daily_return)),
            "unit_value": cell(_stored(row.unit_value)),
        }
        for row in project.itertuples()
    ]
    kept = v._check_inputs("UID", days, first_day=start)
    for row in project.itertuples():
        if row.date < start:
            continue
        began = row.date - timedelta(days=int(row.step_days if not pd.isna(row.step_days) else 1))
        want = row.daily_return if began >= start - timedelta(days=1) else None
        assert v.close(kept[row.date.isoformat()][0], want), (row.date, kept[row.date.isoformat()], want)


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), traders=st.integers(1, 12))
def test_content_scores_match_the_project(seed, traders):
    rng = np.random.default_rng(seed)
    posts = []
    for trader in range(1, traders + 1):
        for _ in range(int(rng.integers(1, 6))):
            posts.append(
                {
                    "trader_id": trader,
                    "published_at": datetime(2026, 2, 13, tzinfo=UTC) + timedelta(hours=int(rng.integers(0, 96))),
                    "views": int(rng.integers(0, 3)) * 100,
                    "likes": int(rng.integers(0, 5)),
                    "comments": 0,
                    "shares": int(rng.integers(0, 2)),
                    "copy_volume": Decimal(int(rng.integers(0, 4)) * 250),
                    "followers_gained": 0,
                }
            )
    rules = {"weights": {"exposure": 0.5}} if seed % 2 else {}
    table = content_scores(pd.DataFrame(posts), zone=SHANGHAI, rules=rules)
    rows = [
        {
            "posts": int(r["posts"]),
            "days": int(r["days"]),
            "exposure": float(r["exposure"]),
            "engagement": float(r["engagement"]),
            "copy_volume": float(r["copy_volume"]),
        }
        for _, r in table.iterrows()
    ]
    eligible, scores = v.content_scores(rows, rules)
    assert eligible == list(table["eligible"])
    for ours, theirs, ok in zip(scores, table["score"], eligible, strict=True):
        assert v.close(ours, float(theirs) if ok else None)


def test_the_verifier_knows_the_projects_metric_directions_bounds_and_rules_version():
    assert v.SCORABLE == SCORABLE and v.TRADE_METRICS == TRADE_METRICS and v.BOUNDED == BOUNDED
    rules = rules_validate({"score": {"method": "metric", "metric": "sharpe"}})
    assert v.rules_version(rules) == rules_version(rules)
