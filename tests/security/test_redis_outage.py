"""The cache (Redis) goes away: a real redis-server of the test's own, stopped (or hung with CLIENT PAUSE) under the
running site.

Pages still render from the database; every limit that guards something (sign-up, sign-in, enrolment, API-key
entry, password reset, the API throttle) refuses with a 503 "try again shortly" in the visitor's language instead
of letting the request through uncounted or answering with a traceback; the log says it once, not once per request;
and everything works again once the server is back. Before: 500s on the home page, on every /api/v1 endpoint and
every rate-limited POST, and 1,894 tracebacks in 8 seconds.
"""

import logging
import re
import time
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core import mail

from campaigns.models import Enrollment
from core.models import OutboundEmail
from regime.models import RegimeReading
from tests.pages_data import build_board
from tests.security.redis_server import redis_server, wait_for
from tests.signup_support import VALID_ANSWERS, register_trader, valid_registration
from traders.models import LeadTrader

BUSY_EN = "Starboard is briefly unable to handle this. Please try again shortly."
BUSY_ZH = "Starboard 暂时无法处理此请求，请稍后再试。"
PASSWORD = "a-Long-unusual-pass-42"


@pytest.fixture
def own_cache(settings):
    """The site's cache on a redis-server this test can stop; the broker and everyone else's Redis are untouched.
    Needs only the redis-server binary (skipped without it outside CI), not REDIS_URL."""
    with redis_server() as server:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": server.url,
                "KEY_PREFIX": "outage-test",
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            }
        }
        settings.CACHE_RETRY_SECONDS = 1
        settings.CACHE_OUTAGE_LOG_SECONDS = 600  # longer than the test: exactly one report is expected
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        yield server


@pytest.fixture
def site():
    board = build_board(traders=10)
    RegimeReading.objects.create(as_of=date.today(), score=0.8, label="abundant", text_en="Abundant.", text_zh="充裕。")
    trader = register_trader(1, password=PASSWORD)
    return {**board, "trader": trader, "uid": board["traders"][0].exchange_uid}


