"""The Intraday planner: history -> forecast -> staffing, editable per day and interval."""

from __future__ import annotations

import streamlit as st

import planner
from pages import common


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
    targets, shrinkage, patience = common.staffing_inputs("intraday")
    try:
        history = common.history(text)
        model = common.forecast(text, country.strip() or None)
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
    common.plan_warnings(result, targets)
    st.bar_chart(
        result.set_index("interval_start")[["agents", "scheduled"]], stack=False, y_label="agents"
    )
    st.dataframe(
        common.percent(result, ("service_level", "occupancy", "abandon_rate")), hide_index=True
    )
    st.download_button(
        "Download plan (CSV)", result.to_csv(index=False), f"plan_{day}.csv", "text/csv"
    )


intraday_page()
