"""Eligibility, score and rank from the metrics table, pure (no Django). Rules are data, validated here.

A leaderboard RewardPool keeps its ranking rules under `rules["ranking"]`; whatever it leaves out comes from
DEFAULT_RULES, so changing a floor, a weight or the score metric needs no code:

    eligibility   require_approved_enrolment, min_equity (USDT at the window's end), min_trades (closed positions;
                  0 by default, so a record of equity and flows only can rank), min_active_days, exclude_flags (flag
                  codes that make a trader ineligible; the others are only shown to the operator)
    score         {"method": "percentile_blend", "weights": {metric: weight}}: score = 100 * sum(w * p) / sum(w),
                  p the metric's percentile rank among eligible traders (share of them at or below the trader,
                  ties averaged; lower-is-better metrics are turned around; a missing value counts 0). A trader
                  whose data has no trade records (equity and flows only) is scored on the other metrics: the
                  weights of TRADE_METRICS are left out of both sums for them. Or {"method": "metric", "metric":
                  name}: the score is that metric's value.
    coverage      min_coverage (share of the window's days the returns must cover), min_returns (for volatility,
                  Sharpe, Sortino), calmar_min_days and calmar_min_drawdown: below them the ratio is empty with
                  its reason (leaderboard.metrics.metrics_bound)
    flags         thresholds of the anti-gaming flags (leaderboard.flags)
    confidence    min_days, confidence, level, replicates, seed of psr/dsr/min_track_record_days and the ROI
                  interval (leaderboard.confidence)
    copier_outcome  profit_share, fee_rate, slippage_rate, settle_at_end, min_start_days and the settlement
                  schedule (daily, weekly, monthly) of the copier outcome (leaderboard.copier_outcome)

eligibility.metric_floors {metric: floor} holds out a trader whose metric is missing or on the wrong side of its
floor (at least it; at most it for a lower-is-better metric), e.g. {"psr": 0.9} or {"copier_loss_share": 0.5}.

Ties are broken deterministically: higher score, then higher pnl, then earlier enrolment, then lower trader id.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math

import numpy as np
import pandas as pd

from leaderboard.copier_outcome import SCHEDULES

# Direction of each metric a score may use: True when higher is better.
SCORABLE = {
    "roi": True,
    "pnl": True,
    "max_drawdown": True,  # a negative fraction: closer to 0 is better
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
    # Issue 13: confidence, copier outcome and capacity (leaderboard.confidence, copier_outcome, capacity).
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
# Metrics only trade records give: left out of the score of a trader whose data has none.
TRADE_METRICS = {"win_rate", "trades"}
FLAG_CODES = ["tiny_capital_high_roi", "large_deposit_before_end", "no_fills_behind_equity", "mirror_returns"]

DEFAULT_RULES: dict = {
    "version": "default-2026.1",
    "eligibility": {
        "require_approved_enrolment": True,
        "min_equity": 100,
        "min_trades": 0,
        "min_active_days": 3,
        "exclude_flags": ["tiny_capital_high_roi", "no_fills_behind_equity"],
        # {metric: floor} over SCORABLE: at least the floor (at most, for a lower-is-better metric); missing fails.
        "metric_floors": {},
    },
    "score": {
        "method": "percentile_blend",
        "weights": {"roi": 0.4, "sharpe": 0.3, "max_drawdown": 0.2, "win_rate": 0.1},
    },
    "coverage": {"min_coverage": 0.5, "min_returns": 5, "calmar_min_days": 60, "calmar_min_drawdown": 0.01},
    "flags": {
        "tiny_capital": {"capital_floor": 1000, "min_roi": 0.5},
        "late_deposit": {"days": 3, "min_fraction": 0.5},
        "no_fills": {"min_abs_roi": 0.001},
        "mirror": {"min_correlation": 0.99, "min_overlap_days": 7, "max_candidates": 1000},
    },
    # leaderboard.confidence's limits: psr/dsr/min_track_record_days need min_days returns; the ROI interval is a
    # seeded stationary block bootstrap (replicates resamples, level the interval's coverage).
    "confidence": {"min_days": 10, "confidence": 0.95, "level": 0.90, "replicates": 1000, "seed": 20260212},
    # leaderboard.copier_outcome's assumptions (docs/copier-outcome.md): Gate's published rates by default.
    "copier_outcome": {
        "profit_share": 0.10,
        "fee_rate": 0.0005,
        "slippage_rate": 0.0002,
        "settle_at_end": True,
        "min_start_days": 7,
        "schedule": "weekly",
    },
}

TIE_BREAKS = ["score", "pnl", "enrolled_at", "trader_id"]

REASONS = [
    "enrolment_not_approved",
    "equity_below_floor",
    "too_few_trades",
    "too_few_active_days",
    "flagged",
    "below_metric_floor",
    "no_score",
]


class RulesError(ValueError):
    """Ranking rules that cannot be applied; the message says which field and why."""


def _merge(base: dict, override: dict) -> dict:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict) and key != "weights":
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _number(path: str, value, *, minimum: float = 0, maximum: float | None = None, integer: bool = False):
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RulesError(f"{path} must be a number, not {value!r}")
    try:
        number = float(value)
    except ValueError as exc:
        raise RulesError(f"{path} must be a number, not {value!r}") from exc
    if not math.isfinite(number) or number < minimum or (maximum is not None and number > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise RulesError(f"{path} must be {bound}, not {value!r}")
    if integer and number != int(number):
        raise RulesError(f"{path} must be a whole number, not {value!r}")
    return int(number) if integer else number


def _keys(path: str, section, allowed: set[str]) -> dict:
    if not isinstance(section, dict):
        raise RulesError(f"{path} must be an object")
    unknown = sorted(set(section) - allowed)
    if unknown:
        raise RulesError(f"{path}: unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")
    return section


def rules_validate(rules: dict | None) -> dict:
    """The complete rules (DEFAULT_RULES with `rules` laid over them), checked; raises RulesError when unusable."""
    if rules is None:
        rules = {}
    _keys("rules", rules, set(DEFAULT_RULES))
    full = _merge(DEFAULT_RULES, rules)
    if not isinstance(full["version"], str) or not full["version"].strip():
        raise RulesError("rules.version must be a non-empty text")

    elig = _keys("eligibility", full["eligibility"], set(DEFAULT_RULES["eligibility"]))
    if not isinstance(elig["require_approved_enrolment"], bool):
        raise RulesError("eligibility.require_approved_enrolment must be true or false")
    elig["min_equity"] = _number("eligibility.min_equity", elig["min_equity"])
    elig["min_trades"] = _number("eligibility.min_trades", elig["min_trades"], integer=True)
    elig["min_active_days"] = _number("eligibility.min_active_days", elig["min_active_days"], integer=True)
    excluded = elig["exclude_flags"]
    if not isinstance(excluded, list) or any(code not in FLAG_CODES for code in excluded):
        raise RulesError(f"eligibility.exclude_flags must be a list of: {', '.join(FLAG_CODES)}")
    floors = elig["metric_floors"]
    if not isinstance(floors, dict):
        raise RulesError("eligibility.metric_floors must be an object of {metric: floor}")
    for metric, floor in floors.items():
        if metric not in SCORABLE:
            raise RulesError(f"eligibility.metric_floors: {metric!r} is not a metric; use one of {', '.join(SCORABLE)}")
        floors[metric] = _number(f"eligibility.metric_floors.{metric}", floor, minimum=-math.inf)

    score = _keys("score", full["score"], {"method", "weights", "metric"})
    if score["method"] == "percentile_blend":
        weights = score.get("weights")
        if not isinstance(weights, dict) or not weights:
            raise RulesError("score.weights must name at least one metric with its weight")
        for metric, weight in weights.items():
            if metric not in SCORABLE:
                raise RulesError(f"score.weights: {metric!r} is not a metric; use one of {', '.join(SCORABLE)}")
            weights[metric] = _number(f"score.weights.{metric}", weight)
        if sum(weights.values()) <= 0:
            raise RulesError("score.weights must add up to more than 0")
        score.pop("metric", None)
    elif score["method"] == "metric":
        if score.get("metric") not in SCORABLE:
            raise RulesError(f"score.metric must be one of {', '.join(SCORABLE)}, not {score.get('metric')!r}")
        score.pop("weights", None)
    else:
        raise RulesError(f"score.method must be 'percentile_blend' or 'metric', not {score['method']!r}")

    coverage = _keys("coverage", full["coverage"], set(DEFAULT_RULES["coverage"]))
    coverage["min_coverage"] = _number("coverage.min_coverage", coverage["min_coverage"], maximum=1)
    coverage["min_returns"] = _number("coverage.min_returns", coverage["min_returns"], integer=True, minimum=2)
    coverage["calmar_min_days"] = _number("coverage.calmar_min_days", coverage["calmar_min_days"], integer=True)
    coverage["calmar_min_drawdown"] = _number(
        "coverage.calmar_min_drawdown", coverage["calmar_min_drawdown"], maximum=1
    )

    flags = _keys("flags", full["flags"], set(DEFAULT_RULES["flags"]))
    spec = {
        "tiny_capital": {"capital_floor": {}, "min_roi": {}},
        "late_deposit": {"days": {"integer": True, "minimum": 1}, "min_fraction": {}},
        "no_fills": {"min_abs_roi": {}},
        "mirror": {
            "min_correlation": {"maximum": 1},
            "min_overlap_days": {"integer": True, "minimum": 2},
            "max_candidates": {"integer": True, "minimum": 2},
        },
    }
    for name, fields in spec.items():
        section = _keys(f"flags.{name}", flags[name], set(fields))
        for field, options in fields.items():
            section[field] = _number(f"flags.{name}.{field}", section[field], **options)

    conf = _keys("confidence", full["confidence"], set(DEFAULT_RULES["confidence"]))
    conf["min_days"] = _number("confidence.min_days", conf["min_days"], integer=True, minimum=3)
    conf["confidence"] = _number("confidence.confidence", conf["confidence"], minimum=0.5, maximum=0.9999)
    conf["level"] = _number("confidence.level", conf["level"], minimum=0.5, maximum=0.999)
    conf["replicates"] = _number("confidence.replicates", conf["replicates"], integer=True, minimum=100, maximum=10000)
    conf["seed"] = _number("confidence.seed", conf["seed"], integer=True, maximum=2**63 - 1)

    copier = _keys("copier_outcome", full["copier_outcome"], set(DEFAULT_RULES["copier_outcome"]))
    copier["profit_share"] = _number("copier_outcome.profit_share", copier["profit_share"], maximum=1)
    copier["fee_rate"] = _number("copier_outcome.fee_rate", copier["fee_rate"], maximum=0.1)
    copier["slippage_rate"] = _number("copier_outcome.slippage_rate", copier["slippage_rate"], maximum=0.1)
    copier["min_start_days"] = _number(
        "copier_outcome.min_start_days", copier["min_start_days"], integer=True, minimum=1
    )
    if not isinstance(copier["settle_at_end"], bool):
        raise RulesError("copier_outcome.settle_at_end must be true or false")
    if copier["schedule"] not in SCHEDULES:
        raise RulesError(f"copier_outcome.schedule must be one of {', '.join(SCHEDULES)}")
    return full


def rules_version(rules: dict) -> str:
    """The rules' label plus a hash of their content, so any change of a value changes the version."""
    digest = hashlib.sha256(json.dumps(rules, sort_keys=True, default=str).encode()).hexdigest()[:8]
    return f"{rules['version']}+{digest}"


