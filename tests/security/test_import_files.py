"""Hole 11: every bad operator file is refused whole, with line numbers, no traceback, and nothing written.

The attack: files the three imports (import_performance, import_posts, import_series) answered with a traceback (a
field over csv's 131,072-character limit, 2026-02-30, a NUL, counts past the integer column, a 33-character series
code) or, worse, accepted (series dates with trailing junk, performance rows dated 2099 or year 1, a net flow of
-1e20). The bounds are core.input_bounds: dates from 2009-01-03 (market series: 1900-01-01) to today, amounts at
most 10^15 in size, counts at most 2,147,483,647, no control characters.
"""

import os
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from campaigns.models import Post
from core.models import AuditEvent
from regime.models import MarketSeries, Observation
from tests.factories import LeadTraderFactory
from tests.payouts_helpers import phase2, trader
from tests.security.support import POSTS_HEADER, write
from tests.test_posts_originality import EN
from traders.models import DailyEquity

pytestmark = pytest.mark.django_db

HUGE = "9" * 140_000  # past csv.field_size_limit() (131,072)
TOMORROW = (timezone.now() + timedelta(days=2)).date().isoformat()
PERF_HEADER = "exchange_uid,date,equity,net_flow,closed_positions,winning_positions,followers,aum\n"


def _refused(command: str, path: str, *args) -> str:
    with pytest.raises(CommandError) as raised:
        call_command(command, path, *args, verbosity=0)
    return str(raised.value)


# --- import_performance -----------------------------------------------------------------------------------------


@pytest.fixture
def performer():
    return LeadTraderFactory(exchange_uid="UID1", active=True)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (f"UID1,2026-01-02,1000,{HUGE},,,,", "line 3: a field is longer than 131,072 characters"),
        ("UID1,2099-01-01,1000,0,,,,", "line 3: date 2099-01-01 is out of range (2009-01-03 to today)"),
        (f"UID1,{TOMORROW},1000,0,,,,", f"line 3: date {TOMORROW} is out of range"),
        ("UID1,0001-01-01,1000,0,,,,", "line 3: date 0001-01-01 is out of range"),
        ("UID1,2008-12-31,1000,0,,,,", "line 3: date 2008-12-31 is out of range"),
        ("UID1,2026-01-02,1000,-1e20,,,,", "line 3: net_flow -1e20 is out of range (at most 1,000,000,000,000,000"),
        ("UID1,2026-01-02,1000,-99999999999999999999,,,,", "line 3: net_flow -99999999999999999999 is out of range"),
        ("UID1,2026-01-02,1e16,0,,,,", "line 3: equity 1e16 is out of range"),
        ("UID1,2026-01-02,1000,0,,,,1e400", "line 3: aum 1e400 is out of range"),
        ("UID1,2026-01-02,1000,0,,,99999999999,", "line 3: followers 99999999999 is out of range (0 to 2,147,483,647)"),
        ("UID1,2026-01-02,1000,0,3,2,1" + "0" * 40 + ",", "line 3: followers 1" + "0" * 40 + " is out of range"),
        ("UID\x001,2026-01-02,1000,0,,,,", "line 3: remove the control characters"),
        ("UID\x851,2026-01-02,1000,0,,,,", "line 3: remove the control characters"),  # C1 (NEL)
    ],
)
def test_a_bad_performance_file_is_refused_whole(tmp_path, performer, line, expected):
    path = write(tmp_path, PERF_HEADER + "UID1,2026-01-01,1000,0,,,,\n" + line + "\nUID1,2026-01-03,1010,0,,,,\n")
    message = _refused("import_performance", path)
    assert expected in message
    assert "nothing was imported" in message
    assert not DailyEquity.objects.exists()


def test_equity_from_dust_to_billions_is_refused_not_a_traceback(tmp_path, performer):
    """Every value in range, but the day's return (10^15 on 1 USDT at work; below 1 USDT a step has no return at
    all) fits no column: the file is refused with its line."""
    body = "UID1,2026-01-01,1000,0,,,,\nUID1,2026-01-02,1,0,,,,\nUID1,2026-01-03,1000000000000000,0,,,,\n"
    message = _refused("import_performance", write(tmp_path, PERF_HEADER + body))
    assert "line 4: UID1 on 2026-01-03: the day's return or unit value would exceed 1e+12" in message
    assert not DailyEquity.objects.exists()


