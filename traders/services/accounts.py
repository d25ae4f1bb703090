"""Exchange API credentials: encrypted on the way in, never echoed, logged or audited in clear."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.encryption import encrypt
from core.services.audit import audit_record
from traders.models import ExchangeAccount, LeadTrader
from traders.selectors import exchange_account_of
from traders.services.uid_verification import trader_uid_record, uid_check_new_key


@transaction.atomic
def exchange_account_set_credentials(
    *, account: ExchangeAccount, api_key: str, api_secret: str, api_password: str = ""
) -> ExchangeAccount:
    """Replace the account's read-only API credentials with new ones (stored as Fernet ciphertext).

    The previous ciphertext is overwritten, so a leaked key is retired by entering a new one. Nothing here
    returns, logs or audits the plaintext.
    """
    api_key, api_secret, api_password = api_key.strip(), api_secret.strip(), (api_password or "").strip()
    if not api_key or not api_secret:
        raise ValidationError(_("Enter both the API key and the API secret."))
    account.api_key_encrypted = encrypt(api_key)
    account.api_secret_encrypted = encrypt(api_secret)
    account.api_password_encrypted = encrypt(api_password) if api_password else ""
    account.credentials_updated_at = timezone.now()
    # New credentials deserve a fresh try by the ingestion even if the old ones had failed.
    account.status = ExchangeAccount.Status.ACTIVE
    account.status_message = ""
    account.save(
        update_fields=[
            "api_key_encrypted",
            "api_secret_encrypted",
            "api_password_encrypted",
            "credentials_updated_at",
            "status",
            "status_message",
        ]
    )
    return account


@transaction.atomic
def exchange_account_create(
    *, trader: LeadTrader, exchange_id: str, api_key: str, api_secret: str, api_password: str = "", label: str = ""
) -> ExchangeAccount:
    account = ExchangeAccount.objects.create(trader=trader, exchange_id=exchange_id, label=label)
    return exchange_account_set_credentials(
        account=account, api_key=api_key, api_secret=api_secret, api_password=api_password
    )


def trader_credentials_set(
    *, trader: LeadTrader, api_key: str, api_secret: str, api_password: str = "", actor=None
) -> ExchangeAccount:
    """Add or replace the trader's API key on their registered exchange; audited without any secret.

    The exchange is asked first whose account the key opens (traders.services.uid_verification): a key of
    another UID, or one the exchange rejects, is refused with the reason (ValidationError) and nothing changes.
    """
    check = uid_check_new_key(
        exchange_id=trader.exchange,
        claimed_uid=trader.exchange_uid,
        api_key=api_key.strip(),
        api_secret=api_secret.strip(),
        api_password=(api_password or "").strip(),
    )
    with transaction.atomic():
        account = _credentials_store(
            trader=trader, api_key=api_key, api_secret=api_secret, api_password=api_password, actor=actor
        )
        trader_uid_record(trader=trader, check=check, actor=actor)
    return account


def _credentials_store(
    *, trader: LeadTrader, api_key: str, api_secret: str, api_password: str, actor
) -> ExchangeAccount:
    account = exchange_account_of(trader=trader)
    replaced = account is not None and account.has_credentials
    if account is None:
        account = ExchangeAccount.objects.create(trader=trader, exchange_id=trader.exchange)
    exchange_account_set_credentials(account=account, api_key=api_key, api_secret=api_secret, api_password=api_password)
    audit_record(
        action="exchange_account.credentials_replaced" if replaced else "exchange_account.credentials_added",
        target=account,
        actor=actor,
        data={"trader_id": trader.pk, "exchange": account.exchange_id},
    )
    return account
