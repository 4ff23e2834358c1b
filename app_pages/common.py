"""What every page of the app shares: the one state, the sidebar, caches and messages.

The scenario opened (a file, a bundled example or an upload), the what-ifs
set on the sidebar and every page's own inputs and uploads live in
``st.session_state`` (``base``, ``whatif``, ``inputs``, ``token``); every page
reads :func:`current`, which is ``base.with_changes(**whatif)``, so the
Scenario, Simulation and Compare pages and the downloads always show the same
scenario.

Widgets only show that state: each is seeded from it on every run
(:func:`kept` for a page's inputs, :func:`whatif_sidebar` for what-ifs) and writes
back to it when the user changes it, never by being drawn. So leaving a page
loses nothing (Streamlit forgets the widgets of a page it does not draw, not
the state), visiting one changes nothing, and opening another scenario or
Reset replaces all of it. Only presentation lives here; every number comes
from ``planner``.
"""

from __future__ import annotations

import argparse
import functools
import io
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

import planner
import planner._tables
import planner.calendars
import planner.report
import planner.sample
from app_pages import worker
from planner.scenario import WHATIFS

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SCENARIO = ROOT / "scenarios" / "retail_bank.toml"
BUNDLED = {
    p.stem: p
    for p in sorted((ROOT / "scenarios").glob("*.toml"))
    if not planner.scenario.is_center_file(p)  # one queue: the multi-skill page has its own
}
CACHE = {"max_entries": 32, "ttl": 3600}  # bounded: an upload must not stay resident forever


def scenario_path() -> Path:
    """The scenario named after ``--`` on the command line, else the default."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--scenario", default=str(DEFAULT_SCENARIO))
    args, _ = parser.parse_known_args(sys.argv[1:])
    return Path(args.scenario)


@st.cache_data(show_spinner=False, **CACHE)
def load(path: str) -> planner.Scenario:
    return planner.Scenario.load(path)


@st.cache_data(show_spinner="Computing the staffing...", **CACHE)
def evaluate(scenario: planner.Scenario) -> pd.DataFrame:
    return scenario.evaluate()


@st.cache_data(show_spinner=False, **CACHE)
def channel_requirements(scenario: planner.Scenario, name: str) -> pd.DataFrame:
    """The ``name`` team's requirement, in a worker stopped with the page."""
    table: pd.DataFrame = in_worker(
        functools.partial(scenario.channel_requirements, name),
        lambda seconds, _: f"Computing the {name} team, {seconds:.0f} s...",
    )  # fmt: skip
    return table


@st.cache_data(show_spinner=False, **CACHE)
def staff_requirements(scenario: planner.Scenario) -> pd.DataFrame:
    """Every team's requirement and the total, in a worker stopped with the page."""
    table: pd.DataFrame = in_worker(
        scenario.staff_requirements,
        lambda seconds, _: f"Computing every team, {seconds:.0f} s...",
    )  # fmt: skip
    return table


@st.cache_data(show_spinner=False, **CACHE)
def simulate(scenario: planner.Scenario, replications: int) -> planner.SimulationResult:
    return scenario.simulate(replications=replications)


@st.cache_data(show_spinner="Reading the history...", **CACHE)
def history(text: str | None, reading: tuple[Any, ...] = ()) -> planner.History:
    """The sample (``text`` None), or an upload read with ``reading``: see :func:`read_options`."""
    if text is None:
        return planner.read_history(planner.sample.sample_history())
    columns, aht, timezone, name, rollup, queue = reading or (None,) * 6
    if columns is None and rollup:  # a call-level log, counted in intervals of ``rollup``
        return planner.read_history(
            io.StringIO(text), interval=rollup, timezone=timezone, name=name, queue=queue
        )
    read = planner.read_history(
        io.StringIO(text), columns=dict(columns) if columns else None, aht=aht,
        timezone=timezone, name=name,
    )  # fmt: skip
    return read.rollup(rollup) if rollup else read


@st.cache_data(show_spinner=False, **CACHE)
def forecast(
    text: str | None,
    reading: tuple[Any, ...],
    country: str | None,
    calendar: tuple[str, str] | None = None,
) -> planner.FittedForecast:
    """The forecast of :func:`history`; ``calendar`` is a calendar file's (name, text).
    Fitted in a worker stopped with the page (see :func:`in_worker`)."""
    days = None
    if calendar is not None:
        stream = io.StringIO(calendar[1])
        stream.name = calendar[0]
        days = planner.calendars.read_calendar(stream)
    read = history(text, reading)
    fitted: planner.FittedForecast = in_worker(
        functools.partial(planner.forecast.fit, read, country=country, calendar=days),
        lambda seconds, _: f"Fitting the forecast (backtesting each method), {seconds:.0f} s...",
    )  # fmt: skip
    return fitted


