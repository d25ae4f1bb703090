"""Post text for display: whatever a trader pasted is sanitised with nh3 before it reaches a page; a post's link
is a link only when it is a web address."""

import nh3
from django import template
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

ALLOWED_TAGS = {"a", "b", "strong", "i", "em", "br", "p", "ul", "ol", "li", "blockquote", "code"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


@register.filter(name="post_html")
def post_html(text: str | None) -> SafeString:
    """Sanitised HTML: a few inline tags survive, scripts/styles/handlers/javascript: links are dropped, links
    get rel="nofollow noopener noreferrer", and line breaks in plain text are kept."""
    cleaned = nh3.clean(
        text or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https"},
        link_rel="nofollow noopener noreferrer",
    )
    # nh3 escapes every other '<', so adding <br> for the newlines cannot reopen a tag.
    return mark_safe(cleaned.replace("\r\n", "\n").replace("\n", "<br>"))  # noqa: S308


@register.filter(name="web_link")
def web_link(url: str | None, text: str | None = None) -> SafeString:
    """`url` as a link (showing `text`, or the address) when it is an http(s) address; anything else, e.g. a stored
    `javascript:` value, as plain text, so a click can never run it."""
    try:
        URLValidator(schemes=["http", "https"])(url or "")
    except ValidationError:
        return format_html("{}", text if text is not None else url or "")
    return format_html('<a href="{}" rel="noopener nofollow">{}</a>', url, text if text is not None else url)
