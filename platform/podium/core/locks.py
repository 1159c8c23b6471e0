"""Row locks that services take before checking a rule and writing."""

from __future__ import annotations

from typing import TypeVar

from django.db import connection
from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def lock_row(queryset: QuerySet[M], pk: int) -> M:
    """The row ``pk`` of ``queryset``, locked until the transaction ends.

    FOR NO KEY UPDATE where the database has it (PostgreSQL): it serializes the services that
    lock the same row, yet leaves inserting rows that reference it (a new submission of a locked
    competition) unblocked. SQLite has no row locks; its IMMEDIATE transactions serialize writers.
    """
    no_key = connection.features.has_select_for_no_key_update
    return queryset.select_for_update(no_key=no_key).get(pk=pk)
