"""The docs say what the code does: the layout table matches the tree, the reference
lists exactly the public API, the README's example and the scenario format's example
run, every model page shows what its example returns, and ``import planner``
stays light."""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

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
    example, skills = _code_blocks(page, "toml")
    scenario = Scenario.loads(example, source="docs/scenario-format.md")
    assert scenario.channel("chat") is not None and scenario.channel("email") is not None
    assert scenario.scheduling is not None and scenario.erlang_x is not None
    assert scenario.capacity is not None and scenario.capacity.quantile == 0.8
    assert Scenario.loads(scenario.dumps()) == scenario
    # the multi-skill example: every key of its tables
    center = planner.CenterScenario.loads(skills, source="docs/scenario-format.md")
    assert center.required and center.groups[2].overflow_after == {"cards": 15.0}
    assert planner.CenterScenario.loads(center.dumps()) == center


def test_submodules_are_attributes_as_in_a_plain_package():
    code = "import planner; print(planner.sample.SAMPLE_PATH.name, planner.schedule.WEEKDAYS[0])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["sample_history.csv", "Mon"]
    assert not hasattr(planner, "no_such_thing")


_SHOWN = re.compile(r"^\s*(?:->\s*)?\[?((?:-?\d[\d,]*\.?\d*%?(?: min| s)?(?:,\s*|\]|\s|$))+)")


def _shown_numbers(comment: str) -> list[tuple[float, float, bool]]:
    """The figures a comment starts with ("0.686, 16.5", "[13, 28]", "87.98%"): each
    value, the half-unit of its last shown digit, and whether it is a percentage."""
    found = _SHOWN.match(comment)
    if not found:
        return []
    out = []
    for token in re.findall(r"-?\d+(?:\.\d+)?%?", found.group(1)):
        digits = token.rstrip("%").split(".")
        half = 0.5 * 10.0 ** -(len(digits[1]) if len(digits) > 1 else 0)
        out.append((float(token.rstrip("%")), half, token.endswith("%")))
    return out


def _flat(value: object) -> list[float]:
    if isinstance(value, tuple | list):
        return [x for item in value for x in _flat(item)]
    return [float(x) for x in np.ravel(np.asarray(value, dtype=np.float64))]


@pytest.mark.parametrize("page", sorted(p.name for p in (DOCS / "models").glob("*.md")))
def test_every_model_page_example_runs_and_shows_what_it_returns(page):
    """A figure in a comment beside an expression is what the expression gives, to the
    digits shown (a percentage times 100)."""
    namespace: dict[str, object] = {}  # a page's blocks run in order, as one session
    checked = 0
    for block in _code_blocks((DOCS / "models" / page).read_text(encoding="utf-8"), "python"):
        lines = block.splitlines()
        for statement in ast.parse(block).body:
            source = "\n".join(lines[statement.lineno - 1 : statement.end_lineno])
            if not isinstance(statement, ast.Expr):
                exec(compile(source, page, "exec"), namespace)
                continue
            value = eval(compile(ast.Expression(statement.value), page, "eval"), namespace)
            comment = lines[statement.end_lineno - 1].partition("  # ")[2]
            shown = _shown_numbers(comment)
            got = _flat(value)
            if not shown or len(shown) != len(got):
                continue
            for (figure, half, percent), actual in zip(shown, got, strict=True):
                actual = actual * 100 if percent else actual
                assert abs(actual - figure) <= half + 1e-9, (page, source, comment, actual)
            checked += 1
    assert checked or page == "email.md", f"{page} shows no figure the test could check"
