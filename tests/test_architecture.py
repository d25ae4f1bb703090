"""Arrows one way (issue 16, docs/architecture.md): the import-linter contracts in pyproject hold (grimp reads
function-local imports too, so none can reach up), and the demo is apart from production."""

import secrets
from pathlib import Path

from cryptography.fernet import Fernet
from django.conf import settings
from importlinter.cli import lint_imports

from tests.test_foundation_settings import _run

ROOT = Path(settings.BASE_DIR)


def test_the_import_contracts_hold(monkeypatch):
    monkeypatch.chdir(ROOT)  # pyproject.toml is read from the working directory
    assert lint_imports(no_cache=True, no_logo=True) == 0  # EXIT_STATUS_SUCCESS; the broken contract is printed


def test_production_settings_do_not_install_the_demo():
    result = _run(
        ["shell", "-c", "from django.conf import settings as s; print('demo' in s.INSTALLED_APPS)"],
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        DJANGO_ALLOWED_HOSTS="starboard.example.com",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"
    help_text = _run(["help", "seed_demo"], DJANGO_ENV="production", DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
                     FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode())  # fmt: skip
    assert help_text.returncode != 0 and "Unknown command: 'seed_demo'" in help_text.stderr


def test_local_settings_install_the_demo_and_its_command():
    assert "demo" in settings.INSTALLED_APPS
    result = _run(["help", "seed_demo"])
    assert result.returncode == 0, result.stderr
