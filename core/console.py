"""The console home's "what waits" list: each app's admin registers its queues here (core imports no app above it),
and the admin index shows those the operator may see, with their counts and a link to the filtered list."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.db.models import Model, QuerySet
from django.urls import reverse


@dataclass(frozen=True)
class Queue:
    model: type[Model]
    label: str  # lazily translated: what waits, for whom
    rows: Callable[[], QuerySet]  # the rows that wait (counted)
    params: Callable[[], dict]  # the changelist filter that lists the same rows

    def url(self) -> str:
        opts = self.model._meta
        base = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        params = self.params()
        return f"{base}?{urlencode(params)}" if params else base


@dataclass(frozen=True)
class Waiting:
    label: str
    count: int
    url: str


_QUEUES: list[Queue] = []


def queue_register(queue: Queue) -> None:
    _QUEUES.append(queue)


def _changelist_params(filters: dict) -> dict:
    """Field lookups as the admin changelist's query string: `status` as `status__exact`, times in ISO 8601."""
    return {
        key if "__" in key else f"{key}__exact": value.isoformat() if isinstance(value, datetime) else value
        for key, value in filters.items()
    }


def queue_filtered(model: type[Model], label: str, filters: Callable[[], dict]) -> None:
    """A queue of the rows matching `filters()` (evaluated at each visit), linked to the list filtered alike."""
    queue_register(
        Queue(
            model,
            label,
            lambda: model._default_manager.filter(**filters()),
            lambda: _changelist_params(filters()),
        )
    )


def waiting_for(user) -> list[Waiting]:
    """The queues `user` may view (the model's view or change permission), in registration order."""
    shown = []
    for queue in _QUEUES:
        opts = queue.model._meta
        if user.has_perm(f"{opts.app_label}.view_{opts.model_name}") or user.has_perm(
            f"{opts.app_label}.change_{opts.model_name}"
        ):
            shown.append(Waiting(label=str(queue.label), count=queue.rows().count(), url=queue.url()))
    return shown
