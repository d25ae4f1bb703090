"""leaderboard.vault_history: Hyperliquid vault histories as the performance export; bad files get a clear error."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaderboard.vault_history import VaultHistoryError, performance_lines, vault_days

HEAD = "vault_address,timestamp,value"
DAY = 86_400_000
T0 = 1_736_899_200_000  # 2025-01-15 00:00 UTC


def test_flows_are_what_moved_the_account_value_but_not_the_pnl_and_a_day_keeps_its_last_sample():
    values = [HEAD, f"0xAB,{T0},0.0", f"0xAB,{T0 + 3_600_000},10141.869189", f"0xAB,{T0 + 7 * DAY},12234.335379"]
    values.append(f"0xAB,{T0 + 14 * DAY},12607.2290814")
    pnls = [HEAD, f"0xAB,{T0},0.0", f"0xAB,{T0 + 3_600_000},928.151836", f"0xAB,{T0 + 7 * DAY},-3002.771037"]
    pnls.append(f"0xAB,{T0 + 14 * DAY},-2629.877335")
    days = vault_days(values, pnls)
    assert [(d.vault, d.day) for d in days] == [
        ("0xab", date(2025, 1, 15)),
        ("0xab", date(2025, 1, 22)),
        ("0xab", date(2025, 1, 29)),
    ]
    # Independent: contributions C = value - pnl; flow = change in C; first row: C itself.
    c = [Decimal("10141.869189") - Decimal("928.151836"), Decimal("12234.335379") + Decimal("3002.771037")]
    c.append(Decimal("12607.2290814") + Decimal("2629.877335"))
    assert [d.net_flow for d in days] == [c[0], c[1] - c[0], (c[2] - c[1]).quantize(Decimal("1e-8"))]
    assert days[2].equity == Decimal("12607.22908140")  # rounded to the export's 8 places
    lines = list(performance_lines(days))
    assert lines[0] == "exchange_uid,date,equity,net_flow\n"
    assert lines[1] == "0xab,2025-01-15,10141.86918900,9213.71735300\n"


@pytest.mark.parametrize(
    ("values", "pnls", "message"),
    [
        (["a,b,c", "0x1,1,1"], [HEAD, "0x1,1,1"], "header must be vault_address,timestamp,value"),
        ([HEAD, "0x1,1,1"], [HEAD, "0x1,2,1"], "different samples"),
        ([HEAD, "0x1,soon,1"], [HEAD, "0x1,1,1"], "line 2"),
        ([HEAD, "0x1,1,NaN"], [HEAD, "0x1,1,1"], "not a finite number"),
        ([HEAD, "0x1,1"], [HEAD, "0x1,1,1"], "is not address,milliseconds,number"),
        ([HEAD, "0x1,99999999999999999999,1"], [HEAD, "0x1,1,1"], "timestamp out of range"),
        ([HEAD, ",1,1"], [HEAD, ",1,1"], "no vault"),
    ],
)
def test_files_that_do_not_match_are_refused_with_a_clear_message(values, pnls, message):
    with pytest.raises(VaultHistoryError, match=message):
        vault_days(values, pnls)


line = st.one_of(
    st.text(max_size=40),
    st.builds(
        lambda v, t, x: f"{v},{t},{x}",
        st.sampled_from(["0x1", "0x2", ""]),
        st.integers(-(10**20), 10**20),
        st.text(max_size=12),
    ),
)


@given(st.lists(line, max_size=6), st.lists(line, max_size=6))
@settings(max_examples=200, deadline=None)
def test_random_files_give_rows_or_a_clear_error_never_a_crash(values, pnls):
    try:
        days = vault_days([HEAD, *values], [HEAD, *pnls])
    except VaultHistoryError as exc:
        assert str(exc)
    else:
        assert all(d.equity.is_finite() and d.net_flow.is_finite() for d in days)
