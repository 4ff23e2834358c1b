"""Streamlit front end: the planner for workforce managers.

Pages (sidebar, or ``?page=`` in the address): the scenario's staffing
(default), a quick Erlang calculator, the intraday planner (history ->
forecast -> requirements), simulation of a plan, and scenario comparison.
Run with ``make run`` (or ``streamlit run app.py -- --scenario FILE.toml``).

One state: the scenario opened (a file, a bundled example or an upload) and
the what-ifs set on the sidebar live in ``st.session_state`` (``base``,
``whatif``); every page reads :func:`current`, which is
``base.with_changes(**whatif)``, so the Scenario, Simulation and Compare pages
and the downloads always show the same scenario. Opening another scenario
replaces all of it. Only presentation lives here; every number comes from
``planner``.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

import planner
import planner.sample

ROOT = Path(__file__).resolve().parent
DEFAULT_SCENARIO = ROOT / "scenarios" / "retail_bank.toml"
BUNDLED = {p.stem: p for p in sorted((ROOT / "scenarios").glob("*.toml"))}
CACHE = {"max_entries": 32, "ttl": 3600}  # bounded: an upload must not stay resident forever
MIN_REPLICATIONS = 10  # fewer give confidence intervals too wide to act on
WIDE_CI = 0.05  # a day service-level CI half-width above this asks for more replications


def _scenario_path() -> Path:
    """The scenario named after ``--`` on the command line, else the default."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--scenario", default=str(DEFAULT_SCENARIO))
    args, _ = parser.parse_known_args(sys.argv[1:])
    return Path(args.scenario)


@st.cache_data(show_spinner=False, **CACHE)
def _load(path: str) -> planner.Scenario:
    return planner.Scenario.load(path)


@st.cache_data(show_spinner="Computing the staffing...", **CACHE)
def _evaluate(scenario: planner.Scenario) -> pd.DataFrame:
    return scenario.evaluate()


@st.cache_data(show_spinner=False, **CACHE)
def _simulate(scenario: planner.Scenario, replications: int) -> planner.SimulationResult:
    return scenario.simulate(replications=replications)


@st.cache_data(show_spinner="Reading the history...", **CACHE)
def _history(text: str | None) -> planner.History:
    if text is None:
        return planner.read_history(planner.sample.sample_history())
    return planner.read_history(io.StringIO(text))


@st.cache_data(show_spinner="Fitting the forecast...", **CACHE)
def _forecast(history_text: str | None, country: str | None) -> planner.FittedForecast:
    return planner.forecast.fit(_history(history_text), country=country)


# -- the one state ---------------------------------------------------------------


def _open(scenario: planner.Scenario, source: str) -> None:
    """Make ``scenario`` the current one: every what-if and widget of the last one goes."""
    state = st.session_state
    state["base"] = scenario
    state["source"] = source if source.startswith("upload:") else str(Path(source).resolve())
    state["whatif"] = {}
    state["token"] = state.get("token", 0) + 1  # fresh widget keys: no stale value survives
    state.pop("open_error", None)


def _open_bundled() -> None:
    name = st.session_state["bundled"]
    try:
        _open(_load(str(BUNDLED[name])), str(BUNDLED[name]))
    except planner.InputError as err:
        st.session_state["open_error"] = f"Could not open {name}: {err}"


def _open_upload() -> None:
    upload = st.session_state.get("scenario_file")
    if upload is None:
        return
    try:
        text = upload.getvalue().decode("utf-8")
        scenario = planner.Scenario.loads(
            text, source=upload.name, base_dir=str(ROOT / "scenarios")
        )
    except UnicodeDecodeError:
        st.session_state["open_error"] = f"Could not open {upload.name}: not UTF-8 text (TOML)"
        return
    except planner.InputError as err:
        st.session_state["open_error"] = f"Could not open the scenario: {err}"
        return
    _open(scenario, f"upload:{upload.name}")


def current() -> planner.Scenario:
    """The scenario every page shows: the one opened, with the sidebar's what-ifs."""
    state = st.session_state
    return state["base"].with_changes(**state["whatif"])


def _whatif(name: str, key: str, convert: Callable[[Any], Any] = lambda x: x) -> None:
    """on_change: the widget ``key`` sets what-if ``name`` (kept across pages)."""
    st.session_state["whatif"][name] = convert(st.session_state[key])


def _reset_whatifs() -> None:
    st.session_state["whatif"] = {}
    st.session_state["token"] += 1


