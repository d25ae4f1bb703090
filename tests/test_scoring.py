"""Pure scoring (rules as data, eligibility, percentile blend, tie-breaks) and the anti-gaming flags."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaderboard import flags
from leaderboard.scoring import DEFAULT_RULES, RulesError, rules_validate, rules_version, score_and_rank


def _table(**columns) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    base = {
        "trader_id": list(range(1, n + 1)),
        "enrolled_at": pd.to_datetime(["2026-02-13"] * n, utc=True),
        "approved": [True] * n,
        "equity": [1000.0] * n,
        "trades": [10.0] * n,
        "active_days": [20.0] * n,
        "pnl": [0.0] * n,
        "flags": [[] for _ in range(n)],
        "roi": [0.0] * n,
        "sharpe": [0.0] * n,
        "max_drawdown": [-0.1] * n,
        "win_rate": [0.5] * n,
    }
    base.update(columns)
    return pd.DataFrame(base)


def test_defaults_validate_and_carry_a_content_version():
    rules = rules_validate(None)
    assert rules["score"]["weights"] == DEFAULT_RULES["score"]["weights"]
    changed = rules_validate({"eligibility": {"min_equity": 500}})
    assert changed["eligibility"]["min_equity"] == 500 and changed["eligibility"]["min_trades"] == 0
    assert rules_version(rules) != rules_version(changed)
    assert rules_version(rules) == rules_version(rules_validate({}))


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"score": {"method": "percentile_blend", "weights": {"luck": 1}}}, "'luck' is not a metric"),
        ({"score": {"method": "metric", "metric": "vibes"}}, "score.metric must be one of"),
        ({"score": {"method": "best"}}, "score.method must be"),
        ({"score": {"weights": {"roi": -1}}}, "score.weights.roi must be at least 0"),
        ({"score": {"weights": {"roi": 0}}}, "add up to more than 0"),
        ({"eligibility": {"min_equity": "lots"}}, "eligibility.min_equity must be a number"),
        ({"eligibility": {"min_trades": 1.5}}, "whole number"),
        ({"eligibility": {"exclude_flags": ["bad_vibes"]}}, "exclude_flags must be a list of"),
        ({"eligibility": {"min_equty": 5}}, "unknown field(s) min_equty"),
        ({"flags": {"mirror": {"min_correlation": 2}}}, "between 0 and 1"),
        ({"colour": "red"}, "unknown field(s) colour"),
        ("roi", "rules must be an object"),
    ],
)
def test_bad_rules_are_refused_with_a_clear_message(rules, message):
    with pytest.raises(RulesError, match=message.replace("(", r"\(").replace(")", r"\)")):
        rules_validate(rules)


def test_floors_make_traders_ineligible_with_every_reason():
    table = _table(
        roi=[0.1, 0.2, 0.3, 0.4, 0.5],
        approved=[True, False, True, True, True],
        equity=[1000.0, 1000.0, 50.0, 1000.0, 1000.0],
        trades=[10.0, 10.0, 10.0, 0.0, 10.0],
        flags=[[], [], [], [], ["no_fills_behind_equity"]],
    )
    out = score_and_rank(table, rules_validate({"eligibility": {"min_trades": 1}}))
    assert out["reasons"].tolist() == [
        [],
        ["enrolment_not_approved"],
        ["equity_below_floor"],
        ["too_few_trades"],
        ["flagged"],
    ]
    assert out["rank"].tolist()[0] == 1 and out["rank"].isna().sum() == 4
    assert out["score"].isna().tolist() == [False, True, True, True, True]


def test_no_data_is_one_plain_reason():
    out = score_and_rank(_table(roi=[0.1, np.nan], days=[30.0, 0.0], trades=[5.0, 0.0]), rules_validate(None))
    assert out["reasons"].tolist() == [[], ["no_data"]]


def test_review_only_flags_do_not_exclude():
    out = score_and_rank(_table(roi=[0.1, 0.2], flags=[[], ["mirror_returns"]]), rules_validate(None))
    assert out["eligible"].all() and out["rank"].tolist() == [2.0, 1.0]


def test_percentile_blend_weights_and_direction():
    table = _table(
        roi=[0.1, 0.3, 0.2],
        sharpe=[1.0, 1.0, 1.0],
        max_drawdown=[-0.5, -0.1, -0.3],
        win_rate=[np.nan, 0.6, 0.4],
    )
    out = score_and_rank(table, rules_validate(None))
    # roi pct 1/3, 1, 2/3; sharpe all tied at 2/3; drawdown closer to 0 is better; a missing win rate counts 0.
    assert out["pct_roi"].tolist() == pytest.approx([1 / 3, 1, 2 / 3])
    assert out["pct_sharpe"].tolist() == pytest.approx([2 / 3] * 3)
    assert out["pct_max_drawdown"].tolist() == pytest.approx([1 / 3, 1, 2 / 3])
    assert out["pct_win_rate"].tolist() == pytest.approx([0, 1, 0.5])
    expected = [100 * (0.4 / 3 + 0.3 * 2 / 3 + 0.2 / 3), 100.0 * (0.4 + 0.2 + 0.2 + 0.1), None]
    assert out["score"][0] == pytest.approx(expected[0])
    assert out["rank"].tolist() == [3.0, 1.0, 2.0]


def test_ties_break_on_pnl_then_enrolment_then_id():
    table = _table(
        roi=[0.1] * 4,
        pnl=[5.0, 9.0, 5.0, 5.0],
        enrolled_at=pd.to_datetime(["2026-02-14", "2026-02-14", "2026-02-13", "2026-02-14"], utc=True),
    )
    out = score_and_rank(table, rules_validate(None))
    assert out["score"].nunique() == 1
    # id 2 has the most pnl; id 3 enrolled first; ids 1 and 4 tie on everything else, the lower id wins.
    assert out.sort_values("rank")["trader_id"].tolist() == [2, 3, 1, 4]


def test_single_metric_score_lower_is_better_and_missing_value():
    rules = rules_validate({"score": {"method": "metric", "metric": "volatility"}})
    out = score_and_rank(_table(roi=[0.0] * 3, volatility=[0.5, np.nan, 0.2]), rules)
    assert out["rank"].tolist()[0] == 2 and out["rank"].tolist()[2] == 1
    assert out["reasons"][1] == ["no_score"]
    assert out["score"][2] == pytest.approx(0.2)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.one_of(st.floats(-1, 5), st.just(float("nan"))), st.floats(-100, 100), st.booleans()),
        min_size=1,
        max_size=25,
    )
)
def test_ranks_are_a_permutation_of_the_eligible_and_order_independent(rows):
    table = _table(roi=[r for r, _, _ in rows], pnl=[p for _, p, _ in rows], approved=[a for _, _, a in rows])
    rules = rules_validate(None)
    out = score_and_rank(table, rules)
    ranks = sorted(out.loc[out["eligible"], "rank"].astype(int))
    assert ranks == list(range(1, int(out["eligible"].sum()) + 1))
    shuffled = score_and_rank(table.iloc[::-1].reset_index(drop=True), rules)
    assert dict(zip(out["trader_id"], out["rank"].fillna(0), strict=True)) == dict(
        zip(shuffled["trader_id"], shuffled["rank"].fillna(0), strict=True)
    )


# Flags


def test_tiny_capital_flag_uses_a_capital_floor():
    flagged, on_floor = flags.tiny_capital_high_roi(
        roi=np.array([2.0, 2.0, 0.1]),
        pnl=np.array([300.0, 20000.0, 10.0]),
        capital=np.array([150.0, 10000.0, 100.0]),
        capital_floor=1000,
        min_roi=0.5,
    )
    assert flagged.tolist() == [True, False, False]
    assert on_floor.tolist() == pytest.approx([0.3, 2.0, 0.01])


def test_large_deposit_before_end():
    equity = np.array([[1000, 1000], [1000, 1000], [1000, 1000], [11000, 1100]], dtype=float)
    flow = np.array([[0, 0], [0, 0], [0, 0], [10000, 100]], dtype=float)
    flagged, fraction = flags.large_deposit_before_end(
        flows=flow, equity=equity, opening_equity=np.array([1000.0, 1000.0]), days=2, min_fraction=0.5
    )
    assert flagged.tolist() == [True, False]
    assert fraction.tolist() == pytest.approx([10.0, 0.1])


def test_no_fills_behind_equity():
    out = flags.no_fills_behind_equity(roi=np.array([0.2, 0.2, 0.0]), evidence=np.array([0, 3, 0]), min_abs_roi=0.001)
    assert out.tolist() == [True, False, False]


def test_correlation_matches_pandas_pairwise_and_finds_mirrors():
    rng = np.random.default_rng(1)
    r = rng.normal(0, 0.02, size=(60, 6))
    r[:, 3] = r[:, 0] + rng.normal(0, 1e-5, 60)  # a copycat
    r[:10, 4] = np.nan  # a late starter
    r[:, 5] = np.nan
    r[:3, 5] = r[:3, 1]  # too little overlap to judge
    corr = flags.correlation_matrix(r, min_overlap_days=7)
    expected = pd.DataFrame(r).corr(min_periods=7).to_numpy()
    np.fill_diagonal(expected, np.nan)
    np.testing.assert_allclose(corr, expected, rtol=1e-9, atol=1e-12)
    pairs = flags.mirror_pairs(r, candidates=np.arange(6), min_correlation=0.99, min_overlap_days=7)
    assert [(i, j) for i, j, _ in pairs] == [(0, 3)]


def test_a_record_without_trade_data_is_scored_without_the_trade_metrics():
    # Trader 3 has no trade data: its win rate (NaN) neither counts 0 nor takes a share of the weights.
    table = _table(
        roi=[0.1, 0.2, 0.3],
        sharpe=[1.0, 2.0, 3.0],
        max_drawdown=[-0.3, -0.2, -0.1],
        win_rate=[0.9, 0.4, np.nan],
        trades=[10.0, 10.0, 0.0],
        trade_data=[True, True, False],
    )
    out = score_and_rank(table, rules_validate(None))
    assert out["eligible"].all()
    # Independent: percentiles among the three (roi, sharpe, drawdown: 1/3, 2/3, 1) and among the two with trades
    # (win rate: 1 and 1/2); weights 0.4 / 0.3 / 0.2 / 0.1.
    expected = [
        100 * (0.4 / 3 + 0.3 / 3 + 0.2 / 3 + 0.1 * 1.0),
        100 * (0.4 * 2 / 3 + 0.3 * 2 / 3 + 0.2 * 2 / 3 + 0.1 * 0.5),
        100 * (0.4 + 0.3 + 0.2) / 0.9,
    ]
    assert out["score"].tolist() == pytest.approx(expected, rel=1e-12)
    assert np.isnan(out["pct_win_rate"][2])
