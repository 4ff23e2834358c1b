"""The Schedule page: the scenario's requirement as shifts people can work.

The templates and rules start from the scenario's ``[schedule]`` section (or
two starting templates when it has none). What is edited here is a what-if of
the scenario (``templates``, ``coverage``, ``max_part_time``, ...), so the
Scenario page's download saves it, and the schedule shown is
``Scenario.schedule()``: what ``planner schedule --scenario`` prints.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

import planner
from app_pages import common
from planner.scenario.file import template_table
from planner.schedule import Break, ScheduleSettings, ShiftTemplate

HOUR = 3600.0
WEEK = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
COLUMNS = {
    "name": None, "hours": 8.0, "earliest start": "08:00", "latest start": "12:00",
    "every (min)": 30.0, "days off": 2, "days off together": True, "start band (min)": 0.0,
    "weekends off": 0, "min rest (h)": 0.0, "break spacing (min)": 0.0, "part time": False,
    "cost per hour": 20.0, "at least": 0, "at most": None,
}  # fmt: skip
# The breaks editor: one row per break of a template (``shift`` its name), any number each.
BREAK_COLUMNS = {"shift": None, "minutes": 15.0, "from (h)": 1.5, "to (h)": 2.5, "paid": True}
# The templates a scenario without a [schedule] starts with (fitted to its day by
# :func:`starting`): a full-time day with a paid break and an unpaid lunch, and a
# part-time half day.
STARTING = (
    ShiftTemplate(
        "full time", 8.5 * HOUR, every=1800, earliest="08:00", latest="12:00",
        breaks=(Break(900, 1.5 * HOUR, 2.5 * HOUR), Break(1800, 3.5 * HOUR, 5 * HOUR, False)),
        cost_per_hour=20.0,
    ),
    ShiftTemplate(
        "part time", 4 * HOUR, every=1800, earliest="08:00", latest="16:00",
        cost_per_hour=22.0, max_count=10, part_time=True,
    ),
)  # fmt: skip


def starting(scenario: planner.Scenario) -> tuple[ShiftTemplate, ...]:
    """The two templates a scenario without a [schedule] starts with, fitted to its day:
    full time (8.5 h, a paid break and an unpaid lunch) and part time (4 h, at most 10),
    starting every 30 minutes from the opening, the last start ending at the close.
    They cost the scenario's ``cost_per_hour`` (part time 10% more, as the examples'
    20 and 22), so the Schedule page's cost is in the Scenario and Compare pages' terms."""
    first = planner._validate.clock_seconds("start", scenario.start)
    end = first + len(scenario.calls) * scenario.interval
    rate = scenario.cost_per_hour
    out = []
    for template in STARTING:
        length = min(template.length, end - first)
        latest = first + (end - first - length) // 1800 * 1800
        cost = (
            template.cost_per_hour if rate is None else rate * (1.1 if template.part_time else 1.0)
        )
        out.append(
            dataclasses.replace(
                template, length=length, earliest=scenario.start,
                latest=planner._validate.clock_label(latest % 86400),
                breaks=template.breaks if length == template.length else (),
                cost_per_hour=round(cost, 2),
            )
        )  # fmt: skip
    return tuple(out)


def editable(templates: tuple[ShiftTemplate, ...]) -> bool:
    """The editors hold templates that start every so often on any weekday (fixed start
    times and work days are set in the scenario file)."""
    return all(t.starts is None and t.work_days == tuple(range(7)) for t in templates)


def editor_rows(templates: tuple[ShiftTemplate, ...]) -> pd.DataFrame:
    """Templates as the templates editor's rows (see :func:`editable`; the breaks are
    :func:`break_rows`)."""
    rows = []
    for t in templates:
        row: dict[str, Any] = dict(COLUMNS) | {
            "name": t.name, "hours": t.length / HOUR, "earliest start": t.earliest,
            "latest start": t.latest, "every (min)": t.every / 60, "days off": t.days_off,
            "days off together": t.consecutive_off, "start band (min)": t.start_band / 60,
            "weekends off": t.weekends_off, "min rest (h)": t.min_rest / HOUR,
            "break spacing (min)": t.break_spacing / 60, "part time": t.part_time,
            "cost per hour": t.cost_per_hour, "at least": t.min_count, "at most": t.max_count,
        }  # fmt: skip
        rows.append(row)
    return pd.DataFrame(rows, columns=list(COLUMNS))


def break_rows(templates: tuple[ShiftTemplate, ...]) -> pd.DataFrame:
    """The templates' breaks as the breaks editor's rows: the template's name, minutes,
    the window its start falls in (hours after the shift starts) and whether it is paid."""
    rows = [
        {"shift": t.name, "minutes": b.length / 60, "from (h)": b.earliest / HOUR,
         "to (h)": b.latest / HOUR, "paid": b.paid}
        for t in templates for b in t.breaks
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=list(BREAK_COLUMNS))


def _filled(row: pd.Series, columns: dict[str, Any]) -> dict[str, Any]:
    """An editor's row with each empty cell the column's default."""
    value = row.to_dict()
    for name, default in columns.items():
        if default is not None and pd.isna(value.get(name)):
            value[name] = default
    return value


def templates_from_editor(table: pd.DataFrame, breaks: pd.DataFrame) -> tuple[ShiftTemplate, ...]:
    """The editors' rows as templates: ``table`` one row per template, ``breaks`` one
    row per break naming its template (a row of 0 minutes is no break)."""
    rows = [_filled(row, COLUMNS) for _, row in table.dropna(subset=["name", "hours"]).iterrows()]
    names = [str(value["name"]) for value in rows]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise planner.InputError(
            f"two templates are named {twice[0]!r}: give each its own name (breaks name them)"
        )
    breaks_of: dict[str, list[Break]] = {n: [] for n in names}
    for number, (_, row) in enumerate(breaks.iterrows(), start=1):
        if pd.isna(row.get("shift")) and pd.isna(row.get("minutes")):
            continue  # an empty row the editor added
        value = _filled(row, BREAK_COLUMNS)
        shift = None if pd.isna(row.get("shift")) else str(value["shift"])
        if shift not in breaks_of:
            raise planner.InputError(
                f"break row {number} names the template {shift!r}; the templates are "
                f"{', '.join(repr(n) for n in names) or 'none'}"
            )
        if float(value["minutes"]) > 0:
            breaks_of[shift].append(
                Break(float(value["minutes"]) * 60, float(value["from (h)"]) * HOUR,
                      float(value["to (h)"]) * HOUR, bool(value["paid"]))
            )  # fmt: skip
    out = []
    for value in rows:
        most = value.get("at most")
        out.append(
            ShiftTemplate(
                str(value["name"]), float(value["hours"]) * HOUR,
                every=float(value["every (min)"]) * 60, earliest=str(value["earliest start"]),
                latest=str(value["latest start"]), breaks=tuple(breaks_of[str(value["name"])]),
                cost_per_hour=float(value["cost per hour"]),
                min_count=int(value["at least"]),
                max_count=None if most is None or pd.isna(most) else int(most),
                days_off=int(value["days off"]), part_time=bool(value["part time"]),
                consecutive_off=bool(value["days off together"]),
                start_band=float(value["start band (min)"]) * 60,
                weekends_off=int(value["weekends off"]),
                min_rest=float(value["min rest (h)"]) * HOUR,
                break_spacing=float(value["break spacing (min)"]) * 60,
            )
        )  # fmt: skip
    return tuple(out)


def week_rows(rules: ScheduleSettings | None, start: str, end: str) -> pd.DataFrame:
    """Opening hours and call factors per weekday, as the week editor's rows."""
    hours = {} if rules is None else dict(rules.open_hours)
    factors = {} if rules is None else dict(rules.week_factors)
    rows = []
    for day in WEEK:
        span = hours.get(day, (start, end))
        rows.append(
            {"day": day, "open": span is not None, "from": span[0] if span else start,
             "to": span[1] if span else end, "calls factor": factors.get(day, 1.0)}
        )  # fmt: skip
    return pd.DataFrame(rows)


