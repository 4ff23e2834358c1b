"""The README's layout table matches the tree, and the public API is what it says."""

from __future__ import annotations

import re
from pathlib import Path

import planner

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _layout_paths() -> set[str]:
    table = README.split("## Layout", 1)[1]
    paths = set()
    for row in table.splitlines():
        if row.startswith("| `"):
            first_cell = row.split("|")[1]
            paths |= {p.rstrip("/") for p in re.findall(r"`([^`]+)`", first_cell)}
    return paths


def test_layout_table_names_every_module_and_only_real_paths():
    listed = _layout_paths()
    missing = sorted(p for p in listed if not (ROOT / p).exists())
    assert not missing, f"the README lists paths that do not exist: {missing}"
    modules = {
        str(p.relative_to(ROOT)) for p in (ROOT / "planner").iterdir()
        if p.suffix == ".py" or (p.is_dir() and (p / "__init__.py").exists())
    }  # fmt: skip
    unlisted = sorted(m for m in modules if m not in listed)
    assert not unlisted, f"the README's layout table does not list: {unlisted}"
    top = {
        p.name for p in ROOT.iterdir()
        if not p.name.startswith(".") and p.name not in {"README.md"}
        and not p.name.endswith(".egg-info")
    } | {".ci/run"}  # fmt: skip
    assert top - {"planner"} <= listed | {"planner"}, sorted(top - listed)


def test_public_api_is_importable_and_callable():
    for name in planner.__all__:
        assert hasattr(planner, name), name
    # planner.sweep is the function (the module is planner.sweeps)
    assert callable(planner.sweep) and planner.sweep.__module__ == "planner.sweeps"
