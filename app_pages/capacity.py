"""The Capacity plan page: whom to hire, and when, for the months ahead.

The current scenario's ``[capacity]`` section planned by
:meth:`planner.Scenario.capacity_plan` in a worker, with what-ifs on the
sidebar (growth, attrition, lead time, class size, the quantile planned to):
required FTE with its band against the productive FTE and the people on
staff, the hiring classes on the chart and as a table, the risk of being
short per week, and the plan as an Excel workbook. Every figure is the
library's.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import altair as alt
import streamlit as st

import planner
from app_pages import common

QUANTILES = {"the expected requirement": None, "80% quantile": 0.8, "90% quantile": 0.9,
             "95% quantile": 0.95}  # fmt: skip


@st.cache_data(show_spinner=False, **common.CACHE)
def plan(scenario: planner.Scenario, changes: tuple[tuple[str, Any], ...]) -> planner.CapacityPlan:
    """``scenario.capacity_plan(**changes)`` in a worker process."""
    job = functools.partial(scenario.capacity_plan, **dict(changes))
    found: planner.CapacityPlan = common.in_worker(job, planning)
    return found


def planning(seconds: float, _: Any) -> str:
    return (
        f"Planning, {seconds:.0f} s: staffing every week from the interval models, choosing "
        "the hiring classes (HiGHS) and drawing the risk..."
    )


def whatifs(section: Any) -> tuple[dict[str, Any], float | None]:
    """The sidebar's what-ifs on the capacity plan: changes for ``capacity_plan`` (only
    those moved from the file's values) and the quantile to plan to."""
    people = section.workforce
    with st.sidebar:
        st.subheader("Months ahead")
        growth = st.slider("Volume growth a year", -0.2, 0.5, step=0.01, format="%.2f",
                           **common.kept("cap_growth", section.growth))  # fmt: skip
        attrition = st.slider("Attrition (x the file's)", 0.25, 3.0, step=0.05,
                              **common.kept("cap_attrition", 1.0))  # fmt: skip
        lead = st.slider("Recruiting takes weeks more (or fewer)", -4, 12, step=1,
                         **common.kept("cap_lead", 0))  # fmt: skip
        sizes = [c.max_size for c in people.classes] or [1]
        size = st.number_input("Largest class (people)", 1, 500, step=1,
                               **common.kept("cap_size", max(sizes)))  # fmt: skip
        chosen = next((k for k, q in QUANTILES.items() if q == section.quantile),
                      "the expected requirement")  # fmt: skip
        label = st.selectbox("Plan to", list(QUANTILES),
                             **common.kept("cap_quantile", chosen))  # fmt: skip
    changes: dict[str, Any] = {}
    if growth != section.growth:
        changes["growth"] = float(growth)
    if attrition != 1.0:
        changes["attrition"] = float(attrition)
    if lead and people.classes:
        changes["lead_time"] = int(lead)
    if people.classes and int(size) != max(sizes):
        changes["class_size"] = int(size)
    return changes, QUANTILES[label]


def chart(p: planner.CapacityPlan) -> alt.LayerChart:
    """Required FTE (its band shaded) against productive FTE and people on staff; the
    classes' go-live weeks as rules, their sizes on hover."""
    weeks = p.weeks
    long = weeks.melt("week_start", ["required_fte", "productive_fte", "headcount"],
                      var_name="series", value_name="FTE")  # fmt: skip
    names = {"required_fte": "required", "productive_fte": "productive (ramp counted)",
             "headcount": "people on staff"}  # fmt: skip
    long["series"] = long["series"].map(names)
    x = alt.X("week_start:T", title="week")
    lines = (
        alt.Chart(long)
        .mark_line()
        .encode(x=x, y=alt.Y("FTE:Q", title="FTE"), color=alt.Color("series:N", title=None))
    )
    layers = lines
    if "required_fte_low" in weeks:
        band = (
            alt.Chart(weeks)
            .mark_area(opacity=0.2)
            .encode(x=x, y="required_fte_low:Q", y2="required_fte_high:Q")
        )
        layers = band + layers
    if len(p.classes):
        rules = (
            alt.Chart(p.classes)
            .mark_rule(strokeDash=[3, 3], color="gray")
            .encode(x="go_live:T", tooltip=["class", "size", "training_start:T", "go_live:T"])
        )
        layers = layers + rules
    return layers  # fmt: skip


def capacity_page() -> None:
    scenario = common.scenario_sidebar()
    st.title("Capacity plan")
    section = scenario.capacity
    if section is None:
        st.info(
            f"Scenario **{scenario.name}** has no [capacity] section. Add one to its file to "
            "plan months ahead (today's people by tenure band, the hiring classes, the "
            "horizon): see the Capacity plan page of the docs, or open the bundled retail "
            "bank, which has one."
        )
        return
    changes, quantile = whatifs(section)
    if quantile != section.quantile:
        scenario = dataclasses.replace(
            scenario, capacity=dataclasses.replace(section, quantile=quantile)
        )
    try:
        p = plan(scenario, tuple(sorted(changes.items())))
    except planner.InputError as err:
        st.error(f"Cannot plan: {err}")
        return
    weeks = p.weeks
    planned = "the expected requirement" if p.quantile is None else f"its {p.quantile:.0%} quantile"
    st.caption(
        f"Scenario **{scenario.name}**: {len(weeks)} weeks from "
        f"{weeks['week_start'].iloc[0]:%Y-%m-%d}, each its day's shape staffed interval by "
        f"interval, planned to {planned}; {p.paths:,} Monte Carlo paths."
    )
    cards = common.card_columns(5, per_row=5)
    cards[0].metric("Hires", f"{int(p.classes['size'].sum()):,}")
    cards[1].metric("Classes", f"{len(p.classes)}")
    cards[2].metric(f"Cost{common.in_currency(scenario)}", planner.money(p.cost["total"]))
    cards[3].metric("FTE-weeks short", f"{weeks['short_fte'].sum():,.1f}")
    cards[4].metric("Weeks likely short (over 20%)", f"{int((weeks['p_short'] > 0.2).sum())}")
    if p.gap > 1e-3:
        st.warning(
            f"HiGHS stopped at its time limit: this plan may cost up to {p.gap:.1%} more than "
            "the best one."
        )
    st.altair_chart(chart(p), width="stretch")
    st.caption(
        "Shaded: the required FTE over the volume forecast's 90% band; dashed lines: a "
        "class goes live (hover for its size)."
    )
    risk = alt.Chart(weeks).mark_bar().encode(
        x=alt.X("week_start:T", title="week"),
        y=alt.Y("p_short:Q", title="chance of being short", axis=alt.Axis(format="%")),
    )  # fmt: skip
    st.altair_chart(risk, width="stretch")
    st.subheader("Hiring classes")
    st.dataframe(p.classes, hide_index=True)
    st.subheader("Week by week")
    common.show_table(weeks, key="capacity_weeks")
    cost = p.cost.rename("cost").rename_axis("item").reset_index()
    st.download_button(
        "Download the capacity plan (Excel)",
        lambda: planner.report.to_excel({"weeks": weeks, "classes": p.classes, "cost": cost}),
        f"{common.slug(scenario.name)}_capacity.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="capacity_xlsx",
    )  # fmt: skip


if __name__ == "__main__":  # run as a page; importable for its helpers
    capacity_page()
