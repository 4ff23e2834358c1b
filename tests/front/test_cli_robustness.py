"""No traceback and no hang from the command line or a scenario file.

Each case below was a Python traceback or a hang (killed at 60 s) when a
careless user tried it. Every one must now end within the timeout with exit
status 2 and one line on stderr that says what is wrong (or answer, where
answering is right). The commands run as a user runs them: ``python -m
planner`` in a subprocess, so a hang is caught by the timeout.
"""

from __future__ import annotations

import copy
import os
import socket
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import planner

ROOT = Path(__file__).resolve().parents[2]
BANK = str(ROOT / "scenarios" / "retail_bank.toml")
TIMEOUT = 60  # seconds; every case answers in a few


def _files(folder: Path) -> None:
    """The odd inputs the cases refer to, by name."""
    (folder / "latin1.csv").write_bytes("calls,aht,équipe\n100,180,café\n".encode("latin-1"))
    (folder / "utf16.csv").write_bytes("calls,aht\n100,180\n".encode("utf-16"))
    (folder / "dup.csv").write_text("calls,aht,calls\n100,180,5\n")
    (folder / "random.bin").write_bytes(bytes(range(256)) * 16)
    (folder / "hist_latin1.csv").write_bytes(
        "Interval,Offered,AHT,Équipe\n2026-01-05 08:00,10,180,é\n".encode("latin-1")
    )
    (folder / "hist_dup.csv").write_text("Interval,Offered,AHT,Offered\n2026-01-05 08:00,1,2,3\n")
    (folder / "million.csv").write_text("calls,aht\n" + "100,180\n" * 1_000_000)
    (folder / "a_file").write_text("not a folder")
    head = 'name = "x"\ninterval = 1800\n'
    (folder / "huge.toml").write_text(head + "[workload]\ncalls = [1e12]\naht = 1e9\n")
    (folder / "interval_array.toml").write_text(
        'name = "x"\ninterval = [1800]\n[workload]\ncalls = [100]\naht = 180\n'
    )
    (folder / "bools.toml").write_text(head + "[workload]\ncalls = [true, 100]\naht = 180\n")
    (folder / "huge_plan.toml").write_text(
        head + "[workload]\ncalls = [100]\naht = 180\n[staffing]\nplan = [1e300]\n"
    )


