"""The ``planner`` command line.

Examples::

    planner requirements --calls 100 --aht 180 --interval 1800 \\
        --service-level 0.8 --answer-time 20 --format json
    planner requirements day.csv --patience 120 --shrinkage 0.3 --format csv
    planner requirements --scenario scenarios/retail_bank.toml
    planner simulate --scenario scenarios/retail_bank.toml --handle-cv 1.2 \
        --replications 50 --seed 1
    planner simulate day.csv --agents 14,30,28 --patience 120 --format csv
    planner simulate --scenario scenarios/retail_bank.toml --find-staffing
    planner forecast history.csv --horizon 14d --country US --out forecast.csv
    planner plan history.csv --horizon 7d --service-level 0.8 --answer-time 20 --shrinkage 0.3

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
from numpy.typing import ArrayLike

from planner import forecast
from planner import sweep as sweeps
from planner.errors import InputError
from planner.io import read_history, read_workload_csv
from planner.sample import sample_history
from planner.scenario import Scenario
from planner.simulation import (
    METRICS,
    Distribution,
    Exponential,
    Lognormal,
    simulate,
    simulated_staffing,
)
from planner.staffing import Targets, required_agents, requirements

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
    _workload_arguments(req)
    req.add_argument("--patience", type=float, help="mean patience, seconds (Erlang A)")
    req.add_argument("--shrinkage", type=float, help="fraction of paid time off the phones")
    req.add_argument("--format", choices=("table", "json", "csv"), default="table")

    sim = sub.add_parser(
        "simulate",
        help="simulate a staffing plan over the day, with confidence intervals",
        description=(
            "Simulate the day (one FCFS queue, backlog carried between intervals) with "
            "replications, and report each interval's service level, ASA, abandon rate, "
            "occupancy and queue as a mean with a 95%% confidence interval. The plan is "
            "--agents, or the Erlang requirement for the targets; with --find-staffing, "
            "the plan that meets the targets in simulation, beside the Erlang plan."
        ),
    )
    _workload_arguments(sim)
    sim.add_argument(
        "--agents",
        help="agents per interval: one number, or one per interval, "
        "comma-separated (default: the Erlang requirement)",
    )
    sim.add_argument(
        "--find-staffing",
        action="store_true",
        help="search for the plan that meets the targets in simulation",
    )
    sim.add_argument("--patience", type=float, help="mean patience, seconds (default: none)")
    sim.add_argument(
        "--patience-cv", type=float, help="lognormal patience with this CV (default: exponential)"
    )
    sim.add_argument(
        "--handle-cv", type=float, help="lognormal handle times with this CV (default: exponential)"
    )
    sim.add_argument("--replications", type=int, default=20, help="independent days (20)")
    sim.add_argument("--seed", type=int, default=1, help="random seed (1)")
    sim.add_argument(
        "--warmup",
        type=float,
        default=0.0,
        help="seconds simulated before the first interval (0: the day starts empty; "
        "3600 compares a single interval with Erlang's steady state)",
    )
    sim.add_argument(
        "--close",
        choices=("serve_queue", "stop"),
        default="serve_queue",
        help="callers waiting at the end: answered (default) or left",
    )
    sim.add_argument("--engine", choices=("auto", "fast", "simpy"), default="auto")
    sim.add_argument("--format", choices=("table", "json", "csv"), default="table")

    sw = sub.add_parser(
        "sweep",
        help="what-if variations of a scenario, in parallel (processes or a Dask cluster)",
        description=(
            "Evaluate every combination of the given values (comma-separated) for a "
            "scenario: requirement, paid hours and cost, and with --evaluate simulation "
            "its simulated service. One row per variation; --intervals for one per "
            "variation and interval. --out DIR saves each variation as it finishes and "
            "resumes an interrupted sweep."
        ),
    )
    sw.add_argument("scenario", help="scenario TOML file")
    for axis, meaning in sweeps.AXES.items():
        sw.add_argument(f"--{axis.replace('_', '-')}", metavar="V1,V2,...", help=meaning)
    sw.add_argument(
        "--evaluate", choices=("requirements", "simulation", "both"), default="requirements"
    )
    sw.add_argument("--workers", type=int, help="local processes (default: all cores)")
    sw.add_argument("--scheduler", help="dask.distributed scheduler, e.g. tcp://host:8786")
    sw.add_argument("--out", help="directory to save and resume results in (Parquet)")
    sw.add_argument("--intervals", action="store_true", help="one row per interval")
    sw.add_argument("--format", choices=("table", "json", "csv"), default="table")

    for command, helptext in (
        ("forecast", "forecast calls and AHT per interval from history"),
        ("plan", "forecast, then the agents needed per interval"),
    ):
        cmd = sub.add_parser(
            command,
            help=helptext,
            description=(
                f"{helptext[0].upper()}{helptext[1:]}: an ACD interval export (CSV with an "
                "interval start, offered calls and AHT or handle time; common headers are "
                "recognised). Without HISTORY.csv, the bundled sample (US holidays)."
            ),
        )
        cmd.add_argument("history", nargs="?", help="interval history CSV (default: the sample)")
        cmd.add_argument(
            "--horizon",
            default="14d" if command == "forecast" else "7d",
            help="days ahead: 14, 14d or 2w",
        )
        cmd.add_argument("--country", help="public holidays of this country (e.g. US, GB, DE)")
        cmd.add_argument(
            "--special-day",
            action="append",
            default=[],
            metavar="YYYY-MM-DD",
            help="a special day (repeat for more)",
        )
        cmd.add_argument("--out", help="write the table to this CSV file instead")
        cmd.add_argument("--format", choices=("table", "json", "csv"), default="table")
        if command == "plan":
            cmd.add_argument("--service-level", type=float, help="target fraction, e.g. 0.8")
            cmd.add_argument("--answer-time", type=float, help="service-level threshold, seconds")
            cmd.add_argument("--asa", type=float, help="maximum average speed of answer, seconds")
            cmd.add_argument("--max-abandon", type=float, help="maximum abandon rate")
            cmd.add_argument("--max-occupancy", type=float, help="maximum occupancy, e.g. 0.9")
            cmd.add_argument("--patience", type=float, help="mean patience, seconds (Erlang A)")
            cmd.add_argument(
                "--shrinkage", type=float, default=0.0, help="fraction of paid time off the phones"
            )
            cmd.add_argument(
                "--quantile",
                type=float,
                help="staff for this quantile of predicted calls (e.g. 0.9)",
            )
    return parser


def _workload_arguments(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("file", nargs="?", help="CSV with columns calls, aht (others are kept)")
    cmd.add_argument("--scenario", help="scenario TOML file (its targets unless overridden)")
    cmd.add_argument("--calls", type=float, help="offered calls in the interval")
    cmd.add_argument("--aht", type=float, help="average handle time, seconds")
    cmd.add_argument("--interval", type=float, help="interval length, seconds (default 1800)")
    cmd.add_argument("--service-level", type=float, help="target fraction, e.g. 0.8")
    cmd.add_argument("--answer-time", type=float, help="service-level threshold, seconds")
    cmd.add_argument("--asa", type=float, help="maximum average speed of answer, seconds")
    cmd.add_argument("--max-abandon", type=float, help="maximum abandon rate (needs --patience)")
    cmd.add_argument("--max-occupancy", type=float, help="maximum occupancy, e.g. 0.9")


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


def _setup(args: argparse.Namespace) -> tuple[pd.DataFrame, Targets, float, float, float | None]:
    """Workload, targets, interval, shrinkage and patience from the arguments."""
    sources = [s for s in (args.file, args.scenario) if s is not None]
    single = args.calls is not None or args.aht is not None
    if len(sources) + single != 1:
        raise InputError("give exactly one of: FILE.csv, --scenario FILE, or --calls with --aht")
    if args.scenario is not None:
        scenario = Scenario.load(args.scenario)
        df = scenario.workload()
        targets, interval = scenario.targets, scenario.interval
        shrinkage, patience = scenario.shrinkage, scenario.mean_patience
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
    if getattr(args, "shrinkage", None) is not None:
        shrinkage = args.shrinkage
    if args.patience is not None:
        patience = args.patience
    return df, _targets(args, targets), interval, shrinkage, patience


def _requirements(args: argparse.Namespace) -> pd.DataFrame:
    df, targets, interval, shrinkage, patience = _setup(args)
    return requirements(df, targets, interval, shrinkage, patience)


def _sweep(args: argparse.Namespace) -> pd.DataFrame:
    """``planner sweep``: every combination of the given axis values."""
    axes = {}
    for axis in sweeps.AXES:
        text = getattr(args, axis)
        if text is not None:
            try:
                axes[axis] = [float(x) for x in text.split(",")]
            except ValueError:
                flag = axis.replace("_", "-")
                raise InputError(
                    f"--{flag} must be numbers separated by commas: {text!r}"
                ) from None
    if not axes:
        flags = ", ".join("--" + axis.replace("_", "-") for axis in sweeps.AXES)
        raise InputError(f"give at least one axis to vary: {flags}")
    scenario = Scenario.load(args.scenario)
    variations = sweeps.grid(**axes)
    table = sweeps.sweep(
        scenario,
        variations,
        evaluate=args.evaluate,
        workers=args.workers,
        scheduler=args.scheduler,
        out=args.out,
        progress=sys.stderr.isatty(),
    )
    if args.intervals:
        return table
    return sweeps.summarize_sweep(table).reset_index()


def _forecast(args: argparse.Namespace) -> pd.DataFrame:
    """``planner forecast`` and ``planner plan``: history -> forecast (-> requirements)."""
    country = args.country
    if args.history is None:
        source: str | pd.DataFrame = sample_history()
        country = country or "US"
        print("planner: using the bundled sample history (US holidays)", file=sys.stderr)
    else:
        source = args.history
    history = read_history(source)
    for note in history.notes:
        print(f"planner: {note}", file=sys.stderr)
    model = forecast.fit(history, country=country, special_days=args.special_day)
    if args.command == "forecast":
        table = model.summary_frame(args.horizon)[["calls", "calls_lower", "calls_upper", "aht"]]
    else:
        table = forecast.forecast_requirements(
            model,
            args.horizon,
            _targets(args, Targets()),
            shrinkage=args.shrinkage,
            patience=args.patience,
            quantile=args.quantile,
        )
    table = table.reset_index()
    table["interval_start"] = table["interval_start"].dt.strftime("%Y-%m-%d %H:%M")
    return table


def _plan(text: str, intervals: int) -> list[float]:
    try:
        values = [float(x) for x in text.split(",")]
    except ValueError:
        raise InputError(f"--agents must be numbers separated by commas: {text!r}") from None
    if len(values) == 1:
        return values * intervals
    if len(values) != intervals:
        raise InputError(f"--agents has {len(values)} numbers for {intervals} intervals")
    return values


def _simulate(args: argparse.Namespace) -> pd.DataFrame:
    df, targets, interval, _, patience = _setup(args)
    if args.patience_cv is not None and patience is None:
        raise InputError("--patience-cv needs --patience (the mean)")
    pat: Distribution | None = None
    if patience is not None:
        pat = (
            Exponential(patience)
            if args.patience_cv is None
            else (Lognormal(patience, args.patience_cv))
        )
    handle = None if args.handle_cv is None else Lognormal(1.0, args.handle_cv)
    common = {
        "interval": interval, "handle": handle, "patience": pat,
        "replications": args.replications, "seed": args.seed, "warmup": args.warmup,
        "close": args.close, "engine": args.engine,
    }  # fmt: skip
    if args.find_staffing:
        if args.agents is not None:
            raise InputError("give --agents or --find-staffing, not both")
        found = simulated_staffing(df, targets, **common)
        table = found.to_frame()
    else:
        agents: ArrayLike
        if args.agents is not None:
            agents = _plan(args.agents, len(df))
        else:
            agents = required_agents(df["calls"], df["aht"], interval, targets, patience)
        table = simulate(
            df, agents, answer_time=targets.answer_time, sl_basis=targets.sl_basis, **common
        ).table()
    keep = [c for c in df.columns if c not in ("calls", "aht")]
    return pd.concat([df[keep].reset_index(drop=True), table.reset_index(drop=True)], axis=1)


def _render(table: pd.DataFrame, fmt: str) -> str:
    if fmt == "csv":
        return table.to_csv(index=False)
    if fmt == "json":
        records = table.replace({np.inf: None, np.nan: None}).to_dict(orient="records")
        return json.dumps(records, indent=2) + "\n"
    if "service_level_ci_low" in table:
        return _simulated_table(table)
    shown = table.copy()
    for col in ("service_level", "occupancy", "abandon_rate"):
        if col in shown:
            shown[col] = shown[col].map(lambda x: f"{x:.1%}")
    for col in ("traffic", "asa"):
        if col in shown:
            shown[col] = shown[col].map(lambda x: f"{x:.2f}")
    return shown.to_string(index=False) + "\n"


_SHOWN = {  # simulated metrics shown as text, with their format
    "offered": "{:.1f}",
    "abandoned": "{:.1f}",
    "service_level": "{:.1%}",
    "asa": "{:.1f}",
    "abandon_rate": "{:.1%}",
    "occupancy": "{:.1%}",
    "max_queue": "{:.1f}",
}


def _simulated_table(table: pd.DataFrame) -> str:
    """Simulation results as text: each metric's mean with its 95% confidence interval."""
    names = [str(c) for c in table.columns]
    kept = [
        c
        for c in names
        if "_ci_" not in c and not c.startswith("erlang_") and (c in _SHOWN or c not in METRICS)
    ]
    shown = table[kept].copy()
    if "erlang_agents" in names:
        shown.insert(kept.index("agents"), "erlang_agents", table["erlang_agents"])
    for col, fmt in _SHOWN.items():
        if col not in shown:
            continue

        def cell(m: float, lo: float, hi: float, fmt: str = fmt) -> str:
            if not np.isfinite(m):
                return "-"
            return fmt.format(m) + (f" ({fmt.format(lo)}-{fmt.format(hi)})" if lo < hi else "")

        shown[col] = [
            cell(m, lo, hi)
            for m, lo, hi in zip(
                table[col], table[f"{col}_ci_low"], table[f"{col}_ci_high"], strict=True
            )
        ]
    note = "mean (95% confidence interval) over replications; service level over offered calls\n"
    return shown.to_string(index=False) + "\n" + note


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    commands = {
        "requirements": _requirements,
        "simulate": _simulate,
        "forecast": _forecast,
        "plan": _forecast,
        "sweep": _sweep,
    }
    try:
        table = commands[args.command](args)
    except InputError as err:
        print(f"planner: error: {err}", file=sys.stderr)
        return 2
    if getattr(args, "out", None) and args.command != "sweep":
        try:
            table.to_csv(args.out, index=False)
        except OSError as err:
            print(f"planner: error: cannot write {args.out}: {err.strerror}", file=sys.stderr)
            return 2
        print(f"planner: wrote {len(table)} intervals to {args.out}", file=sys.stderr)
        return 0
    sys.stdout.write(_render(table, args.format))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
