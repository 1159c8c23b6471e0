"""When a signed-in user was last seen (their profile's "last seen 3 minutes ago").

At most one database write per user every ``LAST_SEEN_EVERY_SECONDS``: a cache key marks the
write, and ``cache.add`` (which sets only an absent key) decides, so a page view within the
window costs one cache read and no write.
"""

from __future__ import annotations

import logging

from django.core.cache import cache

from podium.accounts.profiles import last_seen_set
from podium.core.timeutils import now

logger = logging.getLogger(__name__)

LAST_SEEN_EVERY_SECONDS = 300


def _key(user_id: int) -> str:
    return f"last-seen:{user_id}"


def last_seen_touch(user) -> bool:
    """Record that ``user`` is here, unless it was recorded in the last five minutes; True
    when written. A cache or database away never fails the page (logged): this runs after the
    view has committed, so an exception here would answer 503 for work that was done (an upload
    accepted, then reported as failed and sent again). Redis' errors are not ``ConnectionError``
    subclasses, hence the broad catch."""
    if not getattr(user, "is_authenticated", False):
        return False
    try:
        if cache.get(_key(user.pk)) or not cache.add(
            _key(user.pk), 1, timeout=LAST_SEEN_EVERY_SECONDS
        ):
            return False
        last_seen_set(user_id=user.pk, moment=now())
    except Exception:  # best effort, see above
        logger.warning("Could not record when user %s was last seen", user.pk, exc_info=True)
        return False
    return True


class LastSeenMiddleware:
    """After AuthenticationMiddleware: the request's user (session or, for the API, its
    authentication) once the view has answered."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and response.status_code < 500:
            last_seen_touch(user)
        return response
