"""The whole plan as one workbook: every sheet is the library's figures, and reads back."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner import ChatChannel, Scenario, plan_sheets, plan_workbook
from planner.cli import main

ROOT = Path(__file__).resolve().parents[2]
BANK = ROOT / "scenarios" / "retail_bank.toml"


def test_the_workbook_holds_the_scenarios_figures_and_reads_back():
    bank = Scenario.load(BANK)
    shifts = bank.schedule()
    simulated = bank.simulate(replications=5)
    sheets = plan_sheets(bank, shifts, simulated)
    assert list(sheets) == [
        "summary", "staffing", "shifts", "roster", "coverage", "simulation", "simulated day",
    ]  # fmt: skip
    figures = sheets["summary"].set_index("figure")["value"]
    day = bank.summary()
    assert figures["calls offered"] == day["calls"]
    assert figures["scheduled agent hours"] == day["scheduled_hours"]
    assert figures["cost of the day"] == day["cost"]
    assert sheets["summary"].set_index("figure").loc["cost of the day", "unit"] == "USD"
    assert figures["people scheduled"] == shifts.people
    assert figures["cost of the schedule"] == shifts.cost
    assert figures["simulated day service level"] == simulated.day("service_level").mean
    assert sheets["staffing"]["agents"].tolist() == bank.evaluate()["agents"].tolist()
    pd.testing.assert_frame_equal(sheets["coverage"], shifts.intervals())
    pd.testing.assert_frame_equal(sheets["simulation"], simulated.to_frame())
    # the bytes read back to the same numbers, sheet by sheet
    back = pd.read_excel(io.BytesIO(plan_workbook(bank, shifts, simulated)), sheet_name=None)
    assert list(back) == list(sheets)
    staffing = back["staffing"].iloc[:-1]  # less the totals row
    np.testing.assert_allclose(staffing["service_level"], sheets["staffing"]["service_level"])
    assert staffing["driven_by"].tolist() == sheets["staffing"]["driven_by"].tolist()
    assert back["shifts"]["count"].tolist() == shifts.shifts["count"].tolist()
    assert back["summary"]["figure"].tolist() == sheets["summary"]["figure"].tolist()


def test_without_a_schedule_or_simulation_the_workbook_says_the_day_and_every_team():
    bank = Scenario.load(BANK)
    chat = ChatChannel(chats=[x / 3 for x in bank.calls], handle=(180, 210, 240), patience=90)
    sheets = plan_sheets(bank.with_changes(chat=chat, cost_per_hour=None))
    assert list(sheets) == ["summary", "staffing", "teams"]
    assert "cost of the day" not in set(sheets["summary"]["figure"])
    teams = bank.with_changes(chat=chat).staff_requirements()
    assert sheets["teams"]["total_scheduled"].tolist() == teams["total_scheduled"].tolist()


def test_the_command_line_writes_the_workbook(tmp_path, capsys):
    out = tmp_path / "plan.xlsx"
    assert main(["workbook", str(BANK), "--out", str(out), "--schedule", "--format", "csv"]) == 0
    printed, said = capsys.readouterr()
    assert "wrote summary, staffing, shifts, roster, coverage" in said
    summary = pd.read_csv(io.StringIO(printed)).set_index("figure")
    bank = Scenario.load(BANK)
    assert float(summary.loc["people scheduled", "value"]) == bank.schedule().people
    assert pd.read_excel(out, sheet_name="roster").shape[0] == len(bank.schedule().roster)


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--out", "plan.csv"], "--out must name an Excel workbook"),
        (["--out", "plan.xlsx", "--schedule"], "has no [schedule] section"),
        (["--out", "no/such/dir/plan.xlsx"], "cannot write"),
    ],
)
def test_the_command_lines_workbook_refuses_what_it_cannot_write(argv, said, capsys, tmp_path,
                                                                  monkeypatch):  # fmt: skip
    monkeypatch.chdir(tmp_path)
    desk = str(ROOT / "scenarios" / "help_desk.toml")
    assert main(["workbook", desk, *argv]) == 2
    assert said in capsys.readouterr().err
