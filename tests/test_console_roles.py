"""Issue 15, roles: `setup_roles` makes least-privilege groups, and each role can do its job in the admin and nothing
more, proved through the admin itself for every list action, every changelist and every payout-desk step."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from core.models import AuditEvent
from core.roles import (
    AUDITOR,
    CAMPAIGN_MANAGER,
    ENROLMENT_REVIEWER,
    MODERATOR,
    PAYER,
    PAYOUT_APPROVER,
    ROLES,
    Role,
)
from core.services.roles import role_permission_names
from rewards.models import PayoutBatch
from tests.payouts_helpers import content_batch
from tests.security.admin_support import admin_url, registered_models

# Every list action of the console and the roles offered it; every other role (and every other action, such as
# Django's bulk delete) is not offered it.
ACTIONS = {
    "campaigns.enrollment": {"approve_selected": {ENROLMENT_REVIEWER}, "reject_selected": {ENROLMENT_REVIEWER}},
    "campaigns.post": {
        name: {MODERATOR}
        for name in (
            "mark_quality",
            "reject_selected",
            "feature",
            "unfeature",
            "put_on_home_page",
            "take_off_home_page",
        )
    },
    "leaderboard.standing": {"review_flag": {ENROLMENT_REVIEWER}},
    "rewards.payoutbatch": {"recalculate_selected": {CAMPAIGN_MANAGER}},
    "core.outboundemail": {"retry_failed": {CAMPAIGN_MANAGER}},
    "traders.leadtrader": {"verify_uid_selected": {CAMPAIGN_MANAGER}},
    "axes.accessattempt": {"unlock_accounts": set(), "unlock_addresses": set()},  # superusers only
}


def _operator(role: Role, name: str | None = None) -> User:
    user = User.objects.create_user(name or role.group.lower().replace(" ", "_"), password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=role.group))
    return User.objects.get(pk=user.pk)


@pytest.fixture
def roles(db):
    call_command("setup_roles")


def _held(group: Group) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_setup_roles_makes_each_group_hold_exactly_its_permissions_and_is_safe_to_rerun(roles):
    assert {g.name for g in Group.objects.all()} == {role.group for role in ROLES}
    for role in ROLES:
        assert _held(Group.objects.get(name=role.group)) == role_permission_names(role)
    payer = Group.objects.get(name=PAYER.group)
    payer.permissions.add(Permission.objects.get(codename="approve_payoutbatch"))  # someone widened it by hand
    before = AuditEvent.objects.filter(action="role.setup").count()
    call_command("setup_roles")
    assert _held(payer) == role_permission_names(PAYER)
    event = AuditEvent.objects.filter(action="role.setup").order_by("-id").first()
    assert AuditEvent.objects.filter(action="role.setup").count() == before + 1
    assert event.target_id == str(payer.pk) and event.data["removed"] == ["rewards.approve_payoutbatch"]


def test_setup_roles_names_an_unknown_operator_clearly(roles):
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        call_command("setup_roles", "--operator", "ghost")


def test_no_role_holds_two_steps_of_the_money():
    steps = {"rewards.change_payoutbatch", "rewards.approve_payoutbatch", "rewards.pay_payoutbatch"}
    for role in ROLES:
        assert len(steps & set(role.permissions)) <= 1, role.group


def test_the_auditor_reads_every_admin_page_and_changes_nothing():
    assert not [p for p in AUDITOR.permissions if not p.split(".")[1].startswith("view_")]
    for role in ROLES:
        if role is not AUDITOR:
            assert all(".delete_" not in p for p in role.permissions), role.group


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.group)
def test_each_role_sees_its_changelists_and_is_offered_only_its_actions(roles, client, role):
    user = _operator(role)
    client.force_login(user)
    for model in registered_models():
        label = model._meta.label_lower
        response = client.get(admin_url(model, "changelist"))
        if not user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}"):
            assert response.status_code == 403, (role.group, label)
            continue
        assert response.status_code == 200, (role.group, label)
        action_form = response.context.get("action_form")
        offered = {name for name, _ in action_form.fields["action"].choices if name} if action_form else set()
        expected = {name for name, holders in ACTIONS.get(label, {}).items() if role in holders}
        assert offered == expected, (role.group, label)
        if role is AUDITOR:
            assert client.get(admin_url(model, "add")).status_code == 403, label


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.group)
def test_an_action_not_offered_does_nothing_when_posted_anyway(roles, client, role):
    client.force_login(_operator(role))
    for label, actions in ACTIONS.items():
        model = next(m for m in admin.site._registry if m._meta.label_lower == label)
        for name, holders in actions.items():
            if role in holders:
                continue
            before = AuditEvent.objects.count()
            response = client.post(admin_url(model, "changelist"), {"action": name, "_selected_action": ["1"]})
            # Refused, sent back to the list, or (no action offered at all) the list shown again: never the action.
            assert response.status_code in (200, 302, 403), (role.group, label, name)
            if response.status_code == 200:
                assert [t.name for t in response.templates][0] == "admin/change_list.html", (role.group, label, name)
            assert AuditEvent.objects.count() == before, (role.group, label, name)


def _desk(view: str, batch: PayoutBatch) -> str:
    return reverse(f"admin:rewards_payoutbatch_{view}", args=[batch.pk])


@pytest.mark.django_db(transaction=False)
def test_the_payout_desk_takes_three_roles_and_refuses_every_other(roles, client):
    people = {role: _operator(role) for role in ROLES}
    manager = people[CAMPAIGN_MANAGER]
    batch = content_batch(actor=manager)

    def status():
        return PayoutBatch.objects.get(pk=batch.pk).status

    # Recalculating: only the campaign manager.
    for role, user in people.items():
        client.force_login(user)
        before = AuditEvent.objects.filter(action="payout_batch.recalculated").count()
        response = client.post(_desk("recalculate", batch))
        done = AuditEvent.objects.filter(action="payout_batch.recalculated").count() > before
        assert done == (role is CAMPAIGN_MANAGER), role.group
        assert response.status_code in (302, 403)
        batch = PayoutBatch.objects.get(period=batch.period)

    # Approving: only the payout approver (the manager calculated it, so four eyes hold too).
    for role in [r for r in ROLES if r is not PAYOUT_APPROVER] + [PAYOUT_APPROVER]:
        client.force_login(people[role])
        client.post(_desk("approve", batch))
        assert status() == (PayoutBatch.Status.APPROVED if role is PAYOUT_APPROVER else PayoutBatch.Status.DRAFT)

    # Exporting: whoever may view batches (audited by the service); the others get 403.
    for role, user in people.items():
        client.force_login(user)
        response = client.get(_desk("export", batch))
        if user.has_perm("rewards.view_payoutbatch"):
            assert response.status_code == 200 and response["Content-Type"].startswith("text/csv"), role.group
        else:
            assert response.status_code == 403, role.group

    # Marking paid: only the payer.
    for role in [r for r in ROLES if r is not PAYER] + [PAYER]:
        client.force_login(people[role])
        client.post(_desk("paid", batch), {"reference": "TX-42"})
        assert status() == (PayoutBatch.Status.PAID if role is PAYER else PayoutBatch.Status.APPROVED), role.group
