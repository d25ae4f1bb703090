"""manage.py recompute_returns: re-derive every daily equity row's step, return and unit value from its equity and
flows (after the return method changed, e.g. to Modified Dietz steps); the stored money is not touched."""

from django.core.management.base import BaseCommand

from traders.services.equity import daily_returns_recompute


class Command(BaseCommand):
    help = "Recompute the step returns and unit values of all daily equity (or of --trader IDs)."

    def add_arguments(self, parser):
        parser.add_argument("--trader", type=int, action="append", help="a trader id (repeatable); default: all")

    def handle(self, *args, trader=None, **options):
        written = daily_returns_recompute(trader_ids=trader)
        self.stdout.write(self.style.SUCCESS(f"Recomputed {written} daily equity rows."))
