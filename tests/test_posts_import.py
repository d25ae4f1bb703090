"""import_posts (CSV, all or nothing, idempotent) and post submission from "My campaign"."""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from campaigns.models import Post
from tests.payouts_helpers import phase2, trader
from tests.test_posts_originality import EN, ZH

pytestmark = pytest.mark.django_db
HEADER = "campaign,exchange_uid,url,text,published_at,views,likes,comments,shares,followers_gained,copy_volume\n"
SLUG = "star-lead-traders-phase-2"


def _csv(tmp_path, body: str, name="posts.csv"):
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return str(path)


def test_import_creates_checks_and_then_refreshes_engagement(tmp_path, capsys):
    campaign = phase2()
    trader("Alice", campaign=campaign)
    trader("Bob", campaign=campaign)
    copy = ZH.replace("六万八千", "六万九千")
    body = (
        f'{SLUG},UID-Alice,https://www.gate.com/post/1,"{ZH}",2026-02-13T09:00:00+08:00,100,5,1,0,2,1500.50\n'
        f'{SLUG},UID-Bob,https://www.gate.com/post/2,"{copy}",2026-02-14 10:00,50,1,0,0,0,0\n'
        f'{SLUG},UID-Bob,https://www.gate.com/post/3,"{EN}",2026-02-15T10:00:00Z,10,0,0,0,0,\n'
    )
    call_command("import_posts", _csv(tmp_path, body))
    assert "3 posts created, 0 updated" in capsys.readouterr().out
    first, second, third = Post.objects.order_by("published_at")
    assert first.copy_volume == pytest.approx(1500.50) and first.source == "imported"
    assert second.published_at.isoformat() == "2026-02-14T02:00:00+00:00"  # naive time read in Shanghai time
    assert second.duplicate_of == first and third.duplicate_of is None
    # Same file with new numbers: engagement refreshed, nothing duplicated.
    call_command("import_posts", _csv(tmp_path, body.replace(",100,5,1,0,2,", ",900,50,1,0,2,")))
    assert "0 posts created, 1 updated" in capsys.readouterr().out
    assert Post.objects.count() == 3 and Post.objects.get(pk=first.pk).views == 900


def test_a_bad_file_saves_nothing_and_lists_every_problem(tmp_path):
    campaign = phase2()
    trader("Alice", campaign=campaign)
    body = (
        f'{SLUG},UID-Alice,https://www.gate.com/post/1,"{EN}",2026-02-13T09:00:00+08:00,1,1,1,1,1,1\n'
        f"{SLUG},UID-Nobody,https://www.gate.com/post/2,text,2026-02-13T09:00:00+08:00,1,1,1,1,1,1\n"
        f"{SLUG},UID-Alice,not-a-link,text,yesterday,-4,1,1,1,1,abc\n"
        f'{SLUG},UID-Alice,https://www.gate.com/post/1,"{EN}",2026-02-13T09:00:00+08:00,1,1,1,1,1,1\n'
    )
    with pytest.raises(CommandError) as exc:
        call_command("import_posts", _csv(tmp_path, body))
    message = str(exc.value)
    for expected in (
        "line 3: unknown trader UID UID-Nobody",
        "line 4: not-a-link is not a link",
        "line 4: published_at yesterday is not an ISO 8601 time",
        "line 4: views must be a whole number >= 0, got -4",
        "line 4: copy_volume must be a number >= 0, got abc",
        "line 5: same link as line 2",
    ):
        assert expected in message
    assert Post.objects.count() == 0
    for content, error in (("", "empty"), ("url,text\nx,y\n", "Missing columns")):
        path = tmp_path / "bad.csv"
        path.write_text(content, encoding="utf-8")
        with pytest.raises(CommandError, match=error):
            call_command("import_posts", str(path))
    (tmp_path / "latin1.csv").write_bytes((HEADER + "é").encode("latin-1"))
    with pytest.raises(CommandError, match="UTF-8"):
        call_command("import_posts", str(tmp_path / "latin1.csv"))
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_posts", str(tmp_path / "missing.csv"))


def test_trader_submits_a_post_from_my_campaign(client):
    campaign = phase2()
    alice = trader("Alice", campaign=campaign)
    user = User.objects.create_user("alice", password="pw-for-tests-only")
    alice.user = user
    alice.save()
    client.force_login(user)
    url = reverse("campaigns:post_new")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "campaign": campaign.pk,
            "url": "https://www.gate.com/post/77",
            "text": EN,
            "published_at": "2026-02-13T21:30",
        },
    )
    assert response.status_code == 302 and response.url == reverse("campaigns:me")
    saved = Post.objects.get()
    assert saved.trader == alice and saved.source == "submitted" and saved.is_trading_related
    assert saved.published_at.isoformat() == "2026-02-13T13:30:00+00:00"  # typed in Shanghai time
    again = client.post(
        url,
        {"campaign": campaign.pk, "url": saved.url, "text": EN, "published_at": "2026-02-13T21:30"},
    )
    assert again.status_code == 200 and "already submitted" in again.content.decode()
    # Someone with no enrolment is sent back to "My campaign".
    other = User.objects.create_user("bob", password="pw-for-tests-only")
    client.force_login(other)
    assert client.get(url).status_code == 302
