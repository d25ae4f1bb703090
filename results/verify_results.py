#!/usr/bin/env python3
"""Check a Starboard results bundle yourself: Python 3.10+ and this file, nothing else (standard library only).

    python verify_results.py BUNDLE                 recompute the standings and the payout amounts
    python verify_results.py --chain BUNDLE ...     check the files' hashes and the chain, oldest bundle first
    python verify_results.py --chain --expect SHA256 BUNDLE    ... and that the bundle is the one a page showed

BUNDLE is the unpacked folder or the downloaded .zip. The first form prints "matches" (exit 0) or the first
difference it finds (exit 1); the second prints "chain ok" or what was changed or removed. The schema, the rules
this file re-implements and the tolerance are documented in docs/results.md of the Starboard repository.

Money is compared exactly (Decimal, largest-remainder cents). Floats (returns, metrics, scores) are compared with
TOLERANCE, relative to the larger value (absolute below 1); where a recomputed float matches, the published value
is carried on, so float noise never moves a cent or a rank.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import sys
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal, localcontext
from fractions import Fraction
from pathlib import Path

SCHEMA = "starboard-results/2"  # 2: step returns (Modified Dietz, multi-day steps), coverage, trade data
TOLERANCE = 1e-9
MANIFEST = "manifest.json"


class Difference(Exception):
    """The first place where the bundle and the recomputation disagree."""


# --- reading a bundle ---------------------------------------------------------------------------------------------


def bundle_files(path: str | Path) -> dict[str, bytes]:
    """{file name: bytes} of an unpacked bundle folder or a bundle .zip (its files may sit in one folder)."""
    path = Path(path)
    if path.is_dir():
        return {p.name: p.read_bytes() for p in sorted(path.iterdir()) if p.is_file()}
    with zipfile.ZipFile(path) as archive:
        return {Path(n).name: archive.read(n) for n in archive.namelist() if not n.endswith("/")}


def _json(files: dict[str, bytes], name: str) -> dict:
    if name not in files:
        raise Difference(f"{name} is missing from the bundle")
    return json.loads(files[name].decode("utf-8"))


def _csv(files: dict[str, bytes], name: str) -> list[dict]:
    if name not in files:
        raise Difference(f"{name} is missing from the bundle")
    return list(csv.DictReader(io.StringIO(files[name].decode("utf-8"), newline="")))


def _float(text: str) -> float | None:
    return None if text in ("", None) else float(text)


def _int(text: str) -> int | None:
    return None if text in ("", None) else int(text)


def _codes(text: str) -> list[str]:
    return [c for c in (text or "").split(";") if c]


# --- the project's maths, re-implemented (keep in step with traders/unit_value.py, metrics.py, scoring.py and
# --- rewards/allocation.py, content_scoring.py; tests/test_results_verifier_parity.py compares them) -------------

PERIODS_PER_YEAR = 365
SCORABLE = {
    "roi": True,
    "pnl": True,
    "max_drawdown": True,
    "volatility": False,
    "sharpe": True,
    "sortino": True,
    "calmar": True,
    "cagr": True,
    "win_rate": True,
    "profit_factor": True,
    "excess_return_vs_btc": True,
    "active_days": True,
    "trades": True,
    # Issue 13's decision figures: taken as published (DECISION_METRICS), scored and floored like the others.
    "psr": True,
    "dsr": True,
    "min_track_record_days": False,
    "roi_ci_low": True,
    "roi_ci_high": True,
    "copier_roi_median": True,
    "copier_roi_p10": True,
    "copier_roi_p90": True,
    "copier_loss_share": False,
    "skin_in_game": True,
}
# Figures the ranking computes with a seeded bootstrap, the fills and reported capacity: standings.csv publishes them
# and the verifier takes them as published (it checks how the rules use them, not how they were computed).
DECISION_METRICS = [
    m
    for m in SCORABLE
    if m
    not in {
        "roi",
        "pnl",
        "max_drawdown",
        "volatility",
        "sharpe",
        "sortino",
        "calmar",
        "cagr",
        "win_rate",
        "profit_factor",
        "excess_return_vs_btc",
        "active_days",
        "trades",
    }
]
TRADE_METRICS = {"win_rate", "trades"}  # left out of the score of a trader whose data has no trade records
CONTENT_INPUTS = ["exposure", "engagement", "copy_volume"]
# The metrics standings.csv publishes per trader, compared with the recomputed ones.
PUBLISHED_METRICS = [
    "days",
    "span_days",
    "coverage",
    "roi",
    "max_drawdown",
    "sharpe",
    "sortino",
    "volatility",
    "cagr",
    "calmar",
    "profit_factor",
    "excess_return_vs_btc",
    "win_rate",
    "trades",
    "active_days",
]
LARGE_FLOW = Decimal("0.25")  # |flow| / opening equity from which the large-flow guard applies
MIN_CAPITAL = Decimal("1")  # USDT at work below which a step has no return (dust)
# Which ratios the rules' coverage section empties, and why (the first reason that applies wins).
BOUNDED = {
    "volatility": ["too_few_returns", "low_coverage"],
    "sharpe": ["too_few_returns", "low_coverage"],
    "sortino": ["too_few_returns", "low_coverage"],
    "cagr": ["low_coverage", "short_window"],
    "calmar": ["low_coverage", "short_window", "tiny_drawdown"],
}


def step_return(opening: Decimal, equity: Decimal, flow: Decimal, weighted_flow: Decimal | None = None) -> float | None:
    """One step's return (Modified Dietz, exact in Decimal): pnl = E1 - E0 - F over the capital at work,
    E0 + weighted_flow (F / 2 when the flows' times are unknown); when |F| >= 25% of E0 (or E0 is 0) the largest of
    that, E0, E0 + F and -F; at least -1; None below 1 USDT of capital."""
    pnl = equity - opening - flow
    capital = opening + (flow * Decimal("0.5") if weighted_flow is None else weighted_flow)
    if opening <= 0 or abs(flow) >= LARGE_FLOW * opening:
        capital = max(capital, opening, opening + flow, -flow)
    if capital < MIN_CAPITAL:
        return None
    with localcontext() as ctx:
        ctx.prec = 34
        return float(max(pnl / capital, Decimal(-1)))


def _finite(x: float | None) -> float | None:
    """A value as published: None when undefined (never inf or NaN)."""
    return x if x is not None and math.isfinite(x) else None


def _power(base: float, exponent: float) -> float:
    try:
        return base**exponent
    except OverflowError:
        return math.inf


def trader_metrics(
    returns: list[float | None],
    *,
    closed: list[int | None],
    wins: list[int | None],
    benchmark: list[float | None] | None,
    step_days: list[int | None] | None = None,
    window_days: int | None = None,
) -> dict[str, float | None]:
    """The metrics of one trader from the window's step returns (None = no return that day), each on the day its
    step ends and `step_days` long (None: 1); annualised by calendar days. Undefined values are None."""
    steps = step_days if step_days is not None else [None] * len(returns)
    present = [r for r in returns if r is not None]
    n = len(present)
    span = float(sum(d if d is not None else 1 for r, d in zip(returns, steps, strict=True) if r is not None))
    out: dict[str, float | None] = {"days": float(n), "span_days": span}
    out["coverage"] = span / window_days if window_days else None
    mean = sum(present) / n if n else 0.0
    losses = sum(min(r, 0.0) for r in present)
    downside = math.sqrt(sum(min(r, 0.0) ** 2 for r in present) / n) if n else 0.0
    std: float | None = None
    if n >= 2:
        std = 0.0 if max(present) == min(present) else math.sqrt(sum((r - mean) ** 2 for r in present) / (n - 1))
    annual = math.sqrt(PERIODS_PER_YEAR * n / span) if n else math.nan  # returns a year: 365 / the mean step
    out["volatility"] = None if std is None else _finite(std * annual)
    out["sharpe"] = _finite(mean / std * annual) if std else None
    out["sortino"] = _finite(mean / downside * annual) if downside else None
    out["profit_factor"] = _finite((sum(present) - losses) / -losses) if losses < 0 else None
    unit, peak, trough = 1.0, 1.0, 1.0
    for r in returns:
        unit *= 1.0 + (r if r is not None else 0.0)
        peak = max(peak, unit)
        trough = min(trough, unit / peak)
    roi = unit - 1.0 if n else None
    drawdown = min(trough - 1.0, 0.0) if n else None
    out["roi"], out["max_drawdown"] = _finite(roi), _finite(drawdown)
    cagr = _power(max(1.0 + roi, 0.0), PERIODS_PER_YEAR / span) - 1.0 if roi is not None else None
    out["cagr"] = _finite(cagr)
    calmar = cagr / abs(drawdown) if cagr is not None and drawdown is not None and drawdown < 0 else None
    out["calmar"] = _finite(calmar)
    btc = None
    if benchmark is not None and n:
        growth = sum(
            math.log1p(b if b is not None else 0.0) for b, r in zip(benchmark, returns, strict=True) if r is not None
        )
        btc = math.expm1(growth)
    out["btc_return"] = _finite(btc)
    out["excess_return_vs_btc"] = None if btc is None or roi is None else _finite(roi - btc)
    trades = float(sum(c or 0 for c in closed))
    out["trades"] = trades
    out["win_rate"] = sum(w or 0 for w in wins) / trades if trades > 0 else None
    out["active_days"] = float(
        sum(1 for r, c in zip(returns, closed, strict=True) if (r is not None and r != 0) or (c is not None and c > 0))
    )
    return out


def metrics_bound(m: dict[str, float | None], coverage_rules: dict | None) -> dict[str, str]:
    """Empty (in place) the ratios the data cannot support under the rules' coverage section; {metric: reason}.
    Rules without the section (runs before it existed) bound nothing."""
    if not coverage_rules:
        return {}
    coverage = m["coverage"]
    tests = {
        "too_few_returns": (m["days"] or 0) < coverage_rules["min_returns"],
        "low_coverage": (1.0 if coverage is None else coverage) < coverage_rules["min_coverage"],
        "short_window": (m["span_days"] or 0) < coverage_rules["calmar_min_days"],
        "tiny_drawdown": abs(m["max_drawdown"] or 0.0) < coverage_rules["calmar_min_drawdown"],
    }
    reasons = {}
    for metric, codes in BOUNDED.items():
        why = next((code for code in codes if tests[code]), None)
        if why is not None and m[metric] is not None:
            reasons[metric], m[metric] = why, None
    return reasons


def percentile_ranks(values: list, *, among: list[bool], higher_is_better: bool = True) -> list[float]:
    """pandas' rank(method="average", pct=True) among the chosen values (None = missing); 0 when not ranked."""
    chosen = sorted((v if higher_is_better else -v, i) for i, v in enumerate(values) if among[i] and v is not None)
    out = [0.0] * len(values)
    start = 0
    while start < len(chosen):
        end = start
        while end + 1 < len(chosen) and chosen[end + 1][0] == chosen[start][0]:
            end += 1
        average = (start + 1 + end + 1) / 2
        for k in range(start, end + 1):
            out[chosen[k][1]] = average / len(chosen)
        start = end + 1
    return out


def eligibility_reasons(row: dict, floors: dict) -> list[str]:
    """Why a trader may not be ranked (leaderboard.scoring's codes, in its order); [] when eligible."""
    if row["days"] == 0:
        reasons = ["no_data"]
        if floors["require_approved_enrolment"] and not row["approved"]:
            reasons.append("enrolment_not_approved")
    else:
        reasons = []
        if floors["require_approved_enrolment"] and not row["approved"]:
            reasons.append("enrolment_not_approved")
        if not row["meets_equity_floor"]:
            reasons.append("equity_below_floor")
        if not (row["trades"] or 0) >= floors["min_trades"]:
            reasons.append("too_few_trades")
        if not (row["active_days"] or 0) >= floors["min_active_days"]:
            reasons.append("too_few_active_days")
        for metric, floor in (floors.get("metric_floors") or {}).items():
            value = row.get(metric)
            passes = (
                value is not None and not math.isnan(value) and (value >= floor if SCORABLE[metric] else value <= floor)
            )
            if not passes:
                reasons.append("below_metric_floor")
    if set(floors["exclude_flags"]).intersection(row["flags"]):
        reasons.append("flagged")
    return reasons


def blend_scores(rows: list[dict], score_rules: dict, eligible: list[bool]) -> list[float | None]:
    """Each trader's score: 100 * sum(w * percentile) / sum(w), or the one metric's value. A trader whose data has
    no trade records (row["trade_data"] false) is scored without the trade metrics' weights, and ranked in those
    metrics only among the traders that have them."""
    if score_rules["method"] == "metric":
        metric = score_rules["metric"]
        return [_finite(row[metric]) if ok else None for row, ok in zip(rows, eligible, strict=True)]
    totals = [0.0] * len(rows)
    weight_sums = [0.0] * len(rows)
    for metric, weight in score_rules["weights"].items():
        counts = [metric not in TRADE_METRICS or row.get("trade_data", True) for row in rows]
        among = [ok and c for ok, c in zip(eligible, counts, strict=True)]
        pct = percentile_ranks([r[metric] for r in rows], among=among, higher_is_better=SCORABLE[metric])
        for i, (p, c) in enumerate(zip(pct, counts, strict=True)):
            if c:
                totals[i] += weight * p
                weight_sums[i] += weight
    return [100.0 * t / w if ok and w > 0 else None for t, w, ok in zip(totals, weight_sums, eligible, strict=True)]


def score_standings(rows: list[dict], rules: dict) -> tuple[list[list[str]], list[bool], list[float | None]]:
    """(ineligible reasons, eligible, score) of every trader, as leaderboard.scoring.score_and_rank gives them: an
    eligible trader without a score (no value of the metric, or no weight that counts for them) is "no_score"."""
    reasons = [eligibility_reasons(row, rules["eligibility"]) for row in rows]
    eligible = [not r for r in reasons]
    scores = blend_scores(rows, rules["score"], eligible)
    for i, score in enumerate(scores):
        if eligible[i] and score is None:
            reasons[i].append("no_score")
            eligible[i] = False
    return reasons, eligible, scores


def content_scores(rows: list[dict], pool_rules: dict) -> tuple[list[bool], list]:
    """Content pool: eligible when posts and distinct days reach the floors; score = sum of weight x percentile
    rank among the eligible of exposure, engagement and copy volume, rounded to 6 decimals (None if ineligible)."""
    floors = {"min_quality_posts": 3, "min_distinct_days": 2, **pool_rules}
    weights = {"exposure": 0.3, "engagement": 0.3, "copy_volume": 0.4, **pool_rules.get("weights", {})}
    eligible = [
        r["posts"] >= int(floors["min_quality_posts"]) and r["days"] >= int(floors["min_distinct_days"]) for r in rows
    ]
    scores = [0.0] * len(rows)
    for column in CONTENT_INPUTS:
        pct = percentile_ranks([r[column] for r in rows], among=eligible)
        scores = [score + float(weights[column]) * p for score, p in zip(scores, pct, strict=True)]
    return eligible, [round(score, 6) if ok else None for score, ok in zip(scores, eligible, strict=True)]


def ranking_order(rows: list[dict], scores: list[float | None], eligible: list[bool], score_rules: dict) -> list[int]:
    """Indexes of the eligible traders (each has a score), best first: score (by the metric's direction), then
    higher pnl, then earlier enrolment, then lower trader id (leaderboard.scoring.TIE_BREAKS)."""
    direction = 1.0 if score_rules["method"] == "percentile_blend" or SCORABLE[score_rules["metric"]] else -1.0
    ranked = [(i, score) for i, score in enumerate(scores) if eligible[i] and score is not None]
    ranked.sort(
        key=lambda item: (
            -direction * item[1],
            -rows[item[0]]["pnl"],
            rows[item[0]]["enrolled_at"],
            rows[item[0]]["trader_id"],
        )
    )
    return [i for i, _ in ranked]


def _units(amount: Decimal, unit: Decimal) -> int:
    units = Decimal(amount) / unit
    if units != units.to_integral_value() or units < 0:
        raise Difference(f"{amount} is not a whole, non-negative number of {unit}")
    return int(units)


def _largest_remainder(shares: list[Fraction], units: int) -> list[int]:
    floors = [int(s) for s in shares]
    order = sorted(range(len(shares)), key=lambda i: (-(shares[i] - floors[i]), i))
    for i in order[: units - sum(floors)]:
        floors[i] += 1
    return floors


def split_tiers(total: Decimal, scores: list, tiers: list[Decimal], unit: Decimal = Decimal("0.01")) -> list:
    """Tier table by position (input in rank order); equal scores share the tiers they cover, cents to the earlier."""
    tier_units = [_units(t, unit) for t in tiers]
    if sum(tier_units) > _units(total, unit):
        raise Difference(f"the tier table ({sum(tiers)}) exceeds the pool ({total})")
    result = [0] * len(scores)
    position = 0
    while position < len(scores) and position < len(tier_units):
        end = position + 1
        while end < len(scores) and scores[end] == scores[position]:
            end += 1
        group = sum(tier_units[position:end])
        shares = _largest_remainder([Fraction(group, end - position)] * (end - position), group)
        result[position:end] = shares
        position = end
    return [unit * u for u in result]


def split_proportional(total: Decimal, weights: list, cap: Decimal | None, unit: Decimal = Decimal("0.01")) -> list:
    """Proportional split with an optional per-trader cap whose excess goes to the others (water filling)."""
    fractions = [Fraction(Decimal(str(w))) for w in weights]
    cap_units = None if cap is None else _units(cap, unit)
    result = [0] * len(weights)
    active = [i for i, w in enumerate(fractions) if w > 0]
    remaining = _units(total, unit)
    while active:
        weight_sum = sum(fractions[i] for i in active)
        shares = {i: remaining * fractions[i] / weight_sum for i in active}
        over = [i for i in active if cap_units is not None and shares[i] > cap_units]
        if cap_units is None or not over:
            for i, units in zip(active, _largest_remainder([shares[i] for i in active], remaining), strict=True):
                result[i] = units
            break
        for i in over:
            result[i] = cap_units
        remaining -= cap_units * len(over)
        active = [i for i in active if i not in over]
    return [unit * u for u in result]


# --- comparing ------------------------------------------------------------------------------------------------------


def close(a: float | None, b: float | None) -> bool:
    """Equal within TOLERANCE (relative to the larger value, absolute below 1); both missing counts as equal."""
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= TOLERANCE * max(1.0, abs(a), abs(b))


def _expect_close(what: str, published, recomputed) -> None:
    if not close(published, recomputed):
        raise Difference(f"{what}: the bundle says {published}, recomputed {recomputed}")


def _expect_equal(what: str, published, recomputed) -> None:
    if published != recomputed:
        raise Difference(f"{what}: the bundle says {published}, recomputed {recomputed}")


# --- recomputing each kind of pool ----------------------------------------------------------------------------------


def rules_version(rules: dict) -> str:
    digest = hashlib.sha256(json.dumps(rules, sort_keys=True, default=str).encode()).hexdigest()[:8]
    return f"{rules['version']}+{digest}"


def _daily_inputs(files, standings) -> dict[str, list[dict]]:
    by_trader: dict[str, list[dict]] = {row["trader_id"]: [] for row in standings}
    for row in _csv(files, "inputs.csv"):
        if row["trader_id"] not in by_trader:
            raise Difference(f"inputs.csv: trader_id {row['trader_id']} has no row in standings.csv")
        by_trader[row["trader_id"]].append(row)
    return by_trader


def _scored(score: float | None) -> float:
    """The published score of a trader the recomputation ranks (equal to the recomputed one, so never missing)."""
    if score is None:
        raise Difference("standings.csv: a ranked trader has no score")
    return score


def _decimal(text: str | None) -> Decimal | None:
    return None if text in ("", None) else Decimal(text)


def _check_inputs(trader: str, days: list[dict], *, first_day: date) -> dict[str, tuple[float | None, int | None]]:
    """Each row's step reaches back to the trader's previous row, its return follows from equity and flows (where
    published) and the unit value from the returns. Returns {date: (return, step_days)} of the window's rows; the
    return of a step that began before the window (a sparse sample reaching back) is not the window's: None."""
    window: dict[str, tuple[float | None, int | None]] = {}
    previous: dict | None = None
    for day in days:
        where = f"inputs.csv trader {trader} {day['date']}"
        ret = _float(day["daily_return"])
        step = _int(day["step_days"])
        if previous is not None:
            if step is not None and date.fromisoformat(day["date"]) - timedelta(days=step) != date.fromisoformat(
                previous["date"]
            ):
                raise Difference(f"{where} step_days: {step} days back is not the previous row ({previous['date']})")
            if day["equity"] and previous["equity"]:
                recomputed = step_return(
                    Decimal(previous["equity"]),
                    Decimal(day["equity"]),
                    Decimal(day["net_flow"] or 0),
                    _decimal(day["weighted_flow"]),
                )
                _expect_close(f"{where} daily_return (from equity and net_flow)", ret, recomputed)
            if day["unit_value"] and previous["unit_value"]:
                unit = max(float(previous["unit_value"]) * (1.0 + (ret or 0.0)), 0.0)
                _expect_close(f"{where} unit_value", float(day["unit_value"]), unit)
        if day["in_window"] == "1":
            began = date.fromisoformat(day["date"]) - timedelta(days=step or 1)
            window[day["date"]] = (ret if began >= first_day - timedelta(days=1) else None, step)
        previous = day
    return window


def _recompute_leaderboard(files, manifest, rules) -> None:
    ranking = rules["ranking"]
    _expect_equal("rules.json ranking rule_version", ranking["rule_version"], rules_version(ranking["rules"]))
    floors = ranking["rules"]["eligibility"]
    standings = _csv(files, "standings.csv")
    by_trader = _daily_inputs(files, standings)
    window = ranking["window_dates"]
    bench_rows = {r["date"]: _float(r["btc_return"]) for r in _csv(files, "benchmark.csv")}
    benchmark = [bench_rows.get(d) for d in window] if bench_rows else None
    rows = []
    for s in standings:
        days = sorted(by_trader[s["trader_id"]], key=lambda d: d["date"])
        steps = _check_inputs(s["trader"], days, first_day=date.fromisoformat(window[0]))
        in_window = {d["date"]: d for d in days if d["in_window"] == "1"}
        m = trader_metrics(
            [steps[d][0] if d in steps else None for d in window],
            closed=[_int(in_window[d]["closed_positions"]) if d in in_window else None for d in window],
            wins=[_int(in_window[d]["winning_positions"]) if d in in_window else None for d in window],
            benchmark=benchmark,
            step_days=[steps[d][1] if d in steps else None for d in window],
            window_days=len(window),
        )
        metrics_bound(m, ranking["rules"].get("coverage"))
        where = f"standings.csv trader {s['trader']}"
        recorded = _int(s["closed_positions_recorded"]) or 0
        if m["trades"] == 0 and recorded > 0:  # closed positions stored as rows count when the days carry none
            m["trades"] = float(recorded)
            m["win_rate"] = (_int(s["winning_positions_recorded"]) or 0) / recorded
        trade_data = s["trade_data"] != "0"
        if not trade_data and (recorded or any(d["closed_positions"] for d in in_window.values())):
            raise Difference(f"{where} trade_data: the bundle says 0, but it publishes closed positions")
        pnl = sum((Decimal(d["pnl"]) for d in in_window.values() if d["pnl"]), Decimal(0))
        for metric in PUBLISHED_METRICS:
            _expect_close(f"{where} {metric}", _float(s[metric]), m[metric])
        if s["pnl"]:
            _expect_equal(f"{where} pnl", Decimal(s["pnl"]), pnl)
            m["pnl"] = float(pnl)
        else:  # withheld: the tie-break goes by the published pnl order (1 = highest)
            m["pnl"] = -float(s["pnl_order"])
        equity = _float(s["equity_end"])
        meets = s["meets_equity_floor"] == "1"
        if equity is not None:
            _expect_equal(f"{where} meets_equity_floor", meets, equity >= floors["min_equity"])
        rows.append(
            {
                **m,
                **{metric: _float(s.get(metric) or "") for metric in DECISION_METRICS},
                "trader": s["trader"],
                "trader_id": int(s["trader_id"]),
                "approved": s["approved"] == "1",
                "meets_equity_floor": meets,
                "trade_data": trade_data,
                "flags": _codes(s["flags"]),
                "enrolled_at": datetime.fromisoformat(s["enrolled_at"]),
            }
        )
    reasons, eligible, scores = score_standings(rows, ranking["rules"])
    published_scores = []
    for s, _row, why, score in zip(standings, rows, reasons, scores, strict=True):
        where = f"standings.csv trader {s['trader']}"
        _expect_equal(f"{where} ineligible reasons", _codes(s["reasons"]), why)
        _expect_close(f"{where} score", _float(s["score"]), score)
        published_scores.append(_float(s["score"]))
    order = ranking_order(rows, published_scores, eligible, ranking["rules"]["score"])
    ranks = {i: position for position, i in enumerate(order, start=1)}
    for i, s in enumerate(standings):
        _expect_equal(f"standings.csv trader {s['trader']} rank", _int(s["rank"]), ranks.get(i))

    pool = rules["pool"]
    tiers = [Decimal(str(t)) for t in pool["rules"].get("tiers", [])]
    tiers = tiers[: pool["winners"] or len(tiers)]
    cut = len(tiers)
    while 0 < cut < len(order) and published_scores[order[cut]] == published_scores[order[cut - 1]]:
        cut += 1
    top = order[:cut]
    amounts = split_tiers(Decimal(pool["amount"]), [published_scores[i] for i in top], tiers)
    expected = [(rows[i]["trader_id"], ranks[i], amount) for i, amount in zip(top, amounts, strict=True)]
    _check_lines(files, rules, expected)


def _recompute_content(files, manifest, rules) -> None:
    pool = rules["pool"]
    standings = _csv(files, "standings.csv")
    eligible, scores = content_scores(
        [
            {"posts": int(s["posts"]), "days": int(s["days"]), **{c: _float(s[c]) for c in CONTENT_INPUTS}}
            for s in standings
        ],
        pool["rules"],
    )
    published = []
    for s, ok, score in zip(standings, eligible, scores, strict=True):
        where = f"standings.csv trader {s['trader']}"
        _expect_equal(f"{where} eligible", s["eligible"] == "1", ok)
        _expect_close(f"{where} score", _float(s["score"]), score)
        published.append(_float(s["score"]))
    order = sorted(
        (i for i in range(len(standings)) if eligible[i]),
        key=lambda i: (-_scored(published[i]), int(standings[i]["trader_id"])),
    )
    ranks = {i: position for position, i in enumerate(order, start=1)}
    for i, s in enumerate(standings):
        _expect_equal(f"standings.csv trader {s['trader']} rank", _int(s["rank"]), ranks.get(i))
    cap = pool["rules"].get("per_trader_cap")
    amounts = split_proportional(
        Decimal(pool["amount"]), [published[i] for i in order], None if cap in (None, "") else Decimal(str(cap))
    )
    expected = [(int(standings[i]["trader_id"]), ranks[i], amount) for i, amount in zip(order, amounts, strict=True)]
    _check_lines(files, rules, expected)


def _recompute_first_post(files, manifest, rules) -> None:
    pool = rules["pool"]
    standings = sorted(_csv(files, "standings.csv"), key=lambda s: (s["qualified_at"], int(s["post_id"])))
    budget = rules["batch"].get("budget_left_before")
    left = None if budget in (None, "") else Decimal(budget)
    expected = []
    for position, s in enumerate(standings, start=1):
        if left is None or Decimal(pool["amount"]) <= left:
            expected.append((int(s["trader_id"]), position, Decimal(pool["amount"])))
            if left is not None:
                left -= Decimal(pool["amount"])
    _check_lines(files, rules, expected)


def _recompute_listed(files, manifest, rules) -> None:
    """Pools whose choice is not recomputed (the weekly spotlight pays no money): the lines add up."""
    _check_lines(files, rules, None)


RECOMPUTE = {
    "leaderboard": _recompute_leaderboard,
    "content": _recompute_content,
    "first_post": _recompute_first_post,
    "spotlight": _recompute_listed,
}


def _check_lines(files, rules, expected: list | None) -> None:
    """The lines pay what the recomputation says, in rank order, and add up to the batch's total."""
    lines = _csv(files, "lines.csv")
    batch = rules["batch"]
    if expected is not None:
        paid = expected
        got = [(int(ln["trader_id"]), _int(ln["rank"]), Decimal(ln["amount"])) for ln in lines]
        for n, (want, have) in enumerate(zip(paid, got, strict=False), start=1):
            _expect_equal(f"lines.csv line {n} (trader_id, rank, amount)", have, want)
        if len(paid) != len(got):
            extra = got[len(paid) :] or paid[len(got) :]
            raise Difference(f"lines.csv has {len(got)} lines, recomputed {len(paid)} (first extra: {extra[0]})")
    total = sum((Decimal(ln["amount"]) for ln in lines), Decimal(0))
    _expect_equal("rules.json batch total (sum of lines.csv)", Decimal(batch["total"]), total)
    _expect_equal(
        "rules.json batch unspent (pool amount - total)",
        Decimal(batch["unspent"]),
        Decimal(batch["pool_amount"]) - total,
    )


def recompute(files: dict[str, bytes]) -> None:
    """Raise Difference at the first disagreement between the bundle and its recomputation."""
    manifest = _json(files, MANIFEST)
    if manifest.get("schema") != SCHEMA:
        raise Difference(
            f"manifest.json schema is {manifest.get('schema')!r}; this verifier reads {SCHEMA} (a bundle of "
            "starboard-results/1 used the return method before 2026-11-30: flows at the start of each day)"
        )
    rules = _json(files, "rules.json")
    kind = rules["pool"]["kind"]
    if kind not in RECOMPUTE:
        raise Difference(f"rules.json pool kind {kind!r} is unknown to this verifier")
    RECOMPUTE[kind](files, manifest, rules)


# --- the chain --------------------------------------------------------------------------------------------------------


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def chain_problems(bundles: list[dict[str, bytes]], *, expect: str | None = None) -> list[str]:
    """What is wrong with these bundles of one campaign, oldest first: a file that does not hash to what its
    manifest lists, a missing file, a bundle whose previous hash is not the bundle before it (changed or removed),
    a gap in the sequence. `expect`: the last bundle's hash as published elsewhere (a page, the API, your notes)."""
    problems, previous = [], None
    for files in bundles:
        manifest = json.loads(files[MANIFEST].decode("utf-8"))
        label = f"bundle #{manifest.get('sequence')} (batch {manifest.get('batch')})"
        for name, digest in manifest.get("files", {}).items():
            if name not in files:
                problems.append(f"{label}: {name} is missing")
            elif sha256(files[name]) != digest:
                problems.append(f"{label}: {name} was changed (its SHA-256 is not the one the manifest lists)")
        if previous is not None:
            prev_manifest, prev_hash = previous
            if manifest.get("previous_sha256") != prev_hash:
                problems.append(
                    f"{label}: previous_sha256 {manifest.get('previous_sha256')} is not bundle "
                    f"#{prev_manifest.get('sequence')}'s {prev_hash}: that bundle was changed or one was removed"
                )
            if manifest.get("sequence") != prev_manifest.get("sequence", 0) + 1:
                problems.append(f"{label}: follows #{prev_manifest.get('sequence')}: a bundle is missing between")
        previous = (manifest, sha256(files[MANIFEST]))
    if expect and previous is not None and previous[1] != expect.strip().lower():
        problems.append(f"the last bundle's SHA-256 is {previous[1]}, not the expected {expect}")
    return problems


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if args else 2
    chain = "--chain" in args
    expect = None
    if "--expect" in args:
        at = args.index("--expect")
        expect = args[at + 1] if at + 1 < len(args) else ""
        del args[at : at + 2]
    paths = [a for a in args if a != "--chain"]
    try:
        bundles = [bundle_files(p) for p in paths]
    except (OSError, zipfile.BadZipFile) as exc:
        print(f"cannot read the bundle: {exc}")
        return 2
    if chain:
        problems = chain_problems(bundles, expect=expect)
        print("\n".join(problems) if problems else "chain ok")
        return 1 if problems else 0
    for path, files in zip(paths, bundles, strict=True):
        try:
            recompute(files)
        except Difference as exc:
            print(f"{path}: differs: {exc}")
            return 1
        except (KeyError, ValueError, TypeError, ArithmeticError, csv.Error) as exc:
            print(f"{path}: differs: the bundle cannot be read as {SCHEMA}: {type(exc).__name__}: {exc}")
            return 1
        print(f"{path}: matches")
    return 0


if __name__ == "__main__":
    sys.exit(main())
