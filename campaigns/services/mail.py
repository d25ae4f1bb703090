"""Outgoing email: rendered in the recipient's language here, delivered by a Celery task after the commit.

Why render before enqueuing rather than inside the task: the message then describes the event exactly as it was
committed (an approval reversed a minute later must not turn the first email into a rejection), the task carries
plain JSON strings and needs no database, and a retry resends the same text. The cost is that the rendered text,
a password-reset link included, sits in the broker until a worker takes it; the link is single-use and expires
(PASSWORD_RESET_TIMEOUT).

Why on_commit(robust=True): the message leaves only once the write it reports is committed (a rolled-back decision
sends nothing), and a broker outage after the commit is logged instead of turning a committed request into an
error. Delivery failures (SMTP) happen in the worker, which retries with backoff (campaigns/tasks.py).
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body: str


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
    return RenderedEmail(subject=" ".join(subject.split()), body=body)


def email_send_on_commit(*, email: RenderedEmail, to: list[str], from_email: str | None = None) -> None:
    """Queue the message for the Celery task once the current transaction commits (at once outside one)."""
    from campaigns.tasks import send_email

    kwargs = {"subject": email.subject, "body": email.body, "to": list(to), "from_email": from_email}
    transaction.on_commit(lambda: send_email.delay(**kwargs), robust=True)


def email_deliver(*, subject: str, body: str, to: list[str], from_email: str | None = None) -> int:
    """Hand one message to the configured email backend; SMTP and network errors propagate (the task retries)."""
    message = EmailMessage(subject, body, from_email or settings.DEFAULT_FROM_EMAIL, to)
    return message.send(fail_silently=False)
