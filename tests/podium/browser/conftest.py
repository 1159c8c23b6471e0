"""Browser tests: Chromium, driven by Playwright, against a live Podium server.

The server is pytest-django's ``live_server`` (Django's threaded server, in this process, on
the test database; static files from the apps, as collected); the scoring is a real ``celery
worker`` process, through the e2e fixtures (``backend`` / ``e2e``, imported from
``tests/podium/e2e/conftest.py``: read its docstring). Under ``.ci/run`` a test that scores
runs on both backends, PostgreSQL + Redis here and SQLite + the filesystem broker in a child
pytest.

Chromium: ``PODIUM_CHROMIUM`` or ``chromium`` on PATH (Debian's package; ``playwright install``
is never needed). Without one the tests skip with the reason, which PODIUM_REQUIRE_SERVICES=1
(CI) turns into failures.

Screenshots: ``shoot(page, name)`` saves ``name.png`` under the test's tmp folder, and with
PODIUM_SCREENSHOTS=1 also in ``docs/screenshots/`` (committed; the README shows some of them), so
an ordinary test run leaves the working tree clean.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.podium.e2e.conftest import (  # noqa: F401 - fixtures and the delegation hook
    backend,
    e2e,
    pytest_pyfunc_call,
)

REPO_ROOT = Path(__file__).resolve().parents[3]
SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def chromium_path() -> str | None:
    return os.environ.get("PODIUM_CHROMIUM") or shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the session (each test opens its own contexts: separate cookies)."""
    path = chromium_path()
    if not path or not Path(path).exists():
        pytest.skip("needs Chromium: install Debian's chromium or set PODIUM_CHROMIUM")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - a dev dependency
        pytest.skip("needs the playwright package (pip install -e '.[dev]')")
    # Django refuses ORM calls where an event loop runs; Playwright's sync API keeps one in
    # this thread between its calls. The test's own ORM calls are plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def server(request, transactional_db) -> str:
    """The live server's base URL (started on first use, shared by the session)."""
    return request.getfixturevalue("live_server").url


@pytest.fixture
def open_page(browser, server, tmp_path):
    """``open_page(viewport=DESKTOP)``: a page in a fresh browser context (its own cookies: a
    second user is a second context). A script error, a dialog (an ``alert`` an injected
    script would open) or a Content-Security-Policy refusal fails the test."""
    contexts, problems = [], []

    def make(viewport: dict | None = None):
        context = browser.new_context(
            base_url=server, viewport=viewport or DESKTOP, accept_downloads=True
        )
        context.set_default_timeout(20_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
        # What the Content-Security-Policy refuses (podium/core/csp.py) breaks htmx or a script
        # silently: the browser only says so on the console.
        page.on(
            "console",
            lambda message: (
                "Content Security Policy" in message.text
                and problems.append(f"CSP: {message.text}")
            ),
        )
        page.on(
            "dialog",
            lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()),
        )
        return page

    yield make
    for context in contexts:
        context.close()
    assert not problems, problems


@pytest.fixture
def shoot(tmp_path) -> Callable:
    folder = tmp_path / "screenshots"
    folder.mkdir()

    def save(page, name: str, full_page: bool = False) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        if os.environ.get("PODIUM_SCREENSHOTS") == "1":  # refresh the committed ones on purpose
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, SCREENSHOTS / path.name)
        return path

    return save


def sign_in(page, username: str, password: str = "password") -> None:
    """Through the sign-in form, as a person would."""
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form.form button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
