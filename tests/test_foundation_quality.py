"""Repository hygiene the CI enforces: lint clean, migrations complete, every model in the admin."""

import subprocess
import sys

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.core.management import call_command

OUR_APPS = ["leaderboard", "campaigns", "regime"]


def test_ruff_is_clean():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "."], cwd=settings.BASE_DIR, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-4000:]


@pytest.mark.django_db
def test_no_missing_migrations():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_every_model_is_in_the_admin():
    missing = [
        m.__name__ for app in OUR_APPS for m in apps.get_app_config(app).get_models() if not admin.site.is_registered(m)
    ]
    assert missing == []
