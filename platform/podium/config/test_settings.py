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

from podium.config.settings import *  # noqa: F403
from podium.config.settings import DATA_DIR, DATABASES

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}

# The sandbox binds its staging folders as an unprivileged uid: beside the data folder (0700).
SANDBOX_ROOT = DATA_DIR.parent / f"{DATA_DIR.name}-sandbox"
if not os.environ.get("PYTEST_XDIST_WORKER"):  # the controller's exit ends the run
    atexit.register(shutil.rmtree, SANDBOX_ROOT, True)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests

# pytest-xdist's workers inherit one PODIUM_DATA_DIR: each keeps its own cache, so one worker's
# cache.clear() (the API tests empty the throttle counts) never wipes another's counts.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
if CACHES["default"]["BACKEND"].endswith("FileBasedCache"):  # noqa: F405
    CACHES["default"]["LOCATION"] = str(DATA_DIR / "cache" / _WORKER)  # noqa: F405
else:
    CACHES["default"]["KEY_PREFIX"] = _WORKER  # noqa: F405

# PODIUM_TEST_STORAGE=memory: stored files (uploads, data files, kernel outputs) in this
# process's memory, so a test passes only if nothing assumes they have a local path (as on S3).
# `make test` runs the submissions, kernels and kaggle_compat tests a second time with it.
TEST_STORAGE = os.environ.get("PODIUM_TEST_STORAGE", "")
if TEST_STORAGE == "memory":
    STORAGES = {
        **STORAGES,  # noqa: F405
        "default": {"BACKEND": "tests.podium.memory_storage.IsolatedInMemoryStorage"},
    }
elif TEST_STORAGE:
    raise ValueError(f"PODIUM_TEST_STORAGE={TEST_STORAGE!r}: leave it unset or say 'memory'.")
