"""Scenarios: one planning day, its what-ifs and its file.

- :mod:`planner.scenario.model`: :class:`Scenario`, the day and the methods every
  entry point runs;
- :mod:`planner.scenario.whatif`: :data:`WHATIFS`, every named change a scenario
  takes, carried out in one place (``with_changes``, sweep axes, CLI flags, the app);
- :mod:`planner.scenario.file`: every TOML table of a scenario file, in and out.

The model imports the other two; they never import it.
"""

from planner.errors import ScenarioError
from planner.scenario.model import MAX_INTERVALS, Scenario
from planner.scenario.whatif import WHATIFS, WhatIf
from planner.simulation.settings import SimulationSettings

__all__ = ["MAX_INTERVALS", "WHATIFS", "Scenario", "ScenarioError", "SimulationSettings", "WhatIf"]
