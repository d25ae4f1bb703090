"""Validators for free text typed by the public: no control characters, no direction-override tricks."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Invisible characters that reorder text on screen (used to spoof names and links).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
_MULTILINE_ALLOWED = frozenset("\n\r\t")


def _has_bad_character(value: str, *, allowed: frozenset[str]) -> bool:
    for ch in value:
        if ch in allowed:
            continue
        if ch in _BIDI_CONTROLS or unicodedata.category(ch) in ("Cc", "Cs"):
            return True
    return False


def validate_single_line(value: str) -> None:
    if _has_bad_character(value, allowed=frozenset()):
        raise ValidationError(
            _("Remove control characters and line breaks from this field."), code="control_characters"
        )


def validate_multiline(value: str) -> None:
    if _has_bad_character(value, allowed=_MULTILINE_ALLOWED):
        raise ValidationError(_("Remove control characters from this text."), code="control_characters")


def normalise_text(value: str) -> str:
    """NFC form, outer whitespace removed: the same name typed on two keyboards compares equal."""
    return unicodedata.normalize("NFC", value).strip()
