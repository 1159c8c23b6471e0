"""The top bar's bell: ``{% load notification_bell %}{% unread_notifications user as n %}``.

A tag, not a context processor: only the pages that draw the bar (a signed-in user's) pay for
its one bounded, indexed COUNT (``notifications.selectors.unread_count``)."""

from __future__ import annotations

from django import template

from podium.notifications.selectors import UNREAD_CAP, unread_count

register = template.Library()


@register.simple_tag
def unread_notifications(user) -> str:
    """ "" when nothing is unread, else the count ("99+" from ``UNREAD_CAP`` on)."""
    count = unread_count(user=user)
    if not count:
        return ""
    return f"{UNREAD_CAP - 1}+" if count >= UNREAD_CAP else str(count)
