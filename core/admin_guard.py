"""What every admin of the site gets (core/admin_site.py mixes AdminGuard into each registered ModelAdmin, ours and
the libraries' alike), so no admin can forget it:

- No secret (core/secret_fields.py) through any query: a filter or raw lookup parameter, a search, an ordering,
  a list filter or a `_to_field` that reaches a secret field, by any relation, is refused with one message (400)
  whatever the value, so the count of results can never answer "does the secret start with ...?".
- No secret on any page: secret fields are left out of lists and forms (Django's masked password summary aside).
- No URL parameter that crashes a list: a date drill-down past year 9999 (`?created_at__year=9999`) goes back to
  the plain list, as Django does with other impossible parameters.
- No action without a permission: a list action that names no `allowed_permissions` (celery beat's enable, disable,
  toggle and "run now" are such) needs the change permission, so view-only staff cannot run or stop schedules.
- A declaration that would reach a secret (search_fields = ["body"], ...) fails `manage.py check`.
"""

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core import checks
from django.db.models.expressions import F, OrderBy
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from core.secret_fields import secret_path, shown_masked

# ChangeList's own query parameters (page, ordering, search, popups, facets...): not lookups.
NOT_LOOKUPS = {"p", "o", "q", "e", "all", "_popup", "_facets", "_source_model", "_changelist_filters"}
TO_FIELD = "_to_field"


def _order_name(order) -> str | None:
    """The field path an ordering entry sorts by: "-body", F("body"), F("body").desc()."""
    if isinstance(order, str):
        return order
    if isinstance(order, OrderBy):
        order = order.expression
    return order.name if isinstance(order, F) else None


class GuardedChangeList(ChangeList):
    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as exc:  # a date drill-down beyond the calendar (year 9999 + 1)
            raise IncorrectLookupParameters(exc) from exc

    def get_ordering(self, request, queryset):
        # Whatever asked for it (the `o` parameter, the admin's or the model's default ordering): never by a secret.
        ordering = super().get_ordering(request, queryset)
        return [order for order in ordering if not secret_path(self.model, _order_name(order) or "")]

    def get_ordering_field(self, field_name):
        order = super().get_ordering_field(field_name)
        name = _order_name(order)
        return None if name and secret_path(self.model, name) else order


class AdminGuard:
    # --- queries -------------------------------------------------------------------------------------------------

    def _secret(self, path) -> str | None:
        name = _order_name(path) if not isinstance(path, (tuple, list)) else path[0]
        return secret_path(self.model, name) if isinstance(name, str) else None

    def _keep(self, names):
        return [name for name in names if not self._secret(name)]

    def lookup_allowed(self, lookup, value, request=None):
        return not secret_path(self.model, lookup) and super().lookup_allowed(lookup, value, request)

    def to_field_allowed(self, request, to_field):
        return not secret_path(self.model, to_field) and super().to_field_allowed(request, to_field)

    def get_search_fields(self, request):
        return self._keep(super().get_search_fields(request))

    def get_list_filter(self, request):
        return self._keep(super().get_list_filter(request))

    def get_ordering(self, request):
        return self._keep(super().get_ordering(request) or ())

    def get_sortable_by(self, request):
        return [name for name in super().get_sortable_by(request) if not self._sorts_by_secret(name)]

    def _sorts_by_secret(self, column) -> bool:
        if isinstance(column, str) and self._secret(column):
            return True
        attr = column if callable(column) else getattr(self, column, None) or getattr(self.model, column, None)
        return bool(self._secret(getattr(attr, "admin_order_field", None)))

    def get_changelist(self, request, **kwargs):
        return GuardedChangeList

    def changelist_view(self, request, extra_context=None):
        for key, value in request.GET.items():
            path = value if key == TO_FIELD else key
            if key not in NOT_LOOKUPS and secret_path(self.model, path):
                return self._refuse_secret_query(request)
        return super().changelist_view(request, extra_context)

    def _refuse_secret_query(self, request):
        """One answer for every value, so nothing can be learned from it."""
        context = {
            **self.admin_site.each_context(request),
            "title": _("Not allowed"),
            "message": _(
                "%(things)s cannot be filtered, searched or sorted by a field that holds a secret (a password, a key, "
                "a session or a one-time link): no admin page reveals one, not even by a count."
            )
            % {"things": str(self.opts.verbose_name_plural).capitalize()},
            "back": request.path,
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/refused.html", context, status=400)

    # --- actions -------------------------------------------------------------------------------------------------

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.has_change_permission(request):
            return actions
        return {
            name: action
            for name, action in actions.items()
            if getattr(action[0], "allowed_permissions", None)  # the others were checked by Django already
        }

    # --- pages ---------------------------------------------------------------------------------------------------

    def _shown(self, names):
        return [name for name in names if not self._hidden(name)]

    def _hidden(self, name) -> bool:
        return isinstance(name, str) and bool(secret_path(self.model, name)) and not shown_masked(self.model, name)

    def get_list_display(self, request):
        return self._keep(super().get_list_display(request))

    def get_fields(self, request, obj=None):
        return self._shown(super().get_fields(request, obj))

    def get_readonly_fields(self, request, obj=None):
        return self._shown(super().get_readonly_fields(request, obj))

    def get_fieldsets(self, request, obj=None):
        return [
            (title, {**options, "fields": self._shown_nested(options.get("fields", ()))})
            for title, options in super().get_fieldsets(request, obj)
        ]

    def _shown_nested(self, fields):
        # A fieldset's entry is a name or a tuple of names shown on one line.
        kept = []
        for entry in fields:
            if isinstance(entry, (tuple, list)):
                entry = tuple(self._shown(entry))
                if entry:
                    kept.append(entry)
            elif not self._hidden(entry):
                kept.append(entry)
        return kept

    # --- declarations --------------------------------------------------------------------------------------------

    def check(self, **kwargs):
        return [*super().check(**kwargs), *self._secret_declarations()]

    def _secret_declarations(self):
        declared = {
            "search_fields": self.search_fields,
            "list_filter": self.list_filter,
            "ordering": self.ordering or (),
            "list_display": self.list_display,
            "sortable_by": self.sortable_by or (),
            "date_hierarchy": [self.date_hierarchy] if self.date_hierarchy else [],
        }
        errors = []
        for option, names in declared.items():
            for name in names:
                secret = self._secret(name)
                if secret:
                    errors.append(
                        checks.Error(
                            f"{type(self).__name__}.{option} reaches the secret field {secret}.",
                            hint="Secret fields are never queried or shown in the admin (core/secret_fields.py).",
                            obj=type(self),
                            id="starboard.E001",
                        )
                    )
        return errors
