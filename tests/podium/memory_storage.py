"""The in-memory storage of the PODIUM_TEST_STORAGE=memory pass (config/test_settings.py).

Django's ``InMemoryStorage`` hands every reader the stored node itself, so a response that
closes its file (every ``FileResponse`` does) destroys the stored bytes for the next reader.
Here each read gets its own stream over a copy, as each GET does on S3; writes are Django's.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage
from django.core.files.storage.memory import InMemoryDirNode


class IsolatedInMemoryStorage(InMemoryStorage):
    def reset(self) -> None:
        """Forget every stored file: each test starts empty, as with its own MEDIA_ROOT."""
        self._root = InMemoryDirNode()

    def _open(self, name, mode="rb"):
        node = super()._open(name, mode)
        if any(flag in mode for flag in "wa+"):
            return node
        return ContentFile(node.read(), name=name)