def scenario_sidebar() -> None:
    """Open a scenario (bundled or uploaded); the state starts from the command line's."""
    state = st.session_state
    if "base" not in state:
        path = _scenario_path()
        try:
            _open(_load(str(path)), str(path))
        except planner.InputError as err:
            st.error(f"Could not open the scenario: {err}")
            st.stop()
    with st.sidebar:
        st.selectbox(
            "Open a bundled scenario", list(BUNDLED), index=None, key="bundled",
            placeholder="choose one", on_change=_open_bundled,
        )  # fmt: skip
        st.file_uploader(
            "Open a scenario (TOML)", type=["toml"], key="scenario_file", on_change=_open_upload
        )
    if "open_error" in state:
        st.error(state["open_error"])


def whatif_sidebar(base: planner.Scenario) -> None:
    """What-ifs on the scenario: targets, shrinkage, patience. They stay until reset."""
    try:
        s = current()
    except planner.InputError:
        s = base  # the page says why; the controls start from the scenario opened
    t = s.targets
    token = st.session_state["token"]

    def key(name: str) -> str:
        return f"{name}@{token}"

    def change(name: str, convert: Callable[[Any], Any] = lambda x: x) -> dict[str, Any]:
        return {"key": key(name), "on_change": _whatif, "args": (name, key(name), convert)}

    def off_at(limit: float) -> Callable[[float], float | None]:
        return lambda x: None if x >= limit else x

    with st.sidebar:
        st.header("What if")
        st.slider(
            "Service level (answered within T over offered calls)", 0.05, 0.99,
            t.service_level if t.service_level is not None else 0.8, 0.01,
            **change("service_level"),
        )  # fmt: skip
        st.number_input(
            "Answer time T (seconds)", 0.0, value=t.answer_time, step=5.0,
            **change("answer_time"),
        )  # fmt: skip
        st.number_input(
            "Maximum ASA (seconds, 0 = none)", 0.0, value=t.asa or 0.0, step=5.0,
            **change("asa", lambda x: x or None),
        )  # fmt: skip
        st.slider(
            "Maximum occupancy (1.00 = no limit)", 0.5, 1.0,
            t.max_occupancy if t.max_occupancy is not None else 1.0, 0.01,
            **change("max_occupancy", off_at(1.0)),
        )  # fmt: skip
        st.slider("Shrinkage", 0.0, 0.7, s.shrinkage, 0.01, **change("shrinkage"))
        abandon = st.checkbox(
            "Callers abandon (Erlang A)", value=s.patience is not None, key=key("use_patience")
        )
        if abandon:
            mean = s.mean_patience if s.mean_patience is not None else 120.0
            st.number_input("Mean patience (seconds)", 1.0, value=mean, step=10.0,
                            **change("patience"))  # fmt: skip
            st.slider(
                "Maximum abandon rate (0.50 = none)", 0.01, 0.5,
                t.max_abandon if t.max_abandon is not None else 0.5, 0.01,
                **change("max_abandon", off_at(0.5)),
            )  # fmt: skip
            if s.patience is None:
                st.session_state["whatif"]["patience"] = mean
        elif s.patience is not None:
            st.session_state["whatif"] |= {"patience": None, "max_abandon": None}
            st.rerun()
        if st.session_state["whatif"]:
            st.caption("Changed here: " + ", ".join(sorted(st.session_state["whatif"])))
            st.button("Reset the what-ifs", on_click=_reset_whatifs, key=key("reset"))
        st.caption(f"Opened: **{base.name}**")


def _current_or_stop() -> planner.Scenario:
    try:
        return current()
    except planner.InputError as err:
        st.error(f"This what-if cannot be planned: {err}")
        st.button("Reset the what-ifs", on_click=_reset_whatifs, key="reset_after_error")
        st.stop()


# -- shared helpers -------------------------------------------------------------