# -- long work in a worker process ----------------------------------------------------


def in_worker(
    job: Callable[..., Any],
    says: Callable[[float, tuple[Any, ...] | None], str],
    with_progress: bool = False,
) -> Any:
    """``job()`` in a worker process, saying every half second what it has done so far
    (``says(seconds, last progress)``; ``job(progress=...)`` if ``with_progress``).

    ``job`` crosses to the worker by pickle (see :mod:`app_pages.worker`): a bound
    method or a :func:`functools.partial`, not a lambda. The page waits for it; when
    the page stops (the user left it, changed an input or pressed Stop), Streamlit
    interrupts the wait at the next message and the worker is killed: nothing
    computes for a page nobody looks at. An InputError in the worker is raised here.
    """
    process, answers = worker.start(job, with_progress)
    note = st.empty()  # made here: a cached caller may only write to its own elements
    start, last = time.monotonic(), None
    try:
        while True:
            if answers.poll(0.5):
                kind, value = answers.recv()
                if kind == "progress":
                    last = value
                elif kind == "done":
                    return value
                elif kind == "input":
                    raise planner.InputError(value)
                else:
                    raise RuntimeError(value)
            elif not process.is_alive():
                raise RuntimeError("the computation stopped without an answer (out of memory?)")
            note.info(says(time.monotonic() - start, last))
    finally:  # the worker first: clearing the note may raise Streamlit's stop again
        if process.is_alive():
            process.kill()
        process.join(timeout=10)
        answers.close()
        note.empty()


# -- the one state ---------------------------------------------------------------


def _open(scenario: planner.Scenario, source: str, keep_inputs: bool = False) -> None:
    """Make ``scenario`` the current one: every what-if and widget of the last one goes,
    and the pages' own inputs and uploads too unless ``keep_inputs`` (a scenario made
    from them, on the intraday page)."""
    state = st.session_state
    state["base"] = scenario
    state["source"] = source if source.startswith("upload:") else str(Path(source).resolve())
    state["whatif"] = {}
    state["results"] = {}  # made for the last scenario
    if not keep_inputs:
        state["inputs"] = {}  # the pages' own inputs and uploads go with the scenario
    state["token"] = state.get("token", 0) + 1  # fresh widget keys: no stale value survives
    state.pop("open_error", None)


def _open_bundled() -> None:
    name = st.session_state["bundled"]
    try:
        _open(load(str(BUNDLED[name])), str(BUNDLED[name]))
    except planner.InputError as err:
        st.session_state["open_error"] = f"Could not open {name}: {err}"


def _open_upload() -> None:
    upload = st.session_state.get("scenario_file")
    if upload is None:
        return
    suffix = Path(upload.name).suffix.lower()
    if suffix in (".csv", ".txt"):  # fitted by the sidebar, in a worker: see _open_history
        st.session_state["pending_history"] = (upload.name, upload.getvalue())
        st.session_state.pop("open_error", None)
        return
    if suffix != ".toml":
        st.session_state["open_error"] = (
            f"Could not open {upload.name}: a scenario is a TOML file (.toml), or a history "
            "(a CSV interval export or call-level log) to forecast the next day from"
        )
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


def _open_history(name: str, raw: bytes) -> None:
    """A history (interval export or call-level log, CSV) offered as a scenario: the first
    day after it, forecast with US holidays, under the current scenario's targets,
    shrinkage, patience and costs (what the intraday page's "Open ... as the scenario" does with
    its defaults).

    Run by the sidebar, not the upload's callback: the fit is the cached
    :func:`forecast`, in a worker that shows its progress and is stopped with
    the page (leaving or another upload stops it; the upload is then dropped).
    """
    state = st.session_state
    try:
        text = planner._tables.decode(raw, name)  # as read_history decodes a file
        fitted = forecast(text, (None, None, None, name, None, None), "US")
        now = current()
        ahead = pd.DatetimeIndex(fitted.forecast(7).index).normalize()
        if ahead.empty:
            raise planner.InputError("every day of the next week is closed")
        day = ahead[0].date()
        label = planner.forecast.day_label(day, fitted.day_names)
        scenario = planner.Scenario.from_forecast(
            fitted, day=str(day), name=f"{name} - {label}", targets=now.targets,
            shrinkage=now.shrinkage, patience=now.mean_patience, **costs(now),
        )  # fmt: skip
    except (planner.InputError, RuntimeError) as err:
        state["open_error"] = f"Could not open {name} as a history: {err}"
        return
    _open(scenario, f"upload:{name}")


