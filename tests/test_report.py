"""The report layer's exports: CSV without inf, a formatted workbook that reads back."""

from __future__ import annotations

import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

from planner import Scenario
from planner.report import to_csv, to_excel

DESK = Scenario.load("scenarios/help_desk.toml")


def test_workbook_reads_back_the_same_numbers_with_percentages_and_totals():
    table = DESK.evaluate()
    table.loc[0, "asa"] = np.inf  # an unservable interval's ASA
    data = to_excel({"staffing": table})
    back = pd.read_excel(io.BytesIO(data), sheet_name="staffing")
    rows, total = back.iloc[:-1], back.iloc[-1]
    assert list(back.columns) == list(table.columns)
    assert rows["interval_start"].tolist() == table["interval_start"].tolist()
    np.testing.assert_allclose(rows["service_level"], table["service_level"])
    assert np.isnan(rows["asa"].iloc[0])  # blank, not "inf"
    assert total["interval_start"] == "total"
    assert total["agents"] == table["agents"].sum() and total["calls"] == table["calls"].sum()
    sheet = openpyxl.load_workbook(io.BytesIO(data))["staffing"]
    header = [c.value for c in sheet[1]]
    sl = sheet.cell(row=2, column=header.index("service_level") + 1)
    assert sl.number_format == "0.0%"


def test_csv_leaves_unbounded_values_blank():
    table = pd.DataFrame({"interval_start": ["08:00", "08:30"], "asa": [np.inf, 12.5]})
    assert to_csv(table).splitlines() == ["interval_start,asa", "08:00,", "08:30,12.5"]


@pytest.mark.parametrize("name", ["a" * 40, "staffing"])
def test_long_sheet_names_are_cut_to_excels_limit(name):
    data = to_excel({name: pd.DataFrame({"calls": [1.0]})})
    assert openpyxl.load_workbook(io.BytesIO(data)).sheetnames == [name[:31]]
