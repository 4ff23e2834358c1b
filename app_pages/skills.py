"""The Skills page: many queues served by agent groups with overlapping skills.

A multi-skill scenario (a bundled one or an uploaded file with ``[[queue]]`` and
``[[group]]`` tables) is staffed by :meth:`planner.CenterScenario.staffing` in a
worker, simulated again on fresh days by :meth:`~planner.CenterScenario.simulate`,
and shown: the skills matrix (editable), the staffing per group and interval
beside the Erlang bounds, each queue's service beside its targets, and who
answered what. It has its own scenario, apart from the one-queue pages'.
"""

from __future__ import annotations

import contextlib
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

import planner
from app_pages import common

STATE = "skills_page"  # this page's own inputs (it has a scenario of its own)
CENTERS = {
    p.stem: p
    for p in sorted((common.ROOT / "scenarios").glob("*.toml"))
    if planner.scenario.is_center_file(p)
}


@st.cache_data(show_spinner=False, **common.CACHE)
def load(path: str) -> planner.CenterScenario:
    return planner.CenterScenario.load(path)


@st.cache_data(show_spinner=False, **common.CACHE)
def staffing(scenario: planner.CenterScenario) -> planner.CenterStaffing:
    """``scenario.staffing()`` in a worker process (see :func:`common.in_worker`)."""
    found: planner.CenterStaffing = common.in_worker(scenario.staffing, searching)
    return found


def searching(seconds: float, _: Any) -> str:
    return (
        f"Simulating, {seconds:.0f} s: looking for the least costly staffing per group that "
        "meets every queue's targets..."
    )


@st.cache_data(show_spinner="Simulating the staffing on fresh days...", **common.CACHE)
def simulated(
    scenario: planner.CenterScenario, found: planner.CenterStaffing
) -> planner.CenterResult:
    return scenario.simulate(found)


def skills_matrix(scenario: planner.CenterScenario) -> pd.DataFrame:
    """One row per group: its priority for each queue (empty: not its skill; lower
    first) and its cost per hour."""
    rows = []
    for g in scenario.groups:
        row: dict[str, Any] = {"group": g.name}
        for q in scenario.queues:
            row[q.name] = g.priority.get(q.name)
        row["cost per hour"] = g.cost_per_hour
        rows.append(row)
    table = pd.DataFrame(rows)
    for q in scenario.queues:
        table[q.name] = table[q.name].astype("Int64")
    return table


def from_matrix(scenario: planner.CenterScenario, table: pd.DataFrame) -> planner.CenterScenario:
    """The scenario with the skills and costs of the edited matrix (an InputError
    names the group whose row is wrong)."""
    groups = []
    for g, (_, row) in zip(scenario.groups, table.iterrows(), strict=True):
        order = [*g.priority, *(q.name for q in scenario.queues if q.name not in g.priority)]
        skills = {name: int(row[name]) for name in order if pd.notna(row[name])}
        if not skills:
            raise planner.InputError(f"group {g.name!r}: give it at least one skill")
        extra = {k: x for k, x in g.aht.items() if k in skills}
        delays = {k: x for k, x in g.overflow_after.items() if k in skills}
        cost = row["cost per hour"]
        groups.append(
            planner.AgentGroup(
                g.name, skills, g.agents, aht=extra, overflow_after=delays,
                cost_per_hour=None if pd.isna(cost) else float(cost),
            )
        )  # fmt: skip
    return scenario.with_changes(groups=tuple(groups))


def queue_service(scenario: planner.CenterScenario, result: planner.CenterResult,
                  found: planner.CenterStaffing) -> pd.DataFrame:  # fmt: skip
    """Per queue: its targets beside the day simulated (mean and 95% CI) and the least
    confidence, over its intervals, of the search's confirmation."""
    rows = []
    for q in scenario.queues:
        res = result.call_types[q.name]
        sl, ab = res.day("service_level"), res.day("abandon_rate")
        t = q.targets
        rows.append({
            "queue": q.name,
            "calls": float(sum(q.calls)),
            "target service level": t.service_level,
            "answer time (s)": t.answer_time,
            "service level": sl.mean, "service level low": sl.ci_low,
            "service level high": sl.ci_high,
            "abandon cap": t.max_abandon, "abandon rate": ab.mean,
            "ASA (s)": res.day("asa").mean,
            "least confidence": float(found.confidence.loc[q.name].min()),
        })  # fmt: skip
    return pd.DataFrame(rows)


