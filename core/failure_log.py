"""A failure that repeats on every request (a server down) logged once per interval, not once per request.

The first failure is logged at once; later ones within the interval are only counted, and the next line says how many
there were; the first success afterwards is logged once. One line each, no traceback: the cause is in the line.
"""

import logging
import threading
import time

from django.conf import settings


class RecurringFailureLog:
    def __init__(self, logger: logging.Logger, what: str, *, interval_setting: str, default_interval: float):
        self.logger = logger
        self.what = what
        self.interval_setting = interval_setting
        self.default_interval = default_interval
        self._lock = threading.Lock()
        self._failing = False
        self._last_logged = float("-inf")
        self._unlogged = 0

    def failed(self, error: BaseException | None, consequence: str) -> None:
        interval = float(getattr(settings, self.interval_setting, self.default_interval))
        now = time.monotonic()
        with self._lock:
            self._failing = True
            self._unlogged += 1
            if now - self._last_logged < interval:
                return
            count, self._unlogged, self._last_logged = self._unlogged, 0, now
        cause = f"{type(error).__name__}: {error}" if error is not None else "still down"
        self.logger.warning(
            "%s unavailable (%s); %s. %d failure(s) since the last report; next report in %.0f s at the earliest.",
            self.what,
            cause,
            consequence,
            count,
            interval,
        )

    def recovered(self) -> None:
        if not self._failing:  # the hot path: one attribute read
            return
        with self._lock:
            if not self._failing:
                return
            count, self._failing, self._unlogged = self._unlogged, False, 0
            self._last_logged = float("-inf")
        self.logger.warning("%s reachable again (%d unreported failure(s) before it came back).", self.what, count)

    def reset(self) -> None:
        """Forget the current story (the cache settings changed: another server, another outage)."""
        with self._lock:
            self._failing, self._unlogged, self._last_logged = False, 0, float("-inf")
