"""Settings for bench/bench_pages.py only: the real settings plus a bench-only URL module (never the public site)."""

from config.settings import *  # noqa: F401,F403

ROOT_URLCONF = "bench.pages_urls"
DEBUG = False
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

# Optional, to see what the per-request health-check round trip costs (production keeps it on).
if env.bool("BENCH_NO_HEALTH_CHECKS", default=False):  # noqa: F405
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False  # noqa: F405
