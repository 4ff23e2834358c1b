"""Streamlit front end: the planner for workforce managers.

Pages (sidebar, or ``?page=`` in the address): the scenario's requirements
(default), a quick Erlang calculator, the intraday planner (history ->
forecast -> requirements), simulation of a plan, and scenario comparison.
Run with ``make run`` (or ``streamlit run app.py -- --scenario FILE.toml``).
Only presentation lives here; every number comes from ``planner``.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

import planner
import planner.sample

ROOT = Path(__file__).resolve().parent
DEFAULT_SCENARIO = ROOT / "scenarios" / "retail_bank.toml"


def _scenario_path() -> Path:
    """The scenario named after ``--`` on the command line, else the default."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--scenario", default=str(DEFAULT_SCENARIO))
    args, _ = parser.parse_known_args(sys.argv[1:])
    return Path(args.scenario)


@st.cache_data(show_spinner=False)
def _load(path: str) -> planner.Scenario:
    return planner.Scenario.load(path)


@st.cache_data(show_spinner="Computing requirements...")
def _requirements(scenario: planner.Scenario) -> pd.DataFrame:
    return scenario.requirements()


def scenario_page(base: planner.Scenario) -> None:
    """The scenario's requirement per interval, with what-ifs on the sidebar."""
    st.title("Staffing requirements")
    st.caption(f"Scenario: **{base.name}** - {base.description}")

    with st.sidebar:
        st.header("Targets")
        t = base.targets
        # (label, lowest, highest, value, step): the scenario's values are the defaults
        sl = st.slider(
            "Service level (answered within T over offered calls)", 0.05, 0.99,
            t.service_level if t.service_level is not None else 0.8, 0.01, key="service_level",
        )  # fmt: skip
        answer_time = st.number_input(
            "Answer time T (seconds)", 0.0, value=t.answer_time, step=5.0, key="answer_time"
        )
        max_occ = st.slider(
            "Maximum occupancy (1.00 = no limit)", 0.5, 1.0,
            t.max_occupancy if t.max_occupancy is not None else 1.0, 0.01, key="max_occupancy",
        )  # fmt: skip
        st.header("Staff")
        shrinkage = st.slider("Shrinkage", 0.0, 0.7, base.shrinkage, 0.01, key="shrinkage")
        use_patience = st.checkbox(
            "Callers abandon (Erlang A)", value=base.patience is not None, key="use_patience"
        )
        patience = st.number_input(
            "Mean patience (seconds)",
            min_value=1.0,
            value=base.mean_patience if base.mean_patience is not None else 120.0,
            step=10.0,
            key="patience",
            disabled=not use_patience,
        )

    try:
        scenario = base.with_changes(
            service_level=sl,
            answer_time=answer_time,
            max_occupancy=None if max_occ >= 1.0 else max_occ,
            shrinkage=shrinkage,
            patience=patience if use_patience else None,
        )
        table = _requirements(scenario)
    except planner.InputError as err:
        st.error(str(err))
        st.stop()

    day = planner.day_summary(table, scenario.interval, scenario.cost_per_hour)
    model = "Erlang A" if scenario.patience is not None else "Erlang C"
    cols = st.columns(5)
    cols[0].metric("Calls offered", f"{day['calls']:,.0f}")
    cols[1].metric("Peak agents on the phones", int(day["peak_agents"]))
    cols[2].metric("Scheduled agent hours", f"{day['scheduled_hours']:,.1f}")
    cols[3].metric("Day service level", f"{day['service_level']:.1%}")
    if "abandon_rate" in day:
        cols[4].metric("Day abandon rate", f"{day['abandon_rate']:.1%}")
    else:
        cols[4].metric("Day ASA (s)", f"{day['asa']:.1f}")
    st.caption(
        f"{model}; service level is calls answered within {answer_time:g} s over offered calls "
        "(the day's figure weights each interval by its calls); "
        "scheduled = agents / (1 - shrinkage), rounded up."
    )

    chart = table.set_index("interval_start")[["agents", "scheduled"]]
    st.bar_chart(chart, stack=False, y_label="agents")

    shown = _percent(
        table.rename(columns={"interval_start": "start"}),
        ("service_level", "occupancy", "abandon_rate"),
    )
    st.dataframe(
        shown,
        hide_index=True,
        column_config={
            "calls": st.column_config.NumberColumn("calls", format="%.0f"),
            "aht": st.column_config.NumberColumn("aht (s)", format="%.0f"),
            "traffic": st.column_config.NumberColumn("traffic (Erl)", format="%.2f"),
            "service_level": st.column_config.NumberColumn("service level", format="%.1f%%"),
            "asa": st.column_config.NumberColumn("asa (s)", format="%.1f"),
            "occupancy": st.column_config.NumberColumn("occupancy", format="%.1f%%"),
            "abandon_rate": st.column_config.NumberColumn("abandon rate", format="%.1f%%"),
        },
    )

    left, right = st.columns(2)
    left.download_button(
        "Download requirements (CSV)",
        table.to_csv(index=False),
        file_name="requirements.csv",
        mime="text/csv",
    )
    right.download_button(
        "Download scenario (TOML)",
        scenario.dumps(),
        file_name=f"{_slug(scenario.name)}.toml",
        mime="application/toml",
    )