def week_rules(table: pd.DataFrame, start: str, end: str) -> dict[str, Any]:
    """The week editor's rows as ``open_hours`` and ``week_factors`` (defaults left out)."""
    hours: dict[str, Any] = {}
    factors: dict[str, float] = {}
    for _, row in table.iterrows():
        if not bool(row["open"]):
            hours[row["day"]] = None
        elif (row["from"], row["to"]) != (start, end):
            hours[row["day"]] = (str(row["from"]), str(row["to"]))
        if float(row["calls factor"]) != 1.0:
            factors[row["day"]] = float(row["calls factor"])
    return {"open_hours": hours, "week_factors": factors}


@st.cache_data(show_spinner=False, **common.CACHE)
def run(scenario: planner.Scenario) -> planner.Schedule:
    """``scenario.schedule()`` in a worker process, saying while it searches what the
    best schedule so far costs and how far from the bound it is; stopped when the page
    stops (see :func:`common.in_worker`)."""
    result: planner.Schedule = common.in_worker(scenario.schedule, searching, with_progress=True)
    return result


def searching(seconds: float, found: tuple[Any, ...] | None) -> str:
    """What the page says while HiGHS searches (``found``: its last progress)."""
    if found is None:
        return f"HiGHS, {seconds:.0f} s: looking for a first schedule..."
    return progress_text(seconds, *found[1:])


