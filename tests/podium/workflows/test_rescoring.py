"""Rescoring every submission with a new answer key: the walk, the sweep, progress, resilience.

Unit level: with the ``eager`` fixture the whole chain runs in-process on commit; without it the
tests drive each step by hand (the walk, a worker scoring, the sweep, the reconciler), so every
intermediate state can be looked at. A real worker killed mid-rescore: tests/podium/e2e.
"""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import scoring
from podium.competitions.answer_keys import prepared_solution
from podium.competitions.metrics import competition_metric
from podium.competitions.models import SolutionVersion
from podium.competitions.selectors import active_solution
from podium.competitions.services import (
    rescore_start,
    solution_version_create,
)
from podium.core.errors import DomainError, PermissionDenied
from podium.core.timeutils import now
from podium.leaderboards.models import LeaderboardEntry
from podium.leaderboards.selectors import public_board
from podium.leaderboards.services import score_record
from podium.submissions.models import Submission
from podium.submissions.selectors import rescore_progress
from podium.submissions.services import (
    submission_claim,
    submission_rescore,
    submissions_fail_stuck,
    submissions_reconcile,
)
from podium.workflows.rescoring import rescore_sweep, rescore_walk
from podium.workflows.scoring import submission_score
from tests.podium.adminforms import form_data
from tests.podium.factories import (
    competition_with_solution,
    csv_bytes,
    organizer,
    participant,
    predictions_file,
    submit,
)

pytestmark = pytest.mark.django_db(transaction=True)

SCORED, FAILED, PENDING, SCORING = (
    Submission.Status.SCORED,
    Submission.Status.FAILED,
    Submission.Status.PENDING,
    Submission.Status.SCORING,
)
NOTHING = {"requeued": [], "finished": [], "superseded": []}


def new_answer_key(competition, flip: bool = True) -> SolutionVersion:
    """The same ids and split with every label flipped (a fixed label, in bulk): the ranking of
    roc_auc turns around."""
    ids, target, usage = competition.answer
    labels = 1 - target if flip else target
    content = csv_bytes(["id", "target", "Usage"], [ids, labels, usage])
    return solution_version_create(
        competition=competition, file=ContentFile(content, name="solution.csv")
    )


def direct(sub) -> scoring.ScoreResult:
    """What the scoring library says with the competition's active answer key."""
    competition = sub.competition
    return scoring.score_submission(
        prepared_solution(active_solution(competition)),
        sub.file.path,
        metric=competition_metric(competition),
        params=competition.metric_params,
    )


def score_now(sub, worker: str = "test-worker") -> str:
    """A worker scoring this submission now (what the task does)."""
    outcome = submission_score(submission_id=sub.pk, worker=worker)
    sub.refresh_from_db()
    return outcome


def fresh(sub) -> Submission:
    sub.refresh_from_db()
    return sub


def board_names(competition) -> list[str]:
    return [row.team_name for row in public_board(competition=competition)]


def three_teams(competition, *, eager: bool) -> list[Submission]:
    """ann (two entries), ben, cat; on the first key cat leads and ann is last."""
    # (team, quality, seed): public AUCs 0.697 and 0.419 (ann), 0.829 (ben), 0.977 (cat).
    plan = [("ann", 0.1, 1), ("ann", 0.02, 2), ("ben", 0.3, 3), ("cat", 0.4, 4)]
    users = {name: participant(competition, name) for name in ("ann", "ben", "cat")}
    subs = []
    for name, quality, seed in plan:
        sub = submit(users[name], competition, predictions_file(competition, quality, seed=seed))
        if not eager:
            score_now(sub)
        subs.append(fresh(sub))
    assert all(s.status == SCORED for s in subs)
    assert board_names(competition) == ["cat", "ben", "ann"]
    return subs


# -- the whole job -----------------------------------------------------------------------------


