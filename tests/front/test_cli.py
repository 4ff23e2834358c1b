"""The ``planner requirements`` command."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import planner
import planner.sample
from planner import Targets, required_agents, simulated_staffing
from planner.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(capsys, *argv: str) -> tuple[int | str | None, str, str]:
    """Exit status, stdout and stderr of ``planner *argv`` (argparse exits too)."""
    try:
        code: int | str | None = main(list(argv))
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


def test_single_interval_json(capsys):
    code, out, err = run(
        capsys,
        "requirements",
        "--calls", "100", "--aht", "180", "--interval", "1800",
        "--service-level", "0.8", "--answer-time", "20", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    (row,) = json.loads(out)
    assert row["agents"] == 14
    assert row["service_level"] == pytest.approx(0.88835, abs=5e-6)
    assert row["scheduled"] == 14


def test_single_interval_with_patience_and_shrinkage_table(capsys):
    code, out, _ = run(
        capsys,
        "requirements",
        "--calls", "100", "--aht", "180", "--interval", "1800",
        "--patience", "300", "--shrinkage", "0.3",
    )  # fmt: skip
    assert code == 0
    header, values = out.splitlines()
    assert "abandon_rate" in header
    cells = dict(zip(header.split(), values.split(), strict=True))
    assert cells["agents"] == "13"
    assert cells["scheduled"] == "19"
    assert cells["service_level"] == "85.8%"


def test_csv_file_of_intervals(capsys, tmp_path):
    path = tmp_path / "day.csv"
    path.write_text("start,calls,aht\n08:00,100,180\n08:30,250,180\n09:00,0,180\n")
    code, out, err = run(capsys, "requirements", str(path), "--format", "csv")
    assert code == 0, err
    table = pd.read_csv(pd.io.common.StringIO(out))
    expected = required_agents([100, 250, 0], 180, 1800, Targets())
    assert table["agents"].tolist() == expected.tolist()
    assert table["start"].tolist() == ["08:00", "08:30", "09:00"]


def test_scenario_file(capsys):
    code, out, err = run(
        capsys, "requirements", "--scenario", str(ROOT / "scenarios" / "retail_bank.toml"),
        "--format", "csv",
    )  # fmt: skip
    assert code == 0, err
    table = pd.read_csv(pd.io.common.StringIO(out))
    assert len(table) == 24
    assert "abandon_rate" in table


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--calls", "-5", "--aht", "180"], "'calls' must be >= 0"),
        (["--calls", "100", "--aht", "0"], "'aht' must be > 0"),
        (["--calls", "100", "--aht", "180", "--service-level", "1.5"], "'service_level'"),
        (["--calls", "100", "--aht", "180", "--answer-time", "-1"], "'answer_time'"),
        (["--calls", "100", "--aht", "180", "--patience", "0"], "'patience'"),
        (["--calls", "100"], "--calls and --aht must be given together"),
        ([], "give exactly one of"),
        (["missing.csv"], "cannot read workload file missing.csv"),
        (["--calls", "abc", "--aht", "180"], "invalid float value: 'abc'"),
        (["--calls", "100", "--aht", "180", "--format", "xml"], "invalid choice: 'xml'"),
        (["--calls", "100", "--aht", "180", "--service-level", "1"], "1.0 cannot be met"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, argv, message):
    code, out, err = run(capsys, "requirements", *argv)
    assert code == 2
    assert out == ""
    assert message in err
    assert err.count("\n") == 1


def test_malformed_csv_row_names_line(capsys, tmp_path):
    path = tmp_path / "day.csv"
    path.write_text("calls,aht\n100,180\n\n120,abc\n")
    code, _, err = run(capsys, "requirements", str(path))
    assert code == 2
    assert "line 4" in err and "'aht'" in err and "'abc'" in err


@pytest.mark.slow
def test_installed_console_script():
    exe = shutil.which("planner", path=str(Path(sys.executable).parent))
    assert exe is not None, "the 'planner' console script is not installed"
    done = subprocess.run(
        [exe, "requirements", "--calls", "100", "--aht", "180", "--format", "csv"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1].split(",")[3] == "14"
    bad = subprocess.run(
        [exe, "requirements", "--calls", "-1", "--aht", "180"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert bad.stderr.startswith("planner: error: 'calls' must be >= 0")


def test_simulate_the_erlang_plan_of_a_scenario(capsys):
    scenario = str(ROOT / "scenarios" / "retail_bank.toml")
    code, out, err = run(
        capsys, "simulate", "--scenario", scenario, "--replications", "5", "--format", "csv"
    )
    assert code == 0, err
    table = pd.read_csv(pd.io.common.StringIO(out))
    plan = planner.Scenario.load(scenario).requirements()["agents"]
    assert table["agents"].tolist() == plan.tolist()
    assert table["interval_start"].iloc[0] == "08:00"
    assert ((table["service_level_ci_low"] <= table["service_level"])
            & (table["service_level"] <= table["service_level_ci_high"])).all()  # fmt: skip
    # The scenario's own model: lognormal handle times, its patience, its seed.
    res = planner.Scenario.load(scenario).simulate(replications=5)
    assert table["service_level"].tolist() == pytest.approx(res["service_level"].mean.tolist())


def test_simulate_a_given_plan_as_text_and_json(capsys):
    code, out, err = run(
        capsys, "simulate", "--calls", "100", "--aht", "180", "--agents", "14",
        "--handle-cv", "1.5", "--patience", "200", "--patience-cv", "0.8",
        "--replications", "4", "--warmup", "3600",
    )  # fmt: skip
    assert code == 0, err
    assert "service_level" in out and "95% confidence interval" in out
    code, out, err = run(
        capsys, "simulate", "--calls", "100", "--aht", "180", "--agents", "14",
        "--replications", "1", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    (row,) = json.loads(out)  # valid JSON: a single replication has no interval (null)
    assert row["agents"] == 14 and row["service_level_ci_low"] is None


def test_simulate_finds_staffing(capsys, tmp_path):
    path = tmp_path / "day.csv"
    path.write_text("calls,aht\n80,240\n200,240\n150,240\n")
    code, out, err = run(
        capsys, "simulate", str(path), "--find-staffing", "--replications", "8", "--format", "csv"
    )
    assert code == 0, err
    table = pd.read_csv(pd.io.common.StringIO(out))
    assert (table["difference"] == table["agents"] - table["erlang_agents"]).all()
    assert (table["service_level"] >= 0.8).all()
    assert (table["confidence"] >= 0.9).all()
    # the same plan as the library's, with the confidence asked for
    code, out, err = run(
        capsys, "simulate", str(path), "--find-staffing", "--replications", "8",
        "--confidence", "0.9", "--max-replications", "16", "--format", "csv",
    )  # fmt: skip
    assert code == 0, err
    table = pd.read_csv(pd.io.common.StringIO(out))
    plan = simulated_staffing(
        pd.DataFrame({"calls": [80, 200, 150], "aht": [240.0] * 3}), Targets(), interval=1800,
        replications=8, seed=1, confidence=0.9, max_replications=16,
    )  # fmt: skip
    assert table["agents"].tolist() == plan.agents.tolist()
    np.testing.assert_allclose(table["confidence"], plan.confidence, rtol=1e-12)
    code, out, err = run(capsys, "simulate", str(path), "--find-staffing", "--replications", "8")
    assert "confidence: that the interval meets every target" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--agents", "14,15"], "--agents has 2 numbers for 1 intervals"),
        (["--agents", "fourteen"], "--agents must be numbers"),
        (["--agents", "-1"], "--agents takes whole numbers >= 0"),
        (["--patience-cv", "1"], "'patience_cv' needs a patience"),
        (["--handle-cv", "0"], "'Lognormal.cv' must be > 0"),
        (["--replications", "0"], "'replications' must be a whole number >= 1"),
        (["--agents", "14", "--find-staffing"], "give --agents or --find-staffing"),
        (["--confidence", "0.9"], "--confidence and --max-replications go with --find-staffing"),
        (["--find-staffing", "--confidence", "1"], "'confidence' must be in (0.5, 1): 1.0"),
        (["--find-staffing", "--seed", "-3"], "'seed' must be a whole number >= 0"),
    ],
)
def test_simulate_bad_input_is_one_line(capsys, argv, message):
    code, out, err = run(capsys, "simulate", "--calls", "100", "--aht", "180", *argv)
    assert code == 2
    assert out == ""
    assert message in err and len(err.strip().splitlines()) == 1


def test_forecast_of_the_bundled_sample_to_a_file(capsys, tmp_path, fitted_sample):
    out_path = tmp_path / "forecast.csv"
    code, out, err = run(capsys, "forecast", "--horizon", "14d", "--out", str(out_path))
    assert code == 0, err
    assert out == ""
    assert "bundled sample" in err and f"to {out_path}" in err
    table = pd.read_csv(out_path)
    assert list(table.columns) == ["interval_start", "calls", "calls_lower", "calls_upper", "aht"]
    model = fitted_sample  # the sample fitted as the app and the CLI fit it
    expected = model.forecast("14d")
    assert len(table) == len(expected)
    np.testing.assert_allclose(table["calls"], expected["calls"])
    assert table["interval_start"].iloc[0] == "2026-05-26 08:00"  # Memorial Day is closed
    assert "Memorial Day): closed, as your calendar says" in err
    assert f"forecast by {model.method} (backtest WAPE" in err


@pytest.mark.slow
def test_forecast_import_options_match_read_history(capsys, tmp_path):
    # A volume-only export with its own headers, and one with UTC stamps.
    sample = planner.sample.sample_history()
    volume = tmp_path / "volume.csv"
    sample[["Interval", "Offered"]].rename(
        columns={"Interval": "Start", "Offered": "Offered Calls"}
    ).to_csv(volume, index=False)
    argv = ["forecast", str(volume), "--columns", "Start=interval_start,Offered Calls=calls",
            "--aht", "185", "--horizon", "3d", "--country", "US", "--format", "csv"]  # fmt: skip
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    table = pd.read_csv(pd.io.common.StringIO(out))
    assert (table["aht"] == 185).all()
    history = planner.read_history(
        volume, columns={"Start": "interval_start", "Offered Calls": "calls"}, aht=185
    )
    model = planner.forecast.fit(history, country="US")
    np.testing.assert_allclose(table["calls"], model.forecast(3)["calls"])
    utc = tmp_path / "utc.csv"
    stamps = pd.to_datetime(sample["Interval"]).dt.tz_localize("America/New_York")
    sample.assign(Interval=stamps.dt.tz_convert("UTC").dt.strftime("%Y-%m-%dT%H:%M:%SZ")).to_csv(
        utc, index=False
    )
    code, out, err = run(capsys, "forecast", str(utc), "--timezone", "America/New_York",
                         "--horizon", "3d", "--country", "US", "--format", "csv")  # fmt: skip
    assert code == 0, err
    local = pd.read_csv(pd.io.common.StringIO(out))
    # wall-clock New York time; Memorial Day, which this history never had and no
    # calendar closes, is an ordinary Monday
    assert local["interval_start"].iloc[0] == "2026-05-25 08:00"
    assert "warning: no Memorial Day in the history" in err
    code, out, err = run(capsys, "forecast", str(utc), "--horizon", "2d", "--format", "csv",
                         "--method", "seasonal_naive")  # fmt: skip
    assert code == 0, err
    assert "forecast by seasonal_naive" in err
    # without --timezone the stamps stay UTC wall-clock time (08:00 in New York is 12:00 UTC)
    assert pd.read_csv(pd.io.common.StringIO(out))["interval_start"].iloc[0].endswith("12:00")
    # (and without --country, Memorial Day is an ordinary Monday: 2026-05-25 12:00 UTC)
    assert "carry a UTC offset" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--horizon", "1"], "every day from Sun 24 May 2026 to Sun 24 May 2026 is closed"),
        (["--columns", "Start"], "--columns takes 'HEADER=NAME' pairs"),
        (["--method", "prophet"], "invalid choice: 'prophet'"),
        (["--timezone", "Mars/Olympus"], "timezone"),
    ],
)
def test_forecast_bad_options_exit_2(capsys, argv, message):
    code, _, err = run(capsys, "forecast", *argv)
    assert code == 2
    assert message in err


def test_plan_from_a_history_file(capsys, tmp_path):
    history = tmp_path / "history.csv"
    planner.sample.generate_history(weeks=8, country=None, seed=3).to_csv(history, index=False)
    code, out, err = run(
        capsys, "plan", str(history), "--horizon", "2d", "--service-level", "0.8",
        "--answer-time", "20", "--shrinkage", "0.3", "--quantile", "0.9", "--format", "csv",
    )  # fmt: skip
    assert code == 0, err
    table = pd.read_csv(pd.io.common.StringIO(out))
    assert {"interval_start", "calls", "calls_mean", "agents", "scheduled"} <= set(table.columns)
    assert (table["calls"] >= table["calls_mean"]).all()
    model = planner.forecast.fit(planner.read_history(history))
    direct = planner.forecast_requirements(
        model, 2, Targets(service_level=0.8, answer_time=20), shrinkage=0.3, quantile=0.9
    )
    assert table["scheduled"].tolist() == direct["scheduled"].tolist()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["forecast", "--horizon", "soon"], "'horizon' must be a number of days"),
        (["forecast", "missing.csv"], "cannot read history file missing.csv"),
        (["plan", "--quantile", "2"], "'quantile' must be in (0, 1)"),
        (["forecast", "--country", "Atlantis"], "'country' is not known"),
    ],
)
def test_forecast_bad_input_is_one_line(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert message in err.strip().splitlines()[-1]


def test_sweep_summary_and_resume(capsys, tmp_path):
    desk = str(ROOT / "scenarios" / "help_desk.toml")
    argv = ["sweep", desk, "--volume", "0.9,1.1", "--staffing-offset", "0,1", "--workers", "2"]
    code, out, err = run(capsys, *argv, "--format", "csv", "--out", str(tmp_path / "res"))
    assert code == 0, err
    table = pd.read_csv(pd.io.common.StringIO(out))
    assert len(table) == 4
    assert {"volume", "staffing_offset", "scheduled_hours", "cost"} <= set(table.columns)
    assert len(list((tmp_path / "res").glob("*.parquet"))) == 4
    code, again, err = run(capsys, *argv, "--format", "csv", "--out", str(tmp_path / "res"))
    assert code == 0 and again == out
    code, out, err = run(capsys, *argv, "--intervals", "--format", "csv")
    assert len(pd.read_csv(pd.io.common.StringIO(out))) == 4 * 40


def test_sweep_takes_negative_values_as_the_readme_writes_them(capsys):
    # "--staffing-offset -1,0,1" (a value starting with a minus sign), as in docs/cli.md
    desk = str(ROOT / "scenarios" / "help_desk.toml")
    code, out, err = run(capsys, "sweep", desk, "--staffing-offset", "-1,0,1", "--format", "csv")
    assert code == 0, err
    table = pd.read_csv(pd.io.common.StringIO(out))
    assert table["staffing_offset"].tolist() == [-1, 0, 1]
    same = run(capsys, "sweep", desk, "--staffing-offset=-1,0,1", "--format", "csv")[1]
    assert same == out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--volume", "more"], "--volume must be numbers separated by commas"),
        ([], "give at least one axis to vary: --volume, --aht-factor"),
        (["--shrinkage", "0.3,1.2"], "'shrinkage' must be in [0, 1)"),
    ],
)
def test_sweep_bad_input(capsys, argv, message):
    code, _, err = run(capsys, "sweep", str(ROOT / "scenarios" / "help_desk.toml"), *argv)
    assert code == 2
    assert message in err


def test_forecast_a_call_log_queue_with_a_calendar(capsys, tmp_path):
    # one row per call: recognised, counted per 30 minutes for the queue asked, with the
    # center's calendar closing the first Monday ahead; as the library reads and fits it
    intervals = planner.sample.generate_history(weeks=6, seed=14)
    log = tmp_path / "calls.csv"
    planner.sample.generate_calls(intervals, seed=14).to_csv(log, index=False)
    calendar = tmp_path / "closures.csv"
    calendar.write_text("date,name,volume\n2026-02-16,Staff day,closed\n")
    argv = ["forecast", str(log), "--queue", "loans", "--calendar", str(calendar),
            "--horizon", "7d", "--format", "csv"]  # fmt: skip
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert "planner: a call-level log:" in err and "one row per call" in err
    assert "Mon 16 Feb 2026 (Staff day): closed, as your calendar says" in err
    table = pd.read_csv(pd.io.common.StringIO(out))
    history = planner.read_history(log, queue="loans")
    model = planner.forecast.fit(history, calendar=calendar)
    np.testing.assert_allclose(table["calls"], model.forecast(7)["calls"])
    assert not table["interval_start"].str.startswith("2026-02-16").any()
    code, _, err = run(capsys, "forecast", str(log), "--queue", "fraud")
    assert code == 2 and "queue 'fraud' is not in the log" in err


def _small_center(tmp_path) -> Path:
    from tests.scenario.test_center_scenario import SMALL

    path = tmp_path / "small.toml"
    path.write_text(SMALL, encoding="utf-8")
    return path


def test_a_multi_skill_scenarios_requirements_per_group_and_queue(capsys, tmp_path):
    """``requirements --scenario`` of a file with [[queue]] tables: the staffing per group
    and interval, the bounds and each queue's confidence, as CenterScenario finds them."""
    path = _small_center(tmp_path)
    center = planner.CenterScenario.load(path)
    found = center.staffing()
    code, out, err = run(capsys, "requirements", "--scenario", str(path), "--format", "csv")
    assert code == 0, err
    table = pd.read_csv(io.StringIO(out))
    want = center.staffing_table(found)
    pd.testing.assert_frame_equal(table, want, check_dtype=False)
    code, out, err = run(capsys, "requirements", "--scenario", str(path))
    assert code == 0, err
    total = center.staffing_summary(found).set_index("staffing").loc["total"]
    assert f"{total['agent_hours']:,.1f}" in out and "EUR " in out
    assert "every queue's targets met with 95% confidence" in out
    assert "dedicated (Erlang bound)" in out and "generalists" in out.splitlines()[0]