def _slug(name: str) -> str:
    """A file name from a scenario name: "Retail bank - weekday" -> "retail_bank_weekday"."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "scenario"


def _percent(table: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    shown = table.copy()
    for col in columns:
        if col in shown:
            shown[col] = shown[col] * 100.0
    return shown


def _labels(table: pd.DataFrame, mask: np.ndarray, column: str = "interval_start") -> str:
    """The labels of the rows ``mask`` selects, for a message (at most eight)."""
    names = [str(x) for x in table.loc[mask, column]]
    return ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")


def plan_warnings(table: pd.DataFrame, targets: planner.Targets) -> None:
    """Say where an evaluated plan cannot serve its calls or breaks a target."""
    calls = table["calls"].to_numpy() > 0
    stuck = calls & ~np.isfinite(table["asa"].to_numpy())
    if stuck.any():
        st.error(
            f"Cannot be served (every agent busy, waits grow without bound; ASA unbounded): "
            f"{_labels(table, stuck)}."
        )
    if targets.max_occupancy is not None:
        busy = calls & (table["occupancy"].to_numpy() > targets.max_occupancy + 1e-12)
        if busy.any():
            st.warning(
                f"Occupancy above the {targets.max_occupancy:.0%} cap: {_labels(table, busy)}."
            )
    met = np.asarray(targets.met({k: table[k] for k in table if k in _MEASURES}))
    short = calls & ~met & ~stuck
    if short.any():
        st.warning(f"Below target with this plan: {_labels(table, short)}.")


_MEASURES = ("service_level", "asa", "abandon_rate", "occupancy")


def targets_inputs(prefix: str, patience: bool) -> planner.Targets | None:
    """The targets of a page that has its own (calculator, intraday); None if invalid."""
    left, mid, right = st.columns(3)
    sl = left.slider("Service level target", 0.05, 0.99, 0.8, 0.01, key=f"{prefix}_sl")
    answer_time = mid.number_input("Answer time T (s)", 0.0, value=20.0, key=f"{prefix}_t")
    asa = right.number_input("Maximum ASA (s, 0 = none)", 0.0, value=0.0, key=f"{prefix}_asa")
    left, mid, _ = st.columns(3)
    occupancy = left.slider(
        "Maximum occupancy (1.00 = none)", 0.5, 1.0, 1.0, 0.01, key=f"{prefix}_occ"
    )
    abandon = None
    if patience:
        abandon = mid.slider(
            "Maximum abandon rate (0.50 = none)", 0.01, 0.5, 0.5, 0.01, key=f"{prefix}_ab"
        )
    try:
        return planner.Targets(
            service_level=sl,
            answer_time=answer_time,
            asa=asa or None,
            max_occupancy=None if occupancy >= 1.0 else occupancy,
            max_abandon=None if abandon is None or abandon >= 0.5 else abandon,
        )
    except planner.InputError as err:
        st.error(str(err))
        return None


# -- pages ---------------------------------------------------------------------


def scenario_page() -> None:
    """The scenario's staffing per interval (its plan, or the requirement)."""
    base = st.session_state["base"]
    whatif_sidebar(base)
    scenario = _current_or_stop()
    st.title("Staffing")
    st.caption(f"Scenario: **{scenario.name}** - {scenario.description}")
    try:
        table = _evaluate(scenario)
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
    plan = "its own plan" if scenario.plan is not None else "the requirement"
    st.caption(
        f"{model}, staffed to {plan}; service level is calls answered within "
        f"{scenario.targets.answer_time:g} s over offered calls (the day's figure weights "
        "each interval by its calls); scheduled = agents / (1 - shrinkage), rounded up."
    )
    plan_warnings(table, scenario.targets)
    table = table.assign(
        driven_by=planner.binding_targets(
            table, table["agents"], scenario.targets, scenario.interval, scenario.mean_patience
        )
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
            "required_agents": st.column_config.NumberColumn("required"),
            "service_level": st.column_config.NumberColumn("service level", format="%.1f%%"),
            "asa": st.column_config.NumberColumn("asa (s)", format="%.1f"),
            "occupancy": st.column_config.NumberColumn("occupancy", format="%.1f%%"),
            "abandon_rate": st.column_config.NumberColumn("abandon rate", format="%.1f%%"),
            "driven_by": st.column_config.TextColumn("driven by"),
        },
    )
    left, right = st.columns(2)
    left.download_button(
        "Download staffing (CSV)",
        table.to_csv(index=False),
        file_name="staffing.csv",
        mime="text/csv",
    )
    right.download_button(
        "Download scenario (TOML)",
        scenario.dumps(),
        file_name=f"{_slug(scenario.name)}.toml",
        mime="application/toml",
        key="scenario_toml",
    )


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
    left, mid, _ = st.columns(3)
    shrinkage = left.slider("Shrinkage", 0.0, 0.7, 0.3, 0.01, key="calc_shrinkage")
    use_patience = mid.checkbox("Callers abandon (Erlang A)", False, key="calc_use_patience")
    patience = (
        mid.number_input("Mean patience (s)", 1.0, value=120.0, key="calc_patience")
        if use_patience
        else None
    )
    targets = targets_inputs("calc", patience is not None)
    if targets is None:
        return
    try:
        agents = int(planner.required_agents(calls, aht, interval, targets, patience))
    except planner.InputError as err:
        st.error(str(err))
        return
    around = [n for n in range(agents - 2, agents + 4) if n >= 0]
    table = planner.interval_metrics(around, calls, aht, interval, targets, patience)
    table.insert(0, "agents", around)
    table.insert(1, "scheduled", planner.scheduled_staff(around, shrinkage))
    table.insert(2, "required", [n == agents for n in around])
    row = table[table["agents"] == agents].iloc[0]
    cols = st.columns(5)
    cols[0].metric("Agents needed", agents)
    cols[1].metric("Scheduled (after shrinkage)", int(row["scheduled"]))
    cols[2].metric("Service level", f"{row['service_level']:.1%}")
    cols[3].metric("ASA (s)", f"{row['asa']:.1f}")
    if patience is not None:
        cols[4].metric("Abandon rate", f"{row['abandon_rate']:.1%}")
    else:
        cols[4].metric("Occupancy", f"{row['occupancy']:.1%}")
    day = pd.DataFrame({"calls": [calls], "aht": [aht]})
    driven = planner.binding_targets(day, [agents], targets, interval, patience)[0]
    if driven:
        st.caption(f"Driven by: {driven}.")
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


