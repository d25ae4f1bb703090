"""manage.py import_performance: a good file, every kind of bad file (nothing half-applied), a re-import."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import LeadTraderFactory
from traders.models import DailyEquity, LeadTrader
from traders.performance_import import parse_performance_csv

HEADER = "exchange_uid,date,equity,net_flow,closed_positions,winning_positions,followers,aum\n"
GOOD = HEADER + (
    "UID1,2026-02-10,1000,0,3,2,10,5000\n"
    "UID1,2026-02-11,1100,50,4,3,12,5200.5\n"
    "UID1,2026-02-12,1050.25,-100,,,,\n"
    "UID2,2026-02-11,200,0,1,1,0,\n"
)


@pytest.fixture
def traders(db):
    for uid in ("UID1", "UID2"):
        LeadTraderFactory(display_name=uid, exchange_uid=uid, active=True)


def write(tmp_path, text, name="perf.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def table():
    return list(DailyEquity.objects.order_by("trader_id", "date").values())


def test_a_good_file_is_imported_with_deposit_neutral_returns(traders, tmp_path, capsys):
    call_command("import_performance", write(tmp_path, GOOD))
    out = capsys.readouterr().out
    assert "Imported 4 rows for 2 traders: 4 new, 0 changed, 0 unchanged." in out
    uid1 = LeadTrader.objects.get(exchange_uid="UID1")
    day2 = DailyEquity.objects.get(trader=uid1, date=date(2026, 2, 11))
    assert day2.source == DailyEquity.Source.IMPORT
    assert day2.pnl == Decimal("50")  # 1100 - 1000 - 50 deposited: the deposit is not profit
    # Modified Dietz: the deposit's time is unknown, so it worked half the day: capital 1000 + 50 / 2.
    assert day2.daily_return == (Decimal("50") / Decimal("1025")).quantize(Decimal("1e-16"))
    assert day2.step_days == 1 and day2.weighted_flow is None
    assert day2.aum == Decimal("5200.5") and day2.winning_positions == 3
    day3 = DailyEquity.objects.get(trader=uid1, date=date(2026, 2, 12))
    assert day3.pnl == Decimal("50.25") and day3.closed_positions is None  # withdrawal of 100 is not a loss


def test_a_reimport_changes_nothing(traders, tmp_path, capsys):
    path = write(tmp_path, GOOD)
    call_command("import_performance", path)
    before = table()
    call_command("import_performance", path)
    assert table() == before
    assert "0 new, 0 changed, 4 unchanged." in capsys.readouterr().out


def test_a_corrected_file_changes_only_what_changed(traders, tmp_path, capsys):
    call_command("import_performance", write(tmp_path, GOOD))
    call_command("import_performance", write(tmp_path, GOOD.replace("1100,50", "1110,50"), "fixed.csv"))
    assert "0 new, 1 changed, 3 unchanged." in capsys.readouterr().out
    uid1 = LeadTrader.objects.get(exchange_uid="UID1")
    assert DailyEquity.objects.get(trader=uid1, date=date(2026, 2, 12)).pnl == Decimal("40.25")  # recomputed


BAD_FILES = {
    "unknown uid": (GOOD + "NOPE,2026-02-11,10,0,,,,\n", ["line 6: unknown exchange_uid 'NOPE'"]),
    "bad date": (GOOD + "UID2,2026-02-30,10,0,,,,\n", ["line 6: date '2026-02-30' is not a calendar date"]),
    "date format": (GOOD + "UID2,11/02/2026,10,0,,,,\n", ["line 6: date '11/02/2026' is not YYYY-MM-DD"]),
    "non-numeric equity": (GOOD + "UID2,2026-02-12,abc,0,,,,\n", ["line 6: equity 'abc' is not a number"]),
    "negative equity": (GOOD + "UID2,2026-02-12,-5,0,,,,\n", ["line 6: equity -5 is negative"]),
    "infinite equity": (GOOD + "UID2,2026-02-12,Infinity,0,,,,\n", ["line 6: equity 'Infinity' is not a finite"]),
    "non-numeric flow": (GOOD + "UID2,2026-02-12,5,x,,,,\n", ["line 6: net_flow 'x' is not a number"]),
    "duplicate": (GOOD + "UID1,2026-02-11,1,0,,,,\n", ["line 6: duplicate of line 3 (UID1, 2026-02-11)"]),
    "wins above closed": (GOOD + "UID2,2026-02-12,5,0,1,2,,\n", ["line 6: winning_positions exceeds closed_positions"]),
    "negative count": (GOOD + "UID2,2026-02-12,5,0,-1,,,\n", ["line 6: closed_positions '-1' is not a whole number"]),
    "too many places": (GOOD + "UID2,2026-02-12,5.123456789,0,,,,\n", ["more than 8 decimal places"]),
    "short row": (GOOD + "UID2,2026-02-12,5\n", ["line 6: expected 8 fields, found 3"]),
    "bad header": ("uid,date,equity,net_flow\nUID1,2026-02-10,1,0\n", ["line 1: the header must start with"]),
    "unknown column": ("exchange_uid,date,equity,net_flow,color\n", ["line 1: unknown or repeated columns: color"]),
    "empty": ("", ["line 1: the file is empty"]),
    "several errors": (
        GOOD + "NOPE,2026-13-01,-1,0,,,,\n",
        ["line 6: unknown exchange_uid", "line 6: date '2026-13-01' is not a calendar date", "equity -1 is negative"],
    ),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_is_rejected_whole_with_line_numbers(traders, tmp_path, case):
    text, expected = BAD_FILES[case]
    with pytest.raises(CommandError) as error:
        call_command("import_performance", write(tmp_path, text))
    for fragment in expected:
        assert fragment in str(error.value)
    assert not DailyEquity.objects.exists()  # the good lines before the bad one were not applied either


def test_a_bad_file_leaves_earlier_imports_untouched(traders, tmp_path):
    call_command("import_performance", write(tmp_path, GOOD))
    before = table()
    with pytest.raises(CommandError):
        call_command("import_performance", write(tmp_path, GOOD.replace("1100,50", "1100,5O"), "bad.csv"))
    assert table() == before


def test_a_missing_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_performance", str(tmp_path / "missing.csv"))


def test_the_optional_columns_may_be_left_out(traders, tmp_path):
    call_command("import_performance", write(tmp_path, "exchange_uid,date,equity,net_flow\nUID2,2026-02-11,200,0\n"))
    assert DailyEquity.objects.get().followers is None


# ---- the parser alone, on generated files (pure: no database) ----

UIDS = {"UID1": 1, "UID2": 2, "UID3": 3}
money = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
flow = st.decimals(min_value=-(10**6), max_value=10**6, places=2, allow_nan=False, allow_infinity=False)
row = st.tuples(st.sampled_from(sorted(UIDS)), st.dates(date(2020, 1, 1), date(2025, 12, 31)), money, flow)
good_rows = st.lists(row, min_size=1, max_size=40, unique_by=lambda r: (r[0], r[1]))


@settings(max_examples=60, deadline=None)
@given(rows=good_rows)
def test_any_valid_file_parses_completely_and_exactly(rows):
    lines = ["exchange_uid,date,equity,net_flow"] + [f"{u},{d.isoformat()},{e},{f}" for u, d, e, f in rows]
    result = parse_performance_csv(lines, known_uids=UIDS)
    assert result.errors == []
    assert [(r["trader_id"], r["date"], r["equity"], r["net_flow"]) for r in result.rows] == [
        (UIDS[u], d, e, f) for u, d, e, f in rows
    ]


@settings(max_examples=60, deadline=None)
@given(rows=good_rows, data=st.data())
def test_one_bad_cell_anywhere_is_reported_on_its_line_and_nothing_is_returned(rows, data):
    index = data.draw(st.integers(0, len(rows) - 1))
    column = data.draw(st.sampled_from(["exchange_uid", "date", "equity"]))
    lines = ["exchange_uid,date,equity,net_flow"] + [f"{u},{d.isoformat()},{e},{f}" for u, d, e, f in rows]
    u, d, e, f = rows[index]
    bad = {
        "exchange_uid": f"NOPE,{d.isoformat()},{e},{f}",
        "date": f"{u},2026-02-30,{e},{f}",
        "equity": f"{u},{d},-1,{f}",
    }
    lines[index + 1] = bad[column]
    result = parse_performance_csv(lines, known_uids=UIDS)
    assert result.rows == []
    assert result.errors and all(error.startswith(f"line {index + 2}: ") for error in result.errors)
