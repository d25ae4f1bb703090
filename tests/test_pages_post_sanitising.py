"""Post text a trader pasted is sanitised (nh3) on every public page that shows it."""

import pytest
from django.utils import timezone

from campaigns.models import Post
from tests.cache_support import cache_clear
from tests.pages_data import build_board

pytestmark = pytest.mark.django_db

HOSTILE = (
    '<script>alert("x")</script><b>BTC long</b> <a href="javascript:alert(1)">click</a> <img src=x onerror=alert(2)>'
)


@pytest.fixture
def hostile_post():
    cache_clear()
    board = build_board(traders=6)
    trader = board["traders"][0]
    post = Post.objects.create(
        campaign=board["campaign"],
        trader=trader,
        url="https://example.com/p/hostile",
        text=HOSTILE,
        published_at=timezone.now(),
        status=Post.Status.QUALITY,
        is_featured=True,
        is_home_page=True,
    )
    return post


@pytest.mark.parametrize("path", ["/", "/traders/{uid}/"])
def test_scripts_handlers_and_javascript_links_never_reach_the_page(client, hostile_post, path):
    page = client.get(path.format(uid=hostile_post.trader.exchange_uid)).content.decode()
    assert "<b>BTC long</b>" in page
    assert 'alert("x")' not in page
    assert "javascript:alert" not in page
    assert "onerror" not in page
