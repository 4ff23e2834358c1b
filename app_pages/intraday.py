"""The Intraday planner: history -> forecast -> staffing, editable per day and interval."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

import planner
import planner._tables
import planner.calls
import planner.io
import planner.sample
from app_pages import common


def _edits_changed(editor: str, day: str, starts: list[str]) -> None:
    """on_change of a day's table: keep its edits by (day, interval start), not by row."""
    changes = st.session_state[editor].get("edited_rows", {})
    edits = st.session_state["inputs"].setdefault("edits", {})
    for row, values in changes.items():
        edits.setdefault((day, starts[int(row)]), {}).update(values)
    st.session_state["edit_version"] = st.session_state.get("edit_version", 0) + 1


def _reset_edits(day: str) -> None:
    edits = st.session_state["inputs"].setdefault("edits", {})
    for key in [k for k in edits if k[0] == day]:
        del edits[key]
    st.session_state["edit_version"] = st.session_state.get("edit_version", 0) + 1


def _open_day(
    fitted: planner.FittedForecast,
    day: date,
    table: pd.DataFrame | None,
    targets: planner.Targets,
    shrinkage: float,
    patience: float | None,
    name: str,
) -> None:
    """on_click: the day's forecast as the current scenario, with the calls and AHT of
    ``table`` where the day was edited, costed as the scenario it replaces."""
    state = st.session_state
    try:
        scenario = planner.Scenario.from_forecast(
            fitted, day=str(day), name=name, targets=targets, shrinkage=shrinkage,
            patience=patience, **common.costs(state["base"]),
        )  # fmt: skip
        starts = [f"{t:%H:%M}" for t in pd.date_range(
            f"{day} {scenario.start}", periods=len(scenario.calls),
            freq=f"{int(scenario.interval)}s",
        )]  # fmt: skip
        if table is not None and starts == [str(s) for s in table.index]:  # edits carry
            scenario = scenario.with_changes(
                calls=tuple(float(x) for x in table["calls"]),
                aht=tuple(float(x) for x in table["aht"]),
            )
    except planner.InputError as err:
        state["opened_day"] = (False, f"Could not open this day: {err}")
        return
    common._open(scenario, f"upload:{name}", keep_inputs=True)
    state["opened_day"] = (
        True,
        f"Opened **{name}** as the scenario: see the Scenario, Simulation, Schedule and "
        "Compare pages.",
    )


ZONES = ["", "UTC", "Europe/London", "Europe/Berlin", "America/New_York", "America/Chicago",
         "America/Los_Angeles", "Asia/Kolkata", "Australia/Sydney"]  # fmt: skip
NO_AHT = "(none: one AHT for every interval)"


