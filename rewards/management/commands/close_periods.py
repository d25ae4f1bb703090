"""Close every ended reward period and calculate its draft payout batch (what beat runs every 15 minutes)."""

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.input_bounds import EARLIEST, instant_in_range
from rewards.management.operator import operator_argument, operator_user
from rewards.services.payouts import reward_periods_close


class Command(BaseCommand):
    help = (
        "Close every reward period that has ended and calculate a draft payout batch for each closed period "
        "without one, as the operator named (beat does the same as the system). Leaderboard periods wait for their "
        "published ranking run. Safe to run again."
    )

    def add_arguments(self, parser):
        operator_argument(parser)
        parser.add_argument("--now", help="Pretend it is this ISO 8601 time (with offset), e.g. for a replay.")

    def handle(self, *args, **options):
        now = None
        if options["now"]:
            try:
                now = parse_datetime(options["now"])
            except ValueError:  # well formed, but no such day or hour
                now = None
            if now is None or now.tzinfo is None:
                raise CommandError(f"--now must be an ISO 8601 time with an offset, got {options['now']!r}")
            if not instant_in_range(now, now=timezone.now()):  # a replay, never a period closed ahead of time
                raise CommandError(f"--now must be from {EARLIEST.date()} to the present, got {options['now']!r}")
        actor = operator_user(options["operator"])
        try:
            summary = reward_periods_close(actor=actor, now=now)
        except PermissionDenied as exc:
            raise CommandError(f"{options['operator']}: {exc}") from exc
        except Exception as exc:
            raise CommandError(f"Closing periods failed: {exc}") from exc
        for period_id, why in summary.waiting.items():
            self.stdout.write(self.style.WARNING(f"Period {period_id} waits: {why}"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Closed {len(summary.closed)} periods, calculated {len(summary.calculated)} draft batches, "
                f"{len(summary.waiting)} waiting."
            )
        )
