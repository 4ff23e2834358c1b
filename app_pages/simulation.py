"""The Simulation page: replications of the current scenario's plan, with CIs and warnings."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

import planner
from app_pages import common
from planner.report import TARGET_NAMES


def simulation_page() -> None:
    """Replications of the scenario's plan: service and abandonment with CIs."""
    scenario = common.scenario_sidebar()
    st.title("Simulation")

    def shape(dist: planner.Distribution | None, none: str) -> str:
        return none if dist is None else f"{type(dist).__name__.lower()} (CV {dist.cv:.2f})"

    patience = "none" if scenario.mean_patience is None else f"mean {scenario.mean_patience:g} s, "
    st.caption(
        f"Scenario **{scenario.name}**: its plan (or the requirement); handle times "
        f"{shape(scenario.handle, 'exponential')}; patience {patience}"
        f"{shape(scenario.patience, '')}."
    )
    replications = st.slider(
        "Replications", 2, 200, **common.kept("replications", scenario.simulation.replications)
    )
    with st.spinner(f"Simulating {replications} days..."):
        res = common.simulate(scenario, replications)
    common.keep_result("simulation", res)
    erlang = common.evaluate(scenario)  # the Erlang figures of the plan simulated
    compare = pd.DataFrame(
        {
            "start": erlang["interval_start"],
            "agents": res.agents,
            "formula_service_level": erlang["service_level"],
            "service_level": res["service_level"].mean,
            "service_level_low": res["service_level"].ci_low,
            "service_level_high": res["service_level"].ci_high,
            "abandon_rate": res["abandon_rate"].mean,
            "abandon_rate_low": res["abandon_rate"].ci_low,
            "abandon_rate_high": res["abandon_rate"].ci_high,
        }
    )
    day = res.day("service_level")
    cols = st.columns(3)
    cols[0].metric("Day service level (simulated)", f"{day.mean:.1%}")
    cols[1].metric("95% CI", f"{day.ci_low:.1%} - {day.ci_high:.1%}")
    cols[2].metric("Abandon rate (simulated)", f"{res.day('abandon_rate').mean:.1%}")
    simulation_warnings(scenario, res, compare)
    x = alt.X("start:N", sort=None, title="interval")
    band = (
        alt.Chart(compare)
        .mark_area(opacity=0.25)
        .encode(x=x, y="service_level_low:Q", y2="service_level_high:Q")
    )
    line = (
        alt.Chart(compare)
        .mark_line(point=True)
        .encode(x=x, y=alt.Y("service_level:Q", title="service level"))
    )
    formula = (
        alt.Chart(compare)
        .mark_line(strokeDash=[4, 4], color="gray")
        .encode(x=x, y="formula_service_level:Q")
    )
    layers = band + line + formula
    target = scenario.targets.service_level
    if target is not None:
        layers += (
            alt.Chart(pd.DataFrame({"target": [target]}))
            .mark_rule(color="green")
            .encode(y="target:Q")
        )
    st.altair_chart(layers, width="stretch")
    st.caption("Solid: simulation with its 95% band; dashed: the Erlang formula; green: target.")
    abandon_band = (
        alt.Chart(compare)
        .mark_area(opacity=0.25, color="#c0392b")
        .encode(x=x, y="abandon_rate_low:Q", y2="abandon_rate_high:Q")
    )
    abandon_line = (
        alt.Chart(compare)
        .mark_line(point=True, color="#c0392b")
        .encode(x=x, y=alt.Y("abandon_rate:Q", title="abandon rate (simulated)"))
    )
    st.altair_chart(abandon_band + abandon_line, width="stretch")
    common.show_table(compare.rename(columns={"start": "interval_start"}), key="sim_table")
    common.download_buttons(res.to_frame(), "simulation", "simulation", key="simulation")
    common.plan_download(scenario)


def simulation_warnings(
    scenario: planner.Scenario, res: planner.SimulationResult, compare: pd.DataFrame
) -> None:
    """Say what the library's verdict on the targets is: a day or intervals that miss,
    or a result too uncertain to act on."""
    said = planner.verdict(res, scenario.targets, abandons=scenario.patience is not None)
    day = res.day("service_level")
    if "service_level" in said.day_missed:
        target = scenario.targets.service_level
        promised = planner.day_summary(common.evaluate(scenario), scenario.interval)
        st.error(
            f"The simulated day misses the {common.setting(target)} service-level target: "
            f"{day.mean:.1%} (95% CI {day.ci_low:.1%} - {day.ci_high:.1%}); the formula promised "
            f"{promised['service_level']:.1%}."
        )
    for name, est in said.day_missed.items():
        if name != "service_level":
            st.error(
                f"The simulated day misses the {TARGET_NAMES[name]} target: {est.mean:.3g} "
                f"(95% CI {est.ci_low:.3g} - {est.ci_high:.3g})."
            )
    if said.missed.any():
        st.warning(
            "Missing a target in simulation (the whole 95% CI on the wrong side): "
            f"{common.labels(compare, said.missed, 'start')}."
        )
    if said.uncertain:
        half = (day.ci_high - day.ci_low) / 2
        st.info(
            f"{res.replications} replications give a day service level of {day.mean:.1%} "
            f"+- {half:.1%}: add replications for a narrower interval."
        )


simulation_page()
