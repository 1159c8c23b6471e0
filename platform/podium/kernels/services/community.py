"""Kernels as a community: votes, comments and "Copy & edit" on a published kernel.

- A vote is one row per (run, user): ``kernel_vote`` inserts it with ON CONFLICT DO NOTHING
  (SQLite: INSERT OR IGNORE), so twenty requests of one user at once leave one vote and twenty
  users leave twenty; ``kernel_unvote`` deletes it. Never on one's own run. The count is read
  from the rows, never kept, so it cannot drift.
- A comment is Markdown (the web shows it through its sanitizer); it notifies the run's author
  (``Kind.REPLY``) in the transaction that writes it. Its author may edit it: ``edited_at``.
- ``kernel_copy`` launches a new run of the source's code and config (or the caller's edit of
  them) in the caller's name through ``kernel_launch``: the same launch rules, quotas and row
  lock; the new run credits the source (``forked_from``).

Locking: none beyond the unique (run, user) pair and ``kernel_launch``'s own.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse

from podium.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from podium.core.timeutils import now
from podium.kernels import selectors
from podium.kernels.error_codes import KernelRefusal
from podium.kernels.models import KernelComment, KernelRun, KernelVote
from podium.kernels.services.launching import SCRIPT_MAX_BYTES, kernel_launch
from podium.notifications.models import Kind
from podium.notifications.services import notify

COMMENT_MAX_CHARS = 10_000


def _require_signed_in(user) -> None:
    if not user.is_authenticated:
        raise PermissionDenied(KernelRefusal.NOT_ALLOWED, "Sign in to vote or comment.")


def _require_published(user, run: KernelRun) -> None:
    """A run the user may not see does not exist for them; an unpublished one takes no vote
    or comment (it is not in the community's list)."""
    if not selectors.can_see(user, run):
        raise NotFound(KernelRefusal.NOT_FOUND, f"There is no kernel run {run.pk}.")
    if not run.published:
        raise Conflict(
            KernelRefusal.NOT_PUBLISHED,
            "Only published kernels take votes and comments: this one is not published.",
        )


def _vote_count(run: KernelRun) -> int:
    return KernelVote.objects.filter(run=run).count()


def kernel_vote(*, user, run: KernelRun) -> int:
    """Vote for a published kernel (again: nothing changes); returns its vote count."""
    _require_signed_in(user)
    _require_published(user, run)
    if run.created_by_id == user.pk:
        raise PermissionDenied(KernelRefusal.OWN_KERNEL, "You cannot vote for your own kernel.")
    KernelVote.objects.bulk_create([KernelVote(run=run, user=user)], ignore_conflicts=True)
    return _vote_count(run)


def kernel_unvote(*, user, run: KernelRun) -> int:
    """Withdraw one's vote (none: nothing changes); returns the vote count."""
    _require_signed_in(user)
    if not selectors.can_see(user, run):
        raise NotFound(KernelRefusal.NOT_FOUND, f"There is no kernel run {run.pk}.")
    KernelVote.objects.filter(run=run, user=user).delete()
    return _vote_count(run)


def _clean_body(body: str) -> str:
    text = (body or "").strip()
    if not text:
        raise DomainError(
            KernelRefusal.COMMENT_EMPTY, "Write something first: the comment is empty."
        )
    if len(text) > COMMENT_MAX_CHARS:
        raise DomainError(
            KernelRefusal.COMMENT_TOO_LONG,
            f"A comment may be at most {COMMENT_MAX_CHARS:,} characters; this one has "
            f"{len(text):,}.",
            details={"max": COMMENT_MAX_CHARS, "length": len(text)},
        )
    return text


def _run_path(run: KernelRun) -> str:
    # A path of the web's (a URL name: no import of the web layer).
    return reverse("web:kernel", kwargs={"slug": run.competition.slug, "run_id": run.pk})


@transaction.atomic
def kernel_comment_create(*, user, run: KernelRun, body: str) -> KernelComment:
    """Comment on a published kernel; its author is notified (not when commenting on one's
    own)."""
    _require_signed_in(user)
    _require_published(user, run)
    comment = KernelComment.objects.create(run=run, author=user, body=_clean_body(body))
    notify(
        recipient_ids=[run.created_by_id],
        kind=Kind.REPLY,
        title=f"{user.get_username()} commented on your kernel “{run.title}”",
        url=f"{_run_path(run)}#comment-{comment.pk}",
        actor_id=user.pk,
    )
    return comment


def kernel_comment_edit(*, user, comment: KernelComment, body: str) -> KernelComment:
    """Its author edits a comment: the new body, marked edited (an unchanged body is no edit)."""
    _require_signed_in(user)
    if not selectors.can_see(user, comment.run):
        raise NotFound(KernelRefusal.COMMENT_NOT_FOUND, f"There is no comment {comment.pk}.")
    if comment.author_id != user.pk:
        raise PermissionDenied(
            KernelRefusal.NOT_YOUR_COMMENT, "Only its author may edit this comment."
        )
    text = _clean_body(body)
    if text != comment.body:
        KernelComment.objects.filter(pk=comment.pk).update(body=text, edited_at=now())
        comment.refresh_from_db()
    return comment


def kernel_copy(
    *,
    user,
    source: KernelRun,
    title: str = "",
    config: str | None = None,
    script_text: str | None = None,
) -> KernelRun:
    """ "Copy & edit": a new run of ``source``'s code and config, or the caller's edit of them
    (``config`` for a baseline, ``script_text`` for a script), in the caller's name and under
    ``kernel_launch``'s rules; it credits ``source``. Whoever may see a run may copy it."""
    _require_signed_in(user)
    if not selectors.can_see(user, source):
        raise NotFound(KernelRefusal.NOT_FOUND, f"There is no kernel run {source.pk}.")
    name = (title or "").strip() or source.title
    if source.source == KernelRun.Source.BASELINE:
        return kernel_launch(
            user=user,
            competition=source.competition,
            baseline=source.baseline,
            config=source.config if config is None else config,
            title=name,
            forked_from=source,
        )
    if script_text is not None:
        code = script_text.encode()
    elif source.script:
        with source.script.open("rb") as stored:
            code = stored.read(SCRIPT_MAX_BYTES + 1)
    else:
        raise DomainError(KernelRefusal.NO_CODE, "This kernel has no code to copy.")
    return kernel_launch(
        user=user,
        competition=source.competition,
        script=ContentFile(code, name="kernel.py"),
        title=name,
        forked_from=source,
    )
