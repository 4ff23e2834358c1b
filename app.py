"""Streamlit front end: the planner for workforce managers.

``app.py`` is the entry: it opens the scenario (``streamlit run app.py --
--scenario FILE.toml``; ``make run`` uses the bundled retail bank) and hands
over to the pages in ``app_pages/``, one module each, through ``st.navigation``,
so the address follows the page and the browser's Back button works:

- ``/scenario``: the scenario's staffing per interval, with what-ifs;
- ``/calculator``: one interval, every target, the power of one;
- ``/intraday``: history -> forecast -> staffing, editable;
- ``/simulation``: replications of the plan, with confidence intervals;
- ``/chat``: chat agents who hold several chats, and every team's total;
- ``/email``: email and back office against a deadline, the backlog curve,
  and every team's total;
- ``/schedule``: the requirement as shifts people can work (HiGHS);
- ``/compare``: the current scenario beside bundled ones;
- ``/skills``: a multi-skill center (many queues, agent groups with skills),
  with a scenario of its own;
- ``/capacity``: the hiring plan for the months ahead (a scenario's
  ``[capacity]``), with what-ifs.

The state they share, and every helper, is in ``app_pages/common.py``. Only
presentation lives here; every number comes from ``planner``.
"""

from __future__ import annotations

import streamlit as st

from app_pages import common, worker

PAGES = {  # url path -> (title, module)
    "scenario": ("Scenario", "app_pages/scenario.py"),
    "calculator": ("Calculator", "app_pages/calculator.py"),
    "intraday": ("Intraday planner", "app_pages/intraday.py"),
    "simulation": ("Simulation", "app_pages/simulation.py"),
    "chat": ("Chat", "app_pages/chat.py"),
    "email": ("Email", "app_pages/backoffice.py"),
    "schedule": ("Schedule", "app_pages/schedule.py"),
    "compare": ("Compare scenarios", "app_pages/compare.py"),
    "skills": ("Many queues and skills", "app_pages/skills.py"),
    "capacity": ("Capacity plan", "app_pages/capacity.py"),
}


def main() -> None:
    st.set_page_config(page_title="planner", layout="wide")
    pages = {
        name: st.Page(
            str(common.ROOT / path), title=title, url_path=name, default=name == "scenario"
        )
        for name, (title, path) in PAGES.items()
    }
    navigation = st.navigation(list(pages.values()))
    old = st.query_params.get("page")  # links from before the pages had addresses: ?page=...
    if old in pages and old != "scenario":
        del st.query_params["page"]
        st.switch_page(pages[old])
    common.start_state()
    worker.warm_up()
    navigation.run()


main()
