"""Small HTML and number formats shared by the admin pages (escaped with format_html)."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString

EMPTY = "—"


def score_text(value: float | None, precision: int | None = None) -> str:
    """A score rounded to the competition's display precision, or in full (repr) without one."""
    if value is None:
        return EMPTY
    return repr(value) if precision is None else f"{value:.{precision}f}"


def badge(label: str, colour: str) -> SafeString:
    return format_html(
        '<span style="background:{};color:#fff;padding:2px 8px;border-radius:10px;'
        'font-size:11px;white-space:nowrap">{}</span>',
        colour,
        label,
    )


def short_hash(digest: str) -> str:
    """The first 12 hex digits, the whole digest on hover."""
    if not digest:
        return EMPTY
    return format_html('<span title="{}"><code>{}…</code></span>', digest, digest[:12])