def test_a_multi_skill_scenario_simulated_per_queue_and_group(capsys, tmp_path):
    path = _small_center(tmp_path)
    center = planner.CenterScenario.load(path).with_changes(replications=6, seed=3)
    want = center.simulation_table(center.simulate())
    code, out, err = run(capsys, "simulate", "--scenario", str(path), "--replications", "6",
                         "--seed", "3", "--format", "csv")  # fmt: skip
    assert code == 0, err
    table = pd.read_csv(io.StringIO(out))
    assert table["kind"].tolist() == want["kind"].tolist()
    np.testing.assert_allclose(table["service_level"], want["service_level"])
    np.testing.assert_allclose(table["occupancy"], want["occupancy"])
    code, out, err = run(capsys, "simulate", "--scenario", str(path), "--replications", "6")
    assert code == 0, err
    assert "queue" in out and "group" in out and "generalists" in out


@pytest.mark.parametrize(
    "flags", [["--calls", "40"], ["--service-level", "0.9"], ["--agents", "5"],
              ["--find-staffing"]],
)  # fmt: skip
def test_one_queue_flags_are_refused_for_a_multi_skill_scenario(capsys, tmp_path, flags):
    path = _small_center(tmp_path)
    code, _, err = run(capsys, "simulate", "--scenario", str(path), *flags)
    assert code == 2 and "is for a one-queue scenario" in err and flags[0] in err


