"""Issue 14: the board shows one column set at a time (it fits 1366 px) and never hides the column it sorts by."""

import re

import pytest

from leaderboard.metric_registry import BOARD, COLUMN_SETS, DEFAULT_SET
from tests.cache_support import cache_clear
from tests.pages_data import build_board

pytestmark = pytest.mark.django_db


@pytest.fixture
def board():
    from web.views_board import local_cache_clear

    local_cache_clear()
    cache_clear()
    yield build_board(traders=8)
    local_cache_clear()
    cache_clear()


def _columns(html: str) -> list[str]:
    return re.findall(r'<th class="num col-([a-z_]+)', html)


def test_every_board_metric_is_in_a_set_and_no_set_is_empty():
    assert {m.key for m in BOARD} == {key for keys in COLUMN_SETS.values() for key in keys}
    assert all(COLUMN_SETS.values()) and DEFAULT_SET in COLUMN_SETS


@pytest.mark.parametrize("name", list(COLUMN_SETS))
def test_each_set_shows_exactly_its_columns(client, board, name):
    html = client.get(f"/leaderboard/?window=7d&cols={name}").content.decode()
    assert [c for c in _columns(html) if c != "chg"] == list(COLUMN_SETS[name])
    # links on the page keep the set (window tabs, sort headers), except back to the default
    if name != DEFAULT_SET:
        assert f"cols={name}" in html and 'data-window="30d" href="/leaderboard/?window=30d&amp;cols=' in html


def test_the_sorted_column_stays_visible_in_a_set_without_it(client, board):
    html = client.get("/leaderboard/?window=7d&sort=-sharpe").content.decode()
    assert "sharpe" not in COLUMN_SETS[DEFAULT_SET]
    assert _columns(html)[-1] == "sharpe" and 'class="num col-sharpe sorted"' in html.replace(" col-opt", "")


@pytest.mark.parametrize("junk", ["nope", "", "%00", "risk'--", "x" * 500])
def test_an_unknown_set_reads_as_the_overview(client, board, junk):
    response = client.get("/leaderboard/", {"window": "7d", "cols": junk})
    assert response.status_code == 200
    assert [c for c in _columns(response.content.decode()) if c != "chg"] == list(COLUMN_SETS[DEFAULT_SET])


def test_sets_are_cached_apart(client, board):
    risk = client.get("/leaderboard/?window=7d&cols=risk").content.decode()
    overview = client.get("/leaderboard/?window=7d").content.decode()
    again = client.get("/leaderboard/?window=7d&cols=risk").content.decode()
    assert "col-calmar" in risk and "col-calmar" not in overview and again == risk
