"""The Voila dashboard: served on 127.0.0.1 only, checked in a real browser (Debian's
Chromium driven by Playwright): figures and explorers show, and moving a slider changes
what the explorer shows."""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample" / "events.csv"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(pid: int, port: int) -> list[str]:
    """The addresses the process tree of ``pid`` listens on at ``port``."""
    procs = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    pids = {p.pid for p in procs}
    return [c.laddr.ip for c in psutil.net_connections("tcp")
            if c.pid in pids and c.status == psutil.CONN_LISTEN and c.laddr.port == port]


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dashboard")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "journeylab", "dashboard",
         str(ROOT / "notebooks" / "01_discover_paths.ipynb"), "-p", "events_path", str(SAMPLE),
         "--folder", str(folder), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while not listening(server.pid, port):
        assert server.poll() is None, server.stdout.read()
        assert time.monotonic() < deadline, "the dashboard did not start"
        time.sleep(0.5)
    yield server, port, folder
    for p in psutil.Process(server.pid).children(recursive=True):
        p.terminate()
    server.terminate()
    server.wait(timeout=30)


def test_the_dashboard_listens_on_this_machine_only(dashboard):
    server, port, folder = dashboard
    assert set(listening(server.pid, port)) == {"127.0.0.1"}
    nb = (folder / "01_discover_paths.ipynb").read_text()
    assert "injected-parameters" in nb and str(SAMPLE) in nb


def test_moving_a_slider_changes_the_explorer(dashboard, tmp_path):
    from playwright.sync_api import sync_playwright

    _, port, _ = dashboard
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"),
                                    args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        remote = []
        page.on("request", lambda r: remote.append(r.url)
                # a blob: URL of the page's own origin is an object in the browser's
                # memory (plotly makes one to draw the Sankey), not a request
                if not r.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:",
                                         "blob:http://127.0.0.1"))
                else None)
        page.goto(f"http://127.0.0.1:{port}/", wait_until="commit", timeout=120_000)
        coverage = page.locator(".widget-slider", has_text="coverage")
        coverage.wait_for(timeout=240_000)  # Voila runs the whole notebook first
        page.wait_for_timeout(1000)
        assert page.locator("img").count() >= 3  # the figures are there
        assert "import journeylab" not in page.inner_text("body")  # no code shown
        output = page.locator(".widget-output").nth(1)  # the variant explorer's
        before = output.inner_text()
        handle = coverage.locator(".noUi-handle")
        handle.scroll_into_view_if_needed()
        box = handle.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.down()
        page.mouse.move(box["x"] + 60, box["y"] + box["height"] / 2, steps=8)
        page.mouse.up()
        page.wait_for_function(
            "([el, old]) => el.innerText !== old && el.innerText.length > 0",
            arg=[output.element_handle(), before], timeout=60_000)
        assert coverage.inner_text().split("\n")[-1] != "50%"
        assert output.inner_text() != before
        assert remote == [], f"the page reached beyond this machine: {remote[:3]}"
        shot = tmp_path / "dashboard.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        browser.close()


def _get(port: int, host: str, path: str = "/") -> int:
    """The status of a raw HTTP request to the dashboard with the ``Host`` header given."""
    with socket.create_connection(("127.0.0.1", port), timeout=120) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        return int(s.makefile("rb").readline().split()[1])


@pytest.mark.parametrize("path", ["/", "/voila/files/01_discover_paths.ipynb"])
def test_the_dashboard_answers_only_requests_addressed_to_this_machine(dashboard, path):
    """DNS rebinding: a page of another site whose name now points to 127.0.0.1 sends
    its own name as Host; the server's Host check refuses it."""
    _, port, _ = dashboard
    for host in ("evil.example", f"evil.example:{port}", f"127.0.0.1.evil.example:{port}"):
        assert _get(port, host, path) == 403, host
    if path == "/":
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"):
            assert _get(port, host, path) == 200, host
