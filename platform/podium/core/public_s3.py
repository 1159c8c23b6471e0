"""The files' bucket (``PODIUM_S3_BUCKET``, ``STORAGES["default"]``): django-storages' S3 with
downloads signed for the address browsers reach.

Podium talks to the store at ``PODIUM_S3_ENDPOINT_URL`` (in compose, ``http://minio:9000``, a
name only the containers resolve); a download is a 302 to a presigned URL that the participant's
browser or CLI follows, so it must name an address they reach: ``PODIUM_S3_PUBLIC_ENDPOINT_URL``
(for example ``https://files.podium.example``). A presigned URL signs its host, so it is made by
a client configured with that endpoint (signing is local: nothing is sent to it). Unset: URLs
name the endpoint Podium uses, right wherever the two are the same (AWS, a shared MinIO).
"""

from __future__ import annotations

import threading

from storages.backends.s3 import S3Storage
from storages.utils import clean_name


class PublicEndpointS3Storage(S3Storage):
    def __init__(self, *, public_endpoint_url: str | None = None, **settings) -> None:
        super().__init__(**settings)
        self.public_endpoint_url = public_endpoint_url or None
        self._public = threading.local()

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_public", None)
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        self._public = threading.local()

    def _public_client(self):
        client = getattr(self._public, "client", None)
        if client is None:
            client = self._create_session().client(
                "s3",
                region_name=self.region_name,
                use_ssl=self.use_ssl,
                endpoint_url=self.public_endpoint_url,
                config=self.client_config,
                verify=self.verify,
            )
            self._public.client = client
        return client

    def url(self, name, parameters=None, expire=None, http_method=None):
        if self.public_endpoint_url is None or self.custom_domain:
            return super().url(name, parameters=parameters, expire=expire, http_method=http_method)
        params = {
            **(parameters or {}),
            "Bucket": self.bucket_name,
            "Key": self._normalize_name(clean_name(name)),
        }
        return self._public_client().generate_presigned_url(
            "get_object",
            Params=params,
            ExpiresIn=self.querystring_expire if expire is None else expire,
            HttpMethod=http_method,
        )