def progress_text(seconds: float, objective: float, bound: float) -> str:
    """What the page says while HiGHS searches: the best schedule so far and its gap."""
    gap = (objective - bound) / objective if objective > 0 and bound > -1e300 else float("nan")
    said = "" if gap != gap else f", within {gap:.1%} of the best possible"
    return f"HiGHS, {seconds:.0f} s: a schedule costing {objective:,.2f}{said}; still searching..."


def page_scenario() -> planner.Scenario:
    """The current scenario as this page schedules it: with the two starting templates
    when it has no [schedule] (they become a what-if only when the user edits them)."""
    scenario = common.current_or_stop()
    return (
        scenario
        if scenario.scheduling is not None
        else scenario.with_changes(templates=starting(scenario))
    )


def _set(name: str, value: Any) -> None:
    """Keep a schedule rule the user changed as a what-if of the scenario, so other pages,
    the sidebar and the downloads see it. The first rule set on a scenario without a
    [schedule] brings the templates the page starts from."""
    whatif = st.session_state["whatif"]
    if "templates" not in whatif and st.session_state["base"].scheduling is None:
        whatif["templates"] = starting(st.session_state["base"])
    whatif[name] = value


def _changed(name: str, key: str, convert: Any) -> None:
    """on_change of a rule's widget."""
    value = convert(st.session_state[key])
    _set(name, value)
    if name == "coverage":  # a budget comes with soft coverage, and goes with hard
        state = st.session_state
        try:
            scenario = state["base"].with_changes(**state["whatif"])
            rules = scenario.scheduling
        except planner.InputError:
            return  # the page says why
        if rules is None:
            return
        if value == "hard":
            _set("paid_hours", None)
        elif rules.paid_hours is None and rules.value_per_call is None:
            flexible = planner.hours(scenario.schedule_requirements()["scheduled"],
                                     scenario.interval)  # fmt: skip
            _set("paid_hours", round(0.9 * flexible, 1))


def rule(name: str, value: Any, convert: Any = lambda x: x) -> dict[str, Any]:
    """A rule's widget arguments: it shows the scenario's rule and sets a what-if only
    when the user changes it (visiting the page changes nothing)."""
    return common.seeded(name, value, _changed, convert)


TEMPLATE_COLUMNS = {
    "hours": st.column_config.NumberColumn(min_value=0.5, max_value=24, step=0.5),
    "every (min)": st.column_config.NumberColumn(min_value=15, step=15),
    "min rest (h)": st.column_config.NumberColumn(
        min_value=0, max_value=23, step=0.5,
        help="a week: least time off between one day's shift and the next"),
    "break spacing (min)": st.column_config.NumberColumn(
        min_value=0, step=15, help="least time from one break's end to the next one's start"),
    "at least": st.column_config.NumberColumn(min_value=0, step=1),
    "days off": st.column_config.NumberColumn(min_value=0, max_value=6, step=1,
                                              help="a week: days off, together"),
    "start band (min)": st.column_config.NumberColumn(
        min_value=0, step=15, help="a week: each person starts every day within "
        "this many minutes of their earliest start (0: the same start)"),
    "weekends off": st.column_config.NumberColumn(
        min_value=0, max_value=6, step=1,
        help="a week: weekends off per rotation (see Rotation weeks)"),
    "at most": st.column_config.NumberColumn(min_value=0, step=1),
}  # fmt: skip


