"""Settings come from the environment only.

DJANGO_ENV=production switches on the hardened settings; anything else is the
embedded development default (SQLite, eager Celery, local-memory cache) unless
DATABASE_URL / REDIS_URL point at real servers.
"""

from config.settings.base import *  # noqa: F401,F403
from config.settings.base import DJANGO_ENV

if DJANGO_ENV == "production":
    from config.settings.production import *  # noqa: F401,F403
