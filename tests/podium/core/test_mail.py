"""Password-reset and verification links never reach the log outside debug: without SMTP
configured, mail is dropped with a line that says so, not printed."""

from __future__ import annotations

import logging
import re
import stat

from django.core import mail as django_mail
from django.core.mail import EmailMessage

from podium.core.mail import (
    CONSOLE,
    FOLDER,
    NOT_CONFIGURED,
    SMTP,
    NotConfiguredEmailBackend,
    PrivateFileEmailBackend,
    email_backend,
)

LINK = "http://testserver/reset/MQ/abc-123secret/"


def test_the_default_backend_follows_the_environment():
    assert email_backend(explicit="", host="", debug=False) == NOT_CONFIGURED
    assert email_backend(explicit="", host="", debug=True) == CONSOLE
    assert email_backend(explicit="", host="smtp.corp.example", debug=False) == SMTP
    assert email_backend(explicit="x.Backend", host="smtp.corp.example", debug=False) == "x.Backend"


def test_settings_without_smtp_do_not_use_the_console():
    from podium.config import settings as podium_settings  # DJANGO_DEBUG unset in the tests

    assert not podium_settings.DEBUG
    assert podium_settings.EMAIL_BACKEND == NOT_CONFIGURED


def test_an_unconfigured_backend_drops_the_message_and_never_logs_the_link(caplog, capsys):
    message = EmailMessage("Password reset on Podium", f"Follow {LINK}", to=["ada@corp.example"])
    with caplog.at_level(logging.DEBUG):
        sent = NotConfiguredEmailBackend().send_messages([message])
    assert sent == 0
    assert "Email is not configured" in caplog.text
    assert LINK not in caplog.text and "abc-123secret" not in caplog.text
    out = capsys.readouterr()
    assert LINK not in out.out + out.err


def test_a_password_reset_outside_debug_prints_no_link(client, settings, caplog, capsys, db):
    from tests.podium.factories import UserFactory

    UserFactory(username="ada", email="ada@corp.example")
    settings.EMAIL_BACKEND = NOT_CONFIGURED
    with caplog.at_level(logging.DEBUG):
        response = client.post("/password-reset/", {"email": "ada@corp.example"})
    assert response.status_code in (200, 302)
    out = capsys.readouterr()
    everything = caplog.text + out.out + out.err
    assert "Email is not configured" in caplog.text
    assert not re.search(r"password-reset/(?!sent/|done/)[^/\s]+/[^/\s]+/", everything)
    assert not getattr(django_mail, "outbox", [])


def test_a_mail_folder_is_used_without_smtp_and_keeps_the_messages_private(tmp_path, settings):
    assert email_backend(explicit="", host="", debug=False, file_dir="/m") == FOLDER
    assert email_backend(explicit="", host="smtp.corp.example", debug=False, file_dir="/m") == SMTP
    folder = tmp_path / "mail"
    settings.EMAIL_FILE_PATH = str(folder)
    message = EmailMessage("Password reset on Podium", f"Follow {LINK}", to=["ada@corp.example"])
    assert PrivateFileEmailBackend().send_messages([message]) == 1
    (written,) = folder.iterdir()
    assert LINK in written.read_text()  # the demo's reader follows it from there
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