BREAK_TABLE_COLUMNS = {
    "shift": st.column_config.TextColumn(help="the template's name"),
    "minutes": st.column_config.NumberColumn(min_value=0, step=5),
    "from (h)": st.column_config.NumberColumn(
        min_value=0, step=0.25, help="earliest start, hours after the shift starts"),
    "to (h)": st.column_config.NumberColumn(
        min_value=0, step=0.25, help="latest start, hours after the shift starts"),
    "paid": st.column_config.CheckboxColumn(help="paid breaks count in paid hours"),
}  # fmt: skip


def schedule_page() -> None:
    """Templates and rules in, shifts out: coverage, cost, service, CSV."""
    common.scenario_sidebar()
    scenario = page_scenario()
    state = st.session_state
    token = state["token"]
    st.title("Schedule")
    st.caption(
        f"Shifts for **{scenario.name}**: how many people work each shift at least cost "
        "(HiGHS), so that every interval has the people it needs on duty: the agents on the "
        "phones, after the shrinkage the shifts' breaks leave out."
    )
    rules = scenario.scheduling
    assert rules is not None
    if state["base"].scheduling is None and "templates" not in state["whatif"]:
        st.info("This scenario has no [schedule] section: starting from two example templates.")
    if editable(rules.templates):
        editor, breaks_editor = f"templates@{token}", f"breaks@{token}"
        rows = common.rows_of(editor, lambda: editor_rows(rules.templates))
        edited = st.data_editor(
            rows, num_rows="dynamic", hide_index=True, key=editor,
            column_config=TEMPLATE_COLUMNS | {"cost per hour": st.column_config.NumberColumn(
                f"cost per hour{common.in_currency(scenario)}", min_value=0, format="%.2f")},
        )  # fmt: skip
        st.caption(
            "Breaks: any number per template, each in the window its start falls in (hours "
            "after the shift starts), at least the template's break spacing apart."
        )
        break_table = common.rows_of(breaks_editor, lambda: break_rows(rules.templates))
        edited_breaks = st.data_editor(
            break_table,
            num_rows="dynamic",
            hide_index=True,
            key=breaks_editor,
            column_config=BREAK_TABLE_COLUMNS,
        )
        try:
            templates = templates_from_editor(edited, edited_breaks)
        except planner.InputError as err:
            st.error(f"Check the templates: {err}")
            return
        if not templates:
            st.error("Add at least one shift template.")
            return
        changed = not (edited.equals(rows) and edited_breaks.equals(break_table))
        if changed and templates != rules.templates:
            _set("templates", templates)
            st.rerun()  # for the sidebar to say so
    else:
        st.dataframe(pd.DataFrame([template_table(t) for t in rules.templates]))
        st.caption("These templates (fixed start times or work days) are edited in the "
                   "scenario file's [[schedule.shift]] tables.")  # fmt: skip
    left, middle, right = st.columns(3)
    horizon = left.radio("Horizon", ["day", "week"], horizontal=True,
                         **rule("horizon", rules.horizon),
                         help="week: this day on every weekday, by the opening hours and "
                         "call factors below; people work 5 days of 7 (days off)")  # fmt: skip
    coverage = middle.radio(
        "Coverage", ["hard", "soft"], horizontal=True, **rule("coverage", rules.coverage),
        help="hard: every interval covered; soft: within a budget, the intervals where a "
        "person answers fewest calls in time are left short first",
    )  # fmt: skip
    right.number_input(
        "Shrinkage beyond the breaks", 0.0, 0.9, step=0.01,
        **rule("schedule_shrinkage", scenario.schedule_shrinkage()),
        help="absence, training, meetings: the share of on-duty time off the phones that "
        "the shifts' breaks do not already leave out (the sidebar's shrinkage until set here)",
    )  # fmt: skip
    left.number_input(
        "Part time at most (share of people)", 0.0, 1.0, step=0.05,
        **rule("max_part_time", 1.0 if rules.max_part_time is None else rules.max_part_time,
               lambda x: None if x >= 1.0 else x),
    )  # fmt: skip
    middle.number_input(
        "Time limit (s)", 1.0, 3600.0, step=5.0, **rule("time_limit", float(rules.time_limit)),
        help="HiGHS returns the best schedule found by then, with its gap from the bound",
    )  # fmt: skip
    right.number_input(
        "Stop within (gap, %)", 0.01, 20.0, step=0.5, format="%.2f",
        **rule("mip_gap", round(float(rules.mip_gap) * 100, 6), lambda x: x / 100),
        help="stop once the schedule is proven this close to optimal (percent of its cost)",
    )  # fmt: skip
    end = _end(scenario)
    if horizon == "week":
        st.subheader("The week")
        editor = f"week@{token}"
        rows = common.rows_of(editor, lambda: week_rows(rules, scenario.start, end))
        week = st.data_editor(
            rows, hide_index=True, key=editor, disabled=["day"],
            column_config={"calls factor": st.column_config.NumberColumn(min_value=0.0,
                                                                         step=0.05)},
        )  # fmt: skip
        if not week.equals(rows):
            changes = week_rules(week, scenario.start, end)
            if any(getattr(rules, k) != v for k, v in changes.items()):
                for name, value in changes.items():
                    _set(name, value)
                st.rerun()
        st.number_input(
            "Rotation weeks", 1, 6, step=1, **rule("rotation_weeks", int(rules.rotation_weeks)),
            help="weeks over which each template's 'weekends off' count; the roster lists "
            "every person's weeks",
        )  # fmt: skip
    if coverage == "soft":
        middle.number_input(
            "Paid hours at most", min_value=1.0, **rule("paid_hours", rules.paid_hours),
            help="the budget: within it, the intervals where a person answers fewest calls "
            "in time are left short first",
        )  # fmt: skip
    scenario = page_scenario()
    if state.get("schedule_stopped") == scenario:
        st.info("The search was stopped. Change a rule or the time limit, or search again.")
        st.button("Search again", key="schedule_again", on_click=_forget_stop)
        return
    stop = st.empty()
    stop.button("Stop the search", key="schedule_stop", on_click=_stop, args=(scenario,))
    try:
        result = run(scenario)
    except planner.InputError as err:
        st.error(f"No schedule: {err}")
        return
    finally:
        stop.empty()
    common.keep_result("schedule", result)  # for the whole plan's workbook
    show(scenario, result)
    common.plan_download(common.current())


