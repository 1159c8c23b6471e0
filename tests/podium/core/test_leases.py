"""podium.core.leases: the lease protocol, on Submission as the concrete model.

Pinned once, here, for every user of the protocol (submissions, kernel runs): a worker that lost
its lease writes nothing; a claim takes a waiting row or one whose lease expired, never a live
one, and not past the attempts limit; extend renews from now; the reconciler's requeue and
abandon change a row only while it is as the reconciler read it; the heartbeat thread reports a
lost lease.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db.models import Q

from podium.core.leases import Heartbeat, Lease
from podium.core.timeutils import now
from podium.submissions.models import Submission
from tests.podium.factories import competition_with_solution, participant, submit

Status = Submission.Status


class Clock:
    def __init__(self) -> None:
        self.moment = now()

    def __call__(self):
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def lease(clock):
    return Lease(
        model=Submission,
        waiting=Status.PENDING,
        running=Status.SCORING,
        seconds=60,
        max_attempts=2,
        clock=clock,
    )


@pytest.fixture
def pending():
    competition = competition_with_solution()
    return submit(participant(competition), competition)


def row(submission) -> Submission:
    return Submission.objects.get(pk=submission.pk)


@pytest.mark.django_db
def test_a_worker_that_lost_its_lease_writes_nothing(lease, clock, pending):
    assert lease.claim(pending.pk, "a")
    clock.advance(61)  # a's lease expired: b takes the row
    assert lease.claim(pending.pk, "b")
    assert not lease.extend(pending.pk, "a")
    assert not lease.finish(pending.pk, "a", status=Status.SCORED, public_score=1.0)
    assert not lease.holds(pending.pk, "a")
    taken = row(pending)
    assert (taken.status, taken.lease_owner, taken.public_score) == (Status.SCORING, "b", None)
    assert taken.lease_expires_at == clock.moment + timedelta(seconds=60)
    # The holder's own finish writes, once; after it nobody holds the row.
    assert lease.finish(pending.pk, "b", status=Status.SCORED, public_score=0.5)
    assert not lease.finish(pending.pk, "b", status=Status.FAILED)
    done = row(pending)
    assert (done.status, done.public_score, done.lease_expires_at) == (Status.SCORED, 0.5, None)


@pytest.mark.django_db
def test_claim_takes_a_waiting_row_once_and_counts_the_attempt(lease, clock, pending):
    assert lease.claim(pending.pk, "a", result_message="claimed")
    claimed = row(pending)
    assert (claimed.status, claimed.lease_owner, claimed.attempts) == (Status.SCORING, "a", 1)
    assert claimed.lease_expires_at == clock.moment + timedelta(seconds=60)
    assert claimed.result_message == "claimed"
    assert not lease.claim(pending.pk, "b")  # a live lease: a second delivery does nothing
    clock.advance(59)
    assert not lease.claim(pending.pk, "b")
    assert row(pending).lease_owner == "a"


@pytest.mark.django_db
def test_extend_renews_from_now_and_keeps_the_row_from_others(lease, clock, pending):
    lease.claim(pending.pk, "a")
    clock.advance(50)
    assert lease.extend(pending.pk, "a")
    assert row(pending).lease_expires_at == clock.moment + timedelta(seconds=60)
    clock.advance(50)  # past the first expiry, not the renewed one
    assert not lease.claim(pending.pk, "b")
    clock.advance(11)
    assert lease.claim(pending.pk, "b")


@pytest.mark.django_db
def test_no_claim_past_the_attempts_limit_nor_of_an_ended_row(lease, clock, pending):
    assert lease.claim(pending.pk, "a")
    clock.advance(61)
    assert lease.claim(pending.pk, "b")
    clock.advance(61)
    assert not lease.claim(pending.pk, "c")  # two attempts used
    assert row(pending).attempts == 2
    other = submit(pending.submitted_by, pending.competition)
    Submission.objects.filter(pk=other.pk).update(status=Status.FAILED)
    assert not lease.claim(other.pk, "a")


@pytest.mark.django_db
def test_claim_also_adds_a_condition(clock, pending):
    picky = Lease(
        model=Submission,
        waiting=Status.PENDING,
        running=Status.SCORING,
        seconds=60,
        max_attempts=2,
        clock=clock,
        claim_also=Q(is_late=False),
    )
    Submission.objects.filter(pk=pending.pk).update(is_late=True)
    assert not picky.claim(pending.pk, "a")


@pytest.mark.django_db
def test_the_reconciler_requeues_or_abandons_only_the_row_it_read(lease, clock, pending):
    lease.claim(pending.pk, "a")
    assert list(lease.stale(clock.moment, 120)) == []
    clock.advance(61)
    stale = list(lease.stale(clock.moment, 120).values_list("pk", "status", "lease_owner"))
    assert stale == [(pending.pk, Status.SCORING, "a")]
    # Meanwhile b claimed it: what the reconciler read is no longer true, it changes nothing.
    assert lease.claim(pending.pk, "b")
    assert not lease.requeue(pending.pk, Status.SCORING, "a", moment=clock.moment)
    assert not lease.abandon(pending.pk, Status.SCORING, "a", status=Status.FAILED)
    assert row(pending).lease_owner == "b"
    clock.advance(61)
    assert lease.requeue(pending.pk, Status.SCORING, "b", moment=clock.moment)
    back = row(pending)
    assert (back.status, back.lease_owner, back.lease_expires_at) == (Status.PENDING, "", None)
    assert back.queued_at == clock.moment
    assert not lease.finish(pending.pk, "b", status=Status.SCORED)  # b lost it
    # A pending row waiting past the grace period is stale too; abandon ends it.
    clock.advance(121)
    assert [pk for (pk,) in lease.stale(clock.moment, 120).values_list("pk")] == [pending.pk]
    assert lease.abandon(pending.pk, Status.PENDING, "", status=Status.FAILED)
    assert row(pending).status == Status.FAILED


@pytest.mark.django_db
def test_the_heartbeat_extends_until_stopped_and_reports_a_lost_lease(lease, pending):
    lease.claim(pending.pk, "a")
    beats, held = threading.Event(), [True, True, False]

    def beat() -> bool:
        beats.set()
        return held.pop(0)

    thread = Heartbeat(beat, interval=0.01, name="test-lease")
    thread.start()
    thread.join(timeout=5)
    assert beats.is_set() and thread.lost and not held
    thread.stop()
    with lease.heartbeat(pending.pk, "a", beat=lambda: True) as kept:
        assert kept.is_alive() and kept.interval == 20
    assert not kept.is_alive() and not kept.lost


def test_a_block_shorter_than_the_first_renewal_starts_no_thread():
    """Most scorings end long before their first renewal: they cost no thread start or join."""
    quick = Lease(model=Submission, waiting="a", running="b", seconds=60, max_attempts=1)
    beats = []
    for pk in range(5):
        with quick.heartbeat(pk, "w", beat=lambda: beats.append(1) or True) as renewal:
            assert renewal.is_alive() and not renewal.lost
        assert renewal.thread is None and not renewal.is_alive()
    assert not beats
    assert not [t for t in threading.enumerate() if t.name in {f"lease-{pk}" for pk in range(5)}]


def test_a_block_that_outlives_its_first_renewal_is_renewed_until_the_lease_is_lost():
    slow = Lease(model=Submission, waiting="a", running="b", seconds=0.15, max_attempts=1)
    held, other_beats = [True, True, False], []

    with slow.heartbeat(1, "w", beat=lambda: held.pop(0)) as renewal:
        with slow.heartbeat(2, "w", beat=lambda: other_beats.append(1) or True) as other:
            deadline = time.monotonic() + 10
            while not renewal.lost and time.monotonic() < deadline:
                time.sleep(0.01)
            assert renewal.lost and not held  # three beats: the third found the lease lost
            assert other.is_alive() and other_beats  # each lease is renewed on its own
    assert not renewal.thread.is_alive() and not other.thread.is_alive()  # joined at the end


def test_a_renewal_due_after_the_scheduler_s_next_look_is_started_without_waking_it():
    """The scheduler is woken only for a renewal due before it looks again (idle: every
    second); one due later is found at that look and started on time."""
    lease = Lease(model=Submission, waiting="a", running="b", seconds=3.6, max_attempts=1)
    beaten = threading.Event()
    with lease.heartbeat(1, "w", beat=lambda: beaten.set() or True) as renewal:
        started = time.monotonic()
        assert beaten.wait(5)
        assert 1.0 < time.monotonic() - started < 3.0  # due at 1.2 s: not before, not long after
        assert renewal.thread is not None and not renewal.lost