def test_a_new_answer_key_rescores_every_submission_and_rebuilds_the_board(eager):
    competition = competition_with_solution()
    host = organizer(competition)
    subs = three_teams(competition, eager=True)
    ann_best_before = LeaderboardEntry.objects.get(team=subs[0].team).best_submission_id
    assert ann_best_before == subs[0].pk  # 0.1 beats 0.05 on the first key

    v2 = new_answer_key(competition)
    started = rescore_start(competition=competition, version=v2, by=host)
    assert started.pk == v2.pk and started.rescore_requested_at and not started.rescore_finished_at

    for sub in map(fresh, subs):  # the walk and the scoring ran on commit (eager)
        assert sub.status == SCORED and sub.solution_version_id == v2.pk
        assert (sub.public_score, sub.private_score) == (
            direct(sub).public_score,
            direct(sub).private_score,
        )
        assert sub.attempts == 1
    progress = rescore_progress(competition)
    assert (progress.done, progress.total, progress.running) == (4, 4, True)
    assert progress.text == "Rescoring with v2: 4 of 4 submissions done"

    assert rescore_sweep() == {**NOTHING, "finished": [v2.pk]}
    v2.refresh_from_db()
    assert v2.rescore_finished_at is not None
    progress = rescore_progress(competition)
    assert not progress.running
    assert progress.text == (
        f"Rescored with v2: 4 submissions, finished {v2.rescore_finished_at:%Y-%m-%d %H:%M} UTC"
    )
    assert board_names(competition) == ["ann", "ben", "cat"]  # the flipped key turned it around
    ann = LeaderboardEntry.objects.get(team=subs[0].team)
    assert ann.entries == 2  # never counted twice
    assert ann.best_submission_id == subs[1].pk  # now the weaker of ann's two is her best
    assert ann.best_public_score == fresh(subs[1]).public_score
    assert rescore_sweep() == NOTHING  # a finished job is left alone


def test_progress_counts_up_as_the_walk_and_the_workers_go():
    competition = competition_with_solution()
    host = organizer(competition)
    subs = three_teams(competition, eager=False)
    v1 = active_solution(competition)
    v2 = new_answer_key(competition)
    rescore_start(competition=competition, version=v2, by=host)  # its walk: queued, not run
    progress = rescore_progress(competition)
    assert progress.text == "Rescoring with v2: 0 of 4 submissions done"
    assert all(fresh(s).status == SCORED and s.solution_version_id == v1.pk for s in subs)
    assert board_names(competition) == ["cat", "ben", "ann"]  # the board keeps showing

    # One step of the walk (2 submissions): back to pending, queued; the rest untouched.
    assert rescore_walk(version_id=v2.pk, after_id=0, step=2) == subs[1].pk
    assert [fresh(s).status for s in subs] == [PENDING, PENDING, SCORED, SCORED]
    queued_at = [s.queued_at for s in subs[:2]]
    assert rescore_walk(version_id=v2.pk, after_id=0, step=2) == subs[1].pk  # run twice:
    assert [fresh(s).queued_at for s in subs[:2]] == queued_at  # nothing reset again
    assert fresh(subs[0]).public_score is None and fresh(subs[0]).result_message == ""

    for sub in subs[:2]:
        assert score_now(sub) == "scored"
    assert rescore_progress(competition).text == "Rescoring with v2: 2 of 4 submissions done"
    # ann's row is refreshed from her rescored entries as they come in; the others keep theirs.
    ann = LeaderboardEntry.objects.get(team=subs[0].team)
    assert ann.best_public_score == max(fresh(subs[0]).public_score, subs[1].public_score)
    assert ann.entries == 2 and len(board_names(competition)) == 3

    # The next steps of the walk were lost (nobody ran them): the sweep puts the rest back.
    assert rescore_sweep() == {**NOTHING, "requeued": [subs[2].pk, subs[3].pk]}
    assert rescore_sweep() == NOTHING  # pending now: the workers' (and the reconciler's)
    for sub in subs[2:]:
        assert score_now(sub) == "scored"
    assert rescore_progress(competition).text == "Rescoring with v2: 4 of 4 submissions done"
    assert rescore_sweep() == {**NOTHING, "finished": [v2.pk]}
    assert board_names(competition) == ["ann", "ben", "cat"]
    assert all(fresh(s).solution_version_id == v2.pk for s in subs)


def test_the_walk_goes_through_every_step(eager, settings):
    settings.RESCORING_WALK_STEP = 2  # 4 submissions: steps after 0, after the 2nd, after the 4th
    competition = competition_with_solution()
    subs = three_teams(competition, eager=True)
    v2 = new_answer_key(competition)
    rescore_start(competition=competition, version=v2, by=organizer(competition))
    assert all(fresh(s).solution_version_id == v2.pk for s in subs)
    assert rescore_sweep()["finished"] == [v2.pk]


# -- resilience --------------------------------------------------------------------------------


