"""Benchmark: how long the test suite takes, and its slowest tests.

Runs ``pytest -m "not slow"`` as ``make test`` does (the notebooks aside) and prints
the wall time, the counts and the ten slowest tests. Run with ``make bench`` or
``python bench/bench_suite.py``; other pytest options (``-m slow``) replace the
default selection.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    t0 = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--durations=10",
         *(sys.argv[1:] or ["-m", "not slow"])],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    seconds = time.perf_counter() - t0
    lines = run.stdout.splitlines()
    counts = next((ln for ln in reversed(lines) if re.search(r"\d+ (passed|failed)", ln)), "")
    print(f"suite: {seconds:,.0f} s wall ({counts.strip('= ')})")
    start = next((i for i, ln in enumerate(lines) if "slowest" in ln), None)
    if start is not None:
        for ln in lines[start + 1 : start + 11]:
            if ln.strip():
                print("  " + ln.strip())
    if run.returncode != 0:
        sys.exit(run.returncode)


if __name__ == "__main__":
    main()