def _closed_port() -> int:
    """A localhost port nobody listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# (command line, a phrase the one-line message must contain)
CASES = [
    (["requirements", "latin1.csv"], "not UTF-8 text"),
    (["requirements", "dup.csv"], "'calls' appears twice"),
    (["requirements", "random.bin"], "not a text CSV file"),
    (["forecast", "hist_latin1.csv"], "not UTF-8 text"),
    (["forecast", "hist_dup.csv"], "'Offered' appears twice"),
    (["forecast", "random.bin"], "not a text CSV file"),
    (["simulate", "--calls", "100", "--aht", "180", "--agents", "1e12"], "at most 1,000,000"),
    (["simulate", "--calls", "100", "--aht", "180", "--seed", "-1"], "'seed' must be"),
    (["sweep", BANK, "--staffing-offset", "nan"], "finite numbers"),
    (["sweep", BANK, "--staffing-offset", "inf"], "finite numbers"),
    (["sweep", BANK, "--staffing-offset", "0.5"], "whole numbers"),
    (["sweep", BANK, "--volume", "1", "--workers", "-1"], "'workers' must be"),
    (["sweep", BANK, "--volume", "1", "--out", "a_file"], "must be a folder"),
    (["sweep", BANK, "--volume", "1", "--out", "/proc/no/such"], "cannot save results"),
    (["sweep", BANK, "--volume", "1", "--scheduler", "notaurl"], "dask.distributed address"),
    (["sweep", BANK, "--volume", "1", "--scheduler", "CLOSED"], "cannot reach the dask"),
    (["forecast", "--special-day", "notadate"], "YYYY-MM-DD: 'notadate'"),
    (["forecast", "--special-day", "2026-02-30"], "YYYY-MM-DD: '2026-02-30'"),
    (["plan", "--service-level", "2"], "'service_level' must be in (0, 1]"),
    (["requirements", "--calls", "1e12", "--aht", "1e9"], "at most 10,000,000 Erlangs"),
    (["requirements", "million.csv"], "at most 100000"),
    (["schedule", "--scenario", BANK, "--coverage", "soft"], "soft coverage needs a budget"),
    (["requirements", "--scenario", "bools.toml"], "must be a number, not true or false"),
    (["forecast", "--horizon", "100000"], "at most 731 days"),
    (["requirements", "--scenario", "huge.toml"], "at most 10,000,000 Erlangs"),
    (["simulate", "--scenario", "huge.toml"], "at most 10,000,000 Erlangs"),
    (["requirements", "--scenario", "interval_array.toml"], "'interval' must be a number"),
    (["requirements", "--scenario", "huge_plan.toml"], "at most 1,000,000 agents"),
    # work the models cannot finish in minutes is refused up front, the limit named
    (
        [
            "requirements",
            "--calls",
            "15000",
            "--aht",
            "300",
            "--channel",
            "email",
            "--deadline",
            "3600",
        ],
        "too many for the exact backlog model",
    ),
    (
        ["simulate", "--calls", "100", "--aht", "180", "--replications", "1000000000"],
        "callers to simulate, at most 2,000,000,000",
    ),
    (["sweep", BANK, "--volume", "1", "--workers", "100000"], "'workers' must be at most"),
    (
        [
            "requirements",
            "--calls",
            "240",
            "--aht",
            "1e-9",
            "--channel",
            "chat",
            "--handle",
            "180,1e-9",
        ],
        "check that the handle times are in seconds",
    ),
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("odd_inputs")
    _files(path)
    return path


def _planner(folder: Path, argv: list[str]) -> subprocess.CompletedProcess[str]:
    argv = [f"tcp://127.0.0.1:{_closed_port()}" if a == "CLOSED" else a for a in argv]
    env = os.environ | {"PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, "-m", "planner", *argv],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=env,
    )


@pytest.mark.parametrize(("argv", "phrase"), CASES, ids=[" ".join(c[0])[:60] for c in CASES])
@pytest.mark.slow
def test_bad_invocation_is_one_clear_line(folder: Path, argv: list[str], phrase: str) -> None:
    done = _planner(folder, argv)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("planner: error: "), done.stderr
    assert phrase in lines[0], lines[0]


@pytest.mark.slow
def test_odd_but_valid_inputs_answer(folder: Path) -> None:
    # A percent sign in a help text once broke argparse's formatting.
    done = _planner(folder, ["sweep", "--help"])
    assert done.returncode == 0, done.stderr
    assert "--staffing-offset" in done.stdout and "percent" in done.stdout
    # A UTF-16 export (with its byte-order mark) is read like UTF-8.
    done = _planner(folder, ["requirements", "utf16.csv", "--format", "csv"])
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1].split(",")[:4] == ["100.0", "180.0", "10.0", "14"]
    # Ten million lines the queue never reaches are no limit (it once built them all).
    done = _planner(folder, ["requirements", "--calls", "100", "--aht", "180", "--lines",
                             "10000000", "--format", "csv"])  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1].split(",")[:4] == ["100.0", "180.0", "10.0", "14"]
    # The bank's calls taken as email items, staffed minimally, answer (in about 15 s).
    done = _planner(folder, ["requirements", "--scenario", BANK, "--channel", "email",
                             "--minimal", "--deadline", "3600", "--format", "csv"])  # fmt: skip
    assert done.returncode == 0, done.stderr


# -- scenario files ---------------------------------------------------------------

_BAD_VALUES = ["text", [1, 2], {"a": 1}, True, -1, 0, float("nan"), float("inf"), 1e300]


def _mutations() -> list[tuple[str, object]]:
    """Every key of the bundled bank scenario, set in turn to every bad value."""
    data = tomllib.loads(Path(BANK).read_text())
    keys = [
        (section, key)
        for section, table in data.items()
        for key in (table if isinstance(table, dict) else [None])
    ]
    return [(f"{s}.{k}" if k else s, value) for s, k in keys for value in _BAD_VALUES]


@pytest.mark.parametrize(("key", "value"), _mutations(), ids=str)
def test_malformed_scenario_is_a_scenario_error(key: str, value: object) -> None:
    data = tomllib.loads(Path(BANK).read_text())
    broken = copy.deepcopy(data)
    section, _, name = key.partition(".")
    if name:
        broken[section][name] = value
    else:
        broken[section] = value
    try:
        scenario = planner.Scenario.from_dict(broken, source="bad.toml")
    except planner.ScenarioError as err:
        assert str(err).startswith("bad.toml: "), err
        return
    # Accepted: then it saves what it holds, and using it answers or says why.
    assert planner.Scenario.loads(scenario.dumps()) == scenario
    try:
        scenario.summary()
    except planner.InputError as err:  # e.g. Erlang A with patience 1e300 s
        assert "patience" in str(err), err


def _shift_mutations() -> list[tuple[str, object]]:
    """Every key of the bank scenario's first shift template and its first break."""
    shift = tomllib.loads(Path(BANK).read_text())["schedule"]["shift"][0]
    keys = [k for k in shift if k != "break"] + [f"break.{k}" for k in shift["break"][0]]
    return [(k, value) for k in keys for value in _BAD_VALUES]


