"""Benchmark: staffing other channels for a week of 15-minute intervals.

* Chat: 672 intervals of 20 to 300 chats (a day's ramp up and down, seven
  times), handle 3, 3.5 and 4 minutes at 1, 2 and 3 chats held, patience
  2 minutes, 80% answered within 20 s and at most 10% abandoning.

* Email: a week of 672 quarter hours, emails around the clock (3,400 a week,
  and a large center's 15,800), a team working Monday to Friday 08:00-18:00
  and Saturday 09:00-13:00, 8 minutes an email, 90% taken up within 4
  business hours; the week's backlog carried from a warm-up week.
  Also a day of 48 half hours (08:00-20:00, 24 hours on the calendar).

* Chat simulation: the chat week's first day (48 quarter hours) at its
  requirement, 20 replications, with each engine.

* Email, minimal: a day of 48 half hours, 5-minute items, 2 open hours, the
  rule's plan and ``minimal=True``.

* Blending: a day of 48 half hours (the chat day's shape as calls, AHT 180 s,
  and 40 ten-minute emails each half hour), blended staffing against separate
  teams; and one long queue (16 agents, 97.46 calls of 280.6 s a half hour,
  items of 138.8 s behind a reserve of 3, T = 30 s: 14,483 states), beside the
  seconds before the chain was numbered along its short axis.

Prints seconds and the agent hours needed, beside one chat at a time and
separate teams.
Run with ``python bench/bench_channels.py``.
"""

from __future__ import annotations

import time

import numpy as np

from planner import (
    Chat,
    Targets,
    blend,
    blended_staffing,
    deferred,
    hours,
    required_agents,
    required_deferred_agents,
    simulate_chat,
)

INTERVAL = 900.0  # seconds
# Seconds at commit 4b04165 (before the chain was numbered along its short axis), on
# the 2-core machine docs/performance.md was written on.
BEFORE = {"blend day": 42.4, "blend long queue": 2.7}
HANDLE = [180.0, 210.0, 240.0]  # seconds per chat at 1, 2, 3 chats held


def main() -> None:
    day = np.r_[np.linspace(20, 300, 48), np.linspace(300, 20, 48)]
    week = np.tile(day, 7)
    targets = Targets()
    t0 = time.perf_counter()
    need = required_agents(
        week, HANDLE[0], INTERVAL, targets, model=Chat(handle=HANDLE, patience=120)
    )
    seconds = time.perf_counter() - t0
    single = required_agents(
        week, HANDLE[0], INTERVAL, targets, model=Chat(handle=HANDLE[:1], patience=120)
    )
    print(f"{'':40}{'time':>10}{'agent hours':>14}{'one at a time':>16}")
    print(
        f"{'chat week, 672 intervals, up to 3 chats':40}{seconds:8.2f} s"
        f"{hours(need, INTERVAL):14,.0f}{hours(single, INTERVAL):16,.0f}"
    )
    chat_simulation(week[:48], need[:48])
    email_week()
    t0 = time.perf_counter()
    plans = [blended_staffing(c, 180.0, 1800.0, targets, items=40, item_aht=600.0, patience=300)
             for c in np.r_[np.linspace(20, 300, 24), np.linspace(300, 20, 24)]]  # fmt: skip
    seconds = time.perf_counter() - t0
    blended = sum(p.agents for p in plans) / 2
    separate = sum(p.call_agents + p.item_agents for p in plans) / 2
    print(f"{'blending, a day of 48 half hours':40}{seconds:8.2f} s{blended:14,.0f}"
          f"{separate:16,.0f}  (separate teams; {BEFORE['blend day']:.1f} s before)")  # fmt: skip
    t0 = time.perf_counter()
    r = blend(16, 97.46, 280.6, 1800, item_aht=138.8, reserve=3, answer_time=30)
    seconds = time.perf_counter() - t0
    print(f"{'blending, 16 agents at 95% on calls':40}{seconds:8.2f} s"
          f"{'':30}  (14,483 states, SL {r.service_level:.3f}; "
          f"{BEFORE['blend long queue']:.1f} s before)")  # fmt: skip


def chat_simulation(chats: np.ndarray, agents: np.ndarray) -> None:
    for engine in ("fast", "simpy"):
        simulate_chat(chats[:2], agents[:2], HANDLE, INTERVAL, patience=120, replications=2,
                      engine=engine)  # compiled before timing  # fmt: skip
        t0 = time.perf_counter()
        sim = simulate_chat(chats, agents, HANDLE, INTERVAL, patience=120, replications=20,
                            seed=1, engine=engine)  # fmt: skip
        seconds = time.perf_counter() - t0
        level = float(np.nanmean(sim["service_level"].mean))
        print(f"{'chat simulation, 48 x 15 min x 20, ' + engine:40}{seconds:8.2f} s"
              f"{'':30}  (service level {level:.1%})")  # fmt: skip


def email_week() -> None:
    quarter = np.arange(96) / 4  # hours of the day
    shape = np.exp(-(((quarter - 12.5) / 3.5) ** 2))
    weekday = np.repeat(np.arange(7), 96)
    hour = np.tile(quarter, 7)
    weekdays = (weekday < 5) & (hour >= 8) & (hour < 18)
    open_ = weekdays | ((weekday == 5) & (hour >= 9) & (hour < 13))
    for label, day in (
        ("email week, 672 quarter hours, 3,400", 2 + 12 * shape),  # emails per quarter hour
        ("email week, 672 quarter hours, 15,800", 8 + 60 * shape),
    ):
        items = np.tile(day, 7)
        t0 = time.perf_counter()
        need = required_deferred_agents(items, 480.0, 900.0, 4 * 3600.0, 0.9, open_intervals=open_)
        seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        service = deferred(items, need, 480.0, 900.0, 4 * 3600.0, open_intervals=open_)
        check = time.perf_counter() - t0
        share = float(np.nansum(service["on_time"] * items) / items.sum())
        work = float(items.sum() * 480.0 / 3600.0)
        print(f"{label:40}{seconds:8.2f} s{hours(need, 900.0):14,.0f}{work:16,.0f}"
              f"  (hours of work; {share:.1%} on time; checked in {check:.2f} s)")  # fmt: skip
    t0 = time.perf_counter()
    half = np.arange(48) / 2
    items = 4 + 26 * np.exp(-(((half - 11) / 3.5) ** 2)) + 8 * np.exp(-(((half - 16) / 2) ** 2))
    open_ = (half >= 8) & (half < 20)
    need = required_deferred_agents(items, 600.0, 1800.0, 24 * 3600.0, 0.9, open_intervals=open_,
                                    clock="calendar")  # fmt: skip
    seconds = time.perf_counter() - t0
    work = float(items.sum() * 600.0 / 3600.0)
    print(
        f"{'email day, 48 half hours, 24 h calendar':40}{seconds:8.2f} s"
        f"{hours(need, 1800.0):14,.0f}{work:16,.0f}  (hours of work)"
    )
    items = np.round(items, 1)
    for minimal in (False, True):
        t0 = time.perf_counter()
        need = required_deferred_agents(items, 300.0, 1800.0, 7200.0, 0.9, open_intervals=open_,
                                        minimal=minimal)  # fmt: skip
        seconds = time.perf_counter() - t0
        label = "email day, 2 h, " + ("minimal=True" if minimal else "the rule")
        print(f"{label:40}{seconds:8.2f} s{hours(need, 1800.0):14,.1f}"
              f"{float(items.sum() * 300.0 / 3600.0):16,.1f}  (hours of work)")  # fmt: skip


if __name__ == "__main__":
    main()
