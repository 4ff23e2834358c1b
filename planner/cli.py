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
import dataclasses
import json
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pandas as pd

from planner import forecast, sweeps
from planner._validate import MAX_AGENTS
from planner.capacity.inputs import CHANGES as CAPACITY_CHANGES
from planner.channels import CHANNELS
from planner.errors import InputError
from planner.io import read_history, read_workload_csv
from planner.models import ErlangX, IntervalModel, erlang_model
from planner.report import forecast_requirements, money
from planner.sample import SAMPLE_CALENDAR_PATH, sample_history
from planner.scenario import WHATIFS, CenterScenario, Scenario, load_scenario
from planner.scenario.center import is_center
from planner.scenario.file import parse, read_text
from planner.simulation import METRICS
from planner.targets import Targets

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error message and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="planner", description="Contact-center capacity planner.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    req = _command(
        sub,
        "requirements",
        "agents needed per interval (Erlang C, or Erlang A with --patience)",
        "Agents needed to meet the targets, for one interval (--calls/--aht), a CSV of "
        "intervals with 'calls' and 'aht' columns, or a scenario file. Service level is "
        "answered within --answer-time over offered calls.",
    )
    _workload_arguments(req)
    _staffing_arguments(req)
    req.add_argument("--channel", choices=("calls", *CHANNELS, "blend", "total"),
                     default="calls",
                     help="calls (default); chat: the calls are chats, staffed by a chat team "
                     "(--handle, or a scenario's [channels.chat]); email: the calls are emails "
                     "or back-office items due within --deadline (or a scenario's "
                     "[channels.email]); blend: the calls and the email items worked by one "
                     "team, beside separate teams; total: every channel of a scenario, as "
                     "separate teams, and their sum")  # fmt: skip
    _channel_arguments(req)

    sim = _command(
        sub,
        "simulate",
        "simulate a staffing plan over the day, with confidence intervals",
        "Simulate the day (one FCFS queue, backlog carried between intervals) with "
        "replications, and report each interval's service level, ASA, abandon rate, "
        "occupancy and queue as a mean with a 95%% confidence interval. A scenario is "
        "simulated as Scenario.simulate() does (its distributions, plan, replications and "
        "seed); flags only override. The plan is --agents, the scenario's plan, or the "
        "Erlang requirement; with --find-staffing, the plan that meets the targets in "
        "simulation, beside the Erlang plan.",
    )
    _workload_arguments(sim)
    _simulation_arguments(sim)
    _erlang_x_arguments(sim)

    sw = _command(
        sub,
        "sweep",
        "what-if variations of a scenario, in parallel (processes or a Dask cluster)",
        "Evaluate every combination of the given values (comma-separated) for a scenario: "
        "requirement, scheduled hours and cost, and with --evaluate simulation its "
        "simulated service. One row per variation; --intervals for one per variation and "
        "interval. --out DIR saves each variation as it finishes and resumes an "
        "interrupted sweep.",
    )
    _sweep_arguments(sw)

    history = (
        "an ACD interval export (CSV with an interval start, offered calls and AHT or "
        "handle time; common headers are recognised). Without HISTORY.csv, the bundled "
        "sample (US holidays)."
    )
    fc = _command(
        sub,
        "forecast",
        "forecast calls and AHT per interval from history",
        f"Forecast calls and AHT per interval from {history}",
    )
    _history_arguments(fc, horizon="14d")
    sh = _command(
        sub,
        "schedule",
        "shifts that cover the agents needed, at least cost (HiGHS)",
        "Turn the agents needed per interval (from a scenario, a CSV of calls and aht, as "
        "'planner requirements' finds them) into shifts people can work: how many work each "
        "shift of the templates file (TOML, [[shift]] tables) at least cost. Prints the "
        "shifts; --intervals prints the coverage per interval instead.",
    )
    _workload_arguments(sh)
    _staffing_arguments(sh)
    sh.add_argument("--templates", help="shift templates, TOML [[shift]] tables (default: "
                    "the scenario's [schedule])")  # fmt: skip
    sh.add_argument("--horizon", choices=("day", "week"),
                    help="one day, or the day on every weekday (the scenario's week_factors "
                    "and open_hours)")  # fmt: skip
    sh.add_argument("--coverage", choices=("hard", "soft"))
    sh.add_argument("--paid-hours", type=float, help="most paid hours (a budget)")
    sh.add_argument("--max-part-time", type=float, help="most share of people on part time")
    sh.add_argument("--schedule-shrinkage", type=float,
                    help="off-phone share the breaks leave out (default: --shrinkage)")  # fmt: skip
    sh.add_argument("--wrap", action="store_true", help="24/7: shifts may cross midnight")
    sh.add_argument("--start", help="clock time of the first interval (default: the "
                    "scenario's, or 00:00)")  # fmt: skip
    sh.add_argument("--time-limit", type=float, help="seconds HiGHS may search (default: the "
                    "scenario's, or 60)")  # fmt: skip
    sh.add_argument("--mip-gap", type=float, help="stop once proven within this fraction of "
                    "the optimum")  # fmt: skip
    sh.add_argument("--rotation-weeks", type=int,
                    help="weeks over which templates' weekends_off count (1 to 6)")  # fmt: skip
    sh.add_argument("--formulation", choices=("implicit", "enumerated"),
                    help="how the programme is written (default implicit)")  # fmt: skip
    shown = sh.add_mutually_exclusive_group()
    shown.add_argument("--intervals", action="store_true", help="coverage per interval")
    shown.add_argument("--roster", action="store_true",
                       help="one row per person and day worked (each rotation week)")  # fmt: skip
    wb = _command(
        sub,
        "workbook",
        "the scenario's whole plan as one Excel workbook",
        "Write the scenario's plan to one Excel workbook (as the app's 'Download the whole "
        "plan'): the day's summary, staffing per interval and every team's, and with "
        "--schedule its shifts, roster and coverage, with --simulate a simulation of the "
        "plan. Prints the summary sheet.",
    )
    wb.add_argument("scenario", help="scenario TOML file")
    wb.add_argument("--out", required=True, help="the workbook to write (.xlsx)")
    wb.add_argument("--schedule", action="store_true",
                    help="add the scenario's shifts ([schedule] section)")  # fmt: skip
    wb.add_argument("--simulate", action="store_true",
                    help="add a simulation of the plan (the scenario's [simulation])")  # fmt: skip
    cap = _command(
        sub,
        "capacity",
        "the hiring plan for the months ahead (a scenario's [capacity])",
        "The long-range capacity plan of a scenario's [capacity] section: per week the "
        "required FTE (from the interval models, with the volume band), the people on "
        "staff, productive FTE, overtime, shortfall, expected service level and the risk of "
        "being short (Monte Carlo); --classes lists the hiring classes instead. What-ifs "
        "change the section's figures. --out writes the table as CSV.",
    )
    cap.add_argument("scenario", help="scenario TOML file with a [capacity] section")
    cap.add_argument("--classes", action="store_true", help="the hiring classes, one per row")
    cap.add_argument(
        "--quantile", type=float,
        help="plan to this quantile of the requirement net of attrition (0.5 to 1)",
    )  # fmt: skip
    cap.add_argument("--paths", type=int, help="Monte Carlo paths (0: no risk figures)")
    cap.add_argument("--seed", type=int, help="seed of the Monte Carlo paths")
    for name, meaning in CAPACITY_CHANGES.items():
        kind = int if name in ("lead_time", "class_size") else float
        cap.add_argument(f"--{name.replace('_', '-')}", type=kind, dest=f"whatif_{name}",
                         help=meaning.removeprefix("capacity: "))  # fmt: skip
    cap.add_argument("--out", help="write the table to this CSV file")
    plan = _command(
        sub,
        "plan",
        "forecast, then the agents needed per interval",
        f"Forecast, then the agents needed per interval, from {history}",
    )
    _history_arguments(plan, horizon="7d")
    _target_arguments(plan)
    _staffing_arguments(plan)
    plan.add_argument(
        "--quantile", type=float, help="staff for this quantile of predicted calls (e.g. 0.9)"
    )
    return parser


