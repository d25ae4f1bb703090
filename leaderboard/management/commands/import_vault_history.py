"""manage.py import_vault_history: Hyperliquid vaults' public equity histories as lead traders' daily equity.

The two files are Hyperliquid's per-vault `allTime` accountValueHistory and pnlHistory (vault_address, timestamp in
ms, value in USD; see docs/ranking.md for where to get them and their licence). Each vault becomes a lead trader
(exchange "hyperliquid", UID = the vault's address) and, with --campaign, an approved enrolment; the history goes
through the operator's import (leaderboard.vault_history converts it), so it is checked, reported and all-or-nothing
like any import.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from campaigns.models import Campaign
from leaderboard.management.commands.import_performance import import_report
from leaderboard.services.performance_import import PerformanceImportError
from leaderboard.services.vault_import import vault_history_import
from leaderboard.vault_history import VaultHistoryError


class Command(BaseCommand):
    help = "Import Hyperliquid vault histories (account value + cumulative PnL CSVs) as daily equity and flows."

    def add_arguments(self, parser):
        parser.add_argument("account_values", type=Path, help="vault_address,timestamp,value: account value (USD)")
        parser.add_argument("pnls", type=Path, help="vault_address,timestamp,value: cumulative PnL (USD)")
        parser.add_argument("--names", type=Path, help="vault_address,vault_name,... (vault-info.csv) for names")
        parser.add_argument("--campaign", help="enrol every vault in this campaign (slug), approved")
        parser.add_argument("--output", type=Path, help="also write the converted performance CSV here")

    def handle(self, *args, account_values: Path, pnls: Path, names, campaign, output, **options):
        for path in (account_values, pnls, *([names] if names else [])):
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
        target = None
        if campaign:
            target = Campaign.objects.filter(slug=campaign).first()
            if target is None:
                raise CommandError(f"No campaign {campaign!r}")
        try:
            with transaction.atomic():
                summary, lines = vault_history_import(
                    account_values=account_values.read_text(encoding="utf-8-sig").splitlines(),
                    pnls=pnls.read_text(encoding="utf-8-sig").splitlines(),
                    names=names.read_text(encoding="utf-8-sig").splitlines(keepends=True) if names else None,
                    campaign=target,
                    now=timezone.now(),
                )
        except (VaultHistoryError, UnicodeDecodeError) as exc:
            raise CommandError(str(exc)) from exc
        except PerformanceImportError as exc:
            raise CommandError(f"{exc}:\n" + "\n".join(exc.errors[:100])) from exc
        if output:
            output.write_text("".join(lines), encoding="utf-8")
        import_report(self, summary)
