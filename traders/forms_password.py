"""The password-reset request form: Django's own, with the email rendered in the trader's language, written to the
outbox and sent by the Celery task (core/services/outbox.py) instead of inside the request."""

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm

from core.models import OutboundEmail
from core.services.mail import email_language, email_render
from core.services.outbox import outbound_email_queue
from core.services.password_reset import TOKEN_PLACEHOLDER
from traders.models import LeadTrader


class TraderPasswordResetForm(PasswordResetForm):
    """Unknown, inactive and password-less addresses get no email and the same answer as everyone else (Django's
    get_users); a trader's email is in their stored language, anyone else's in the language of the request. The
    outbox keeps the email without its link's token (core/services/password_reset.py)."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        user = context["user"]
        trader = LeadTrader.objects.filter(user=user).only("display_name", "preferred_language").first()
        language = email_language(preferred=trader.preferred_language if trader else None)
        context = {
            **context,
            "token": TOKEN_PLACEHOLDER,  # the link is made when the email is sent, never stored
            "name": trader.display_name if trader else user.get_username(),
            "valid_hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600),
        }
        email = email_render(
            subject_template=subject_template_name,
            body_template=email_template_name,
            context=context,
            language=language,
        )
        outbound_email_queue(
            email=email, to=to_email, kind=OutboundEmail.Kind.PASSWORD_RESET, from_email=from_email, target=user
        )
