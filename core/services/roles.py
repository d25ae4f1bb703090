"""Make the operators' groups (core.roles) hold exactly their role's permissions: created if missing, extra
permissions taken away, each change audited. Safe to run again."""

from dataclasses import dataclass

from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from core.roles import ROLES, Role
from core.services.audit import audit_record


@dataclass(frozen=True)
class RoleChange:
    group: str
    created: bool
    added: tuple[str, ...]
    removed: tuple[str, ...]


def _view_everything() -> set[str]:
    return {f"{model._meta.app_label}.view_{model._meta.model_name}" for model in admin.site._registry}


def role_permission_names(role: Role) -> set[str]:
    return set(role.permissions) | (_view_everything() if role.views_everything else set())


def _permissions(names: set[str]) -> dict[str, Permission]:
    found = {
        f"{perm.content_type.app_label}.{perm.codename}": perm
        for perm in Permission.objects.select_related("content_type").filter(
            codename__in={name.split(".", 1)[1] for name in names}
        )
    }
    missing = sorted(names - found.keys())
    if missing:  # a typo or a model gone: refuse, rather than make a role that silently cannot do its job
        raise ImproperlyConfigured(f"Unknown permissions (run migrate first?): {', '.join(missing)}")
    return {name: found[name] for name in names}


@transaction.atomic
def roles_setup(*, actor=None) -> list[RoleChange]:
    changes = []
    for role in ROLES:
        wanted = _permissions(role_permission_names(role))
        group, created = Group.objects.get_or_create(name=role.group)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        added, removed = sorted(wanted.keys() - held), sorted(held - wanted.keys())
        group.permissions.set(wanted.values())
        change = RoleChange(group=role.group, created=created, added=tuple(added), removed=tuple(removed))
        if created or added or removed:
            audit_record(
                action="role.setup",
                target=group,
                actor=actor,
                data={"created": created, "added": added, "removed": removed},
            )
        changes.append(change)
    return changes
