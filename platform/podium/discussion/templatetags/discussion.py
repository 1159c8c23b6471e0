"""``{% load discussion %}``: what pages outside the forum show of it (the private board's
links to each team's write-up)."""

from __future__ import annotations

from django import template

from podium.discussion import selectors

register = template.Library()


@register.simple_tag
def writeup_links(competition) -> dict[int, int]:
    """Team id -> its write-up's topic id (one query; empty before the reveal)."""
    return selectors.writeup_links(competition)


@register.filter
def topic_of(links: dict[int, int], team_id: int) -> int | None:
    return links.get(team_id)
