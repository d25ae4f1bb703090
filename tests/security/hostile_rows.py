"""Rows of any model filled with hostile values, for the admin pass (test_admin_hostile_values.py).

Every field gets the worst value its type can store: markup and script, a right-to-left override and emoji in
every text (as long as the column allows, 20,000 characters in a text field), a `javascript:` link in URLs, the
largest and smallest numbers the column holds, and dates at the ends of the calendar (year 1 and year 9999, in
UTC). Two variants: HIGH (upper bounds, every optional relation filled) and LOW (lower bounds, negatives, optional
relations empty). Relations get rows of their own, built the same way.

The builder knows no model but for what the database refuses (constraints it cannot guess: a choice it checks,
ordered dates, one schedule per task): OVERRIDES, per model. A model registered later gets hostile rows with no
change here unless its constraints refuse them, and then the pass says which model needs an override.
"""

import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import count

from django.db import IntegrityError, connection, models, transaction

MARKUP = "<script>sbxss()</script><img src=x onerror=sbxss()>\"'><b>"
RAW_MARKERS = ["<script>sbxss", "<img src=x onerror", 'href="javascript:']  # what escaping must never let through
RTL, EMOJI = "\u202e", "🚀🔥💸"
URL = "javascript:sbxss()//"
HIGH, LOW = "high", "low"
DT = {HIGH: datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), LOW: datetime(1, 1, 1, tzinfo=UTC)}
DATES = {HIGH: date.max, LOW: date.min}
TIMES = {HIGH: time.max, LOW: time.min}
FLOATS = {HIGH: 1.7976931348623157e308, LOW: -1.7976931348623157e308}
TEXT_LENGTH = 20_000
_serial = count(1)


def hostile_text(max_length: int | None, variant: str) -> str:
    """Unique (it starts with a serial number), markup first so even a short column holds some of it."""
    core = f"{next(_serial)}{MARKUP}{RTL}{EMOJI}"
    if max_length is None:
        return (core * (TEXT_LENGTH // len(core) + 1))[:TEXT_LENGTH] if variant == HIGH else core
    return (core + "W" * max_length)[:max_length] if variant == HIGH else core[:max_length]


def _decimal(field, variant: str) -> Decimal:
    # SQLite keeps decimals as floats: its extremes are what 15 significant digits can hold exactly.
    total = min(field.max_digits, 15) if connection.vendor == "sqlite" else field.max_digits
    digits = "9" * max(total - field.decimal_places, 0)
    places = min(field.decimal_places, total)
    value = Decimal(f"{digits or 0}.{'9' * places}") if places else Decimal(digits)
    return value if variant == HIGH else value.copy_negate()  # exact: `-value` rounds to 28 digits


def _integer(field, variant: str) -> int:
    low, high = connection.ops.integer_field_range(field.get_internal_type())
    return high if variant == HIGH else low


def _json(field, variant: str):
    item = {"code": MARKUP, MARKUP: [MARKUP, FLOATS[variant]], "n": FLOATS[variant]}
    return [item, MARKUP] if isinstance(field.get_default(), list) else {**item, "nested": item}


def _lookups(node):
    """Every (lookup, value) pair of a Q tree."""
    for child in getattr(node, "children", []):
        if isinstance(child, tuple):
            yield child
        else:
            yield from _lookups(child)


def _check_range(field):
    """(lowest, highest) a CHECK constraint lets the field hold (core.constraints), or None when none bounds it."""
    for constraint in field.model._meta.constraints:
        bounds = dict(_lookups(getattr(constraint, "condition", None)))
        low, before = bounds.get(f"{field.name}__gte"), bounds.get(f"{field.name}__lt")
        if low is not None and before is not None:
            step = timedelta(microseconds=1) if isinstance(field, models.DateTimeField) else timedelta(days=1)
            return low, before - step
    return None


def _extreme_date(field, variant: str):
    """The extreme the database accepts: the type's own, or the bound of the column's range constraint."""
    bounded = _check_range(field)
    if bounded:
        return bounded[1] if variant == HIGH else bounded[0]
    return DT[variant] if isinstance(field, models.DateTimeField) else DATES[variant]


def _value(field, variant: str):
    if field.choices:
        return field.choices[0][0]
    if isinstance(field, models.BooleanField):
        return variant == HIGH
    if isinstance(field, models.DateField):  # DateTimeField too
        return _extreme_date(field, variant)
    if isinstance(field, models.TimeField):
        return TIMES[variant]
    if isinstance(field, models.DecimalField):
        return _decimal(field, variant)
    if isinstance(field, models.FloatField):
        return FLOATS[variant]
    if isinstance(field, models.IntegerField):
        return _integer(field, variant)
    if isinstance(field, models.JSONField):
        return _json(field, variant)
    if isinstance(field, models.BinaryField):
        return b"\x00" + MARKUP.encode() + bytes(range(256))
    if isinstance(field, models.GenericIPAddressField):
        return "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" if variant == HIGH else "0.0.0.0"  # noqa: S104
    if isinstance(field, models.UUIDField):
        return uuid.uuid4()
    if isinstance(field, models.DurationField):
        return timedelta(days=100_000_000) if variant == HIGH else timedelta(0)
    if isinstance(field, models.URLField):
        return f"{URL}{hostile_text(None, LOW)}"[: field.max_length]
    if isinstance(field, (models.CharField, models.TextField)):
        return hostile_text(field.max_length, variant)
    return field.get_default()


def _non_negative(value):
    if isinstance(value, Decimal):
        return value.copy_abs()
    return abs(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


class HostileRows:
    """build(Model, variant) -> a saved row with hostile values, its relations built the same way."""

    def __init__(self, overrides: dict):
        self.overrides = overrides

    def build(self, model, variant: str = HIGH, *, depth: int = 0, **given):
        override = self.overrides.get(model._meta.label_lower)
        given = {**(override(self, variant) if override else {}), **given}
        values = dict(given)
        for field in model._meta.concrete_fields:
            if field.primary_key or field.name in given:
                continue
            if field.is_relation:
                # An optional relation is filled only at the top (HIGH), so a self-reference cannot recurse.
                if field.null and (variant == LOW or depth > 0):
                    values[field.name] = None
                else:
                    values[field.name] = self.build(field.related_model, variant, depth=depth + 1)
                continue
            values[field.name] = _value(field, variant)
        try:
            with transaction.atomic():
                row = self._create(model, values)
        except IntegrityError:  # a check constraint on a sign (amounts, equity): the same extremes, non-negative
            row = self._create(model, {name: _non_negative(value) for name, value in values.items()})
        stamped = {
            f.name: values[f.name]
            for f in model._meta.concrete_fields
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        }
        if stamped:  # Django stamps these on save: put the hostile value in afterwards
            model._base_manager.filter(pk=row.pk).update(**stamped)
            row.refresh_from_db()
        return row

    @staticmethod
    def _create(model, values):
        row = model(**values)
        row.save(force_insert=True)
        return row


def extreme(model, name: str, variant: str):
    """The extreme date or time the database accepts in model.name (for overrides that must order two of them)."""
    return _extreme_date(model._meta.get_field(name), variant)
