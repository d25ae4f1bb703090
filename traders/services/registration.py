"""Registering a lead trader: the login account, the trader row and optional API access, all or nothing."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from traders.models import LeadTrader
from traders.services.accounts import exchange_account_create
from traders.services.uid_verification import trader_uid_record, uid_check_new_key

# Django's auth user needs a unique username: the trader logs in with their email address.
USERNAME_MAX = 150


def trader_duplicate_errors(*, email: str, exchange_uid: str) -> dict[str, str]:
    """Field -> message for an email or exchange UID that is already registered (case-insensitive)."""
    errors = {}
    user_model = get_user_model()
    if (
        LeadTrader.objects.filter(email__iexact=email).exists()
        or user_model.objects.filter(username__iexact=email).exists()
    ):
        errors["email"] = _("This email address is already registered. Sign in instead.")
    if LeadTrader.objects.filter(exchange_uid__iexact=exchange_uid).exists():
        errors["exchange_uid"] = _("This exchange UID is already registered.")
    return errors


def trader_register(
    *,
    display_name: str,
    exchange: str,
    exchange_uid: str,
    email: str,
    password: str,
    profile_url: str = "",
    telegram: str = "",
    preferred_language: str = "en",
    bio: str = "",
    terms_accepted: bool,
    api_key: str = "",
    api_secret: str = "",
    api_password: str = "",
) -> LeadTrader:
    """Create the user, the pending LeadTrader and, when a key is given, its ExchangeAccount.

    Raises ValidationError (with field names) and leaves nothing behind on any failure, including a duplicate
    that slips past the form's check in a race (the unique constraints catch it, the UID's ignoring letter case),
    and an API key the exchange says is another UID's (traders.services.uid_verification).
    """
    if not terms_accepted:
        raise ValidationError({"accept_terms": _("You must accept the campaign terms.")})
    email = email.strip().lower()
    if len(email) > USERNAME_MAX:
        raise ValidationError({"email": _("This email address is too long.")})
    errors = trader_duplicate_errors(email=email, exchange_uid=exchange_uid)
    if errors:
        raise ValidationError(errors)
    check = None
    if api_key or api_secret:  # the exchange says whose account the key opens: another UID's key is refused
        check = uid_check_new_key(
            exchange_id=exchange,
            claimed_uid=exchange_uid,
            api_key=api_key.strip(),
            api_secret=api_secret.strip(),
            api_password=(api_password or "").strip(),
        )
    try:
        with transaction.atomic():
            user = get_user_model().objects.create_user(username=email, email=email, password=password)
            trader = LeadTrader.objects.create(
                user=user,
                display_name=display_name,
                exchange=exchange,
                exchange_uid=exchange_uid,
                profile_url=profile_url,
                email=email,
                telegram=telegram,
                preferred_language=preferred_language,
                bio=bio,
                status=LeadTrader.Status.PENDING,
                terms_accepted_at=timezone.now(),
            )
            if api_key or api_secret:
                exchange_account_create(
                    trader=trader,
                    exchange_id=exchange,
                    api_key=api_key,
                    api_secret=api_secret,
                    api_password=api_password,
                )
                trader_uid_record(trader=trader, check=check)
    except IntegrityError as exc:
        # A concurrent sign-up won the race for the same email or UID.
        raise ValidationError(
            trader_duplicate_errors(email=email, exchange_uid=exchange_uid)
            or {"email": _("This email address or exchange UID is already registered.")}
        ) from exc
    return trader
