"""Which model fields hold secrets: one definition for the admin guard (core/admin_guard.py) and the audit log.

A secret is anything that signs someone in or unlocks an account: a password hash, a session, an API secret (even
encrypted: the ciphertext plus a leaked key is the secret), a one-time link. No admin view, filter, search,
ordering, export, audit event or error page may reveal one, not even a yes/no by a result count.

Secret: the fields listed below, and any field whose name says it is one (password, secret, token, session key or
data, *_encrypted), so a model added later (ours or a library's) is covered before anyone remembers to list it.
"""

import re
from functools import cache

from django.core.exceptions import FieldDoesNotExist
from django.db.models.constants import LOOKUP_SEP

SECRET_FIELDS = {
    "auth.user": {"password"},
    "sessions.session": {"session_key", "session_data"},
    "authtoken.token": {"key"},
    # Outbox bodies: a password-reset email's body held its one-time link (rows from before links were made at
    # sending still may, and any future email with a link would).
    "core.outboundemail": {"body"},
    "traders.exchangeaccount": {"api_key_encrypted", "api_secret_encrypted", "api_password_encrypted"},
}
SECRET_NAME = re.compile(r"password|secret|token|session_key|session_data|_encrypted$")

# Secret fields Django's own admin shows masked (the user's password: its algorithm and the first characters of
# salt and hash, with the link to set a new one); every other secret field is left out of every admin page.
SHOWN_MASKED = {"auth.user": {"password"}}

# What the audit log writes instead of a secret's value.
SECRET_MARK = "[secret: not recorded]"  # noqa: S105 - a marker, not a secret


@cache
def secret_field_names(model) -> frozenset[str]:
    """The names of `model`'s secret fields (concrete fields only: relations are followed by secret_path)."""
    opts = model._meta
    listed = SECRET_FIELDS.get(opts.label_lower, set())
    return frozenset(
        field.name
        for field in opts.get_fields()
        if field.concrete and (field.name in listed or SECRET_NAME.search(field.name))
    )


def secret_path(model, path: str) -> str | None:
    """The secret field ("app.model.field") that `path` reaches from `model`, or None.

    `path` is anything the admin queries by: a lookup (`trader__user__password__startswith`), an ordering
    (`-body`) or a search field (`^email`). Relations are followed both ways; after a field that is not a relation
    the rest are transforms and lookups of that field.
    """
    opts = model._meta
    for part in path.lstrip("-^=@").split(LOOKUP_SEP):
        if part == "pk":
            field = opts.pk
        else:
            try:
                field = opts.get_field(part)
            except FieldDoesNotExist:
                return None  # not a field: an annotation, a list filter's own parameter, a lookup name
        if getattr(field, "concrete", False) and field.name in secret_field_names(opts.model):
            return f"{opts.label_lower}.{field.name}"
        if not field.is_relation or field.related_model is None:
            return None
        opts = field.related_model._meta
    return None


def shown_masked(model, name: str) -> bool:
    return name in SHOWN_MASKED.get(model._meta.label_lower, set())
