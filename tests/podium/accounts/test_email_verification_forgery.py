"""A verification link forged with the key that was once written in settings.py is refused.

Until issue 13, Podium without DJANGO_SECRET_KEY (what `make run` ran) signed with a fixed key in
the repository: anyone could sign "user 1 owns ada@corp.example" and so enter a competition
limited to corp.example. The attack is replayed here against the real settings (not the tests',
which set their own key), in a child Python with a clean environment, on each path that starts
Podium without DJANGO_SECRET_KEY: `make run`'s key file, and DJANGO_DEBUG=1.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
# The key settings.py fell back to, as an attacker reads it in the repository's history.
OLD_FIXED_KEY = "insecure-podium-dev-key-set-DJANGO_SECRET_KEY-in-production"

ATTACK = textwrap.dedent(
    """
    import sys
    from types import SimpleNamespace

    import django
    from django.core import signing

    django.setup()
    from podium.accounts.services import (
        EMAIL_VERIFICATION_SALT, email_verification_check, email_verification_token,
    )
    from podium.core.errors import DomainError

    victim = SimpleNamespace(pk=1)  # the check needs only the account's id
    forged = signing.dumps(
        {"user": victim.pk, "email": "mallory@corp.example"},
        key=sys.argv[1], salt=EMAIL_VERIFICATION_SALT,
    )
    try:
        print("ACCEPTED", email_verification_check(user=victim, token=forged))
    except DomainError as refusal:
        print("REFUSED", refusal.code)
    genuine = email_verification_token(user=victim, email="ada@corp.example")
    print("GENUINE", email_verification_check(user=victim, token=genuine))
    """
)


@pytest.mark.parametrize("start", ["make run", "DJANGO_DEBUG=1"])
def test_a_link_forged_with_the_old_fixed_key_is_refused(tmp_path, start):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "PODIUM_DATA_DIR": str(tmp_path / "data"),
        "DJANGO_SETTINGS_MODULE": "podium.config.settings",
        "DJANGO_DEBUG": "1" if start == "DJANGO_DEBUG=1" else "0",
    }
    if start == "make run":  # its first step: this install's key file
        subprocess.run(
            [sys.executable, "-m", "podium.config.secret_key"],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            timeout=120,
        )
    done = subprocess.run(
        [sys.executable, "-c", ATTACK, OLD_FIXED_KEY],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "REFUSED email_link_invalid",
        "GENUINE ada@corp.example",  # the install's own links still work
    ]
