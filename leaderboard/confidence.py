"""How likely a record is luck, for every trader at once, pure numpy (no Django).

Input, as in `leaderboard.metrics`: a dates x traders matrix of one window's daily deposit-neutral returns r (NaN
where a trader has no return that day; missing days are skipped). For each trader, with n the number of returns,
SR = mean(r) / std(r, ddof=1) the non-annualised Sharpe ratio, g3 the skewness and g4 the (non-excess) kurtosis as
population moments (scipy.stats.skew(r), scipy.stats.kurtosis(r, fisher=False)), Φ the standard normal CDF and
D = 1 - g3·SR + (g4 - 1)/4·SR² (Bailey & López de Prado, "The Sharpe ratio efficient frontier", 2012):

    psr                    Φ((SR - SR*)·√(n-1) / √D) with SR* = 0: the probability that the true Sharpe is above 0
    dsr                    the same with SR* = √V·((1-γ)·Φ⁻¹(1-1/N) + γ·Φ⁻¹(1-1/(N·e))), N the traders of the run
                           with a Sharpe (or those `deflate_over` marks), V the variance (ddof=1) of their SRs and γ
                           Euler's constant: the expected best SR of N lucky traders ("The deflated Sharpe ratio",
                           2014), so dsr answers "better than the best of N lucky ones?"
    min_track_record_days  1 + D·(z / (SR - SR*))² with z = Φ⁻¹(0.95) and SR* = 0, only when SR > SR*: the days of
                           this quality the record needs to be 95% significant (n >= it exactly when psr >= 0.95)
    roi_ci_low/high        the 5th and 95th percentiles of the window's ROI, prod(1 + r) - 1, over stationary
                           block-bootstrap resamples of the trader's returns (Politis & Romano 1994), see below

Every value is NaN (the database's null, shown "—") when n < `min_days`, the returns do not vary, D <= 0, or (dsr)
fewer than two traders have a Sharpe. (D <= 0 only in the degenerate case: Pearson's inequality g4 >= g3² + 1 gives
D >= (1 - g3·SR/2)².) The limits are parameters, so the rules can carry them as data.

The bootstrap: B resamples (default 1000) of each trader's n returns in blocks that start at a uniformly random day,
continue day after day (wrapping round the end), and stop after each day with probability p = 1/L: arch's
StationaryBootstrap, whose index algorithm `stationary_indices` reproduces exactly. The expected block length is
L = n^(1/3) (the rate-optimal order for the stationary bootstrap of a mean; Politis & White's data-dependent constant
is left out so that every trader with n returns shares one L), overridable with `block_length`. Compounding does not
depend on order, so a resample's ROI is expm1(counts @ log1p(r)), with counts[b, i] the times day i was drawn in
resample b: one matrix product per distinct n serves every trader with that n, and a trader's draws depend only on
(seed, n), never on who else is in the run or on chunking. A return below -100% (bad data only) counts as -100%.

The plain-words status for the board (`track_record_status`) returns codes and numbers; the page translates them.
For the integration (Standing fields psr, dsr, min_track_record_days, roi_ci_low, roi_ci_high): the ranking task
calls `confidence_arrays(window_returns)` and `roi_interval_arrays(window_returns)` with the same matrix it gives
`metrics.metrics_arrays`, stores each value through `metrics.db_value`, and the page calls `track_record_status` on
the stored n and min_track_record_days.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtr, ndtri
from threadpoolctl import threadpool_limits

EULER_GAMMA = 0.5772156649015329
DEFAULT_MIN_DAYS = 10
DEFAULT_CONFIDENCE = 0.95
DEFAULT_REPLICATES = 1000
DEFAULT_INTERVAL = 0.90
DEFAULT_SEED = 20260212
CHUNK_TRADERS = 16384  # columns per pass: bounds the work buffers at 100k traders

SIGNIFICANT = "significant"
NOT_YET = "not_yet"
NO_EDGE = "no_edge"
TOO_SHORT = "too_short"
UNDEFINED = "undefined"


def _matrix(returns) -> np.ndarray:
    r = np.asarray(returns, dtype=float)
    if r.ndim != 2:
        raise ValueError("returns must be a 2-D (days x traders) matrix")
    return r


def sharpe_moments(returns) -> dict[str, np.ndarray]:
    """n, the non-annualised Sharpe (ddof=1), and the population skewness and kurtosis of each column's returns.

    NaN where undefined (fewer than two returns or no variation). Vectorised over columns, in chunks of traders.
    """
    r = _matrix(returns)
    traders = r.shape[1]
    out = {key: np.full(traders, np.nan) for key in ("days", "sharpe", "skew", "kurtosis")}
    for lo in range(0, traders, CHUNK_TRADERS):
        part = slice(lo, min(lo + CHUNK_TRADERS, traders))
        for key, values in _moments_chunk(r[:, part]).items():
            out[key][part] = values
    return out


def _moments_chunk(r: np.ndarray) -> dict[str, np.ndarray]:
    mask = ~np.isnan(r)
    n = mask.sum(axis=0).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.where(mask, r, 0.0)
        mean = d.sum(axis=0) / n
        d -= mean
        d *= mask
        sq = d * d
        m2 = sq.sum(axis=0)
        m3 = np.einsum("ij,ij->j", sq, d)
        m4 = np.einsum("ij,ij->j", sq, sq)
        # No variation: the float residue of the mean (~1e-18) must not pass for a spread.
        constant = np.fmax.reduce(r, axis=0, initial=-np.inf) == np.fmin.reduce(r, axis=0, initial=np.inf)
        defined = (n >= 2) & ~constant & (m2 > 0)
        std = np.sqrt(m2 / (n - 1))
        pop_var = m2 / n
        return {
            "days": n,
            "sharpe": np.where(defined, mean / std, np.nan),
            "skew": np.where(defined, (m3 / n) / pop_var**1.5, np.nan),
            "kurtosis": np.where(defined, (m4 / n) / (pop_var * pop_var), np.nan),
        }


def expected_max_sharpe(trials: int, variance: float) -> float:
    """SR* of the deflated Sharpe: the expected largest of `trials` Sharpes drawn with this variance and mean 0."""
    if trials < 2 or not np.isfinite(variance) or variance < 0:
        return math.nan
    return math.sqrt(variance) * (
        (1 - EULER_GAMMA) * ndtri(1 - 1 / trials) + EULER_GAMMA * ndtri(1 - 1 / (trials * math.e))
    )


def confidence_arrays(
    returns,
    *,
    min_days: int = DEFAULT_MIN_DAYS,
    confidence: float = DEFAULT_CONFIDENCE,
    deflate_over: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """psr, dsr and min_track_record_days of every column, plus the inputs the page may show.

    deflate_over: a boolean per trader marking who counts in the run's N and V (default: every trader whose Sharpe
    is defined here). Returns {name: array per trader} with days, sharpe_daily, skew, kurtosis, psr, dsr,
    min_track_record_days, and the run's dsr_trials and dsr_benchmark (the same value for every trader).
    """
    m = sharpe_moments(returns)
    n, sr, g3, g4 = m["days"], m["sharpe"], m["skew"], m["kurtosis"]
    usable = (n >= min_days) & np.isfinite(sr)
    sr = np.where(usable, sr, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        denom = 1.0 - g3 * sr + (g4 - 1.0) / 4.0 * sr * sr
        ok = usable & (denom > 0)
        root = np.sqrt(np.where(ok, denom, np.nan))
        psr = ndtr(sr * np.sqrt(n - 1.0) / root)

        # The run's trials: every trader with a Sharpe (or those marked), whatever their higher moments.
        counted = usable if deflate_over is None else np.asarray(deflate_over, dtype=bool) & usable
        trials = int(counted.sum())
        variance = float(np.var(sr[counted], ddof=1)) if trials >= 2 else math.nan
        benchmark = expected_max_sharpe(trials, variance)
        dsr = ndtr((sr - benchmark) * np.sqrt(n - 1.0) / root)

        z = ndtri(confidence)
        min_trl = np.where(ok & (sr > 0), 1.0 + denom * (z / sr) ** 2, np.nan)
    traders = n.shape[0]
    return {
        "days": n,
        "sharpe_daily": sr,
        "skew": np.where(ok, g3, np.nan),
        "kurtosis": np.where(ok, g4, np.nan),
        "psr": psr,
        "dsr": dsr,
        "min_track_record_days": min_trl,
        "dsr_trials": np.full(traders, float(trials)),
        "dsr_benchmark": np.full(traders, benchmark),
    }


def track_record_status(
    days, min_track_record_days, *, sharpe=None, min_days: int = DEFAULT_MIN_DAYS
) -> dict[str, np.ndarray]:
    """The board's badge per trader: {"code": codes, "more_days": days still needed (NaN when none applies)}.

    significant  the record is 95% significant already (n >= min_track_record_days)
    not_yet      more_days more days of this quality make it significant
    too_short    fewer than min_days returns; more_days until the statistics are computed at all
    no_edge      a Sharpe at or below 0 (given `sharpe`): no number of days makes it significant
    undefined    enough days, but no Sharpe (flat returns) or moments that give no answer
    """
    n = np.asarray(days, dtype=float)
    trl = np.asarray(min_track_record_days, dtype=float)
    code = np.full(n.shape, UNDEFINED, dtype=object)
    more = np.full(n.shape, np.nan)
    short = ~(n >= min_days)
    code[short] = TOO_SHORT
    more[short] = min_days - np.nan_to_num(n[short])
    known = ~short & np.isfinite(trl)
    done = known & (n >= trl)
    code[done] = SIGNIFICANT
    waiting = known & ~done
    code[waiting] = NOT_YET
    more[waiting] = np.ceil(trl[waiting] - n[waiting])
    if sharpe is not None:
        code[~short & (np.asarray(sharpe, dtype=float) <= 0)] = NO_EDGE
    return {"code": code, "more_days": more}


def block_length_for(days: int) -> int:
    """The expected block length of the stationary bootstrap for n returns: n^(1/3) rounded, at least 1."""
    return max(1, round(float(days) ** (1.0 / 3.0)))


def stationary_indices_from(starts: np.ndarray, uniforms: np.ndarray, p: float) -> np.ndarray:
    """Resample indices (B x n) from random block starts and uniforms, as arch's stationary_bootstrap_sample.

    Day k begins a new block at starts[:, k] when k == 0 or uniforms[:, k] <= p; otherwise it follows the previous
    day, wrapping round to 0 after n - 1.
    """
    replicates, n = starts.shape
    new_block = uniforms <= p
    new_block[:, 0] = True
    position = np.arange(n)
    block_start = np.maximum.accumulate(np.where(new_block, position, 0), axis=1)
    indices = np.take_along_axis(starts, block_start, axis=1) + (position - block_start)
    return indices % n


def resample_draws(seed: int, replicates: int, days: int) -> tuple[np.ndarray, np.ndarray]:
    """The run's random draws, B x days each: uniforms for the block starts, and uniforms for "a new block here".

    A trader with n returns and block length L uses the first n columns: starts floor(u_start * n) and a new block
    where u_new <= 1/L, so its resamples depend on (seed, B, days in the window, n) only.
    """
    rng = np.random.default_rng(seed)
    return rng.random((replicates, days)), rng.random((replicates, days))


def draw_counts(indices: np.ndarray, n: int) -> np.ndarray:
    """How many times each of the n days appears in each resample: B x n floats."""
    replicates = indices.shape[0]
    flat = (np.arange(replicates)[:, None] * n + indices).ravel()
    return np.bincount(flat, minlength=replicates * n).reshape(replicates, n).astype(float)


class _SharedBlocks:
    """stationary_indices_from for every n at once from one set of draws: the block structure depends only on the
    "new block" uniforms and L, so it is computed once per L and its first n columns serve every n."""

    def __init__(self, u_start: np.ndarray, u_new: np.ndarray):
        self.u_start, self.u_new = u_start, u_new
        self.by_length: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def _blocks(self, length: int) -> tuple[np.ndarray, np.ndarray]:
        if length not in self.by_length:
            days = self.u_new.shape[1]
            new_block = self.u_new <= 1.0 / length
            new_block[:, 0] = True
            position = np.arange(days, dtype=np.int32)
            block_start = np.where(new_block, position, np.int32(0))
            np.maximum.accumulate(block_start, axis=1, out=block_start)
            # The start uniform of each day's block, and the days since the block began.
            self.by_length[length] = (
                np.take_along_axis(self.u_start, block_start, axis=1),
                (position - block_start).astype(np.int32),
            )
        return self.by_length[length]

    def indices(self, n: int, length: int) -> np.ndarray:
        start_uniform, offset = self._blocks(length)
        first = np.minimum((start_uniform[:, :n] * n).astype(np.int32), n - 1)
        first += offset[:, :n]
        np.subtract(first, n, out=first, where=first >= n)  # both parts are below n: one wrap at most
        return first


def _compacted(r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each column's returns moved to the top in their order (NaN below), and each column's count."""
    missing = np.isnan(r)
    n = (~missing).sum(axis=0)
    if not missing.any():
        return r, n
    order = np.argsort(missing, axis=0, kind="stable")
    return np.take_along_axis(r, order, axis=0), n