def _edits_changed(editor: str, day: str, starts: list[str]) -> None:
    """on_change of a day's table: keep its edits by (day, interval start), not by row."""
    changes = st.session_state[editor].get("edited_rows", {})
    edits = st.session_state.setdefault("edits", {})
    for row, values in changes.items():
        edits.setdefault((day, starts[int(row)]), {}).update(values)
    st.session_state["edit_version"] = st.session_state.get("edit_version", 0) + 1


def _reset_edits(day: str) -> None:
    edits = st.session_state.setdefault("edits", {})
    for key in [k for k in edits if k[0] == day]:
        del edits[key]
    st.session_state["edit_version"] = st.session_state.get("edit_version", 0) + 1


def intraday_page() -> None:
    """History -> forecast -> requirements per interval, editable per day and interval."""
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
    left, mid, _ = st.columns(3)
    shrinkage = left.slider("Shrinkage", 0.0, 0.7, 0.3, 0.01, key="intraday_shrinkage")
    use_patience = mid.checkbox("Callers abandon (Erlang A)", False, key="intraday_abandon")
    patience = (
        mid.number_input("Mean patience (s)", 1.0, value=120.0, key="intraday_patience")
        if use_patience
        else None
    )
    targets = targets_inputs("intraday", patience is not None)
    if targets is None:
        return
    try:
        history = _history(text)
        model = _forecast(text, country.strip() or None)
    except planner.InputError as err:
        st.error(f"Could not use this history: {err}")
        return
    for note in history.notes:
        st.info(note)
    table = planner.forecast_requirements(
        model, int(horizon), targets, shrinkage=shrinkage, patience=patience,
        quantile=None if quantile == 0.5 else quantile,
    )  # fmt: skip
    days = sorted({t.date() for t in table.index})
    if not days:
        st.info("No open interval in the horizon: every day ahead is closed. Try a longer one.")
        return
    day = st.selectbox("Day", days, key="plan_day", format_func=lambda d: d.strftime("%a %d %b %Y"))
    plan = table[[t.date() == day for t in table.index]].copy()
    starts = [t.strftime("%H:%M") for t in plan.index]
    plan.index = starts
    st.line_chart(plan[["calls_mean", "calls_lower", "calls_upper"]], y_label="calls")
    edits = st.session_state.setdefault("edits", {})
    key_day = str(day)
    base = plan[["calls", "aht", "agents"]].reset_index(names="start")
    base["edited"] = False
    for i, start in enumerate(starts):
        for col, value in edits.get((key_day, start), {}).items():
            base.loc[i, col] = value
            base.loc[i, "edited"] = True
    st.caption(
        "Edit calls, AHT or agents; the service figures follow. Edits stay with their day "
        "and interval."
    )
    editor = f"plan_editor@{key_day}@{st.session_state.get('edit_version', 0)}"
    edited = st.data_editor(
        base, hide_index=True, disabled=["start", "edited"], key=editor,
        on_change=_edits_changed, args=(editor, key_day, starts),
    )  # fmt: skip
    if base["edited"].any():
        st.button("Reset this day's edits", on_click=_reset_edits, args=(key_day,))
    try:
        result = planner.evaluate_plan(
            edited.rename(columns={"start": "interval_start"}).drop(columns="agents"),
            edited["agents"], targets, model.interval, shrinkage, patience,
        )  # fmt: skip
    except planner.InputError as err:
        st.error(str(err))
        return
    plan_warnings(result, targets)
    st.bar_chart(
        result.set_index("interval_start")[["agents", "scheduled"]], stack=False, y_label="agents"
    )
    st.dataframe(_percent(result, ("service_level", "occupancy", "abandon_rate")), hide_index=True)
    st.download_button(
        "Download plan (CSV)", result.to_csv(index=False), f"plan_{day}.csv", "text/csv"
    )


