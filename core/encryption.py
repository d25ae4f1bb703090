"""Symmetric encryption of exchange credentials at rest (Fernet, with key rotation).

Keys come from settings.FIELD_ENCRYPTION_KEYS (newest first). Without any, development derives
one from SECRET_KEY so a fresh checkout works; production refuses to run without real keys.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class DecryptionError(Exception):
    """A stored secret cannot be read with the configured keys."""


def _fernet() -> MultiFernet:
    keys = list(settings.FIELD_ENCRYPTION_KEYS)
    if not keys:
        if getattr(settings, "DJANGO_ENV", "") == "production":
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set in production.")
        digest = hashlib.sha256(("starboard-dev-field-key:" + settings.SECRET_KEY).encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionError("Stored credential cannot be decrypted with the configured keys.") from exc
