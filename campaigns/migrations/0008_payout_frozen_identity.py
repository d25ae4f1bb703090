from django.db import migrations, models
from django.db.models import OuterRef, Q, Subquery

# Each payout line keeps whom it pays (exchange, UID, display name), copied from the trader at calculation, so an
# approved batch's export no longer follows later edits of the trader. Existing lines are filled from their
# trader as it is now, approved and paid batches included: from here on their identity is frozen with them.
# The frozen-lines trigger of 0003 refuses any update of an approved batch's line, so on PostgreSQL it is set aside
# for this one fill, inside the migration's transaction. SQLite rebuilds the table to add a column or a constraint,
# which drops its triggers: they are created again at the end.

FROZEN = "payout batch is approved: its lines are frozen"
SQLITE_TRIGGERS = [
    "DROP TRIGGER IF EXISTS campaigns_payout_frozen_insert;",
    "DROP TRIGGER IF EXISTS campaigns_payout_frozen_update;",
    f"""CREATE TRIGGER campaigns_payout_frozen_insert BEFORE INSERT ON campaigns_payout
    WHEN (SELECT status FROM campaigns_payoutbatch WHERE id = NEW.batch_id) <> 'draft'
    BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END;""",
    f"""CREATE TRIGGER campaigns_payout_frozen_update BEFORE UPDATE ON campaigns_payout
    WHEN (SELECT status FROM campaigns_payoutbatch WHERE id = OLD.batch_id) <> 'draft'
      OR (SELECT status FROM campaigns_payoutbatch WHERE id = NEW.batch_id) <> 'draft'
    BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END;""",
]


def copy_payees(apps, schema_editor):
    Payout, LeadTrader = apps.get_model("campaigns", "Payout"), apps.get_model("leaderboard", "LeadTrader")
    trader = LeadTrader.objects.filter(pk=OuterRef("trader_id"))
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute("ALTER TABLE campaigns_payout DISABLE TRIGGER campaigns_payout_frozen;")
    Payout.objects.update(
        payee_exchange=Subquery(trader.values("exchange")[:1]),
        payee_uid=Subquery(trader.values("exchange_uid")[:1]),
        payee_name=Subquery(trader.values("display_name")[:1]),
    )
    if postgres:
        schema_editor.execute("ALTER TABLE campaigns_payout ENABLE TRIGGER campaigns_payout_frozen;")


def sqlite_triggers_back(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0007_four_eyes"),
        ("leaderboard", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, sqlite_triggers_back),  # backwards: after the rebuilds
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
        migrations.RunPython(sqlite_triggers_back, sqlite_triggers_back),
    ]