def roi_bootstrap_samples(
    returns,
    *,
    replicates: int = DEFAULT_REPLICATES,
    block_length: int | None = None,
    seed: int = DEFAULT_SEED,
) -> np.ndarray:
    """B x traders resampled window ROIs (NaN for a trader without returns). The tests' and debug view of the
    bootstrap; `roi_interval_arrays` computes the same per chunk without keeping them."""
    r = _matrix(returns)
    out = np.full((replicates, r.shape[1]), np.nan)
    with _one_blas_thread():
        for columns, samples in _bootstrap_groups(r, replicates=replicates, block_length=block_length, seed=seed):
            out[:, columns] = samples
    return out


def _one_blas_thread():
    """Most groups of the bootstrap are narrow (a few late starters with the same n), where OpenBLAS's threads cost
    far more than the product (28 ms instead of 1 ms on a loaded 2-core machine); a worker scales by processes."""
    return threadpool_limits(limits=1, user_api="blas")


def _bootstrap_groups(r: np.ndarray, *, replicates: int, block_length: int | None, seed: int):
    """(column indices, B x columns resampled ROIs) for each group of traders with the same n, in chunks."""
    compact, counts_n = _compacted(r)
    with np.errstate(divide="ignore"):
        logs = np.log1p(np.maximum(compact, -1.0))
    # A total loss (log 0) becomes a very negative finite number: 0 draws of it must give 0, not NaN, in the product.
    np.maximum(logs, -1e6, out=logs)
    blocks = _SharedBlocks(*resample_draws(seed, replicates, r.shape[0]))
    for n in np.unique(counts_n):
        if n == 0:
            continue
        columns = np.flatnonzero(counts_n == n)
        length = block_length if block_length is not None else block_length_for(int(n))
        draws = draw_counts(blocks.indices(int(n), length), int(n))
        for lo in range(0, columns.size, CHUNK_TRADERS // 4):
            part = columns[lo : lo + CHUNK_TRADERS // 4]
            yield part, np.expm1(draws @ logs[:n, part])


def roi_interval_arrays(
    returns,
    *,
    level: float = DEFAULT_INTERVAL,
    replicates: int = DEFAULT_REPLICATES,
    block_length: int | None = None,
    seed: int = DEFAULT_SEED,
    min_days: int = DEFAULT_MIN_DAYS,
) -> dict[str, np.ndarray]:
    """roi_ci_low and roi_ci_high: the (1-level)/2 and (1+level)/2 percentiles (numpy's linear rule) of each
    trader's bootstrapped window ROI; NaN below min_days returns."""
    r = _matrix(returns)
    traders = r.shape[1]
    low, high = np.full(traders, np.nan), np.full(traders, np.nan)
    enough = (~np.isnan(r)).sum(axis=0) >= min_days
    tail = (1.0 - level) / 2.0
    kept = np.flatnonzero(enough)
    with _one_blas_thread():
        groups = _bootstrap_groups(r[:, kept], replicates=replicates, block_length=block_length, seed=seed)
        for columns, samples in groups:
            target = kept[columns]
            low[target], high[target] = np.quantile(samples, [tail, 1.0 - tail], axis=0)
    return {"roi_ci_low": low, "roi_ci_high": high}
