"""The prepared answer key: the stored CSV turned into the memory-mapped form the scorer reads
(``scoring.prepare_solution``), kept beside the stored key as a cache and prepared again when it
is missing (a new host) or was made for another metric (the organizer changed it).

The answer keys' storage is ``STORAGES["answer_keys"]``: a local disk by default
(``SolutionsStorage``), and then the prepared form lies beside the stored file; or a private
bucket of their own (``PODIUM_S3_ANSWER_KEY_BUCKET``), and then each scoring host keeps a copy of
the key in its own key cache, ``<PODIUM_SOLUTIONS_ROOT>/cache/c<competition>-v<number>-<sha256>/``
(0700; the copy 0600, fetched once, written under another name then renamed, checked against
the version's SHA-256), with the prepared form beside the copy. No host needs a shared folder.
The cache keeps the ``ANSWER_KEY_CACHE_KEEP`` versions used last; a version removed from it is
fetched again when it is next needed. ``key_path`` says where, ``derived_files`` what to remove
with the competition. The key's bytes and its storage name never go into an error or a log line.

``scoring_setup`` is what the scoring pipeline reads before it scores: the answer-key version,
the competition's metric and the prepared key, each looked up once. The version can come with
the row that names the competition (``active_version_columns``, ``active_version_of``: the
scoring's read of the submission), so it costs no statement of its own.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import tempfile
from functools import cached_property
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import Field, Model
from django.db.models.expressions import RawSQL

import scoring
import scoring.solution
from podium.competitions import selectors
from podium.competitions.error_codes import CompetitionErrorCode as Code
from podium.competitions.metrics import competition_metric
from podium.competitions.models import Competition, SolutionVersion
from podium.core import private
from podium.core.errors import DomainError
from podium.core.files import CHUNK, local_file, materialize


def solution_prepare(
    *, competition: Competition, path: str | Path, metric: scoring.Metric
) -> scoring.PreparedSolution:
    """Prepare the answer key at ``path`` for ``metric``, checked against the competition's
    sample submission when it has one (``competition`` may be unsaved). Raises SolutionError.
    Writes the prepared form beside ``path``; no rows."""
    sample = selectors.sample_submission(competition) if competition.pk else None
    if sample is None:
        return scoring.prepare_solution(path, metric=metric)
    with materialize(sample.file) as sample_path:
        return scoring.prepare_solution(path, metric=metric, sample_submission_path=sample_path)


def _cache_folder(version: SolutionVersion) -> Path:
    sha = version.sha256[:16] if version.sha256 else "unchecked"
    name = f"c{version.competition_id}-v{version.number}-{sha}"
    return Path(settings.SOLUTIONS_ROOT) / "cache" / name


def key_path(version: SolutionVersion) -> Path:
    """The answer key's CSV on this host; its prepared form goes beside it. On a local disk the
    stored file itself; on any other storage the copy in this host's key cache, fetched the
    first time (written under another name, then renamed: a concurrent reader never sees half
    a key). Works before the version is saved (it needs the competition, number and SHA-256).
    Raises DomainError(solution_invalid) when the stored bytes are not the version's."""
    path = local_file(version.file)
    if path is not None:
        return path
    folder = _cache_folder(version)
    path = folder / "solution.csv"
    if path.exists():
        try:
            os.utime(folder)  # used now: the last to go when the cache is trimmed
        except FileNotFoundError:  # trimmed by another process just now: fetch it again
            pass
        else:
            return path
    private.folder(folder.parent)
    private.folder(folder)
    digest = hashlib.sha256()
    handle, partial = tempfile.mkstemp(prefix=".solution-", suffix=".partial", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out, version.file.open("rb") as stored:
            while chunk := stored.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
        if version.sha256 and digest.hexdigest() != version.sha256:
            raise DomainError(
                Code.SOLUTION_INVALID,
                "The stored answer key is not the file that was uploaded (its SHA-256 differs); "
                "upload it again.",
                details={"reason": "sha256_mismatch"},
            )
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    _trim_cache(folder.parent, keep=folder)
    return path


def _trim_cache(cache: Path, keep: Path) -> None:
    """Remove the versions used longest ago beyond ``ANSWER_KEY_CACHE_KEEP``. A scorer still
    reading a removed one keeps its open (memory-mapped) files; the next use fetches it again."""
    try:
        entries = [e for e in os.scandir(cache) if e.is_dir(follow_symlinks=False)]
    except FileNotFoundError:
        return
    entries.sort(key=lambda e: e.stat(follow_symlinks=False).st_mtime, reverse=True)
    limit = max(1, settings.ANSWER_KEY_CACHE_KEEP)
    for entry in entries[limit:]:
        if entry.path != str(keep):
            shutil.rmtree(entry.path, ignore_errors=True)


def derived_files(version: SolutionVersion) -> Path:
    """What this host made from the stored key, to remove with it: the prepared folder beside a
    local key, or the version's whole folder in the key cache (the copy and its prepared form)."""
    path = local_file(version.file)
    if path is not None:
        return scoring.solution.prepared_folder(path)
    return _cache_folder(version)


def version_prepare(version: SolutionVersion, metric: scoring.Metric) -> scoring.PreparedSolution:
    """Prepare a stored version (on this host: ``key_path``); its problems as
    DomainError(solution_invalid)."""
    try:
        return solution_prepare(
            competition=version.competition, path=key_path(version), metric=metric
        )
    except scoring.SolutionError as exc:
        raise DomainError(Code.SOLUTION_INVALID, exc.message, details={"reason": exc.code}) from exc


def prepared_solution(
    version: SolutionVersion, metric: scoring.Metric | None = None
) -> scoring.PreparedSolution:
    """The memory-mapped answer key of ``version`` for ``metric`` (default: the competition's)."""
    metric = metric or competition_metric(version.competition)
    try:
        solution = scoring.load_solution(key_path(version))
    except scoring.SolutionError:
        return version_prepare(version, metric)
    if solution.meta["metric"] != metric.name:
        return version_prepare(version, metric)
    return solution


class ScoringSetup:
    """The active answer-key version of a competition, its metric and its prepared key, each
    read once. The metric and the key are read on first use, so a broken one (DomainError:
    metric_invalid, solution_invalid) is raised where the caller already knows the version."""

    def __init__(self, competition: Competition, version: SolutionVersion):
        version.competition = competition  # already loaded: no second fetch of the row
        self.competition = competition
        self.version = version

    @cached_property
    def metric(self) -> scoring.Metric:
        return competition_metric(self.competition)

    @cached_property
    def solution(self) -> scoring.PreparedSolution:
        return prepared_solution(self.version, self.metric)


# What scoring reads of the active version (``key_path``, ``prepared_solution``); the rest of
# the row is loaded only if something asks for it (a deferred field).
_SCORING_FIELDS = ("id", "number", "file", "sha256")
_PREFIX = "active_solution_"


def active_version_columns(table: str, column: str = "competition_id") -> dict[str, RawSQL]:
    """Annotations of a query on ``table`` that read the active answer-key version (the newest,
    as ``selectors.active_solution``) of the competition each row names in ``column``, in the
    row's own statement; ``active_version_of`` turns them into the version. Raw scalar
    subqueries: the ORM's ``Subquery`` would compile a query per field on every call (about 2 ms
    of a worker's CPU per scoring), where these are formatted once."""
    return {
        _PREFIX + name: RawSQL(sql, (), output_field=field)
        for name, (sql, field) in _version_subqueries(table, column).items()
    }


@functools.cache
def _version_subqueries(table: str, column: str) -> dict[str, tuple[str, Field]]:
    q = connection.ops.quote_name
    versions = SolutionVersion._meta
    found = {}
    for name in _SCORING_FIELDS:
        field = versions.get_field(name)
        sql = (
            f"(SELECT v.{q(field.column)} FROM {q(versions.db_table)} v"
            f" WHERE v.{q('competition_id')} = {q(table)}.{q(column)}"
            f" ORDER BY v.{q('number')} DESC LIMIT 1)"
        )
        found[name] = (sql, field)
    return found


def active_version_of(row: Model, competition: Competition) -> SolutionVersion | None:
    """The active version read by ``active_version_columns`` into ``row``; None: there is none."""
    read = {name: getattr(row, _PREFIX + name) for name in _SCORING_FIELDS}
    if read["id"] is None:
        return None
    read["competition_id"] = competition.pk
    fields = [f for f in SolutionVersion._meta.concrete_fields if f.attname in read]
    version = SolutionVersion.from_db(
        row._state.db, [f.attname for f in fields], [read[f.attname] for f in fields]
    )
    version.competition = competition
    return version


_UNREAD = object()


def scoring_setup(competition: Competition, version=_UNREAD) -> ScoringSetup | None:
    """What scoring a submission of ``competition`` needs, or None when it has no answer key.
    ``version``: its active version (or None) when the caller read it already."""
    if version is _UNREAD:
        version = selectors.active_solution(competition)
    return None if version is None else ScoringSetup(competition, version)
