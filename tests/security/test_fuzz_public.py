"""The fuzz pass: every public and trader-facing URL and form, with hostile strings, bytes, dates and sizes: 0 errors.

Hypothesis drives the real views (the test client, PostgreSQL in CI): the pages and their query parameters, every
/api/v1 endpoint with its parameters, the sign-up, sign-in, password-reset, enrolment, post and API-key forms, as an
anonymous visitor and as a signed-in trader. Each generated request must answer below 500. Example counts are fixed
and modest (the whole file runs in well under a minute); CI replays a fixed sample, local runs explore new ones.
"""

import os
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, quote_from_bytes

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaigns.models import Enrollment
from tests.cache_support import cache_clear
from tests.pages_data import build_board
from tests.security.support import PASSWORD
from tests.signup_support import valid_registration

pytestmark = pytest.mark.django_db  # any database; CI runs it on PostgreSQL

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _examples(n: int):
    return settings(
        max_examples=n,
        deadline=None,
        database=None,
        derandomize=IN_CI,
        suppress_health_check=list(HealthCheck),
    )


# --- hostile values ------------------------------------------------------------------------------------------------

CONTROLS = [chr(c) for c in [*range(0x20), 0x7F]]
printable = st.text(st.characters(exclude_categories=["Cs"], exclude_characters=CONTROLS), max_size=40)
with_controls = st.text(max_size=20)  # anything, control characters included
long_text = st.builds(lambda ch, n: ch * n, st.sampled_from(list("9a中%' ") + ["🚀"]), st.integers(65, 25_000))
numbers = st.sampled_from(
    ["0", "-1", "1", "2147483648", "9" * 400, "1e400", "-1e20", "NaN", "Infinity", "0x10", " 7", "1.5", "1,000", "٣"]
)
iso_times = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59)).map(
    lambda d: d.strftime("%Y-%m-%dT%H:%M")
)
aware_times = st.builds(
    lambda d, minutes: d.isoformat() + f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}",
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
    st.integers(-24 * 60 + 1, 24 * 60 - 1),
)
dates = st.one_of(
    iso_times,
    aware_times,
    st.dates().map(str),
    st.sampled_from(
        [
            "0001-01-01",
            "0001-01-01T00:00",
            "9999-12-31T23:59",
            "2026-02-30",
            "2026-02-13T25:00",
            "2026-01-01junk",
            "0001-01-01T00:00:00+08:05:43",
            "9999-12-31T23:59:59-23:59",
            "2026-01-01T00:00:00+99:99",
            "-2026-01-01",
            "20260101",
            "yesterday",
        ]
    ),
)
attacks = st.sampled_from(
    [
        "' OR 1=1 --",
        '"><script>alert(1)</script>',
        "../../etc/passwd",
        "%00",
        "%",
        "{{7*7}}",
        "${jndi:ldap://x}",
        "\u202egnp.exe",
        "𝕏" * 30,
        "https://evil.example/",
        "//evil.example",
        "javascript:alert(1)",
        "",
        " ",
    ]
)
hostile = st.one_of(printable, with_controls, long_text, numbers, dates, attacks)
field_value = st.one_of(hostile, st.lists(hostile, min_size=2, max_size=3))  # a key repeated


@st.composite
def raw_query(draw, names: list[str]) -> str:
    """A query string: known parameters with hostile values, an unknown one, and now and then raw bytes (invalid
    UTF-8, overlong sequences)."""
    pairs = []
    for name in draw(st.lists(st.sampled_from(names), max_size=len(names), unique=True)) if names else []:
        values = draw(field_value)
        for value in values if isinstance(values, list) else [values]:
            pairs.append(f"{quote(name)}={quote(value, safe='')}")
    if draw(st.booleans()):
        pairs.append(f"{quote(draw(printable), safe='')}={quote(draw(hostile), safe='')}")
    if draw(st.integers(0, 5)) == 0:
        pairs.append(f"{quote(draw(st.sampled_from(names or ['x'])))}={quote_from_bytes(draw(st.binary(max_size=12)))}")
    return "&".join(pairs)


# --- every public and trader-facing URL ----------------------------------------------------------------------------

