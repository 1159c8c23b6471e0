"""Organizer-written Markdown to HTML that is safe to show to everyone.

Markdown passes raw HTML through, so every page is sanitized after rendering with an allow-list
(nh3): no scripts, styles, event handlers or ``javascript:`` URLs, whatever an organizer typed.
Images and links may point to Podium itself (a relative address), to ``mailto:``, or to the hosts
of ``PODIUM_MARKDOWN_ALLOWED_HOSTS`` only: any other host's image (a tracking pixel, a page that
changes after review) is dropped, and a link to one stays as text without its address.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import markdown as md
import nh3
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

EXTENSIONS = ["fenced_code", "tables", "sane_lists"]

TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def allowed_address(value: str, hosts: set[str]) -> bool:
    """A relative address, a mailto:, or one on an allowed host (any scheme nh3 keeps)."""
    parts = urlsplit(value.strip())
    if parts.scheme == "mailto":
        return True
    if not parts.scheme and not parts.netloc:  # /path, #anchor, page.html: Podium itself
        return True
    return (parts.hostname or "").lower() in hosts


def render_markdown(text: str) -> SafeString:
    html = md.markdown(text or "", extensions=EXTENSIONS, output_format="html")
    hosts = set(settings.MARKDOWN_ALLOWED_HOSTS)

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if attribute in {"href", "src"} and not allowed_address(value, hosts):
            return None
        return value

    clean = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=keep,
        clean_content_tags={"script", "style"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)
