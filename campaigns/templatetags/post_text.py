"""Post text for display: whatever a trader pasted is sanitised with nh3 before it reaches a page."""

import nh3
from django import template
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
