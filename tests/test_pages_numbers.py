"""Issue 14: one number-formatting layer for pages, CSV and payout reasons; the API keeps full precision."""

import math
import re
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from core.numbers import DASH, format_number, separators
from leaderboard.metric_registry import BY_KEY, METRICS
from leaderboard.models import Standing
from tests.cache_support import cache_clear
from tests.pages_data import build_board

NUMBER = re.compile(r"^[+-]?\d{1,3}(,\d{3})*(\.\d+)?%?$")


@pytest.mark.parametrize(
    ("value", "kind", "places", "expected"),
    [
        (95.93908629441626, "num", 2, "95.94"),
        (20000, "money", 2, "20,000.00"),
        (Decimal("20000"), "amount", 2, "20,000"),
        (Decimal("20000.5"), "amount", 2, "20,000.50"),
        (1234567, "int", 2, "1,234,567"),
        (-0.064412, "pct", 2, "-6.44%"),
        (0.0525, "pct", 2, "+5.25%"),
        (-0.35, "pct0", 2, "-35.00%"),
        (-0.000001, "num", 2, "0.00"),  # never "-0.00"
        (-0.00004, "pct", 2, "0.00%"),  # nor "+0.00%" / "-0.00%"
        (Decimal("-0.004"), "money", 2, "0.00"),
        (2.675, "num", 2, "2.68"),  # half-up on the decimal the reader sees, not the binary float
        (None, "num", 2, DASH),
        ("", "pct", 2, DASH),
        (math.nan, "num", 2, DASH),
        (math.inf, "pct", 2, DASH),
        ("not a number", "num", 2, DASH),
        (0.8333333, "pct0", 1, "83.3%"),
    ],
)
def test_format_number_reads_as_a_person_expects(value, kind, places, expected):
    assert format_number(value, kind, places=places) == expected


def test_meaningless_values_beyond_their_bound_read_as_a_dash():
    calmar = BY_KEY["calmar"]
    assert format_number(70272.29, calmar.fmt, places=calmar.places, bound=calmar.display_bound) == DASH
    assert format_number(3.2, calmar.fmt, places=calmar.places, bound=calmar.display_bound) == "3.20"
    assert format_number(-70272.29, "num", bound=100) == DASH


def test_chinese_groups_thousands_like_english():
    assert separators("zh-hans") == (",", ".") and separators("zh_Hans") == (",", ".")
    assert separators("en-us") == (",", ".") and separators(None) == (",", ".")
    assert format_number(Decimal("20000"), "amount", language="zh-hans") == "20,000"


def test_an_unknown_kind_is_a_programming_error_not_a_silent_format():
    with pytest.raises(ValueError, match="unknown number kind"):
        format_number(1, "percent")


@given(
    value=st.one_of(
        st.none(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.decimals(allow_nan=True, allow_infinity=True),
        st.integers(min_value=-(10**15), max_value=10**15),
        st.text(max_size=12),
    ),
    kind=st.sampled_from(["pct", "pct0", "money", "amount", "int", "num"]),
    places=st.integers(min_value=0, max_value=6),
)
def test_any_input_reads_as_a_dash_or_a_clean_grouped_number(value, kind, places):
    text = format_number(value, kind, places=places, language="zh-hans")
    assert text == DASH or NUMBER.match(text), text
    assert not re.match(r"^[+-]0(\.0*)?%?$", text), text  # no signed zero


def test_every_registry_metric_has_a_known_kind_and_sane_precision():
    for m in METRICS:
        assert format_number(0.5, m.fmt, places=m.places) != DASH
        assert 0 <= m.places <= 6


def _render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return Template("{% load board_tags %}" + source).render(Context(context)).strip()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_template_filter_takes_a_registry_key_or_a_kind(language):
    assert _render("{{ v|metric:'calmar' }}", language, v=70272.29) == DASH
    assert _render("{{ v|metric:'coverage' }}", language, v=0.875) in {"88%", "87%"}
    assert _render("{{ v|metric:'amount' }}", language, v=Decimal("20000")) == "20,000"
    assert _render("{{ v|metric:'pnl' }}", language, v=Decimal("-0.001")) == "0.00"
    assert _render("{{ v|metric }}", language, v=95.93908629441626) == "95.94"


@pytest.mark.django_db
def test_pages_round_and_group_while_the_api_keeps_full_precision(client):
    cache_clear()
    from web.views_board import local_cache_clear

    local_cache_clear()
    board = build_board(traders=6)
    run = board["runs"]["7d"]
    standing = Standing.objects.filter(run=run, rank=1).get()
    Standing.objects.filter(pk=standing.pk).update(score=95.93908629441626, calmar=70272.29)
    local_cache_clear()
    cache_clear()
    slug = board["campaign"].slug
    api = client.get(f"/api/v1/leaderboard/?campaign={slug}&window=7d").json()
    rows = api["results"] if isinstance(api, dict) and "results" in api else api
    top = next(r for r in rows if r.get("rank") == 1)
    assert float(top["score"]) == 95.93908629441626
    for language in ("en", "zh-hans"):
        page = client.get(
            f"/leaderboard/?campaign={slug}&window=7d", headers={"accept-language": language}
        ).content.decode()
        assert "95.94" in page and "95.939" not in page
        assert "70,272" not in page and "70272" not in page
    cache_clear()


def test_payout_reasons_write_numbers_the_way_pages_do():
    from rewards.models import Payout
    from rewards.services.payouts import payout_reason_text

    board_line = Payout(
        reason=Payout.Reason.LEADERBOARD, rank=1, score=95.93908629441626, explanation={"snapshot_id": 3}
    )
    assert payout_reason_text(board_line) == "Leaderboard rank 1, score 95.94, in ranking snapshot #3"
    content_line = Payout(
        reason=Payout.Reason.CONTENT,
        rank=2,
        score=0.833333,
        explanation={
            "eligible_traders": 5,
            "posts": 4,
            "days": 3,
            "exposure": 125000,
            "engagement": 4321,
            "copy_volume": "1234567.891",
            "percentiles": {"exposure": 0.8, "engagement": 0.666667, "copy_volume": 1.0},
        },
    )
    with translation.override("zh-hans"):
        text = payout_reason_text(content_line)
    for part in ("0.8333", "125,000", "4,321", "1,234,567.89", "80.0%", "66.7%", "100.0%"):
        assert part in text, (part, text)
    assert "0.833333" not in text and "1234567.891" not in text


def test_chart_axes_carry_only_the_decimals_their_step_needs():
    from datetime import date, timedelta

    from leaderboard.charts import line_chart

    start = date(2026, 1, 1)
    wide = line_chart([(start + timedelta(days=i), v) for i, v in enumerate([643.522, 700.1, 1857.7])])
    assert "857.700" not in wide and "643.522" not in wide and ">1,857<" not in wide
    assert re.search(r">1,[0-9]{3}<", wide) and not re.search(r'class="axis"[^>]*>[0-9,]+\.[0-9]+<', wide)
    near_one = line_chart([(start + timedelta(days=i), v) for i, v in enumerate([1.0, 1.013, 1.04])])
    assert ">1.04<" in near_one or ">1.040<" in near_one
