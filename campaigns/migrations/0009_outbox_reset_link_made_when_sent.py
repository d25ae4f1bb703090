import re

from django.db import migrations

# Password-reset emails no longer store their one-time link: the token is made when the email is sent
# (campaigns/services/password_reset.py). Reset emails still queued or failed from before hold a live link in
# their body; it is replaced by the placeholder the sender fills, so they hold none and are still sent (or retried)
# with a fresh link. Sent ones were redacted when sent.

TOKEN_PLACEHOLDER = "token-made-when-sent"  # as campaigns.services.password_reset.TOKEN_PLACEHOLDER
RESET_LINK = re.compile(r"(/reset/[0-9A-Za-z_\-]+/)[0-9A-Za-z]+-[0-9A-Za-z]+(/)")


def drop_stored_tokens(apps, schema_editor):
    OutboundEmail = apps.get_model("campaigns", "OutboundEmail")
    for email in OutboundEmail.objects.filter(kind="password_reset", status__in=["queued", "failed"]).only("body"):
        body = RESET_LINK.sub(rf"\g<1>{TOKEN_PLACEHOLDER}\g<2>", email.body)
        if body != email.body:
            OutboundEmail.objects.filter(pk=email.pk).update(body=body)


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0008_payout_frozen_identity"),
    ]

    operations = [
        migrations.RunPython(drop_stored_tokens, migrations.RunPython.noop),
    ]
