"""The ``planner`` command line.

Examples::

    planner requirements --calls 100 --aht 180 --interval 1800 \\
        --service-level 0.8 --answer-time 20 --format json
    planner requirements day.csv --patience 120 --shrinkage 0.3 --format csv
    planner requirements --scenario scenarios/retail_bank.toml

Bad input ends with exit status 2 and a one-line message on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import NoReturn

import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.io import read_workload_csv
from planner.scenario import Scenario
from planner.staffing import Targets, requirements

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error message and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="planner", description="Contact-center capacity planner.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    req = sub.add_parser(
        "requirements",
        help="agents needed per interval (Erlang C, or Erlang A with --patience)",
        description=(
            "Agents needed to meet the targets, for one interval (--calls/--aht), "
            "a CSV of intervals with 'calls' and 'aht' columns, or a scenario file. "
            "Service level is answered within --answer-time over offered calls."
        ),
    )
    req.add_argument("file", nargs="?", help="CSV with columns calls, aht (others are kept)")
    req.add_argument("--scenario", help="scenario TOML file (its targets unless overridden)")
    req.add_argument("--calls", type=float, help="offered calls in the interval")
    req.add_argument("--aht", type=float, help="average handle time, seconds")
    req.add_argument("--interval", type=float, help="interval length, seconds (default 1800)")
    req.add_argument("--service-level", type=float, help="target fraction, e.g. 0.8")
    req.add_argument("--answer-time", type=float, help="service-level threshold, seconds")
    req.add_argument("--asa", type=float, help="maximum average speed of answer, seconds")
    req.add_argument("--max-abandon", type=float, help="maximum abandon rate (needs --patience)")
    req.add_argument("--max-occupancy", type=float, help="maximum occupancy, e.g. 0.9")
    req.add_argument("--patience", type=float, help="mean patience, seconds (Erlang A)")
    req.add_argument("--shrinkage", type=float, help="fraction of paid time off the phones")
    req.add_argument("--format", choices=("table", "json", "csv"), default="table")
    return parser


def _targets(args: argparse.Namespace, base: Targets) -> Targets:
    overrides = {
        "service_level": args.service_level,
        "answer_time": args.answer_time,
        "asa": args.asa,
        "max_abandon": args.max_abandon,
        "max_occupancy": args.max_occupancy,
    }
    merged = base.to_dict() | {k: val for k, val in overrides.items() if val is not None}
    return Targets(**merged)


def _requirements(args: argparse.Namespace) -> pd.DataFrame:
    sources = [s for s in (args.file, args.scenario) if s is not None]
    single = args.calls is not None or args.aht is not None
    if len(sources) + single != 1:
        raise InputError("give exactly one of: FILE.csv, --scenario FILE, or --calls with --aht")
    if args.scenario is not None:
        scenario = Scenario.load(args.scenario)
        df = scenario.workload()
        targets, interval = scenario.targets, scenario.interval
        shrinkage, patience = scenario.shrinkage, scenario.patience
    else:
        if args.file is not None:
            df = read_workload_csv(args.file)
        else:
            if args.calls is None or args.aht is None:
                raise InputError("--calls and --aht must be given together")
            df = pd.DataFrame({"calls": [args.calls], "aht": [args.aht]})
        targets, interval, shrinkage, patience = Targets(), 1800.0, 0.0, None
    if args.interval is not None:
        interval = args.interval
    if args.shrinkage is not None:
        shrinkage = args.shrinkage
    if args.patience is not None:
        patience = args.patience
    return requirements(df, _targets(args, targets), interval, shrinkage, patience)


def _render(table: pd.DataFrame, fmt: str) -> str:
    if fmt == "csv":
        return table.to_csv(index=False)
    if fmt == "json":
        records = table.replace({np.inf: None}).to_dict(orient="records")
        return json.dumps(records, indent=2) + "\n"
    shown = table.copy()
    for col in ("service_level", "occupancy", "abandon_rate"):
        if col in shown:
            shown[col] = shown[col].map(lambda x: f"{x:.1%}")
    for col in ("traffic", "asa"):
        if col in shown:
            shown[col] = shown[col].map(lambda x: f"{x:.2f}")
    return shown.to_string(index=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        table = _requirements(args)
    except InputError as err:
        print(f"planner: error: {err}", file=sys.stderr)
        return 2
    sys.stdout.write(_render(table, args.format))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
