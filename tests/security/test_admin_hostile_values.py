"""The admin pass of issue 12: every page of every registered admin, with hostile values stored in its rows.

For every model in admin.site._registry: two rows of hostile values (tests/security/hostile_rows.py: markup and
script, right-to-left overrides, emoji, 20,000-character texts, `javascript:` links, the largest and smallest
numbers each column holds, dates in year 1 and year 9999), then its changelist (plain, searched, and drilled down
its date hierarchy to the ends of the calendar), and each row's change, history and delete pages, and the add page,
as a superuser and as staff allowed only to view; and, as the superuser, each row's change form saved unchanged.
None may answer with a server error, and no hostile markup may come through unescaped.
"""

import pytest
from django.contrib import admin
from django_celery_beat.models import IntervalSchedule

from campaigns.models import Campaign, RewardPeriod
from core.models import OutboundEmail
from leaderboard.models import RankingRun
from rewards.models import Payout, PayoutBatch
from tests.payouts_helpers import staff
from tests.security.admin_support import admin_form, admin_url, registered_models, view_only_staff
from tests.security.hostile_rows import DT, HIGH, LOW, MARKUP, RAW_MARKERS, HostileRows, extreme

pytestmark = pytest.mark.django_db


def _campaign(rows, variant):
    # Registration and campaign windows must be ordered: they span the whole calendar. The zones are the farthest
    # from UTC, so a time at either end of the calendar overflows when shown in the campaign's zone.
    return {
        **{name: extreme(Campaign, name, LOW) for name in ("registration_opens_at", "starts_at")},
        **{name: extreme(Campaign, name, HIGH) for name in ("registration_closes_at", "ends_at")},
        "time_zone": "Pacific/Kiritimati" if variant == HIGH else "Etc/GMT+12",
    }


def _batch(rows, variant):
    if variant == HIGH:
        # A named calculator, so not the system too (four eyes: batch_calculator_person_or_system).
        return {
            "status": PayoutBatch.Status.APPROVED,
            "approved_at": DT[HIGH],
            "paid_at": None,
            "calculated_by_system": False,
        }
    return {"status": PayoutBatch.Status.DRAFT, "approved_at": None, "calculated_by_system": False}


def _payout(rows, variant):
    # Lines can only be written into a draft (the frozen-batch trigger); the batch is approved afterwards.
    return {"batch": rows.build(PayoutBatch, variant, status=PayoutBatch.Status.DRAFT, approved_at=None)}


def _email(rows, variant):
    if variant == HIGH:
        return {"status": OutboundEmail.Status.FAILED, "sent_at": None, "body_redacted": False}
    return {"status": OutboundEmail.Status.SENT, "sent_at": DT[LOW], "body_redacted": True}


def _run(rows, variant):
    return {"status": RankingRun.Status.PUBLISHED, "published_at": DT[variant]}


OVERRIDES = {
    "campaigns.campaign": _campaign,
    "campaigns.rewardperiod": lambda rows, v: {
        "starts_at": extreme(RewardPeriod, "starts_at", LOW),
        "ends_at": extreme(RewardPeriod, "ends_at", HIGH),
    },
    "rewards.payoutbatch": _batch,
    "rewards.payout": _payout,
    "core.outboundemail": _email,
    "leaderboard.rankingrun": _run,
    "leaderboard.standing": lambda rows, v: {"eligible": True},
    "traders.fill": lambda rows, v: {"side": "buy"},
    "leaderboard.flagreview": lambda rows, v: {"expires_at": None},
    # Celery beat: one schedule per task, and schedules only in the syntax their own forms accept (no input path
    # stores anything else; the library's pages parse them).
    "django_celery_beat.periodictask": lambda rows, v: {
        "interval": rows.build(IntervalSchedule, v),
        "crontab": None,
        "solar": None,
        "clocked": None,
        "expires": None,
        "one_off": False,
    },
    "django_celery_beat.intervalschedule": lambda rows, v: {"every": 1 if v == LOW else 10**6},
    "django_celery_beat.crontabschedule": lambda rows, v: {
        "minute": "*/5",
        "hour": "*",
        "day_of_week": "*",
        "day_of_month": "*",
        "month_of_year": "*",
        "timezone": "Pacific/Kiritimati" if v == HIGH else "Etc/GMT+12",
    },
    "django_celery_beat.solarschedule": lambda rows, v: {
        "latitude": 90 if v == HIGH else -90,
        "longitude": 180 if v == HIGH else -180,
    },
}


def _pages(model, rows) -> list[str]:
    model_admin = admin.site._registry[model]
    changelist = admin_url(model, "changelist")
    urls = [changelist, f"{changelist}?q={MARKUP}", admin_url(model, "add")]
    if model_admin.date_hierarchy:
        field = model_admin.date_hierarchy
        for year, month, day in ((9999, 12, 31), (1, 1, 1)):
            urls += [
                f"{changelist}?{field}__year={year}",  # Django's next year: 10000
                f"{changelist}?{field}__year={year}&{field}__month={month}&{field}__day={day}",  # next day: too
            ]
    for row in rows:
        urls += [admin_url(model, view, row.pk) for view in ("change", "history", "delete")]
    if model is PayoutBatch:  # the desk's own pages
        for row in rows:
            urls += [
                f"/admin/rewards/payoutbatch/{row.pk}/preview/",
                f"/admin/rewards/payoutbatch/{row.pk}/export/",
            ]
    return urls


def _check(response, url, failures) -> None:
    if response.status_code >= 500:
        failures.append((url, response.status_code))
    if response["Content-Type"].startswith("text/csv"):  # a download, never shown as a page
        assert response["Content-Disposition"].startswith("attachment") and response["X-Content-Type-Options"]
        return
    body = response.content.decode(errors="replace")
    leaked = [marker for marker in RAW_MARKERS if marker in body]
    if leaked:
        failures.append((url, leaked))


@pytest.mark.parametrize("model", registered_models(), ids=lambda m: m._meta.label)
def test_every_admin_page_survives_hostile_values(client, model):
    builder = HostileRows(OVERRIDES)
    rows = [builder.build(model, HIGH), builder.build(model, LOW)]
    if model is PayoutBatch:  # and a batch with hostile lines, approved: the desk's preview and export of them
        line = builder.build(Payout, HIGH)
        PayoutBatch.objects.filter(pk=line.batch_id).update(status=PayoutBatch.Status.APPROVED, approved_at=DT[HIGH])
        rows.append(line.batch)
    failures = []
    for user in (staff("root", superuser=True), view_only_staff()):
        client.force_login(user)
        for url in _pages(model, rows):
            _check(client.get(url, follow=True), url, failures)
        if user.is_superuser:
            # Saving a hostile row's form unchanged: saved, or refused with the form's errors, never a crash.
            for row in rows:
                url = admin_url(model, "change", row.pk)
                data = admin_form(client.get(url).content.decode(), model)
                if data:
                    _check(client.post(url, data, follow=True), f"POST {url}", failures)
    assert failures == []


def test_every_registered_model_gets_hostile_rows():
    """The pass covers the registry as it is: a model added later gets rows, or this says which needs an override."""
    builder = HostileRows(OVERRIDES)
    for model in registered_models():
        for variant in (HIGH, LOW):
            row = builder.build(model, variant)
            assert model._base_manager.filter(pk=row.pk).exists(), model
