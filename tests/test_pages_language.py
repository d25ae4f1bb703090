"""The language switch: GET links to /lang/<code>/?next=..., which set the language cookie and redirect."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _switch(client, code, next_url=None, **extra):
    url = reverse("set_language_link", args=[code])
    return client.get(url, {"next": next_url} if next_url is not None else {}, **extra)


def test_valid_code_sets_the_cookie_and_redirects_to_next(client):
    response = _switch(client, "zh-hans", "/leaderboard/?window=7d&sort=-roi")
    assert response.status_code == 302
    assert response["Location"] == "/leaderboard/?window=7d&sort=-roi"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "zh-hans"
    assert cookie["max-age"] == settings.LANGUAGE_COOKIE_AGE or settings.LANGUAGE_COOKIE_AGE is None
    assert cookie["path"] == settings.LANGUAGE_COOKIE_PATH
    assert "no-store" in response["Cache-Control"]
    # the next page is in Chinese, and switching back works
    assert 'lang="zh-hans"' in client.get("/leaderboard/?window=7d").content.decode()
    response = _switch(client, "en", "/")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in client.get("/").content.decode()


@pytest.mark.parametrize("code", ["fr", "zh", "EN", "../admin"])
def test_unknown_code_is_404_and_sets_nothing(client, code):
    response = client.get(f"/lang/{code}/", {"next": "/"})
    assert response.status_code == 404
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/x", "http://testserver.evil/", "javascript:alert(1)", ""]
)
def test_offsite_or_missing_next_goes_home(client, next_url):
    response = _switch(client, "en", next_url)
    assert response.status_code == 302 and response["Location"] == "/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_same_host_absolute_next_is_kept(client):
    response = _switch(client, "zh-hans", "http://testserver/traders/abc/")
    assert response["Location"] == "http://testserver/traders/abc/"


def test_post_is_refused_and_needs_no_csrf():
    """Only GET/HEAD: the link view never takes a form, so it has no CSRF surface of its own."""
    assert Client().post(reverse("set_language_link", args=["en"]), {"next": "/"}).status_code == 405
    client = Client(enforce_csrf_checks=True)
    assert _switch(client, "zh-hans", "/").status_code == 302  # a GET needs no token


@pytest.mark.parametrize("path", ["/", "/leaderboard/", "/register/"])
def test_every_page_links_both_languages_back_to_itself(client, path):
    html = client.get(path).content.decode()
    assert 'action="/i18n/setlang/"' not in html
    assert 'href="/lang/en/?next=' in html and 'href="/lang/zh-hans/?next=' in html
    assert ">简体中文</a>" in html and ">English</a>" in html
