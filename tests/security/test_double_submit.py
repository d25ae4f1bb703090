"""Hole 9: the same post link submitted twice at once is one post and one clear error, never a 500.

The attack: a double click on "Submit" sends two requests; both pass the "already submitted?" check before either
commits, and the second INSERT hit the unique (campaign, link) constraint as an IntegrityError: a 500. The race is
forced here, not hoped for: one submission holds its new row uncommitted, the other is let in until PostgreSQL shows
it waiting on that row, then the first commits.
"""

import threading
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction
from django.test import Client

from campaigns.models import Post
from campaigns.services.posts import post_submit
from tests.payouts_helpers import sh
from tests.security.support import POSTS_HEADER, ZH, signed_in_poster, write
from tests.test_posts_originality import EN

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

LINK = "https://www.gate.com/post/42"
WAIT = 60  # seconds: generous, CI is a loaded two-core machine


def _wait_until(condition, *, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _sessions_waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def _in_thread(target, results: dict, key: str) -> threading.Thread:
    def run():
        try:
            results[key] = target()
        except Exception as exc:  # reported by the test, with the thread's own exception
            results[key] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _race(campaign, trader, second):
    """The first submission of LINK inserts and holds its transaction; `second` runs until it waits on that row;
    then the first commits. Returns what `second` returned (or raised)."""
    inserted, release, results = threading.Event(), threading.Event(), {}

    def first():
        with transaction.atomic():
            post_submit(campaign=campaign, trader=trader, url=LINK, text=EN, published_at=sh(2026, 2, 13, 9))
            inserted.set()
            assert release.wait(WAIT)

    threads = [_in_thread(first, results, "first")]
    assert inserted.wait(WAIT)
    threads.append(_in_thread(second, results, "second"))
    try:
        _wait_until(lambda: _sessions_waiting_on_a_lock() >= 1 or "second" in results, what="the second INSERT")
    finally:
        release.set()
        for thread in threads:
            thread.join(WAIT)
    assert not isinstance(results["first"], Exception), results["first"]
    return results["second"]


def test_a_double_click_on_submit_gives_one_post_and_a_form_error(client):
    campaign, alice = signed_in_poster(client)
    data = {"campaign": campaign.pk, "url": LINK, "text": EN, "published_at": "2026-02-13T09:00"}
    session = client.cookies["sessionid"].value

    def second():
        browser = Client()
        browser.cookies["sessionid"] = session
        return browser.post("/me/posts/new/", data, **ZH)

    response = _race(campaign, alice, second)
    assert not isinstance(response, Exception), response
    assert response.status_code == 200
    assert "该帖子链接已提交过" in response.content.decode()
    assert Post.objects.filter(url=LINK).count() == 1


def test_the_service_turns_the_lost_race_into_a_validation_error(client):
    campaign, alice = signed_in_poster(client)

    def second():
        return post_submit(campaign=campaign, trader=alice, url=LINK, text=EN + " again", published_at=sh(2026, 2, 14))

    error = _race(campaign, alice, second)
    assert type(error).__name__ == "ValidationError" and error.message_dict == {
        "url": ["This post link was already submitted."]
    }
    assert Post.objects.filter(url=LINK).count() == 1


def test_an_import_racing_a_submission_is_refused_whole_with_its_line(client, tmp_path):
    campaign, alice = signed_in_poster(client)
    body = (
        f'{campaign.slug},{alice.exchange_uid},https://www.gate.com/post/41,"{EN} one",2026-02-13T08:00,1,1,1,1,1,1\n'
        f'{campaign.slug},{alice.exchange_uid},{LINK},"{EN} two",2026-02-13T10:00,1,1,1,1,1,1\n'
    )
    path = write(tmp_path, POSTS_HEADER + body)

    def second():
        call_command("import_posts", path, verbosity=0)

    error = _race(campaign, alice, second)
    assert isinstance(error, CommandError)
    assert "line 3: This post link was already submitted." in str(error)
    assert list(Post.objects.values_list("url", flat=True)) == [LINK]  # the import's first line was not kept
