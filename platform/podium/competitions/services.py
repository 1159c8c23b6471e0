"""Writes of the competitions app: answer keys, data files, rule acceptance."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path

from django.core.files import File
from django.db import IntegrityError, transaction

import scoring
import scoring.solution
from podium.competitions import selectors
from podium.competitions.error_codes import CompetitionErrorCode as Code
from podium.competitions.metrics import competition_metric
from podium.competitions.models import Competition, DataFile, RuleAcceptance, SolutionVersion
from podium.core.errors import DomainError
from podium.core.files import CHUNK, local_path, sha256_and_size


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
        number = (locked.solution_versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        version = SolutionVersion(competition=locked, number=number, sha256=digest, note=note, created_by=created_by)
        version.file.save(f"{competition.pk}/v{number}-{uuid.uuid4().hex[:8]}.csv", file, save=False)
        try:
            prepared = _prepare(version, metric)
        except DomainError:
            version.file.delete(save=False)
            raise
        version.rows = prepared.meta["rows"]
        version.columns = prepared.columns
        version.save()
    return version


def _prepare(version: SolutionVersion, metric: scoring.Metric) -> scoring.PreparedSolution:
    sample = selectors.sample_submission(version.competition)
    try:
        if sample is None:
            return scoring.prepare_solution(version.file.path, metric=metric)
        with local_path(sample.file) as sample_path:
            return scoring.prepare_solution(version.file.path, metric=metric, sample_submission_path=sample_path)
    except scoring.SolutionError as exc:
        raise DomainError(Code.SOLUTION_INVALID, exc.message, details={"reason": exc.code}) from exc


def solution_check(
    *, competition: Competition, file: File, metric: scoring.Metric
) -> dict[str, int]:
    """Dry run of ``solution_version_create``: validate an answer key in a temporary folder and
    return its row counts, storing nothing. Raises DomainError(solution_invalid). No locks.

    ``competition`` may be unsaved (a new one has no sample submission yet to compare with).
    """
    sample = selectors.sample_submission(competition) if competition.pk else None
    with tempfile.TemporaryDirectory(prefix="podium-solution-") as tmp:
        path = Path(tmp) / "solution.csv"
        with path.open("wb") as out:
            for chunk in file.chunks(CHUNK):
                out.write(chunk)
        file.seek(0)  # it is stored for real afterwards
        try:
            if sample is None:
                prepared = scoring.prepare_solution(path, metric=metric)
            else:
                with local_path(sample.file) as sample_path:
                    prepared = scoring.prepare_solution(
                        path, metric=metric, sample_submission_path=sample_path
                    )
        except scoring.SolutionError as exc:
            raise DomainError(
                Code.SOLUTION_INVALID, exc.message, details={"reason": exc.code}
            ) from exc
        return dict(prepared.meta["rows"])


def prepared_solution(version: SolutionVersion) -> scoring.PreparedSolution:
    """The memory-mapped answer key; prepared again when its folder is missing (a new host) or
    was made for another metric (the organizer changed it)."""
    metric = competition_metric(version.competition)
    try:
        solution = scoring.load_solution(version.file.path)
    except scoring.SolutionError:
        return _prepare(version, metric)
    return solution if solution.meta["metric"] == metric.name else _prepare(version, metric)


def data_file_create(
    *, competition: Competition, file: File, name: str = "", kind: str = DataFile.Kind.OTHER,
    description: str = "",
) -> DataFile:
    digest, size = sha256_and_size(file)
    data_file = DataFile(
        competition=competition, kind=kind, name=name or file.name.rsplit("/", 1)[-1],
        description=description, size=size, sha256=digest,
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
    """A new competition from model fields; its metric must exist, and whoever creates it
    organizes it. Raises DomainError(metric_invalid) for an unknown metric."""
    competition = Competition(**fields)
    if competition.metric != "custom":
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
    keys = [v.file for v in competition.solution_versions.all()]
    prepared = [scoring.solution.prepared_folder(key.path) for key in keys]
    with transaction.atomic():
        Competition.objects.filter(pk=competition.pk).delete()

        def remove_files() -> None:
            for field_file in stored + keys:
                field_file.delete(save=False)
            for folder in prepared:
                shutil.rmtree(folder, ignore_errors=True)

        transaction.on_commit(remove_files)


def competition_organizer_add(*, competition: Competition, user) -> None:
    """Make ``user`` an organizer (idempotent): whoever creates a competition organizes it."""
    competition.organizers.add(user)


def rules_accept(*, user, competition: Competition) -> RuleAcceptance:
    """Idempotent: accepting twice keeps the first acceptance."""
    try:
        with transaction.atomic():
            acceptance, _ = RuleAcceptance.objects.get_or_create(competition=competition, user=user)
    except IntegrityError:  # a concurrent acceptance won
        acceptance = RuleAcceptance.objects.get(competition=competition, user=user)
    return acceptance
