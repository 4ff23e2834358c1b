"""The app in a real browser: `streamlit run`, headless Debian Chromium driven by Playwright.

``make test`` installs Debian's ``chromium`` package where it can (as root);
elsewhere this test is skipped with the reason shown in the summary.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

import planner
import planner.sample

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium is not installed (make test runs apt-get install chromium as root)",
)
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


# The settings `make run` starts the app with (see the Makefile). No file watcher: on a
# burst of writes in the repository (caches, .venv) its inotify queue overflows and it
# walks the whole tree again holding the GIL, and the pages stall for minutes.
PRODUCTION = [
    "--client.toolbarMode", "minimal", "--server.maxUploadSize", "50",
    "--server.fileWatcherType", "none",
]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
        "--server.headless", "true", "--server.port", str(port),
        "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
        *PRODUCTION,
    ]  # fmt: skip
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.read().decode() == "ok":
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("streamlit did not answer /_stcore/health")
        time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        chrome = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chrome
        chrome.close()


def _card(page, label: str) -> str:
    """The value shown on the metric card with this label (once a rerun's stale copy of
    the card, if any, has gone)."""
    page.wait_for_function(
        "l => [...document.querySelectorAll('[data-testid=\"stMetric\"]')]"
        ".filter(m => m.innerText.includes(l)).length === 1",
        arg=label,
        timeout=60_000,
    )
    card = page.locator('[data-testid="stMetric"]', has_text=label)
    return card.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_calculator_shows_the_library_figures(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server}/calculator")
    # The page's defaults: 100 calls in 30 minutes, AHT 180 s, and the scenario's targets,
    # shrinkage and patience (the retail bank: 80% within 20 s, occupancy at most 90%,
    # Erlang A with 150 s patience, 32% shrinkage).
    bank = planner.Scenario.load(ROOT / "scenarios" / "retail_bank.toml")
    targets, model = bank.targets, planner.erlang_model(bank.mean_patience)
    agents = planner.required_agents(100, 180, 1800, targets, model=model)
    m = planner.interval_metrics(agents, 100, 180, 1800, targets, model=model).iloc[0]
    assert _card(page, "Agents needed") == str(agents)
    scheduled = planner.scheduled_staff(agents, bank.shrinkage)
    assert _card(page, "Scheduled (after shrinkage)") == str(scheduled)
    assert _card(page, "Service level") == f"{m['service_level']:.1%}"
    assert _card(page, "ASA (s)") == f"{m['asa']:.1f}"


def test_bad_history_upload_gets_a_message_not_a_traceback(server, browser, tmp_path):
    bad = tmp_path / "export.csv"
    bad.write_text("Interval,Offered,AHT\n2026-03-02 08:00,40,300\nyesterday,5,300\n")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server}/intraday")
    uploader = page.locator('[data-testid="stFileUploader"]', has_text="Interval history")
    uploader.wait_for(timeout=60_000)
    uploader.locator('input[type="file"]').set_input_files(str(bad))
    alert = page.get_by_text("Could not use this history")
    alert.wait_for(timeout=60_000)
    assert "line 3" in page.locator('[data-testid="stAlert"]').first.inner_text()
    assert page.get_by_text("Traceback").count() == 0


def test_uploading_a_scenario_restores_it(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server)
    uploader = page.locator('[data-testid="stFileUploader"]', has_text="Open a scenario")
    uploader.wait_for(timeout=60_000)
    uploader.locator('input[type="file"]').set_input_files(
        str(ROOT / "scenarios" / "help_desk.toml")
    )
    page.get_by_test_id("stMainBlockContainer").get_by_text("IT help desk - weekday").wait_for(
        timeout=60_000
    )
    _wait_idle(page)
    desk = planner.Scenario.load(ROOT / "scenarios" / "help_desk.toml")
    day = desk.summary()
    _expect_card(page, "Peak agents on the phones", str(int(day["peak_agents"])))
    _expect_card(page, "Calls offered", f"{day['calls']:,.0f}")
    # its own targets, shrinkage and patience, not the last scenario's
    _expect_card(page, "Scheduled agent hours", f"{day['scheduled_hours']:,.1f}")
    _expect_card(page, "Day service level", f"{day['service_level']:.1%}")
    _expect_card(page, "Day abandon rate", f"{day['abandon_rate']:.1%}")
    # another kind of file gets a message and leaves the scenario open
    other = tmp_path / "plan.xlsx"
    other.write_bytes(b"PK\x03\x04 not a scenario")
    uploader.locator('input[type="file"]').set_input_files(str(other))
    page.get_by_text("a scenario is a TOML file").wait_for(timeout=60_000)
    _expect_card(page, "Day abandon rate", f"{day['abandon_rate']:.1%}")
    # a history (CSV) opens as its next day, under the open scenario's targets
    history = ROOT / "data" / "sample_history.csv"
    uploader.locator('input[type="file"]').set_input_files(str(history))
    # fitted in a worker that says how long it has taken (and stops with the page); a
    # fit under a second or so may end before the note is seen: then its result is
    main = page.get_by_test_id("stMainBlockContainer")
    fitted = planner.forecast.fit(planner.read_history(history), country="US")
    first = pd.DatetimeIndex(fitted.forecast(7).index).normalize()[0]
    label = planner.forecast.day_label(first.date(), fitted.day_names)
    want = planner.Scenario.from_forecast(
        fitted, day=str(first.date()), name=f"sample_history.csv - {label}",
        targets=desk.targets, shrinkage=desk.shrinkage, patience=desk.mean_patience,
        cost_per_hour=desk.cost_per_hour, currency=desk.currency,  # its costs too
    )  # fmt: skip
    page.get_by_text("Fitting the forecast").or_(main.get_by_text(want.name)).first.wait_for(
        timeout=60_000
    )
    main.get_by_text(want.name).wait_for(timeout=120_000)
    _expect_card(page, "Calls offered", f"{want.summary()['calls']:,.0f}")
    _expect_card(page, "Scheduled agent hours", f"{want.summary()['scheduled_hours']:,.1f}")


def _download(page, button: str) -> str:
    """Click the download ``button`` once the app is idle (a click mid-rerun can be lost
    with the button, so once more after that); the path of the file downloaded."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    _wait_idle(page)
    for attempt in range(2):
        try:
            with page.expect_download(timeout=60_000) as download:
                page.get_by_role("button", name=button).click()
            return str(download.value.path())
        except PlaywrightTimeout:
            if attempt:
                raise
            _wait_idle(page)
    raise AssertionError("unreachable")