def _kept(name: str, default: Any) -> dict[str, Any]:
    """A sidebar input's widget arguments, its value kept in this page's own state: it
    survives leaving the page, and opening a one-queue scenario (the page has its own)."""
    store = st.session_state.setdefault(STATE, {})
    return common.seeded(name, store.get(name, default), _keep)


def _keep(name: str, key: str) -> None:
    st.session_state[STATE][name] = st.session_state[key]


def _sidebar() -> planner.CenterScenario | None:
    """The page's scenario: bundled or uploaded, with the skills edited on the page (kept
    in this page's state) and the what-ifs of the sidebar."""
    st.sidebar.subheader("Multi-skill scenario")
    names = list(CENTERS)
    if names:
        picked = st.sidebar.selectbox("Open a bundled multi-skill scenario", names,
                                      **_kept("skills_pick", names[0]))  # fmt: skip
    with st.sidebar:
        upload = common.kept_upload(
            "Or upload one (TOML with [[queue]] and [[group]])", "skills_upload", type=["toml"]
        )
    try:
        if upload is not None:
            base = planner.CenterScenario.loads(upload[1].decode("utf-8"), source=upload[0])
        elif names:
            base = load(str(CENTERS[picked]))
        else:
            st.info("No multi-skill scenario is bundled: upload one.")
            return None
    except (planner.InputError, UnicodeDecodeError) as err:
        st.error(f"Cannot read that scenario: {err}")
        return None
    groups = st.session_state.setdefault(STATE, {}).get(f"groups:{base.name}")
    if groups is not None and [g.name for g in groups] == [g.name for g in base.groups]:
        # the skills matrix as last edited (another file of that name: its own skills)
        with contextlib.suppress(planner.InputError):
            base = base.with_changes(groups=groups)
    factor = st.sidebar.slider("Calls, % of the scenario's", 50, 200, step=5,
                               **_kept("skills_calls", 100))  # fmt: skip
    days = st.sidebar.number_input(
        "Days simulated per try", 10, 1000, step=10, **_kept("skills_days", base.replications),
        help="more days, a smaller margin per interval and a slower search",
    )  # fmt: skip
    return base.with_changes(calls_factor=factor / 100, replications=int(days))


