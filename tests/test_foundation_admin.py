"""Every admin changelist opens for an operator; payout lines cannot be edited by hand."""

import pytest
from django.contrib import admin
from django.urls import reverse

from rewards.models import Payout

pytestmark = pytest.mark.django_db


def test_every_changelist_renders(admin_client):
    for model in admin.site._registry:
        if model._meta.app_label not in {"leaderboard", "campaigns", "regime"}:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert admin_client.get(url).status_code == 200, url


def test_payout_lines_are_read_only_in_the_admin(admin_client, admin_user):
    model_admin = admin.site._registry[Payout]
    request = type("R", (), {"user": admin_user})()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert admin_client.get(reverse("admin:rewards_payout_add")).status_code == 403