def _stop(scenario: planner.Scenario) -> None:
    """on_click of Stop: the search is stopped (its worker killed) and not started again
    until the user asks or changes something."""
    st.session_state["schedule_stopped"] = scenario


def _forget_stop() -> None:
    st.session_state.pop("schedule_stopped", None)


def breaks_of(shifts: pd.DataFrame) -> pd.DataFrame:
    """The breaks of the shifts table's rows as bars: label, from and to (hours of the day,
    past 24 after midnight), and the break as the table writes it."""
    rows = []
    for _, row in shifts.iterrows():
        for text in re.findall(r"\d\d:\d\d-\d\d:\d\d", str(row["breaks"])):
            a, b = (int(t[:2]) + int(t[3:]) / 60 for t in text.split("-"))
            a += 24 if a < row["from"] else 0
            b += 24 if b < a else 0
            rows.append({"label": row["label"], "from": a, "to": b, "break": text})
    return pd.DataFrame(rows, columns=["label", "from", "to", "break"])


def _end(scenario: planner.Scenario) -> str:
    """The clock time the scenario's day ends."""
    first = planner._validate.clock_seconds("start", scenario.start)
    end = first + len(scenario.calls) * scenario.interval
    return "24:00" if end >= 86400 else planner._validate.clock_label(end)


