"""The Email page: email and back-office work against a deadline, and every team.

The scenario's email channel when it has one, or its calls taken as items:
items per interval (scaled here), handle time, the deadline, its target and
opening hours. Cards, the agents per interval beside the backlog curve, the
table and downloads, then every team of the scenario and their total. Every
number comes from the email channel (``planner.EmailChannel``: its requirements and
day summary) and ``Scenario.staff_requirements``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import streamlit as st

import planner
from app_pages import common
from planner.channels import parse_open_hours


def channel(scenario: planner.Scenario) -> planner.EmailChannel:
    """The channel the page's inputs describe, from the scenario's own (or its calls)."""
    base = scenario.channel("email") or planner.EmailChannel.from_calls(
        scenario.calls, float(np.mean(scenario.aht)), deadline=4 * 3600.0
    )
    left, mid, right = st.columns(3)
    factor = left.number_input(
        "Items: share of the channel's volume", 0.0, 10.0, step=0.05,
        **common.kept("email_factor", 1.0),
        help="1 = the scenario's email items (or, without an email channel, its calls)",
    )  # fmt: skip
    aht = mid.number_input(
        "Handle time per item (s)", 1.0, **common.kept("email_aht", float(base.aht))
    )
    deadline = right.number_input(
        "Deadline (hours)", 0.25, 24.0 * 14, step=0.25,
        **common.kept("email_hours", float(base.deadline) / 3600),
    )  # fmt: skip
    left, mid, right = st.columns(3)
    target = left.number_input(
        "Share within the deadline", 0.01, 0.999, step=0.01,
        **common.kept("email_target", float(base.target)),
    )  # fmt: skip
    clock = mid.radio(
        "Deadline counts", ["business", "calendar"], horizontal=True,
        **common.kept("email_clock", base.clock),
        format_func=lambda c: {"business": "open hours", "calendar": "calendar hours"}[c],
    )  # fmt: skip
    hours = right.text_input(
        "Open hours (HH:MM-HH:MM, empty: always)",
        **common.kept("email_open", "" if base.open_hours is None else "-".join(base.open_hours)),
    )  # fmt: skip
    opened = parse_open_hours(hours) if hours.strip() else None
    return dataclasses.replace(
        base, items=tuple(np.asarray(base.items) * factor), aht=aht, deadline=deadline * 3600,
        target=target, clock=clock, open_hours=opened,
    )  # fmt: skip


@st.cache_data(show_spinner=False, **common.CACHE)
def blended(scenario: planner.Scenario) -> pd.DataFrame:
    """The blended team, in a worker stopped with the page."""
    table: pd.DataFrame = common.in_worker(
        scenario.blended_requirements,
        lambda seconds, _: f"Solving the blended team interval by interval, {seconds:.0f} s...",
    )  # fmt: skip
    return table


def email_page() -> None:
    """The email team per interval, its backlog, then every team and the total."""
    scenario = common.scenario_sidebar()
    st.title("Email and back office")
    st.caption(
        "Items that may wait hours but carry a promise: the share of each interval's items "
        "an agent takes up within the deadline. Exact for random arrivals and handle times, "
        "first in first out, the backlog carried overnight; the day runs once first so its "
        "start carries last night's items."
    )
    if scenario.channel("email") is None:
        st.info(
            f"{scenario.name} has no email channel: its calls stand in as items. Add "
            "[channels.email] (items per interval, aht, deadline) to its file to plan an "
            "email team beside the calls'."
        )
    try:
        email = channel(scenario)
        if len(email.items) != len(scenario.calls):  # pragma: no cover - the scenario checks it
            raise planner.InputError("one item count per interval of the scenario")
        varied = scenario.with_changes(email=email)
        team = common.channel_requirements(varied, "email")
    except planner.InputError as err:
        st.error(str(err))
        return
    day = email.day_summary(team, scenario.interval)
    cards = common.card_columns(5)
    cards[0].metric("Email agent hours", f"{day['agent_hours']:,.1f}")
    cards[1].metric("Peak agents", int(day["peak_agents"]))
    cards[2].metric("Scheduled hours", f"{day['scheduled_hours']:,.1f}")
    cards[3].metric("Within the deadline", f"{day['on_time']:.1%}", help="share of all items")
    cards[4].metric("Largest backlog", f"{team['backlog'].max():,.1f}",
                    help="mean items waiting at an interval's end, at its highest")  # fmt: skip
    st.subheader("Agents and the backlog")
    curve = team.set_index("interval_start")
    left, right = st.columns(2)
    left.bar_chart(curve[["agents"]], x_label="interval start", y_label="agents on duty")
    right.line_chart(
        curve[["backlog", "backlog_p90"]].rename(
            columns={"backlog": "mean waiting", "backlog_p90": "90th percentile"}
        ),
        x_label="interval start", y_label="items waiting at the interval's end",
    )  # fmt: skip
    common.show_table(team, key="email_team")
    common.download_buttons(team, "email", "email team", key="email")
    st.subheader("Blended with the calls")
    st.caption(
        "One team answers the calls first and works the items in its idle time, keeping a "
        "reserve of idle agents for the next calls; each interval's items are finished within "
        "it (no deadline carried over). Beside it, separate call and item teams."
    )
    if st.toggle("Plan a blended team", **common.kept("email_blend", False),
                 help="solved interval by interval (about 10 s for the retail bank); kept "
                 "while you move between pages"):  # fmt: skip
        try:
            blend = blended(varied)
        except planner.InputError as err:
            st.error(str(err))
            return
        step = scenario.interval
        separate = blend["call_agents"] + blend["item_agents"]
        cols = st.columns(3)
        cols[0].metric("Blended agent hours", f"{planner.hours(blend['agents'], step):,.1f}")
        cols[1].metric("Separate teams' hours", f"{planner.hours(separate, step):,.1f}")
        cols[2].metric("Saved", f"{planner.hours(blend['saving'], step):,.1f} h")
        common.show_table(blend, key="email_blend_table")
        common.download_buttons(blend, "blended", "blended team", key="email_blended")
    st.subheader("Every team of the scenario")
    try:
        staff = common.staff_requirements(varied)
    except planner.InputError as err:
        st.error(str(err))
        return
    teams = [c for c in staff.columns if c.endswith("_agents") and c != "total_agents"]
    st.bar_chart(staff.set_index("interval_start")[teams], x_label="interval start",
                 y_label="agents on duty")  # fmt: skip
    cols = st.columns(2)
    cols[0].metric(
        "All agent hours", f"{planner.hours(staff['total_agents'], scenario.interval):,.1f}"
    )
    cols[1].metric(
        "Scheduled hours, all teams",
        f"{planner.hours(staff['total_scheduled'], scenario.interval):,.1f}",
    )
    common.show_table(pd.DataFrame(staff), key="email_staff")
    common.download_buttons(staff, "staff", "staff of every team", key="email_staff")


if __name__ == "__main__":  # run as a page; importable for its helpers
    email_page()
