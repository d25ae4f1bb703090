"""Hole 1: a date a person or file gives is bounded everywhere, so no stored time can stop a page.

The attack: a trader submits a post "published" 0001-01-01T00:00 in the campaign's zone. Asia/Shanghai's local mean
time (+08:05:43) makes PostgreSQL store a BC instant that Python cannot read back, and every page listing the post
(the moderation queue, /me/, the trader's page) answered 500 until someone deleted the row in SQL. Now the form, the
service, the admin and the imports refuse such times with a message, and the database refuses the row outright.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign, Post, RewardPeriod
from core.input_bounds import (
    EARLIEST,
    FUTURE_SKEW,
    day_clamped,
    instant_clamped,
    instant_in_range,
    latest_day,
)
from regime.models import MarketSeries, Observation
from tests.payouts_helpers import SH, phase2, sh, trader
from tests.security.support import ZH, admin_form_data, signed_in_poster
from tests.test_posts_originality import EN
from traders.models import DailyEquity

pytestmark = pytest.mark.django_db

POST_NEW = "/me/posts/new/"
# Phase 2 runs 2026-02-12 18:00 to 2026-05-01 00:00 Shanghai time; a post may be dated a week either side.
WINDOW_EN = "The publish time must be between 2026-02-05 18:00 and 2026-05-08 00:00 (Asia/Shanghai)"
WINDOW_ZH = "发布时间必须在 2026-02-05 18:00 至 2026-05-08 00:00（Asia/Shanghai）之间"


def _submit(client, campaign, published_at: str, **headers):
    data = {"campaign": campaign.pk, "url": "https://www.gate.com/post/1", "text": EN, "published_at": published_at}
    return client.post(POST_NEW, data, **headers)


@pytest.mark.postgres
@pytest.mark.parametrize(
    "typed",
    [
        "0001-01-01T00:00",  # the BC instant on PostgreSQL
        "0001-01-01 00:00",
        "9999-12-31T23:59",  # past what a zone ahead of UTC can convert
        "2008-12-31T23:59",  # before bitcoin
        "2026-01-01T00:00",  # long before the campaign
        "2026-06-01T00:00",  # long after it
    ],
)
def test_a_post_time_out_of_range_is_a_form_error_and_every_page_still_opens(client, admin_client, typed):
    campaign, alice = signed_in_poster(client)
    response = _submit(client, campaign, typed)
    assert response.status_code == 200
    assert WINDOW_EN in response.content.decode()
    assert not Post.objects.exists()
    assert client.get("/me/").status_code == 200
    assert client.get(f"/traders/{alice.exchange_uid}/").status_code == 200
    assert admin_client.get(reverse("admin:campaigns_post_changelist")).status_code == 200


@pytest.mark.postgres
def test_a_future_post_time_is_refused_in_the_trader_s_language(client):
    campaign, _ = signed_in_poster(client)
    Campaign.objects.filter(pk=campaign.pk).update(ends_at=timezone.now() + timedelta(days=60))
    tomorrow = (timezone.now() + timedelta(days=1)).astimezone(SH).strftime("%Y-%m-%dT%H:%M")
    response = _submit(client, campaign, tomorrow, **ZH)
    assert response.status_code == 200 and "发布时间必须在" in response.content.decode()
    assert "不能是未来时间" in response.content.decode()
    assert not Post.objects.exists()
    _submit(client, campaign, "0001-01-01T00:00", **ZH)
    assert not Post.objects.exists()


def test_the_window_message_names_the_campaign_s_dates_in_chinese(client):
    campaign, _ = signed_in_poster(client)
    response = _submit(client, campaign, "2026-01-01T00:00", **ZH)
    assert WINDOW_ZH in response.content.decode()


def test_a_post_in_the_window_is_still_accepted(client):
    campaign, _ = signed_in_poster(client)
    response = _submit(client, campaign, "2026-02-06T09:00")  # a week's slack before the window opens
    assert response.status_code == 302
    assert Post.objects.get().published_at == sh(2026, 2, 6, 9)


def _post(campaign, who, at):
    return Post.objects.create(campaign=campaign, trader=who, url="https://x.com/1", text="x", published_at=at)


@pytest.mark.postgres
@pytest.mark.parametrize(
    "create",
    [
        lambda c, t: _post(c, t, sh(1, 1, 1)),  # the BC instant
        lambda c, t: _post(c, t, datetime(2100, 1, 1, tzinfo=UTC)),
        lambda c, t: Campaign.objects.filter(pk=c.pk).update(registration_opens_at=sh(1, 1, 1)),
        lambda c, t: Campaign.objects.filter(pk=c.pk).update(ends_at=datetime(9999, 1, 1, tzinfo=UTC)),
        lambda c, t: RewardPeriod.objects.filter(pool__campaign=c).update(starts_at=sh(1, 1, 1)),
        lambda c, t: DailyEquity.objects.create(trader=t, date=date(1, 1, 1), equity=Decimal(1)),
        lambda c, t: DailyEquity.objects.create(trader=t, date=date(2100, 1, 1), equity=Decimal(1)),
        lambda c, t: Observation.objects.create(
            series=MarketSeries.objects.create(code="X", name="X"), date=date(1899, 12, 31), value=Decimal(1)
        ),
    ],
)
def test_the_database_refuses_a_time_no_page_could_read_back(create):
    """Whatever the door (a shell, a script, SQL through the ORM): the CHECK constraints hold the bounds."""
    campaign = phase2()
    alice = trader("Alice", campaign=campaign)
    with pytest.raises(IntegrityError), transaction.atomic():
        create(campaign, alice)


@pytest.mark.postgres
def test_the_admin_refuses_an_out_of_range_post_time_with_a_message(admin_client):
    campaign = phase2()
    post = Post.objects.create(
        campaign=campaign, trader=trader("Alice", campaign=campaign), url="https://x.com/1", text="x",
        published_at=sh(2026, 2, 13, 9),
    )  # fmt: skip
    url = reverse("admin:campaigns_post_change", args=[post.pk])
    _year_one_refused_in_the_admin(admin_client, url, "published_at")
    post.refresh_from_db()
    assert post.published_at == sh(2026, 2, 13, 9)
    response = admin_client.post(url, _with_year_one(admin_client, url, "published_at"), **ZH)
    assert "请输入 2009-01-03 至 2099-12-31 之间的时间。" in response.content.decode()


def _with_year_one(admin_client, url: str, field: str) -> dict:
    """The change page's own form data, with 0001-01-01 00:00 typed into one date-and-time field."""
    return {**admin_form_data(admin_client.get(url)), f"{field}_0": "0001-01-01", f"{field}_1": "00:00:00"}