def show(scenario: planner.Scenario, result: planner.Schedule) -> None:
    """Cards, coverage and shift charts, the shifts table, the roster and downloads."""
    coverage = result.coverage
    flexible = planner.hours(coverage["required"], scenario.interval)
    service = result.service()
    day = planner.day_summary(service, scenario.interval)
    week = len(coverage) > len(scenario.calls)
    cards = common.card_columns(5)
    cards[0].metric("People", f"{result.people}")
    cards[1].metric("Paid hours", f"{result.scheduled_hours:,.1f}")
    cards[2].metric(
        "Against perfectly flexible", f"{result.scheduled_hours / flexible - 1:+.1%}",
        help=f"{flexible:,.1f} paid hours if people came and went every interval",
    )  # fmt: skip
    cards[3].metric("Cost", planner.money(result.cost, scenario.currency),
                    help="the people on these shifts times their paid hours and the "
                    "templates' cost per hour")  # fmt: skip
    cards[4].metric(f"{'Week' if week else 'Day'} service level", f"{day['service_level']:.1%}")
    said = st.warning if result.gap > float(scenario.scheduling.mip_gap) + 1e-9 else st.caption  # type: ignore[union-attr]
    said(
        f"HiGHS: {result.status}. The schedule is within {result.gap:.2%} of the best possible "
        f"(no schedule costs less than {planner.money(result.bound, scenario.currency)}). "
        "Service level over "
        "offered calls, from the agents the schedule puts on the phones (Erlang C, or A with "
        "a patience)."
    )
    if not week:
        flat = scenario.summary()["scheduled_hours"]
        st.caption(
            f"Paid hours are the people on these shifts times their length, breaks included. "
            f"The Scenario page's {flat:,.1f} scheduled agent hours assume people who come and "
            f"go each interval, with shrinkage ({common.setting(scenario.shrinkage)}) standing "
            f"in for breaks too; here the breaks are placed, and the shrinkage beyond them is "
            f"{scenario.schedule_shrinkage():.1%}."
        )
    short = coverage["short"] > 1e-9
    if short.any():
        st.warning(f"Short of the requirement: {', '.join(coverage.index[short.to_numpy()])}.")
    frame = coverage.reset_index().rename(columns={"interval_start": "start"})
    x = alt.X("start:N", title="interval start", sort=None)
    bars = (
        alt.Chart(frame)
        .mark_bar(opacity=0.6)
        .encode(
            x=x,
            y=alt.Y("scheduled:Q", title="people on duty"),
            color=alt.condition("datum.short > 0", alt.value("#d62728"), alt.value("#4c78a8")),
            tooltip=["start", "required", "scheduled", "short", "agents"],
        )
    )
    line = alt.Chart(frame).mark_line(color="black").encode(x=x, y="required:Q")
    st.subheader("Coverage: on duty (bars, red where short) and required (line)")
    st.altair_chart(bars + line, width="stretch")
    st.subheader("Shifts")
    if result.shifts.empty:
        st.info("Nobody is scheduled: the budget pays for no shift.")
        return
    shifts = result.shifts.copy()
    shifts["label"] = (
        (shifts.index + 1).astype(str) + ". " + shifts["shift"] + " " + shifts["start"] + " "
        + shifts["days"] + " x" + shifts["count"].astype(str)
    )  # fmt: skip
    clock = shifts["start"].str.extract(r"(\d\d):(\d\d)").astype(float)  # a day's first start
    shifts["from"] = clock[0] + clock[1] / 60
    lengths = {t.name: t.length / HOUR for t in scenario.scheduling.templates}  # type: ignore[union-attr]
    shifts["to"] = shifts["from"] + shifts["shift"].map(lengths)
    gantt = (
        alt.Chart(shifts)
        .mark_bar()
        .encode(
            x=alt.X("from:Q", title="hour of the day", scale=alt.Scale(zero=False)),
            x2="to:Q",
            y=alt.Y("label:N", title=None, sort=None, axis=alt.Axis(labelLimit=320)),
            color=alt.Color("shift:N", title="template"),
            tooltip=["shift", "start", "end", "breaks", "days", "count"],
        )
    )
    rests = breaks_of(shifts)
    if not rests.empty:
        gantt += (
            alt.Chart(rests)
            .mark_bar(color="white", opacity=0.85)
            .encode(x="from:Q", x2="to:Q", y=alt.Y("label:N", sort=None), tooltip=["break"])
        )
    st.altair_chart(gantt, width="stretch")
    st.caption("Each bar is a shift (start, days, people); the gaps in it are its breaks.")
    st.dataframe(
        result.shifts, hide_index=True, key="shifts",
        column_config={
            "paid_hours": st.column_config.NumberColumn("paid hours", format="%,.1f"),
            "cost": st.column_config.NumberColumn(f"cost{common.in_currency(scenario)}",
                                                  format="%,.2f"),
            "count": st.column_config.NumberColumn("people", format="%,d"),
        },
    )  # fmt: skip
    common.download_buttons(result.shifts, "shifts", "shifts", key="shifts")
    with st.expander(f"Roster: each person's days ({result.people} people)"):
        st.dataframe(result.roster, hide_index=True, key="roster")
        common.download_buttons(result.roster, "roster", "roster", key="roster")
    common.download_buttons(result.intervals(), "coverage", "coverage", key="coverage")


if __name__ == "__main__":  # run as a page; importable for its helpers
    schedule_page()
