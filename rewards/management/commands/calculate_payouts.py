"""Calculate (or recalculate) the draft payout batch of one reward period."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from campaigns.models import RewardPeriod
from rewards.management.operator import operator_argument, operator_user
from rewards.services.payouts import payout_batch_calculate


class Command(BaseCommand):
    help = (
        "Calculate the draft payout batch of a reward period, replacing the lines of its draft if there is one. "
        "An approved batch is frozen and is never recalculated."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", type=int, required=True, help="RewardPeriod id")
        operator_argument(parser)

    def handle(self, *args, **options):
        try:
            period = RewardPeriod.objects.select_related("pool__campaign").get(pk=options["period"])
        except RewardPeriod.DoesNotExist as exc:
            raise CommandError(f"No reward period with id {options['period']}") from exc
        actor = operator_user(options["operator"])
        try:
            batch = payout_batch_calculate(period=period, actor=actor)
        except PermissionDenied as exc:
            raise CommandError(f"{options['operator']}: {exc}") from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{period}: draft batch {batch.pk} with {batch.lines.count()} lines, total {batch.total} "
                f"{period.pool.currency}, unspent {batch.unspent}."
            )
        )
