from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("leaderboard", "0006_trader_models_moved_to_traders"),
    ]

    operations = [
        migrations.AddField(
            model_name="standing",
            name="coverage",
            field=models.FloatField(blank=True, null=True),
        ),
    ]
