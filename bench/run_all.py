"""Run every benchmark and write what they print to docs/performance.md.

``make bench`` runs this: each script's output goes to the terminal and into
the page, under the command that produced it, with the date and the machine,
so the figures in the docs are always ones a run printed.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "performance.md"

# (script, what it measures): the order of the page.
BENCHES = [
    ("bench_import.py", "What `import planner` costs"),
    ("bench_required_agents.py", "Staffing a week under Erlang C and A"),
    ("bench_erlang_x.py", "Staffing a week under Erlang X"),
    ("bench_channels.py", "Chat, email and blending"),
    ("bench_simulation.py", "Simulation"),
    ("bench_multiskill.py", "Many call types and skills"),
    ("bench_forecast.py", "Forecasts"),
    ("bench_schedule.py", "Shifts"),
    ("bench_capacity.py", "The long-range capacity plan"),
    ("bench_sweep.py", "Sweeps"),
    ("bench_worker.py", "The app's long work in worker processes"),
    ("bench_suite.py", "The test suite"),
]

INTRO = """# Performance

Figures printed by the benchmarks in `bench/`, written here by `make bench`
(`bench/run_all.py`); rerun it to refresh them. Nothing here is asserted by a
test: timings depend on the machine.
"""


def written_by_hand(page: str) -> list[str]:
    """The sections of ``page`` that no benchmark prints (the limits, say): kept as
    they are, after the benchmarks' sections."""
    printed = {title for _, title in BENCHES}
    sections = ["## " + part for part in page.split("\n## ")[1:]]
    return [s.rstrip() + "\n" for s in sections if s.splitlines()[0][3:] not in printed]


def main() -> None:
    only = set(sys.argv[1:])
    sections = []
    for script, title in BENCHES:
        if only and script not in only:
            continue
        command = f"python bench/{script}"
        print(f"== {command}", flush=True)
        run = subprocess.run(
            [sys.executable, str(ROOT / "bench" / script)], cwd=ROOT, capture_output=True,
            text=True, env=os.environ | {"PYTHONHASHSEED": "0"},
        )  # fmt: skip
        print(run.stdout, end="", flush=True)
        if run.returncode != 0:
            print(run.stderr, file=sys.stderr)
            raise SystemExit(f"{command} failed")
        sections.append(f"## {title}\n\n`{command}`\n\n```text\n{run.stdout.rstrip()}\n```\n")
    if only:
        return  # a partial run leaves the page as it is
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    when = dt.date.today().isoformat()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    at = f", at commit {commit}" if commit else ""
    sections += written_by_hand(PAGE.read_text(encoding="utf-8") if PAGE.exists() else "")
    PAGE.write_text(
        INTRO + f"\nLast run: {when}, on {machine}{at}.\n\n" + "\n".join(sections),
        encoding="utf-8",
    )
    print(f"wrote {PAGE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