def percentile_ranks(values: np.ndarray, *, higher_is_better: bool, among: np.ndarray) -> np.ndarray:
    """Share of the `among` traders whose value is at or below each trader's (ties averaged), 0 when missing."""
    series = pd.Series(np.where(among, values, np.nan))
    pct = series.rank(method="average", pct=True, ascending=higher_is_better).to_numpy()
    return np.where(among & ~np.isnan(pct), pct, 0.0)


def score_and_rank(table: pd.DataFrame, rules: dict) -> pd.DataFrame:
    """Eligibility, score and rank of every trader. `rules` must come from rules_validate.

    table: one row per trader with trader_id, enrolled_at (sortable; earlier is better), approved (bool),
    equity, flags (list of flag codes), optionally trade_data (bool: the trader's data has trade records; True
    when absent) and the metric columns. Returns the table with eligible, reasons (list of
    codes), score, rank (1.. for eligible traders, NaN otherwise) and one `pct_<metric>` column per weighted metric.
    """
    out = table.copy()
    n = len(out)
    elig_rules, score_rules = rules["eligibility"], rules["score"]
    reasons: list[list[str]] = [[] for _ in range(n)]

    def fail(mask, code):
        for i in np.flatnonzero(mask):
            reasons[i].append(code)

    def column(name, default=np.nan):
        return out[name].to_numpy(dtype=float) if name in out else np.full(n, default)

    # A trader without a single return in the window gets one plain reason instead of every floor failing.
    no_data = column("days", 1.0) == 0
    fail(no_data, "no_data")
    if elig_rules["require_approved_enrolment"]:
        fail(~out["approved"].to_numpy(dtype=bool), "enrolment_not_approved")
    has_data = ~no_data
    fail(has_data & ~(np.nan_to_num(column("equity"), nan=-1.0) >= elig_rules["min_equity"]), "equity_below_floor")
    fail(has_data & ~(np.nan_to_num(column("trades", 0.0)) >= elig_rules["min_trades"]), "too_few_trades")
    fail(
        has_data & ~(np.nan_to_num(column("active_days", 0.0)) >= elig_rules["min_active_days"]), "too_few_active_days"
    )
    for metric, floor in elig_rules.get("metric_floors", {}).items():
        values = column(metric)
        passes = values >= floor if SCORABLE[metric] else values <= floor
        fail(has_data & ~passes, "below_metric_floor")
    excluded = set(elig_rules["exclude_flags"])
    if excluded:
        flags = out["flags"] if "flags" in out else pd.Series([[]] * n)
        fail(np.array([bool(excluded.intersection(f)) for f in flags], dtype=bool), "flagged")

    eligible = np.array([not r for r in reasons], dtype=bool)
    if score_rules["method"] == "percentile_blend":
        weights = score_rules["weights"]
        trade_data = out["trade_data"].to_numpy(dtype=bool) if "trade_data" in out else np.ones(n, dtype=bool)
        total, weight_sum = np.zeros(n), np.zeros(n)
        for metric, weight in weights.items():
            counts = trade_data if metric in TRADE_METRICS else np.ones(n, dtype=bool)
            pct = percentile_ranks(column(metric), higher_is_better=SCORABLE[metric], among=eligible & counts)
            out[f"pct_{metric}"] = np.where(eligible & counts, pct, np.nan)
            total += weight * pct * counts
            weight_sum += weight * counts
        with np.errstate(divide="ignore", invalid="ignore"):
            score = np.where(weight_sum > 0, 100.0 * total / weight_sum, np.nan)
        fail(eligible & ~np.isfinite(score), "no_score")
        eligible = np.array([not r for r in reasons], dtype=bool)
        direction = 1.0
    else:
        metric = score_rules["metric"]
        score = column(metric)
        direction = 1.0 if SCORABLE[metric] else -1.0
        fail(eligible & ~np.isfinite(score), "no_score")
        eligible = np.array([not r for r in reasons], dtype=bool)
    score = np.where(eligible, score, np.nan)

    # Deterministic order: score, then pnl (higher first), then earlier enrolment, then lower id.
    enrolled = pd.to_datetime(out["enrolled_at"], utc=True).to_numpy(dtype="datetime64[ns]").astype("int64")
    pnl = np.nan_to_num(column("pnl"), nan=-np.inf)
    order = np.lexsort((out["trader_id"].to_numpy(), enrolled, -pnl, -np.nan_to_num(direction * score, nan=-np.inf)))
    order = order[eligible[order]]
    rank = np.full(n, np.nan)
    rank[order] = np.arange(1, len(order) + 1)

    out["eligible"] = eligible
    out["reasons"] = reasons
    out["score"] = score
    out["rank"] = rank
    return out