def test_a_submission_left_scoring_by_a_dead_worker_is_recovered(settings):
    competition = competition_with_solution()
    host = organizer(competition)
    subs = three_teams(competition, eager=False)
    stuck = subs[3]
    assert submission_rescore(submission_id=stuck.pk)
    assert submission_claim(submission_id=stuck.pk, worker="dead-worker") is not None  # then died
    v2 = new_answer_key(competition)
    rescore_start(competition=competition, version=v2, by=host)
    assert rescore_walk(version_id=v2.pk) is None  # one short step: the end
    assert fresh(stuck).status == SCORING  # under a live lease: left alone
    for sub in subs[:3]:
        score_now(sub)
    assert rescore_sweep() == NOTHING  # in flight: not the sweep's
    assert rescore_progress(competition).text == "Rescoring with v2: 3 of 4 submissions done"

    later = now() + timedelta(seconds=settings.SCORING_LEASE_SECONDS + 1)
    assert submissions_reconcile(moment=later)["requeued"] == [stuck.pk]  # the lease expired
    assert fresh(stuck).status == PENDING
    assert score_now(stuck, worker="live-worker") == "scored"
    assert stuck.solution_version_id == v2.pk and stuck.attempts == 2
    assert rescore_sweep() == {**NOTHING, "finished": [v2.pk]}
    assert board_names(competition) == ["ann", "ben", "cat"]


def test_a_worker_that_scored_with_the_old_key_after_the_start_is_rescored():
    competition = competition_with_solution()
    subs = three_teams(competition, eager=False)
    slow = subs[2]
    v1 = active_solution(competition)
    assert submission_rescore(submission_id=slow.pk)
    claimed = submission_claim(submission_id=slow.pk, worker="slow-worker")  # loads v1 ...
    v2 = new_answer_key(competition)
    rescore_start(competition=competition, version=v2, by=organizer(competition))
    rescore_walk(version_id=v2.pk)
    for sub in (subs[0], subs[1], subs[3]):
        score_now(sub)
    # ... and writes its v1 result after the rescoring started.
    old = direct(subs[0])  # any scores: what matters is the version
    assert score_record(
        submission=claimed,
        worker="slow-worker",
        public_score=old.public_score,
        private_score=old.private_score,
        duration_ms=1,
        solution_version_id=v1.pk,
    )
    assert rescore_progress(competition).text == "Rescoring with v2: 3 of 4 submissions done"
    assert rescore_sweep() == {**NOTHING, "requeued": [slow.pk]}
    assert score_now(slow) == "scored" and slow.solution_version_id == v2.pk
    assert rescore_sweep()["finished"] == [v2.pk]


def test_a_submission_that_cannot_be_scored_does_not_hold_the_job_open():
    competition = competition_with_solution()
    user = participant(competition)
    good = submit(user, competition)
    broken = submit(user, competition, ContentFile(b"id,target\n1,0.5\n", name="short.csv"))
    hopeless = submit(user, competition)
    score_now(good)
    assert score_now(broken) == "failed"
    assert broken.solution_version_id == active_solution(competition).pk  # failures record it
    score_now(hopeless)
    v2 = new_answer_key(competition)
    rescore_start(competition=competition, version=v2, by=organizer(competition))
    rescore_walk(version_id=v2.pk)
    assert {fresh(s).status for s in (good, broken, hopeless)} == {PENDING}
    score_now(good)
    assert score_now(broken) == "failed" and broken.solution_version_id == v2.pk
    assert broken.error_code == "row_count_mismatch"
    # The organizers stop the last one (as the reconciler gives up after its attempts).
    assert submissions_fail_stuck(submission_ids=[hopeless.pk], by="host") == [hopeless.pk]
    assert fresh(hopeless).solution_version_id is None
    assert rescore_progress(competition).text == "Rescoring with v2: 3 of 3 submissions done"
    assert rescore_sweep() == {**NOTHING, "finished": [v2.pk]}


def test_a_newer_answer_key_supersedes_a_running_rescoring():
    competition = competition_with_solution()
    host = organizer(competition)
    three_teams(competition, eager=False)
    v2 = new_answer_key(competition)
    rescore_start(competition=competition, version=v2, by=host)
    v3 = new_answer_key(competition, flip=False)
    rescore_start(competition=competition, version=v3, by=host)
    v2.refresh_from_db()
    assert v2.rescore_finished_at is not None  # closed: superseded
    assert rescore_progress(competition).text == "Rescoring with v3: 0 of 4 submissions done"
    # A version made without starting a rescoring: the sweep closes the older job.
    v4 = new_answer_key(competition)
    assert rescore_sweep() == {**NOTHING, "superseded": [v3.pk]}
    assert rescore_progress(competition) is None  # v4 was never rescored
    assert rescore_walk(version_id=v3.pk) is None  # a superseded walk stops
    assert not Submission.objects.filter(competition=competition, status=PENDING).exists()
    assert v4.rescore_requested_at is None


