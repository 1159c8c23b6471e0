"""Organizer-written Markdown to HTML that is safe to show to everyone.

Markdown passes raw HTML through, so every page is sanitized after rendering with an allow-list
(nh3): no scripts, styles, event handlers or ``javascript:`` URLs, whatever an organizer typed.
Images and links may point to Podium itself (a relative address), to ``mailto:``, or to the hosts
of ``PODIUM_MARKDOWN_ALLOWED_HOSTS`` only: any other host's image (a tracking pixel, a page that
changes after review) is dropped, and a link to one stays as text without its address.

A discussion page renders dozens of posts: each thread keeps one ``Markdown`` instance (building
one compiles its patterns, a third of a render), and short texts' HTML is kept in a small LRU
keyed by the text and the allowed hosts (rendering is a pure function of both).
"""

from __future__ import annotations

import threading
from functools import lru_cache
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


CACHED_TEXT_CHARS = 8_000  # longer texts are rendered every time: the LRU stays small
_local = threading.local()


def render_markdown(text: str) -> SafeString:
    text = text or ""
    hosts = frozenset(h.lower() for h in settings.MARKDOWN_ALLOWED_HOSTS)
    if len(text) <= CACHED_TEXT_CHARS:
        return mark_safe(_render_cached(text, hosts))
    return mark_safe(_render(text, hosts))


@lru_cache(maxsize=4096)
def _render_cached(text: str, hosts: frozenset[str]) -> str:
    return _render(text, hosts)


def _converter() -> md.Markdown:
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = _local.converter = md.Markdown(extensions=EXTENSIONS, output_format="html")
    return converter


def _render(text: str, hosts: frozenset[str]) -> str:
    html = _converter().reset().convert(text)

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
    return clean