def skills_page() -> None:
    st.title("Many queues and skills")
    scenario = _sidebar()
    if scenario is None:
        return
    st.caption(
        f"Scenario **{scenario.name}**: {len(scenario.queues)} queues, "
        f"{len(scenario.groups)} agent groups. {scenario.description}"
    )
    st.subheader("Skills")
    st.caption(
        "Each group's priority for each queue (lower first; empty: not its skill) and its "
        "cost per hour. A call goes to the longest-idle agent of the groups that rank it "
        "first; a freed agent takes the waiting call it ranks first, then the longest wait."
    )
    editor = f"skills_matrix@{scenario.name}"  # its edits belong to this scenario's groups
    matrix = common.rows_of(editor, lambda: skills_matrix(scenario))
    edited = st.data_editor(matrix, hide_index=True, disabled=["group"], key=editor)
    try:
        scenario = from_matrix(scenario, edited)
    except planner.InputError as err:
        st.error(f"Not a skill set the planner can staff: {err}")
        return
    st.session_state[STATE][f"groups:{scenario.name}"] = scenario.groups  # for coming back
    if not scenario.required:
        st.info("This scenario gives each group's agents; shown here is the staffing found "
                "for its queues and skills (`planner simulate --scenario FILE` simulates "
                "its own).")  # fmt: skip
    searched = scenario.with_changes(required=True)
    try:
        found = staffing(searched)
    except planner.InputError as err:
        st.error(f"No staffing: {err}")
        return
    result = simulated(searched, found)
    total = scenario.staffing_summary(found).set_index("staffing").loc["total"]
    currency = f" ({scenario.currency})" if scenario.currency else ""
    bounds = found.bounds.attrs["agent_hours"]
    cols = common.card_columns(5, per_row=5)
    cols[0].metric("Agent hours", f"{found.agent_hours:,.1f}")
    cols[1].metric("Dedicated teams (Erlang)", f"{bounds['dedicated']:,.1f}")
    cols[2].metric("Fully pooled (Erlang)", f"{bounds['pooled']:,.1f}")
    cols[3].metric(f"Cost{currency}", planner.money(total["cost"]))
    cols[4].metric("Every target met", "yes" if found.met else "no")
    st.caption(
        f"Agent hours on the phones; cost of the scheduled hours (agent hours / (1 - "
        f"{scenario.shrinkage:.0%} shrinkage)) at each group's cost per hour. Met: every "
        f"queue meets its targets with {scenario.confidence:.0%} confidence in every "
        f"interval, confirmed on {found.replications} days of an independent seed. The "
        "bounds: each queue staffed alone by Erlang, and every agent with every skill."
    )
    table = scenario.staffing_table(found)
    names = [g.name for g in scenario.groups]
    long = table[["interval_start", *names]].melt(
        id_vars="interval_start", var_name="group", value_name="agents"
    )
    area = (
        alt.Chart(long)
        .mark_area()
        .encode(x=alt.X("interval_start:N", sort=None, title="interval"),
                y=alt.Y("agents:Q", stack=True), color="group:N",
                order=alt.Order("group:N"))
    )  # fmt: skip
    lines = (
        alt.Chart(table[["interval_start", "dedicated", "pooled"]].melt(
            id_vars="interval_start", var_name="bound", value_name="agents"))
        .mark_line(strokeDash=[4, 3], color="black")
        .encode(x=alt.X("interval_start:N", sort=None), y="agents:Q", detail="bound:N")
    )  # fmt: skip
    st.subheader("Staffing per group")
    st.altair_chart(area + lines, width="stretch")
    st.caption("Dashed: the Erlang bounds, dedicated teams (upper) and full pooling (lower).")
    st.dataframe(table, hide_index=True)
    common.download_buttons(table, common.slug(scenario.name) + "_staffing",
                            "the staffing", key="skills_staffing")  # fmt: skip
    st.subheader("Each queue's service")
    service = queue_service(scenario, result, found)
    st.dataframe(
        service.style.format({
            "calls": "{:,.0f}", "target service level": "{:.0%}", "answer time (s)": "{:.0f}",
            "service level": "{:.1%}", "service level low": "{:.1%}",
            "service level high": "{:.1%}", "abandon cap": "{:.0%}", "abandon rate": "{:.1%}",
            "ASA (s)": "{:.1f}", "least confidence": "{:.3f}",
        }, na_rep="-"),
        hide_index=True,
    )  # fmt: skip
    st.caption(
        f"The day simulated again on {result.replications} fresh days (95% confidence "
        "intervals); least confidence: of the search's confirmation, over the queue's "
        "intervals."
    )
    per_interval = pd.concat([
        pd.DataFrame({"interval_start": table["interval_start"], "queue": name,
                      "service level": res["service_level"].mean})
        for name, res in result.call_types.items()
    ])  # fmt: skip
    st.altair_chart(
        alt.Chart(per_interval).mark_line(point=True).encode(
            x=alt.X("interval_start:N", sort=None, title="interval"),
            y=alt.Y("service level:Q", axis=alt.Axis(format="%")), color="queue:N"),
        width="stretch",
    )  # fmt: skip
    st.subheader("Who answered what")
    st.caption("Calls answered a day, mean over the simulated days: queues by groups.")
    st.dataframe(result.routing.round(1))
    st.download_button(
        "Download the scenario (TOML)", scenario.dumps(),
        f"{common.slug(scenario.name)}.toml", "application/toml", key="skills_toml",
    )  # fmt: skip


if __name__ == "__main__":  # run as a page; importable for its helpers
    skills_page()
