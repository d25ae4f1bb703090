"""The public lead-trader registration form and the sign-in form (email as the username)."""

import re

import ccxt
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from core.validators import normalise_text, validate_multiline, validate_single_line
from traders.services.registration import USERNAME_MAX, trader_duplicate_errors

DEFAULT_EXCHANGE = "gate"
DISPLAY_NAME_MAX = 64  # LeadTrader.display_name
EXCHANGE_CHOICES = [(exchange_id, exchange_id) for exchange_id in sorted(ccxt.exchanges)]
_UID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{2,63}$")
_NUMERIC_UID_RE = re.compile(r"^[0-9]{4,20}$")
# Exchanges whose UIDs are plain numbers, so a typo (a name, an email) is caught early.
NUMERIC_UID_EXCHANGES = frozenset({"gate", "gateio", "binance", "bybit", "okx", "bitget", "mexc", "htx"})
_TELEGRAM_RE = re.compile(r"^@?[A-Za-z0-9_]{5,32}$")
_API_TOKEN_RE = re.compile(r"^[\x21-\x7e]{8,256}$")  # printable ASCII, no spaces


class NormalisedCharField(forms.CharField):
    """Text in NFC form before the length checks run (normalising can lengthen a few characters)."""

    def to_python(self, value):
        return normalise_text(super().to_python(value))


class HoneypotMixin(forms.Form):
    """A field people never see (hidden by CSS) and bots fill in."""

    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("This submission cannot be accepted."), code="honeypot")
        return ""


def api_credential_field(label, *, required: bool = True, help_text: str = "") -> forms.CharField:
    """An API key, secret or passphrase input: masked, never rendered back, not autofilled."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=256,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=help_text,
    )


class ApiCredentialCleaning:
    """Checks shared by every form that takes an API key: printable ASCII without spaces, sane length."""

    def _clean_api_token(self, name: str) -> str:
        value = self.cleaned_data.get(name, "").strip()
        if value and not _API_TOKEN_RE.match(value):
            raise forms.ValidationError(
                _("This does not look like an API credential: 8 to 256 characters without spaces."), code="invalid"
            )
        return value

    def clean_api_key(self):
        return self._clean_api_token("api_key")

    def clean_api_secret(self):
        return self._clean_api_token("api_secret")

    def clean_api_password(self):
        value = self.cleaned_data.get("api_password", "")
        if value and (len(value) > 256 or not value.isprintable() or not value.isascii()):
            raise forms.ValidationError(_("The API passphrase contains characters that are not allowed."))
        return value


class TraderRegistrationForm(HoneypotMixin, ApiCredentialCleaning, forms.Form):
    display_name = NormalisedCharField(
        label=_("Display name"), min_length=2, max_length=DISPLAY_NAME_MAX, validators=[validate_single_line]
    )
    exchange = forms.ChoiceField(label=_("Exchange"), choices=EXCHANGE_CHOICES, initial=DEFAULT_EXCHANGE)
    exchange_uid = forms.CharField(
        label=_("Exchange UID"),
        max_length=64,
        help_text=_("Your user ID on the exchange (on Gate: a number, shown on your profile)."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    profile_url = forms.URLField(
        label=_("Lead-trader profile link"),
        max_length=500,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("The public page of your copy-trading profile."),
    )
    email = forms.EmailField(label=_("Email"), max_length=USERNAME_MAX, help_text=_("You sign in with it."))
    telegram = forms.CharField(label=_("Telegram (optional)"), required=False, max_length=33)
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)
    bio = NormalisedCharField(
        label=_("Short bio (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[validate_multiline],
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    api_key = api_credential_field(
        _("Read-only API key (optional)"),
        required=False,
        help_text=_("Only for performance tracking. Stored encrypted and never shown again."),
    )
    api_secret = api_credential_field(_("API secret"), required=False)
    api_password = api_credential_field(_("API passphrase (only if your exchange uses one)"), required=False)
    accept_terms = forms.BooleanField(
        label=_("I accept the campaign terms and confirm I trade futures as a copy-trading lead trader."),
        error_messages={"required": _("You must accept the campaign terms.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Move the honeypot to the end, where it is least likely to be reached by keyboard.
        self.order_fields([name for name in self.fields if name != "website"] + ["website"])

    def clean_display_name(self):
        value = self.cleaned_data["display_name"]
        if len(value) < 2:
            raise forms.ValidationError(_("Enter a display name of at least 2 characters."), code="min_length")
        if not any(ch.isalnum() for ch in value):
            raise forms.ValidationError(_("A display name needs at least one letter or digit."), code="no_alnum")
        return value

    def clean_exchange_uid(self):
        value = self.cleaned_data["exchange_uid"].strip()
        if not _UID_RE.match(value):
            raise forms.ValidationError(
                _("Enter your exchange UID: 3 to 64 letters, digits, dots, dashes or underscores."), code="invalid"
            )
        return value

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_telegram(self):
        value = self.cleaned_data.get("telegram", "").strip()
        if not value:
            return ""
        if not _TELEGRAM_RE.match(value):
            raise forms.ValidationError(
                _("Enter a Telegram username: 5 to 32 letters, digits or underscores, e.g. @star_trader."),
                code="invalid",
            )
        return "@" + value.lstrip("@")

    def clean(self):
        data = super().clean()
        exchange, uid = data.get("exchange"), data.get("exchange_uid")
        if exchange in NUMERIC_UID_EXCHANGES and uid and not _NUMERIC_UID_RE.match(uid):
            self.add_error("exchange_uid", _("On this exchange the UID is a number of 4 to 20 digits."))
        if data.get("email") and data.get("exchange_uid"):
            duplicates = trader_duplicate_errors(email=data["email"], exchange_uid=data["exchange_uid"])
            for field, message in duplicates.items():
                self.add_error(field, message)
        key, secret = data.get("api_key"), data.get("api_secret")
        if bool(key) != bool(secret) and "api_key" not in self.errors and "api_secret" not in self.errors:
            message = _("Enter both the API key and the API secret, or neither.")
            self.add_error("api_secret" if key else "api_key", message)
        if data.get("api_password") and not key:
            self.add_error("api_password", _("A passphrase only goes with an API key."))
        password1, password2 = data.get("password1"), data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords do not match."))
        elif password1 and password2:
            candidate = get_user_model()(username=data.get("email") or "", email=data.get("email") or "")
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data

    def service_kwargs(self) -> dict:
        """The cleaned data as the keyword arguments of trader_register."""
        data = self.cleaned_data
        return {
            "display_name": data["display_name"],
            "exchange": data["exchange"],
            "exchange_uid": data["exchange_uid"],
            "email": data["email"],
            "password": data["password1"],
            "profile_url": data["profile_url"],
            "telegram": data["telegram"],
            "preferred_language": data["preferred_language"],
            "bio": data["bio"],
            "terms_accepted": data["accept_terms"],
            "api_key": data["api_key"],
            "api_secret": data["api_secret"],
            "api_password": data["api_password"],
        }


class EmailAuthenticationForm(AuthenticationForm):
    """Sign-in by email: usernames are the lower-cased email given at registration."""

    username = forms.CharField(
        label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()


class ApiCredentialsForm(ApiCredentialCleaning, forms.Form):
    """Enter or replace the read-only API key used for performance tracking. Nothing is ever shown back."""

    api_key = api_credential_field(_("Read-only API key"))
    api_secret = api_credential_field(_("API secret"))
    api_password = api_credential_field(_("API passphrase (only if your exchange uses one)"), required=False)
