"""The Scenario page: the opened scenario's staffing per interval, with what-ifs."""

from __future__ import annotations

import streamlit as st

import planner
import planner.scenario.workbook
from app_pages import common


def scenario_page() -> None:
    """The scenario's staffing per interval (its plan, or the requirement)."""
    scenario = common.scenario_sidebar()
    st.title("Staffing")
    st.caption(f"Scenario: **{scenario.name}** - {scenario.description}")
    try:
        table = common.evaluate(scenario)
    except planner.InputError as err:
        st.error(str(err))
        st.stop()
    day = planner.day_summary(table, scenario.interval, scenario.cost_per_hour)
    model = scenario.model.summary
    cols = common.card_columns(5 if scenario.cost_per_hour is None else 6)
    cols[0].metric("Calls offered", f"{day['calls']:,.0f}")
    cols[1].metric("Peak agents on the phones", int(day["peak_agents"]))
    cols[2].metric("Scheduled agent hours", f"{day['scheduled_hours']:,.1f}")
    cols[3].metric("Day service level", f"{day['service_level']:.1%}")
    if "abandon_rate" in day:
        cols[4].metric("Day abandon rate", f"{day['abandon_rate']:.1%}")
    else:
        cols[4].metric("Day ASA (s)", f"{day['asa']:.1f}")
    if scenario.cost_per_hour is not None:
        rate = planner.money(scenario.cost_per_hour, scenario.currency)
        cols[5].metric(
            "Cost of the day", planner.money(day["cost"], scenario.currency),
            help=f"scheduled agent hours at {rate} an hour (the scenario's cost_per_hour)",
        )  # fmt: skip
    plan = "its own plan" if scenario.plan is not None else "the requirement"
    st.caption(
        f"{model}, staffed to {plan}; service level is calls answered within "
        f"{scenario.targets.answer_time:g} s over offered calls (the day's figure weights "
        "each interval by its calls); scheduled = agents / (1 - shrinkage), rounded up."
    )
    below = common.plan_warnings(table, scenario.targets)
    patience = scenario.patience
    if patience is not None and not isinstance(patience, planner.Exponential):
        shape = f"{type(patience).__name__.lower()} (CV {patience.cv:.2f})"
        (st.warning if below.any() else st.caption)(
            f"The formulas take callers' patience as exponential with the scenario's mean "
            f"({scenario.mean_patience:g} s); the scenario's is {shape}. "
            + ("With agents below the load, that shape decides the service level: the "
               "Simulation page simulates it." if below.any() else
               "The Simulation page simulates it.")
        )  # fmt: skip
    table = planner.scenario.workbook.with_drivers(scenario, table)
    chart = table.set_index("interval_start")[["agents", "scheduled"]]
    st.bar_chart(
        chart, stack=False, x_label="interval start",
        y_label="agents (on the phones, and scheduled)",
    )  # fmt: skip
    common.show_table(table)
    common.download_buttons(table, "staffing", "staffing", key="staffing")
    st.download_button(
        "Download scenario (TOML)",
        scenario.dumps(),
        file_name=f"{common.slug(scenario.name)}.toml",
        mime="application/toml",
        key="scenario_toml",
    )
    common.plan_download(scenario)


scenario_page()