def simulation_page() -> None:
    """Replications of the scenario's plan: service and abandonment with CIs."""
    base = st.session_state["base"]
    whatif_sidebar(base)
    scenario = _current_or_stop()
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
        "Replications", 2, 200, scenario.simulation.replications,
        key=f"reps@{st.session_state['token']}",
    )  # fmt: skip
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
    st.dataframe(compare, hide_index=True, key="sim_table")
    st.download_button(
        "Download simulation (CSV)", res.to_frame().to_csv(index=False), "simulation.csv",
        "text/csv",
    )  # fmt: skip


def simulation_warnings(
    scenario: planner.Scenario, res: planner.SimulationResult, compare: pd.DataFrame
) -> None:
    """Say when the simulation misses the service-level target, or cannot tell."""
    target = scenario.targets.service_level
    day = res.day("service_level")
    if target is not None and day.ci_high < target:
        st.error(
            f"The simulated day misses the {target:.0%} service-level target: {day.mean:.1%} "
            f"(95% CI {day.ci_low:.1%} - {day.ci_high:.1%}); the formula promised "
            f"{planner.day_summary(_evaluate(scenario), scenario.interval)['service_level']:.1%}."
        )
    if target is not None:
        below = (compare["service_level_high"] < target).to_numpy()
        if below.any():
            st.warning(
                f"Below the {target:.0%} target in simulation (the whole 95% CI): "
                f"{_labels(compare, below, 'start')}."
            )
    half = (day.ci_high - day.ci_low) / 2
    if res.replications < MIN_REPLICATIONS or half > WIDE_CI:
        st.info(
            f"{res.replications} replications give a day service level of {day.mean:.1%} "
            f"+- {half:.1%}: add replications for a narrower interval."
        )


def compare_page() -> None:
    """Scenarios side by side: agents, service level and cost."""
    base = st.session_state["base"]
    whatif_sidebar(base)
    current_scenario = _current_or_stop()
    st.title("Compare scenarios")
    source = st.session_state["source"]
    others = [name for name, path in BUNDLED.items() if str(path.resolve()) != source]
    chosen = st.multiselect("Scenarios", others, default=others[:2], key="compare")
    labelled = [(f"{current_scenario.name} (current)", current_scenario)]
    labelled += [(f"{_load(str(BUNDLED[n])).name} ({n})", _load(str(BUNDLED[n]))) for n in chosen]
    rows = []
    for label, s in labelled:
        day = s.summary()
        rows.append(
            {
                "scenario": label,
                "calls": day["calls"],
                "peak agents": int(day["peak_agents"]),
                "agent hours": day["agent_hours"],
                "scheduled hours": day["scheduled_hours"],
                "cost": day["cost"],
                "service level": day["service_level"],
            }
        )
    table = pd.DataFrame(rows)
    st.dataframe(table, hide_index=True, key="compare_table")
    chart = (
        alt.Chart(table)
        .mark_bar()
        .encode(
            x=alt.X("scenario:N", sort=None, title=None),
            y=alt.Y("scheduled hours:Q", title="scheduled (paid) agent hours"),
        )
    )
    st.altair_chart(chart, width="stretch")
    st.download_button(
        "Download comparison (CSV)", table.to_csv(index=False), "comparison.csv", "text/csv"
    )


PAGES = {
    "Scenario": ("scenario", scenario_page),
    "Calculator": ("calculator", calculator_page),
    "Intraday planner": ("intraday", intraday_page),
    "Simulation": ("simulation", simulation_page),
    "Compare scenarios": ("compare", compare_page),
}


def main() -> None:
    st.set_page_config(page_title="planner", layout="wide")
    wanted = st.query_params.get("page", "scenario")
    names = list(PAGES)
    default = next((i for i, n in enumerate(names) if PAGES[n][0] == wanted), 0)
    with st.sidebar:
        page = st.radio("Page", names, index=default, key="page")
    st.query_params["page"] = PAGES[page][0]  # the address follows the page
    scenario_sidebar()
    PAGES[page][1]()


main()
