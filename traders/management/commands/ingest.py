"""manage.py ingest [--account ID]: pull exchange data now, in this process (beat does the same through Celery)."""

import ccxt
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from traders.models import ExchangeAccount
from traders.services.ingestion import account_ingest, ingestible_account_ids


class Command(BaseCommand):
    help = (
        "Ingest fills, closed positions, ledger and balance from each active exchange account with credentials "
        "(or only --account ID), from the stored cursors. Safe to run again: what is stored is not stored twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--account", type=int, help="ExchangeAccount id (default: every active account)")

    def handle(self, *args, account=None, **options):
        if account is not None:
            if not ExchangeAccount.objects.filter(pk=account).exists():
                raise CommandError(f"No exchange account with id {account}.")
            ids = [account]
        else:
            ids = ingestible_account_ids()
        totals = {"trades": 0, "positions": 0, "ledger": 0}
        outcomes: dict[str, int] = {}
        failures = []
        for account_id in tqdm(ids, desc="Ingesting", unit=" accounts", disable=options["verbosity"] < 1):
            try:
                result = account_ingest(account_id=account_id)
            except ccxt.BaseError as exc:  # transient or unexpected: report, carry on with the others
                failures.append(f"account {account_id}: {type(exc).__name__}: {str(exc)[:200]}")
                continue
            outcomes[result.status] = outcomes.get(result.status, 0) + 1
            for stream, created in result.created.items():
                totals[stream] = totals.get(stream, 0) + created
            if result.status == "needs_attention":
                self.stderr.write(f"account {account_id} needs attention: {result.message}")
        summary = (
            f"{len(ids)} accounts ({', '.join(f'{n} {s}' for s, n in sorted(outcomes.items())) or 'none ran'}); "
            f"new rows: {totals['trades']} fills, {totals['positions']} closed positions, "
            f"{totals['ledger']} ledger entries."
        )
        if failures:
            raise CommandError(f"{summary} {len(failures)} failed (retry later):\n" + "\n".join(failures))
        self.stdout.write(self.style.SUCCESS(summary))
