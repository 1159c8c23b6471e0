"""Template filters of the participant pages: ``{% load podium %}``."""

from __future__ import annotations

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