# --- import_posts ------------------------------------------------------------------------------------------------


@pytest.fixture
def poster():
    campaign = phase2()
    return campaign, trader("Alice", campaign=campaign)


def _post_line(campaign, who, *, url="https://www.gate.com/post/1", text=EN, at="2026-02-13T09:00", numbers=None):
    numbers = numbers or "1,1,1,1,1,1"
    return f'{campaign.slug},{who.exchange_uid},{url},"{text}",{at},{numbers}\n'


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"text": "x" * 140_000}, "line 3: a field is longer than 131,072 characters"),
        ({"text": "x" * 20_001}, "line 3: the text is longer than 20000 characters"),
        ({"at": "2026-02-30T10:00:00+08:00"}, "line 3: published_at 2026-02-30T10:00:00+08:00 is not an ISO 8601 time"),
        ({"at": "2026-02-13T25:00"}, "line 3: published_at 2026-02-13T25:00 is not an ISO 8601 time"),
        ({"at": "0001-01-01T00:00"}, "line 3: published_at 0001-01-01T00:00 is out of range (2009-01-03 to now)"),
        ({"at": "9999-12-31T23:59:59-23:59"}, "line 3: published_at 9999-12-31T23:59:59-23:59 is out of range"),
        ({"at": "2026-01-01T00:00"}, "line 3: The publish time must be between 2026-02-05 18:00 and 2026-05-08"),
        ({"text": EN[:100] + "\x00" + EN[100:]}, "line 3: remove the control characters (e.g. NUL) from the line"),
        ({"url": "https://x.com/\x01"}, "line 3: remove the control characters"),
        ({"text": EN[:100] + "\x9b" + EN[100:]}, "line 3: remove the control characters"),  # C1 (CSI)
        ({"numbers": "1,1,1,1,1,1e30"}, "line 3: copy_volume 1e30 is out of range (at most 1,000,000,000,000,000)"),
        ({"numbers": "99999999999,1,1,1,1,1"}, "line 3: views 99999999999 is out of range (at most 2,147,483,647)"),
    ],
)
def test_a_bad_posts_file_is_refused_whole(tmp_path, poster, change, expected):
    campaign, alice = poster
    first = _post_line(campaign, alice, url="https://www.gate.com/post/0", text=EN + " first")
    bad = _post_line(campaign, alice, **change)
    message = _refused("import_posts", write(tmp_path, POSTS_HEADER + first + bad))
    assert expected in message, message
    assert "nothing imported" in message
    assert not Post.objects.exists()


@pytest.mark.parametrize(
    ("numbers", "expected"),
    [
        ("3000000000,1,1,1,1,1", "line 2: views 3000000000 is out of range (at most 2,147,483,647)"),
        ("1,1,1,1,99999999999999999999,1", "line 2: followers_gained 99999999999999999999 is out of range"),
        ("1,1,1,1,1,1000000000000000000", "line 2: copy_volume 1000000000000000000 is out of range"),
        ("1,-1,1,1,1,1", "line 2: likes must be a whole number >= 0, got -1"),
        ("1,1,1,1,1,NaN", "line 2: copy_volume must be a number >= 0, got NaN"),
    ],
)
def test_engagement_out_of_range_on_an_existing_link_changes_nothing(tmp_path, poster, numbers, expected):
    campaign, alice = poster
    call_command("import_posts", write(tmp_path, POSTS_HEADER + _post_line(campaign, alice)), verbosity=0)
    before = list(Post.objects.values())
    events = AuditEvent.objects.count()
    message = _refused("import_posts", write(tmp_path, POSTS_HEADER + _post_line(campaign, alice, numbers=numbers)))
    assert expected in message, message
    assert list(Post.objects.values()) == before and AuditEvent.objects.count() == events


def test_every_problem_of_a_posts_file_is_listed_at_once(tmp_path, poster):
    campaign, alice = poster
    body = (
        _post_line(campaign, alice, at="2026-02-30T10:00")
        + _post_line(campaign, alice, url="https://www.gate.com/post/2", text="a\x00b")
        + _post_line(campaign, alice, url="https://www.gate.com/post/3", text="y" * 140_000)
        + _post_line(campaign, alice, url="https://www.gate.com/post/4", numbers="1,1,1,1,1,1e99")
    )
    message = _refused("import_posts", write(tmp_path, POSTS_HEADER + body))
    for line in (2, 3, 4, 5):
        assert f"line {line}:" in message
    assert not Post.objects.exists()


