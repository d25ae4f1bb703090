"""Outgoing email: rendered in the recipient's language here, stored in the outbox and sent after the commit.

Why render before queuing rather than in the task: the message then describes the event exactly as it was
committed (an approval reversed a minute later must not turn the first email into a rejection), and a retry
resends the same text. The rendered email is written to the outbox (core/services/outbox.py) in the same
transaction as the change it reports, so a rolled-back decision leaves no email and a committed one cannot be lost
to a broker outage; the broker carries only the outbox row's id.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django.views.decorators.debug import sensitive_variables


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body: str
    language: str


def email_language(*, preferred: str | None) -> str:
    """The recipient's stored language when it is one the site speaks, else the active (request's) language."""
    supported = dict(settings.LANGUAGES)
    if preferred in supported:
        return preferred
    active = translation.get_language()
    return active if active in supported else settings.LANGUAGE_CODE


def email_render(*, subject_template: str, body_template: str, context: dict, language: str) -> RenderedEmail:
    """Render subject and body in `language`; the subject is one line (headers cannot hold newlines)."""
    with translation.override(language):
        subject = render_to_string(subject_template, context)
        body = render_to_string(body_template, context)
    return RenderedEmail(subject=" ".join(subject.split()), body=body, language=language)


@sensitive_variables("body", "message")  # a password-reset body holds its live link here
def email_deliver(*, subject: str, body: str, to: list[str], from_email: str | None = None) -> int:
    """Hand one message to the configured email backend; SMTP and network errors propagate."""
    message = EmailMessage(subject, body, from_email or settings.DEFAULT_FROM_EMAIL, to)
    return message.send(fail_silently=False)
