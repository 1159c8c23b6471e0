"""Where mail goes when no one said: never into the log outside debug.

Verification and password-reset links are credentials: printed by Django's console backend they
would end up in every log collector of a production install. So the default backend is chosen by
``email_backend``: an explicit ``DJANGO_EMAIL_BACKEND``; else SMTP when ``DJANGO_EMAIL_HOST`` is
set; else, with ``PODIUM_EMAIL_FILE_DIR`` (``make run`` sets it to ``var/mail``), one file per
message in that folder, readable by Podium's user only (``PrivateFileEmailBackend``: the demo's
sign-up and password-reset links can be followed without a mail server); else the console in
debug (one machine, a developer reading the terminal); else ``NotConfiguredEmailBackend``, which
sends nothing, prints nothing of the message, and logs that mail is not configured.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.filebased import EmailBackend as FileEmailBackend

from podium.core import private

logger = logging.getLogger(__name__)

SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"
NOT_CONFIGURED = "podium.core.mail.NotConfiguredEmailBackend"
FOLDER = "podium.core.mail.PrivateFileEmailBackend"


def email_backend(*, explicit: str, host: str, debug: bool, file_dir: str = "") -> str:
    if explicit:
        return explicit
    if host:
        return SMTP
    if file_dir:
        return FOLDER
    return CONSOLE if debug else NOT_CONFIGURED


class PrivateFileEmailBackend(FileEmailBackend):
    """Django's file backend (``EMAIL_FILE_PATH``), its folder 0700 and each message 0600: the
    links in them are credentials."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        private.folder(Path(self.file_path))

    def open(self) -> bool:
        opened = super().open()
        if self.stream is not None:
            private.file(self._fname)
        return opened


class NotConfiguredEmailBackend(BaseEmailBackend):
    """Drops every message; says so in the log without its body (a link in it is a credential)."""

    def send_messages(self, email_messages) -> int:
        messages = list(email_messages or [])
        if messages:
            logger.warning(
                "Email is not configured (set DJANGO_EMAIL_HOST, see docs/operations.md): "
                "%d message(s) not sent, e.g. %r to %d recipient(s).",
                len(messages),
                messages[0].subject,
                len(messages[0].recipients()),
            )
        return 0
