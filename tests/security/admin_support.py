"""What the admin attacks share: the registered admins, the paths from a model to a secret, reading an admin form
the way a browser would submit it, and staff users."""

from html.parser import HTMLParser

from django.contrib import admin
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from core.secret_fields import secret_field_names

PASSWORD = "admin-attack-pw-for-tests-only"


def registered_models() -> list:
    return sorted(admin.site._registry, key=lambda model: model._meta.label)


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def view_only_staff(name: str = "viewer") -> User:
    """Staff allowed to view every registered model and nothing else."""
    user = User.objects.create_user(name, password=PASSWORD, is_staff=True)
    codenames = [f"view_{model._meta.model_name}" for model in registered_models()]
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return User.objects.get(pk=user.pk)


def secret_paths(model, *, depth: int = 3, limit: int = 8) -> list[str]:
    """Lookup paths from `model` to a secret field through up to `depth` relations (forward and reverse), shortest
    first: what an attacker would try as `?<path>__startswith=...`."""
    found, frontier, seen = [], [("", model)], {model}
    for _ in range(depth):
        following = []
        for prefix, current in frontier:
            found += [f"{prefix}{name}" for name in sorted(secret_field_names(current))]
            for field in current._meta.get_fields():
                target = field.related_model if field.is_relation else None
                if target is None or target in seen or not hasattr(field, "get_path_info"):
                    continue
                following.append((f"{prefix}{field.name}__", target))  # a reverse relation's name is its query name
        seen.update(target for _, target in following)
        frontier = following
    return found[:limit]


class _FormReader(HTMLParser):
    """The fields of one form (the admin's `<model>_form`), as a browser submits them unchanged."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, {}
        self._textarea = self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"submit", "button", "file", "image"}:
            if attrs.get("type") in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.data.setdefault(name, []).append(attrs.get("value", "on" if attrs.get("type") == "checkbox" else ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select].append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data


def admin_form(html: str, model) -> dict:
    """The admin add/change form of `model` on the page, as the browser would submit it unchanged."""
    reader = _FormReader(f"{model._meta.model_name}_form")
    reader.feed(html)
    # Django renders a textarea's value after one newline it strips again on reading.
    return {name: values if len(values) != 1 else values[0].removeprefix("\n") for name, values in reader.data.items()}
