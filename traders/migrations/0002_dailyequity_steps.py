from django.db import migrations, models

# Existing rows get their step from the previous row's date (one window function; PostgreSQL and SQLite alike).
BACKFILL = {
    "postgresql": """
        UPDATE leaderboard_dailyequity AS d SET step_days = s.gap FROM (
            SELECT id, date - LAG(date) OVER (PARTITION BY trader_id ORDER BY date) AS gap
            FROM leaderboard_dailyequity) AS s
        WHERE d.id = s.id AND s.gap IS NOT NULL""",
    "sqlite": """
        UPDATE leaderboard_dailyequity SET step_days = (
            SELECT CAST(julianday(d.date) - julianday(s.prev) AS INTEGER) FROM leaderboard_dailyequity AS d
            JOIN (SELECT id, LAG(date) OVER (PARTITION BY trader_id ORDER BY date) AS prev
                  FROM leaderboard_dailyequity) AS s ON s.id = d.id
            WHERE d.id = leaderboard_dailyequity.id AND s.prev IS NOT NULL)""",
}


def backfill(apps, schema_editor):
    sql = BACKFILL.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("traders", "0001_initial_moved_from_leaderboard"),
    ]

    operations = [
        migrations.AddField(
            model_name="dailyequity",
            name="step_days",
            field=models.PositiveSmallIntegerField(
                blank=True, help_text="Calendar days since the previous row: the span of daily_return", null=True
            ),
        ),
        migrations.AddField(
            model_name="dailyequity",
            name="weighted_flow",
            field=models.DecimalField(
                blank=True,
                decimal_places=8,
                help_text="Each flow times the share of the step left after it, when the flows' times are known",
                max_digits=28,
                null=True,
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
