"""Benchmark: staffing other channels for a week of 15-minute intervals.

* Chat: 672 intervals of 20 to 300 chats (a day's ramp up and down, seven
  times), handle 3, 3.5 and 4 minutes at 1, 2 and 3 chats held, patience
  2 minutes, 80% answered within 20 s and at most 10% abandoning.

* Blending: a day of 48 half hours (the chat day's shape as calls, AHT 180 s,
  and 40 ten-minute emails each half hour), blended staffing against separate
  teams.

Prints seconds and the agent hours needed, beside one chat at a time and
separate teams.
Run with ``python bench/bench_channels.py``.
"""

from __future__ import annotations

import time

import numpy as np

from planner import Targets, blended_staffing, hours, required_chat_agents

INTERVAL = 900.0  # seconds
HANDLE = [180.0, 210.0, 240.0]  # seconds per chat at 1, 2, 3 chats held


def main() -> None:
    day = np.r_[np.linspace(20, 300, 48), np.linspace(300, 20, 48)]
    week = np.tile(day, 7)
    targets = Targets()
    t0 = time.perf_counter()
    need = required_chat_agents(week, HANDLE, INTERVAL, targets, patience=120)
    seconds = time.perf_counter() - t0
    single = required_chat_agents(week, HANDLE[0], INTERVAL, targets, patience=120)
    print(f"{'':40}{'time':>10}{'agent hours':>14}{'one at a time':>16}")
    print(
        f"{'chat week, 672 intervals, up to 3 chats':40}{seconds:8.2f} s"
        f"{hours(need, INTERVAL):14,.0f}{hours(single, INTERVAL):16,.0f}"
    )
    t0 = time.perf_counter()
    plans = [blended_staffing(c, 180.0, 1800.0, targets, items=40, item_aht=600.0, patience=300)
             for c in np.r_[np.linspace(20, 300, 24), np.linspace(300, 20, 24)]]  # fmt: skip
    seconds = time.perf_counter() - t0
    blended = sum(p.agents for p in plans) / 2
    separate = sum(p.call_agents + p.item_agents for p in plans) / 2
    print(f"{'blending, a day of 48 half hours':40}{seconds:8.2f} s{blended:14,.0f}"
          f"{separate:16,.0f}  (separate teams)")  # fmt: skip


if __name__ == "__main__":
    main()
