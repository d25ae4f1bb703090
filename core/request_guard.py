"""The request guard: a control character anywhere in a request is refused with a 400 before any view runs.

PostgreSQL cannot compare text with NUL at all (the query fails, a 500), and no other C0 control or DEL belongs in
an address, a search or a form, nor do the invisible C1 controls (U+0080-U+009F). One guard, early in MIDDLEWARE,
instead of a check in every view: the path, the query string, every form field (tab and line breaks pass where a
text area has them), cookies and headers (C0 only: they arrive as Latin-1).
"""

from django.utils.translation import gettext as _

from core.control_chars import has_c0_control, has_control
from core.views import bad_request

FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_control_in(pairs) -> bool:
    return any(has_control(key) or has_control(value, multiline=True) for key, value in pairs)


def _fields(query_dict) -> list[tuple[str, str]]:
    return [(key, value) for key, values in query_dict.lists() for value in values]


def _is_form_post(request) -> bool:
    return request.method == "POST" and request.content_type in FORM_CONTENT_TYPES


def control_character_problem(request) -> str:
    """What part of the request holds a control character, in the visitor's language ("" when none does)."""
    if has_control(request.path):
        return _("The address contains a control character (such as NUL). Check the link and try again.")
    if _has_control_in(_fields(request.GET)):
        return _("The query string contains a control character (such as NUL). Check the link and try again.")
    if _is_form_post(request) and _has_control_in(_fields(request.POST)):
        return _("A form field contains a control character (such as NUL). Remove it and submit again.")
    if _has_control_in(request.COOKIES.items()):
        return _("A cookie contains a control character (such as NUL). Clear this site's cookies and try again.")
    headers = ((key, value) for key, value in request.META.items() if key.startswith("HTTP_"))
    if any(has_c0_control(key) or has_c0_control(value) for key, value in headers):
        return _("A request header contains a control character (such as NUL).")
    return ""


class ControlCharacterMiddleware:
    """Place after LocaleMiddleware (the refusal is in the visitor's language) and before anything that reads the
    database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = control_character_problem(request)
        if problem:
            return bad_request(request, message=problem)
        return self.get_response(request)