# -- shared helpers -------------------------------------------------------------


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name.lower()).strip("_") or "scenario"


def _percent(table: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    shown = table.copy()
    for col in columns:
        if col in shown:
            shown[col] = shown[col] * 100.0
    return shown


@st.cache_data(show_spinner="Reading the history...")
def _history(text: str | None) -> planner.History:
    if text is None:
        return planner.read_history(planner.sample.sample_history())
    return planner.read_history(io.StringIO(text))


@st.cache_data(show_spinner="Fitting the forecast...")
def _forecast(history_text: str | None, country: str | None) -> planner.FittedForecast:
    return planner.forecast.fit(_history(history_text), country=country)


@st.cache_data(show_spinner=False)
def _simulate(scenario: planner.Scenario, replications: int) -> planner.SimulationResult:
    return scenario.simulate(replications=replications)


@st.cache_data(show_spinner=False)
def _evaluate(scenario: planner.Scenario) -> pd.DataFrame:
    return scenario.evaluate()


# -- pages ---------------------------------------------------------------------


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
    left, mid, right = st.columns(3)
    sl = left.slider("Service level target", 0.05, 0.99, 0.8, 0.01, key="calc_sl")
    answer_time = mid.number_input("Answer time T (s)", 0.0, value=20.0, key="calc_t")
    shrinkage = right.slider("Shrinkage", 0.0, 0.7, 0.3, 0.01, key="calc_shrinkage")
    use_patience = st.checkbox("Callers abandon (Erlang A)", False, key="calc_use_patience")
    patience = (
        st.number_input("Mean patience (s)", 1.0, value=120.0, key="calc_patience")
        if use_patience
        else None
    )
    try:
        targets = planner.Targets(service_level=sl, answer_time=answer_time)
        agents = int(planner.required_agents(calls, aht, interval, targets, patience))
    except planner.InputError as err:
        st.error(str(err))
        return
    around = [n for n in range(agents - 2, agents + 4) if n >= 0]
    table = planner.interval_metrics(around, calls, aht, interval, targets, patience)
    table.insert(0, "agents", around)
    table.insert(1, "scheduled", planner.scheduled_staff(around, shrinkage))
    row = table[table["agents"] == agents].iloc[0]
    cols = st.columns(4)
    cols[0].metric("Agents needed", agents)
    cols[1].metric("Scheduled (after shrinkage)", int(row["scheduled"]))
    cols[2].metric("Service level", f"{row['service_level']:.1%}")
    cols[3].metric("ASA (s)", f"{row['asa']:.1f}")
    st.subheader("The power of one")
    st.caption(
        "Service level is answered within T over offered calls; "
        + ("Erlang A (callers hang up)." if patience else "Erlang C (nobody hangs up).")
    )
    shown = _percent(table, ("service_level", "occupancy", "abandon_rate", "p_wait"))
    st.dataframe(shown, hide_index=True, key="calc_table")
    st.download_button(
        "Download table (CSV)", table.to_csv(index=False), "power_of_one.csv", "text/csv"
    )


def intraday_page() -> None:
    """History -> forecast -> requirements per interval, editable."""
    st.title("Intraday planner")
    upload = st.file_uploader("Interval history (CSV export)", type=["csv"], key="history")
    try:
        text = upload.getvalue().decode("utf-8-sig") if upload is not None else None
    except UnicodeDecodeError:
        st.error("Could not use this history: the file is not UTF-8 text (export it as CSV).")
        return
    st.caption("Without an upload: the bundled sample (20 weeks, US holidays).")
    left, mid, right = st.columns(3)
    horizon = left.number_input("Horizon (days)", 1, 28, 7, key="horizon")
    country = mid.text_input("Holidays of (country code)", "US" if text is None else "")
    quantile = right.select_slider(
        "Staff for", options=[0.5, 0.8, 0.9, 0.95], value=0.5, key="quantile",
        format_func=lambda q: "the mean" if q == 0.5 else f"P{int(q * 100)} of calls",
    )  # fmt: skip
    try:
        history = _history(text)
        model = _forecast(text, country.strip() or None)
    except planner.InputError as err:
        st.error(f"Could not use this history: {err}")
        return
    for note in history.notes:
        st.info(note)
    targets = planner.Targets(service_level=0.8, answer_time=20)
    table = planner.forecast_requirements(
        model, int(horizon), targets, shrinkage=0.3, quantile=None if quantile == 0.5 else quantile
    )
    days = sorted({t.date() for t in table.index})
    if not days:
        st.info("No open interval in the horizon: every day ahead is closed. Try a longer one.")
        return
    day = st.selectbox("Day", days, key="plan_day")
    plan = table[[t.date() == day for t in table.index]].copy()
    plan.index = [t.strftime("%H:%M") for t in plan.index]
    st.line_chart(plan[["calls_mean", "calls_lower", "calls_upper"]], y_label="calls")
    st.caption("Edit calls, AHT or agents; the service figures follow (80/20, shrinkage 30%).")
    edited = st.data_editor(
        plan[["calls", "aht", "agents"]].reset_index(names="start"),
        hide_index=True,
        disabled=["start"],
        key="plan_editor",
    )
    try:
        metrics = planner.interval_metrics(
            edited["agents"], edited["calls"], edited["aht"], model.interval, targets
        )
    except planner.InputError as err:
        st.error(str(err))
        return
    result = edited.assign(
        scheduled=planner.scheduled_staff(edited["agents"], 0.3),
        service_level=metrics["service_level"].to_numpy(),
        asa=metrics["asa"].to_numpy(),
        occupancy=metrics["occupancy"].to_numpy(),
    )
    st.bar_chart(result.set_index("start")[["agents", "scheduled"]], stack=False, y_label="agents")
    st.dataframe(_percent(result, ("service_level", "occupancy")), hide_index=True)
    st.download_button(
        "Download plan (CSV)", result.to_csv(index=False), f"plan_{day}.csv", "text/csv"
    )


def simulation_page(scenario: planner.Scenario) -> None:
    """Replications of the scenario's plan: service and abandonment with CIs."""
    st.title("Simulation")

    def shape(dist: planner.Distribution | None, none: str) -> str:
        return none if dist is None else f"{type(dist).__name__.lower()} (CV {dist.cv:.2f})"

    patience = "none" if scenario.mean_patience is None else f"mean {scenario.mean_patience:g} s, "
    st.caption(
        f"Scenario **{scenario.name}**: its plan (or the requirement); handle times "
        f"{shape(scenario.handle, 'exponential')}; patience {patience}"
        f"{shape(scenario.patience, '')}."
    )
    replications = st.slider("Replications", 2, 100, scenario.simulation.replications, key="reps")
    with st.spinner(f"Simulating {replications} days..."):
        res = _simulate(scenario, replications)
    erlang = _evaluate(scenario)  # the Erlang figures of the plan simulated
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
    st.altair_chart(band + line + formula, width="stretch")
    st.caption("Solid: simulation with its 95% band; dashed: the Erlang formula.")
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
    st.dataframe(compare, hide_index=True, key="sim_table")
    st.download_button(
        "Download simulation (CSV)", res.to_frame().to_csv(index=False), "simulation.csv",
        "text/csv",
    )  # fmt: skip


def compare_page(current: planner.Scenario) -> None:
    """Scenarios side by side: agents, service level and cost."""
    st.title("Compare scenarios")
    bundled = {p.stem: p for p in sorted((ROOT / "scenarios").glob("*.toml"))}
    chosen = st.multiselect("Scenarios", list(bundled), default=list(bundled)[:2], key="compare")
    scenarios = [current] + [_load(str(bundled[name])) for name in chosen]
    rows = []
    for s in scenarios:
        day = s.summary()
        rows.append(
            {
                "scenario": s.name,
                "calls": day["calls"],
                "peak agents": int(day["peak_agents"]),
                "agent hours": day["agent_hours"],
                "paid hours": day["scheduled_hours"],
                "cost": day["cost"],
                "service level": day["service_level"],
            }
        )
    table = pd.DataFrame(rows)
    st.dataframe(table, hide_index=True, key="compare_table")
    st.bar_chart(table.set_index("scenario")[["paid hours"]])
    st.download_button(
        "Download comparison (CSV)", table.to_csv(index=False), "comparison.csv", "text/csv"
    )


PAGES = {
    "Scenario": "scenario",
    "Calculator": "calculator",
    "Intraday planner": "intraday",
    "Simulation": "simulation",
    "Compare scenarios": "compare",
}


def main() -> None:
    st.set_page_config(page_title="planner", layout="wide")
    wanted = st.query_params.get("page", "scenario")
    names = list(PAGES)
    default = next((i for i, n in enumerate(names) if PAGES[n] == wanted), 0)
    with st.sidebar:
        page = st.radio("Page", names, index=default, key="page")
        upload = st.file_uploader("Open a scenario (TOML)", type=["toml"], key="scenario_file")
    try:
        if upload is not None:
            base = planner.Scenario.loads(
                upload.getvalue().decode("utf-8", errors="replace"),
                source=upload.name,
                base_dir=str(ROOT / "scenarios"),
            )
        else:
            base = _load(str(_scenario_path()))
    except planner.InputError as err:
        st.error(f"Could not open the scenario: {err}")
        st.stop()
    if PAGES[page] == "scenario":
        scenario_page(base)
    elif PAGES[page] == "calculator":
        calculator_page()
    elif PAGES[page] == "intraday":
        intraday_page()
    elif PAGES[page] == "simulation":
        simulation_page(base)
    else:
        compare_page(base)


main()
