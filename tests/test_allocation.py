"""rewards.allocation: exact cents, largest remainder, caps, tier ties (examples + hypothesis properties)."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rewards.allocation import split_fixed, split_proportional, split_tiers

D = Decimal
PHASE2_TIERS = [D(x) for x in ["5000", "3500", "2500", "2000", "1500", "1500", "1000", "1000", "1000", "1000"]]


def test_three_equal_weights_put_the_odd_cent_on_the_first():
    result = split_proportional(total=D("100"), keys=["a", "b", "c"], weights=[1, 1, 1])
    # 100/3 = 33.333..: one leftover cent, all remainders equal -> first in input order.
    assert result.amounts == {"a": D("33.34"), "b": D("33.33"), "c": D("33.33")}
    assert result.paid == D("100") and result.unspent == 0


def test_largest_remainder_not_first_come():
    # shares of 1.00: 0.1667, 0.3333, 0.5 -> floors 0.16, 0.33, 0.50 (sum 0.99); largest remainder is a (0.67 cent)
    result = split_proportional(total=D("1"), keys=["a", "b", "c"], weights=[1, 2, 3])
    assert result.amounts == {"a": D("0.17"), "b": D("0.33"), "c": D("0.50")}


def test_cap_excess_is_redistributed_and_unspent_only_when_all_capped():
    # 500 split 6:3:1 = 300/150/50; cap 200 -> a 200, the other 300 split 3:1 = 225/75 -> b capped at 200, c 100.
    result = split_proportional(total=D("500"), keys=["a", "b", "c"], weights=[6, 3, 1], cap=D("200"))
    assert result.amounts == {"a": D("200"), "b": D("200"), "c": D("100")}
    assert result.unspent == 0
    everyone_capped = split_proportional(total=D("500"), keys=["a", "b"], weights=[1, 1], cap=D("100"))
    assert everyone_capped.paid == D("200") and everyone_capped.unspent == D("300")


def test_nobody_eligible_leaves_the_pool_unspent():
    result = split_proportional(total=D("500"), keys=["a", "b"], weights=[0, 0])
    assert result.paid == 0 and result.unspent == D("500")


def test_tiers_phase2_full_table_and_fewer_traders():
    keys = [f"t{i}" for i in range(12)]
    full = split_tiers(total=D("20000"), keys=keys, scores=list(range(12, 0, -1)), tiers=PHASE2_TIERS)
    assert [full.amounts[k] for k in keys] == PHASE2_TIERS + [D(0), D(0)]
    assert full.paid == D("20000") and full.unspent == 0
    few = split_tiers(total=D("20000"), keys=keys[:3], scores=[3, 2, 1], tiers=PHASE2_TIERS)
    assert few.paid == D("11000") and few.unspent == D("9000")


def test_tie_across_tier_boundaries_shares_those_tiers():
    # Positions 2-4 tied: (3500 + 2500 + 2000) / 3 = 2666.666.. -> 2666.67, 2666.67, 2666.66
    scores = [9, 8, 8, 8, 7, 6, 5, 4, 3, 2, 1]
    keys = list("abcdefghijk")
    result = split_tiers(total=D("20000"), keys=keys, scores=scores, tiers=PHASE2_TIERS)
    assert [result.amounts[k] for k in "bcd"] == [D("2666.67"), D("2666.67"), D("2666.66")]
    assert result.amounts["a"] == D("5000") and result.amounts["e"] == D("1500")
    # A tie at the last paid position shares tier 10 with the position past the table.
    tail = split_tiers(total=D("20000"), keys=keys, scores=[*scores[:9], 1, 1], tiers=PHASE2_TIERS)
    assert tail.amounts["j"] == D("500") and tail.amounts["k"] == D("500")
    assert tail.paid == D("20000")


def test_fixed_first_come_first_served_under_budget():
    result = split_fixed(keys=["a", "b", "c"], amount=D("30"), budget=D("70"))
    assert result.amounts == {"a": D("30"), "b": D("30"), "c": D("0")}
    assert result.unspent == D("10") and result.notes["c"]["over_budget"]


def test_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match="whole number"):
        split_proportional(total=D("1.005"), keys=["a"], weights=[1])
    with pytest.raises(ValueError, match="negative"):
        split_proportional(total=D("1"), keys=["a"], weights=[-1])
    with pytest.raises(ValueError, match="exceeds"):
        split_tiers(total=D("100"), keys=["a"], scores=[1], tiers=[D("101")])


cents = st.integers(min_value=0, max_value=10**9).map(lambda c: D(c) / 100)
weight = st.one_of(st.integers(min_value=0, max_value=10**6), st.floats(min_value=0, max_value=1e6, allow_nan=False))


@settings(max_examples=200, deadline=None)
@given(total=cents, weights=st.lists(weight, min_size=1, max_size=30), cap=st.one_of(st.none(), cents))
def test_proportional_properties(total, weights, cap):
    keys = list(range(len(weights)))
    result = split_proportional(total=total, keys=keys, weights=weights, cap=cap)
    assert all(isinstance(a, Decimal) and a >= 0 and a == a.quantize(D("0.01")) for a in result.amounts.values())
    assert sum(result.amounts.values()) == result.paid <= total
    assert result.paid + result.unspent == total
    eligible = [k for k, w in zip(keys, weights, strict=True) if w > 0]
    if cap is not None:
        assert all(a <= cap for a in result.amounts.values())
    if eligible and (cap is None or cap * len(eligible) >= total):
        assert result.paid == total  # everything is paid when the caps allow it
    assert all(result.amounts[k] == 0 for k, w in zip(keys, weights, strict=True) if w == 0)
    # Deterministic: the same input gives the same split.
    assert split_proportional(total=total, keys=keys, weights=weights, cap=cap) == result


@settings(max_examples=200, deadline=None)
@given(
    total=st.integers(min_value=0, max_value=10**6).map(lambda c: D(c) / 100),
    weights=st.lists(st.integers(min_value=1, max_value=1000), min_size=2, max_size=20),
)
def test_more_weight_never_gets_less(total, weights):
    keys = list(range(len(weights)))
    result = split_proportional(total=total, keys=keys, weights=weights)
    for i in keys:
        for j in keys:
            if weights[i] > weights[j]:
                assert result.amounts[i] >= result.amounts[j]


@settings(max_examples=200, deadline=None)
@given(scores=st.lists(st.integers(min_value=0, max_value=5), min_size=0, max_size=15))
def test_tier_properties(scores):
    scores = sorted(scores, reverse=True)
    keys = list(range(len(scores)))
    result = split_tiers(total=D("20000"), keys=keys, scores=scores, tiers=PHASE2_TIERS)
    assert result.paid + result.unspent == D("20000") and result.paid == sum(result.amounts.values())
    if len(scores) >= len(PHASE2_TIERS):
        assert result.paid == D("20000")
    # Tied traders get the same amount to the cent (or one cent apart), and a better score never gets less.
    for i in keys:
        for j in keys:
            if scores[i] == scores[j]:
                assert abs(result.amounts[i] - result.amounts[j]) <= D("0.01")
            elif scores[i] > scores[j]:
                assert result.amounts[i] >= result.amounts[j]