@pytest.mark.parametrize(("key", "value"), _shift_mutations(), ids=str)
def test_malformed_shift_template_is_a_scenario_error(key: str, value: object) -> None:
    broken = tomllib.loads(Path(BANK).read_text())
    table = broken["schedule"]["shift"][0]
    if key.startswith("break."):
        table = table["break"][0]
    table[key.removeprefix("break.")] = value
    try:
        scenario = planner.Scenario.from_dict(broken, source="bad.toml")
    except planner.ScenarioError as err:
        assert str(err).startswith("bad.toml: schedule: shift 1"), err
        assert str(err).count("bad.toml") == 1, err
        return
    # Accepted: it saves what it holds, and scheduling answers or says why.
    assert planner.Scenario.loads(scenario.dumps()) == scenario
    try:
        scenario.schedule()
    except planner.InputError as err:
        assert "shift" in str(err) or "interval" in str(err), err


@pytest.mark.slow
def test_ctrl_c_ends_a_sweep_with_one_line_and_no_workers_left(tmp_path: Path) -> None:
    # Ctrl-C reaches the whole foreground process group, workers included
    import signal
    import time

    volumes = ",".join(f"{0.5 + 0.025 * k:.3f}" for k in range(60))  # minutes of work
    out = str(tmp_path / "res")
    argv = [sys.executable, "-m", "planner", "sweep", BANK, "--volume", volumes,
            "--evaluate", "simulation", "--workers", "2", "--out", out]  # fmt: skip
    env = os.environ | {"PYTHONWARNINGS": "ignore"}
    run = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not (tmp_path / "res").exists() and time.monotonic() < deadline:
        time.sleep(0.1)  # the folder is made when the sweep starts its work
    time.sleep(1.0)
    assert run.poll() is None, "the sweep ended before Ctrl-C"
    os.killpg(run.pid, signal.SIGINT)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 130, err
    assert err.strip().splitlines() == [
        "planner: interrupted (results saved in --out are kept: run again to resume)"
    ]
    time.sleep(1.5)  # workers poll their parent every 0.5 s
    with pytest.raises(ProcessLookupError):
        os.killpg(run.pid, 0)  # nobody of the group is left
