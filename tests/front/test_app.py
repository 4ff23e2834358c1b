"""The Streamlit app, driven headlessly with streamlit's AppTest.

Every figure checked here is computed again with ``planner`` for the same
inputs: a number on screen is a claim. Widgets are found by key; the
what-if widgets carry the state's token (``name@token``), which changes
whenever another scenario is opened, so no old value survives.
"""

from __future__ import annotations

import dataclasses
import functools
import multiprocessing
import operator
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

import planner
from planner import Scenario

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "scenarios" / "retail_bank.toml"
BUNDLED = [  # the one-queue files the sidebar opens
    p for p in sorted((ROOT / "scenarios").glob("*.toml")) if not planner.scenario.is_center_file(p)
]


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """What each download button would hand over, by file name."""
    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def keep(self, path_or_data, mimetype, kind, filename=None):
        if filename is not None and isinstance(path_or_data, bytes | str):
            data = path_or_data.encode() if isinstance(path_or_data, str) else path_or_data
            files[filename] = data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    return files


PAGES = {
    "Scenario": "app_pages/scenario.py",
    "Calculator": "app_pages/calculator.py",
    "Intraday planner": "app_pages/intraday.py",
    "Simulation": "app_pages/simulation.py",
    "Compare scenarios": "app_pages/compare.py",
    "Schedule": "app_pages/schedule.py",
    "Chat": "app_pages/chat.py",
    "Email": "app_pages/backoffice.py",
    "Many queues and skills": "app_pages/skills.py",
    "Capacity plan": "app_pages/capacity.py",
}


def opened(scenario: Scenario, page: str) -> AppTest:
    """The app with ``scenario`` open (as opening its file does), on ``page``."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.session_state["base"] = scenario
    at.session_state["source"] = scenario.name
    at.session_state["whatif"] = {}
    at.session_state["token"] = 1
    at.run()
    go(at, page)
    ok(at)
    return at


def start(page: str = "Scenario") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    if page != "Scenario":
        go(at, page)
    ok(at)
    return at


def go(at: AppTest, page: str) -> None:
    """Open a page, as the sidebar's navigation does."""
    at.switch_page(PAGES[page]).run()


def ok(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]


def key(at: AppTest, name: str) -> str:
    return f"{name}@{at.session_state['token']}"


def textbook(at: AppTest, prefix: str) -> None:
    """A page's own inputs set to the textbook's (they start from the scenario's): Erlang C,
    no occupancy cap, 30% shrinkage, and 120 s patience when abandonment is turned on."""
    if at.session_state["base"].patience is not None:
        at.number_input(key=key(at, f"{prefix}_patience")).set_value(120.0).run()
        at.checkbox(key=key(at, f"{prefix}_use_patience")).uncheck().run()
    at.slider(key=key(at, f"{prefix}_occ")).set_value(1.0).run()
    at.slider(key=key(at, f"{prefix}_shrinkage")).set_value(0.3).run()
    ok(at)