def costs(scenario: planner.Scenario) -> dict[str, Any]:
    """The cost fields a scenario made from the user's data takes from the one it
    replaces: its ``cost_per_hour`` and ``currency``, so costs stay in one currency."""
    return {"cost_per_hour": scenario.cost_per_hour, "currency": scenario.currency}


def current() -> planner.Scenario:
    """The scenario every page shows: the one opened, with the sidebar's what-ifs."""
    state = st.session_state
    return state["base"].with_changes(**state["whatif"])


def _whatif(name: str, key: str, convert: Callable[[Any], Any] = lambda x: x) -> None:
    """on_change: the widget ``key`` sets what-if ``name`` (kept across pages); a value
    that leaves the opened scenario as it is (back to its own, or a widget the browser
    draws anew reporting the value it was given) is no what-if."""
    state = st.session_state
    value = convert(state[key])
    try:
        same = state["base"].with_changes(**{name: value}) == state["base"]
    except planner.InputError:
        same = False  # kept: the page says why it cannot be planned
    if same:
        state["whatif"].pop(name, None)
    else:
        state["whatif"][name] = value


def _toggle_patience(name: str, key: str) -> None:
    """on_change of "Callers abandon": off is no patience; on again is the scenario's own
    patience (its distribution, not an exponential one), or 120 s if it has none."""
    state = st.session_state
    whatif = state["whatif"]
    if not state[key]:
        whatif["patience"] = None
    elif state["base"].patience is not None:
        whatif.pop("patience", None)
    else:
        whatif["patience"] = 120.0


def _reset_whatifs() -> None:
    """Back to the scenario as opened: no what-if, every page input at its default
    (uploads stay: they are data, not settings)."""
    state = st.session_state
    state["whatif"] = {}
    state["inputs"] = {k: v for k, v in state["inputs"].items() if k.startswith(UPLOAD)}
    state["token"] += 1


# -- page inputs -------------------------------------------------------------------

UPLOAD = "upload:"  # the inputs that hold an uploaded file: (name, bytes, file id)


def seeded(name: str, value: Any, on_change: Callable[..., None], *extra: Any) -> dict[str, Any]:
    """A widget's arguments when the one state holds its value: its key (``name`` under the
    scenario's token) is set to ``value`` before it is drawn, and ``on_change(name, key,
    *extra)`` writes the user's change back. Give the widget no ``value``/``index``."""
    key = f"{name}@{st.session_state['token']}"
    st.session_state[key] = value
    return {"key": key, "on_change": on_change, "args": (name, key, *extra)}


