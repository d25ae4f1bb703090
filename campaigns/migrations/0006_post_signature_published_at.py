from django.db import migrations, models
from django.utils import timezone

from campaigns.originality import scheme
from campaigns.services.post_signatures import post_signatures_backfill


def drop_signatures(apps, schema_editor):
    """Signatures written by an earlier 0004 have no publish time: they are signed again below."""
    apps.get_model("campaigns", "PostBand").objects.all().delete()
    apps.get_model("campaigns", "PostSignature").objects.all().delete()


def sign_existing_posts(apps, schema_editor):
    """Every existing post, signed under the scheme of every campaign's rules (the originality check compares
    with the posts of every campaign); a scheme that appears later is signed lazily by the check itself."""
    Campaign, Post = apps.get_model("campaigns", "Campaign"), apps.get_model("campaigns", "Post")
    PostSignature, PostBand = apps.get_model("campaigns", "PostSignature"), apps.get_model("campaigns", "PostBand")
    rules_by_scheme = {scheme(c.content_rules): c.content_rules for c in Campaign.objects.only("content_rules")}
    for rules in rules_by_scheme.values():
        post_signatures_backfill(
            rules=rules,
            posts=Post.objects.order_by("id").values_list("id", "text", "published_at").iterator(chunk_size=500),
            signature_model=PostSignature,
            band_model=PostBand,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0005_outbound_email"),
    ]

    # The data steps come first and last so no schema change follows a write in the same transaction.
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
        migrations.RunPython(sign_existing_posts, migrations.RunPython.noop),
    ]
