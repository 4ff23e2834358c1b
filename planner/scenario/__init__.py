"""Scenarios: one planning day, its what-ifs and its file.

- :mod:`planner.scenario.model`: :class:`Scenario`, the day and the methods every
  entry point runs;
- :mod:`planner.scenario.whatif`: :data:`WHATIFS`, every named change a scenario
  takes, carried out in one place (``with_changes``, sweep axes, CLI flags, the app);
- :mod:`planner.scenario.file`: every TOML table of a scenario file, in and out;
- :mod:`planner.scenario.center`: :class:`CenterScenario`, a day of many queues and
  agent groups with skills (a file's ``[[queue]]`` and ``[[group]]`` tables).

The model and the center import the other two; they never import them, nor each
other. :func:`load_scenario` reads a file of either kind.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

from planner.errors import ScenarioError
from planner.scenario.center import CenterScenario, is_center
from planner.scenario.file import parse, read_text
from planner.scenario.model import MAX_INTERVALS, Scenario
from planner.scenario.whatif import WHATIFS, WhatIf
from planner.simulation.settings import SimulationSettings

__all__ = [
    "MAX_INTERVALS", "WHATIFS", "CenterScenario", "Scenario", "ScenarioError",
    "SimulationSettings", "WhatIf", "is_center_file", "load_scenario",
]  # fmt: skip


def is_center_file(path: str | PathLike[str]) -> bool:
    """Whether a scenario file describes a multi-skill center (``[[queue]]`` tables)."""
    return is_center(parse(read_text(path), str(path)))


def load_scenario(path: str | PathLike[str]) -> Scenario | CenterScenario:
    """The scenario in a file: a :class:`CenterScenario` if it has ``[[queue]]`` or
    ``[[group]]`` tables, else a :class:`Scenario` (the one-queue format)."""
    data = parse(read_text(path), str(path))
    if is_center(data):
        return CenterScenario.from_dict(data, source=str(path))
    return Scenario.from_dict(data, source=str(path), base_dir=str(Path(path).parent))
