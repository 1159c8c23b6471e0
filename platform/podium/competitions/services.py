"""Writes of the competitions app: answer keys, data files, rule acceptance."""

from __future__ import annotations

import secrets
import shutil
import tempfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.core.files import File
from django.db import IntegrityError, transaction

import scoring
from podium.accounts.services import organizer_grant
from podium.competitions import selectors
from podium.competitions.answer_keys import derived_files, solution_prepare, version_prepare
from podium.competitions.error_codes import CompetitionErrorCode as Code
from podium.competitions.metrics import competition_metric
from podium.competitions.models import (
    Competition,
    DataFile,
    RuleAcceptance,
    SolutionVersion,
    new_invitation_token,
)
from podium.competitions.rules import competition_schedule_refusals
from podium.core.errors import DomainError, PermissionDenied
from podium.core.files import CHUNK, sha256_and_size
from podium.core.queue import RESCORE_SUBMISSIONS, enqueue_on_commit
from podium.core.timeutils import now


def solution_version_create(
    *, competition: Competition, file: File, created_by=None, note: str = ""
) -> SolutionVersion:
    """Store a new answer key, validated and prepared for the competition's metric.

    It becomes the active version at once. Locks the competition row to number versions.
    """
    digest, _ = sha256_and_size(file)
    metric = competition_metric(competition)
    with transaction.atomic():
        locked = Competition.objects.select_for_update().get(pk=competition.pk)
        number = (
            locked.solution_versions.order_by("-number").values_list("number", flat=True).first()
            or 0
        ) + 1
        version = SolutionVersion(
            competition=locked, number=number, sha256=digest, note=note, created_by=created_by
        )
        version.file.save(
            f"{competition.pk}/v{number}-{uuid.uuid4().hex[:8]}.csv", file, save=False
        )
        try:
            prepared = version_prepare(version, metric)
        except DomainError:
            shutil.rmtree(derived_files(version), ignore_errors=True)  # a cached copy, if any
            version.file.delete(save=False)
            raise
        version.rows = prepared.meta["rows"]
        version.columns = prepared.columns
        version.save()
    return version


def solution_check(
    *, competition: Competition, file: File, metric: scoring.Metric
) -> dict[str, int]:
    """Dry run of ``solution_version_create``: validate an answer key in a temporary folder and
    return its row counts, storing nothing. Raises DomainError(solution_invalid). No locks.

    ``competition`` may be unsaved (a new one has no sample submission yet to compare with).
    """
    with tempfile.TemporaryDirectory(prefix="podium-solution-") as tmp:
        path = Path(tmp) / "solution.csv"
        with path.open("wb") as out:
            for chunk in file.chunks(CHUNK):
                out.write(chunk)
        file.seek(0)  # it is stored for real afterwards
        try:
            prepared = solution_prepare(competition=competition, path=path, metric=metric)
        except scoring.SolutionError as exc:
            raise DomainError(
                Code.SOLUTION_INVALID, exc.message, details={"reason": exc.code}
            ) from exc
        return dict(prepared.meta["rows"])


def data_file_create(
    *,
    competition: Competition,
    file: File,
    name: str = "",
    kind: str = DataFile.Kind.OTHER,
    description: str = "",
) -> DataFile:
    digest, size = sha256_and_size(file)
    data_file = DataFile(
        competition=competition,
        kind=kind,
        name=name or file.name.rsplit("/", 1)[-1],
        description=description,
        size=size,
        sha256=digest,
    )
    data_file.file.save(data_file.name, file, save=False)
    data_file.save()
    return data_file


def data_file_refresh(*, data_file: DataFile) -> DataFile:
    """Fill size and sha256 from the stored file (after the admin stored a new upload). No locks:
    one row's own columns."""
    with data_file.file.open("rb") as stored:
        digest, size = sha256_and_size(stored)
    DataFile.objects.filter(pk=data_file.pk).update(size=size, sha256=digest)
    data_file.size, data_file.sha256 = size, digest
    return data_file