# path template -> its query parameters. {uid}, {slug}, {code}, {uidb64}, {token}: a real value or a hostile one.
PAGES = {
    "/": ["q", "campaign"],
    "/leaderboard/": ["campaign", "window", "sort", "q", "page"],
    "/traders/{uid}/": ["campaign"],
    "/register/": ["next"],
    "/campaigns/{slug}/": [],
    "/campaigns/{slug}/enrol/": [],
    "/me/": [],
    "/me/api-key/": [],
    "/me/posts/new/": [],
    "/regime/": ["range"],
    "/lang/{code}/": ["next"],
    "/accounts/login/": ["next"],
    "/accounts/password-reset/": [],
    "/accounts/password-reset/sent/": [],
    "/accounts/reset/{uidb64}/{token}/": [],
    "/accounts/reset/done/": [],
    "/api/v1/campaigns/": ["page", "page_size", "format"],
    "/api/v1/campaigns/{slug}/": ["format"],
    "/api/v1/leaderboard/": ["campaign", "window", "ordering", "search", "eligible", "page", "page_size", "format"],
    "/api/v1/traders/{uid}/": ["campaign", "format"],
    "/api/v1/posts/": ["campaign", "trader", "featured", "home_page", "published_after", "page", "page_size", "format"],
    "/api/v1/regime/": ["format"],
    "/api/v1/regime/history/": ["start", "end", "page", "format"],
    "/api/schema/": ["format", "lang"],
    "/api/docs/": [],
}

# path -> its form fields (besides those of the page's own form a hostile client may add).
QUESTIONNAIRE = ["experience_years", "style", "markets", "posting_plan"]
FORMS = {
    "/register/": [*valid_registration(), "next"],
    "/accounts/login/": ["username", "password", "next"],
    "/accounts/password-reset/": ["email"],
    "/accounts/reset/{uidb64}/{token}/": ["new_password1", "new_password2"],
    "/campaigns/{slug}/enrol/": QUESTIONNAIRE,
    "/me/posts/new/": ["campaign", "url", "text", "published_at"],
    "/me/api-key/": ["api_key", "api_secret", "api_password"],
    "/i18n/setlang/": ["language", "next"],
}


@pytest.fixture
def site(settings):
    """A campaign open now with published runs, posts and payouts; a trader enrolled in it; limits out of the way."""
    for name in ("SIGNUP_RATE_LIMIT", "ENROL_RATE_LIMIT", "LOGIN_RATE_LIMIT", "PASSWORD_RESET_RATE_LIMIT"):
        setattr(settings, name, (10**6, 3600))
    settings.PASSWORD_RESET_EMAIL_RATE_LIMIT = (10**6, 3600)
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute"}}
    cache_clear()
    board = build_board(traders=12)
    trader = board["traders"][0]
    trader.user = User.objects.create_user("fuzz@example.com", email="fuzz@example.com", password=PASSWORD)
    trader.save()
    Enrollment.objects.update_or_create(
        campaign=board["campaign"],
        trader=trader,
        defaults={"status": Enrollment.Status.APPROVED, "submitted_at": board["campaign"].starts_at},
    )
    return {
        "uid": trader.exchange_uid,
        "slug": board["campaign"].slug,
        "campaign_id": str(board["campaign"].pk),
        "uidb64": urlsafe_base64_encode(force_bytes(trader.user.pk)),
        "token": default_token_generator.make_token(trader.user),
        "user": trader.user,
    }


@st.composite
def path_for(draw, template: str, site: dict) -> str:
    path = template
    for name in ("uid", "slug", "code", "uidb64", "token"):
        if "{" + name + "}" in path:
            real = {"code": "zh-hans"}.get(name) or site[name]
            segment = draw(st.one_of(st.just(real), hostile.filter(lambda s: s not in ("", ".", ".."))))
            path = path.replace("{" + name + "}", quote(segment, safe=""))
    return path


def _client(site: dict, *, signed_in: bool) -> Client:
    client = Client()
    if signed_in:
        client.force_login(site["user"])
    return client