def _warnings(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


def _busy_page(response, text: str) -> bool:
    return response.status_code == 503 and text in response.content.decode() and int(response["Retry-After"]) >= 1


@pytest.mark.django_db
def test_outage_pages_read_the_database_limits_refuse_and_the_log_says_it_once(client, own_cache, site, caplog):
    campaign = site["campaign"]
    trader_client = type(client)()
    trader_client.force_login(site["trader"].user)
    assert client.get("/").status_code == 200  # warm: the widget's sparklines and the board version are cached
    assert client.get("/leaderboard/?window=7d").status_code == 200
    assert client.get("/api/v1/campaigns/").status_code == 200

    own_cache.stop()
    caplog.clear()
    caplog.set_level(logging.WARNING)
    people_before = (get_user_model().objects.count(), LeadTrader.objects.count())

    pages = [
        "/",
        "/leaderboard/?window=7d",
        "/leaderboard/?window=30d&sort=-roi&page=2",
        f"/leaderboard/?campaign={campaign.slug}&window=90d&q=bolt",
        f"/traders/{site['uid']}/",
        "/regime/",
        "/register/",
        "/accounts/login/",
        "/accounts/password-reset/",
    ]
    for _ in range(8):
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
    assert "Abundant." in client.get("/").content.decode()  # the widget from the database, not an empty slot
    assert trader_client.get("/me/").status_code == 200

    api = ["/api/v1/campaigns/", "/api/v1/leaderboard/?window=7d", f"/api/v1/traders/{site['uid']}/"]
    api += ["/api/v1/posts/", "/api/v1/regime/", f"/api/v1/campaigns/{campaign.slug}/"]
    for _ in range(4):
        for url in api:
            response = client.get(url)
            assert response.status_code == 503 and response.json() == {"detail": BUSY_EN}, url
            assert int(response["Retry-After"]) >= 1
    chinese = client.get("/api/v1/leaderboard/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese.status_code == 503 and chinese.json() == {"detail": BUSY_ZH}

    # Every limit fails closed: even a valid sign-up, the right password or a real address is refused, not let through.
    for n in range(5):
        form = valid_registration(email=f"new{n}@example.com", exchange_uid=f"5550{n:04d}")
        assert _busy_page(client.post("/register/", form), BUSY_EN)
    client.cookies["django_language"] = "zh-hans"
    assert _busy_page(client.post("/register/", valid_registration()), BUSY_ZH)
    del client.cookies["django_language"]
    assert (get_user_model().objects.count(), LeadTrader.objects.count()) == people_before

    login = {"username": site["trader"].email, "password": PASSWORD}
    assert _busy_page(client.post("/accounts/login/", login), BUSY_EN)
    assert "_auth_user_id" not in client.session

    assert _busy_page(client.post("/accounts/password-reset/", {"email": site["trader"].email}), BUSY_EN)
    assert mail.outbox == [] and not OutboundEmail.objects.exists()

    assert _busy_page(trader_client.post(f"/campaigns/{campaign.slug}/enrol/", VALID_ANSWERS), BUSY_EN)
    assert not Enrollment.objects.exists()
    key_form = {"api_key": "KEY-1", "api_secret": "SECRET-1", "api_password": ""}
    assert _busy_page(trader_client.post("/me/api-key/", key_form), BUSY_EN)

    # ~100 requests while down: one line from the cache layer, at most one from the board-state listener, no
    # traceback, no error line per refused request.
    records = _warnings(caplog)
    cache_lines = [r.getMessage() for r in records if r.name == "core.cache"]
    assert len(cache_lines) == 1 and cache_lines[0].startswith("Cache unavailable (ConnectionError"), cache_lines
    assert len([r for r in records if r.name == "web.board_state_mirror"]) <= 1
    assert {r.name for r in records} <= {"core.cache", "web.board_state_mirror"}, [
        (r.name, r.getMessage()) for r in records
    ]
    assert not any(r.exc_info for r in records)

    # Back: the limits count again and the log says so, once.
    own_cache.start()
    form = valid_registration(email="back@example.com", exchange_uid="55509999")
    assert wait_for(lambda: client.post("/register/", form).status_code == 302, seconds=60, every=0.25)
    assert LeadTrader.objects.filter(email="back@example.com").exists()
    assert client.get("/api/v1/campaigns/").status_code == 200
    back = [r.getMessage() for r in _warnings(caplog) if r.name == "core.cache"][1:]
    assert len(back) == 1 and back[0].startswith("Cache reachable again"), back


@pytest.mark.django_db
def test_a_hung_cache_costs_one_timeout_per_interval_not_one_per_request(client, own_cache, site, settings):
    """CLIENT PAUSE: the server accepts connections but answers nothing, so each call waits for the socket timeout.
    After the first timeout the process leaves the cache alone for CACHE_RETRY_SECONDS instead of waiting again on
    every request: 40 page views cost about one timeout, not 40 or more."""
    settings.CACHE_RETRY_SECONDS = 30
    assert client.get("/leaderboard/?window=7d").status_code == 200
    own_cache.client().execute_command("CLIENT", "PAUSE", 60_000, "ALL")
    started = time.monotonic()
    for n in range(40):
        response = client.get(f"/leaderboard/?window=7d&page={1 + n % 3}")
        assert response.status_code == 200
    elapsed = time.monotonic() - started
    # Without the pause each view waits at least 0.5 s on the board version read alone (20 s or more in all).
    assert elapsed < 12, f"{elapsed:.1f} s for 40 page views with a hung cache"
    assert _busy_page(client.post("/register/", valid_registration()), BUSY_EN)
    assert client.get("/api/v1/regime/").status_code == 503


def test_every_cache_caller_goes_through_core_cache():
    """The class, not the cases: project code reaches the cache only through core.cache (whose two faces decide what
    an outage means), except the board-state mirror's pub/sub channel, which reports to the same log and pause."""
    allowed = {Path("core/cache.py"), Path("web/board_state_mirror.py")}
    direct = re.compile(r"from django\.core\.cache import .*\bcaches?\b|\bcaches\[")
    root = Path(django_settings.BASE_DIR)
    offenders = []
    for app in ("core", "campaigns", "leaderboard", "regime", "config"):
        for path in (root / app).rglob("*.py"):
            relative = path.relative_to(root)
            if relative not in allowed and "migrations" not in relative.parts and direct.search(path.read_text()):
                offenders.append(str(relative))
    assert offenders == []