def _choose(page, picker, option: str) -> None:
    """Pick ``option`` in the select box ``picker``; a rerun that redraws the box closes
    its list, so the list is opened again (at most three times) until the option shows."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(3):
        _wait_idle(page)
        picker.get_by_role("combobox").click()
        try:
            page.get_by_role("option", name=option).click(timeout=10_000)
            return
        except PlaywrightTimeout:
            if attempt == 2:
                raise


def _wait_idle(page, *, drawn: bool = True) -> None:
    """Until the app has finished its rerun: the status widget is gone and, with
    ``drawn``, no element is stale (one a rerun under way has not drawn again yet, e.g.
    a download button still holding the previous day's workbook below a message the
    rerun already drew)."""
    stale = ', [data-stale="true"]' if drawn else ""
    page.wait_for_function(
        f"() => !document.querySelector('[data-testid=\"stStatusWidget\"]{stale}')",
        timeout=60_000,
    )


def _expect_card(page, label: str, value: str) -> None:
    """The card with this label comes to show ``value`` (after any rerun), and keeps it."""
    page.wait_for_function(_card_is_js(label, value), timeout=120_000)
    _wait_idle(page)
    assert _card(page, label) == value


def _timed(page, action, changed) -> float:
    """Seconds from a control change until what it changes is on screen."""
    start = time.monotonic()
    action()
    page.wait_for_function(changed, timeout=60_000)
    return time.monotonic() - start


def _card_is_js(label: str, value: str) -> str:
    return (
        "() => [...document.querySelectorAll('[data-testid=\"stMetric\"]')]"
        f".some(m => m.innerText.includes({label!r}) && m.innerText.trim().endsWith({value!r}))"
    )


def _card_changes_js(label: str, before: str) -> str:
    return (
        "() => [...document.querySelectorAll('[data-testid=\"stMetric\"]')]"
        f".some(m => m.innerText.includes({label!r}) && !m.innerText.includes({before!r}))"
    )


def test_a_planners_flow_open_what_if_compare_edit_change_day(server, browser, tmp_path):
    """Open a scenario, change a what-if, compare, edit a day, change day: every figure checked,
    each page's answer time to a control change printed, and a screenshot of each page."""
    shots = Path(os.environ.get("PLANNER_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(server)  # the Scenario page is the home page
    page.get_by_text("Open a bundled scenario").wait_for(timeout=60_000)
    # open the help desk from the bundled examples
    page.get_by_test_id("stSelectbox").filter(has_text="Open a bundled scenario").click()
    page.get_by_role("option", name="help_desk").click()
    page.get_by_test_id("stMainBlockContainer").get_by_text("IT help desk - weekday").wait_for(
        timeout=60_000
    )
    _wait_idle(page)
    desk = planner.Scenario.load(ROOT / "scenarios" / "help_desk.toml")
    day = desk.summary()
    _expect_card(page, "Day service level", f"{day['service_level']:.1%}")
    _expect_card(page, "Scheduled agent hours", f"{day['scheduled_hours']:,.1f}")
    # a what-if: callers twice as patient (the patience keeps its lognormal shape)
    patience = page.get_by_test_id("stNumberInput").filter(has_text="Mean patience")
    page.wait_for_function(  # the help desk's own input, and the last scenario's gone
        "v => { const mine = [...document.querySelectorAll("
        "'input[aria-label=\"Mean patience (seconds)\"]')];"
        " return mine.length === 1 && Number(mine[0].value) === v; }",
        arg=desk.mean_patience,
        timeout=60_000,
    )
    changed = desk.with_changes(patience=2 * desk.mean_patience)
    want = f"{changed.summary()['scheduled_hours']:,.1f}"

    def more_patience() -> None:
        patience.locator("input").fill(str(2 * desk.mean_patience))
        patience.locator("input").press("Enter")

    timings["scenario"] = _timed(page, more_patience, _card_is_js("Scheduled agent hours", want))
    _expect_card(page, "Scheduled agent hours", want)
    page.screenshot(path=str(shots / "scenario.png"))
    # the what-if reaches Compare, where the current scenario is listed once
    page.get_by_role("link", name="Compare scenarios").click()
    table = page.get_by_test_id("stTable")
    table.wait_for(timeout=60_000)
    _wait_idle(page)
    text = table.inner_text()
    assert text.count("(current)") == 1
    assert f"{changed.summary()['scheduled_hours']:,.1f}" in text
    page.screenshot(path=str(shots / "compare.png"))
    # simulation of the same scenario, what-if included
    page.get_by_role("link", name="Simulation").click()
    page.get_by_text("Day service level (simulated)").wait_for(timeout=120_000)
    _wait_idle(page)
    res = changed.simulate()
    _expect_card(page, "Day service level (simulated)", f"{res.day('service_level').mean:.1%}")
    reps = page.get_by_test_id("stSlider").filter(has_text="Replications").get_by_role("slider")
    many = changed.simulate(replications=200).day("service_level")  # the slider's end
    ci = f"{many.ci_low:.1%} - {many.ci_high:.1%}"
    timings["simulation"] = _timed(page, lambda: reps.press("End"), _card_is_js("95% CI", ci))
    _expect_card(page, "95% CI", ci)
    _wait_idle(page)
    page.screenshot(path=str(shots / "simulation.png"))
    # the calculator
    page.get_by_role("link", name="Calculator").click()
    page.get_by_text("Agents needed").wait_for(timeout=60_000)
    _wait_idle(page)
    calls = page.get_by_test_id("stNumberInput").filter(has_text="Calls offered").locator("input")

    def more_calls() -> None:
        calls.fill("250")
        calls.press("Enter")

    # the calculator starts from the scenario's targets and patience, what-if included
    model = planner.erlang_model(changed.mean_patience)
    want = planner.required_agents(250, 180, 1800, changed.targets, model=model)
    timings["calculator"] = _timed(page, more_calls, _card_is_js("Agents needed", str(want)))
    _expect_card(page, "Agents needed", str(want))
    page.screenshot(path=str(shots / "calculator.png"))
    # the intraday planner: 0 agents at 10:00 on the first day cannot serve its calls
    page.get_by_role("link", name="Intraday planner").click()
    # the backtest and the holidays seen (in its expander), the weeks' table, the
    # day's editor, ...
    editor = page.get_by_test_id("stDataFrame").nth(3)
    editor.wait_for(timeout=120_000)
    _wait_idle(page)
    editor.scroll_into_view_if_needed()
    box = editor.bounding_box()
    start = time.monotonic()
    # the agents column is at 70% of the editor's width; rows of 35 px under a 35 px
    # header; 10:00 is the fifth row of the first day (Tuesday after Memorial Day,
    # which is closed; it opens at 08:00)
    page.mouse.dblclick(box["x"] + 0.70 * box["width"], box["y"] + 35 + 4 * 35 + 17)
    cell = page.locator("#portal input").first
    cell.fill("0")
    cell.press("Enter")
    page.get_by_text("Cannot be served").wait_for(timeout=60_000)
    timings["intraday"] = time.monotonic() - start
    _wait_idle(page)
    assert "10:00" in page.get_by_text("Cannot be served").inner_text()
    page.screenshot(path=str(shots / "intraday.png"), full_page=True)
    # the next day keeps its own 10:00; back on the first day the edit is still there
    days = page.get_by_test_id("stSelectbox").filter(has_text="Day").get_by_role("combobox")

    def pick_day(n: int) -> None:
        days.scroll_into_view_if_needed()
        days.click()
        page.get_by_role("option").nth(n).click()
        _wait_idle(page)

    pick_day(1)  # the next day: its 10:00 has its own agents, and the message goes
    page.get_by_text("Cannot be served").wait_for(state="detached", timeout=60_000)
    pick_day(0)
    page.get_by_text("Cannot be served").wait_for(timeout=60_000)
    assert page.get_by_role("button", name="Reset this day's edits").count() == 1
    # the workbook holds what the page shows: the edited 10:00 with its 0 agents
    workbook = pd.read_excel(_download(page, "Download plan (Excel)"), sheet_name="plan")
    row = workbook[workbook["interval_start"] == "10:00"].iloc[0]
    assert row["agents"] == 0 and bool(row["edited"])
    assert workbook.iloc[-1]["interval_start"] == "total"
    print("\nseconds from a control change to the new figures on screen:")
    for name, seconds in timings.items():
        print(f"  {name:<12}{seconds:6.2f}")


@pytest.mark.parametrize(
    "address",
    [
        "",
        "calculator",
        "intraday",
        "simulation",
        "compare",
        "schedule",
        "chat",
        "email",
        "skills",
        "capacity",
    ],
)
def test_every_page_opens_at_its_own_address(server, browser, address):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server}/{address}")  # "" is the Scenario page, the home page
    page.get_by_test_id("stMainBlockContainer").get_by_role("heading").first.wait_for(
        timeout=120_000
    )
    _wait_idle(page)
    assert page.url.rstrip("/") == f"{server}/{address}".rstrip("/")
    assert page.get_by_test_id("stException").count() == 0


def _upload_history(browser, server, path):
    """The intraday page with ``path`` uploaded as the history: the page and the uploader."""
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    page.goto(f"{server}/intraday")
    uploader = page.locator('[data-testid="stFileUploader"]', has_text="Interval history")
    uploader.wait_for(timeout=60_000)
    uploader.locator('input[type="file"]').set_input_files(str(path))
    return page, uploader


def test_upload_mapping_constant_aht_roll_up_and_unsupported_files(server, browser, tmp_path):
    # a 5-minute export with only a time and a count column, under its own headers
    export = planner.sample.generate_history(weeks=8, interval=300, seed=5)
    export = export[["Interval", "Offered"]].rename(columns={"Interval": "Start", "Offered": "N"})
    path = tmp_path / "five_minutes.csv"
    export.to_csv(path, index=False)
    page, uploader = _upload_history(browser, server, path)
    page.get_by_text("Reading five_minutes.csv").wait_for(timeout=60_000)
    # the picks: N is the calls column; no AHT column, so one AHT for every interval (300 s)
    calls = page.get_by_test_id("stSelectbox").filter(has_text="Offered calls")
    calls.get_by_role("combobox").click()
    page.get_by_role("option", name="N", exact=True).click()
    rollup = page.get_by_test_id("stSelectbox").filter(has_text="Plan in intervals of")
    rollup.get_by_role("combobox").click()
    page.get_by_role("option", name="30 minutes").click()
    page.get_by_text("AHT 300 s in every interval").wait_for(timeout=120_000)
    page.get_by_text("rolled up from 5- to 30-minute intervals").wait_for(timeout=60_000)
    assert page.get_by_test_id("stException").count() == 0
    # the page says what the library says reading the file the same way
    history = planner.read_history(path, columns={"Start": "interval_start", "N": "calls"}, aht=300)
    for note in history.rollup(1800).notes:
        assert page.get_by_text(note[:60]).count() >= 1, note
    # a spreadsheet instead of a CSV gets a message, not just an icon
    sheet = tmp_path / "export.xlsx"
    sheet.write_bytes(b"PK\x03\x04 not really a workbook")
    uploader.locator('input[type="file"]').set_input_files(str(sheet))
    page.get_by_text("export.xlsx is a .xlsx").wait_for(timeout=60_000)
    # the next upload starts from its own headers, not the last file's picks
    sample = ROOT / "data" / "sample_history.csv"
    uploader.locator('input[type="file"]').set_input_files(str(sample))
    fitted = planner.forecast.fit(planner.read_history(sample), country="US")
    page.get_by_text(f"Forecast by {fitted.method}").wait_for(timeout=180_000)
    assert page.get_by_text("not both").count() == 0


def test_a_call_level_log_upload_is_counted_per_interval(server, browser, tmp_path):
    # one row per call, two queues: the page says what it is, and forecasts the queue
    # picked exactly as the library reads and fits it
    intervals = planner.sample.generate_history(weeks=6, seed=9)
    path = tmp_path / "calls.csv"
    planner.sample.generate_calls(intervals, seed=9).to_csv(path, index=False)
    page, _ = _upload_history(browser, server, path)
    page.get_by_text("is a call-level log (one row per call)").wait_for(timeout=60_000)
    queue = page.get_by_test_id("stSelectbox").filter(has_text="Queue")
    queue.get_by_role("combobox").click()
    page.get_by_role("option", name="cards", exact=True).click()
    history = planner.read_history(path, queue="cards")
    fitted = planner.forecast.fit(history, country="US")  # the page's holidays by default
    page.get_by_text(f"Forecast by {fitted.method}").wait_for(timeout=180_000)
    for note in history.notes:
        assert page.get_by_text(note[:60]).count() >= 1, note
    assert page.get_by_test_id("stException").count() == 0
    # the path on: the first day ahead as the scenario, then its shifts
    _wait_idle(page)
    first = pd.DatetimeIndex(fitted.forecast(7).index).normalize()[0]
    label = planner.forecast.day_label(first.date(), fitted.day_names)
    page.get_by_role("button", name=f"Open {label} as the scenario").click()
    page.get_by_text("as the scenario: see the Scenario").wait_for(timeout=60_000)
    bank = planner.Scenario.load(ROOT / "scenarios" / "retail_bank.toml")  # the page's targets
    day = planner.Scenario.from_forecast(
        fitted, day=str(first.date()), name=f"calls.csv - {label}", targets=bank.targets,
        shrinkage=bank.shrinkage, patience=bank.mean_patience, cost_per_hour=bank.cost_per_hour,
        currency=bank.currency,
    )  # fmt: skip
    _go(page, "Scenario")
    _expect_card(page, "Calls offered", f"{day.summary()['calls']:,.0f}")
    _go(page, "Schedule")
    from app_pages.schedule import starting

    shifts = day.with_changes(templates=starting(day)).schedule()
    _expect_card(page, "People", str(shifts.people))
    _expect_card(page, "Paid hours", f"{shifts.scheduled_hours:,.1f}")
    assert page.get_by_test_id("stException").count() == 0
    # ... and ends in one workbook: the day's figures and its shifts, the library's
    book = pd.read_excel(_download(page, "Download the whole plan (Excel)"), sheet_name=None)
    assert {"summary", "staffing", "shifts", "roster", "coverage"} <= set(book)
    figures = book["summary"].set_index("figure")["value"]
    assert float(figures["calls offered"]) == pytest.approx(day.summary()["calls"], rel=1e-12)
    assert int(figures["people scheduled"]) == shifts.people
    assert float(figures["cost of the schedule"]) == pytest.approx(shifts.cost, rel=1e-12)
    assert book["shifts"]["count"].tolist() == shifts.shifts["count"].tolist()


def test_a_calendar_upload_overrides_the_sample_banks(server, browser, tmp_path):
    # the page's forecast with an uploaded calendar is the library's with that calendar
    calendar = tmp_path / "closures.csv"
    calendar.write_text("date,name,volume\n2026-05-27,Fair,1.5\n")
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    page.goto(f"{server}/intraday")
    uploader = page.locator('[data-testid="stFileUploader"]', has_text="Your calendar")
    uploader.wait_for(timeout=60_000)
    uploader.locator('input[type="file"]').set_input_files(str(calendar))
    model = planner.forecast.fit(
        planner.read_history(planner.sample.SAMPLE_PATH), country="US", calendar=calendar
    )
    fair = next(n for n in model.notes(7) if "Fair" in n)
    assert "at 150% of an ordinary day, as your calendar says" in fair
    page.get_by_text(fair).wait_for(timeout=180_000)
    # Memorial Day is no longer in the calendar: an ordinary Monday, with a warning
    page.get_by_text("warning: no Memorial Day in the history").wait_for(timeout=60_000)
    assert page.get_by_test_id("stException").count() == 0


def _go(page, name: str) -> None:
    """Another page, through the sidebar's navigation (the session stays; a page
    waiting on a search in a worker may leave elements stale, so only the status)."""
    _wait_idle(page, drawn=False)
    page.get_by_role("link", name=name, exact=True).click()
    page.get_by_test_id("stMainBlockContainer").get_by_role("heading").first.wait_for(
        timeout=120_000
    )
    _wait_idle(page)


def test_work_survives_leaving_the_page(server, browser, tmp_path):
    """A template edit, the calculator's calls and an uploaded history are still there after
    another page; the uploaded sample is read with the same holidays as the built-in one."""
    import dataclasses

    page = browser.new_page(viewport={"width": 1400, "height": 1200})
    page.goto(f"{server}/schedule")
    bank = planner.Scenario.load(ROOT / "scenarios" / "retail_bank.toml")
    _expect_card(page, "People", str(bank.schedule().people))
    # latest start of the full-time template: 11:30 -> 10:00, typed into the editor
    first, *rest = bank.scheduling.templates
    edited = bank.with_changes(templates=(dataclasses.replace(first, latest="10:00"), *rest))
    want = edited.schedule()
    assert f"{want.cost:,.2f}" != f"{bank.schedule().cost:,.2f}"
    editor = page.get_by_test_id("stDataFrame").first
    editor.scroll_into_view_if_needed()
    box = editor.bounding_box()
    # the fourth column (after the row markers, name, hours, earliest start) of the first
    # row: 357 px in at this viewport; rows of 35 px under a 35 px header
    page.mouse.dblclick(box["x"] + 357, box["y"] + 35 + 17)
    cell = page.locator("#portal input, #portal textarea").first
    cell.fill("10:00")
    cell.press("Enter")
    _expect_card(page, "Cost", planner.money(want.cost, "USD"))
    page.get_by_text("Changed here: templates").wait_for(timeout=60_000)
    # the calculator's calls
    _go(page, "Calculator")
    calls = page.get_by_test_id("stNumberInput").filter(has_text="Calls offered").locator("input")
    calls.fill("250")
    calls.press("Enter")
    model = planner.erlang_model(bank.mean_patience)
    agents = planner.required_agents(250, 180, 1800, bank.targets, model=model)
    _expect_card(page, "Agents needed", str(agents))
    # an uploaded history
    _go(page, "Intraday planner")
    path = ROOT / "data" / "sample_history.csv"
    uploader = page.locator('[data-testid="stFileUploader"]', has_text="Interval history")
    uploader.locator('input[type="file"]').set_input_files(str(path))
    fitted = planner.forecast.fit(planner.read_history(path), country="US")
    said = f"Forecast by {fitted.method}"
    page.get_by_text(said).wait_for(timeout=180_000)
    _wait_idle(page)
    country = page.get_by_role("textbox", name="Holidays of (country code)").last
    assert country.input_value() == "US"  # not blank: the same holidays as the sample's
    wape = fitted.backtest_table.loc[fitted.method, "wape"]
    assert f"interval WAPE {wape:.1%}" in page.get_by_text(said).inner_text()
    # away and back: each page as it was left
    _go(page, "Schedule")
    _expect_card(page, "Cost", planner.money(want.cost, "USD"))
    _expect_card(page, "People", str(want.people))
    _go(page, "Calculator")
    _expect_card(page, "Agents needed", str(agents))
    _go(page, "Intraday planner")
    page.get_by_text("Using sample_history.csv, uploaded earlier").wait_for(timeout=60_000)
    page.get_by_text(said).wait_for(timeout=180_000)
    # the Scenario page's download holds the edited template
    _go(page, "Scenario")
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download scenario (TOML)").click()
    saved = planner.Scenario.loads(Path(download.value.path()).read_text())
    assert saved.scheduling.templates[0].latest == "10:00"
    assert page.get_by_test_id("stException").count() == 0


def _workers(server: str) -> list[int]:
    """The app's worker processes (schedule, teams, forecast): the children of the fork
    server the app's server started (``app_pages/worker.py``)."""
    port = server.rsplit(":", 1)[1]
    procs = [p for p in Path("/proc").iterdir() if p.name.isdigit()]
    app = {
        int(p.name) for p in procs
        if b"streamlit" in _read(p / "cmdline") and port.encode() in _read(p / "cmdline")
    }  # fmt: skip
    forkserver = {
        int(p.name) for p in procs
        if _parent(p) in app and b"multiprocessing.forkserver" in _read(p / "cmdline")
    }  # fmt: skip
    return [int(p.name) for p in procs if _parent(p) in forkserver]


def _parent(proc: Path) -> int:
    stat = _read(proc / "stat").rsplit(b")", 1)[-1].split()
    return int(stat[1]) if len(stat) > 1 else -1


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def test_a_long_schedule_search_can_be_stopped_and_stops_with_the_page(server, browser):
    """The utility's week searches for up to a minute: Stop ends it at once (its worker
    gone), and so does leaving the page mid-search."""
    page = browser.new_page(viewport={"width": 1400, "height": 1200})
    page.goto(server)
    page.get_by_test_id("stSelectbox").filter(has_text="Open a bundled scenario").click()
    page.get_by_role("option", name="utility").click()
    _wait_idle(page)
    _go(page, "Schedule")
    _expect_card(page, "People", str(_utility_day_people()))

    def search_the_week() -> None:
        page.get_by_text("week", exact=True).first.click()
        page.get_by_text("HiGHS,").first.wait_for(timeout=60_000)  # searching, in a worker
        assert _workers(server)

    search_the_week()
    page.get_by_role("button", name="Stop the search").click()
    page.get_by_text("The search was stopped").wait_for(timeout=30_000)
    deadline = time.monotonic() + 20
    while _workers(server) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not _workers(server)
    # again, then leave the page mid-search: the worker goes with it
    page.get_by_role("button", name="Search again").click()
    page.get_by_text("HiGHS,").first.wait_for(timeout=60_000)
    _go(page, "Calculator")
    deadline = time.monotonic() + 20
    while _workers(server) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not _workers(server)
    assert page.get_by_test_id("stException").count() == 0


def _utility_day_people() -> int:
    sys.path.insert(0, str(ROOT))
    from app_pages.schedule import starting

    utility = planner.Scenario.load(ROOT / "scenarios" / "utility.toml")
    return utility.with_changes(templates=starting(utility)).schedule().people


def _desk_figures() -> dict[str, tuple[str, str]]:
    """Per page (its link), a card and the value the help desk gives it in the library."""
    sys.path.insert(0, str(ROOT))
    from app_pages.schedule import starting

    desk = planner.Scenario.load(ROOT / "scenarios" / "help_desk.toml")
    stand_in = planner.EmailChannel(
        items=desk.calls, aht=float(sum(desk.aht) / len(desk.aht)), deadline=14400.0
    )
    email = desk.with_changes(email=stand_in).channel_requirements("email")
    chat = planner.Chat(handle=(180.0, 210.0, 240.0), patience=desk.mean_patience)
    chat_agents = planner.required_agents(240.0, 180.0, 3600, desk.targets, model=chat)
    return {
        "Scenario": ("Calls offered", f"{desk.summary()['calls']:,.0f}"),
        "Simulation": (
            "Day service level (simulated)",
            f"{desk.simulate().day('service_level').mean:.1%}",
        ),
        # the chat page's own interval, under the help desk's targets and patience
        "Chat": ("Chat agents needed", str(chat_agents)),
        "Email": ("Email agent hours", f"{planner.hours(email['agents'], desk.interval):,.1f}"),
        "Schedule": ("People", str(desk.with_changes(templates=starting(desk)).schedule().people)),
    }


def test_opening_a_scenario_from_each_pages_sidebar_shows_it_there(server, browser):
    """On every page with the scenario's sidebar, opening the help desk there shows the
    help desk's figures on that page, as the library gives them."""
    for link, (label, value) in _desk_figures().items():
        page = browser.new_page(viewport={"width": 1400, "height": 1200})
        page.goto(server)
        page.get_by_text("Open a bundled scenario").wait_for(timeout=60_000)
        if link != "Scenario":
            _go(page, link)
        _wait_idle(page)
        picker = (
            page.get_by_test_id("stSidebar")
            .get_by_test_id("stSelectbox")
            .filter(has_text="Open a bundled scenario")
        )
        _choose(page, picker, "help_desk")
        try:
            page.wait_for_function(_card_is_js(label, value), timeout=120_000)
        except Exception:  # say what the page showed instead
            said = [a.inner_text()[:200] for a in page.get_by_test_id("stAlert").all()]
            running = page.get_by_test_id("stStatusWidget").count()
            pytest.fail(
                f"{link}: no {label} {value} after 120 s but {_card(page, label)!r} "
                f"(running: {running}); the page said {said}"
            )
        _expect_card(page, label, value)
        assert page.get_by_test_id("stException").count() == 0, link
        page.close()


def test_the_utility_email_page_refuses_at_once_and_the_app_goes_on(server, browser):
    """The utility's calls taken as email items were hours of solving: opened from the
    Email page's sidebar, the page names the limit within seconds, and the other pages
    still show the utility's figures."""
    page = browser.new_page(viewport={"width": 1400, "height": 1200})
    page.goto(f"{server}/email")
    picker = (
        page.get_by_test_id("stSidebar")
        .get_by_test_id("stSelectbox")
        .filter(has_text="Open a bundled scenario")
    )
    picker.wait_for(timeout=60_000)
    _wait_idle(page)
    start = time.monotonic()
    _choose(page, picker, "utility")
    page.get_by_text("too many for the exact backlog model").wait_for(timeout=60_000)
    print(f"\nutility on the Email page: refused in {time.monotonic() - start:.1f} s")
    assert "at most" in page.get_by_test_id("stAlert").filter(has_text="too many").inner_text()
    assert page.get_by_test_id("stException").count() == 0
    utility = planner.Scenario.load(ROOT / "scenarios" / "utility.toml")
    _go(page, "Scenario")
    _expect_card(page, "Calls offered", f"{utility.summary()['calls']:,.0f}")
    _expect_card(page, "Cost of the day", planner.money(utility.summary()["cost"], "GBP"))


def test_visiting_the_schedule_page_changes_nothing_and_abandon_comes_back_as_it_was(
    server, browser
):
    """On the help desk (no [schedule]): the Schedule page's starting templates are no
    what-if and not in the download; "Callers abandon" off and on restores the desk's own
    lognormal patience (the library's figures), not a 120 s exponential one."""
    sys.path.insert(0, str(ROOT))
    from app_pages.schedule import starting

    desk = planner.Scenario.load(ROOT / "scenarios" / "help_desk.toml")
    page = browser.new_page(viewport={"width": 1400, "height": 1200})
    page.goto(server)
    picker = (
        page.get_by_test_id("stSidebar")
        .get_by_test_id("stSelectbox")
        .filter(has_text="Open a bundled scenario")
    )
    picker.wait_for(timeout=60_000)
    _choose(page, picker, "help_desk")
    _expect_card(page, "Calls offered", f"{desk.summary()['calls']:,.0f}")
    _go(page, "Schedule")
    shifts = desk.with_changes(templates=starting(desk)).schedule()
    _expect_card(page, "People", str(shifts.people))
    _expect_card(page, "Cost", planner.money(shifts.cost, "EUR"))
    assert page.get_by_text("Changed here").count() == 0
    _go(page, "Scenario")
    _expect_card(page, "Calls offered", f"{desk.summary()['calls']:,.0f}")
    saved = Path(_download(page, "Download scenario (TOML)")).read_text()
    assert "[schedule]" not in saved and "schedule.shift" not in saved
    assert planner.Scenario.loads(saved) == desk
    # abandon off: Erlang C's figures; on again: the desk's own patience
    toggle = page.get_by_test_id("stSidebar").get_by_text("Callers abandon (Erlang A)")
    toggle.click()
    without = desk.with_changes(patience=None).summary()
    _expect_card(page, "Day ASA (s)", f"{without['asa']:.1f}")
    toggle.click()
    _expect_card(page, "Day abandon rate", f"{desk.summary()['abandon_rate']:.1%}")
    _expect_card(page, "Scheduled agent hours", f"{desk.summary()['scheduled_hours']:,.1f}")
    # no what-if left (a rerun's stale copy of the sidebar may show it a moment longer)
    page.get_by_text("Changed here").wait_for(state="detached", timeout=30_000)


def test_a_break_edited_in_the_breaks_editor_is_the_librarys_schedule(server, browser):
    """On the bank's Schedule page, the lunch typed from 30 to 45 minutes in the breaks
    editor gives the library's schedule for that template, and says it changed."""
    import dataclasses

    page = browser.new_page(viewport={"width": 1400, "height": 1200})
    page.goto(f"{server}/schedule")
    bank = planner.Scenario.load(ROOT / "scenarios" / "retail_bank.toml")
    _expect_card(page, "People", str(bank.schedule().people))
    first, *rest = bank.scheduling.templates
    paid, lunch = first.breaks
    longer = dataclasses.replace(lunch, length=2700.0)
    want = bank.with_changes(
        templates=(dataclasses.replace(first, breaks=(paid, longer)), *rest)
    ).schedule()
    assert f"{want.cost:,.2f}" != f"{bank.schedule().cost:,.2f}"
    editor = page.get_by_test_id("stDataFrame").nth(1)  # the breaks, under the templates
    editor.scroll_into_view_if_needed()
    box = editor.bounding_box()
    # the second row's first column, then one to the right (minutes), typed over
    page.mouse.click(box["x"] + 60, box["y"] + 35 + 35 + 17)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    cell = page.locator("#portal input, #portal textarea").first
    cell.fill("45")
    cell.press("Enter")
    _expect_card(page, "Cost", planner.money(want.cost, "USD"))
    _expect_card(page, "People", str(want.people))
    page.get_by_text("Changed here: templates").wait_for(timeout=60_000)
    page.close()


def test_the_skills_page_shows_the_librarys_staffing_after_edits_and_pages(server, browser):
    """A new user on /skills: fewer days per try, then 5% more calls; the cards are the
    library's for the same inputs each time, and stay so after another page and back."""
    bank = planner.load_scenario(ROOT / "scenarios" / "bank_skills.toml")

    def cards_of(scenario: planner.CenterScenario) -> dict[str, str]:
        found = scenario.staffing()
        total = scenario.staffing_summary(found).set_index("staffing").loc["total"]
        bounds = found.bounds.attrs["agent_hours"]
        return {
            "Agent hours": f"{found.agent_hours:,.1f}",
            "Dedicated teams (Erlang)": f"{bounds['dedicated']:,.1f}",
            "Cost (CAD)": planner.money(total["cost"]),
            "Every target met": "yes" if found.met else "no",
        }

    page = browser.new_page(viewport={"width": 1400, "height": 1200})
    page.goto(f"{server}/skills")
    days = page.get_by_test_id("stNumberInput").filter(has_text="Days simulated per try")
    days.wait_for(timeout=120_000)
    days.locator("input").fill("20")
    days.locator("input").press("Enter")
    for label, value in cards_of(bank.with_changes(calls_factor=1.0, replications=20)).items():
        _expect_card(page, label, value)
    calls = page.get_by_test_id("stSlider").filter(has_text="Calls, %").get_by_role("slider")
    calls.press("ArrowRight")  # 105%
    more = cards_of(bank.with_changes(calls_factor=1.05, replications=20))
    for label, value in more.items():
        _expect_card(page, label, value)
    _go(page, "Scenario")
    _go(page, "Many queues and skills")
    for label, value in more.items():
        _expect_card(page, label, value)
    assert page.get_by_test_id("stException").count() == 0


def test_the_capacity_page_shows_the_librarys_plan_after_what_ifs_and_pages(server, browser):
    """A new user on /capacity: the cards are Scenario.capacity_plan's for the bundled
    bank; after 5% more attrition and planning to the 90% quantile they are that plan's,
    and stay so after another page and back."""
    import dataclasses

    bank = planner.Scenario.load(ROOT / "scenarios" / "retail_bank.toml")

    def cards_of(scenario: planner.Scenario, **changes) -> dict[str, str]:
        p = scenario.capacity_plan(**changes)
        return {
            "Hires": f"{int(p.classes['size'].sum()):,}",
            "Classes": f"{len(p.classes)}",
            "Cost (USD)": planner.money(p.cost["total"]),
            "FTE-weeks short": f"{p.weeks['short_fte'].sum():,.1f}",
            "Weeks likely short (over 20%)": f"{int((p.weeks['p_short'] > 0.2).sum())}",
        }

    page = browser.new_page(viewport={"width": 1400, "height": 1200})
    page.goto(f"{server}/capacity")
    for label, value in cards_of(bank).items():
        _expect_card(page, label, value)
    attrition = page.get_by_test_id("stSlider").filter(has_text="Attrition").get_by_role("slider")
    attrition.press("ArrowRight")  # 1.05 times the file's
    _choose(page, page.get_by_test_id("stSelectbox").filter(has_text="Plan to"), "90% quantile")
    safer = dataclasses.replace(bank, capacity=dataclasses.replace(bank.capacity, quantile=0.9))
    want = cards_of(safer, attrition=1.05)
    for label, value in want.items():
        _expect_card(page, label, value)
    _go(page, "Scenario")
    _go(page, "Capacity plan")
    for label, value in want.items():
        _expect_card(page, label, value)
    assert page.get_by_test_id("stException").count() == 0