def _headers(draw) -> dict:
    language = draw(st.one_of(st.sampled_from(["en", "zh-hans", "zh-CN,zh;q=0.9", "*", ""]), printable))
    accept = draw(st.sampled_from(["text/html", "application/json", "*/*", "text/html;q=x"]))
    return {"HTTP_ACCEPT_LANGUAGE": language, "HTTP_ACCEPT": accept}


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "trader"])
def test_every_public_url_with_hostile_parameters_answers_below_500(site, signed_in):
    client = _client(site, signed_in=signed_in)
    for template, names in PAGES.items():  # each URL gets its own examples: none is left to chance
        _fuzz_page(client, site, template, names)


def _fuzz_page(client: Client, site: dict, template: str, names: list[str]) -> None:
    @_examples(3)
    @given(data=st.data())
    def check(data):
        path = data.draw(path_for(template, site))
        query = data.draw(raw_query(names))
        response = client.get(f"{path}?{query}" if query else path, **_headers(data.draw))
        assert response.status_code < 500, (path, query)

    check()


@st.composite
def form_data(draw, fields: list[str], site: dict) -> dict:
    """A form as a hostile client fills it: the right fields, some valid, most hostile, some missing, extra ones."""
    valid = {**valid_registration(), "campaign": site["campaign_id"], "published_at": "2026-02-13T09:00"}
    data = {}
    for name in fields:
        choice = draw(st.integers(0, 4))
        if choice == 0:
            continue  # left out
        if choice == 1 and name in valid:
            data[name] = valid[name]
        elif name == "published_at" or draw(st.integers(0, 3)) == 0:
            data[name] = draw(dates)
        else:
            data[name] = draw(field_value)
    if draw(st.booleans()):
        data[draw(printable) or "extra"] = draw(hostile)
    return data


def _urlencoded(fields: dict) -> str:
    return "&".join(
        f"{quote(k, safe='')}={quote(v, safe='')}"
        for k, values in fields.items()
        for v in (values if isinstance(values, list) else [values])
    )


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "trader"])
def test_every_form_with_hostile_fields_answers_below_500(site, signed_in):
    client = _client(site, signed_in=signed_in)
    for template, names in FORMS.items():
        _fuzz_form(client, site, template, names)


def _fuzz_form(client: Client, site: dict, template: str, names: list[str]) -> None:
    @_examples(8)
    @given(data=st.data())
    def check(data):
        path = data.draw(path_for(template, site))
        fields = data.draw(form_data(names, site))
        headers = _headers(data.draw)
        if data.draw(st.booleans()):  # the test client's multipart body, or a browser's urlencoded one
            response = client.post(path, fields, **headers)
        else:
            urlencoded = "application/x-www-form-urlencoded"
            response = client.post(path, _urlencoded(fields), content_type=urlencoded, **headers)
        assert response.status_code < 500, (path, fields)

    check()


def test_withdraw_and_logout_with_hostile_paths_answer_below_500(site):
    """The two state-changing POSTs without fields (the trader is signed in again for each)."""

    @_examples(15)
    @given(slug=st.one_of(st.just(site["slug"]), hostile.filter(lambda s: s not in ("", ".", ".."))))
    def check(slug):
        client = _client(site, signed_in=True)
        assert client.post(f"/campaigns/{quote(slug, safe='')}/withdraw/").status_code < 500
        assert client.post("/accounts/logout/", {"next": slug}).status_code < 500

    check()


def test_the_post_form_takes_any_date_a_browser_can_send_without_error(site):
    """published_at over the whole range a datetime-local input allows, in the campaign's zone: a post or an error
    message, never a 500 (the Asia/Shanghai year-1 time once made PostgreSQL store a BC instant)."""
    client = _client(site, signed_in=True)
    counter = iter(range(10**6))
    now = datetime.now(UTC)

    @_examples(25)
    @given(
        at=st.one_of(
            st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59)),
            st.datetimes(min_value=(now - timedelta(days=30)).replace(tzinfo=None), max_value=now.replace(tzinfo=None)),
        )
    )
    def check(at):
        data = {
            "campaign": site["campaign_id"],
            "url": f"https://www.gate.com/post/fuzz-{next(counter)}",
            "text": "BTC long at 67k, stop 65.8k, take profit 71k; funding flat, open interest rising slowly.",
            "published_at": at.strftime("%Y-%m-%dT%H:%M"),
        }
        response = client.post("/me/posts/new/", data)
        assert response.status_code in (200, 302)
        assert client.get("/me/").status_code == 200

    check()
