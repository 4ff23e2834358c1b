"""The docs say what the code does: the layout table matches the tree, the reference
lists exactly the public API, the README's example and the scenario format's example
run, and ``import planner`` stays light."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
import types
from pathlib import Path

import planner
from planner import Scenario

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _code_blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def _layout_paths() -> set[str]:
    table = (DOCS / "architecture.md").read_text(encoding="utf-8").split("## Layout", 1)[1]
    paths = set()
    for row in table.splitlines():
        if row.startswith("| `"):
            first_cell = row.split("|")[1]
            paths |= {p.rstrip("/") for p in re.findall(r"`([^`]+)`", first_cell)}
    return paths


def test_layout_table_names_every_module_and_only_real_paths():
    listed = _layout_paths()
    missing = sorted(p for p in listed if not (ROOT / p).exists())
    assert not missing, f"docs/architecture.md lists paths that do not exist: {missing}"
    modules = {
        str(p.relative_to(ROOT)) for p in (ROOT / "planner").iterdir()
        if p.suffix == ".py" or (p.is_dir() and (p / "__init__.py").exists())
    }  # fmt: skip
    unlisted = sorted(m for m in modules if m not in listed)
    assert not unlisted, f"docs/architecture.md's layout table does not list: {unlisted}"
    top = {
        p.name for p in ROOT.iterdir()
        if not p.name.startswith(".") and p.name not in {"README.md", "site"}
        and not p.name.endswith(".egg-info")
    }  # fmt: skip
    assert top - {"planner"} <= listed | {"planner"}, sorted(top - listed)


def test_the_reference_lists_exactly_the_public_api():
    index = (DOCS / "reference" / "index.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`([A-Za-z_]+)`", index))
    assert set(planner.__all__) <= documented, sorted(set(planner.__all__) - documented)
    pages = "".join(p.read_text(encoding="utf-8") for p in (DOCS / "reference").glob("*.md"))
    shown = {name.rsplit(".", 1)[-1] for name in re.findall(r"^::: ([\w.]+)$", pages, re.M)}
    functions_and_classes = set(planner.__all__) - set(planner._MODULES)
    assert shown == functions_and_classes, sorted(shown ^ functions_and_classes)


def test_every_public_name_comes_from_the_module_its_table_names():
    for module, names in planner._API.items():
        for name in names:
            value = getattr(planner, name)
            assert value is getattr(importlib.import_module(module), name), name
    for name in planner._MODULES:
        assert isinstance(getattr(planner, name), types.ModuleType), name


def test_no_public_name_shadows_a_module():
    # planner.chat is the chat formula; no planner.chat module hides behind it
    modules = {p.stem for p in (ROOT / "planner").iterdir() if p.suffix == ".py"}
    modules |= {p.name for p in (ROOT / "planner").iterdir() if (p / "__init__.py").exists()}
    clashes = sorted(set(planner.__all__) - set(planner._MODULES) & modules)
    assert not clashes, f"public names that are also module names: {clashes}"


def test_import_planner_loads_no_heavy_library():
    code = (
        "import sys, planner\n"
        "heavy = ('pandas', 'scipy', 'numba', 'statsmodels', 'streamlit', 'simpy', 'numpy')\n"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_readme_starts_with_the_two_commands_and_stays_short():
    first = _code_blocks(README, "sh")[0]
    assert "make run" in first and "make test" in first
    assert README.index("make run") < README.index("## ")
    assert len(README.splitlines()) <= 130


def test_the_readme_example_runs(capsys):
    block = _code_blocks(README, "python")[0]
    exec(compile(block, "README.md", "exec"), {"__name__": "readme"})
    out = capsys.readouterr().out
    assert "service_level" in out and "required" in out


def test_the_scenario_format_example_is_a_valid_scenario():
    page = (DOCS / "scenario-format.md").read_text(encoding="utf-8")
    (example,) = _code_blocks(page, "toml")
    scenario = Scenario.loads(example, source="docs/scenario-format.md")
    assert scenario.channel("chat") is not None and scenario.channel("email") is not None
    assert scenario.scheduling is not None and scenario.erlang_x is not None
    assert Scenario.loads(scenario.dumps()) == scenario


def test_submodules_are_attributes_as_in_a_plain_package():
    code = "import planner; print(planner.sample.SAMPLE_PATH.name, planner.schedule.WEEKDAYS[0])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["sample_history.csv", "Mon"]
    assert not hasattr(planner, "no_such_thing")
