"""Streamlit front end: staffing requirements for a scenario's day.

Run with ``make run`` (or ``streamlit run app.py -- --scenario FILE.toml``).
Only presentation lives here; every number comes from ``planner``.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import pandas as pd
import streamlit as st

import planner

ROOT = Path(__file__).resolve().parent
DEFAULT_SCENARIO = ROOT / "scenarios" / "retail_bank.toml"


def _scenario_path() -> Path:
    """The scenario named after ``--`` on the command line, else the default."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--scenario", default=str(DEFAULT_SCENARIO))
    args, _ = parser.parse_known_args(sys.argv[1:])
    return Path(args.scenario)


@st.cache_data(show_spinner=False)
def _load(path: str) -> planner.Scenario:
    return planner.Scenario.load(path)


@st.cache_data(show_spinner="Computing requirements...")
def _requirements(scenario: planner.Scenario) -> pd.DataFrame:
    return scenario.requirements()


st.set_page_config(page_title="planner - staffing requirements", layout="wide")

try:
    base = _load(str(_scenario_path()))
except planner.InputError as err:
    st.error(f"Could not open the scenario: {err}")
    st.stop()

st.title("Staffing requirements")
st.caption(f"Scenario: **{base.name}** - {base.description}")

with st.sidebar:
    st.header("Targets")
    t = base.targets
    sl = st.slider(
        "Service level (answered within T over offered calls)",
        min_value=0.05,
        max_value=0.99,
        value=t.service_level if t.service_level is not None else 0.8,
        step=0.01,
        key="service_level",
    )
    answer_time = st.number_input(
        "Answer time T (seconds)", min_value=0.0, value=t.answer_time, step=5.0, key="answer_time"
    )
    max_occ = st.slider(
        "Maximum occupancy (1.00 = no limit)",
        min_value=0.5,
        max_value=1.0,
        value=t.max_occupancy if t.max_occupancy is not None else 1.0,
        step=0.01,
        key="max_occupancy",
    )
    st.header("Staff")
    shrinkage = st.slider(
        "Shrinkage", min_value=0.0, max_value=0.7, value=base.shrinkage, step=0.01, key="shrinkage"
    )
    use_patience = st.checkbox(
        "Callers abandon (Erlang A)", value=base.patience is not None, key="use_patience"
    )
    patience = st.number_input(
        "Mean patience (seconds)",
        min_value=1.0,
        value=base.mean_patience if base.mean_patience is not None else 120.0,
        step=10.0,
        key="patience",
        disabled=not use_patience,
    )

targets = dataclasses.replace(
    base.targets,
    service_level=sl,
    answer_time=answer_time,
    max_occupancy=None if max_occ >= 1.0 else max_occ,
)
scenario = dataclasses.replace(
    base,
    targets=targets,
    shrinkage=shrinkage,
    patience=patience if use_patience else None,
)

try:
    table = _requirements(scenario)
except planner.InputError as err:
    st.error(str(err))
    st.stop()

day = planner.summarize(table, scenario.interval)
model = "Erlang A" if scenario.patience is not None else "Erlang C"
cols = st.columns(5)
cols[0].metric("Calls offered", f"{day['calls']:,.0f}")
cols[1].metric("Peak agents on the phones", int(day["peak_agents"]))
cols[2].metric("Scheduled agent hours", f"{day['scheduled_hours']:,.1f}")
cols[3].metric("Day service level", f"{day['service_level']:.1%}")
if "abandon_rate" in day:
    cols[4].metric("Day abandon rate", f"{day['abandon_rate']:.1%}")
else:
    cols[4].metric("Day ASA (s)", f"{day['asa']:.1f}")
st.caption(
    f"{model}; service level is calls answered within {answer_time:g} s over offered calls "
    "(the day's figure weights each interval by its calls); "
    "scheduled = agents / (1 - shrinkage), rounded up."
)

chart = table.set_index("interval_start")[["agents", "scheduled"]]
st.bar_chart(chart, stack=False, y_label="agents")

shown = table.rename(columns={"interval_start": "start"})
for col in ("service_level", "occupancy", "abandon_rate"):
    if col in shown:
        shown[col] = shown[col] * 100.0
st.dataframe(
    shown,
    hide_index=True,
    column_config={
        "calls": st.column_config.NumberColumn("calls", format="%.0f"),
        "aht": st.column_config.NumberColumn("aht (s)", format="%.0f"),
        "traffic": st.column_config.NumberColumn("traffic (Erl)", format="%.2f"),
        "service_level": st.column_config.NumberColumn("service level", format="%.1f%%"),
        "asa": st.column_config.NumberColumn("asa (s)", format="%.1f"),
        "occupancy": st.column_config.NumberColumn("occupancy", format="%.1f%%"),
        "abandon_rate": st.column_config.NumberColumn("abandon rate", format="%.1f%%"),
    },
)

left, right = st.columns(2)
left.download_button(
    "Download requirements (CSV)",
    table.to_csv(index=False),
    file_name="requirements.csv",
    mime="text/csv",
)
right.download_button(
    "Download scenario (TOML)",
    scenario.dumps(),
    file_name=Path(_scenario_path()).name,
    mime="application/toml",
)
