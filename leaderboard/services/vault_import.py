"""Public Hyperliquid vault histories as lead traders with daily equity, through the operator's import."""

import csv
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction

from campaigns.models import Campaign, Enrollment
from leaderboard.services.performance_import import ImportSummary, performance_import
from leaderboard.vault_history import performance_lines, vault_days
from traders.models import LeadTrader

EXCHANGE = "hyperliquid"


def _names(lines: Iterable[str] | None) -> dict[str, str]:
    if lines is None:
        return {}
    reader = csv.DictReader(lines)
    return {
        (row.get("vault_address") or "").strip().lower(): " ".join((row.get("vault_name") or "").split())[:64]
        for row in reader
    }


@transaction.atomic
def vault_history_import(
    *,
    account_values: Iterable[str],
    pnls: Iterable[str],
    names: Iterable[str] | None = None,
    campaign: Campaign | None = None,
    now: datetime,
) -> tuple[ImportSummary, list[str]]:
    """Create the vaults' lead traders (and approved enrolments in `campaign`), then import their histories.

    Returns the import's summary and the converted performance CSV lines. Raises VaultHistoryError on files that do
    not match, PerformanceImportError on values the import refuses; nothing is written then.
    """
    days = vault_days(account_values, pnls)
    labels = _names(names)
    vaults = sorted({d.vault for d in days})
    known = set(LeadTrader.objects.filter(exchange_uid__in=vaults).values_list("exchange_uid", flat=True))
    LeadTrader.objects.bulk_create(
        [
            LeadTrader(
                display_name=labels.get(v) or f"Vault {v[:10]}",
                exchange=EXCHANGE,
                exchange_uid=v,
                email=f"{v}@vaults.invalid",
                status=LeadTrader.Status.ACTIVE,
            )
            for v in vaults
            if v not in known
        ]
    )
    if campaign is not None:
        ids = LeadTrader.objects.filter(exchange_uid__in=vaults).values_list("id", flat=True)
        Enrollment.objects.bulk_create(
            [
                Enrollment(
                    campaign=campaign,
                    trader_id=t,
                    status=Enrollment.Status.APPROVED,
                    submitted_at=now,
                    decided_at=now,
                    reason="Public vault history (import_vault_history)",
                )
                for t in ids
            ],
            ignore_conflicts=True,
        )
    lines = list(performance_lines(days))
    return performance_import(lines=lines), lines
