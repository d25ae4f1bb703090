"""Verifying a trader's exchange UID through their API key: the exchange says whose account the key opens.

A key whose account is another UID (or, where the exchange says so, not a copy-trading lead trader) is refused
when it is entered, with the reason; a key the exchange rejects is refused too. When the exchange cannot be asked
(unreachable, an exchange without such an endpoint, a key without the right to read its account) the key is kept
and the UID stays "not verified", which every page shows; the scheduled check asks again later. A stored key found
to belong to someone else later marks the UID "mismatch" and stops its ingestion.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import ccxt
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.encryption import DecryptionError
from core.services.audit import audit_record
from traders.exchange import ExchangeUnavailable, exchange_build, exchange_for_credentials
from traders.exchange_identity import exchange_identity, same_uid
from traders.models import ExchangeAccount, LeadTrader
from traders.selectors import exchange_account_of
from traders.services.ingestion import exchange_account_mark_needs_attention

Status = LeadTrader.UidStatus


@dataclass(frozen=True)
class UidCheck:
    status: str  # a LeadTrader.UidStatus value
    message: str  # why, in the active language ("" when verified)
    lead_trader: bool | None = None
    key_rejected: bool = False  # the exchange refused the key itself

    @property
    def refuses_key(self) -> bool:
        return self.status == Status.MISMATCH or self.key_rejected


def uid_check(*, exchange: ccxt.Exchange, claimed_uid: str) -> UidCheck:
    """Ask the exchange whose account the key opens and compare it with the UID the trader claims."""
    try:
        identity = exchange_identity(exchange)
    except ccxt.PermissionDenied:  # a key without the right to read its own account: nothing to compare
        return UidCheck(
            Status.UNVERIFIED, _("The API key may not read its account's details, so the UID is unchecked.")
        )
    except (ccxt.AuthenticationError, ccxt.AccountSuspended):
        return UidCheck(
            Status.UNVERIFIED, _("The exchange rejected this API key. Enter a valid read-only key."), key_rejected=True
        )
    except ccxt.BaseError:  # network trouble, maintenance, an odd answer: ask again later
        return UidCheck(
            Status.UNVERIFIED, _("The exchange could not be asked just now; the UID will be checked later.")
        )
    if identity is None:
        return UidCheck(Status.UNVERIFIED, _("This exchange offers no way to verify a UID through an API key."))
    if not same_uid(claimed_uid, identity.uid):
        return UidCheck(
            Status.MISMATCH,
            _("This API key belongs to exchange UID %(actual)s, not to UID %(claimed)s.")
            % {"actual": identity.uid, "claimed": claimed_uid},
            lead_trader=identity.lead_trader,
        )
    if identity.lead_trader is False:
        return UidCheck(
            Status.MISMATCH,
            _("The exchange says UID %(uid)s is not a copy-trading lead trader.") % {"uid": identity.uid},
            lead_trader=False,
        )
    return UidCheck(Status.VERIFIED, "", lead_trader=identity.lead_trader)


def uid_check_new_key(
    *, exchange_id: str, claimed_uid: str, api_key: str, api_secret: str, api_password: str = ""
) -> UidCheck:
    """Check a key before it is stored. Raises ValidationError (on the api_key field) when it must be refused:
    another account, not a lead trader, or rejected by the exchange. Call it outside any transaction: it waits on
    the network (at most EXCHANGE_VERIFY_TIMEOUT_MS)."""
    try:
        exchange = exchange_for_credentials(
            exchange_id=exchange_id,
            api_key=api_key,
            api_secret=api_secret,
            api_password=api_password,
            timeout_ms=settings.EXCHANGE_VERIFY_TIMEOUT_MS,
        )
    except ExchangeUnavailable:
        return UidCheck(Status.UNVERIFIED, _("This exchange offers no way to verify a UID through an API key."))
    check = uid_check(exchange=exchange, claimed_uid=claimed_uid)
    if check.refuses_key:
        raise ValidationError({"api_key": _("This API key cannot be used: %(why)s") % {"why": check.message}})
    return check


def trader_uid_record(*, trader: LeadTrader, check: UidCheck, now: datetime | None = None, actor=None) -> LeadTrader:
    """Store a check's outcome on the trader; a change of status is an audit event."""
    previous = trader.uid_status
    trader.uid_status = check.status
    trader.uid_checked_at = now or timezone.now()
    trader.uid_check_message = check.message[:500]
    trader.exchange_lead_trader = check.lead_trader
    trader.save(update_fields=["uid_status", "uid_checked_at", "uid_check_message", "exchange_lead_trader"])
    if previous != check.status:
        audit_record(
            action="lead_trader.uid_checked",
            target=trader,
            actor=actor,
            data={"from": previous, "to": check.status, "message": check.message, "lead_trader": check.lead_trader},
        )
    return trader


@transaction.atomic
def trader_uid_status_reset(*, trader: LeadTrader, actor=None) -> LeadTrader:
    """The UID changed (an operator's edit): what was verified was another UID."""
    return trader_uid_record(
        trader=trader, check=UidCheck(Status.UNVERIFIED, _("The UID changed; it is checked again.")), actor=actor
    )


def trader_uid_verify(*, trader: LeadTrader, actor=None, now: datetime | None = None) -> UidCheck:
    """Check the stored key of the trader's account again (the admin's action, the scheduled check). A mismatch
    also stops the account's ingestion (needs attention) until the trader enters their own key."""
    account = exchange_account_of(trader=trader)
    if account is None or not account.has_credentials:
        check = UidCheck(Status.UNVERIFIED, _("No API key is stored, so the UID is unchecked."))
    else:
        try:
            check = uid_check(exchange=exchange_build(account=account), claimed_uid=trader.exchange_uid)
        except (DecryptionError, ExchangeUnavailable):
            check = UidCheck(Status.UNVERIFIED, _("The stored API key cannot be used; the UID is unchecked."))
    with transaction.atomic():
        trader_uid_record(trader=trader, check=check, now=now, actor=actor)
        if check.status == Status.MISMATCH and account is not None:
            exchange_account_mark_needs_attention(account=account, message=check.message)
    return check


def trader_uids_verify_due(*, now: datetime | None = None, every: timedelta = timedelta(hours=1)) -> dict[str, int]:
    """Check every real trader whose UID is not verified yet and who has a key, at most once per `every`."""
    now = now or timezone.now()
    due = (
        LeadTrader.objects.filter(uid_status=Status.UNVERIFIED, is_simulated=False)
        .filter(accounts__status=ExchangeAccount.Status.ACTIVE)
        .exclude(accounts__api_key_encrypted="")
        .exclude(uid_checked_at__gt=now - every)
        .distinct()
        .order_by("id")
    )
    counts = {status: 0 for status in Status.values}
    for trader in due:
        counts[trader_uid_verify(trader=trader, now=now).status] += 1
    return counts
