"""The demo's kernels as a community: each open demo competition has a published baseline
kernel of the organizer's (launched here where it has none: it runs once a worker takes it),
and the demo participants vote for it and comment on it, so the Kernels tab shows votes,
comments and a "Copy & edit" to try. The comments notify the organizer, as on a real site.

``kernels_community_demo`` is idempotent: a vote is one per user, a comment is written once
(the same author and text are not written again), a kernel is launched once.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model

from podium.competitions.models import Competition
from podium.core.errors import DomainError
from podium.kernels import services as kernel_services
from podium.kernels.models import KernelComment, KernelRun

ORGANIZER = "organizer"
# competition slug -> the bundled baseline its kernel runs
BASELINES = {
    "breast-cancer-diagnosis": "breast_cancer_mlp",
    "handwritten-digits": "digits_cnn",
    "diabetes-progression": "diabetes_mlp",
}
VOTERS = ("alice", "bob", "carol")
COMMENTS = (  # author, Markdown
    ("alice", "Thanks for the starter! Lowering the **learning rate** to `1e-3` helped me."),
    ("bob", "Does anyone ensemble this with a gradient-boosted model? Ideas welcome."),
)


def _users(names) -> dict:
    found = get_user_model().objects.filter(username__in=list(names))
    return {user.username: user for user in found}


def _baseline_kernel(
    competition: Competition, organizer, baseline: str, log: Callable[[str], None]
) -> KernelRun | None:
    """The competition's first published baseline kernel, launched if it has none."""
    runs = KernelRun.objects.filter(competition=competition, is_baseline=True, published=True)
    run = runs.order_by("pk").first()
    if run is not None:
        return run
    try:
        run = kernel_services.kernel_launch(
            user=organizer,
            competition=competition,
            baseline=baseline,
            title=f"Starter: {baseline}",
            publish=True,
        )
    except DomainError as exc:  # archived, a cap: the demo goes on without it
        log(f"{competition.slug}: no baseline kernel ({exc.message})")
        return None
    log(f"{competition.slug}: baseline kernel {run.pk} launched and published")
    return run


def kernels_community_demo(*, log: Callable[[str], None] = lambda line: None) -> int:
    """Votes and comments on the demo's published baseline kernels; returns how many votes
    and comments were new (0 on a second call)."""
    users = _users([ORGANIZER, *VOTERS])
    organizer = users.get(ORGANIZER)
    if organizer is None:
        return 0
    made = 0
    for slug, baseline in BASELINES.items():
        competition = Competition.objects.filter(slug=slug).first()
        if competition is None:
            continue
        run = _baseline_kernel(competition, organizer, baseline, log)
        if run is None:
            continue
        for name in VOTERS:
            if name in users and not run.votes.filter(user=users[name]).exists():
                kernel_services.kernel_vote(user=users[name], run=run)
                made += 1
        for name, text in COMMENTS:
            author = users.get(name)
            if author is None or KernelComment.objects.filter(run=run, author=author).exists():
                continue
            kernel_services.kernel_comment_create(user=author, run=run, body=text)
            made += 1
    log(f"kernels: {made} new vote(s) and comment(s)")
    return made
