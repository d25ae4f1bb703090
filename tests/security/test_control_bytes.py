"""Hole 8: a control byte anywhere in a request is a 400 (or 404) in the visitor's language, never a 500.

The attack: PostgreSQL cannot compare text with NUL, so `?q=%00`, `?campaign=%00`, `/traders/%00/` and the API's
path parameters answered 500. One guard (core.request_guard.ControlCharacterMiddleware) now refuses every C0 control
and DEL in the path, the query string, form fields (tab and line breaks pass), cookies and headers, before any
view or query runs.
"""

from urllib.parse import quote, urlencode

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaigns.models import Post
from tests.security.support import ZH, signed_in_poster
from tests.signup_support import valid_registration
from tests.test_posts_originality import EN
from traders.models import LeadTrader

pytestmark = pytest.mark.django_db  # the 500s were PostgreSQL's; the guard is checked on any database

# The 500s of the report, then the same class elsewhere: every C0 control and DEL, in paths, keys and values.
REPORTED = ["/?q=%00", "/leaderboard/?q=%00", "/leaderboard/?campaign=%00", "/traders/%00/"]
REPORTED_API = ["/api/v1/traders/%00/", "/api/v1/campaigns/%00/"]
MORE = [
    "/leaderboard/?window=%00",
    "/leaderboard/?sort=%01&page=%1F",
    "/leaderboard/?%00=1",
    "/traders/UID%7F/",
    "/traders/a%0Bb/",
    "/campaigns/%00/enrol/",
    "/regime/?range=%00",
    "/lang/%00/?next=/",
    "/lang/en/?next=/%00",
    "/accounts/login/?next=%00",
    "/accounts/reset/%00/%00/",
    "/admin/%00/",
    "/static/%00.css",
]
MORE_API = [
    "/api/v1/posts/?campaign=%00",
    "/api/v1/posts/?trader=%00&published_after=%00",
    "/api/v1/leaderboard/?search=%00",
    "/api/v1/leaderboard/?campaign=%00",
    "/api/v1/traders/x/?campaign=%00",
    "/api/v1/regime/history/?start=%00",
    "/api/schema/?format=%00",
]
CONTROLS = [chr(c) for c in [*range(0x20), 0x7F]]
C1_CONTROLS = [chr(c) for c in range(0x80, 0xA0)]  # invisible; NEL (U+0085) even breaks lines in some readers


@pytest.mark.parametrize("url", REPORTED + MORE)
def test_a_control_byte_in_a_page_request_is_a_400_in_the_visitor_s_language(client, url):
    response = client.get(url)
    assert response.status_code == 400, url
    assert "control character" in response.content.decode()
    chinese = client.get(url, **ZH).content.decode()
    assert "控制字符" in chinese


@pytest.mark.parametrize("url", REPORTED_API + MORE_API)
def test_a_control_byte_in_an_api_request_is_a_json_400(client, url):
    response = client.get(url)
    assert response.status_code == 400, url
    assert "control character" in response.json()["detail"]
    assert "控制字符" in client.get(url, **ZH).json()["detail"]


@pytest.mark.parametrize("control", CONTROLS)
def test_every_control_character_is_refused_in_the_path_and_the_query(client, control):
    encoded = f"%{ord(control):02X}"
    assert client.get(f"/traders/x{encoded}y/").status_code == 400
    status = client.get(f"/leaderboard/?q=x{encoded}y").status_code
    # A search box may hold a tab or a line break (the page trims them); nothing else.
    assert status == (200 if control in "\t\n\r" else 400)


def test_a_request_without_control_bytes_is_untouched(client):
    assert client.get("/leaderboard/?q=%E4%B8%AD%09").status_code == 200
    assert client.get("/traders/NOPE/").status_code == 404


def test_a_form_field_with_nul_is_refused_before_it_reaches_the_database(client):
    before = (get_user_model().objects.count(), LeadTrader.objects.count())
    for field in ["display_name", "bio", "exchange_uid", "email", "password1", "telegram"]:
        data = valid_registration(**{field: "Star\x00Trader"})
        response = client.post("/register/", data)
        assert response.status_code == 400, field
        assert "form field contains a control character" in response.content.decode()
    response = client.post("/register/", {**valid_registration(), "web\x00site": ""})
    assert response.status_code == 400
    assert (get_user_model().objects.count(), LeadTrader.objects.count()) == before
    assert client.post("/accounts/login/", {"username": "a\x00@b.c", "password": "x"}).status_code == 400
    assert client.post("/accounts/password-reset/", {"email": "a\x00@b.c"}).status_code == 400


