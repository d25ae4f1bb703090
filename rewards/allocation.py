"""Splitting a pool into payout amounts, pure (no Django): Decimal pool + weights in, exact cents out.

Every split works in the pool's smallest unit (cents by default) with exact fractions, then places the
rounding remainder by largest remainder: each share is floored and the leftover units go one each to the
largest fractional parts, ties to the earlier entry in the input order (callers pass a deterministic order,
e.g. by rank then trader id). When anyone is eligible the amounts sum exactly to the pool, unless caps or the
tier table leave money over; that part is returned as `unspent`, never lost and never overpaid.
"""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Allocation:
    amounts: dict  # key -> Decimal, in input order; ineligible keys get Decimal 0
    paid: Decimal
    unspent: Decimal
    notes: dict = field(default_factory=dict)  # key -> dict of how the amount came about


def _units(amount: Decimal, unit: Decimal, what: str) -> int:
    amount = Decimal(amount)
    if amount < 0:
        raise ValueError(f"{what} must not be negative, got {amount}")
    units = amount / unit
    if units != units.to_integral_value():
        raise ValueError(f"{what} {amount} is not a whole number of {unit}")
    return int(units)


def _fraction(weight) -> Fraction:
    # str() first so a float score gives the same fraction on every machine and run.
    value = Fraction(Decimal(str(weight)))
    if value < 0:
        raise ValueError(f"weights must not be negative, got {weight}")
    return value


def _largest_remainder(shares: list[Fraction], units: int) -> list[int]:
    """Floor each exact share and hand the `units - sum(floors)` leftover units to the largest remainders."""
    floors = [int(share) for share in shares]  # shares are non-negative, so int() floors
    leftover = units - sum(floors)
    order = sorted(range(len(shares)), key=lambda i: (-(shares[i] - floors[i]), i))
    for i in order[:leftover]:
        floors[i] += 1
    return floors


def split_proportional(
    *,
    total: Decimal,
    keys: Sequence[Hashable],
    weights: Sequence,
    cap: Decimal | None = None,
    unit: Decimal = CENT,
) -> Allocation:
    """Split `total` in proportion to `weights`; an optional per-key `cap` whose excess goes to the others.

    Keys with weight 0 get nothing. With a cap, anyone whose share would exceed it is fixed at the cap and the
    rest is split again among the others (water filling); only when everyone is capped is money left unspent.
    """
    if len(keys) != len(weights):
        raise ValueError("keys and weights must have the same length")
    if len(set(keys)) != len(keys):
        raise ValueError("keys must be unique")
    total_units = _units(total, unit, "pool")
    cap_units = None if cap is None else _units(cap, unit, "cap")
    fractions = [_fraction(w) for w in weights]
    result = [0] * len(keys)
    active = [i for i, w in enumerate(fractions) if w > 0]
    capped: set[int] = set()
    remaining = total_units
    while active:
        weight_sum = sum(fractions[i] for i in active)
        shares = {i: remaining * fractions[i] / weight_sum for i in active}
        over = [i for i in active if cap_units is not None and shares[i] > cap_units]
        if not over:
            for i, units in zip(active, _largest_remainder([shares[i] for i in active], remaining), strict=True):
                result[i] = units
            remaining = 0
            break
        for i in over:
            result[i] = cap_units
            capped.add(i)
        remaining -= cap_units * len(over)
        active = [i for i in active if i not in capped]
    amounts = {key: unit * units for key, units in zip(keys, result, strict=True)}
    paid = unit * sum(result)
    notes = {keys[i]: {"capped": i in capped} for i in range(len(keys)) if fractions[i] > 0}
    return Allocation(amounts=amounts, paid=paid, unspent=Decimal(total) - paid, notes=notes)


def split_tiers(
    *,
    total: Decimal,
    keys: Sequence[Hashable],
    scores: Sequence,
    tiers: Sequence[Decimal],
    unit: Decimal = CENT,
) -> Allocation:
    """Pay a tier table by position: keys in rank order, equal scores are a tie.

    Traders tied across tier boundaries share the tiers their positions cover equally (positions past the end
    of the table are worth 0), with the cents of an uneven share going to the earlier ones in input order.
    Tiers nobody reaches (fewer eligible traders than tiers) are unspent. The tier table may not exceed `total`.
    """
    if len(keys) != len(scores):
        raise ValueError("keys and scores must have the same length")
    if len(set(keys)) != len(keys):
        raise ValueError("keys must be unique")
    total_units = _units(total, unit, "pool")
    tier_units = [_units(t, unit, "tier") for t in tiers]
    if sum(tier_units) > total_units:
        raise ValueError(f"the tier table ({sum(tiers)}) exceeds the pool ({total})")
    result = [0] * len(keys)
    notes: dict = {}
    position = 0
    while position < len(keys) and position < len(tier_units):
        end = position + 1
        while end < len(keys) and scores[end] == scores[position]:
            end += 1
        group_units = sum(tier_units[position:end])
        group_size = end - position
        shares = _largest_remainder([Fraction(group_units, group_size)] * group_size, group_units)
        for offset, i in enumerate(range(position, end)):
            result[i] = shares[offset]
            notes[keys[i]] = {
                "position": position + 1,
                "tiers": [str(unit * u) for u in tier_units[position:end]],
                "tied_with": group_size - 1,
            }
        position = end
    amounts = {key: unit * units for key, units in zip(keys, result, strict=True)}
    paid = unit * sum(result)
    return Allocation(amounts=amounts, paid=paid, unspent=Decimal(total) - paid, notes=notes)


def split_fixed(
    *,
    keys: Sequence[Hashable],
    amount: Decimal,
    budget: Decimal | None = None,
    unit: Decimal = CENT,
) -> Allocation:
    """A fixed amount per key, first come first served (input order) until an optional budget runs out."""
    amount_units = _units(amount, unit, "amount")
    budget_units = None if budget is None else _units(budget, unit, "budget")
    result, spent = [], 0
    for _key in keys:
        fits = budget_units is None or spent + amount_units <= budget_units
        result.append(amount_units if fits else 0)
        spent += result[-1]
    amounts = {key: unit * units for key, units in zip(keys, result, strict=True)}
    notes = {key: {"over_budget": units == 0 and amount_units > 0} for key, units in zip(keys, result, strict=True)}
    paid = unit * spent
    unspent = Decimal(0) if budget is None else unit * budget_units - paid
    return Allocation(amounts=amounts, paid=paid, unspent=unspent, notes=notes)
