"""Settings come from the environment: the embedded default, and a production mode that refuses to start unsafely."""

import os
import secrets
import subprocess
import sys

from cryptography.fernet import Fernet
from django.conf import settings

from core.encryption import decrypt, encrypt

_NOT_INHERITED = {"DATABASE_URL", "REDIS_URL", "REDIS_CACHE_URL", "DJANGO_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE"}
MANAGE = [sys.executable, str(settings.BASE_DIR / "manage.py")]


def _run(args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED}
    return subprocess.run(MANAGE + args, env={**clean, **env}, capture_output=True, text=True, timeout=120)


def test_production_refuses_to_start_without_a_real_secret_key():
    result = _run(["check"], DJANGO_ENV="production", DJANGO_SECRET_KEY="short")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_encryption_keys():
    result = _run(["check"], DJANGO_ENV="production", DJANGO_SECRET_KEY=secrets.token_urlsafe(64))
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS" in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = _run(
        ["check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        DJANGO_ALLOWED_HOSTS="starboard.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_embedded_default_is_sqlite_eager_and_locmem():
    result = _run(
        [
            "shell",
            "-c",
            "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], "
            "s.CELERY_TASK_ALWAYS_EAGER, s.CACHES['default']['BACKEND'], s.TIME_ZONE, s.DEBUG)",
        ]
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "django.db.backends.sqlite3",
        "True",
        "django.core.cache.backends.locmem.LocMemCache",
        "UTC",
        "True",
    ]


def test_redis_url_switches_cache_and_broker_to_redis():
    result = _run(
        [
            "shell",
            "-c",
            "from django.conf import settings as s; print(s.CACHES['default']['BACKEND'], "
            "s.CELERY_BROKER_URL, s.CELERY_TASK_ALWAYS_EAGER)",
        ],
        REDIS_URL="redis://127.0.0.1:6379/9",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "django.core.cache.backends.redis.RedisCache",
        "redis://127.0.0.1:6379/9",
        "False",
    ]


def test_credentials_are_encrypted_and_round_trip():
    token = encrypt("my-api-secret")
    assert "my-api-secret" not in token
    assert decrypt(token) == "my-api-secret"
