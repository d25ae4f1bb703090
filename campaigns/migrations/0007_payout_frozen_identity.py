from django.db import migrations, models
from django.db.models import OuterRef, Q, Subquery

# Each payout line keeps whom it pays (exchange, UID, display name), copied from the trader at calculation, so an
# approved batch's export no longer follows later edits of the trader. Existing lines are filled from their
# trader as it is now, approved and paid batches included: from here on their identity is frozen with them.
# The frozen-lines trigger of 0003 refuses any update of an approved batch's line, so it is set aside for this one
# fill, inside the migration's transaction.

FROZEN = "payout batch is approved: its lines are frozen"
SQLITE_UPDATE_TRIGGER = f"""CREATE TRIGGER campaigns_payout_frozen_update BEFORE UPDATE ON campaigns_payout
    WHEN (SELECT status FROM campaigns_payoutbatch WHERE id = OLD.batch_id) <> 'draft'
      OR (SELECT status FROM campaigns_payoutbatch WHERE id = NEW.batch_id) <> 'draft'
    BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END;"""


def _set_trigger_aside(schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE campaigns_payout DISABLE TRIGGER campaigns_payout_frozen;")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS campaigns_payout_frozen_update;")


def _put_trigger_back(schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE campaigns_payout ENABLE TRIGGER campaigns_payout_frozen;")
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_UPDATE_TRIGGER)


def copy_payees(apps, schema_editor):
    Payout, LeadTrader = apps.get_model("campaigns", "Payout"), apps.get_model("leaderboard", "LeadTrader")
    trader = LeadTrader.objects.filter(pk=OuterRef("trader_id"))
    _set_trigger_aside(schema_editor)
    try:
        Payout.objects.update(
            payee_exchange=Subquery(trader.values("exchange")[:1]),
            payee_uid=Subquery(trader.values("exchange_uid")[:1]),
            payee_name=Subquery(trader.values("display_name")[:1]),
        )
    finally:
        _put_trigger_back(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0006_post_signature_published_at"),
        ("leaderboard", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="payout",
            name="payee_exchange",
            field=models.CharField(default="", max_length=32, verbose_name="exchange"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="payout",
            name="payee_uid",
            field=models.CharField(default="", max_length=64, verbose_name="exchange UID"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="payout",
            name="payee_name",
            field=models.CharField(default="", max_length=64, verbose_name="display name"),
            preserve_default=False,
        ),
        migrations.RunPython(copy_payees, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="payout",
            constraint=models.CheckConstraint(
                condition=~Q(payee_exchange="") & ~Q(payee_uid=""), name="payout_payee_identity_frozen"
            ),
        ),
    ]
