"""The Calculator page: one interval, every target, and the power of one."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import planner
from app_pages import common


def calculator_page() -> None:
    """One interval: agents needed and the power of one agent more or less."""
    st.title("Erlang calculator")
    left, mid, right = st.columns(3)
    calls = left.number_input("Calls offered in the interval", 0.0, value=100.0, key="calc_calls")
    aht = mid.number_input("AHT (seconds)", 1.0, value=180.0, key="calc_aht")
    interval = right.selectbox(
        "Interval", [900, 1800, 3600], index=1, key="calc_interval",
        format_func=lambda s: f"{s // 60} minutes",
    )  # fmt: skip
    targets, shrinkage, patience = common.staffing_inputs("calc")
    try:
        agents = int(planner.required_agents(calls, aht, interval, targets, patience))
    except planner.InputError as err:
        st.error(str(err))
        return
    around = [n for n in range(agents - 2, agents + 4) if n >= 0]
    table = planner.interval_metrics(around, calls, aht, interval, targets, patience)
    table.insert(0, "agents", around)
    table.insert(1, "scheduled", planner.scheduled_staff(around, shrinkage))
    table.insert(2, "required", [n == agents for n in around])
    row = table[table["agents"] == agents].iloc[0]
    cols = st.columns(5)
    cols[0].metric("Agents needed", agents)
    cols[1].metric("Scheduled (after shrinkage)", int(row["scheduled"]))
    cols[2].metric("Service level", f"{row['service_level']:.1%}")
    cols[3].metric("ASA (s)", f"{row['asa']:.1f}")
    if patience is not None:
        cols[4].metric("Abandon rate", f"{row['abandon_rate']:.1%}")
    else:
        cols[4].metric("Occupancy", f"{row['occupancy']:.1%}")
    day = pd.DataFrame({"calls": [calls], "aht": [aht]})
    driven = planner.binding_targets(day, [agents], targets, interval, patience)[0]
    if driven:
        st.caption(f"Driven by: {driven}.")
    st.subheader("The power of one")
    st.caption(
        "Service level is answered within T over offered calls; "
        + ("Erlang A (callers hang up)." if patience else "Erlang C (nobody hangs up).")
    )
    highlight = table.style.apply(
        lambda row: ["background-color: #fff3cd" if row["required"] else "" for _ in row], axis=1
    )
    common.show_table(highlight, key="calc_table")
    common.download_buttons(table, "power_of_one", "power of one", key="calc")


calculator_page()