def cards(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def warnings_shown(at: AppTest) -> str:
    return " | ".join(e.value for e in [*at.error, *at.warning, *at.info])


def check_scenario_page(at: AppTest, scenario: Scenario) -> None:
    """The Scenario page shows exactly what the library gives for ``scenario``."""
    expected = scenario.evaluate()
    day = scenario.summary()
    shown = at.dataframe[0].value
    assert shown["agents"].tolist() == expected["agents"].tolist()
    assert shown["scheduled"].tolist() == expected["scheduled"].tolist()
    assert shown["service_level"].to_numpy() == pytest.approx(expected["service_level"])
    c = cards(at)
    assert c["Calls offered"] == f"{day['calls']:,.0f}"
    assert c["Peak agents on the phones"] == str(int(day["peak_agents"]))
    assert c["Scheduled agent hours"] == f"{day['scheduled_hours']:,.1f}"
    assert c["Day service level"] == f"{day['service_level']:.1%}"
    if scenario.patience is not None:
        assert c["Day abandon rate"] == f"{day['abandon_rate']:.1%}"
    if scenario.cost_per_hour is not None:  # in the scenario's currency
        assert c["Cost of the day"] == planner.money(day["cost"], scenario.currency)
        assert scenario.currency is None or c["Cost of the day"].startswith(scenario.currency)
    else:
        assert "Cost of the day" not in c


def test_default_scenario_numbers_match_the_library():
    at = start()
    check_scenario_page(at, Scenario.load(DEFAULT))
    shown = at.dataframe[0].value
    bank = Scenario.load(DEFAULT)
    expected = planner.binding_targets(
        bank.workload(), shown["agents"], bank.targets, bank.interval, model=bank.model
    )
    assert shown["driven_by"].tolist() == expected
    assert warnings_shown(at) == ""  # the requirement meets every target: nothing to say


def test_sidebar_what_if_recomputes_and_downloads_what_is_shown(downloads):
    at = start()
    at.slider(key=key(at, "service_level")).set_value(0.95).run()
    at.slider(key=key(at, "max_occupancy")).set_value(1.0).run()
    at.slider(key=key(at, "shrinkage")).set_value(0.4).run()
    at.checkbox(key=key(at, "use_patience")).uncheck().run()
    ok(at)
    expected = Scenario.load(DEFAULT).with_changes(
        service_level=0.95, max_occupancy=None, patience=None, shrinkage=0.4
    )
    check_scenario_page(at, expected)
    assert "abandon_rate" not in at.dataframe[0].value
    assert "Day ASA (s)" in cards(at)
    assert Scenario.loads(downloads["retail_bank_inbound_weekday.toml"].decode()) == expected


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_opening_a_scenario_replaces_everything_on_every_page(path, downloads):
    at = start()
    # what-ifs on the scenario open first must not leak into the next one
    at.slider(key=key(at, "service_level")).set_value(0.95).run()
    at.slider(key=key(at, "shrinkage")).set_value(0.5).run()
    downloads.clear()
    at.selectbox(key="bundled").set_value(path.stem).run()
    ok(at)
    scenario = Scenario.load(path)
    check_scenario_page(at, scenario)
    # the controls show the new scenario's own values, not the last what-ifs
    assert at.slider(key=key(at, "service_level")).value == scenario.targets.service_level
    assert at.slider(key=key(at, "shrinkage")).value == scenario.shrinkage
    (toml,) = [v for k, v in downloads.items() if k.endswith(".toml")]
    assert Scenario.loads(toml.decode(), base_dir=str(ROOT / "scenarios")) == scenario

    go(at, "Simulation")
    ok(at)
    res = scenario.simulate()
    shown = at.dataframe[0].value
    np.testing.assert_allclose(shown["service_level"], res["service_level"].mean, rtol=1e-12)
    assert cards(at)["Day service level (simulated)"] == f"{res.day('service_level').mean:.1%}"

    go(at, "Compare scenarios")
    ok(at)
    table = at.table[0].value
    current = table[table["scenario"].str.endswith("(current)")]
    assert len(current) == 1 and not (table["scenario"] == f"{scenario.name} ({path.stem})").any()
    assert table["scenario"].is_unique
    day = scenario.summary()
    assert current.iloc[0]["scheduled hours"] == pytest.approx(day["scheduled_hours"])
    assert current.iloc[0]["service level"] == pytest.approx(day["service_level"])


def test_what_ifs_reach_simulation_and_compare_and_survive_page_changes():
    at = start()
    at.slider(key=key(at, "shrinkage")).set_value(0.4).run()
    at.number_input(key=key(at, "patience")).set_value(240.0).run()
    changed = Scenario.load(DEFAULT).with_changes(shrinkage=0.4, patience=240.0)
    go(at, "Calculator")  # a page without the what-ifs
    go(at, "Simulation")
    ok(at)
    res = changed.simulate()
    np.testing.assert_allclose(
        at.dataframe[0].value["abandon_rate"], res["abandon_rate"].mean, rtol=1e-12
    )
    go(at, "Compare scenarios")
    row = at.table[0].value.iloc[0]
    assert row["scheduled hours"] == pytest.approx(changed.summary()["scheduled_hours"])
    go(at, "Scenario")
    check_scenario_page(at, changed)
    assert at.slider(key=key(at, "shrinkage")).value == 0.4


def test_bad_scenario_file_shows_a_message_not_a_traceback(tmp_path, monkeypatch):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\ninterval = 1800\n[workload]\ncalls = [1, -1]\naht = 180\n')
    monkeypatch.setattr("sys.argv", ["app.py", "--scenario", str(bad)])
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert "'calls' must be >= 0" in at.error[0].value


def test_calculator_starts_from_the_scenarios_targets_shrinkage_and_patience():
    at = start("Calculator")
    bank = Scenario.load(DEFAULT)
    model = planner.erlang_model(bank.mean_patience)
    want = planner.required_agents(100, 180, 1800, bank.targets, model=model)
    c = cards(at)
    assert c["Agents needed"] == str(want)
    assert c["Scheduled (after shrinkage)"] == str(planner.scheduled_staff(want, bank.shrinkage))
    assert at.slider(key=key(at, "calc_occ")).value == bank.targets.max_occupancy
    # a what-if on the sidebar of another page reaches it
    go(at, "Scenario")
    at.slider(key=key(at, "service_level")).set_value(0.9).run()
    go(at, "Calculator")
    targets = dataclasses.replace(bank.targets, service_level=0.9)
    want = planner.required_agents(100, 180, 1800, targets, model=model)
    assert cards(at)["Agents needed"] == str(want)


def test_calculator_power_of_one_with_every_target():
    at = start("Calculator")
    textbook(at, "calc")
    assert cards(at)["Agents needed"] == "14"  # Call Centre Helper: 100 calls, 180 s, 80/20
    table = at.dataframe[0].value
    assert table["agents"].tolist() == [12, 13, 14, 15, 16, 17]
    assert table["required"].tolist() == [False, False, True, False, False, False]
    expected = planner.interval_metrics([12, 13, 14, 15, 16, 17], 100, 180, 1800, planner.Targets())
    assert table["service_level"].to_numpy() == pytest.approx(expected["service_level"])
    # Erlang A with an abandonment cap and an ASA target, as a planner sets them
    at.number_input(key=key(at, "calc_calls")).set_value(250).run()
    at.checkbox(key=key(at, "calc_use_patience")).check().run()
    at.slider(key=key(at, "calc_ab")).set_value(0.03).run()
    at.number_input(key=key(at, "calc_asa")).set_value(10.0).run()
    ok(at)
    targets = planner.Targets(service_level=0.8, answer_time=20, asa=10, max_abandon=0.03)
    erlang_a = planner.ErlangA(patience=120)
    want = planner.required_agents(250, 180, 1800, targets, model=erlang_a)
    m = planner.interval_metrics(want, 250, 180, 1800, targets, model=erlang_a).iloc[0]
    c = cards(at)
    assert c["Agents needed"] == str(want)
    assert c["Abandon rate"] == f"{m['abandon_rate']:.1%}"
    day = pd.DataFrame({"calls": [250], "aht": [180]})
    driven = planner.binding_targets(day, [want], targets, 1800, model=erlang_a)[0]
    assert any(c.value == f"Driven by: {driven}." for c in at.caption)


def test_calculator_under_erlang_x_shows_the_librarys_figures():
    from planner import ErlangX, erlang_x

    at = start("Calculator")
    textbook(at, "calc")
    at.checkbox(key=key(at, "calc_use_patience")).check().run()
    at.number_input(key=key(at, "x_redial")).set_value(0.5).run()
    at.number_input(key=key(at, "x_fcr")).set_value(0.8).run()
    at.number_input(key=key(at, "x_lines")).set_value(30).run()
    ok(at)
    targets = planner.Targets()
    model = ErlangX(patience=120, redial_probability=0.5, fcr=0.8, lines=30)
    want = planner.required_agents(100, 180, 1800, targets, model=model)
    x = erlang_x(want, 10.0, 180, 120, answer_time=20, lines=30, redial_probability=0.5, fcr=0.8)
    c = cards(at)
    assert c["Agents needed"] == str(want)
    assert c["Service level"] == f"{float(x.service_level):.1%}"
    assert c["Abandon rate"] == f"{float(x.abandon_rate):.1%}"
    assert c["Redials"] == f"{float(x.redial_share):.1%}"
    assert c["Repeat contacts"] == f"{float(x.repeat_share):.1%}"
    assert c["Blocked (lines busy)"] == f"{float(x.blocking):.1%}"
    table = at.dataframe[0].value
    row = table[table["agents"] == want].iloc[0]
    assert row["service_level"] == pytest.approx(float(x.service_level), rel=1e-12)
    # the published definition, over the virtual wait
    at.selectbox(key=key(at, "x_definition")).set_value("virtual").run()
    ok(at)
    assert any("infinite patience" in c.value for c in at.caption)


def test_intraday_planner_on_the_sample_with_its_own_targets(fitted_sample):
    at = start("Intraday planner")
    textbook(at, "intraday")
    at.slider(key=key(at, "intraday_sl")).set_value(0.9).run()
    ok(at)
    model = fitted_sample  # the sample fitted as the app and the CLI fit it
    targets = planner.Targets(service_level=0.9, answer_time=20)
    expected = planner.forecast_requirements(model, 7, targets, shrinkage=0.3)
    first_day = sorted({t.date() for t in expected.index})[0]
    day = expected[[t.date() == first_day for t in expected.index]]
    shown = at.dataframe[-1].value  # the result under the editable table
    assert shown["agents"].tolist() == day["agents"].tolist()
    assert shown["scheduled"].tolist() == day["scheduled"].tolist()
    assert shown["service_level"].to_numpy() == pytest.approx(day["service_level"])


def test_intraday_edits_stay_on_their_day_and_interval():
    at = start("Intraday planner")
    days = at.selectbox(key=key(at, "plan_day")).options
    first, second = days[0], days[1]
    chosen = at.selectbox(key=key(at, "plan_day")).value
    inputs = at.session_state["inputs"]
    at.session_state["inputs"] = inputs | {"edits": {(str(chosen), "10:00"): {"agents": 0}}}
    at.run()
    ok(at)

    def check_edit() -> None:
        shown = at.dataframe[-1].value
        row = shown[shown["interval_start"] == "10:00"].iloc[0]
        assert row["agents"] == 0 and bool(row["edited"])
        assert "Cannot be served" in warnings_shown(at) and "10:00" in warnings_shown(at)

    check_edit()
    # another page and back: the edit and the day are still there
    go(at, "Scenario")
    go(at, "Intraday planner")
    ok(at)
    assert at.selectbox(key=key(at, "plan_day")).value == chosen
    check_edit()
    # the next day keeps its own 10:00
    at.selectbox(key=key(at, "plan_day")).set_value(second).run()
    ok(at)
    assert first != second
    other = at.dataframe[-1].value
    assert (other.loc[other["interval_start"] == "10:00", "agents"] > 0).all()
    assert not other["edited"].any()
    assert "Cannot be served" not in warnings_shown(at)


def test_simulation_below_target_is_said_with_its_ci():
    at = start()
    at.selectbox(key="bundled").set_value("utility").run()
    go(at, "Simulation")
    ok(at)
    utility = Scenario.load(ROOT / "scenarios" / "utility.toml")
    res = utility.simulate()
    day = res.day("service_level")
    said = warnings_shown(at)
    if day.ci_high < utility.targets.service_level:  # the library's verdict decides
        assert f"misses the {utility.targets.service_level:.0%}" in said
        assert f"{day.ci_low:.1%} - {day.ci_high:.1%}" in said
    else:
        assert "misses the" not in said


def test_few_replications_are_flagged_and_enough_are_not():
    at = start("Simulation")
    reps = key(at, "replications")
    at.slider(key=reps).set_value(3).run()
    assert "add replications" in warnings_shown(at)
    at.slider(key=reps).set_value(60).run()
    res = Scenario.load(DEFAULT).simulate(replications=60)
    half = (res.day("service_level").ci_high - res.day("service_level").ci_low) / 2
    assert ("add replications" in warnings_shown(at)) == (half > 0.05)


def test_intraday_week_view_hours_fte_and_holiday_names(fitted_sample):
    at = start("Intraday planner")
    textbook(at, "intraday")
    model = fitted_sample  # the sample fitted as the app and the CLI fit it
    table = planner.forecast_requirements(model, 7, planner.Targets(), shrinkage=0.3)
    stamps = table.index
    monday = stamps.normalize() - pd.to_timedelta(stamps.day_of_week, unit="D")
    first = table[monday == monday[0]]
    weeks = next(d.value for d in at.dataframe if "scheduled hours" in d.value.columns)
    scheduled = planner.hours(first["scheduled"], model.interval)
    assert weeks.iloc[0]["scheduled hours"] == pytest.approx(scheduled)
    assert weeks.iloc[0]["FTE"] == pytest.approx(scheduled / 37.5)
    # the page's weeks are the library's roll-up
    want = planner.weekly_summary(table, model.interval, fte_hours=37.5)
    np.testing.assert_allclose(weeks["scheduled hours"], want["scheduled_hours"])
    np.testing.assert_allclose(weeks["FTE"], want["fte"])
    assert weeks["open days"].tolist() == want["open_days"].tolist()
    # every date carries its weekday, and a holiday its name
    days = sorted({t.date() for t in stamps})
    names = planner.forecast.special_day_names(days[0], days[-1], "US")
    shown = [at.selectbox(key=key(at, "plan_day")).format_func(d) for d in days]
    assert shown == [planner.forecast.day_label(d, names) for d in days]
    # Memorial Day: closed (the sample's holidays have no rows), and the page says so
    assert not any("Memorial Day" in label for label in shown)
    said = [i.value for i in at.info]
    assert any("Memorial Day" in s and "closed" in s for s in said)
    assert any("the open day after it" in s for s in said)
    # the method chosen, and how
    caption = " ".join(c.value for c in at.caption)
    assert f"Forecast by **{model.method}**" in caption
    chosen = model.backtest_table.loc[model.method]
    assert f"held {chosen['coverage_90']:.1%} of the intervals and " in caption
    assert f"{chosen['day_coverage_90']:.1%} of the days" in caption
    backtest = next(d.value for d in at.dataframe if "90% band held" in d.value.columns)
    assert backtest.index.tolist() == model.backtest_table.index.tolist()


def test_a_short_plan_is_named_where_it_misses_and_where_it_overworks(tmp_path, monkeypatch):
    desk = Scenario.load(ROOT / "scenarios" / "help_desk.toml")
    required = desk.requirements()["agents"]
    short = desk.with_changes(plan=tuple(int(max(a - 2, 1)) for a in required), max_occupancy=0.75)
    path = tmp_path / "short.toml"
    short.save(path)
    monkeypatch.setattr("sys.argv", ["app.py", "--scenario", str(path)])
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    ok(at)
    table = short.evaluate()
    said = warnings_shown(at)
    measures = {k: table[k] for k in ("service_level", "abandon_rate", "occupancy")}
    met = np.asarray(short.targets.met(measures))
    busy = (table["occupancy"] > 0.75).to_numpy()
    assert (~met).any() and busy.any()  # the plan is short somewhere: the test is not vacuous
    assert (
        "Below target with this plan" in said and table.loc[~met, "interval_start"].iloc[0] in said
    )
    assert (
        "Occupancy above the 75% cap" in said and table.loc[busy, "interval_start"].iloc[0] in said
    )
    assert "Cannot be served" not in said  # Erlang A: a queue with abandonment always settles
    check_scenario_page(at, short)


def schedule_cards_match(
    at: AppTest, want: planner.Schedule, week: bool = False, currency: str | None = "USD"
) -> None:
    """The Schedule page's cards and shifts are the library's schedule (costs in
    ``currency``, the bank's unless said)."""
    shown = cards(at)
    assert shown["People"] == str(want.people)
    assert shown["Paid hours"] == f"{want.scheduled_hours:,.1f}"
    assert shown["Cost"] == planner.money(want.cost, currency)
    flexible = planner.hours(want.coverage["required"], want.interval)
    assert shown["Against perfectly flexible"] == f"{want.scheduled_hours / flexible - 1:+.1%}"
    day = planner.day_summary(want.service(), want.interval)
    label = "Week service level" if week else "Day service level"
    assert shown[label] == f"{day['service_level']:.1%}"
    shifts = next(d.value for d in at.dataframe if "breaks" in d.value.columns)
    assert shifts["count"].tolist() == want.shifts["count"].tolist()
    assert shifts["start"].tolist() == want.shifts["start"].tolist()


@pytest.mark.slow
def test_schedule_page_shows_the_librarys_schedule(downloads):
    from app_pages.schedule import break_rows, editor_rows, templates_from_editor

    at = start("Schedule")
    bank = Scenario.load(ROOT / "scenarios" / "retail_bank.toml")
    # the scenario's own templates and rules, through the editors' rows unchanged
    own = bank.scheduling.templates
    assert templates_from_editor(editor_rows(own), break_rows(own)) == own
    schedule_cards_match(at, bank.schedule())
    assert at.session_state["whatif"] == {}
    # paid hours beside the Scenario page's scheduled hours, each word with its meaning
    flat = f"{bank.summary()['scheduled_hours']:,.1f} scheduled agent hours"
    assert any(flat in c.value and "breaks included" in c.value for c in at.caption)
    # a week, from the same page: the scenario's opening hours and Saturday factor
    at.radio(key=key(at, "horizon")).set_value("week").run()
    ok(at)
    week = bank.with_changes(horizon="week")
    schedule_cards_match(at, week.schedule(), week=True)
    # a tighter part-time cap is a what-if of the scenario: the download keeps it
    at.number_input(key=key(at, "max_part_time")).set_value(0.2).run()
    ok(at)
    capped = week.with_changes(max_part_time=0.2)
    schedule_cards_match(at, capped.schedule(), week=True)
    go(at, "Scenario")
    ok(at)
    saved = Scenario.loads(downloads["retail_bank_inbound_weekday.toml"].decode())
    assert saved.scheduling == capped.scheduling
    # soft coverage on a budget leaves intervals short, and says which
    go(at, "Schedule")
    at.radio(key=key(at, "horizon")).set_value("day").run()
    at.radio(key=key(at, "coverage")).set_value("soft").run()
    ok(at)
    budget = round(0.9 * planner.hours(bank.schedule_requirements()["scheduled"], bank.interval), 1)
    soft = bank.with_changes(max_part_time=0.2, coverage="soft", paid_hours=budget)
    schedule_cards_match(at, soft.schedule())
    assert soft.schedule().scheduled_hours <= budget + 1e-9
    assert any("Short of the requirement" in w.value for w in at.warning)


def _three_breaks() -> tuple:
    """Issue 24's full-time template with two paid breaks and a lunch 30 minutes apart,
    11 h of rest and a 1 h band, beside a part-time one with one break."""
    from planner.schedule import Break, ShiftTemplate

    hour = 3600.0
    return (
        ShiftTemplate(
            "full time", 8.5 * hour, every=900, earliest="07:00", latest="12:00",
            breaks=(Break(900, 1.5 * hour, 3 * hour), Break(1800, 3.5 * hour, 5 * hour, False),
                    Break(900, 5.5 * hour, 7 * hour)),
            break_spacing=1800.0, min_rest=11 * hour, start_band=hour, min_count=2,
            cost_per_hour=20.0,
        ),
        ShiftTemplate(
            "part time", 4 * hour, every=900, earliest="08:00", latest="17:00",
            breaks=(Break(900, 1.5 * hour, 2.5 * hour),), cost_per_hour=22.0, part_time=True,
        ),
    )  # fmt: skip


def test_the_editors_hold_any_number_of_breaks_and_every_weekly_rule():
    """Templates with two paid breaks and a lunch, break spacing, minimum rest and a
    least count go through the editors' rows unchanged (they were read-only, and an edit
    elsewhere dropped spacing and rest); a break added, removed or naming no template."""
    from app_pages.schedule import break_rows, editable, editor_rows, templates_from_editor
    from planner.schedule import Break

    three = _three_breaks()
    assert editable(three)
    rows, breaks = editor_rows(three), break_rows(three)
    assert breaks["shift"].tolist() == ["full time"] * 3 + ["part time"]
    assert templates_from_editor(rows, breaks) == three
    # a fourth break on the part-time template, an empty row and a 0-minute row ignored
    more = pd.concat([breaks, pd.DataFrame([
        {"shift": "part time", "minutes": 10.0, "from (h)": 3.0, "to (h)": 3.5, "paid": True},
        {"shift": None, "minutes": None},
        {"shift": "full time", "minutes": 0.0},
    ])], ignore_index=True)  # fmt: skip
    got = templates_from_editor(rows, more)
    assert got[1].breaks == (*three[1].breaks, Break(600, 3 * 3600, 3.5 * 3600))
    assert got[0] == three[0]
    # the lunch removed
    assert len(templates_from_editor(rows, breaks.drop(index=1))[0].breaks) == 2
    with pytest.raises(planner.InputError, match="break row 5 names the template 'evening'"):
        templates_from_editor(
            rows, pd.concat([breaks, pd.DataFrame([{"shift": "evening"}])], ignore_index=True)
        )
    with pytest.raises(planner.InputError, match="two templates are named 'part time'"):
        templates_from_editor(rows.assign(name="part time"), breaks)


@pytest.mark.slow
def test_the_schedule_page_edits_templates_with_several_breaks():
    """The help desk with issue 24's templates: the page shows both editors (not a
    read-only table) and the library's schedule for them."""
    desk = Scenario.load(ROOT / "scenarios" / "help_desk.toml")
    three = _three_breaks()
    start_time = desk.start
    want = desk.with_changes(templates=tuple(
        dataclasses.replace(t, earliest=start_time) for t in three))  # fmt: skip
    at = opened(want, "Schedule")
    assert not any("are edited in the scenario file" in c.value for c in at.caption)
    assert any("Breaks: any number per template" in c.value for c in at.caption)
    schedule_cards_match(at, want.schedule(), currency="EUR")
    assert at.session_state["whatif"] == {}  # shown, not changed


def test_schedule_editor_rows_are_templates_and_reset_drops_the_rules():
    from app_pages.schedule import STARTING, break_rows, editor_rows, templates_from_editor

    # an edited cell and an added row with only a name and hours (defaults elsewhere)
    rows = editor_rows(STARTING)
    rows.loc[0, "cost per hour"] = 40.0
    rows.loc[1, "days off together"] = False
    rows = pd.concat([rows, pd.DataFrame([{"name": "evening", "hours": 6.0}])], ignore_index=True)
    got = templates_from_editor(rows, break_rows(STARTING))
    assert got[0] == dataclasses.replace(STARTING[0], cost_per_hour=40.0)
    assert got[1] == dataclasses.replace(STARTING[1], consecutive_off=False)
    assert got[2].length == 6 * 3600 and got[2].breaks == () and got[2].every == 1800
    # the page's rules are what-ifs, and the sidebar's reset drops them
    at = start("Schedule")
    bank = Scenario.load(ROOT / "scenarios" / "retail_bank.toml")
    at.number_input(key=key(at, "schedule_shrinkage")).set_value(0.1).run()
    ok(at)
    assert at.session_state["whatif"] == {"schedule_shrinkage": 0.1}
    schedule_cards_match(at, bank.with_changes(schedule_shrinkage=0.1).schedule())
    at.button(key=key(at, "reset")).click().run()
    ok(at)
    assert at.session_state["whatif"] == {}
    schedule_cards_match(at, bank.schedule())
    # each person's day, as the library rosters it
    roster = next(d.value for d in at.dataframe if "person" in d.value.columns)
    pd.testing.assert_frame_equal(roster.reset_index(drop=True), bank.schedule().roster)


def test_schedule_progress_says_the_best_so_far_and_its_distance_from_the_bound():
    from app_pages.schedule import progress_text

    said = progress_text(3.2, 1000.0, 950.0)
    assert "3 s" in said and "1,000.00" in said and "within 5.0%" in said
    assert "within" not in progress_text(0.4, 1000.0, float("-inf"))


def test_scenario_page_under_erlang_x_shows_the_scenarios_figures(tmp_path):
    from planner import ErlangX

    bank = Scenario.load(ROOT / "scenarios" / "retail_bank.toml").with_changes(
        erlang_x=ErlangX(redial_probability=0.5, fcr=0.85)
    )
    path = tmp_path / "bank_x.toml"
    bank.save(path)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.session_state["base"] = bank  # as opening the file does
    at.session_state["source"] = str(path)
    at.session_state["whatif"] = {}
    at.session_state["token"] = 1
    at.run()
    ok(at)
    day = planner.day_summary(bank.evaluate(), bank.interval, bank.cost_per_hour)
    c = cards(at)
    assert c["Peak agents on the phones"] == str(int(day["peak_agents"]))
    assert c["Day service level"] == f"{day['service_level']:.1%}"
    assert any("Erlang X" in cap.value for cap in at.caption)
    table = bank.evaluate()
    driven = planner.binding_targets(table, table["agents"], bank.targets, bank.interval,
                                     model=bank.model)  # fmt: skip
    shown = next(d.value for d in at.dataframe if "driven_by" in d.value.columns)
    assert shown["driven_by"].tolist() == driven
    assert shown["agents"].tolist() == table["agents"].tolist()


def test_chat_page_with_no_chats_says_so_instead_of_nan():
    at = start("Chat")
    at.number_input(key=key(at, "chat_chats")).set_value(0.0).run()
    at.button(key="chat_simulate").click().run()
    ok(at)
    assert cards(at)["Chat agents needed"] == "0"
    assert not any("nan" in value for value in cards(at).values())
    assert any("No chats offered: nothing to simulate" in i.value for i in at.info)


def test_chat_page_shows_the_librarys_figures_and_every_team():
    from planner import Chat, ChatChannel, chat

    def required_chat_agents(chats, handle, interval, targets, patience=None):
        model = Chat(handle=tuple(handle), patience=patience)
        return planner.required_agents(chats, handle[0], interval, targets, model=model)

    at = start("Chat")
    textbook(at, "chat")
    want = required_chat_agents(240, [180, 210, 240], 3600, planner.Targets())
    m = chat(want, 240, [180, 210, 240], 3600)
    c = cards(at)
    assert c["Chat agents needed"] == str(want)
    assert c["Service level"] == f"{float(m.service_level):.1%}"
    assert c["Chats per busy agent"] == f"{float(m.mean_concurrency):.2f}"
    assert any("no chat channel" in i.value for i in at.info)
    # with patience, and another handle profile
    at.checkbox(key=key(at, "chat_use_patience")).check().run()
    at.text_input(key=key(at, "chat_handle")).set_value("200, 260").run()
    ok(at)
    targets = planner.Targets()
    want = required_chat_agents(240, [200, 260], 3600, targets, 120)
    m = chat(want, 240, [200, 260], 3600, patience=120)
    assert cards(at)["Abandon rate"] == f"{float(m.abandon_rate):.1%}"
    at.button(key="chat_simulate").click().run()
    ok(at)
    from app_pages.chat import simulated

    sim = simulated(240.0, want, (200.0, 260.0), 3600, 120.0, targets.answer_time)
    shown = cards(at)
    assert shown["Simulated service level"] == f"{sim.day('service_level').mean:.1%}"
    assert shown["Simulated abandon rate"] == f"{sim.day('abandon_rate').mean:.1%}"
    at.text_input(key=key(at, "chat_handle")).set_value("fast").run()
    assert any("handle times must be seconds" in e.value for e in at.error)
    # a scenario with a chat team: the teams and their total
    bank = Scenario.load(ROOT / "scenarios" / "retail_bank.toml")
    bank = bank.with_changes(chat=ChatChannel(chats=[x / 3 for x in bank.calls],
                                              handle=(180, 210, 240), patience=90))  # fmt: skip
    at = opened(bank, "Chat")
    staff = bank.staff_requirements()
    assert cards(at)["All agent hours"] == f"{planner.hours(staff['total_agents'], 1800):,.1f}"
    team = next(d.value for d in at.dataframe if "mean_concurrency" in d.value.columns
                and "interval_start" in d.value.columns)  # fmt: skip
    assert team["agents"].tolist() == bank.channel_requirements("chat")["agents"].tolist()


@pytest.mark.slow
def test_email_page_shows_the_librarys_figures_and_every_team():
    from planner import EmailChannel

    at = start("Email")
    bank = Scenario.load(ROOT / "scenarios" / "retail_bank.toml")
    assert any("no email channel" in i.value for i in at.info)
    stand_in = EmailChannel(items=bank.calls, aht=float(np.mean(bank.aht)), deadline=14400.0)
    team = bank.with_changes(email=stand_in).channel_requirements("email")
    c = cards(at)
    assert c["Email agent hours"] == f"{planner.hours(team['agents'], bank.interval):,.1f}"
    assert c["Peak agents"] == str(int(team["agents"].max()))
    assert c["Largest backlog"] == f"{team['backlog'].max():,.1f}"
    shown = next(d.value for d in at.dataframe if "backlog_p90" in d.value.columns)
    assert shown["agents"].tolist() == team["agents"].tolist()
    # half the items, open 09:00-17:00, 95% within 2 open hours
    at.number_input(key=key(at, "email_factor")).set_value(0.5).run()
    at.text_input(key=key(at, "email_open")).set_value("09:00-17:00").run()
    at.number_input(key=key(at, "email_hours")).set_value(2.0).run()
    at.number_input(key=key(at, "email_target")).set_value(0.95).run()
    ok(at)
    changed = EmailChannel(
        items=tuple(np.asarray(bank.calls) * 0.5), aht=stand_in.aht, deadline=7200.0,
        target=0.95, open_hours=("09:00", "17:00"),
    )  # fmt: skip
    team = bank.with_changes(email=changed).channel_requirements("email")
    items = team["items"].to_numpy()
    share = float(np.nansum(team["on_time"].to_numpy() * items) / items.sum())
    c = cards(at)
    assert c["Email agent hours"] == f"{planner.hours(team['agents'], bank.interval):,.1f}"
    assert c["Within the deadline"] == f"{share:.1%}"
    staff = bank.with_changes(email=changed).staff_requirements()
    assert c["All agent hours"] == f"{planner.hours(staff['total_agents'], bank.interval):,.1f}"
    at.text_input(key=key(at, "email_open")).set_value("nine to five").run()
    assert any("open hours must be HH:MM-HH:MM" in e.value for e in at.error)


def test_email_page_plans_a_blended_team_as_the_library_does():
    from planner import EmailChannel

    small = Scenario(
        name="small", interval=1800, calls=(60, 100, 40), aht=(180, 200, 180), start="09:00",
        patience=300, shrinkage=0.3,
        channels=(EmailChannel(items=(20, 30, 10), aht=600, deadline=7200),),
    )  # fmt: skip
    at = opened(small, "Email")
    at.toggle(key=key(at, "email_blend")).set_value(True).run()
    ok(at)
    blend = small.blended_requirements()
    c = cards(at)
    assert c["Blended agent hours"] == f"{planner.hours(blend['agents'], 1800):,.1f}"
    assert c["Saved"] == f"{planner.hours(blend['saving'], 1800):,.1f} h"
    shown = next(d.value for d in at.dataframe if "reserve" in d.value.columns)
    assert shown["agents"].tolist() == blend["agents"].tolist()
    # the blended team is still there after another page
    go(at, "Scenario")
    go(at, "Email")
    ok(at)
    assert cards(at)["Blended agent hours"] == c["Blended agent hours"]


def test_page_inputs_survive_navigation_and_go_with_the_scenario():
    """Calculator calls, simulation replications and the intraday horizon stay when the
    page is left and come back to; opening another scenario resets them."""
    at = start("Calculator")
    at.number_input(key=key(at, "calc_calls")).set_value(250.0).run()
    go(at, "Simulation")
    at.slider(key=key(at, "replications")).set_value(7).run()
    go(at, "Intraday planner")
    at.number_input(key=key(at, "horizon")).set_value(3).run()
    ok(at)
    for page in ("Scenario", "Calculator"):
        go(at, page)
    ok(at)
    assert at.number_input(key=key(at, "calc_calls")).value == 250.0
    bank = Scenario.load(DEFAULT)
    model = planner.erlang_model(bank.mean_patience)
    agents = planner.required_agents(250, 180, 1800, bank.targets, model=model)
    assert cards(at)["Agents needed"] == str(agents)
    go(at, "Simulation")
    ok(at)
    assert at.slider(key=key(at, "replications")).value == 7
    assert "7 replications" in warnings_shown(at)
    go(at, "Intraday planner")
    ok(at)
    assert at.number_input(key=key(at, "horizon")).value == 3
    # another scenario: every page input back at its default
    go(at, "Scenario")
    at.selectbox(key="bundled").set_value("help_desk").run()
    go(at, "Calculator")
    ok(at)
    assert at.number_input(key=key(at, "calc_calls")).value == 100.0


def test_visiting_the_schedule_page_changes_nothing_and_the_sidebar_counts_there(downloads):
    # a scenario without [schedule]: the page starts from two templates, not a what-if
    desk = Scenario.load(ROOT / "scenarios" / "help_desk.toml")
    at = opened(desk, "Schedule")
    assert at.session_state["whatif"] == {}
    from app_pages.schedule import starting

    schedule_cards_match(at, desk.with_changes(templates=starting(desk)).schedule(), currency="EUR")
    go(at, "Scenario")
    (toml,) = [v for k, v in downloads.items() if k.endswith(".toml")]
    assert "[schedule]" not in toml.decode() and "schedule.shift" not in toml.decode()
    # the sidebar's shrinkage on the Schedule page is the sidebar's, as on the Scenario page
    at = start("Schedule")
    at.slider(key=key(at, "shrinkage")).set_value(0.4).run()
    ok(at)
    assert at.session_state["whatif"] == {"shrinkage": 0.4}
    bank = Scenario.load(DEFAULT).with_changes(shrinkage=0.4)
    schedule_cards_match(at, bank.schedule())
    assert at.number_input(key=key(at, "schedule_shrinkage")).value == bank.schedule_shrinkage()


def test_abandon_off_and_on_restores_the_scenarios_own_patience():
    desk = Scenario.load(ROOT / "scenarios" / "help_desk.toml")
    at = opened(desk, "Scenario")
    at.checkbox(key=key(at, "use_patience")).uncheck().run()
    assert at.session_state["whatif"] == {"patience": None}
    at.checkbox(key=key(at, "use_patience")).check().run()
    ok(at)
    assert at.session_state["whatif"] == {}
    check_scenario_page(at, desk)  # lognormal, mean 90 s: not a 120 s exponential


def test_email_inputs_follow_the_scenario_opened_from_its_sidebar():
    at = start("Email")
    bank = Scenario.load(DEFAULT)
    assert at.number_input(key=key(at, "email_aht")).value == float(np.mean(bank.aht))
    at.number_input(key=key(at, "email_aht")).set_value(999.0).run()
    at.selectbox(key="bundled").set_value("help_desk").run()
    ok(at)
    desk = Scenario.load(ROOT / "scenarios" / "help_desk.toml")
    assert at.number_input(key=key(at, "email_aht")).value == float(np.mean(desk.aht))


def test_utility_email_page_refuses_what_it_cannot_finish():
    """The utility's calls taken as email items were hours of solving; the page now says
    so at once, naming the limit, and the calls' pages still work."""
    utility = Scenario.load(ROOT / "scenarios" / "utility.toml")
    at = opened(utility, "Email")
    said = " | ".join(e.value for e in at.error)
    assert "too many for the exact backlog model" in said and "at most" in said
    go(at, "Scenario")
    ok(at)
    check_scenario_page(at, utility)


def test_an_intraday_day_opens_as_the_scenario_of_every_page(fitted_sample):
    """History -> forecast -> a day's scenario -> requirements, simulation and shifts."""
    at = start("Intraday planner")
    textbook(at, "intraday")
    at.number_input(key=key(at, "horizon")).set_value(3).run()
    day = at.selectbox(key=key(at, "plan_day")).value
    at.button(key="open_day").click().run()
    ok(at)
    assert any("as the scenario" in s.value for s in at.success)
    label = planner.forecast.day_label(day, fitted_sample.day_names)
    want = Scenario.from_forecast(
        fitted_sample, day=str(day), name=f"Sample bank - {label}",
        targets=planner.Targets(max_abandon=None), shrinkage=0.3, cost_per_hour=31.0,
        currency="USD",  # the bank's, whose sample it is
    )  # fmt: skip
    assert at.session_state["base"] == want
    assert at.number_input(key=key(at, "horizon")).value == 3  # this page stays as it was
    go(at, "Scenario")
    ok(at)
    check_scenario_page(at, want)
    go(at, "Simulation")
    ok(at)
    res = want.simulate()
    assert cards(at)["Day service level (simulated)"] == f"{res.day('service_level').mean:.1%}"
    go(at, "Schedule")
    ok(at)
    from app_pages.schedule import starting

    schedule_cards_match(at, want.with_changes(templates=starting(want)).schedule())


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_every_bundled_scenario_schedules_by_default(path):
    """The Schedule page on every bundled scenario: a schedule, the library's (a scenario
    without [schedule] starts from templates fitted to its opening hours)."""
    from app_pages.schedule import starting

    scenario = Scenario.load(path)
    at = opened(scenario, "Schedule")
    assert not at.error, [e.value for e in at.error]
    if scenario.scheduling is None:
        first, _ = starting(scenario)
        assert first.earliest == scenario.start
        scenario = scenario.with_changes(templates=starting(scenario))
        # priced at the scenario's own rate (part time 10% more), in its currency
        assert first.cost_per_hour == scenario.cost_per_hour
    schedule_cards_match(at, scenario.schedule(), currency=scenario.currency)
    assert scenario.currency is not None  # every bundled scenario says its currency


def test_compare_counts_every_team():
    from planner import ChatChannel

    bank = Scenario.load(DEFAULT)
    bank = bank.with_changes(chat=ChatChannel(chats=[x / 3 for x in bank.calls],
                                              handle=(180, 210, 240), patience=90))  # fmt: skip
    at = opened(bank, "Compare scenarios")
    row = at.table[0].value.iloc[0]
    staff = bank.staff_requirements()
    assert row["all teams scheduled hours"] == pytest.approx(
        planner.hours(staff["total_scheduled"], bank.interval)
    )
    assert row["all teams scheduled hours"] > row["scheduled hours"]
    assert row["teams"] == "calls, chat"
    # each scenario's cost in its own currency
    rows = at.table[0].value
    assert rows["currency"].tolist()[0] == "USD"
    assert rows["cost"].iloc[0] == pytest.approx(bank.summary()["cost"])


def test_warnings_for_agents_below_the_load_and_a_patience_the_formula_does_not_take():
    utility = Scenario.load(ROOT / "scenarios" / "utility.toml")
    at = opened(utility, "Scenario")
    said = warnings_shown(at)
    assert "Fewer agents than the offered load" in said
    assert "the scenario's is gamma" in said and "Simulation page" in said
    # the bank: no such warning
    at = start()
    assert "Fewer agents than the offered load" not in warnings_shown(at)


def test_the_shifts_chart_draws_each_break_inside_its_shift():
    from app_pages.schedule import breaks_of

    desk = Scenario.load(ROOT / "scenarios" / "utility.toml")
    from app_pages.schedule import starting

    shifts = desk.with_changes(templates=starting(desk)).schedule().shifts.copy()
    shifts["label"] = [str(i) for i in range(len(shifts))]
    clock = shifts["start"].str.extract(r"(\d\d):(\d\d)").astype(float)
    shifts["from"] = clock[0] + clock[1] / 60
    lengths = {t.name: t.length / 3600 for t in starting(desk)}
    shifts["to"] = shifts["from"] + shifts["shift"].map(lengths)
    bars = breaks_of(shifts)
    assert len(bars) == shifts["breaks"].str.count(r"\d\d:\d\d-").sum() > 0
    joined = bars.merge(shifts[["label", "from", "to"]], on="label", suffixes=("", "_shift"))
    assert (joined["from"] >= joined["from_shift"]).all()
    assert (joined["to"] <= joined["to_shift"]).all() and (joined["to"] > joined["from"]).all()


def _refused() -> None:
    raise planner.InputError("no such shift")


def _with_progress(progress):
    progress(1.0, 120.0, 100.0)
    time.sleep(1.5)
    return "done"


def test_long_work_runs_in_a_worker_that_stops_with_the_page():
    from app_pages import common

    assert common.in_worker(functools.partial(operator.mul, 6, 7), lambda s, found: "") == 42
    with pytest.raises(planner.InputError, match="no such shift"):
        common.in_worker(_refused, lambda seconds, found: "")
    # the page stops (Streamlit raises at the next message) while the worker computes:
    # the worker is killed, not left computing for nobody
    workers: list = []

    class StoppedError(Exception):
        pass

    def says(seconds: float, found: object) -> str:
        workers.extend(multiprocessing.active_children())
        raise StoppedError

    began = time.monotonic()
    with pytest.raises(StoppedError):
        common.in_worker(functools.partial(time.sleep, 120), says)
    assert time.monotonic() - began < 30
    assert workers and not any(w.is_alive() for w in workers)
    # progress reaches what the page says
    said: list = []
    says_found = lambda seconds, found: said.append(found) or ""  # noqa: E731
    assert common.in_worker(_with_progress, says_found, True) == "done"
    assert (1.0, 120.0, 100.0) in said


def test_a_worker_does_not_inherit_a_lock_another_session_holds():
    """The server's other threads hold locks (here numba's compiler lock, as a session
    compiling a kernel does): a worker that needs the lock still answers. A fork of the
    server inherited it held, and waited for ever (seen as an Email page that never
    finished); workers now start from the fork server."""
    from numba.core.compiler_lock import global_compiler_lock

    from app_pages import common

    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with global_compiler_lock:
            held.set()
            release.wait(120)

    threading.Thread(target=hold, daemon=True).start()
    assert held.wait(30)

    def says(seconds: float, found: object) -> str:
        if seconds > 60:
            raise AssertionError("the worker has waited 60 s for a lock it inherited")
        return ""

    args = ([30.0, 60.0], 600.0, 1800, 7200.0, 0.8)  # items, handle time s, interval s, deadline s
    job = functools.partial(planner.required_deferred_agents, *args)
    try:
        agents = common.in_worker(job, says)
    finally:
        release.set()
    np.testing.assert_array_equal(agents, planner.required_deferred_agents(*args))


def test_the_whole_plan_holds_what_the_pages_made_for_this_scenario():
    """The workbook on any page: the schedule and simulation made for the current scenario
    (not for another what-if), and the caption says what it holds."""
    at = start("Simulation")
    ok(at)
    go(at, "Schedule")
    ok(at)
    bank = Scenario.load(DEFAULT)
    kept = at.session_state["results"]
    assert kept["schedule"][0] == bank and kept["simulation"][0] == bank
    assert kept["schedule"][1].people == bank.schedule().people
    assert kept["simulation"][1].day("service_level").mean == pytest.approx(
        bank.simulate().day("service_level").mean, rel=1e-12
    )
    go(at, "Scenario")
    ok(at)
    said = " | ".join(c.value for c in at.caption)
    assert (
        "holds the summary, the staffing, the shifts, roster and coverage, the simulation." in said
    )
    # a what-if makes another scenario: its plan holds neither until the pages make them
    at.slider(key=key(at, "shrinkage")).set_value(0.4).run()
    ok(at)
    said = " | ".join(c.value for c in at.caption)
    assert "open the Schedule and Simulation page to add theirs" in said


def test_a_what_if_set_back_to_the_scenarios_own_value_is_no_what_if():
    at = start()
    at.slider(key=key(at, "shrinkage")).set_value(0.4).run()
    assert at.session_state["whatif"] == {"shrinkage": 0.4}
    at.slider(key=key(at, "shrinkage")).set_value(Scenario.load(DEFAULT).shrinkage).run()
    ok(at)
    assert at.session_state["whatif"] == {}
    assert not any("Changed here" in c.value for c in at.caption)


def test_make_run_starts_the_app_as_the_browser_tests_do():
    """`make run` and the browser tests' server take the same settings, among them no
    file watcher (its re-walks of the repository on a burst of writes stalled the app)."""
    from tests.front.test_browser import PRODUCTION

    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\nrun:")[1].split("\n\n")[0].replace("\\\n", " ")
    for flag, value in zip(PRODUCTION[::2], PRODUCTION[1::2], strict=True):
        assert f"{flag} {value}" in " ".join(recipe.split()), flag


def _skills_page(days: int) -> AppTest:
    at = start("Many queues and skills")
    at.number_input(key=key(at, "skills_days")).set_value(days).run()
    ok(at)
    return at


def test_the_skills_page_shows_the_librarys_staffing_and_service():
    """The bundled bilingual bank on the Skills page: every card, the staffing table
    and each queue's simulated service are what CenterScenario gives for it."""
    from app_pages.skills import skills_matrix

    at = _skills_page(12)
    bank = planner.load_scenario(ROOT / "scenarios" / "bank_skills.toml")
    bank = bank.with_changes(calls_factor=1.0, replications=12)
    found = bank.staffing()
    bounds = found.bounds.attrs["agent_hours"]
    total = bank.staffing_summary(found).set_index("staffing").loc["total"]
    assert cards(at) == {
        "Agent hours": f"{found.agent_hours:,.1f}",
        "Dedicated teams (Erlang)": f"{bounds['dedicated']:,.1f}",
        "Fully pooled (Erlang)": f"{bounds['pooled']:,.1f}",
        "Cost (CAD)": planner.money(total["cost"]),
        "Every target met": "yes" if found.met else "no",
    }
    # the tables: the skills matrix (editable), the staffing, the service, the routing
    assert at.dataframe[0].value.equals(skills_matrix(bank))
    shown = at.dataframe[1].value
    pd.testing.assert_frame_equal(shown.reset_index(drop=True), bank.staffing_table(found))
    service = at.dataframe[2].value
    result = bank.simulate(found)
    for row in service.itertuples():
        assert row[service.columns.get_loc("service level") + 1] == (
            result.call_types[row.queue].day("service_level").mean
        )
    assert service["least confidence"].tolist() == found.confidence.min(axis=1).tolist()
    pd.testing.assert_frame_equal(at.dataframe[3].value, result.routing.round(1))


def test_the_skills_matrix_edits_the_groups_and_refuses_a_group_without_skills():
    from app_pages import skills

    bank = planner.load_scenario(ROOT / "scenarios" / "bank_skills.toml")
    matrix = skills.skills_matrix(bank)
    assert matrix.loc[5, "cards FR"] == 0 and pd.isna(matrix.loc[0, "loans EN"])
    assert skills.from_matrix(bank, matrix) == bank  # unchanged, as it was
    edited = matrix.copy()
    edited.loc[4, "loans EN"] = pd.NA  # the English generalists take cards only
    edited.loc[4, "cost per hour"] = 31.0
    changed = skills.from_matrix(bank, edited)
    assert changed.groups[4].priority == {"cards EN": 1} and changed.groups[4].aht == {}
    assert changed.groups[4].cost_per_hour == 31.0 and changed.groups[:4] == bank.groups[:4]
    edited.loc[0, "cards EN"] = pd.NA
    with pytest.raises(planner.InputError, match="group 'cards EN': give it at least one"):
        skills.from_matrix(bank, edited)


def test_the_capacity_page_shows_the_librarys_plan_and_its_what_ifs():
    """The retail bank's [capacity] on the Capacity plan page: every card and both tables
    are Scenario.capacity_plan's; the sidebar's attrition and quantile reach the plan."""
    import dataclasses

    at = start("Capacity plan")
    bank = Scenario.load(ROOT / "scenarios" / "retail_bank.toml")

    def shown_is(p: planner.CapacityPlan) -> None:
        weeks = p.weeks
        assert cards(at) == {
            "Hires": f"{int(p.classes['size'].sum()):,}",
            "Classes": f"{len(p.classes)}",
            "Cost (USD)": planner.money(p.cost["total"]),
            "FTE-weeks short": f"{weeks['short_fte'].sum():,.1f}",
            "Weeks likely short (over 20%)": f"{int((weeks['p_short'] > 0.2).sum())}",
        }
        pd.testing.assert_frame_equal(at.dataframe[0].value, p.classes)
        pd.testing.assert_frame_equal(at.dataframe[1].value, weeks)

    shown_is(bank.capacity_plan())
    at.slider(key=key(at, "cap_attrition")).set_value(1.5).run()
    at.selectbox(key=key(at, "cap_quantile")).set_value("90% quantile").run()
    ok(at)
    safer = bank.with_changes(attrition=1.5)
    safer = dataclasses.replace(safer, capacity=dataclasses.replace(safer.capacity, quantile=0.9))
    shown_is(safer.capacity_plan())


def test_the_capacity_page_says_what_a_scenario_without_a_section_lacks():
    at = opened(Scenario.load(ROOT / "scenarios" / "utility.toml"), "Capacity plan")
    assert "has no [capacity] section" in at.info[0].value