def read_options(upload: tuple[str, bytes, str] | None) -> tuple[str | None, tuple[Any, ...]]:
    """The upload's text and how to read it: columns, AHT, time zone, name, roll-up.

    ``upload`` is (file name, bytes, file id), as :func:`common.kept_upload`
    keeps it. Asks for what the export does not say: which column is which
    (the recognised headers preselected), a constant AHT when there is no
    AHT column, the zone of UTC stamps, and a longer planning interval. The
    answers are kept per upload: another file starts from its own headers.
    """
    if upload is None:
        st.caption("Without an upload: the bundled sample (20 weeks, US holidays).")
        return None, ()
    name, raw, file_id = upload
    suffix = Path(name).suffix.lower()
    if suffix not in (".csv", ".txt"):
        st.error(
            f"{name} is a {suffix or 'file without an extension'}: export the interval "
            "history from your ACD as CSV (comma-separated text)."
        )
        st.stop()
    try:
        text = planner._tables.decode(raw, name)  # as read_history decodes a file
    except planner.InputError as err:
        st.error(str(err))
        st.stop()
    header = next(csv.reader(io.StringIO(text)), [])
    headers = [h.strip() for h in header if h.strip()]
    if not headers:
        st.error(f"{name}: empty file, expected a header row.")
        st.stop()
    if planner.io.is_call_log(headers):
        return text, call_log_options(name, text, headers, file_id)
    guess = planner.io.guess_columns(headers)

    def pick(column: st.delta_generator.DeltaGenerator, label: str, role: str,
             extra: list[str]) -> str:  # fmt: skip
        options = extra + headers
        default = guess.get(role)
        first = default if default in options else options[0]
        return column.selectbox(label, options, **common.kept(f"col_{role}:{file_id}", first))

    st.caption(f"Reading **{name}**: say which column is which.")
    left, mid, right = st.columns(3)
    start = pick(left, "Interval start", "interval_start", [])
    calls = pick(mid, "Offered calls", "calls", [])
    aht_column = pick(right, "AHT (seconds)", "aht", [NO_AHT])
    left, mid, right = st.columns(3)
    aht = None
    if aht_column == NO_AHT:
        aht = left.number_input(
            "AHT for every interval (s)", 1.0, **common.kept(f"const_aht:{file_id}", 300.0)
        )
    zone = mid.selectbox(
        "Time stamps in UTC? Plan in", ZONES, **common.kept(f"timezone:{file_id}", ""),
        format_func=lambda z: z or "no: the stamps are local time",
    )  # fmt: skip
    rollup = right.selectbox(
        "Plan in intervals of", [0, 900, 1800, 3600], **common.kept(f"rollup:{file_id}", 0),
        format_func=lambda s: f"{s // 60} minutes" if s else "as exported",
    )  # fmt: skip
    columns = {start: "interval_start", calls: "calls"}
    if aht is None:
        columns[aht_column] = "aht"
    if len(columns) < 2 + (aht is None):
        st.error("Pick a different column for each of interval start, calls and AHT.")
        st.stop()
    return text, (tuple(columns.items()), aht, zone or None, name, rollup or None, None)


def call_log_options(name: str, text: str, headers: list[str], file_id: str) -> tuple[Any, ...]:
    """How to count a call-level log: the interval, the queue (when it has queues)."""
    st.caption(
        f"**{name}** is a call-level log (one row per call): its calls are counted per "
        "interval (offered, handled, abandoned, answered in 20 s, AHT)."
    )
    left, mid, right = st.columns(3)
    interval = left.selectbox(
        "Count calls in intervals of", [900, 1800, 3600],
        **common.kept(f"log_interval:{file_id}", 1800),
        format_func=lambda s: f"{s // 60} minutes",
    )  # fmt: skip
    queue = None
    column = planner.calls.queue_column(headers)
    if column is not None:
        values = pd.read_csv(io.StringIO(text), usecols=[column], dtype=str)[column]
        queues = values.fillna("").str.strip().replace("", "(blank)").value_counts().index
        every = "(all queues)"
        picked = mid.selectbox("Queue", [every, *queues], **common.kept(f"queue:{file_id}", every))
        queue = None if picked == every else picked
    zone = right.selectbox(
        "Time stamps in UTC? Plan in", ZONES, **common.kept(f"timezone:{file_id}", ""),
        format_func=lambda z: z or "no: the stamps are local time",
    )  # fmt: skip
    return (None, None, zone or None, name, interval, queue)


def calendar_option(text: str | None) -> tuple[str, str] | None:
    """The center's calendar of closures and special days: an upload, or for the sample
    the sample bank's own (closed on every US holiday)."""
    upload = common.kept_upload(
        "Your calendar of closures and special days (CSV or TOML: date, name, volume)",
        "calendar", type=["csv", "toml", "txt"],
        help="volume: closed, normal, or calls relative to an ordinary day (1.4 = 40% "
        "busier). It overrides what the history suggests for those dates.",
    )  # fmt: skip
    if upload is not None:
        try:
            return upload[0], upload[1].decode("utf-8-sig")
        except UnicodeDecodeError:
            st.error(f"{upload[0]}: not UTF-8 text; save the calendar as CSV or TOML in UTF-8.")
            st.stop()
    if text is None:
        path = planner.sample.SAMPLE_CALENDAR_PATH
        st.caption(f"With the sample: the sample bank's calendar ({path.name}).")
        return path.name, path.read_text()
    return None


