"""Settings for the test suite: the real settings, each test process with its own data folder.

A file-backed SQLite test database (not in-memory), so that a real worker process started by a
test sees the same rows; PostgreSQL when DATABASE_URL says so.
"""

import atexit
import os
import shutil
import tempfile

if "PODIUM_DATA_DIR" not in os.environ:  # a folder of our own, removed when the run ends
    os.environ["PODIUM_DATA_DIR"] = tempfile.mkdtemp(prefix="podium-test-")
    atexit.register(shutil.rmtree, os.environ["PODIUM_DATA_DIR"], True)
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key")

# PODIUM_TEST_STORAGE=memory: stored files (uploads, data files, kernel outputs) in this
# process's memory, so a test passes only if nothing assumes they have a local path.
# PODIUM_TEST_STORAGE=s3: stored files and answer keys in two buckets of an S3-speaking server
# (moto's, started by the session fixture in tests/podium/conftest.py, or PODIUM_TEST_S3_ENDPOINT),
# configured through PODIUM_S3_* so that the production settings' S3 block is the one tested and
# the e2e workers (other processes) inherit it. `make test` reruns what stores files with each.
TEST_STORAGE = os.environ.get("PODIUM_TEST_STORAGE", "")
TEST_S3_START = False
if TEST_STORAGE == "s3":
    from tests.podium.s3server import environment

    TEST_S3_START = environment(os.environ.get("PYTEST_XDIST_WORKER", "main"))
elif TEST_STORAGE not in ("", "memory"):
    raise ValueError(f"PODIUM_TEST_STORAGE={TEST_STORAGE!r}: unset, 'memory' or 's3'.")

from podium.config.settings import *  # noqa: E402, F403
from podium.config.settings import DATA_DIR, DATABASES  # noqa: E402

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}

# The sandbox binds its staging folders as an unprivileged uid: beside the data folder (0700).
SANDBOX_ROOT = DATA_DIR.parent / f"{DATA_DIR.name}-sandbox"
if not os.environ.get("PYTEST_XDIST_WORKER"):  # the controller's exit ends the run
    atexit.register(shutil.rmtree, SANDBOX_ROOT, True)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
# A board shows every change at once in tests (the window itself: test_cache.py).
BOARD_CACHE_FRESH_SECONDS = 0

# pytest-xdist's workers inherit one PODIUM_DATA_DIR: each keeps its own cache, so one worker's
# cache.clear() (the API tests empty the throttle counts) never wipes another's counts.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
if CACHES["default"]["BACKEND"].endswith("FileBasedCache"):  # noqa: F405
    CACHES["default"]["LOCATION"] = str(DATA_DIR / "cache" / _WORKER)  # noqa: F405
else:
    CACHES["default"]["KEY_PREFIX"] = _WORKER  # noqa: F405

if TEST_STORAGE == "memory":
    STORAGES = {
        **STORAGES,  # noqa: F405
        "default": {"BACKEND": "tests.podium.memory_storage.IsolatedInMemoryStorage"},
    }
elif TEST_STORAGE == "s3":  # the same bucket and options; reset() empties the buckets per test
    _S3 = "tests.podium.s3server.ResettableS3Storage"
    STORAGES = {**STORAGES, "default": {**STORAGES["default"], "BACKEND": _S3}}