# --- import_series -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "args", "expected"),
    [
        ("date,value\n2026-01-01,1\n", ["--code", "C" * 33], "the series code is longer than 32 characters"),
        ("observation_date," + "D" * 33 + "\n2026-01-01,1\n", [], "line 1: the series code is longer than 32"),
        ("date,value\n2026-01-01,1\n", ["--code", "X", "--name", "N" * 201], "the series name is longer than 200"),
        ("date,value\n2026-01-01,1\n", ["--code", "X", "--unit", "U" * 33], "the series unit is longer than 32"),
        ("date,value\n2026-01-01,1\n", ["--code", "X\x00Y"], "contains control characters"),
        ("date,value\n2026-01-01,1\n2026-01-02junk,2\n", ["--code", "X"], "line 3: bad date '2026-01-02junk'"),
        ("date,value\n2026-01-01,1\n2026-1-2,2\n", ["--code", "X"], "line 3: bad date '2026-1-2'"),
        ("date,value\n2026-01-01,1\n2026-02-30,2\n", ["--code", "X"], "line 3: bad date '2026-02-30'"),
        ("date,value\n2026-01-01,1\n1899-12-31,2\n", ["--code", "X"], "line 3: bad date '1899-12-31' (out of range"),
        (f"date,value\n2026-01-01,1\n{TOMORROW},2\n", ["--code", "X"], f"line 3: bad date '{TOMORROW}' (out of range"),
        (f"date,value\n2026-01-01,1\n2026-01-02,{HUGE}\n", ["--code", "X"], "line 3: a field is longer than 131,072"),
        ("date,value\n2026-01-01,1\n2026-01-02,1e20\n", ["--code", "X"], "line 3: not a number (or beyond"),
        ("date,value\n2026-01-01,1\n2026-01-02,1\x00\n", ["--code", "X"], "line 3: remove the control characters"),
    ],
)
def test_a_bad_series_file_or_name_is_refused_whole(tmp_path, body, args, expected):
    message = _refused("import_series", write(tmp_path, body), *args)
    assert expected in message, message
    assert "nothing imported" in message
    assert not MarketSeries.objects.exists() and not Observation.objects.exists()


def test_series_days_with_a_time_of_day_are_still_read(tmp_path):
    body = "date,value\n2026-01-01,1\n2026-01-02 00:00:00-05:00,2\n2026-01-05T00:00:00Z,3\n"
    call_command("import_series", write(tmp_path, body), "--code", "X", verbosity=0)
    assert list(Observation.objects.values_list("date", "value")) == [
        (date(2026, 1, 1), Decimal(1)),
        (date(2026, 1, 2), Decimal(2)),
        (date(2026, 1, 5), Decimal(3)),
    ]


# --- from the shell: exit status and output ------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # the command runs in its own process, on the committed test database
@pytest.mark.parametrize(
    ("command", "body", "args"),
    [
        ("import_performance", PERF_HEADER + f"UID1,2026-01-01,1000,{HUGE},,,,\n", []),
        ("import_posts", POSTS_HEADER + f"s,UID1,https://x.com/1,{HUGE},2026-02-13T09:00,1,1,1,1,1,1\n", []),
        ("import_posts", POSTS_HEADER + "s,UID1,https://x.com/1,text,2026-02-30T09:00,1,1,1,1,1,1\n", []),
        ("import_series", f"date,value\n2026-01-01,{HUGE}\n", ["--code", "X"]),
        ("import_series", "date,value\n2026-01-01,1\n", ["--code", "C" * 33]),
    ],
)
def test_the_command_exits_non_zero_with_line_numbers_and_no_traceback(tmp_path, command, body, args):
    from tests.conftest import _database_url_for_tests

    env = {
        **os.environ,
        "DATABASE_URL": _database_url_for_tests(),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CELERY_TASK_ALWAYS_EAGER": "true",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", command, write(tmp_path, body), *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr, result.stderr[-4000:]
    assert "CommandError: " in result.stderr and ("line 2:" in result.stderr or "series code" in result.stderr)
