"""Issue 12, the audit's blind spot: list actions. Celery beat's "disable selected tasks" (a queryset.update) left no
trace, so an operator could switch off payout calculation or ingestion and nobody could tell who. Every admin list
action, ours and the libraries', now records per selected row what it changed, in the action's transaction."""

import json

import pytest
from django.urls import reverse
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from core.models import AuditEvent
from tests.payouts_helpers import staff

pytestmark = pytest.mark.django_db


def _task(name: str, *, enabled: bool = True) -> PeriodicTask:
    every, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.HOURS)
    return PeriodicTask.objects.create(
        name=name, task="campaigns.tasks.send_outbox", interval=every, enabled=enabled, args=json.dumps([])
    )


def _run_action(client, action: str, *tasks: PeriodicTask):
    url = reverse("admin:django_celery_beat_periodictask_changelist")
    data = {"action": action, "_selected_action": [task.pk for task in tasks], "index": 0}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_disabling_a_schedule_through_the_list_action_is_audited_with_who_and_what(client):
    payouts, ingestion = _task("calculate payouts"), _task("pull exchange data")
    operator = staff("night-shift", superuser=True)
    client.force_login(operator)
    _run_action(client, "disable_tasks", payouts, ingestion)
    assert not PeriodicTask.objects.filter(pk__in=[payouts.pk, ingestion.pk], enabled=True).exists()
    events = AuditEvent.objects.filter(action="periodictask.admin_action").order_by("target_id")
    assert [(e.target_id, e.actor_id, e.data["action"]) for e in events] == [
        (str(payouts.pk), operator.pk, "disable_tasks"),
        (str(ingestion.pk), operator.pk, "disable_tasks"),
    ]
    assert all(e.data["changes"]["enabled"] == [True, False] for e in events)


def test_an_action_that_changes_nothing_is_still_recorded_and_a_second_run_shows_no_change(client):
    task = _task("already off", enabled=False)
    client.force_login(staff("op", superuser=True))
    _run_action(client, "disable_tasks", task)
    recorded = AuditEvent.objects.get(action="periodictask.admin_action", target_id=str(task.pk))
    assert recorded.data == {"action": "disable_tasks", "changes": {}, "removed": False}


def test_view_only_staff_cannot_stop_or_run_schedules(client):
    """The hole behind it: celery beat's actions declare no permission, so staff who could only VIEW schedules could
    disable payout calculation or "run now" any task. Actions without a declared permission now need the change
    permission; the viewer's attempt changes nothing and records nothing."""
    task = _task("payouts")
    client.force_login(staff("viewer", "view_periodictask"))
    url = reverse("admin:django_celery_beat_periodictask_changelist")
    assert "disable_tasks" not in client.get(url).content.decode()
    for action in ("disable_tasks", "toggle_tasks", "run_tasks"):
        client.post(url, {"action": action, "_selected_action": [task.pk], "index": 0})
    assert PeriodicTask.objects.get(pk=task.pk).enabled
    assert not AuditEvent.objects.filter(action="periodictask.admin_action").exists()


def test_actions_that_declare_a_permission_keep_it_after_the_audit_wraps_them(client):
    """Wrapping for the audit must not drop an action's allowed_permissions (the delete action needs delete)."""
    from django.contrib import admin

    model_admin = admin.site._registry[PeriodicTask]
    request = type("Request", (), {"user": staff("deleter", "view_periodictask", "delete_periodictask")})()
    request.GET = {}
    actions = model_admin.get_actions(request)
    assert set(actions) == {"delete_selected"}
    request.user = staff("changer", "view_periodictask", "change_periodictask")
    assert {"disable_tasks", "run_tasks"} <= set(model_admin.get_actions(request)) - {"delete_selected"}
    assert getattr(model_admin.get_actions(request)["disable_tasks"][0], "__wrapped__", None) is not None
