"""``named_storage(alias)``: ``storages[alias]`` looked up at first use, for a model field's
``storage=`` callable (the field is made when the models load, before the backend may be
importable; and a backend such as S3's loads boto3, which a process that never touches files
need not pay for)."""

from __future__ import annotations

from django.core.files.storage import storages
from django.utils.functional import SimpleLazyObject


class NamedStorage(SimpleLazyObject):
    """``storages[alias]``, resolved at first use, that knows its alias (``podium_alias``: a
    backup files each field's files under it, whatever instance the handler holds now)."""

    def __init__(self, alias: str) -> None:
        self.__dict__["podium_alias"] = alias  # on the proxy itself, not the storage
        super().__init__(lambda: storages[alias])


def named_storage(alias: str):
    return NamedStorage(alias)
