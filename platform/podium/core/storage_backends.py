"""``named_storage(alias)``: ``storages[alias]`` looked up at first use, for a model field's
``storage=`` callable (the field is made when the models load, before the backend may be
importable; and a backend such as S3's loads boto3, which a process that never touches files
need not pay for)."""

from __future__ import annotations

from django.core.files.storage import storages
from django.utils.functional import SimpleLazyObject


def named_storage(alias: str):
    return SimpleLazyObject(lambda: storages[alias])
