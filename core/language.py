"""The language switch as plain links: /lang/<code>/?next=<path> sets the language cookie and goes back.

Django's set_language wants a POST, so every page carried a form and therefore a CSRF token made for each visitor,
which kept the cached leaderboard page from being one shared body. A GET is acceptable here: it changes only this
browser's display-language preference (no account, no data), the worst a forged link can do is show the site in
the other language, and `next` is checked like Django checks it, so the link is no open redirect.
"""

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_safe


@require_safe
def set_language_link(request, code: str):
    if code not in dict(settings.LANGUAGES):
        raise Http404("No such language")
    next_url = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    # The same cookie, with the same attributes, as django.views.i18n.set_language.
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    add_never_cache_headers(response)  # a redirect that sets a cookie must not be stored by a shared cache
    return response
