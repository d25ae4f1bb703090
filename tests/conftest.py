"""Shared fixtures and the skip policy for tests that need real servers.

Outside CI a test marked postgres / redis / celery_worker / browser is skipped with the reason when its service is
missing; in CI (CI=true) nothing may skip, so a missing service fails the test instead.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(settings.BASE_DIR) / "artifacts"


def _using_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def _redis_reachable() -> bool:
    if not settings.REDIS_URL:
        return False
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError:
        return False
    return True


def _missing(marker: str) -> str | None:
    """Why the service a marker needs is unavailable, or None when it is there."""
    if marker == "postgres" and not _using_postgres():
        return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if marker in {"redis", "celery_worker"} and not _redis_reachable():
        return "needs Redis: set REDIS_URL=redis://... to a running server"
    if marker == "celery_worker" and not _using_postgres():
        return "needs PostgreSQL shared with the worker process: set DATABASE_URL=postgres://..."
    if marker == "browser" and not (shutil.which(CHROMIUM) or Path(CHROMIUM).exists()):
        return f"needs headless Chromium at {CHROMIUM} (apt-get install chromium chromium-driver)"
    return None


def pytest_collection_modifyitems(config, items):
    for item in items:
        for marker in ("postgres", "redis", "celery_worker", "browser"):
            if item.get_closest_marker(marker) is None:
                continue
            reason = _missing(marker)
            if reason is None:
                continue
            if not IN_CI:  # in CI the test runs anyway and fails loudly on the missing service
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def shared_data() -> Path:
    path = Path(settings.SHARED_DATA_DIR)
    if not path.exists():
        pytest.skip(f"shared data not found at {path}")
    return path
