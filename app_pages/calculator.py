"""The Calculator page: one interval, every target, and the power of one."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

import planner
from app_pages import common
from planner.models import ErlangX


def erlang_x_inputs() -> ErlangX | None:
    """Erlang X's callers: redials, repeat contacts, lines and forecast uncertainty
    (None when every input is at its default: plain Erlang A or C)."""
    with st.expander("Callers who call again, lines, forecast error (Erlang X)"):
        left, mid, right = st.columns(3)
        redial = left.number_input("Redial probability", 0.0, 0.95, step=0.05,
                                   **common.kept("x_redial", 0.0),
                                   help="a caller who hangs up or finds the lines busy calls "
                                   "again with this probability")  # fmt: skip
        delay = mid.number_input("Redial delay (seconds)", 1.0, step=30.0,
                                 **common.kept("x_delay", 300.0))  # fmt: skip
        fcr = right.number_input("First-contact resolution", 0.05, 1.0, step=0.05,
                                 **common.kept("x_fcr", 1.0),
                                 help="the rest of the answered calls call again")  # fmt: skip
        lines = left.number_input("Lines (0 = no limit)", 0, step=1, **common.kept("x_lines", 0))
        cv = mid.number_input(
            "Volume CV (forecast error)", 0.0, 0.5, step=0.05, **common.kept("x_cv", 0.0)
        )
        definition = right.selectbox(
            "Service level over", ["targets' basis", "offered", "answered", "virtual"],
            **common.kept("x_definition", "targets' basis"),
            help="virtual: the wait a caller would have had with infinite patience "
            "(CCmath's definition)",
        )  # fmt: skip
    if redial == 0 and fcr == 1 and lines == 0 and cv == 0 and definition == "targets' basis":
        return None
    try:
        return ErlangX(
            lines=int(lines) or None, redial_probability=redial, redial_delay=delay, fcr=fcr,
            volume_cv=cv, sl_definition=None if definition == "targets' basis" else definition,
        )  # fmt: skip
    except planner.InputError as err:
        st.error(str(err))
        st.stop()


def calculator_page() -> None:
    """One interval: agents needed and the power of one agent more or less."""
    st.title("Erlang calculator")
    left, mid, right = st.columns(3)
    calls = left.number_input(
        "Calls offered in the interval", 0.0, **common.kept("calc_calls", 100.0)
    )
    aht = mid.number_input("AHT (seconds)", 1.0, **common.kept("calc_aht", 180.0))
    interval = right.selectbox(
        "Interval", [900, 1800, 3600], **common.kept("calc_interval", 1800),
        format_func=lambda s: f"{s // 60} minutes",
    )  # fmt: skip
    targets, shrinkage, patience = common.staffing_inputs("calc")
    callers = erlang_x_inputs()
    model = (
        planner.erlang_model(patience) if callers is None else replace(callers, patience=patience)
    )
    try:
        table = planner.power_of_one(calls, aht, interval, targets, model=model,
                                     shrinkage=shrinkage)  # fmt: skip
    except planner.InputError as err:
        st.error(str(err))
        return
    agents = int(table.loc[table["required"], "agents"].iloc[0])
    row = table[table["agents"] == agents].iloc[0]
    cols = common.card_columns(5)
    cols[0].metric("Agents needed", agents)
    cols[1].metric("Scheduled (after shrinkage)", int(row["scheduled"]))
    cols[2].metric("Service level", f"{row['service_level']:.1%}")
    cols[3].metric("ASA (s)", f"{row['asa']:.1f}")
    if model.abandons or callers is not None:
        cols[4].metric("Abandon rate", f"{row['abandon_rate']:.1%}")
    else:
        cols[4].metric("Occupancy", f"{row['occupancy']:.1%}")
    if callers is not None:
        more = common.card_columns(4)
        more[0].metric("Blocked (lines busy)", f"{row['blocking']:.1%}")
        more[1].metric("Redials", f"{row['redial_share']:.1%}", help="of offered attempts")
        more[2].metric("Repeat contacts", f"{row['repeat_share']:.1%}", help="of fresh calls")
        more[3].metric("Offered load (Erlangs)", f"{row['offered_traffic']:.2f}",
                       help=f"fresh calls alone: {calls * aht / interval:.2f}")  # fmt: skip
    day = pd.DataFrame({"calls": [calls], "aht": [aht]})
    driven = planner.binding_targets(day, [agents], targets, interval, model=model)
    if driven[0]:
        st.caption(f"Driven by: {driven[0]}.")
    st.subheader("The power of one")
    basis = {"offered": "answered within T over offered calls",
             "answered": "answered within T over answered calls",
             "virtual": "the share whose wait with infinite patience is within T"}  # fmt: skip
    definition = "offered" if callers is None else callers.definition(targets.sl_basis)
    st.caption(f"Service level is {basis[definition]}; {model.summary}.")
    highlight = table.style.apply(
        lambda row: ["background-color: #fff3cd" if row["required"] else "" for _ in row], axis=1
    )
    common.show_table(highlight, key="calc_table")
    common.download_buttons(table, "power_of_one", "power of one", key="calc")


calculator_page()
