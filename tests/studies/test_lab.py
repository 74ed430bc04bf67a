"""`make lab`, the README's way into JupyterLab: it starts for the user running it, root
included (JupyterLab refuses root unless told), serves the notebooks and listens on this
machine only."""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_make_lab_serves_the_notebooks_on_localhost_only(tmp_path):
    port = free_port()
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "config")}
    proc = subprocess.Popen(
        ["make", "-s", "lab", f"VENV={ROOT / '.venv'}"], cwd=ROOT, env={
            **env, "JUPYTER_PORT": str(port)}, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        url, seen = None, []
        deadline = time.monotonic() + 90
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                break
            seen.append(line)
            m = re.search(r"(http://[^/\s]+):\d+/lab\?token=(\w+)", line)
            if m:
                url = line[m.start():].split()[0]
        assert url, "JupyterLab did not start:\n" + "".join(seen[-20:])
        assert url.startswith("http://127.0.0.1:"), url
        base, token = url.split("/lab?token=")
        names: set = set()
        for _ in range(60):  # the URL is logged as the server starts: wait until it answers
            try:
                with urllib.request.urlopen(f"{base}/api/contents?token={token}",
                                            timeout=30) as r:
                    names = {item["name"] for item in json.load(r)["content"]}
                break
            except OSError:
                time.sleep(0.5)
        assert "01_discover_paths.ipynb" in names  # opened on the notebooks
        # bound to the loopback address only: this machine's other addresses refuse
        port_seen = int(base.rsplit(":", 1)[1])
        for address in {a[4][0] for a in socket.getaddrinfo(socket.gethostname(), None,
                                                              socket.AF_INET)}:
            if not address.startswith("127."):
                with socket.socket() as s:
                    s.settimeout(5)
                    assert s.connect_ex((address, port_seen)) != 0, address
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