def competition_create(*, created_by=None, **fields) -> Competition:
    """A new competition from model fields, a draft unless ``status`` says otherwise (seen by
    its organizers only until ``lifecycle.competition_publish``); its metric must exist, and
    whoever creates it organizes it. Raises DomainError(metric_invalid) for an unknown metric,
    DomainError(schedule_invalid) for an end before the start or a deadline after the end
    (``rules.schedule_refusals``), and PermissionDenied(custom_metric_not_allowed) for a custom
    metric or a metric file unless ``created_by`` may choose one
    (``selectors.custom_metric_allowed``: superusers)."""
    competition = Competition(**fields)
    refusals = competition_schedule_refusals(competition)
    if refusals:
        raise DomainError(
            Code.SCHEDULE_INVALID, " ".join(refusals.values()), details={"fields": refusals}
        )
    if competition.metric == "custom" or competition.custom_metric_file:
        if created_by is None or not selectors.custom_metric_allowed(created_by):
            raise PermissionDenied(
                Code.CUSTOM_METRIC_NOT_ALLOWED,
                "Only a superuser may choose a custom metric or upload a metric file: it is "
                "code that runs on the server.",
            )
    else:
        competition_metric(competition)
    competition.full_clean()
    competition.save()
    if created_by is not None:
        competition_organizer_add(competition=competition, user=created_by)
    return competition


def competition_delete(*, competition: Competition) -> None:
    """Delete a competition with everything that hangs off it (teams, submissions, boards, by
    cascade), then, once that is committed, its data files and answer keys on disk. Submission
    files are left where they are (a sweep of unreferenced files can take them)."""
    stored = [f.file for f in competition.data_files.all()]
    versions = list(competition.solution_versions.all())
    keys = [v.file for v in versions]
    prepared = [derived_files(v) for v in versions]
    with transaction.atomic():
        Competition.objects.filter(pk=competition.pk).delete()

        def remove_files() -> None:
            for field_file in stored + keys:
                field_file.delete(save=False)
            for folder in prepared:
                shutil.rmtree(folder, ignore_errors=True)

        transaction.on_commit(remove_files)


def competition_organizer_add(*, competition: Competition, user) -> None:
    """Put ``user`` on the competition's organizer list (idempotent): whoever creates a
    competition organizes it. Only for the creator; it grants no role (no flag, no group). No
    lock: adding to the list is idempotent."""
    competition.organizers.add(user)


def competition_organizers_set(*, competition: Competition, users: Iterable, by) -> list:
    """Make ``users`` the competition's organizers, its co-hosts.

    A superuser may choose anyone, and each chosen user gets the organizer role (staff, in the
    Organizers group: ``accounts.services.organizer_grant``). Any other organizer of the
    competition may choose only existing organizers (and keep the ones it has): adding them
    gives rights on this competition alone, and no flag, group or permission of anyone changes
    (``selectors.require_co_hosts_allowed``). ``by`` stays an organizer unless they are a
    superuser (an organizer cannot remove themselves here; another organizer can).

    Locks the competition row, so two organizers saving at once end with one list or the other,
    whole; the check reads the current list under that lock. Raises
    PermissionDenied(not_an_organizer) and PermissionDenied(co_host_not_an_organizer).
    Returns the organizers.
    """
    selectors.require_organizer(user=by, competition=competition, to="change its organizers")
    chosen = {user.pk: user for user in users}
    if not by.is_superuser:
        chosen.setdefault(by.pk, by)
    with transaction.atomic():
        locked = Competition.objects.select_for_update().get(pk=competition.pk)
        selectors.require_co_hosts_allowed(competition=locked, users=chosen.values(), by=by)
        locked.organizers.set(chosen.values())
        if by.is_superuser:
            for user in chosen.values():
                organizer_grant(user=user, by=by)
    return list(chosen.values())


# -- access: the invitation link -----------------------------------------------------------------


def competition_invitation_accept(*, user, slug: str, token: str) -> Competition:
    """Let ``user`` into the competition whose invitation link they opened: recorded in
    ``invited_users`` (idempotent), so ``selectors.can_view`` lets them see and join it.

    An unknown slug, or a token that is wrong or was rotated, is the NotFound of a competition
    that does not exist: a link reveals nothing about competitions it does not open. The token
    is compared in constant time. No locks: adding to the invited set is idempotent.
    """
    competition = Competition.objects.filter(slug=slug).first()
    if competition is not None and competition.status == Competition.Status.DRAFT:
        if not selectors.is_organizer(user, competition):  # a draft's link opens nothing yet
            raise selectors.competition_not_found(slug)
    if competition is None or not secrets.compare_digest(
        competition.invitation_token.encode(), token.encode()
    ):
        raise selectors.competition_not_found(slug)
    competition.invited_users.add(user)
    return competition


def competition_invitation_rotate(*, competition: Competition, by) -> str:
    """Give the competition a new invitation link; the old one stops working at once (people it
    already let in stay invited: remove them from the invited users to revoke them).
    One UPDATE of the row, no lock. Raises PermissionDenied(not_an_organizer)."""
    selectors.require_organizer(user=by, competition=competition, to="change its invitation link")
    token = new_invitation_token()
    Competition.objects.filter(pk=competition.pk).update(invitation_token=token)
    competition.invitation_token = token
    return token