def horizon_view(fitted: planner.FittedForecast, horizon: int) -> None:
    """Calls per day over the horizon with the 90% band, beside the weeks before."""
    ahead = fitted.daily_forecast(horizon)
    days = fitted.history.days
    before = days[days.index > ahead.index[0] - pd.Timedelta(weeks=3)]
    frame = pd.concat(
        [
            pd.DataFrame({"day": before.index, "calls": before.to_numpy(), "series": "actual"}),
            pd.DataFrame(
                {"day": ahead.index, "calls": ahead["mean"].to_numpy(), "series": "forecast"}
            ),
        ],
        ignore_index=True,
    )
    band = ahead.reset_index(names="day")
    lines = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("day:T", title=None),
            y=alt.Y("calls:Q", title="calls offered per day"),
            color=alt.Color("series:N", title=None),
            tooltip=["day:T", "series", alt.Tooltip("calls:Q", format=",.0f")],
        )
    )
    area = (
        alt.Chart(band)
        .mark_area(opacity=0.25)
        .encode(x="day:T", y="pi_lower:Q", y2="pi_upper:Q", tooltip=["day:T"])
    )
    st.subheader("The horizon, day by day")
    st.caption("Shaded: the 90% prediction band, from the method's own backtest errors.")
    st.altair_chart(area + lines, width="stretch")


def week_view(table: pd.DataFrame, interval: float, names: dict[date, str]) -> None:
    """Days x intervals of required agents, and each week's hours and FTE."""
    st.subheader("The days ahead")
    stamps = pd.DatetimeIndex(table.index)
    frame = pd.DataFrame(
        {
            "day": [planner.forecast.day_label(t.date(), names) for t in stamps],
            "time": stamps.strftime("%H:%M"),
            "agents": table["agents"].to_numpy(),
            "calls": table["calls"].round().to_numpy(),
        }
    )
    order = list(dict.fromkeys(frame["day"]))
    heat = (
        alt.Chart(frame)
        .mark_rect()
        .encode(
            x=alt.X("time:O", title="interval start"),
            y=alt.Y("day:O", sort=order, title=None),
            color=alt.Color("agents:Q", title="agents required", scale=alt.Scale(scheme="blues")),
            tooltip=["day", "time", "agents", "calls"],
        )
    )
    st.altair_chart(heat, width="stretch")
    per_fte = st.number_input(
        "Paid hours per full-time agent (FTE) a week", 1.0, 60.0, step=0.5,
        **common.kept("fte_hours", 37.5),
    )  # fmt: skip
    weeks = planner.weekly_summary(table, interval, fte_hours=per_fte)
    weeks["week_start"] = [planner.forecast.day_label(d.date()) for d in weeks["week_start"]]
    weeks = weeks.rename(columns={
        "week_start": "week of", "open_days": "open days", "agent_hours": "agent hours",
        "scheduled_hours": "scheduled hours", "fte": "FTE",
    })  # fmt: skip
    st.dataframe(
        weeks, hide_index=True, key="weeks",
        column_config={
            "calls": st.column_config.NumberColumn(format="%.0f"),
            "agent hours": st.column_config.NumberColumn(format="%.1f"),
            "scheduled hours": st.column_config.NumberColumn(format="%.1f"),
            "FTE": st.column_config.NumberColumn(format="%.1f"),
        },
    )  # fmt: skip
    horizon = table.reset_index()
    common.download_buttons(horizon, "horizon", "the whole horizon", key="horizon")


