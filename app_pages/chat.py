"""The Chat page: agents who hold several chats at once, and every team's total.

One interval's chat staffing (chats, handle time by chats held, patience and
targets set here), the power of one agent more or less, and, when the opened
scenario has a chat channel, its chat team per interval beside the calls'
team and the total. Every number comes from ``planner.power_of_one`` (the
``planner.Chat`` model), ``planner.simulate_chat`` and ``Scenario.staff_requirements``.
"""

from __future__ import annotations

import streamlit as st

import planner
from app_pages import common


def handle_times(text: str) -> tuple[float, ...]:
    """Seconds per chat at 1, 2, ... chats held, from ``"180, 210, 240"``."""
    try:
        return tuple(float(x) for x in text.replace(";", ",").split(",") if x.strip())
    except ValueError:
        raise planner.InputError(
            f"handle times must be seconds separated by commas: {text!r}"
        ) from None


def simulated(
    chats: float, agents: int, handle: tuple[float, ...], interval: float,
    patience: float | None, answer_time: float,
) -> planner.simulation.ChatSimulation:  # fmt: skip
    """The page's interval simulated: four such intervals after one of warm-up."""
    return planner.simulate_chat(
        [chats] * 4, agents, handle, interval, patience=patience, answer_time=answer_time,
        replications=40, seed=1, warmup=interval,
    )  # fmt: skip


def chat_page() -> None:
    """One interval of chat, then the scenario's chat team and the total staff."""
    scenario = common.scenario_sidebar()
    st.title("Chat")
    st.caption(
        "Chat agents hold several chats at once, each slower as they add one. Staffing from "
        "the exact chain of chats in the system (spread evenly over the agents)."
    )
    left, mid, right = st.columns(3)
    chats = left.number_input(
        "Chats offered in the interval", 0.0, **common.kept("chat_chats", 240.0)
    )
    interval = mid.selectbox(
        "Interval", [900, 1800, 3600], **common.kept("chat_interval", 3600),
        format_func=lambda s: f"{s // 60} minutes",
    )  # fmt: skip
    text = right.text_input(
        "Handle time (s) at 1, 2, ... chats held", **common.kept("chat_handle", "180, 210, 240"),
        help="its length is the most chats an agent holds",
    )  # fmt: skip
    targets, shrinkage, patience = common.staffing_inputs("chat")
    try:
        handle = handle_times(text)
        model = planner.Chat(handle=handle, patience=patience)
        table = planner.power_of_one(
            chats, handle[0], interval, targets, model=model, shrinkage=shrinkage
        )
    except planner.InputError as err:
        st.error(str(err))
        return
    agents = int(table.loc[table["required"], "agents"].iloc[0])
    row = table[table["agents"] == agents].iloc[0]
    cards = common.card_columns(6)
    cards[0].metric("Chat agents needed", agents)
    cards[1].metric("Scheduled (after shrinkage)", int(row["scheduled"]))
    cards[2].metric("Service level", f"{row['service_level']:.1%}")
    virtual = f"virtual wait (infinite patience): {row['virtual_wait']:.1f} s"
    cards[3].metric("ASA (s)", f"{row['asa']:.1f}", help=virtual)
    cards[4].metric("Abandon rate", f"{row['abandon_rate']:.1%}")
    cards[5].metric("Chats per busy agent", f"{row['mean_concurrency']:.2f}",
                    help=f"chat slots in use: {row['occupancy']:.1%}")  # fmt: skip
    st.subheader("The power of one")
    st.caption("Service level is chats answered within T over offered chats.")
    common.show_table(table, key="chat_table")
    common.download_buttons(table, "chat_power_of_one", "chat power of one", key="chat")
    st.subheader("Check by simulation")
    st.caption(
        "Chats simulated at the required staffing: each agent holds its chats until they end "
        "(new chats go to the agent holding fewest), 40 replications of four such intervals "
        "after a warm-up."
    )
    if st.button("Simulate", key="chat_simulate") and chats == 0:
        st.info("No chats offered: nothing to simulate (service is 100% with nobody waiting).")
    elif st.session_state.get("chat_simulate"):
        with st.spinner("Simulating..."):
            sim = simulated(chats, agents, handle, interval, patience, targets.answer_time)
        days = sim.day("service_level")  # each day's chats weighted alike
        low, high = days.confidence_interval(0.95)
        cols = st.columns(3)
        cols[0].metric("Simulated service level", f"{days.mean:.1%}",
                       help=f"95% interval: {low:.1%} to {high:.1%}")  # fmt: skip
        cols[1].metric("The chain's", f"{row['service_level']:.1%}")
        cols[2].metric("Simulated abandon rate", f"{sim.day('abandon_rate').mean:.1%}")
    st.subheader("Every team of the scenario")
    chat_channel = scenario.channel("chat")
    if chat_channel is None:
        st.info(
            f"{scenario.name} has no chat channel: add [channels.chat] (chats per interval, "
            "handle times by chats held) to its file to plan a chat team beside the calls'."
        )
        return
    try:
        team = common.channel_requirements(scenario, "chat")
        staff = common.staff_requirements(scenario)
        day = chat_channel.day_summary(team, scenario.interval)
    except planner.InputError as err:
        st.error(str(err))
        return
    chart = staff.set_index("interval_start")[["calls_agents", "chat_agents"]]
    st.bar_chart(chart, x_label="interval start", y_label="agents on duty")
    cols = st.columns(3)
    level = f"day service level {day['service_level']:.1%}, weighted by chats"
    cols[0].metric("Chat agent hours", f"{day['agent_hours']:,.1f}", help=level)
    cols[1].metric(
        "All agent hours", f"{planner.hours(staff['total_agents'], scenario.interval):,.1f}"
    )
    cols[2].metric(
        "Scheduled hours, all teams",
        f"{planner.hours(staff['total_scheduled'], scenario.interval):,.1f}",
    )
    common.show_table(team, key="chat_team")
    common.download_buttons(staff, "staff", "staff of every team", key="staff")


if __name__ == "__main__":  # run as a page; importable for its helpers
    chat_page()
