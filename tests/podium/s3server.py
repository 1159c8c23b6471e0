"""An S3-speaking server for the PODIUM_TEST_STORAGE=s3 pass (config/test_settings.py).

``environment()`` (called by the test settings, before the real settings load) picks the
endpoint and buckets and puts them in ``PODIUM_S3_*``, so that the production settings' S3
block configures this process, and every process a test starts (the e2e workers) inherits
them. Unless the run names a server of its own (``PODIUM_TEST_S3_ENDPOINT``, e.g. MinIO, with
``PODIUM_S3_ACCESS_KEY`` / ``PODIUM_S3_SECRET_KEY``), the endpoint is moto's server on a free
port of 127.0.0.1, which the session fixture ``serving()`` starts (its own process group,
killed at the end, and with this process if it dies) and gives its buckets.

``ResettableS3Storage`` is the test process's default storage: ``reset()`` (called before each
test by ``_media_in_tmp``) empties both buckets, as each test gets its own MEDIA_ROOT.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from podium.core.public_s3 import PublicEndpointS3Storage

REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(worker: str) -> bool:
    """Point PODIUM_S3_* at the test server; True when this process must start it (moto)."""
    external = os.environ.get("PODIUM_TEST_S3_ENDPOINT", "")
    suffix = worker.lower().replace("_", "-")
    os.environ.update(
        PODIUM_S3_BUCKET=f"podium-test-files-{suffix}",
        PODIUM_S3_ANSWER_KEY_BUCKET=f"podium-test-keys-{suffix}",
        PODIUM_S3_ENDPOINT_URL=external or f"http://127.0.0.1:{free_port()}",
        PODIUM_S3_REGION=REGION,
    )
    if not external:  # moto takes any key; real ones are never needed or used
        os.environ.update(PODIUM_S3_ACCESS_KEY="podium-test", PODIUM_S3_SECRET_KEY="podium-test")
    return not external


def client():
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=os.environ["PODIUM_S3_ENDPOINT_URL"],
        aws_access_key_id=os.environ.get("PODIUM_S3_ACCESS_KEY"),
        aws_secret_access_key=os.environ.get("PODIUM_S3_SECRET_KEY"),
        region_name=REGION,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )


def buckets() -> tuple[str, str]:
    return os.environ["PODIUM_S3_BUCKET"], os.environ["PODIUM_S3_ANSWER_KEY_BUCKET"]


def empty_buckets(s3) -> None:
    for bucket in buckets():
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if keys:
                s3.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})


def _die_with_parent() -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (AttributeError, OSError):
        pass


@contextmanager
def moto_server(port: int) -> Iterator[str]:
    """moto's S3 server on 127.0.0.1:``port`` until the block ends: its own process group,
    SIGKILLed then (and with this process if it dies first). Yields its endpoint once it
    answers."""
    endpoint = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=_die_with_parent,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto's server did not start on {endpoint}") from None
                time.sleep(0.05)
        yield endpoint
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=30)


@contextmanager
def serving() -> Iterator[None]:
    """The session's S3 server (moto, unless the run names one) with both buckets; nothing
    when the run does not store files on S3."""
    from django.conf import settings

    if getattr(settings, "TEST_STORAGE", "") != "s3":
        yield
        return
    with ExitStack() as stack:
        if settings.TEST_S3_START:
            port = int(os.environ["PODIUM_S3_ENDPOINT_URL"].rsplit(":", 1)[1])
            stack.enter_context(moto_server(port))
        s3 = client()
        existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
        for bucket in buckets():
            if bucket not in existing:
                s3.create_bucket(Bucket=bucket)
        yield


class ResettableS3Storage(PublicEndpointS3Storage):
    def reset(self) -> None:
        """Empty both test buckets: each test starts with no stored file."""
        empty_buckets(self.connection.meta.client)
