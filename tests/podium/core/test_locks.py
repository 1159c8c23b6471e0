"""podium.core.locks: a service's row lock, FOR NO KEY UPDATE where the database has it.

Pinned: lock_row returns the row of its queryset (and only of it); the SQL asks PostgreSQL for
FOR NO KEY UPDATE and SQLite (no row locks) for nothing; on PostgreSQL a second lock of the row
waits until the first transaction ends and then reads what it wrote, while inserting a row that
references the locked one (a new team of a locked competition) does not wait.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext

from podium.competitions.models import Competition
from podium.core.locks import lock_row
from podium.teams.models import Team
from tests.podium.factories import CompetitionFactory, UserFactory


def needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (DATABASE_URL=postgres://...); SQLite has none")


@pytest.mark.django_db
def test_the_row_of_the_queryset_comes_back():
    mine, other = CompetitionFactory(), CompetitionFactory()
    with transaction.atomic():
        assert lock_row(Competition.objects, mine.pk) == mine
        with pytest.raises(Competition.DoesNotExist):
            lock_row(Competition.objects.exclude(pk=other.pk), other.pk)


@pytest.mark.django_db
def test_the_lock_clause_suits_the_database():
    competition = CompetitionFactory()
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        lock_row(Competition.objects, competition.pk)
    [query] = queries.captured_queries
    sql = query["sql"].upper()
    if connection.vendor == "postgresql":
        assert sql.endswith("FOR NO KEY UPDATE")
    elif connection.vendor == "sqlite":
        assert " FOR " not in sql
    else:
        assert "FOR UPDATE" in sql


def lock_timeout(value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{value}'")


class Holder(threading.Thread):
    """Locks the competition's row in a transaction of its own (its own connection), writes to
    it, and keeps the lock until released."""

    def __init__(self, pk: int) -> None:
        super().__init__(daemon=True)
        self.pk, self.held, self.release = pk, threading.Event(), threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with transaction.atomic():
                lock_row(Competition.objects, self.pk)
                Competition.objects.filter(pk=self.pk).update(title="written under the lock")
                self.held.set()
                self.release.wait(30)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc
        finally:
            self.held.set()
            connection.close()


def waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True)
def test_a_second_lock_waits_for_the_first_transaction():
    needs_postgresql()
    competition = CompetitionFactory(title="before")
    holder = Holder(competition.pk)
    holder.start()
    assert holder.held.wait(10) and holder.error is None
    seen: dict = {}

    def second() -> None:
        try:
            with transaction.atomic():
                lock_timeout("20s")
                seen["title"] = lock_row(Competition.objects, competition.pk).title
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            seen["error"] = exc
        finally:
            connection.close()

    waiter = threading.Thread(target=second, daemon=True)
    try:
        waiter.start()
        deadline = time.monotonic() + 10
        while not waiting_on_a_lock() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert waiting_on_a_lock() and waiter.is_alive() and not seen
    finally:
        holder.release.set()
        holder.join(10)
        waiter.join(30)
    assert holder.error is None
    assert seen == {"title": "written under the lock"}


@pytest.mark.django_db(transaction=True)
def test_a_locked_row_can_still_be_referenced():
    """FOR NO KEY UPDATE, not FOR UPDATE: a new row pointing at the locked one (it takes a
    KEY SHARE lock) goes in at once; only another lock of the row waits."""
    needs_postgresql()
    competition, leader = CompetitionFactory(), UserFactory()
    holder = Holder(competition.pk)
    holder.start()
    try:
        assert holder.held.wait(10) and holder.error is None
        with transaction.atomic():
            lock_timeout("2s")
            Team.objects.create(competition=competition, name="new team", leader=leader)
        with pytest.raises(OperationalError, match="lock timeout"):
            with transaction.atomic():
                lock_timeout("100ms")
                lock_row(Competition.objects, competition.pk)
    finally:
        holder.release.set()
        holder.join(10)
    assert holder.error is None
    assert Team.objects.filter(competition=competition, name="new team").exists()
