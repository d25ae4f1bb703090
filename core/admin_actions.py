"""Admin action helpers every app's admin uses."""

from django.contrib import messages
from django.core.exceptions import ValidationError


def apply_each(modeladmin, request, items, call, *, label, done_message) -> None:
    """An admin action's loop: `call(item)` for each item, then one message with how many were done and one warning
    per item the service refused (its label and the service's reason)."""
    done, refused = 0, []
    for item in items:
        try:
            call(item)
        except ValidationError as exc:
            refused.append(f"{label(item)}: {' '.join(exc.messages)}")
        else:
            done += 1
    if done:
        modeladmin.message_user(request, done_message % {"count": done})
    for text in refused:
        modeladmin.message_user(request, text, level=messages.WARNING)