def day_chart(band: pd.DataFrame) -> None:
    """The day's forecast per interval with its 90% prediction band shaded, and the
    same weekday one and two weeks before."""
    frame = band.reset_index(names="start")
    x = alt.X("start:N", title="interval start", sort=None)
    area = (
        alt.Chart(frame)
        .mark_area(opacity=0.25)
        .encode(
            x=x,
            y=alt.Y("lower end of the 90% prediction interval:Q", title="calls offered"),
            y2="upper end of the 90% prediction interval:Q",
        )
    )
    lines = (
        alt.Chart(frame)
        .transform_fold(
            ["forecast", "actual 1 week before", "actual 2 weeks before"], as_=["series", "calls"]
        )
        .mark_line(point=True)
        .encode(
            x=x,
            y="calls:Q",
            color=alt.Color("series:N", title=None),
            strokeDash=alt.condition(
                "datum.series == 'forecast'", alt.value([1, 0]), alt.value([4, 3])
            ),
            tooltip=["start", "series:N", alt.Tooltip("calls:Q", format=",.1f")],
        )
    )
    st.altair_chart(area + lines, width="stretch")
    st.caption("Shaded: the 90% prediction band of the forecast.")


def intraday_page() -> None:
    """History -> forecast -> requirements per interval, editable per day and interval."""
    st.title("Intraday planner")
    upload = common.kept_upload("Interval history (CSV export, or a call-level log)", "history")
    text, reading = read_options(upload)
    left, mid, right = st.columns(3)
    horizon = left.number_input("Horizon (days)", 1, 28, **common.kept("horizon", 7))
    country = mid.text_input(
        "Holidays of (country code)", **common.kept("country", "US"),
        help="public holidays of this country (ISO code: US, GB, DE, ...); blank: none",
    )  # fmt: skip
    quantile = right.select_slider(
        "Staff for", options=[0.5, 0.8, 0.9, 0.95], **common.kept("quantile", 0.5),
        help=common.HELP["quantile"],
        format_func=lambda q: "the mean" if q == 0.5 else f"P{int(q * 100)} of calls",
    )  # fmt: skip
    calendar = calendar_option(text)
    targets, shrinkage, patience = common.staffing_inputs("intraday")
    try:
        history = common.history(text, reading)
        fitted = common.forecast(text, reading, country.strip() or None, calendar)
    except planner.InputError as err:
        st.error(f"Could not use this history: {err}")
        return
    for note in history.notes:
        st.info(note)
    chosen = fitted.backtest_table.loc[fitted.method]
    st.caption(
        f"Forecast by **{fitted.method}**, the best of {len(fitted.backtest_table)} methods on a "
        f"backtest of this history: interval WAPE {chosen['wape']:.1%}, and its 90% band "
        f"held {chosen['coverage_90']:.1%} of the intervals and "
        f"{chosen['day_coverage_90']:.1%} of the days that followed."
    )
    with st.expander("How the method was chosen (rolling-origin backtest)"):
        st.caption(f"WAPE: {common.HELP['wape']}.")
        shown = fitted.backtest_table.rename(
            columns={
                "wape": "WAPE", "mape": "MAPE", "coverage_90": "90% band held",
                "day_coverage_90": "90% band held (days)",
            }
        )  # fmt: skip
        st.dataframe(
            shown, key="backtest",
            column_config={
                c: st.column_config.NumberColumn(format="percent", step=0.001)  # "12.3%"
                for c in ("WAPE", "MAPE", "bias", "90% band held", "90% band held (days)")
            },
        )  # fmt: skip
        if not fitted.holidays.empty:
            st.caption("What each holiday in the history was (the forecast repeats it):")
            st.dataframe(fitted.holidays, key="holidays_seen")
    for note in fitted.notes(int(horizon)):  # a holiday the history never had is a warning
        (st.warning if "warning:" in note else st.info)(note)
    inputs = st.session_state["inputs"]
    source = (upload[2] if upload is not None else "sample", reading)
    if inputs.get("edits_source") != source:  # another history: its own edits
        inputs["edits_source"] = source
        inputs["edits"] = {}
    table = planner.forecast_requirements(
        fitted, int(horizon), targets, shrinkage=shrinkage, model=planner.erlang_model(patience),
        quantile=None if quantile == 0.5 else quantile,
    )  # fmt: skip
    days = sorted({t.date() for t in table.index})
    if not days:
        st.info("No open interval in the horizon: every day ahead is closed. Try a longer one.")
        return
    names = fitted.day_names
    horizon_view(fitted, int(horizon))
    week_view(table, fitted.interval, names)
    if inputs.get("plan_day") not in days:  # a shorter horizon, or another history
        inputs.pop("plan_day", None)
    day = st.selectbox(
        "Day", days, **common.kept("plan_day", days[0]),
        format_func=lambda d: planner.forecast.day_label(d, names),
    )  # fmt: skip
    plan = table[[t.date() == day for t in table.index]].copy()
    starts = [t.strftime("%H:%M") for t in plan.index]
    plan.index = starts
    band = plan[["calls_mean", "calls_lower", "calls_upper"]].rename(
        columns={
            "calls_mean": "forecast",
            "calls_lower": "lower end of the 90% prediction interval",
            "calls_upper": "upper end of the 90% prediction interval",
        }
    )
    calls = history.frame["calls"]
    for weeks_back in (1, 2):
        then = pd.Timestamp(day) - pd.Timedelta(weeks=weeks_back)
        past = calls[pd.DatetimeIndex(calls.index).normalize() == then]
        label = f"actual {weeks_back} week{'s' if weeks_back > 1 else ''} before"
        band[label] = pd.Series(past.to_numpy(), index=past.index.strftime("%H:%M")).reindex(
            band.index
        )
    day_chart(band)
    edits = inputs.setdefault("edits", {})
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
    version = st.session_state.get("edit_version", 0)
    editor = f"plan_editor@{key_day}@{st.session_state['token']}@{version}"
    edited = st.data_editor(
        base, hide_index=True, disabled=["start", "edited"], key=editor,
        on_change=_edits_changed, args=(editor, key_day, starts),
        column_config={
            "calls": st.column_config.NumberColumn("calls", format="%.1f", min_value=0),
            "aht": st.column_config.NumberColumn("AHT (s)", format="%.0f", min_value=1),
            "agents": st.column_config.NumberColumn("agents", min_value=0, step=1),
        },
    )  # fmt: skip
    if base["edited"].any():
        st.button("Reset this day's edits", on_click=_reset_edits, args=(key_day,))
    by_time = edited.set_index(edited["start"].rename("interval_start"))  # errors name the time
    try:
        result = planner.evaluate_plan(
            by_time.drop(columns=["start", "agents"]), by_time["agents"], targets,
            fitted.interval, shrinkage, model=planner.erlang_model(patience),
        ).reset_index()  # fmt: skip
    except planner.InputError as err:
        st.error(f"{day}: {err}")
        return
    common.plan_warnings(result, targets)
    st.bar_chart(
        result.set_index("interval_start")[["agents", "scheduled"]], stack=False,
        x_label="interval start", y_label="agents (on the phones, and scheduled)",
    )  # fmt: skip
    common.show_table(result)
    common.download_buttons(result, f"plan_{day}", "plan", key="plan")
    label = planner.forecast.day_label(day, names)
    st.subheader("Plan this day on every page")
    st.caption(
        f"Opens {label} as the scenario: the forecast's calls and AHT per interval (with "
        "your edits of calls and AHT), the targets, shrinkage and patience set on this "
        "page. The Scenario, Simulation, Schedule and Compare pages then plan it, and the "
        "Scenario page saves it as a file. Your upload and this page stay as they are."
    )
    name = f"{upload[0] if upload is not None else 'Sample bank'} - {label}"
    st.button(
        f"Open {label} as the scenario", key="open_day", on_click=_open_day,
        args=(fitted, day, by_time if base["edited"].any() else None, targets, shrinkage,
              patience, name),
    )  # fmt: skip
    if "opened_day" in st.session_state:
        done, said = st.session_state.pop("opened_day")
        (st.success if done else st.error)(said)


intraday_page()