def _command(
    sub: argparse._SubParsersAction, name: str, summary: str, details: str
) -> argparse.ArgumentParser:
    """A subcommand with its one-line summary, its description and ``--format``."""
    cmd = sub.add_parser(name, help=summary, description=details)
    cmd.add_argument("--format", choices=("table", "json", "csv"), default="table")
    return cmd


def _workload_arguments(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("file", nargs="?", help="CSV with columns calls, aht (others are kept)")
    cmd.add_argument("--scenario", help="scenario TOML file (its settings unless overridden)")
    cmd.add_argument("--calls", type=float, help="offered calls in the interval")
    cmd.add_argument("--aht", type=float, help="average handle time, seconds")
    cmd.add_argument("--interval", type=float, help="interval length, seconds (default 1800)")
    _target_arguments(cmd)


def _target_arguments(cmd: argparse.ArgumentParser) -> None:
    for flag, meaning in (
        ("--service-level", "target fraction, e.g. 0.8"),
        ("--answer-time", "service-level threshold, seconds"),
        ("--asa", "maximum average speed of answer, seconds"),
        ("--max-abandon", "maximum abandon rate with --patience (default 0.10; 1 = any)"),
        ("--max-occupancy", "maximum occupancy, e.g. 0.9"),
    ):
        cmd.add_argument(flag, type=float, help=meaning)


def _staffing_arguments(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--patience", type=float, help="mean patience, seconds (Erlang A)")
    cmd.add_argument("--shrinkage", type=float, help="fraction of paid time off the phones")
    _erlang_x_arguments(cmd)


# The what-ifs of the callers' Erlang X model and of the targets that have a flag.
_ERLANG_X_FLAGS = tuple(n for n, w in WHATIFS.items() if w.part == "erlang_x" and w.flag)
_TARGET_FLAGS = tuple(n for n, w in WHATIFS.items() if w.part == "targets" and w.flag)


def _erlang_x_arguments(cmd: argparse.ArgumentParser) -> None:
    """Erlang X: any of these staffs for callers who call again (and lines)."""
    for name in _ERLANG_X_FLAGS:
        kind = int if name == "lines" else float
        cmd.add_argument(_flag(name), type=kind,
                         help=f"Erlang X: {WHATIFS[name].meaning}")  # fmt: skip


def _simulation_arguments(cmd: argparse.ArgumentParser) -> None:
    shape = "(default: the scenario's shape, or exponential)"
    for flag, kind, meaning in (
        ("--agents", str, "agents per interval: one number, or one per interval, "
         "comma-separated (default: the scenario's plan or the Erlang requirement)"),
        ("--patience", float, "mean patience, seconds; keeps a scenario's patience shape"),
        ("--patience-cv", float, f"lognormal patience with this CV {shape}"),
        ("--handle-cv", float, f"lognormal handle times with this CV {shape}"),
        ("--replications", int, "independent days (default: the scenario's, or 20)"),
        ("--seed", int, "random seed (default: the scenario's, or 1)"),
        ("--warmup", float, "seconds simulated before the first interval (default 0: the "
         "day starts empty; 3600 compares a single interval with Erlang's steady state)"),
    ):  # fmt: skip
        cmd.add_argument(flag, type=kind, help=meaning)
    cmd.add_argument(
        "--close",
        choices=("serve_queue", "stop"),
        help="callers waiting at the end: answered (default) or left",
    )
    cmd.add_argument("--engine", choices=("auto", "fast", "simpy"), default="auto")
    cmd.add_argument(
        "--find-staffing",
        action="store_true",
        help="search for the plan that meets the targets in simulation",
    )
    cmd.add_argument(
        "--confidence",
        type=float,
        help="with --find-staffing: how sure each interval must be to meet its targets "
        "(default 0.95)",
    )
    cmd.add_argument(
        "--max-replications",
        type=int,
        help="with --find-staffing: most replications for an interval in doubt "
        "(default 4 x --replications)",
    )


def _sweep_arguments(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("scenario", help="scenario TOML file")
    for axis, meaning in sweeps.AXES.items():
        cmd.add_argument(f"--{axis.replace('_', '-')}", metavar="V1,V2,...", help=meaning)
    cmd.add_argument(
        "--axis", action="append", metavar="NAME=V1,V2,...",
        help="any axis by its name, e.g. a multi-skill scenario's 'volume QUEUE' or 'cost "
        "GROUP' (with --volume, the axes of a multi-skill scenario); repeat for more",
    )  # fmt: skip
    cmd.add_argument(
        "--evaluate",
        choices=("requirements", "simulation", "schedule", "capacity", "both"),
        default="requirements",
        help="the requirement and its cost, also a simulation of the plan, the "
        "scenario's shifts ([schedule]) and their service, or its hiring plan "
        "([capacity], one row per week) ('both' is an old name of 'simulation')",
    )
    cmd.add_argument("--workers", type=int, help="local processes (default: all cores)")
    cmd.add_argument("--scheduler", help="dask.distributed scheduler, e.g. tcp://host:8786")
    cmd.add_argument("--out", help="directory to save and resume results in (Parquet)")
    cmd.add_argument("--intervals", action="store_true", help="one row per interval")


def _history_arguments(cmd: argparse.ArgumentParser, *, horizon: str) -> None:
    cmd.add_argument(
        "history",
        nargs="?",
        help="interval history CSV, or a call-level log (one row per call: aggregated to "
        "--interval, default 30 minutes) (default: the sample)",
    )
    cmd.add_argument("--horizon", default=horizon, help="days ahead: 14, 14d or 2w")
    cmd.add_argument("--country", help="public holidays of this country (e.g. US, GB, DE)")
    cmd.add_argument(
        "--calendar",
        metavar="FILE",
        help="your center's closures and special days (CSV or TOML: date, name, volume as "
        "closed, normal or a number), overriding what the history suggests",
    )
    cmd.add_argument("--queue", help="with a call-level log: the queue to forecast (default: all)")
    cmd.add_argument(
        "--special-day",
        action="append",
        default=[],
        metavar="YYYY-MM-DD",
        help="a special day (repeat for more)",
    )
    cmd.add_argument(
        "--method",
        default="auto",
        choices=("auto", *forecast.METHODS),
        help="forecasting method (default auto: the best on a backtest of the history)",
    )
    cmd.add_argument("--aht", type=float, help="one AHT for every interval, seconds (volume-only "
                     "exports)")  # fmt: skip
    cmd.add_argument(
        "--columns",
        metavar="'HEADER=NAME,...'",
        help="map your headers to interval_start, calls, aht, handle_time, handled, "
        "abandoned, answered_within, e.g. 'Start=interval_start,Offered Calls=calls'",
    )
    cmd.add_argument("--interval", type=float, help="interval length, seconds (default: inferred)")
    cmd.add_argument(
        "--timezone",
        help="plan in this zone's wall-clock time (e.g. Europe/London): stamps are read as "
        "instants (naive ones as UTC) and converted",
    )
    cmd.add_argument("--out", help="write the table to this CSV file instead")


def _targets(args: argparse.Namespace, base: Targets) -> Targets:
    overrides = {name: getattr(args, name) for name in _TARGET_FLAGS}
    merged = base.to_dict() | {k: val for k, val in overrides.items() if val is not None}
    return Targets(**merged)


def _scenario(args: argparse.Namespace) -> tuple[Scenario, pd.DataFrame]:
    """The scenario the arguments describe, with every flag given applied as a change.

    Returns it with the columns that label its intervals in the output: the
    scenario's clock times, a workload CSV's own other columns, or none.
    """
    sources = [s for s in (args.file, args.scenario) if s is not None]
    single = args.calls is not None or args.aht is not None
    if len(sources) + single != 1:
        raise InputError("give exactly one of: FILE.csv, --scenario FILE, or --calls with --aht")
    labels = pd.DataFrame()
    if args.scenario is not None:
        scenario = Scenario.load(args.scenario)
        labels = scenario.workload()[["interval_start"]]
    else:
        if args.file is not None:
            df = read_workload_csv(args.file)
            labels = df.drop(columns=["calls", "aht"]).reset_index(drop=True)
        else:
            if args.calls is None or args.aht is None:
                raise InputError("--calls and --aht must be given together")
            df = pd.DataFrame({"calls": [args.calls], "aht": [args.aht]})
        scenario = Scenario(
            name="command line",
            interval=1800.0 if args.interval is None else args.interval,
            calls=tuple(df["calls"]),
            aht=tuple(df["aht"]),
        )
    changes: dict[str, Any] = {  # the what-ifs the command line has a flag for
        name: getattr(args, name)
        for name, w in WHATIFS.items()
        if w.flag and getattr(args, name, None) is not None
    }
    if getattr(args, "agents", None) is not None:
        changes["plan"] = _agents(args.agents, len(scenario.calls))
    return scenario.with_changes(**changes), labels


def _channel_arguments(parser: argparse.ArgumentParser) -> None:
    """Each channel's own options (:attr:`planner.channels.Channel.options`), as
    ``--NAME`` flags whose help names the channel."""
    for kind in CHANNELS.values():
        for name, option in kind.options.items():
            text = f"{kind.name}: {option.help}"
            if option.switch:
                parser.add_argument(_flag(name), action="store_true", default=None, help=text)
            else:
                parser.add_argument(
                    _flag(name), type=option.type, choices=option.choices, help=text
                )


def _flag(name: str) -> str:
    """The command-line flag of an option: ``open_hours`` is ``--open-hours``."""
    return "--" + name.replace("_", "-")


def _flags(names: Iterable[str]) -> str:
    return ", ".join(_flag(name) for name in names)


def _as_flags(message: str, names: Iterable[str]) -> str:
    """A channel's message about its options, with each ``'name'`` as ``--name``."""
    for name in names:
        message = message.replace(f"'{name}'", _flag(name))
    return message


def _multi_skill(args: argparse.Namespace) -> CenterScenario | None:
    """The multi-skill scenario of ``--scenario`` (a file with ``[[queue]]`` tables),
    with ``--replications``, ``--seed``, ``--close`` and ``--confidence`` where given;
    None for any other input. Flags of one queue are refused."""
    if args.scenario is None:
        return None
    data = parse(read_text(args.scenario), str(args.scenario))
    if not is_center(data):
        return None
    one_queue = {"file", "calls", "aht", "interval", "agents", "channel", *_TARGET_FLAGS,
                 *_ERLANG_X_FLAGS, "patience", "patience_cv", "handle_cv", "shrinkage",
                 "warmup", "find_staffing", "max_replications",
                 *(f for kind in CHANNELS.values() for f in kind.options)}  # fmt: skip
    given = sorted(
        name for name in one_queue
        if getattr(args, name, None) not in (None, False, "calls")
    )  # fmt: skip
    if given:
        raise InputError(
            f"{_flag(given[0])} is for a one-queue scenario; {args.scenario} is a multi-skill "
            "center (its queues and groups are in the file)"
        )
    center = CenterScenario.from_dict(data, source=str(args.scenario))
    changes = {
        name: getattr(args, name)
        for name in ("replications", "seed", "close", "confidence")
        if getattr(args, name, None) is not None
    }
    return center.with_changes(**changes)


def _center_requirements(center: CenterScenario) -> pd.DataFrame:
    """Staffing per group and interval, the bounds and each queue's confidence; the
    agent hours, scheduled hours and costs per group under the table."""
    found = center.staffing()
    table = center.staffing_table(found)
    summary = center.staffing_summary(found)
    shown = summary.assign(
        agent_hours=summary["agent_hours"].map("{:,.1f}".format),
        scheduled_hours=summary["scheduled_hours"].map("{:,.1f}".format),
        cost=summary["cost"].map(lambda x: money(np.nan if x is None else x, center.currency)),
    )
    met = "met" if found.met else "NOT met"
    table.attrs["footer"] = (
        f"\nevery queue's targets {met} with {center.confidence:.0%} confidence in every "
        f"interval (confirmed on {found.replications} fresh days)\n" + shown.to_string(index=False)
    )
    return table


def _requirements(args: argparse.Namespace) -> pd.DataFrame:
    center = _multi_skill(args)
    if center is not None:
        return _center_requirements(center)
    for name, kind in CHANNELS.items():
        if args.channel != name and any(getattr(args, f) is not None for f in kind.options):
            raise InputError(f"{_flags(kind.options)} are for --channel {name}")
    scenario, labels = _scenario(args)
    if args.channel == "blend":
        return _labelled(labels, scenario.blended_requirements())
    if args.channel == "total":
        return _labelled(labels, scenario.staff_requirements())
    if args.channel != "calls":
        scenario = _with_channel(args, scenario)
    return _labelled(labels, scenario.channel_requirements(args.channel))


def _channel_options(args: argparse.Namespace, scenario: Scenario) -> dict[str, Any]:
    """The channel's options given, as its fields (the channel's own
    :meth:`~planner.channels.Channel.option_fields`)."""
    kind = CHANNELS[args.channel]
    given = {name: getattr(args, name) for name in kind.options}
    try:
        return kind.option_fields(given, scenario.aht)
    except InputError as err:
        raise InputError(_as_flags(str(err), kind.options)) from None


def _with_channel(args: argparse.Namespace, scenario: Scenario) -> Scenario:
    """The scenario with the channel --channel names: its own, changed by the channel's
    flags, or else the calls taken as that channel's contacts (the flags describe them)."""
    name = args.channel
    given = _channel_options(args, scenario)
    own = scenario.channel(name)
    if own is not None:
        return scenario.with_changes(**{name: own.replaced(**given)})
    if not given:
        raise InputError(
            f"--channel {name} needs {_flags(CHANNELS[name].options)}, or a scenario with "
            f"[channels.{name}]"
        )
    try:
        channel = CHANNELS[name].from_calls(
            scenario.calls, scenario.aht, patience=scenario.mean_patience, **given
        )
    except InputError as err:
        raise InputError(f"--channel {name}: {err}") from None
    return scenario.with_changes(**{name: channel})


def _schedule(args: argparse.Namespace) -> pd.DataFrame:
    """``planner schedule``: the scenario's requirement as shifts (``Scenario.schedule``)."""
    from planner.scenario.file import read_templates

    scenario, _ = _scenario(args)
    changes: dict[str, Any] = {
        name: getattr(args, name)
        for name in (
            "horizon",
            "coverage",
            "paid_hours",
            "max_part_time",
            "schedule_shrinkage",
            "time_limit",
            "mip_gap",
            "rotation_weeks",
            "formulation",
        )
        if getattr(args, name) is not None
    }
    if args.wrap:
        changes["wrap"] = True
    if args.templates is not None:
        changes["templates"] = tuple(read_templates(args.templates))
    elif scenario.scheduling is None:
        raise InputError(
            "give --templates FILE.toml ([[shift]] tables), or a --scenario with a [schedule] "
            "section"
        )
    if args.start is not None:
        changes["start"] = args.start
    scenario = scenario.with_changes(**changes)
    result = scenario.schedule()
    short = result.coverage["short"]
    print(
        f"planner: {result.people} people, {result.scheduled_hours:,.1f} paid hours, cost "
        f"{money(result.cost, scenario.currency)}; gap {result.gap:.2%} from HiGHS's bound; "
        f"{int((short > 1e-9).sum())} interval(s) short",
        file=sys.stderr,
    )
    if args.intervals:
        return result.intervals()
    if args.roster:
        return result.roster
    return result.shifts


def _labelled(labels: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """``table`` (one row per interval) after the columns that label its intervals."""
    table = table.drop(columns=["interval_start"], errors="ignore").reset_index(drop=True)
    return pd.concat([labels.reset_index(drop=True), table], axis=1)


def _sweep(args: argparse.Namespace) -> pd.DataFrame:
    """``planner sweep``: every combination of the given axis values."""
    given = [(axis, getattr(args, axis), f"--{axis.replace('_', '-')}")
             for axis in sweeps.AXES if getattr(args, axis) is not None]  # fmt: skip
    for text in args.axis or []:
        name, equals, values = text.rpartition("=")
        if not equals or not name.strip():
            raise InputError(f"--axis takes NAME=V1,V2,...: {text!r}")
        given.append((name.strip(), values, f"--axis {name.strip()!r}"))
    axes = {}
    for axis, text, flag in given:
        try:
            axes[axis] = [float(x) for x in text.split(",")]
        except ValueError:
            raise InputError(f"{flag} must be numbers separated by commas: {text!r}") from None
    if not axes:
        flags = _flags(sweeps.AXES)
        raise InputError(f"give at least one axis to vary: {flags} or --axis NAME=V1,V2")
    scenario = load_scenario(args.scenario)
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


def _columns(text: str | None) -> dict[str, str] | None:
    """``--columns 'Your header=calls,Other=aht'`` as a mapping."""
    if text is None:
        return None
    out = {}
    for part in text.split(","):
        header, sep, name = part.rpartition("=")
        if not sep or not header.strip() or not name.strip():
            raise InputError(f"--columns takes 'HEADER=NAME' pairs separated by commas: {part!r}")
        out[header.strip()] = name.strip()
    return out


def _forecast(args: argparse.Namespace) -> pd.DataFrame:
    """``planner forecast`` and ``planner plan``: history -> forecast (-> requirements)."""
    forecast.parse_horizon(args.horizon)  # bad options fail before any reading
    for day in args.special_day:
        forecast.parse_date("--special-day", day)
    targets = _targets(args, Targets()) if args.command == "plan" else Targets()
    country, calendar = args.country, args.calendar
    if args.history is None:
        source: str | pd.DataFrame = sample_history()
        country = country or "US"
        calendar = calendar or str(SAMPLE_CALENDAR_PATH)
        print(
            "planner: using the bundled sample history (US holidays, and the sample bank's "
            f"calendar: {SAMPLE_CALENDAR_PATH.name})",
            file=sys.stderr,
        )
    else:
        source = args.history
    history = read_history(
        source,
        columns=_columns(args.columns),
        interval=args.interval,
        aht=args.aht,
        timezone=args.timezone,
        queue=args.queue,
    )
    for note in history.notes:
        print(f"planner: {note}", file=sys.stderr)
    model = forecast.fit(
        history,
        method=args.method,
        country=country,
        special_days=args.special_day,
        calendar=calendar,
    )
    chosen = model.backtest_table.loc[model.method]
    print(
        f"planner: forecast by {model.method} (backtest WAPE {chosen['wape']:.1%}, 90% band "
        f"coverage {chosen['coverage_90']:.1%}; {len(model.backtest_table)} method(s) tried)",
        file=sys.stderr,
    )
    for note in model.notes(args.horizon):
        print(f"planner: {note}", file=sys.stderr)
    frame = model.summary_frame(args.horizon)
    if frame.empty:
        days = model.daily_forecast(args.horizon).index
        first, last = (forecast.day_label(d.date()) for d in (days[0], days[-1]))
        raise InputError(
            f"every day from {first} to {last} is closed (the history has no calls on "
            "those weekdays, or they are holidays): nothing to forecast; ask for a longer "
            "--horizon"
        )
    if args.command == "forecast":
        table = frame[["calls", "calls_lower", "calls_upper", "aht"]]
    else:
        table = forecast_requirements(
            model,
            args.horizon,
            targets,
            shrinkage=args.shrinkage or 0.0,
            quantile=args.quantile,
            model=_model(args),
        )
    table = table.reset_index()
    table["interval_start"] = table["interval_start"].dt.strftime("%Y-%m-%d %H:%M")
    return table


def _model(args: argparse.Namespace) -> IntervalModel:
    """The calls' model the flags describe: Erlang X with any of its flags, else Erlang A
    with --patience, else Erlang C."""
    given = {k: getattr(args, k) for k in _ERLANG_X_FLAGS if getattr(args, k, None) is not None}
    if given:
        return ErlangX(patience=args.patience, **given)
    return erlang_model(args.patience)


def _agents(text: str, intervals: int) -> tuple[int, ...]:
    """``--agents``: one count, or one per interval, comma-separated."""
    try:
        values = [float(x) for x in text.split(",")]
    except ValueError:
        raise InputError(f"--agents must be numbers separated by commas: {text!r}") from None
    if len(values) == 1:
        values = values * intervals
    if len(values) != intervals:
        raise InputError(f"--agents has {len(values)} numbers for {intervals} intervals")
    for value in values:
        if not (value >= 0 and value == int(value)):
            raise InputError(f"--agents takes whole numbers >= 0: {value!r}")
        if value > MAX_AGENTS:
            raise InputError(
                f"--agents takes at most {MAX_AGENTS:,} agents per interval: {value:g}"
            )
    return tuple(int(x) for x in values)


def _simulate(args: argparse.Namespace) -> pd.DataFrame:
    center = _multi_skill(args)
    if center is not None:
        return center.simulation_table(center.simulate(engine=args.engine))
    if args.find_staffing and args.agents is not None:
        raise InputError("give --agents or --find-staffing, not both")
    scenario, labels = _scenario(args)
    search = {
        name: getattr(args, name)
        for name in ("confidence", "max_replications")
        if getattr(args, name) is not None
    }
    if search and not args.find_staffing:
        raise InputError("--confidence and --max-replications go with --find-staffing")
    if args.find_staffing:
        table = scenario.simulated_staffing(engine=args.engine, **search).to_frame()
    else:
        table = scenario.simulate(engine=args.engine).table()
    return _labelled(labels, table)


def _render(table: pd.DataFrame, fmt: str) -> str:
    if fmt == "csv":
        return table.to_csv(index=False)
    if fmt == "json":
        records = table.replace({np.inf: None, np.nan: None}).to_dict(orient="records")
        return json.dumps(records, indent=2) + "\n"
    if "service_level_ci_low" in table:
        return _simulated_table(table)
    footer = table.attrs.get("footer", "")
    shown = table.copy()
    for col in (
        "service_level", "occupancy", "abandon_rate", "blocking", "redial_share", "repeat_share",
        "on_time", "p_short", "shrinkage",
    ):  # fmt: skip
        if col in shown:
            shown[col] = shown[col].map(lambda x: "" if x != x else f"{x:.1%}")
    for col in ("backlog", "handled", "items_done"):
        if col in shown:
            shown[col] = shown[col].map(lambda x: f"{x:.1f}")
    for col in ("traffic", "asa", "offered_traffic", "virtual_wait", "mean_concurrency", "chats"):
        if col in shown:
            shown[col] = shown[col].map(lambda x: f"{x:.2f}")
    people = ["starting", "going_live", "trainees", "headcount"]
    for col in [str(c) for c in shown if "_fte" in str(c)] + people:
        if col in shown:
            shown[col] = shown[col].map(lambda x: f"{x:.1f}")
    if "hires" in shown:  # a capacity sweep's summary
        shown["cost"] = shown["cost"].map(lambda x: f"{x:,.0f}")
        for col in ("lowest_service_level", "gap"):
            shown[col] = shown[col].map(lambda x: f"{x:.1%}")
    if "week_start" in shown or "go_live" in shown:  # a capacity plan's weeks or classes
        for col in ("calls", "aht", "cost"):
            if col in shown:
                shown[col] = shown[col].map(lambda x: f"{x:,.0f}")
    for col in [str(c) for c in shown if str(c).startswith("confidence ")]:
        shown[col] = shown[col].map(lambda x: f"{x:.3f}")
    return shown.to_string(index=False) + "\n" + (footer + "\n" if footer else "")


_SHOWN = {  # simulated metrics shown as text, with their format
    "calls": "{:.1f}",
    "abandoned": "{:.1f}",
    "service_level": "{:.1%}",
    "asa": "{:.1f}",
    "abandon_rate": "{:.1%}",
    "occupancy": "{:.1%}",
    "max_queue": "{:.1f}",
    "blocking": "{:.1%}",
    "redial_share": "{:.1%}",
    "repeat_share": "{:.1%}",
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
    if "confidence" in shown:
        shown["confidence"] = [f"{c:.1%}" for c in table["confidence"]]
        shown["uncertain"] = ["yes" if u else "" for u in table["uncertain"]]
        note += (
            "confidence: that the interval meets every target on average, from an independent "
            "simulation; uncertain: one agent fewer might also do\n"
        )
    return shown.to_string(index=False) + "\n" + note


_NEGATIVE = re.compile(r"^-\d[\d.]*(,\s*-?\d[\d.]*)*$")


def _negative_values(argv: list[str]) -> list[str]:
    """``--staffing-offset -1,0,1`` as ``--staffing-offset=-1,0,1``: argparse reads a value
    that starts with a minus sign as an option, unless it is one plain number."""
    out: list[str] = []
    for token in argv:
        if out and out[-1].startswith("--") and "=" not in out[-1] and _NEGATIVE.match(token):
            out[-1] = f"{out[-1]}={token}"
        else:
            out.append(token)
    return out


def _workbook(args: argparse.Namespace) -> pd.DataFrame:
    """``planner workbook``: :func:`planner.scenario.workbook.plan_sheets` written to --out."""
    from planner.report import to_excel
    from planner.scenario.workbook import plan_sheets

    if not str(args.out).lower().endswith(".xlsx"):
        raise InputError(f"--out must name an Excel workbook (.xlsx): {args.out!r}")
    scenario = Scenario.load(args.scenario)
    if args.schedule and scenario.scheduling is None:
        raise InputError(f"{args.scenario} has no [schedule] section to schedule")
    schedule = scenario.schedule() if args.schedule else None
    simulation = scenario.simulate() if args.simulate else None
    sheets = plan_sheets(scenario, schedule, simulation)
    try:
        Path(args.out).write_bytes(to_excel(sheets))
    except OSError as err:
        raise InputError(f"cannot write {args.out}: {err.strerror}") from None
    print(f"planner: wrote {', '.join(sheets)} to {args.out}", file=sys.stderr)
    return sheets["summary"]


def _capacity(args: argparse.Namespace) -> pd.DataFrame:
    """``planner capacity``: :meth:`Scenario.capacity_plan`, per week or per class."""
    scenario = Scenario.load(args.scenario)
    if scenario.capacity is None:
        raise InputError(f"{args.scenario} has no [capacity] section: add one to plan months ahead")
    settings = {k: getattr(args, k) for k in ("quantile", "paths", "seed")
                if getattr(args, k) is not None}  # fmt: skip
    if settings:
        try:
            section = dataclasses.replace(scenario.capacity, **settings)
        except InputError as err:
            raise InputError(str(err).replace("capacity.", "--")) from None
        scenario = dataclasses.replace(scenario, capacity=section)
    changes = {name: getattr(args, f"whatif_{name}") for name in CAPACITY_CHANGES
               if getattr(args, f"whatif_{name}") is not None}  # fmt: skip
    plan = scenario.capacity_plan(**changes)
    cost = plan.cost
    currency = f" {scenario.currency}" if scenario.currency else ""
    footer = (
        f"cost{currency}: total {cost['total']:,.0f} (salaries {cost['salaries']:,.0f}, hiring "
        f"{cost['hiring']:,.0f}, classes {cost['classes']:,.0f}, overtime "
        f"{cost['overtime']:,.0f}, short {cost['short']:,.0f}); "
        f"{len(plan.classes)} classes, {int(plan.classes['size'].sum())} hires; "
        + (f"planned to the {plan.quantile:.0%} quantile; " if plan.quantile else "")
        + f"HiGHS: {plan.status.split(': ')[-1].rstrip(')')}, gap {plan.gap:.2%}"
    )
    table = plan.classes.copy() if args.classes else plan.weeks.copy()
    for col in ("week_start", "recruit_from", "training_start", "go_live"):
        if col in table:
            table[col] = table[col].dt.strftime("%Y-%m-%d")
    table.attrs["footer"] = footer
    return table


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _build_parser()
    args = parser.parse_args(_negative_values(sys.argv[1:] if argv is None else list(argv)))
    commands = {
        "requirements": _requirements,
        "simulate": _simulate,
        "forecast": _forecast,
        "plan": _forecast,
        "sweep": _sweep,
        "schedule": _schedule,
        "workbook": _workbook,
        "capacity": _capacity,
    }
    try:
        table = commands[args.command](args)
    except InputError as err:
        print(f"planner: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        kept = " (results saved in --out are kept: run again to resume)"
        print(f"planner: interrupted{kept if getattr(args, 'out', None) else ''}", file=sys.stderr)
        return 130
    if getattr(args, "out", None) and args.command not in ("sweep", "workbook"):
        try:
            table.to_csv(args.out, index=False)
        except OSError as err:
            print(f"planner: error: cannot write {args.out}: {err.strerror}", file=sys.stderr)
            return 2
        rows = {"capacity": "classes" if getattr(args, "classes", False) else "weeks"}
        print(f"planner: wrote {len(table)} {rows.get(args.command, 'intervals')} to {args.out}",
              file=sys.stderr)  # fmt: skip
        return 0
    sys.stdout.write(_render(table, args.format))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
