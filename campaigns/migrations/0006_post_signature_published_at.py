from django.db import migrations, models
from django.utils import timezone


def drop_signatures(apps, schema_editor):
    """Signatures written by an earlier 0004 have no publish time. Posts are not signed again here (that would need
    the live signing code, which a migration must not import): the originality check signs the earlier posts it
    finds unsigned, once, before it compares (campaigns.services.post_signatures.originality_nearest)."""
    apps.get_model("campaigns", "PostBand").objects.all().delete()
    apps.get_model("campaigns", "PostSignature").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0005_outbound_email"),
    ]

    # The data step comes first so no schema change follows a write in the same transaction.
    operations = [
        migrations.RunPython(drop_signatures, migrations.RunPython.noop),
        migrations.AddField(
            model_name="postsignature",
            name="published_at",
            field=models.DateTimeField(default=timezone.now),
            preserve_default=False,
        ),
        migrations.AddIndex(
            model_name="postsignature",
            index=models.Index(fields=["scheme", "published_at"], name="post_signature_earlier"),
        ),
        migrations.AddIndex(
            model_name="post",
            index=models.Index(fields=["published_at"], name="post_published_at"),
        ),
        migrations.AlterModelOptions(
            name="postband",
            options={"verbose_name": "post band key", "verbose_name_plural": "post band keys"},
        ),
        migrations.AlterModelOptions(
            name="postsignature",
            options={"verbose_name": "post signature", "verbose_name_plural": "post signatures"},
        ),
    ]
