"""The browser the suite checks pages in: Debian's Chromium, driven by Playwright (no
browser is downloaded)."""
from __future__ import annotations

import shutil


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "Chromium is missing: the set-up (scripts/system-deps.sh test) installs it"
    return path
