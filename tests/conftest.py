"""Shared fixtures and the skip policy for tests that need real servers.

Outside CI a test marked postgres / redis / celery_worker / browser is skipped with the reason when its service is
missing; in CI (CI=true) nothing may skip, so a missing service fails the test instead.
"""

import contextlib
import os
import shutil
import socket
from pathlib import Path

import pytest
from django.conf import settings

from tests.browser import CHROMIUM

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
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


# Tests that share an expensive fixture run on one parallel worker (pytest-xdist --dist loadgroup), which builds it
# once: the real Celery worker process, the whole demo seed.
SHARED_FIXTURE_GROUPS = {"celery_worker_process": "celery-worker", "seeded": "seed-demo"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        for fixture, group in SHARED_FIXTURE_GROUPS.items():
            if fixture in getattr(item, "fixturenames", ()):
                item.add_marker(pytest.mark.xdist_group(group))
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


@pytest.fixture(scope="session")
def snapshot_data() -> Path:
    """The small real files shipped in the repo's data/ (sources and licences in data/README.md): always there."""
    return Path(settings.SNAPSHOT_DATA_DIR)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The larger real public data folder (settings.SHARED_DATA_DIR), read in place. Its licences keep it out of the
    repo, so a clone alone skips the tests that need it, saying why; in CI (which has it) its absence fails them."""
    path = Path(settings.SHARED_DATA_DIR)
    if not path.is_dir():
        reason = f"needs the real shared data folder (not redistributable, not in the repo): SHARED_DATA_DIR={path}"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture(autouse=True)
def _celery_eager_unless_worker(request):
    """Tasks run in-process in tests, except in tests that exercise a real worker (marker celery_worker)."""
    from config.celery import app

    eager = request.node.get_closest_marker("celery_worker") is None
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request answered in Chinese leaves the thread's language switched
    (LocaleMiddleware activates it, nothing switches it back), which would leak into whichever test runs next."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield


@pytest.fixture(autouse=True)
def _process_caches_empty():
    """Each test starts with no process-local page copies: tests roll their data back without publishing."""
    from web.views_board import local_cache_clear

    local_cache_clear()
    yield


def _database_url_for_tests() -> str:
    from django.db import connection

    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@contextlib.contextmanager
def celery_worker_running(*, env: dict, args: list[str], log_name: str, control_app=None):
    """A real `celery worker` process on REDIS_URL with the given environment and arguments, until the block ends.

    It runs in a session of its own, so a test can kill the whole worker (main process and pool) at once with
    os.killpg. control_app: the Celery app that pings it, when the worker's broker settings differ from ours.
    """
    import subprocess
    import sys
    import time

    from config.celery import app

    pinger = control_app or app
    if settings.TEST_WORKER:  # parallel test workers: each its own log and worker name
        log_name = f"{settings.TEST_WORKER}-{log_name}"
        args = [a.replace("@", f"-{settings.TEST_WORKER}@", 1) if a.startswith("--hostname=") else a for a in args]
    log_path = (ARTIFACTS.mkdir(exist_ok=True) or ARTIFACTS) / log_name
    log = open(log_path, "w")  # noqa: SIM115 - closed in the teardown below
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO", *args],
        cwd=settings.BASE_DIR,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    worker.log_path = log_path
    hostname = next(a.split("=", 1)[1] for a in args if a.startswith("--hostname="))
    try:
        deadline = time.monotonic() + 240  # a loaded 2-core CI machine starts a worker slowly
        while not pinger.control.ping(destination=[hostname.replace("%h", socket.gethostname())], timeout=1.0):
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Celery worker did not start; see {log_path}:\n{log_path.read_text()[-3000:]}")
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()


def celery_worker_env(django_db_blocker) -> dict:
    """What a worker needs to share the test database and broker with this process."""
    with django_db_blocker.unblock():
        database_url = _database_url_for_tests()
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": settings.REDIS_URL,
        "REDIS_CACHE_URL": settings.REDIS_CACHE_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """A real `celery worker` process on REDIS_URL, writing to the same test PostgreSQL database.

    Use with @pytest.mark.celery_worker and @pytest.mark.django_db(transaction=True), so rows are committed and the
    worker (another process, another connection) sees them.
    """
    reason = _missing("celery_worker")
    if reason and not IN_CI:
        pytest.skip(reason)
    args = ["--concurrency=2", "--without-gossip", "--without-mingle", "--hostname=pytest-worker@%h"]
    with celery_worker_running(env=celery_worker_env(django_db_blocker), args=args, log_name="celery-worker.log") as w:
        yield w
