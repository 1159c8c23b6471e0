"""README.md is the front door: its commands exist, its demo facts match the seed, and it and
docs/ link only to files inside the repository (nothing in ../shared or elsewhere)."""

from __future__ import annotations

import re
from pathlib import Path

from podium.demo.seed import SLUGS, USERS

ROOT = Path(__file__).resolve().parents[3]
README = ROOT / "README.md"
NUMBERS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def test_the_readme_names_make_run_and_make_test_first_and_the_makefile_has_them():
    text = README.read_text()
    first_block = text.split("```sh\n", 1)[1].split("```", 1)[0]
    assert [line.split("#")[0].strip() for line in first_block.splitlines()] == [
        "make run",
        "make test",
    ]
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^run:", makefile, re.M) and re.search(r"^test:", makefile, re.M)


def test_the_readme_says_what_the_demo_seeds():
    text = README.read_text()
    assert f"{NUMBERS[len(SLUGS)]} demo competitions" in text.lower()
    assert "Four competitions" in text and len(SLUGS) == 4
    for user in USERS:  # every login, with its password
        assert f"`{user.username}`" in text and f"`{user.password}`" in text


def test_readme_and_docs_link_only_to_files_in_the_repository():
    for page in [README, *sorted((ROOT / "docs").glob("*.md"))]:
        for target in LINK.findall(page.read_text()):
            if re.match(r"[a-z]+:", target):  # http(s), mailto: not a file
                continue
            path = (page.parent / target).resolve()
            assert path.is_relative_to(ROOT), f"{page.name} links outside the repository: {target}"
            assert path.exists(), f"{page.name} links to a missing file: {target}"