def rows_of(editor: str, make: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """The rows a table editor starts from: made (``make()``) when the editor is drawn
    anew (first visit, back from another page), then kept while it is on screen, so
    its edits apply to the rows they were made on."""
    state = st.session_state
    if editor not in state or f"{editor}:rows" not in state:
        state[f"{editor}:rows"] = make()
    rows: pd.DataFrame = state[f"{editor}:rows"]
    return rows


def kept(name: str, default: Any) -> dict[str, Any]:
    """A page input's widget arguments: its value is kept in the one state.

    The widget is seeded on every run from ``inputs[name]`` (``default`` until
    the user sets it, e.g. the scenario's own value) and writes back there
    when changed, so the value survives leaving the page and goes only with
    the scenario (or Reset). Give the widget no ``value``/``index`` of its
    own: ``st.number_input("Calls", 0.0, **kept("calc_calls", 100.0))``.
    """
    return seeded(name, st.session_state["inputs"].get(name, default), _keep)


def _keep(name: str, key: str) -> None:
    st.session_state["inputs"][name] = st.session_state[key]


def _keep_upload(name: str, key: str) -> None:
    """on_change of an uploader: keep the file it now holds, or none if it was removed."""
    upload = st.session_state[key]
    if upload is None:
        _drop_upload(name)
    else:
        st.session_state["inputs"][UPLOAD + name] = (
            upload.name, upload.getvalue(), upload.file_id
        )  # fmt: skip


def _drop_upload(name: str) -> None:
    st.session_state["inputs"].pop(UPLOAD + name, None)


def kept_upload(label: str, name: str, **kwargs: Any) -> tuple[str, bytes, str] | None:
    """A file uploader whose file is kept in the one state: (file name, bytes, file id).

    The file stays when the page is left (the uploader itself comes back
    empty), and goes when the user removes it, opens another scenario or
    uploads another file.
    """
    state = st.session_state
    key = f"{name}@{state['token']}"
    st.file_uploader(label, key=key, on_change=_keep_upload, args=(name, key), **kwargs)
    kept_file: tuple[str, bytes, str] | None = state["inputs"].get(UPLOAD + name)
    if kept_file is not None and state.get(key) is None:  # the page was left and come back to
        st.caption(f"Using **{kept_file[0]}**, uploaded earlier (upload another to replace it).")
        st.button(f"Stop using {kept_file[0]}", key=f"{key}:drop", on_click=_drop_upload,
                  args=(name,))  # fmt: skip
    return kept_file


def start_state() -> None:
    """The first run of a session opens the command line's scenario (else the default)."""
    st.session_state.setdefault("inputs", {})
    if "base" not in st.session_state:
        path = scenario_path()
        try:
            _open(load(str(path)), str(path))
        except planner.InputError as err:
            st.error(f"Could not open the scenario: {err}")
            st.stop()


def scenario_sidebar() -> planner.Scenario:
    """The sidebar of a page about the scenario: open one (bundled or uploaded), what-ifs.

    Returns the current scenario (stops the page with a message if the
    what-ifs make it impossible to plan).
    """
    state = st.session_state
    with st.sidebar:
        st.selectbox(
            "Open a bundled scenario", list(BUNDLED), index=None, key="bundled",
            placeholder="choose one", on_change=_open_bundled,
        )  # fmt: skip
        st.file_uploader(
            "Open a scenario (TOML), or a history (CSV) to plan its next day",
            key="scenario_file", on_change=_open_upload,
            help="a CSV interval export or call-level log: the first day after it is "
            "forecast (US holidays) under the current targets; the Intraday page picks "
            "another day, columns and holidays",
        )  # fmt: skip
    if "pending_history" in state:  # popped first: a stopped fit is not retried by itself
        _open_history(*state.pop("pending_history"))
    if "open_error" in state:
        st.error(state["open_error"])
    whatif_sidebar(state["base"])
    return current_or_stop()


def whatif_sidebar(base: planner.Scenario) -> None:
    """What-ifs on the scenario: targets, shrinkage, patience. They stay until reset."""
    try:
        s = current()
    except planner.InputError:
        s = base  # the page says why; the controls start from the scenario opened
    t = s.targets
    token = st.session_state["token"]

    def change(
        name: str, value: Any, convert: Callable[[Any], Any] = lambda x: x
    ) -> dict[str, Any]:
        # one registry of what-ifs: the same names and meanings as files, sweeps and the CLI;
        # the widget shows the current scenario's value, and sets the what-if when changed
        return seeded(name, value, _whatif, convert) | {"help": WHATIFS[name].meaning}

    def off_at(limit: float) -> Callable[[float], float | None]:
        return lambda x: None if x >= limit else x

    with st.sidebar:
        st.header("What if")
        st.slider(
            "Service level (answered within T over offered calls)", 0.05, 0.99, step=0.01,
            **change("service_level", t.service_level if t.service_level is not None else 0.8),
        )  # fmt: skip
        st.number_input(
            "Answer time T (seconds)", 0.0, step=5.0, **change("answer_time", t.answer_time)
        )
        st.number_input(
            "Maximum ASA (seconds, 0 = none)", 0.0, step=5.0,
            **change("asa", t.asa or 0.0, lambda x: x or None),
        )  # fmt: skip
        st.slider(
            "Maximum occupancy (1.00 = no limit)", 0.5, 1.0, step=0.01,
            **change("max_occupancy", t.max_occupancy if t.max_occupancy is not None else 1.0,
                     off_at(1.0)),
        )  # fmt: skip
        st.slider("Shrinkage", 0.0, 0.7, step=0.01, **change("shrinkage", s.shrinkage))
        st.checkbox(
            "Callers abandon (Erlang A)",
            **seeded("use_patience", s.patience is not None, _toggle_patience),
            help="off: callers wait as long as it takes (Erlang C); on again: the scenario's "
            "own patience, or 120 s if it has none",
        )  # fmt: skip
        if s.patience is not None:
            st.number_input("Mean patience (seconds)", 1.0, step=10.0,
                            **change("patience", s.mean_patience))  # fmt: skip
            st.slider(
                "Maximum abandon rate (0.50 = none)", 0.01, 0.5, step=0.01,
                **change("max_abandon", t.max_abandon if t.max_abandon is not None else 0.5,
                         off_at(0.5)),
            )  # fmt: skip
        if st.session_state["whatif"]:
            st.caption("Changed here: " + ", ".join(sorted(st.session_state["whatif"])))
            st.button("Reset the what-ifs", on_click=_reset_whatifs, key=f"reset@{token}")
        st.caption(f"Opened: **{base.name}**")


def current_or_stop() -> planner.Scenario:
    try:
        return current()
    except planner.InputError as err:
        st.error(f"This what-if cannot be planned: {err}")
        st.button("Reset the what-ifs", on_click=_reset_whatifs, key="reset_after_error")
        st.stop()


# -- shared helpers -------------------------------------------------------------


def setting(fraction: float) -> str:
    """A target or setting as a percent, as entered (0.8: "80%", 0.325: "32.5%"). Figures
    the planner computes are shown to one decimal ("81.3%") everywhere."""
    return f"{round(fraction * 100, 6):g}%"


def in_currency(scenario: planner.Scenario) -> str:
    """`` (USD)`` after a cost's label when the scenario says its currency, else nothing."""
    return f" ({scenario.currency})" if scenario.currency else ""


def card_columns(n: int, per_row: int = 3) -> list[Any]:
    """Columns for ``n`` metric cards, at most ``per_row`` to a row, so that labels and
    figures are not cut on a laptop's screen (1,024 px with the sidebar open)."""
    out: list[Any] = []
    for first in range(0, n, per_row):
        out += st.columns(per_row)[: min(per_row, n - first)]
    return out


def slug(name: str) -> str:
    """A file name from a scenario name: "Retail bank - weekday" -> "retail_bank_weekday"."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "scenario"


# What the words on screen mean, where they are used.
HELP = {
    "shrinkage": "the share of paid time agents are off the phones (breaks, training, "
    "absence): scheduled = agents on the phones / (1 - shrinkage)",
    "occupancy": "the share of their time on the phones agents spend handling calls; a cap "
    "keeps some time between calls",
    "asa": "average speed of answer: the mean wait of answered calls, seconds",
    "erlang_a": "Erlang A: callers hang up after a random patience (exponential, with this "
    "mean); off: Erlang C, callers wait as long as it takes",
    "driven_by": "the target that needs the most agents in this interval: one agent fewer "
    "would miss it",
    "wape": "weighted absolute percentage error: the sum of |forecast - actual| over the sum "
    "of actual calls, on days the method had not seen",
    "quantile": "the mean forecast, or a higher quantile of the calls (P80: 80% of days have "
    "fewer) as insurance against a busier day than forecast",
}

# How tables read on screen: fractions as percentages, times in seconds, counts whole.
_FORMATS = {
    "service_level": ("service level", "percent"),
    "formula_service_level": ("Erlang service level", "percent"),
    "service_level_low": ("SL 95% low", "percent"),
    "service_level_high": ("SL 95% high", "percent"),
    "occupancy": ("occupancy", "percent"),
    "abandon_rate": ("abandon rate", "percent"),
    "abandon_rate_low": ("abandon 95% low", "percent"),
    "abandon_rate_high": ("abandon 95% high", "percent"),
    "p_wait": ("P(wait)", "percent"),
    "calls": ("calls", "%,.0f"),
    "calls_mean": ("calls (mean)", "%,.0f"),
    "aht": ("AHT (s)", "%,.0f"),
    "traffic": ("traffic (Erlangs)", "%,.2f"),
    "asa": ("ASA (s)", "%,.1f"),
    "required_agents": ("required agents", "%,d"),
    "agents": ("agents", "%,d"),
    "scheduled": ("scheduled", "%,d"),
    "items": ("items", "%,.1f"),
    "on_time": ("within the deadline", "percent"),
    "backlog": ("backlog (mean items waiting)", "%,.1f"),
    "backlog_p90": ("backlog, 90th percentile", "%,.1f"),
    "handled": ("handled", "%,.1f"),
    "mean_concurrency": ("chats per busy agent", "%.2f"),
}


def show_table(table: Any, **kwargs: Any) -> None:
    """A table as people read it: % for fractions, whole calls, named columns.

    The numbers stay the library's (fractions); only their display changes.
    """
    columns = set(getattr(table, "data", table).columns)  # a DataFrame, or its Styler
    config: dict[str, Any] = {
        # percent to one decimal, as on the cards: Streamlit's percent shows step's digits - 2
        col: st.column_config.NumberColumn(
            label, format=fmt, step=0.001 if fmt == "percent" else None
        )
        for col, (label, fmt) in _FORMATS.items()
        if col in columns
    }
    for col, label in (("interval_start", "start"), ("driven_by", "driven by")):
        if col in columns:
            config[col] = st.column_config.TextColumn(label, help=HELP.get(col))
    st.dataframe(table, hide_index=True, column_config=config, **kwargs)


def keep_result(name: str, result: Any) -> None:
    """Keep a page's result (``"schedule"``, ``"simulation"``) with the current scenario,
    for :func:`plan_download` on any page while that scenario stays as it is."""
    st.session_state.setdefault("results", {})[name] = (current(), result)


def plan_download(scenario: planner.Scenario) -> None:
    """The "Download the whole plan (Excel)" button: :func:`planner.plan_workbook` of ``scenario``
    with the schedule and simulation the pages made for it, and what it holds."""
    kept = {
        name: result
        for name, (made_for, result) in st.session_state.get("results", {}).items()
        if made_for == scenario
    }
    st.download_button(
        "Download the whole plan (Excel)",
        lambda: planner.plan_workbook(scenario, kept.get("schedule"), kept.get("simulation")),
        file_name=f"{slug(scenario.name)}_plan.xlsx", key="plan_workbook",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )  # fmt: skip
    pages = {"schedule": ("Schedule", "the shifts, roster and coverage"),
             "simulation": ("Simulation", "the simulation")}  # fmt: skip
    holds = ["the summary", "the staffing"] + (["every team"] if scenario.channels else [])
    holds += [what for name, (_, what) in pages.items() if name in kept]
    missing = [page for name, (page, _) in pages.items() if name not in kept]
    said = f"The plan holds {', '.join(holds)}"
    if missing:
        pronoun = "theirs" if len(missing) > 1 else "its"
        said += f"; open the {' and '.join(missing)} page to add {pronoun}"
    st.caption(said + ".")


def download_buttons(table: pd.DataFrame, name: str, what: str, key: str) -> None:
    """CSV and a formatted Excel workbook of ``table``, the same numbers as on screen."""
    left, right = st.columns(2)
    left.download_button(
        f"Download {what} (CSV)", planner.report.to_csv(table), f"{name}.csv", "text/csv",
        key=f"{key}_csv",
    )  # fmt: skip
    right.download_button(
        f"Download {what} (Excel)", lambda: planner.report.to_excel({what: table}),  # on click
        f"{name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx",
    )  # fmt: skip


def labels(table: pd.DataFrame, mask: np.ndarray, column: str = "interval_start") -> str:
    """The labels of the rows ``mask`` selects, for a message (at most eight)."""
    names = [str(x) for x in table.loc[mask, column]]
    return ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")


def plan_warnings(table: pd.DataFrame, targets: planner.Targets) -> np.ndarray:
    """Say where an evaluated plan cannot serve its calls, breaks a target, has fewer
    agents than the load or runs at 97% occupancy or more. Returns the intervals with
    fewer agents than the load (bools)."""
    calls = table["calls"].to_numpy() > 0
    stuck = calls & ~np.isfinite(table["asa"].to_numpy())
    if stuck.any():
        st.error(
            f"Cannot be served (every agent busy, waits grow without bound; ASA unbounded): "
            f"{labels(table, stuck)}."
        )
    if targets.max_occupancy is not None:
        busy = calls & (table["occupancy"].to_numpy() > targets.max_occupancy + 1e-12)
        if busy.any():
            st.warning(
                f"Occupancy above the {setting(targets.max_occupancy)} cap: {labels(table, busy)}."
            )
    agents = table["agents"].to_numpy() if "agents" in table.columns else None
    traffic = table["traffic"].to_numpy() if "traffic" in table.columns else None
    below = np.zeros(len(table), dtype=bool)
    if agents is not None and traffic is not None:
        below = calls & (agents < traffic - 1e-9) & ~stuck
        if below.any():
            st.warning(
                f"Fewer agents than the offered load (Erlangs) at {labels(table, below)}: only "
                "callers hanging up keep the queue from growing, so these figures rest on how "
                "patient callers are (check them on the Simulation page)."
            )
    if "occupancy" in table.columns:
        cap = targets.max_occupancy if targets.max_occupancy is not None else 1.0
        tight = calls & (table["occupancy"].to_numpy() >= min(0.97, cap)) & ~stuck & ~below
        if tight.any():
            st.warning(
                f"Occupancy at 97% or more at {labels(table, tight)}: agents have no time "
                "between calls, and a few more calls than forecast move service a lot."
            )
    abandons = "abandon_rate" in table.columns
    limits = targets.limits(abandons=abandons)
    met = np.asarray(targets.met({k: table[k] for k in limits}, abandons=abandons))
    short = calls & ~met & ~stuck
    if short.any():
        st.warning(f"Below target with this plan: {labels(table, short)}.")
    return below


def staffing_inputs(prefix: str) -> tuple[planner.Targets, float, float | None]:
    """Targets, shrinkage and mean patience (seconds, or None) of a page with its own.

    The calculator, the intraday planner and the chat page set these on the
    page (kept as ``{prefix}_...``), starting from the current scenario's, so
    the numbers agree with the Scenario page until the user changes them
    here; invalid targets stop the page with a message.
    """
    try:
        s = current()
    except planner.InputError:
        s = st.session_state["base"]
    st.caption(
        f"Targets, shrinkage and patience start from the scenario's (**{s.name}**); what "
        "you change here counts on this page only."
    )
    left, mid, _ = st.columns(3)
    shrinkage = left.slider(
        "Shrinkage", 0.0, 0.7, step=0.01, **kept(f"{prefix}_shrinkage", min(s.shrinkage, 0.7)),
        help=HELP["shrinkage"],
    )  # fmt: skip
    abandon = mid.checkbox(
        "Callers abandon (Erlang A)", **kept(f"{prefix}_use_patience", s.patience is not None),
        help=HELP["erlang_a"],
    )  # fmt: skip
    patience = (
        mid.number_input(
            "Mean patience (s)", 1.0, **kept(f"{prefix}_patience", float(s.mean_patience or 120.0))
        )
        if abandon
        else None
    )
    targets = targets_inputs(prefix, patience is not None, s.targets)
    if targets is None:
        st.stop()
    return targets, shrinkage, patience


def targets_inputs(
    prefix: str, patience: bool, start: planner.Targets | None = None
) -> planner.Targets | None:
    """The targets of a page that has its own (calculator, intraday, chat), starting from
    ``start`` (the scenario's); None if invalid."""
    t = start or planner.Targets()
    left, mid, right = st.columns(3)
    sl = left.slider(
        "Service level target", 0.05, 0.99, step=0.01,
        **kept(f"{prefix}_sl", min(max(t.service_level or 0.8, 0.05), 0.99)),
    )  # fmt: skip
    answer_time = mid.number_input(
        "Answer time T (s)", 0.0, **kept(f"{prefix}_t", float(t.answer_time))
    )
    asa = right.number_input(
        "Maximum ASA (s, 0 = none)", 0.0, **kept(f"{prefix}_asa", float(t.asa or 0.0)),
        help=HELP["asa"],
    )  # fmt: skip
    left, mid, _ = st.columns(3)
    occupancy = left.slider(
        "Maximum occupancy (1.00 = none)", 0.5, 1.0, step=0.01,
        **kept(f"{prefix}_occ", min(max(t.max_occupancy or 1.0, 0.5), 1.0)),
        help=HELP["occupancy"],
    )  # fmt: skip
    abandon = None
    if patience:
        abandon = mid.slider(
            "Maximum abandon rate (0.50 = none)", 0.01, 0.5, step=0.01,
            **kept(f"{prefix}_ab", min(max(t.max_abandon or 0.5, 0.01), 0.5)),
        )  # fmt: skip
    try:
        return planner.Targets(
            service_level=sl,
            answer_time=answer_time,
            asa=asa or None,
            max_occupancy=None if occupancy >= 1.0 else occupancy,
            max_abandon=None if abandon is None or abandon >= 0.5 else abandon,
            sl_basis=t.sl_basis,
        )
    except planner.InputError as err:
        st.error(str(err))
        return None
