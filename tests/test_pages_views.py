"""Public pages: render in both languages, fixed query counts, versioned cache, 304s, cache outage."""

import re
from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse

from leaderboard.models import RankingRun, Standing
from tests.cache_support import cache_clear, cache_keys
from tests.pages_data import build_board, publish_new_run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    from web.views_board import local_cache_clear

    local_cache_clear()
    cache_clear()
    yield
    cache_clear()


@pytest.fixture
def board():
    return build_board(traders=60)


def _get(client, url, lang="en", **headers):
    client.cookies["django_language"] = lang
    return client.get(url, headers=headers)


@pytest.mark.parametrize(("lang", "marker"), [("en", "Star trader of the week"), ("zh-hans", "本周明星带单员")])
def test_home_renders_in_both_languages(client, board, lang, marker):
    response = _get(client, "/", lang)
    assert response.status_code == 200
    html = response.content.decode()
    assert marker in html
    assert "20,000" in html or "20000" in html
    assert 'href="/register/"' in html or "register" in html
    assert "5,000.00 USDT" in html  # rank 1's projected tier from the pool's rules
    assert "countdown" in html and "data-deadline" in html
    assert "(UTC+08:00)" in html  # the registration window in the campaign's zone
    assert 'id="regime-slot"' in html


@pytest.mark.parametrize(("lang", "marker"), [("en", "Lead-trader leaderboard"), ("zh-hans", "带单员排行榜")])
def test_leaderboard_renders_in_both_languages(client, board, lang, marker):
    response = _get(client, "/leaderboard/?window=7d", lang)
    assert response.status_code == 200
    html = response.content.decode()
    assert marker in html
    run = board["runs"]["7d"]
    first = Standing.objects.get(run=run, rank=1)
    assert first.trader.display_name in html
    assert 'class="tab active"' in html and 'data-window="7d"' in html


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_trader_profile_renders_charts(client, board, lang):
    trader = board["traders"][0]
    response = _get(client, reverse("leaderboard:trader", args=[trader.exchange_uid]), lang)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<svg") >= 2 and 'class="line" d="M' in html
    assert "30.00 USDT" in html  # the approved first-post voucher
    assert 'class="compact breakdown"' in html  # the "why this rank" breakdown


def test_unknown_trader_is_404(client, board):
    assert client.get("/traders/NOPE/").status_code == 404


def test_sort_search_and_pagination(client, board):
    html = client.get("/leaderboard/?window=30d&sort=-roi").content.decode()
    run = board["runs"]["30d"]
    best = Standing.objects.filter(run=run).order_by("-roi").first()
    rows = re.findall(r'class="trader-link" href="/traders/([^/]+)/"', html)
    assert rows[0] == best.trader.exchange_uid
    assert len(rows) == 50  # a page
    page2 = client.get("/leaderboard/?window=30d&sort=-roi&page=2").content.decode()
    assert len(re.findall(r'class="trader-link"', page2)) == 10
    uid = board["traders"][17].exchange_uid
    found = client.get(f"/leaderboard/?window=30d&q={uid}").content.decode()
    assert re.findall(r'class="trader-link" href="/traders/([^/]+)/"', found) == [uid]
    assert "No trader matches" in client.get("/leaderboard/?q=zzzz-nothing").content.decode()


def test_badges_and_rank_change(client, board):
    html = client.get("/leaderboard/?window=7d").content.decode()
    assert "under review" in html
    assert "not eligible" in client.get("/leaderboard/?window=7d&page=2").content.decode()  # unranked sort last
    assert re.search(r'class="chg (up|down)"', html)


def test_bad_parameters_fall_back(client, board):
    for url in ["/leaderboard/?window=1y&sort=drop+table&page=-4", "/leaderboard/?page=abc", "/leaderboard/?page=999"]:
        assert client.get(url).status_code == 200
    assert client.get("/leaderboard/?campaign=nope").status_code == 404


