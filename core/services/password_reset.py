"""A password-reset email's one-time link is made when the email is sent, never stored.

The request writes the email to the outbox (traders/forms_password.py) with TOKEN_PLACEHOLDER where the link's
token goes; outbound_email_send asks password_reset_body for the text to send, with a token made at that moment.
So no outbox row, admin page or database backup ever holds a link that signs anyone in, whether the email is
queued, failed or sent, and an operator's retry of a failed email sends a link that works.

A token made at sending is valid PASSWORD_RESET_TIMEOUT from then (as the email says) and only until the password
changes; each attempt makes a fresh one (Django's tokens are stateless: an earlier attempt's, had it arrived after
all, stays valid until then too).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.views.decorators.debug import sensitive_variables

TOKEN_PLACEHOLDER = "token-made-when-sent"  # noqa: S105 - a placeholder, not a token


@sensitive_variables("token", "link")
def password_reset_body(*, body: str, user_id: str) -> str | None:
    """The stored body with the link's token filled in, or None when the account can no longer reset its password
    (deleted, deactivated, or no usable password: those Django's reset form never emails either)."""
    user = get_user_model()._default_manager.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None or not user.has_usable_password():
        return None
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = f"/{uid}/{token}/"
    return body.replace(f"/{uid}/{TOKEN_PLACEHOLDER}/", link)
