"""The answer keys' bucket (``PODIUM_S3_ANSWER_KEY_BUCKET``, ``STORAGES["answer_keys"]``).

Every object private, and no URL at all, presigned or not: an answer key is read by the scoring
hosts through the storage API (each keeps its own cache, competitions/answer_keys.py) and is
never handed to a browser, so no link to one can end up in a page, a log line or an error.
"""

from __future__ import annotations

from storages.backends.s3 import S3Storage


class PrivateS3Storage(S3Storage):
    default_acl = None
    querystring_auth = True

    def url(self, name, *args, **kwargs):
        raise ValueError("An answer key has no URL: it is read through the storage only.")
