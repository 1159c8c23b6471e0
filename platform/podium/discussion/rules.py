"""Rules of posting that read only and return their refusal (as ``teams/rules.py``): the
services raise the first, a form may show them all."""

from __future__ import annotations

from podium.core.errors import DomainError
from podium.discussion.error_codes import DiscussionErrorCode as Code

TITLE_MAX = 200
BODY_MAX = 50_000
REASON_MAX = 500


def title_refusal(title: str) -> DomainError | None:
    title = (title or "").strip()
    if not title:
        return DomainError(Code.TITLE_INVALID, "Give the topic a title.")
    if len(title) > TITLE_MAX:
        return DomainError(
            Code.TITLE_INVALID, f"A title has at most {TITLE_MAX} characters ({len(title)} given)."
        )
    return None


def body_refusal(body: str) -> DomainError | None:
    body = (body or "").strip()
    if not body:
        return DomainError(Code.BODY_INVALID, "Write something first: the post is empty.")
    if len(body) > BODY_MAX:
        return DomainError(
            Code.BODY_INVALID, f"A post has at most {BODY_MAX:,} characters ({len(body):,} given)."
        )
    return None


def reason_refusal(reason: str) -> DomainError | None:
    reason = (reason or "").strip()
    if not reason:
        return DomainError(Code.REPORT_REASON_INVALID, "Say why you report this post.")
    if len(reason) > REASON_MAX:
        return DomainError(
            Code.REPORT_REASON_INVALID, f"A reason has at most {REASON_MAX} characters."
        )
    return None


def first(*refusals: DomainError | None) -> None:
    """Raise the first refusal there is."""
    for refusal in refusals:
        if refusal is not None:
            raise refusal