def _year_one_refused_in_the_admin(admin_client, url: str, field: str) -> None:
    response = admin_client.post(url, _with_year_one(admin_client, url, field))
    assert response.status_code == 200
    assert "Enter a time from 2009-01-03 to 2099-12-31." in response.content.decode()


@pytest.mark.postgres
def test_the_campaign_admin_refuses_a_year_one_window_in_the_campaign_s_zone(admin_client):
    campaign = phase2()
    _year_one_refused_in_the_admin(
        admin_client, reverse("admin:campaigns_campaign_change", args=[campaign.pk]), "registration_opens_at"
    )
    campaign.refresh_from_db()
    assert campaign.registration_opens_at == sh(2026, 2, 12, 18)
    assert admin_client.get(reverse("admin:campaigns_campaign_changelist")).status_code == 200


@pytest.mark.postgres
def test_the_extremes_the_bounds_allow_are_readable_on_every_page(client, admin_client):
    """The edges of the range, shown in a zone ahead of UTC, still render: the admin, /me/, the trader page."""
    campaign, alice = signed_in_poster(client)
    for n, at in enumerate([EARLIEST, datetime(2099, 12, 31, 23, 59, tzinfo=UTC)]):
        Post.objects.create(campaign=campaign, trader=alice, url=f"https://x.com/{n}", text="x", published_at=at)
    for url in ["/me/", f"/traders/{alice.exchange_uid}/", f"/api/v1/traders/{alice.exchange_uid}/"]:
        assert client.get(url).status_code == 200, url
    assert admin_client.get(reverse("admin:campaigns_post_changelist")).status_code == 200
    for post in Post.objects.all():
        assert admin_client.get(reverse("admin:campaigns_post_change", args=[post.pk])).status_code == 200


