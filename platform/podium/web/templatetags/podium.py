"""Template filters of the participant pages: ``{% load podium %}``."""

from __future__ import annotations

import hashlib
import re

from django import template
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import timesince_filter
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from podium.competitions.metrics import MetricLabel
from podium.competitions.metrics import metric_label as competition_metric_label
from podium.core.display import score_text
from podium.core.timeutils import now
from podium.web.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text: str):
    return render_markdown(text)


@register.filter
def ago(moment) -> str:
    """Every page's relative time: "just now" under a minute (never "0 minutes ago"), else
    Django's "3 minutes ago"; empty for no moment."""
    if moment is None:
        return ""
    if (now() - moment).total_seconds() < 60:
        return "just now"
    return f"{timesince_filter(moment)} ago"


@register.filter
def metric_label(competition) -> MetricLabel:
    """``{% with m=competition|metric_label %}{{ m.name }}``: the metric as participants read it."""
    return competition_metric_label(competition)


@register.filter
def score(value: float | None, precision: int | None = None) -> str:
    """A score at the competition's display precision: ``{{ s.public_score|score:5 }}``."""
    return score_text(value, precision)


@register.filter
def absolute(value: int | float | None):
    """``{{ row.move|absolute }}``: the size of a move up or down the board."""
    return None if value is None else abs(value)


@register.filter
def duration(seconds: float | None) -> str:
    """A run's length: "42s", "3m 05s", "1h 02m"; empty when it has not started."""
    if seconds is None:
        return ""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


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


HUE_STEP = 10  # podium.css has .hue-0 ... .hue-35: pages carry no style= (Content-Security-Policy)


@register.filter
def hue_class(name: str) -> str:
    """The CSS class of the name's colour, its hue rounded down to a step: ``hue-0``..``hue-35``."""
    return f"hue-{hue(name) // HUE_STEP}"


# -- per-row pieces of the boards: Python, not {% include %} (a 100-row page rendered twice as
# fast without the two includes per row; ``make bench``, board-page) ---------------------------


@register.simple_tag
def move_badge(move: int | None, is_new: bool = False) -> SafeString:
    """A team's move: ▲3 (up), ▼2 (down), – (same, or unknown), new."""
    if is_new:
        return mark_safe(
            '<span class="move new" title="Entered the leaderboard in the last 24 hours">new</span>'
        )
    if move is None:
        return mark_safe('<span class="move same">–</span>')
    if move > 0:
        return format_html('<span class="move up" title="Up {0}">▲{0}</span>', move)
    if move < 0:
        return format_html('<span class="move down" title="Down {0}">▼{0}</span>', -move)
    return mark_safe('<span class="move same" title="No change">–</span>')


AVATARS_SHOWN = 5


@register.simple_tag
def avatars(members: list[str]) -> SafeString:
    """The members' initials on their colours (the first five, then "+N"); names as titles."""
    shown = format_html_join(
        "",
        '<span class="avatar {}" title="{}">{}</span>',
        ((hue_class(name), name, initials(name)) for name in members[:AVATARS_SHOWN]),
    )
    more = len(members) - AVATARS_SHOWN
    extra = (
        format_html('<span class="avatar more" title="{} members">+{}</span>', len(members), more)
        if more > 0
        else ""
    )
    return format_html('<span class="avatars">{}{}</span>', shown, extra)


BASELINE_BADGE = mark_safe(' <span class="badge muted">baseline</span>')
YOU_BADGE = mark_safe(' <span class="badge you">you</span>')
ROW_MINE, ROW_BASELINE = mark_safe(' class="mine"'), mark_safe(' class="baseline"')


@register.simple_tag
def board_row(row, my_team_id) -> SafeString:
    """One row of the public board, built in Python: a page has up to 100 of them, and the same
    markup as template lookups and tags was a third of the page's server time."""
    mine = row.team_id == my_team_id
    css = ROW_MINE if mine else ROW_BASELINE if row.is_baseline else ""
    at = row.last_submission_at
    return format_html(
        '<tr id="team-{}"{}><td class="num">{}</td><td class="num">{}</td>'
        '<td class="team"><span class="team-name">{}</span>{}{}</td>'
        '<td class="members">{}</td><td class="num score">{}</td><td class="num">{}</td>'
        '<td class="when" title="{}">{}</td></tr>',
        row.team_id,
        css,
        row.rank,
        move_badge(row.rank_change, row.is_new),
        row.team_name,
        BASELINE_BADGE if row.is_baseline else "",
        YOU_BADGE if mine else "",
        avatars(row.members),
        row.score_display,
        row.entries,
        date_filter(at, "c"),
        ago(at),
    )
