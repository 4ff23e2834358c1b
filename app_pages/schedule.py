"""The Schedule page: the scenario's requirement as shifts people can work."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

import planner
from app_pages import common
from planner.schedule import Break, ShiftTemplate, schedule

HOUR = 3600.0
# The templates a page starts with: a full-time day with an unpaid lunch, a part-time half.
STARTING = pd.DataFrame(
    {
        "name": ["full time", "part time"],
        "hours": [8.0, 4.0],
        "earliest start": ["08:00", "08:00"],
        "latest start": ["12:00", "16:00"],
        "every (min)": [30, 30],
        "unpaid lunch (min)": [30, 0],
        "cost per hour": [20.0, 22.0],
        "at most": [None, 10],
    }
)


def templates_from_editor(table: pd.DataFrame) -> list[ShiftTemplate]:
    """The editor's rows as templates (a lunch of N minutes, 3 to 5 hours in, unpaid)."""
    out = []
    for _, row in table.dropna(subset=["name", "hours"]).iterrows():
        lunch = float(row.get("unpaid lunch (min)") or 0) * 60
        hours = float(row["hours"]) * HOUR
        breaks = ()
        if lunch > 0:
            latest = min(5 * HOUR, hours - lunch)
            breaks = (Break(lunch, min(3 * HOUR, latest), latest, paid=False),)
        most = row.get("at most")
        out.append(
            ShiftTemplate(
                str(row["name"]),
                hours,
                every=float(row["every (min)"]) * 60,
                earliest=str(row["earliest start"]),
                latest=str(row["latest start"]),
                breaks=breaks,
                cost_per_hour=float(row["cost per hour"]),
                max_count=None if most is None or pd.isna(most) else int(most),
            )
        )
    return out


def schedule_page() -> None:
    """Templates in, shifts out: coverage against the requirement, cost, CSV."""
    scenario = common.scenario_sidebar()
    st.title("Schedule")
    st.caption(
        f"Shifts for **{scenario.name}**: how many people work each shift of the templates "
        "below, at least cost, so that every interval has the agents it needs on the phones."
    )
    edited = st.data_editor(
        STARTING, num_rows="dynamic", hide_index=True, key="templates",
        column_config={
            "hours": st.column_config.NumberColumn(min_value=0.5, max_value=24, step=0.5),
            "every (min)": st.column_config.NumberColumn(min_value=15, step=15),
            "unpaid lunch (min)": st.column_config.NumberColumn(min_value=0, step=15),
            "cost per hour": st.column_config.NumberColumn(min_value=0, format="%.2f"),
            "at most": st.column_config.NumberColumn(min_value=0, step=1),
        },
    )  # fmt: skip
    table = scenario.requirements()
    need = table["agents"].to_numpy()
    flexible_hours = planner.hours(need, scenario.interval)
    left, right = st.columns(2)
    coverage = left.radio(
        "Coverage", ["hard", "soft"], horizontal=True, key="schedule_coverage",
        help="hard: every interval covered; soft: within a budget, the intervals where an "
        "agent answers fewest calls in time are left short first",
    )  # fmt: skip
    budget = None
    if coverage == "soft":
        budget = right.number_input(
            "Paid hours at most", 1.0, value=round(0.9 * flexible_hours, 1), key="budget"
        )
    try:
        result = schedule(
            need, templates_from_editor(edited), interval=scenario.interval,
            start=scenario.start, coverage=coverage, paid_hours=budget, workload=table,
            targets=scenario.targets, patience=scenario.mean_patience,
        )  # fmt: skip
    except planner.InputError as err:
        st.error(f"No schedule: {err}")
        return
    service = result.service(table, scenario.targets, scenario.mean_patience)
    day = planner.day_summary(service, scenario.interval)
    cards = st.columns(5)
    cards[0].metric("People", f"{int(result.shifts['count'].sum())}")
    cards[1].metric("Paid hours", f"{result.paid_hours:,.1f}")
    cards[2].metric(
        "Against perfectly flexible", f"{result.paid_hours / flexible_hours - 1:+.1%}",
        help=f"{flexible_hours:,.1f} agent hours if staff came and went every interval",
    )  # fmt: skip
    cards[3].metric("Cost", f"{result.cost:,.2f}")
    cards[4].metric("Day service level", f"{day['service_level']:.1%}")
    st.caption(
        f"HiGHS: {result.status} Gap {result.gap:.2%} from its bound; service level from "
        "the scheduled agents (Erlang C, or A with a patience)."
    )
    short = result.coverage["short"] > 1e-9
    if short.any():
        st.warning(
            f"Short of the requirement: {', '.join(result.coverage.index[short.to_numpy()])}."
        )
    frame = result.coverage.reset_index().rename(columns={"interval_start": "start"})
    bars = (
        alt.Chart(frame)
        .mark_bar(opacity=0.6)
        .encode(
            x=alt.X("start:O", title="interval start"),
            y=alt.Y("scheduled:Q", title="agents on the phones"),
            color=alt.condition("datum.short > 0", alt.value("#d62728"), alt.value("#4c78a8")),
            tooltip=["start", "required", "scheduled", "short"],
        )
    )
    line = alt.Chart(frame).mark_line(color="black").encode(x="start:O", y="required:Q")
    st.subheader("Coverage: scheduled (bars, red where short) and required (line)")
    st.altair_chart(bars + line, width="stretch")
    shifts = result.shifts.copy()
    shifts["label"] = shifts["shift"] + " " + shifts["start"] + " x" + shifts["count"].astype(str)
    clock = shifts["start"].str.split(":", expand=True).astype(float)
    shifts["from"] = clock[0] + clock[1] / 60
    lengths = {t.name: t.length / HOUR for t in templates_from_editor(edited)}
    shifts["to"] = shifts["from"] + shifts["shift"].map(lengths)
    gantt = (
        alt.Chart(shifts)
        .mark_bar()
        .encode(
            x=alt.X("from:Q", title="hour of the day", scale=alt.Scale(zero=False)),
            x2="to:Q",
            y=alt.Y("label:N", title=None, sort=None),
            color=alt.Color("shift:N", title="template"),
            tooltip=["shift", "start", "end", "breaks", "count"],
        )
    )
    st.subheader("Shifts")
    st.altair_chart(gantt, width="stretch")
    st.dataframe(result.shifts, hide_index=True, key="shifts")
    common.download_buttons(result.shifts, "shifts", "shifts", key="shifts")


if __name__ == "__main__":  # run as a page; importable for its helpers
    schedule_page()
