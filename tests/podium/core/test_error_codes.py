"""The error code registry (podium.core.error_codes): every code is defined once, in one place,
across the scoring library and every app; a future duplicate fails here."""

from __future__ import annotations

import ast
from enum import StrEnum
from pathlib import Path

import pytest
from django.apps import apps

import scoring.error_codes
from podium.core import error_codes
from podium.core.error_codes import CommonErrorCode, ErrorCode, all_codes, code_values, duplicates

PLATFORM = Path(error_codes.__file__).resolve().parents[1]


def test_every_code_is_defined_once_across_apps():
    assert duplicates() == {}, "\n".join(
        f"{code}: " + ", ".join(f"{e.app} ({e.enum}.{e.name})" for e in entries)
        for code, entries in duplicates().items()
    )
    codes = [entry.code for entry in all_codes()]
    assert len(codes) == len(set(codes)) == len(code_values())


def test_every_app_error_codes_module_is_collected():
    """Each ``platform/podium/<app>/error_codes.py`` on disk is found through the app registry,
    and scoring's too: an app's codes cannot be left out of the check above."""
    on_disk = {path.parent.name for path in PLATFORM.glob("*/error_codes.py")}
    collected = {entry.app for entry in all_codes()}
    labels = {c.name.removeprefix("podium."): c.label for c in apps.get_app_configs()}
    assert on_disk and {labels[name] for name in on_disk} | {"scoring"} == collected
    enums = {entry.enum for entry in all_codes()}
    for module in [scoring.error_codes]:
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, StrEnum) and value is not StrEnum:
                assert f"{module.__name__}.{value.__qualname__}" in enums


def test_each_entry_names_its_owner():
    entries = {entry.code: entry for entry in all_codes()}
    assert entries["throttled"] == ErrorCode(
        "throttled", "core", "podium.core.error_codes.CommonErrorCode", "THROTTLED"
    )
    assert entries["no_solution"].app == "competitions"
    assert entries["file_empty"].app == entries["file_too_large"].app == "scoring"
    assert entries["scoring_error"].enum == "scoring.error_codes.ScoringErrorCode"
    assert entries["output_refused"].enum == "podium.kernels.error_codes.KernelFailure"
    assert entries["daily_limit_reached"].app == "submissions"


def test_an_imported_enum_is_not_counted_again():
    """kaggle_compat and the API use core's CommonErrorCode: importing it defines nothing."""
    from podium.kaggle_compat import auth

    assert auth.Code is CommonErrorCode
    owners = [entry for entry in all_codes() if entry.code == "not_authenticated"]
    assert [entry.app for entry in owners] == ["core"]


def test_a_duplicate_is_found(monkeypatch):
    """What the first test guards against: an app defining a code another owns."""
    from podium.teams import error_codes as team_codes

    class Again(StrEnum):
        SOLUTION = "no_solution"

    Again.__module__ = team_codes.__name__
    monkeypatch.setattr(team_codes, "Again", Again, raising=False)
    found = duplicates()
    assert set(found) == {"no_solution"}
    assert {entry.app for entry in found["no_solution"]} == {"competitions", "teams"}


@pytest.mark.parametrize(
    "path", sorted(PLATFORM.glob("*/error_codes.py")), ids=lambda p: p.parent.name
)
def test_error_codes_modules_import_no_app(path):
    """An error_codes module is a leaf: enums only (core's also holds the registry)."""
    tree = ast.parse(path.read_text())
    imported = [
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    ] + [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    ]
    assert not [name for name in imported if name.startswith("podium.")], imported
