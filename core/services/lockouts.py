"""Releasing login lockouts (django-axes' records of failed sign-ins, settings AXES_*): by an operator allowed to,
or by the account's owner through a password reset (they proved they read its mailbox). Every release is audited."""

from axes.models import AccessAttempt
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from core.services.audit import audit_record

# Django's own permission on axes' model: "Can delete access attempt" is what unlocking does.
UNLOCK_PERMISSION = "axes.delete_accessattempt"


def login_lockout_may_release(actor) -> bool:
    return bool(
        actor and actor.is_authenticated and actor.is_active and actor.is_staff and actor.has_perm(UNLOCK_PERMISSION)
    )


@transaction.atomic
def login_lockout_release(*, actor, username: str | None = None, ip_address: str | None = None) -> int:
    """Forget the failed sign-ins of one account (from every address) or of one address (on every account), so it
    may sign in again at once. Returns how many failures were forgotten."""
    if not login_lockout_may_release(actor):
        raise PermissionDenied(_("You may not unlock sign-ins."))
    return _release(actor=actor, username=username, ip_address=ip_address, by="operator")


@transaction.atomic
def login_lockout_release_by_owner(*, user) -> int:
    """The owner chose a new password through an emailed link: their account's sign-in is unlocked (addresses stay
    locked: an attacker's address is not freed by its victim's reset)."""
    return _release(actor=user, username=user.get_username().strip().lower(), ip_address=None, by="password_reset")


def _release(*, actor, username: str | None, ip_address: str | None, by: str) -> int:
    if (username is None) == (ip_address is None):
        raise ValueError("Release one account (username) or one address (ip_address).")
    attempts = AccessAttempt.objects.select_for_update().filter(
        **({"username": username} if username is not None else {"ip_address": ip_address})
    )
    rows = list(attempts.order_by("id"))
    if not rows:
        return 0
    failures = sum(row.failures_since_start for row in rows)
    attempts.delete()
    audit_record(
        action="login_lockout.released",
        target=rows[0],
        actor=actor,
        data={
            "username": username,
            "ip_address": ip_address,
            "records": len(rows),
            "failures": failures,
            "by": by,
        },
    )
    return failures
