"""Where the CLI finds its server and key: ``PODIUM_URL`` / ``PODIUM_TOKEN`` override the
config file that ``podium login`` writes (mode 0600).

The file: ``$PODIUM_CONFIG``, else ``$XDG_CONFIG_HOME/podium/config.json``, else
``~/.config/podium/config.json``. It holds ``{"url", "token", "username", "token_id"}``
(the key's id: ``podium logout`` revokes it).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from podium_client.errors import CliError, Exit, UsageError

URL_VARIABLE = "PODIUM_URL"
TOKEN_VARIABLE = "PODIUM_TOKEN"
CONFIG_VARIABLE = "PODIUM_CONFIG"


@dataclass(frozen=True)
class Config:
    url: str | None
    token: str | None
    username: str | None = None
    path: Path | None = None  # the file read (or that would be), for messages

    def require_url(self) -> str:
        if not self.url:
            raise UsageError(
                f"No Podium server configured: run `podium login`, or set {URL_VARIABLE}."
            )
        return self.url


def config_path() -> Path:
    explicit = os.environ.get(CONFIG_VARIABLE)
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "podium" / "config.json"


def read_file(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise CliError(f"Cannot read the config file {path}: {error.strerror}") from None
    try:
        data = json.loads(text)
    except ValueError:
        raise CliError(
            f"The config file {path} is not valid JSON: fix it, or run `podium login` again."
        ) from None
    if not isinstance(data, dict):
        raise CliError(f"The config file {path} should hold a JSON object.")
    return data


def load() -> Config:
    """The file's settings, each overridden by its environment variable when that is set."""
    path = config_path()
    stored = read_file(path)
    url = os.environ.get(URL_VARIABLE) or stored.get("url") or None
    token = os.environ.get(TOKEN_VARIABLE) or stored.get("token") or None
    return Config(
        url=normalize_url(url) if url else None,
        token=token,
        username=stored.get("username"),
        path=path,
    )


def normalize_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if "://" not in url:
        url = "http://" + url if url.startswith(("localhost", "127.")) else "https://" + url
    if url.endswith("/api/v1"):  # the API's root was given: the server's is wanted
        url = url[: -len("/api/v1")]
    return url


def save(
    url: str,
    token: str,
    username: str | None,
    *,
    token_id: int | None = None,
    path: Path | None = None,
) -> Path:
    """Write the config file readable by its owner only (0600), atomically: a reader never
    sees half a file, and the key is never in a file that others can read, even briefly."""
    path = path or config_path()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        stored = {"url": url, "token": token, "username": username, "token_id": token_id}
        body = json.dumps(stored, indent=2) + "\n"
        fd, temporary = tempfile.mkstemp(prefix=".config-", dir=path.parent)  # mode 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(body)
            os.chmod(temporary, 0o600)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise CliError(
            f"Cannot write the config file {path}: {error.strerror}", Exit.API_ERROR
        ) from None
    return path


def remove(path: Path | None = None) -> bool:
    path = path or config_path()
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True
