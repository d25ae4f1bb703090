"""Create or update the default beat schedule in the database (idempotent)."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from core.schedules import CRONTABS, INTERVALS


class Command(BaseCommand):
    help = "Create or update the default periodic tasks for Celery beat (database scheduler). Safe to run again."

    @transaction.atomic
    def handle(self, *args, **options):
        created = updated = 0
        for name, task, every, period in INTERVALS:
            interval, _ = IntervalSchedule.objects.get_or_create(every=every, period=period)
            _, was_created = PeriodicTask.objects.update_or_create(
                name=name, defaults={"task": task, "interval": interval, "crontab": None, "enabled": True}
            )
            created, updated = created + was_created, updated + (not was_created)
        for name, task, minute, hour in CRONTABS:
            crontab, _ = CrontabSchedule.objects.get_or_create(
                minute=minute, hour=hour, day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC"
            )
            _, was_created = PeriodicTask.objects.update_or_create(
                name=name, defaults={"task": task, "crontab": crontab, "interval": None, "enabled": True}
            )
            created, updated = created + was_created, updated + (not was_created)
        self.stdout.write(self.style.SUCCESS(f"Schedules ready: {created} created, {updated} updated."))