def test_query_counts_do_not_grow_with_traders(client, django_assert_max_num_queries):
    board = build_board(traders=30)
    with django_assert_max_num_queries(8):
        assert client.get("/leaderboard/?window=30d").status_code == 200
    cache_clear()
    with django_assert_max_num_queries(10):
        assert client.get("/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(f"/traders/{board['traders'][0].exchange_uid}/").status_code == 200
    client.get("/leaderboard/?window=30d")
    # cached: the version (latest published run of the featured campaign) comes from the cache too: no query
    with django_assert_max_num_queries(0):
        assert client.get("/leaderboard/?window=30d").status_code == 200


def test_board_state_picks_the_featured_campaign(board):
    from campaigns.selectors import campaign_featured
    from web.selectors import board_state

    campaign_id, run_id, _ = board_state(slug=None, window="30d")
    assert campaign_id == campaign_featured().pk and run_id == board["runs"]["30d"].pk
    assert board_state(slug="star-lead-traders-phase-2", window="30d") is None  # no runs there


def test_cached_anonymous_page_carries_no_csrf_token_or_cookie(board):
    """The anonymous page has no POST form (the language switch is links): one shared body, no csrftoken cookie."""
    from django.test import Client

    bodies = []
    for _ in range(2):  # a miss that renders and stores the page, then a hit
        visitor = Client(enforce_csrf_checks=True)
        response = visitor.get("/leaderboard/?window=7d")
        html = response.content.decode()
        assert response.status_code == 200
        assert "csrftoken" not in response.cookies and not response.cookies
        assert "csrfmiddlewaretoken" not in html and "__starboard_csrf_token__" not in html
        assert 'method="post"' not in html.lower()
        assert 'href="/lang/zh-hans/?next=/leaderboard/%3Fwindow%3D7d"' in html
        bodies.append(response.content)
    assert bodies[0] == bodies[1]


def test_cached_page_with_a_post_form_gets_a_fresh_csrf_token_per_visitor(board, settings, tmp_path):
    """Should the anonymous nav ever carry a POST form again, each visitor still gets a token of its own."""
    from django.test import Client

    (tmp_path / "campaigns").mkdir()
    (tmp_path / "campaigns" / "_account_nav.html").write_text(
        '<form method="post" action="/i18n/setlang/">{% csrf_token %}<input name="language" value="zh-hans">'
        '<input name="next" value="/"></form>'
    )
    templates = [dict(engine) for engine in settings.TEMPLATES]
    templates[0]["DIRS"] = [tmp_path, *templates[0]["DIRS"]]
    settings.TEMPLATES = templates
    tokens = []
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        response = visitor.get("/leaderboard/?window=7d")
        html = response.content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        assert "__starboard_csrf_token__" not in html
        assert "csrftoken" in response.cookies
        tokens.append(token)
        # the form on the cached page works for this visitor
        response = visitor.post("/i18n/setlang/", {"language": "zh-hans", "next": "/", "csrfmiddlewaretoken": token})
        assert response.status_code == 302
    assert tokens[0] != tokens[1]


def test_publishing_a_run_replaces_the_cached_table(client, board):
    first = _board_html(client.get("/leaderboard/?window=7d"))
    assert _board_html(client.get("/leaderboard/?window=7d")) == first  # served from cache
    run = publish_new_run(campaign=board["campaign"], window="7d", traders=board["traders"], seed=12345)
    fresh = _board_html(client.get("/leaderboard/?window=7d"))
    leader = Standing.objects.get(run=run, rank=1).trader.display_name
    assert fresh != first
    assert run.end_date.isoformat() in fresh
    assert leader in fresh


def _board_html(response) -> str:
    """The cached table section."""
    html = response.content.decode()
    return html[html.index('id="board"') : html.index("</section>", html.index('id="board"'))]


def test_conditional_get_returns_304_until_a_new_run(client, board):
    response = client.get("/leaderboard/?window=90d")
    etag, last_modified = response["ETag"], response["Last-Modified"]
    assert client.get("/leaderboard/?window=90d", headers={"if-none-match": etag}).status_code == 304
    assert client.get("/leaderboard/?window=90d", headers={"if-modified-since": last_modified}).status_code == 304
    # another language is another representation
    client.cookies["django_language"] = "zh-hans"
    assert client.get("/leaderboard/?window=90d", headers={"if-none-match": etag}).status_code == 200
    client.cookies["django_language"] = "en"
    publish_new_run(campaign=board["campaign"], window="90d", traders=board["traders"])
    assert client.get("/leaderboard/?window=90d", headers={"if-none-match": etag}).status_code == 200


CACHE_DOWN = override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens here: every cache call fails
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
)


@CACHE_DOWN
def test_pages_render_when_the_cache_is_down(client):
    board = build_board(traders=10)
    response = client.get("/leaderboard/?window=7d")
    assert response.status_code == 200
    assert Standing.objects.get(run=board["runs"]["7d"], rank=1).trader.display_name in response.content.decode()


