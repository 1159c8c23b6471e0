"""Template filters of the participant pages: ``{% load podium %}``."""

from __future__ import annotations

import hashlib
import re

from django import template

from podium.core.display import score_text
from podium.web.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text: str):
    return render_markdown(text)


@register.filter
def score(value: float | None, precision: int | None = None) -> str:
    """A score at the competition's display precision: ``{{ s.public_score|score:5 }}``."""
    return score_text(value, precision)


@register.filter
def absolute(value: int | float | None):
    """``{{ row.move|absolute }}``: the size of a move up or down the board."""
    return None if value is None else abs(value)


@register.filter
def initials(name: str) -> str:
    """A member's avatar letters: "ada_lovelace" -> "AL", "grace" -> "GR"."""
    parts = [p for p in re.split(r"[\s._\-@+]+", str(name or "")) if p]
    if not parts:
        return "?"
    if len(parts) == 1:
        return parts[0][:2].upper()
    return (parts[0][0] + parts[1][0]).upper()


@register.filter
def hue(name: str) -> int:
    """A stable colour (a hue, 0-359) per name, the same on every page and every run."""
    return int.from_bytes(hashlib.blake2s(str(name or "").encode(), digest_size=2).digest()) % 360