def test_starting_again_while_it_runs_only_queues_the_walk_again():
    competition = competition_with_solution()
    host = organizer(competition)
    three_teams(competition, eager=False)
    v2 = new_answer_key(competition)
    first = rescore_start(competition=competition, version=v2, by=host).rescore_requested_at
    again = rescore_start(competition=competition, version=v2, by=host).rescore_requested_at
    assert first == again


# -- refusals ----------------------------------------------------------------------------------


def test_only_organizers_start_a_rescoring():
    competition = competition_with_solution(title="Titanic")
    v2 = new_answer_key(competition)
    with pytest.raises(PermissionDenied) as refused:
        rescore_start(competition=competition, version=v2, by=participant(competition))
    assert refused.value.code == "not_an_organizer"
    assert refused.value.message == "Only the organizers of Titanic can rescore its submissions."
    other = competition_with_solution()
    with pytest.raises(PermissionDenied):
        rescore_start(competition=competition, version=v2, by=organizer(other))
    v2.refresh_from_db()
    assert v2.rescore_requested_at is None


def test_only_the_active_answer_key_rescores():
    competition = competition_with_solution(title="Titanic")
    host = organizer(competition)
    v1 = active_solution(competition)
    new_answer_key(competition)
    with pytest.raises(DomainError) as refused:
        rescore_start(competition=competition, version=v1, by=host)
    assert refused.value.code == "rescore_not_active_version"
    assert refused.value.message == (
        "Only the active answer key can rescore the submissions of Titanic; v1 is not it (v2 is)."
    )
    elsewhere = competition_with_solution(title="Other")
    with pytest.raises(DomainError) as refused:
        rescore_start(competition=elsewhere, version=v1, by=organizer(elsewhere))
    assert refused.value.message == "This answer key (v1) is another competition's, not Other's."


# -- the admin ---------------------------------------------------------------------------------


def key_upload(competition, flip: bool = True) -> SimpleUploadedFile:
    ids, target, usage = competition.answer
    labels = 1 - target if flip else target
    content = csv_bytes(["id", "target", "Usage"], [ids, labels, usage])
    return SimpleUploadedFile("solution.csv", content, content_type="text/csv")


def change_url(competition) -> str:
    return reverse("admin:competitions_competition_change", args=[competition.pk])


def admin_page(client, competition) -> str:
    return client.get(change_url(competition)).content.decode()


def test_a_new_answer_key_in_the_admin_starts_the_rescoring_with_progress(client):
    competition = competition_with_solution()
    host = organizer(competition)
    three_teams(competition, eager=False)
    client.force_login(host)
    page = client.get(change_url(competition))
    assert "Not rescored" in page.content.decode()
    data = form_data(page, solution_file=key_upload(competition))
    response = client.post(change_url(competition), data, follow=True)
    text = response.content.decode()
    assert "Answer key v2 is active" in text
    assert "Rescoring all 4 submissions with v2 in the background" in text
    v2 = active_solution(competition)
    assert v2.number == 2 and v2.rescore_requested_at is not None  # its walk: queued
    assert "Rescoring with v2: 0 of 4 submissions done" in admin_page(client, competition)
    listing = client.get(reverse("admin:competitions_competition_changelist")).content.decode()
    assert "Rescoring with v2: 0 of 4 submissions done" in listing

    rescore_walk(version_id=v2.pk)
    for sub in Submission.objects.filter(competition=competition).order_by("pk")[:3]:
        score_now(sub)
    assert "Rescoring with v2: 3 of 4 submissions done" in admin_page(client, competition)
    score_now(Submission.objects.filter(competition=competition).order_by("pk").last())
    rescore_sweep()
    assert "Rescored with v2: 4 submissions, finished" in admin_page(client, competition)
    listing = client.get(reverse("admin:competitions_competition_changelist")).content.decode()
    assert "v2: done" in listing


def test_a_new_answer_key_without_submissions_starts_no_rescoring(client):
    competition = competition_with_solution()
    client.force_login(organizer(competition))
    data = form_data(client.get(change_url(competition)), solution_file=key_upload(competition))
    text = client.post(change_url(competition), data, follow=True).content.decode()
    assert "Answer key v2 is active" in text and "Rescoring all" not in text
    assert active_solution(competition).rescore_requested_at is None
    assert rescore_progress(competition) is None