def test_a_post_with_a_nul_is_refused_and_one_with_line_breaks_is_accepted(client):
    campaign, _ = signed_in_poster(client)
    data = {"campaign": campaign.pk, "url": "https://www.gate.com/post/1", "published_at": "2026-02-13T09:00"}
    response = client.post("/me/posts/new/", {**data, "text": EN[:200] + "\x00" + EN[200:]}, **ZH)
    assert response.status_code == 400 and "控制字符" in response.content.decode()
    assert not Post.objects.exists()
    assert client.post("/me/posts/new/", {**data, "url": "https://x.com/\x07"}).status_code == 400
    response = client.post("/me/posts/new/", {**data, "text": EN.replace(". ", ".\r\n\t", 2)})
    assert response.status_code == 302
    assert "\n\t" in Post.objects.get().text


def test_an_urlencoded_form_with_a_nul_is_refused_too(client):
    """The test client posts multipart bodies; browsers mostly send urlencoded ones (%00 in the body)."""
    campaign, _ = signed_in_poster(client)
    data = {"campaign": campaign.pk, "url": "https://x.com/1", "text": "a\x00b", "published_at": "2026-02-13T09:00"}
    response = client.post("/me/posts/new/", urlencode(data), content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert not Post.objects.exists()


def test_a_control_byte_in_a_cookie_or_header_is_refused(client):
    # A session key with NUL made the session lookup itself fail on PostgreSQL.
    assert Client().get("/me/", HTTP_COOKIE="sessionid=abcdefgh\x00ijklmnop").status_code == 400
    assert Client().get("/leaderboard/", HTTP_X_FORWARDED_FOR="1.2.3.4\x00").status_code == 400
    assert Client().get("/leaderboard/", HTTP_USER_AGENT="Mozilla/5.0\t(tab is fine)").status_code == 200


@pytest.mark.parametrize("control", C1_CONTROLS)
def test_every_c1_control_is_refused_in_the_path_the_query_and_a_form(client, control):
    encoded = quote(control)  # its UTF-8 bytes, e.g. %C2%85
    assert client.get(f"/traders/x{encoded}y/").status_code == 400
    assert client.get(f"/leaderboard/?q=x{encoded}y").status_code == 400
    response = client.post("/register/", valid_registration(display_name=f"Star{control}Trader"), **ZH)
    assert response.status_code == 400 and "控制字符" in response.content.decode()
    as_wsgi_gives_it = control.encode().decode("latin-1")  # a server hands over the cookie's UTF-8 bytes as Latin-1
    assert Client().get("/leaderboard/", HTTP_COOKIE=f"sessionid=ab{as_wsgi_gives_it}cd").status_code == 400


def test_non_ascii_text_is_not_mistaken_for_c1(client):
    """Headers arrive as Latin-1, where an em dash's UTF-8 bytes (E2 80 94) look like C1: they must pass."""
    em_dash_as_wsgi_gives_it = "—".encode().decode("latin-1")
    assert Client().get("/leaderboard/", HTTP_USER_AGENT=f"Bot {em_dash_as_wsgi_gives_it} 1").status_code == 200
    assert client.get("/leaderboard/?q=" + quote("交易员 — é")).status_code == 200
    response = client.post("/register/", valid_registration(display_name="Zoë — 交易"))
    assert response.status_code != 400


PUBLIC_PATHS = ["/", "/leaderboard/", "/traders/{x}/", "/register/", "/campaigns/{x}/enrol/", "/regime/"]
PUBLIC_PATHS += ["/accounts/login/", "/accounts/password-reset/", "/api/v1/traders/{x}/", "/api/v1/campaigns/{x}/"]
PUBLIC_PATHS += ["/api/v1/posts/", "/api/v1/leaderboard/", "/api/v1/regime/history/", "/lang/{x}/"]


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(
    path=st.sampled_from(PUBLIC_PATHS),
    segment=st.text(min_size=1, max_size=12),
    key=st.text(max_size=6),
    value=st.text(max_size=12),
    control=st.sampled_from(CONTROLS),
    where=st.sampled_from(["segment", "key", "value"]),
    at=st.integers(0, 12),
)
def test_generated_requests_with_a_control_byte_never_fail(path, segment, key, value, control, where, at):
    """Any C0 control or DEL at any place of a path segment, a query key or a query value: a 4xx, never a 500."""
    parts = {"segment": segment, "key": key, "value": value}
    text = parts[where]
    parts[where] = text[:at] + control + text[at:]
    query = quote(parts["key"]) + "=" + quote(parts["value"])
    url = path.replace("{x}", quote(parts["segment"], safe="")) + "?" + query
    in_value = where == "value"
    if "{x}" not in path and where == "segment":
        url, in_value = url + "&s=" + quote(parts["segment"]), True
    response = Client().get(url)
    if control in "\t\n\r" and in_value:  # a form text may hold these
        assert response.status_code < 500, url
    else:
        assert response.status_code in (400, 404), url
