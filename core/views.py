"""The project's 400 answer: a page (or, under /api/, JSON) in the visitor's language, never a bare English line."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def bad_request(request, exception=None, *, message: str = ""):
    """Django's handler400, and what the request guard (core.request_guard) answers with."""
    if request.path.startswith(API_PREFIX):
        detail = message or _("The request could not be understood. Check the address and try again.")
        return JsonResponse({"detail": detail}, status=400)
    # lang_next: the language links lead home, never back to the address that was refused.
    return render(request, "400.html", {"message": message, "lang_next": "/"}, status=400)
