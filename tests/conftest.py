"""Project-wide test switches.

Tests that need a service (PostgreSQL, Redis, Chromium) skip with a reason when it is absent, so
`make test` passes on a bare machine. CI sets PODIUM_REQUIRE_SERVICES=1: then every skip is a
failure, and nothing that should have run against a real service can pass by being skipped.
"""

import os

import pytest

REQUIRE_SERVICES = os.environ.get("PODIUM_REQUIRE_SERVICES") == "1"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_SERVICES and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"PODIUM_REQUIRE_SERVICES=1 turns this skip into a failure: {reason}"


@pytest.fixture(scope="session")
def sandbox_ready():
    """The real sandbox (bubblewrap), or a skip that says what is missing (a failure in CI)."""
    import django

    django.setup()
    from django.conf import settings

    from podium.core.sandbox import probe

    found = probe(settings.SANDBOX_ROOT)
    if not found.ok:
        pytest.skip(f"the sandbox is not available here: {found.message}")
    return found
