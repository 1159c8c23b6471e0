"""The votes on users' discussion posts and published kernels, read through the discussion and
kernels apps' selectors (``author_post_votes``, ``author_kernel_votes``: user id -> one vote
count per post or kernel). A tree without one of them yet counts no votes there."""

from __future__ import annotations

from collections.abc import Callable, Iterable

try:
    from podium.discussion.selectors import author_post_votes
except ImportError:  # the discussion app's selectors are not in this tree yet
    author_post_votes = None
try:
    from podium.kernels.selectors import author_kernel_votes
except ImportError:
    author_kernel_votes = None

VoteReader = Callable[..., dict[int, list[int]]]


def _read(reader: VoteReader | None, user_ids: list[int]) -> dict[int, list[int]]:
    if reader is None or not user_ids:
        return {}
    return reader(user_ids=user_ids)


def post_votes(user_ids: Iterable[int]) -> dict[int, list[int]]:
    return _read(author_post_votes, list(user_ids))


def kernel_votes(user_ids: Iterable[int]) -> dict[int, list[int]]:
    return _read(author_kernel_votes, list(user_ids))


try:
    from podium.discussion.selectors import posts_by_author as _posts_by_author
except ImportError:
    _posts_by_author = None
try:
    from podium.kernels.selectors import published_kernels_by_author as _kernels_by_author
except ImportError:
    _kernels_by_author = None


def author_posts(*, author, viewer, limit: int = 20) -> list:
    """A profile's Discussion tab: the discussion app's ``posts_by_author``."""
    if _posts_by_author is None:
        return []
    return _posts_by_author(author=author, viewer=viewer, limit=limit)


def author_kernels(*, author, viewer) -> list:
    """A profile's Kernels tab: the kernels app's ``published_kernels_by_author``."""
    if _kernels_by_author is None:
        return []
    return _kernels_by_author(author=author, viewer=viewer)
