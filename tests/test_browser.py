"""The app in a real browser: `streamlit run`, headless Debian Chromium driven by Playwright.

``make test`` installs Debian's ``chromium`` package where it can (as root);
elsewhere this test is skipped with the reason shown in the summary.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import planner

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium is not installed (make test runs apt-get install chromium as root)",
)
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


# The settings `make run` starts the app with (see the Makefile).
PRODUCTION = ["--client.toolbarMode", "minimal", "--server.maxUploadSize", "50"]


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
    """The value shown on the metric card with this label."""
    card = page.locator('[data-testid="stMetric"]', has_text=label)
    card.wait_for(timeout=60_000)
    return card.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_calculator_shows_the_library_figures(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server}/calculator")
    # The page's defaults: 100 calls in 30 minutes, AHT 180 s, 80% within 20 s,
    # shrinkage 30% (Call Centre Helper's worked example gives 14 agents).
    targets = planner.Targets(service_level=0.8, answer_time=20)
    agents = planner.required_agents(100, 180, 1800, targets)
    m = planner.interval_metrics(agents, 100, 180, 1800, targets).iloc[0]
    assert agents == 14
    assert _card(page, "Agents needed") == str(agents)
    assert _card(page, "Scheduled (after shrinkage)") == str(planner.scheduled_staff(agents, 0.3))
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


def test_uploading_a_scenario_restores_it(server, browser):
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
    desk = planner.Scenario.load(ROOT / "scenarios" / "help_desk.toml")
    day = desk.summary()
    assert _card(page, "Peak agents on the phones") == str(int(day["peak_agents"]))
    assert _card(page, "Calls offered") == f"{day['calls']:,.0f}"
    # its own targets, shrinkage and patience, not the last scenario's
    assert _card(page, "Scheduled agent hours") == f"{day['scheduled_hours']:,.1f}"
    assert _card(page, "Day service level") == f"{day['service_level']:.1%}"
    assert _card(page, "Day abandon rate") == f"{day['abandon_rate']:.1%}"
