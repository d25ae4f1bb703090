"""Database CHECK constraints that hold the input bounds (core.input_bounds) for the columns people and files feed.

A row outside them can never be written, whatever the door (a form, an import, the admin, a shell), so no page that
reads it back (the admin's lists, a trader's dashboard, a time shown in a campaign's zone) can fail on it.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.input_bounds import EARLIEST, EARLIEST_DAY, EARLIEST_MARKET_DAY, STORED_BEFORE, STORED_BEFORE_DAY

TIME_OUT_OF_RANGE = _("Enter a time from 2009-01-03 to 2099-12-31.")
DAY_OUT_OF_RANGE = _("Enter a day from 2009-01-03 to 2099-12-31.")
MARKET_DAY_OUT_OF_RANGE = _("Enter a day from 1900-01-01 to 2099-12-31.")


def _bounded(field: str, *, earliest, before, name: str, message, null: bool) -> models.CheckConstraint:
    condition = Q(**{f"{field}__gte": earliest, f"{field}__lt": before})
    if null:
        condition |= Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(condition=condition, name=name, violation_error_message=message)


def time_in_range(field: str, *, name: str, null: bool = False) -> models.CheckConstraint:
    """A time a person or file gives: from bitcoin's genesis to 2099."""
    return _bounded(field, earliest=EARLIEST, before=STORED_BEFORE, name=name, message=TIME_OUT_OF_RANGE, null=null)


def day_in_range(field: str, *, name: str, market: bool = False) -> models.CheckConstraint:
    """A trading day (or, with `market`, a market series' day, which reaches back to 1900)."""
    earliest, message = (EARLIEST_MARKET_DAY, MARKET_DAY_OUT_OF_RANGE) if market else (EARLIEST_DAY, DAY_OUT_OF_RANGE)
    return _bounded(field, earliest=earliest, before=STORED_BEFORE_DAY, name=name, message=message, null=False)
