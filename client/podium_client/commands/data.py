"""``podium download COMP [-f FILE] [-p DIR]``: the competition's data files, each written to
``NAME.part`` then renamed once its SHA-256 is checked; a file already there with the right
size and SHA-256 is skipped."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import requests

from podium_client.errors import CliError, ConnectionFailure, Exit
from podium_client.http import path_part
from podium_client.output import note, print_json, say
from podium_client.progress import Progress, human_bytes

CHUNK = 1024 * 1024


def register(commands, common) -> None:
    download = commands.add_parser(
        "download",
        parents=[common],
        help="download a competition's data files",
        description="Download the competition's files (you must have accepted its rules: "
        "`podium join COMP`). Files already complete (same size and SHA-256) are skipped.",
    )
    download.add_argument("competition", metavar="COMP", help="the competition's slug")
    download.add_argument(
        "-f",
        "--file",
        action="append",
        dest="files",
        metavar="FILE",
        help="only this file (repeatable)",
    )
    download.add_argument(
        "-p", "--path", default=".", metavar="DIR", help="where to put them (default: here)"
    )
    download.set_defaults(handler=download_command)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def safe_name(name: str) -> str:
    """The server's file name as a plain name in the target folder (never a path out of it)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    if base in ("", ".", "..") or base.endswith(".part"):
        raise CliError(f"Refusing to write a file named {name!r}.")
    return base


def is_complete(path: Path, listed: dict) -> bool:
    if not path.is_file() or path.stat().st_size != listed["size"]:
        return False
    return not listed.get("sha256") or sha256_of(path) == listed["sha256"]


def download_command(args, context) -> int:
    slug = path_part(args.competition)
    listed = context.api.all(f"competitions/{slug}/files/")
    if args.files:
        by_name = {f["name"]: f for f in listed}
        missing = [name for name in args.files if name not in by_name]
        if missing:
            names = ", ".join(sorted(by_name)) or "none"
            raise CliError(
                f"{args.competition} has no file named {', '.join(missing)} (its files: {names}).",
                Exit.NOT_FOUND,
            )
        listed = [by_name[name] for name in dict.fromkeys(args.files)]
    folder = Path(args.path)
    folder.mkdir(parents=True, exist_ok=True)
    results = []
    for item in listed:
        target = folder / safe_name(item["name"])
        if is_complete(target, item):
            note(f"{item['name']}: up to date")
            results.append({**item, "path": str(target), "downloaded": False})
            continue
        fetch(context.api, slug, item, target)
        results.append({**item, "path": str(target), "downloaded": True})
    if context.json:
        print_json(results)
    elif not listed:
        say(f"{args.competition} has no data files.")
    else:
        fetched = sum(r["downloaded"] for r in results)
        say(f"{fetched} downloaded, {len(results) - fetched} up to date, in {folder}.")
    return 0


def fetch(api, slug: str, item: dict, target: Path) -> None:
    partial = target.with_name(target.name + ".part")
    response = api.request(
        "GET", f"competitions/{slug}/files/{path_part(item['name'])}", stream=True
    )
    digest = hashlib.sha256()
    total = int(response.headers.get("Content-Length") or item.get("size") or 0) or None
    try:
        with response, partial.open("wb") as out, Progress(item["name"], total) as bar:
            for chunk in response.iter_content(CHUNK):
                out.write(chunk)
                digest.update(chunk)
                bar.update(len(chunk))
        size = partial.stat().st_size
        if size != item["size"]:
            raise CliError(
                f"{item['name']}: got {human_bytes(size)}, expected {human_bytes(item['size'])} "
                "(the download was cut short?); run the command again."
            )
        if item.get("sha256") and digest.hexdigest() != item["sha256"]:
            raise CliError(
                f"{item['name']}: the SHA-256 of the download does not match the server's; "
                "run the command again."
            )
        os.replace(partial, target)
    except requests.exceptions.RequestException as error:
        partial.unlink(missing_ok=True)
        raise ConnectionFailure(
            f"{item['name']}: the download was interrupted ({type(error).__name__}); "
            "run the command again."
        ) from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
