"""Create or update the operators' least-privilege groups (core.roles)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from core.services.roles import roles_setup


class Command(BaseCommand):
    help = (
        "Create the operators' groups (moderator, enrolment reviewer, campaign manager, payout approver, payer, "
        "auditor) holding exactly their role's permissions. Safe to run again: extra permissions are taken away."
    )

    def add_arguments(self, parser):
        parser.add_argument("--operator", help="Username of who runs it, for the audit log.")

    def handle(self, *args, operator=None, **options):
        actor = None
        if operator:
            actor = get_user_model().objects.filter(username=operator).first()
            if actor is None:
                raise CommandError(f"No user named {operator!r}.")
        try:
            changes = roles_setup(actor=actor)
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        for change in changes:
            state = "created" if change.created else "updated" if change.added or change.removed else "unchanged"
            detail = f" (+{len(change.added)} -{len(change.removed)})" if change.added or change.removed else ""
            self.stdout.write(f"{change.group}: {state}{detail}")
        self.stdout.write(self.style.SUCCESS(f"Roles ready: {len(changes)} groups."))