@pytest.mark.redis
def test_versioned_cache_in_redis(client, board, settings):
    """With REDIS_URL set the page cache is Redis; its key carries the latest run id, so a publish replaces it."""
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    client.get("/leaderboard/?window=7d")
    run = board["runs"]["7d"]
    keys = cache_keys("*pages:leaderboard*")
    assert any(f"pages:leaderboard:v{run.pk}." in key for key in keys)
    newer = publish_new_run(campaign=board["campaign"], window="7d", traders=board["traders"])
    client.get("/leaderboard/?window=7d")
    keys = cache_keys("*pages:leaderboard*")
    assert any(f"pages:leaderboard:v{newer.pk}." in key for key in keys)


def test_signed_in_visitor_never_gets_the_anonymous_page(client, board, django_user_model):
    assert "Sign in" in client.get("/leaderboard/?window=7d").content.decode()  # caches the anonymous page
    user = django_user_model.objects.create_user(username="ann", password="pw-12345-long")
    client.force_login(user)
    html = client.get("/leaderboard/?window=7d").content.decode()
    assert "Sign out" in html and "Sign in" not in html
    assert Standing.objects.get(run=board["runs"]["7d"], rank=1).trader.display_name in html


def test_board_state_agrees_with_ranking_run_latest_for_periods(board):
    """For "period" the latest started period's run wins, even when an older period was republished later."""
    from datetime import timedelta

    from django.utils import timezone

    from campaigns.models import RewardPeriod
    from leaderboard.selectors import ranking_run_latest
    from web.selectors import board_state

    campaign = board["campaign"]
    periods = list(RewardPeriod.objects.filter(pool__campaign=campaign, pool__kind="leaderboard").order_by("starts_at"))
    assert len(periods) >= 2
    now = timezone.now()
    newer = RankingRun.objects.create(
        campaign=campaign,
        window="period",
        period=periods[1],
        start_date=now.date(),
        end_date=now.date(),
        status="published",
        published_at=now,
    )
    RankingRun.objects.create(  # the earlier month, recalculated afterwards
        campaign=campaign,
        window="period",
        period=periods[0],
        start_date=now.date(),
        end_date=now.date(),
        status="published",
        published_at=now + timedelta(minutes=5),
    )
    assert ranking_run_latest(campaign=campaign, window="period") == newer
    assert board_state(slug=None, window="period")[1] == newer.pk


def test_board_frames_each_trader_by_regime_and_sorts_by_it(client, board):
    run = board["runs"]["7d"]
    Standing.objects.filter(run=run).update(return_scarce=None)
    best = Standing.objects.filter(run=run, eligible=True).order_by("id").first()
    Standing.objects.filter(pk=best.pk).update(return_scarce=0.4321, beta=0.5)
    html = _get(client, "/leaderboard/?window=7d&sort=-return_scarce").content.decode()
    assert "Capital-scarce days" in html and "Beta to BTC" in html
    assert "+43.21%" in html
    # the trader with the best return on scarce days comes first when sorted by it
    first_row = html.split("<tbody>")[1].split("</tr>")[0]
    assert best.trader.display_name in first_row


def test_profile_speaks_of_the_campaign_the_trader_is_in(client, board):
    """A trader only in an earlier phase gets that phase's standings, not an empty page about the current one."""
    from campaigns.models import Campaign, Enrollment

    campaign = board["campaign"]
    trader = board["traders"][0]
    later = Campaign.objects.create(
        slug="later-phase",
        name="Later phase",
        registration_opens_at=campaign.registration_opens_at,
        registration_closes_at=campaign.registration_closes_at,
        starts_at=campaign.starts_at,
        ends_at=campaign.ends_at + timedelta(days=400),
    )
    Campaign.objects.filter(pk=later.pk).update(starts_at=campaign.starts_at + timedelta(seconds=1))
    Enrollment.objects.create(
        campaign=campaign, trader=trader, status=Enrollment.Status.APPROVED, submitted_at=campaign.starts_at
    )
    html = _get(client, f"/traders/{trader.exchange_uid}/").content.decode()
    assert "This trader is not in a published ranking yet." not in html
    assert 'class="compact breakdown"' in html
    board_html = _get(client, f"/leaderboard/?campaign={campaign.slug}").content.decode()
    assert f"/traders/{trader.exchange_uid}/?campaign={campaign.slug}" in board_html