@pytest.mark.postgres
@pytest.mark.parametrize(
    "query",
    [
        "published_after=0001-01-01T00:00:00%2B08:05:43",
        "published_after=9999-12-31T23:59:59-23:59",
        "published_after=2000-01-01T00:00:00%2B22:56",
    ],
)
def test_api_time_filters_are_held_inside_the_bounds(client, query):
    campaign = phase2()
    Post.objects.create(
        campaign=campaign, trader=trader("Alice", campaign=campaign), url="https://x.com/1", text="x",
        published_at=sh(2026, 2, 13, 9), status=Post.Status.QUALITY,
    )  # fmt: skip
    response = client.get(f"/api/v1/posts/?{query}")
    assert response.status_code == 200
    assert response.json()["count"] == (0 if query.startswith("published_after=9999") else 1)


@pytest.mark.postgres
def test_api_regime_days_are_held_inside_the_bounds(client):
    for query in ["start=0001-01-01", "end=9999-12-31", "start=0001-01-01&end=0001-01-02"]:
        response = client.get(f"/api/v1/regime/history/?{query}")
        assert response.status_code == 200, query


@pytest.mark.parametrize(
    ("command", "args", "needle"),
    [
        (
            "close_periods",
            ["--operator", "anyone", "--now", "2026-02-30T00:00+08:00"],
            "--now must be an ISO 8601 time",
        ),
        (
            "close_periods",
            ["--operator", "anyone", "--now", "0001-01-01T00:00+08:00"],
            "--now must be from 2009-01-03 to the present",
        ),
        (
            "close_periods",
            ["--operator", "anyone", "--now", "2999-01-01T00:00Z"],
            "--now must be from 2009-01-03 to the present",
        ),
        ("compute_regime", ["--start", "0001-01-01"], "dates are from 1900-01-01 to today"),
        ("compute_regime", ["--end", "2999-01-01"], "dates are from 1900-01-01 to today"),
        ("compute_regime", ["--days", "1000000000"], "--days is from 1 to"),
        ("pull_candles", ["--since", "2008-12-31"], "--since must be from 2009-01-03 to today"),
    ],
)
def test_command_dates_are_bounded(command, args, needle):
    with pytest.raises(CommandError, match=needle):
        call_command(command, *args)


def test_the_bounds_are_one_definition():
    now = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    # A calendar date counts once it has begun anywhere on Earth (UTC+14), plus the skew.
    assert latest_day(now) == date(2026, 12, 1)
    assert latest_day(datetime(2026, 11, 30, 9, 54, tzinfo=UTC)) == date(2026, 11, 30)
    assert instant_in_range(now + FUTURE_SKEW, now=now) and not instant_in_range(now + 2 * FUTURE_SKEW, now=now)
    assert not instant_in_range(datetime(1, 1, 1, tzinfo=SH), now=now)
    assert instant_clamped(datetime(1, 1, 1, tzinfo=SH), now=now) == EARLIEST
    assert instant_clamped(datetime(9999, 12, 31, 23, 59, tzinfo=SH), now=now) == now + FUTURE_SKEW
    assert day_clamped(date(1, 1, 1), now=now) == date(2009, 1, 3)