# -- rescoring: the job's marks on the answer key version ------------------------------------------


@dataclass(frozen=True)
class AnswerKeyUpload:
    version: SolutionVersion  # the new active answer key
    rescoring: int  # submissions being rescored with it (0: there are none)
    rescore_refused: DomainError | None = None  # why they are not, if refused


def answer_key_upload(*, competition: Competition, file: File, by) -> AnswerKeyUpload:
    """An organizer's new answer key: stored and active at once (``solution_version_create``),
    then every submission rescored with it (``rescore_start``), if there are any.

    Raises DomainError when the key itself is refused: nothing is stored. A refused rescoring
    leaves the new key active and says why in ``rescore_refused``. Locks as the two services do,
    one after the other (the competition row, each in its own transaction).
    """
    version = solution_version_create(competition=competition, file=file, created_by=by)
    submissions = selectors.submission_count(competition)
    if not submissions:
        return AnswerKeyUpload(version, 0)
    try:
        rescore_start(competition=competition, version=version, by=by)
    except DomainError as exc:
        return AnswerKeyUpload(version, 0, exc)
    return AnswerKeyUpload(version, submissions)


def rescore_start(
    *, competition: Competition, version: SolutionVersion, by, restart: bool = False
) -> SolutionVersion:
    """Rescore every submission of ``competition`` with ``version``, its active answer key, in
    the background: marks ``version.rescore_requested_at`` and queues, after commit, the walk over
    the submissions (``podium.workflows.tasks.rescore_submissions``, 500 per task); the
    periodic ``rescoring_sweep`` requeues whatever gets lost and finishes the job (rebuilds the
    boards, sets ``rescore_finished_at``). Progress: ``submissions.selectors.rescore_progress``.

    Starting it again while it runs only queues the walk again (the walk skips what is done or
    in flight), unless ``restart``: the scoring itself changed (the metric, its parameters or
    its file), so what was scored before now is stale too and the job starts over. A running
    rescoring of an older version is superseded: marked finished. A submission is done once it
    ended with ``version`` after the job was requested (``submissions.selectors.rescored_q``).

    Locks the competition row (as ``solution_version_create`` does), so the active version
    cannot change underneath. Raises PermissionDenied(not_an_organizer) and
    DomainError(rescore_not_active_version).
    """
    selectors.require_organizer(user=by, competition=competition, to="rescore its submissions")
    with transaction.atomic():
        locked = Competition.objects.select_for_update().get(pk=competition.pk)
        active = locked.solution_versions.order_by("-number").first()
        if version.competition_id != locked.pk:
            raise DomainError(
                Code.RESCORE_NOT_ACTIVE_VERSION,
                f"This answer key (v{version.number}) is another competition's, not "
                f"{locked.title}'s.",
            )
        if active is None or active.pk != version.pk:  # a newer one was uploaded since
            raise DomainError(
                Code.RESCORE_NOT_ACTIVE_VERSION,
                f"Only the active answer key can rescore the submissions of {locked.title}; "
                f"v{version.number} is not it (v{active.number} is).",
            )
        moment = now()
        locked.solution_versions.filter(
            rescore_requested_at__isnull=False, rescore_finished_at__isnull=True
        ).exclude(pk=active.pk).update(rescore_finished_at=moment)  # superseded
        if restart or active.rescore_requested_at is None or active.rescore_finished_at is not None:
            active.rescore_requested_at, active.rescore_finished_at = moment, None
            active.save(update_fields=["rescore_requested_at", "rescore_finished_at"])
        enqueue_on_commit(RESCORE_SUBMISSIONS, active.pk, 0)
    return active


def rescore_mark_finished(*, version: SolutionVersion) -> bool:
    """Close the rescoring job of ``version`` (the sweep calls it once every submission is done
    and the boards are rebuilt). A conditional UPDATE: False when the job was already closed, or
    was started again since ``version`` was read (its requested time changed)."""
    return bool(
        SolutionVersion.objects.filter(
            pk=version.pk,
            rescore_requested_at=version.rescore_requested_at,
            rescore_finished_at__isnull=True,
        ).update(rescore_finished_at=now())
    )


def rules_accept(*, user, competition: Competition) -> RuleAcceptance:
    """Idempotent: accepting twice keeps the first acceptance."""
    try:
        with transaction.atomic():
            acceptance, _ = RuleAcceptance.objects.get_or_create(competition=competition, user=user)
    except IntegrityError:  # a concurrent acceptance won
        acceptance = RuleAcceptance.objects.get(competition=competition, user=user)
    return acceptance
