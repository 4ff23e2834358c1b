"""The Compare page: the current scenario beside bundled ones."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

import planner
from app_pages import common


def compare_page() -> None:
    """Scenarios side by side: agents, service level and cost."""
    current_scenario = common.scenario_sidebar()
    st.title("Compare scenarios")
    source = st.session_state["source"]
    others = [name for name, path in common.BUNDLED.items() if str(path.resolve()) != source]
    chosen = st.multiselect("Scenarios", others, default=others[:2], key="compare")
    labelled = [(f"{current_scenario.name} (current)", current_scenario)]
    labelled += [
        (f"{common.load(str(common.BUNDLED[n])).name} ({n})", common.load(str(common.BUNDLED[n])))
        for n in chosen
    ]
    rows = []
    for label, s in labelled:
        day = s.summary()
        staff = common.staff_requirements(s)  # every team: calls, and chat and email if any
        rows.append(
            {
                "scenario": label,
                "calls": day["calls"],
                "peak agents": int(day["peak_agents"]),
                "agent hours": day["agent_hours"],
                "scheduled hours": day["scheduled_hours"],
                "cost": day["cost"],
                "currency": s.currency or "",
                "service level": day["service_level"],
                "teams": ", ".join(["calls", *(c.name for c in s.channels)]),
                "all teams scheduled hours": planner.hours(staff["total_scheduled"], s.interval),
            }
        )
    table = pd.DataFrame(rows)
    if not table["currency"].any():  # no scenario says its currency
        table = table.drop(columns="currency")
    st.caption(
        "Calls, agents, cost and service level are the call team's; the last column adds "
        "every team of the scenario (chat, email) as the Chat and Email pages plan them. "
        "Scheduled hours are agents / (1 - shrinkage), interval by interval."
    )
    formats = {
        "calls": "{:,.0f}", "agent hours": "{:,.1f}", "scheduled hours": "{:,.1f}",
        "cost": "{:,.0f}", "service level": "{:.1%}", "all teams scheduled hours": "{:,.1f}",
    }  # fmt: skip
    st.table(table.style.format(formats, na_rep="-").hide(axis="index"))
    chart = (
        alt.Chart(table)
        .mark_bar()
        .encode(
            x=alt.X("scenario:N", sort=None, title=None),
            y=alt.Y("all teams scheduled hours:Q", title="scheduled agent hours, all teams"),
        )
    )
    st.altair_chart(chart, width="stretch")
    common.download_buttons(table, "comparison", "comparison", key="compare")


compare_page()
