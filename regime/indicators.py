"""Liquidity-regime indicators, composite score and label. Pure pandas: no Django, plain inputs and outputs.

Inputs are series of floats indexed by date (any frequency). Everything is computed on one calendar-day grid with
each input carried forward from its last observation, and each input's age tracked, so a value that is too old is
flagged stale instead of silently reused. Signs, weights, staleness limits and label thresholds are data (the
tuples and dataclasses below), not code.

Score convention: positive = liquidity abundant, negative = capital scarce.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

BTC = "BTC/USDT"
DGS10 = "DGS10"
M2 = "M2SL"
BASE = "BOGMBASE"
CREDIT_CODES = ("BAMLH0A0HYM2", "BAA10Y", "BAA")  # preference order: first fresh one is used
MU = "MU"
SNDK = "SNDK"

LEGS = ("crypto", "rates", "multiplier", "cashflow")


@dataclass(frozen=True)
class IndicatorSpec:
    key: str
    leg: str
    # +1: a higher value reads as abundant liquidity; -1: a higher value reads as capital scarce.
    sign: int
    weight: float
    unit: str  # "pct" (fraction), "bp", "ratio"
    inputs: tuple[str, ...]


INDICATORS: tuple[IndicatorSpec, ...] = (
    IndicatorSpec("btc_drawdown", "crypto", +1, 0.30, "pct", (BTC,)),
    IndicatorSpec("btc_return_90d", "crypto", +1, 0.25, "pct", (BTC,)),
    IndicatorSpec("btc_vs_200d", "crypto", +1, 0.25, "pct", (BTC,)),
    IndicatorSpec("btc_vol_30d", "crypto", -1, 0.20, "pct", (BTC,)),
    IndicatorSpec("dgs10_change_90d", "rates", -1, 0.50, "bp", (DGS10,)),
    IndicatorSpec("credit_change_90d", "rates", -1, 0.50, "bp", CREDIT_CODES),
    IndicatorSpec("money_multiplier", "multiplier", +1, 0.0, "ratio", (M2, BASE)),  # shown, not scored
    IndicatorSpec("money_multiplier_change_1y", "multiplier", +1, 1.00, "pct", (M2, BASE)),
    IndicatorSpec("mu_vs_btc_90d", "cashflow", -1, 0.50, "pct", (MU, BTC)),
    IndicatorSpec("sndk_vs_btc_90d", "cashflow", -1, 0.50, "pct", (SNDK, BTC)),
)
SPECS = {spec.key: spec for spec in INDICATORS}


def stored_indicator(components: Mapping | None, key: str) -> Mapping:
    """One indicator's entry in a stored reading's components (RegimeReading.components); empty when absent."""
    return ((components or {}).get("indicators") or {}).get(key) or {}


# How old (calendar days) an input's last observation may be before it is stale. Monthly FRED series are published
# with a lag of several weeks and dated the first of the month, hence the longer limit.
MAX_AGE_DAYS: Mapping[str, int] = {M2: 100, BASE: 100, "BAA": 100}
DEFAULT_MAX_AGE_DAYS = 10


@dataclass(frozen=True)
class Hysteresis:
    """Enter a regime beyond the outer threshold; leave it only after crossing back past the inner one."""

    enter_scarce: float = -0.5
    exit_scarce: float = -0.2
    enter_abundant: float = 0.5
    exit_abundant: float = 0.2


@dataclass(frozen=True)
class Config:
    z_window_days: int = 3 * 365
    z_min_days: int = 180
    z_clip: float = 3.0
    direction_days: int = 30
    hysteresis: Hysteresis = field(default_factory=Hysteresis)


DEFAULT_CONFIG = Config()

ABUNDANT, NEUTRAL, SCARCE = "abundant", "neutral", "scarce"


@dataclass
class RegimeTable:
    """Everything per calendar day: raw indicator values, their staleness, z-scores, score and label."""

    values: pd.DataFrame  # dates x indicator keys (last available value, NaN when missing)
    stale: pd.DataFrame  # dates x indicator keys (True when an input behind it is stale)
    zscores: pd.DataFrame  # dates x indicator keys (NaN when missing, stale or too little history)
    direction: pd.DataFrame  # dates x keys: +1 rising, -1 falling, 0 flat over config.direction_days
    credit_code: pd.Series  # dates -> which credit series was used
    input_last: pd.DataFrame  # dates x input codes: date of the last observation on or before that day
    score: pd.Series
    label: pd.Series


def _as_series(values: pd.Series | None) -> pd.Series:
    if values is None or len(values) == 0:
        return pd.Series(dtype=float)
    out = pd.Series(pd.to_numeric(values.to_numpy(), errors="coerce"), index=pd.to_datetime(values.index))
    out = out[~out.index.duplicated(keep="last")].sort_index().dropna()
    return out.astype(float)


def _grid(inputs: Mapping[str, pd.Series], end: pd.Timestamp | None) -> pd.DatetimeIndex:
    present = [s for s in inputs.values() if len(s)]
    if not present:
        return pd.DatetimeIndex([])
    start = min(s.index[0] for s in present)
    last = pd.Timestamp(end) if end is not None else max(s.index[-1] for s in present)
    return pd.date_range(start.normalize(), last.normalize(), freq="D")


def _on_grid(series: pd.Series, grid: pd.DatetimeIndex) -> tuple[pd.Series, pd.Series]:
    """The series carried forward onto the grid, and the date of the observation each day carries."""
    if series.empty:
        nan = pd.Series(np.nan, index=grid)
        return nan, pd.Series(pd.NaT, index=grid, dtype="datetime64[ns]")
    union = series.index.union(grid)
    values = series.reindex(union).ffill().reindex(grid)
    obs = pd.Series(series.index, index=series.index).reindex(union).ffill().reindex(grid)
    return values, obs


def _change(values: pd.Series, days: int) -> pd.Series:
    return values / values.shift(days) - 1.0


def compute_indicators(
    inputs: Mapping[str, pd.Series], *, end=None, config: Config = DEFAULT_CONFIG
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.DataFrame]:
    """Indicator values and staleness on a daily grid up to `end` (default: the latest observation of any input).

    Returns (values, stale, credit_code, input_last).
    """
    series = {code: _as_series(s) for code, s in inputs.items()}
    codes = sorted({c for spec in INDICATORS for c in spec.inputs})
    grid = _grid({c: series.get(c, pd.Series(dtype=float)) for c in codes}, end)
    on_grid, last, stale_in = {}, {}, {}
    for code in codes:
        vals, obs = _on_grid(series.get(code, pd.Series(dtype=float)), grid)
        on_grid[code], last[code] = vals, obs
        age = (grid.to_series() - obs).dt.days
        stale_in[code] = age.gt(MAX_AGE_DAYS.get(code, DEFAULT_MAX_AGE_DAYS)).fillna(False).astype(bool)
    input_last = pd.DataFrame(last, index=grid)

    def at_last_obs(values: pd.Series, codes: tuple[str, ...]) -> pd.Series:
        """Each day's value as of the oldest last observation among its inputs: on a weekend the Friday value,
        and for a stale input the reading of its last observation, not a change diluted by carried-forward days."""
        when = input_last[list(codes)].min(axis=1, skipna=False)
        return pd.Series(values.reindex(when).to_numpy(), index=grid)

    btc = on_grid[BTC]
    btc_obs = series.get(BTC, pd.Series(dtype=float)).reindex(grid)  # only real observations for the volatility
    raw: dict[str, pd.Series] = {
        "btc_drawdown": btc / btc.rolling(365, min_periods=1).max() - 1.0,
        "btc_return_90d": _change(btc, 90),
        "btc_vs_200d": btc / btc.rolling(200, min_periods=200).mean() - 1.0,
        "btc_vol_30d": np.log(btc_obs).diff().rolling(30, min_periods=20).std() * np.sqrt(365),
        "dgs10_change_90d": (on_grid[DGS10] - on_grid[DGS10].shift(90)) * 100.0,
    }
    values = {k: at_last_obs(v, (DGS10,) if k.startswith("dgs10") else (BTC,)) for k, v in raw.items()}
    stale: dict[str, pd.Series] = {k: stale_in[BTC] for k in values if k.startswith("btc_")}
    stale["dgs10_change_90d"] = stale_in[DGS10]

    # Credit: per day, the first candidate that is fresh; if none is, the first one that has any value (stale).
    credit_val = pd.Series(np.nan, index=grid)
    credit_stale = pd.Series(True, index=grid, dtype=bool)
    credit_code = pd.Series(None, index=grid, dtype=object)
    for fresh_pass in (True, False):
        for code in CREDIT_CODES:
            change = at_last_obs((on_grid[code] - on_grid[code].shift(90)) * 100.0, (code,))
            usable = change.notna() & credit_val.isna() & (~stale_in[code] if fresh_pass else True)
            credit_val[usable] = change[usable]
            credit_stale = credit_stale.mask(usable, stale_in[code])
            credit_code[usable] = code
    values["credit_change_90d"], stale["credit_change_90d"] = credit_val, credit_stale

    multiplier = on_grid[M2] / on_grid[BASE]
    values["money_multiplier"] = at_last_obs(multiplier, (M2, BASE))
    values["money_multiplier_change_1y"] = at_last_obs(_change(multiplier, 365), (M2, BASE))
    stale["money_multiplier"] = stale["money_multiplier_change_1y"] = stale_in[M2] | stale_in[BASE]

    for code, key in ((MU, "mu_vs_btc_90d"), (SNDK, "sndk_vs_btc_90d")):
        values[key] = at_last_obs(_change(on_grid[code], 90) - raw["btc_return_90d"], (code, BTC))
        stale[key] = stale_in[code] | stale_in[BTC]

    keys = [spec.key for spec in INDICATORS]
    values_df = pd.DataFrame(values, index=grid)[keys].replace([np.inf, -np.inf], np.nan)
    stale_df = pd.DataFrame(stale, index=grid)[keys].astype(bool)
    return values_df, stale_df, credit_code, input_last


def standardise(values: pd.DataFrame, stale: pd.DataFrame, *, config: Config = DEFAULT_CONFIG) -> pd.DataFrame:
    """Rolling z-score of each indicator against its own trailing history; NaN where missing or stale."""
    rolling = values.rolling(config.z_window_days, min_periods=config.z_min_days)
    z = (values - rolling.mean()) / rolling.std()
    z = z.replace([np.inf, -np.inf], np.nan).clip(-config.z_clip, config.z_clip)
    return z.mask(stale | values.isna())


def composite_score(zscores: pd.DataFrame) -> pd.Series:
    """Weighted mean of sign-adjusted z-scores over the indicators that are there (weights renormalised)."""
    signs = pd.Series({s.key: s.sign for s in INDICATORS})[zscores.columns]
    weights = pd.Series({s.key: s.weight for s in INDICATORS})[zscores.columns]
    signed = zscores * signs
    present = signed.notna() & (weights > 0)
    total_weight = present.mul(weights).sum(axis=1)
    score = signed.fillna(0.0).mul(weights).sum(axis=1) / total_weight.replace(0.0, np.nan)
    return score


def label_with_hysteresis(
    score: pd.Series, *, thresholds: Hysteresis = Hysteresis(), start: str = NEUTRAL
) -> pd.Series:
    """Label each day; a missing score keeps the previous label. Sequential by nature, so a plain loop."""
    state = start
    out = []
    for value in score.to_numpy():
        if not np.isnan(value):
            if state == SCARCE:
                if value > thresholds.exit_scarce:
                    state = ABUNDANT if value >= thresholds.enter_abundant else NEUTRAL
            elif state == ABUNDANT:
                if value < thresholds.exit_abundant:
                    state = SCARCE if value <= thresholds.enter_scarce else NEUTRAL
            elif value <= thresholds.enter_scarce:
                state = SCARCE
            elif value >= thresholds.enter_abundant:
                state = ABUNDANT
        out.append(state)
    return pd.Series(out, index=score.index, dtype=object)


def direction(values: pd.DataFrame, *, days: int) -> pd.DataFrame:
    change = values - values.shift(days)
    scale = values.abs().rolling(days, min_periods=1).mean()
    flat = change.abs() <= scale * 1e-3
    out = np.sign(change).mask(flat, 0.0)
    return out


def regime_table(inputs: Mapping[str, pd.Series], *, end=None, config: Config = DEFAULT_CONFIG) -> RegimeTable:
    values, stale, credit_code, input_last = compute_indicators(inputs, end=end, config=config)
    z = standardise(values, stale, config=config)
    score = composite_score(z)
    label = label_with_hysteresis(score, thresholds=config.hysteresis)
    return RegimeTable(
        values=values,
        stale=stale,
        zscores=z,
        direction=direction(values, days=config.direction_days),
        credit_code=credit_code,
        input_last=input_last,
        score=score,
        label=label,
    )


def missing_inputs(table: RegimeTable, day) -> list[dict]:
    """Inputs that are missing or stale on `day`, named, with the date of their last observation."""
    day = pd.Timestamp(day)
    credit_used = table.credit_code.get(day)
    needed = [c for spec in INDICATORS for c in spec.inputs if c not in CREDIT_CODES]
    needed.append(credit_used if isinstance(credit_used, str) else CREDIT_CODES[0])
    out = []
    for code in dict.fromkeys(needed):
        last = table.input_last.at[day, code] if code in table.input_last else pd.NaT
        if pd.isna(last):
            out.append({"code": code, "status": "missing", "last": None, "age_days": None})
            continue
        age = int((day - last).days)
        if age > MAX_AGE_DAYS.get(code, DEFAULT_MAX_AGE_DAYS):
            out.append({"code": code, "status": "stale", "last": last.date().isoformat(), "age_days": age})
    return out


# How each leg of the thesis reads from its indicators. The thesis: capital is scarce, so assets with no near-term
# cash flow (crypto first) fall, discount and credit yields rise, the money multiplier turns down, and near-term
# cash-flow names (MU, SNDK) lead BTC. Stale values are still read (and flagged); only the score drops them.
CONFIRMS, CONTRADICTS, MIXED, NO_DATA = "confirms", "contradicts", "mixed", "no_data"
LEG_RULES = {
    "crypto": {"deep_drawdown": -0.20, "shallow_drawdown": -0.10},
    "rates": {"rising_bp": 10.0, "falling_bp": -10.0},
    "multiplier": {"falling": -0.005, "rising": 0.005},
    "cashflow": {"leading": 0.05, "lagging": -0.05},
}


def _get(row: Mapping[str, float], key: str) -> float | None:
    value = row.get(key)
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else float(value)


def leg_verdicts(row: Mapping[str, float]) -> dict[str, str]:
    """For one day's indicator values: does each leg confirm the thesis, contradict it, or neither?"""
    out = {}
    dd, r90, vs200 = _get(row, "btc_drawdown"), _get(row, "btc_return_90d"), _get(row, "btc_vs_200d")
    rule = LEG_RULES["crypto"]
    if dd is None and r90 is None:
        out["crypto"] = NO_DATA
    elif (dd is not None and dd <= rule["deep_drawdown"]) or ((r90 or 0) < 0 and (vs200 or 0) < 0):
        out["crypto"] = CONFIRMS
    elif (dd is None or dd > rule["shallow_drawdown"]) and (r90 or 0) > 0 and (vs200 or 0) > 0:
        out["crypto"] = CONTRADICTS
    else:
        out["crypto"] = MIXED

    def by_mean(keys, high, low, high_means):
        vals = [v for v in (_get(row, k) for k in keys) if v is not None]
        if not vals:
            return NO_DATA
        mean = sum(vals) / len(vals)
        if mean >= high:
            return high_means
        if mean <= low:
            return CONTRADICTS if high_means == CONFIRMS else CONFIRMS
        return MIXED

    r = LEG_RULES["rates"]
    out["rates"] = by_mean(["dgs10_change_90d", "credit_change_90d"], r["rising_bp"], r["falling_bp"], CONFIRMS)
    m = LEG_RULES["multiplier"]
    out["multiplier"] = by_mean(["money_multiplier_change_1y"], m["rising"], m["falling"], CONTRADICTS)
    c = LEG_RULES["cashflow"]
    out["cashflow"] = by_mean(["mu_vs_btc_90d", "sndk_vs_btc_90d"], c["leading"], c["lagging"], CONFIRMS)
    return out