def test_a_multi_skill_sweep_from_the_command_line(capsys, tmp_path):
    """``planner sweep`` of a multi-skill file: --volume and --axis "volume QUEUE=..."
    give the library's summary of the same variations."""
    path = _small_center(tmp_path)
    code, out, err = run(capsys, "sweep", str(path), "--volume", "1,1.2",
                         "--axis", "cost generalists=34,60", "--workers", "2",
                         "--format", "csv")  # fmt: skip
    assert code == 0, err
    table = pd.read_csv(io.StringIO(out))
    center = planner.CenterScenario.load(path)
    variations = planner.grid(**{"volume": [1.0, 1.2], "cost generalists": [34.0, 60.0]})
    want = planner.summarize_sweep(planner.sweep(center, variations, workers=2, progress=False))
    np.testing.assert_allclose(table["agent_hours"], want["agent_hours"])
    np.testing.assert_allclose(table["cost"], want["cost"])
    assert table["cost generalists"].tolist() == [34.0, 60.0, 34.0, 60.0]
    code, _, err = run(capsys, "sweep", str(path), "--axis", "cost generalist=30")
    assert code == 2 and "unknown variation axis 'cost generalist'" in err
    code, _, err = run(capsys, "sweep", str(path), "--axis", "cost generalists")
    assert code == 2 and "--axis takes NAME=V1,V2" in err
