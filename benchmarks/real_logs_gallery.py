"""Run every notebook on every real log, render the reports and take full-page screenshots.

    python benchmarks/real_logs_gallery.py [--real ../shared/data/real]
                                           [--out benchmarks/out/gallery]
                                           [--logs helpdesk receipt ...] [--notebooks 01 03]

Each notebook runs through ``journeylab run`` as a user would, with only the column flags a
user would give (none for XES; for CSV exports, the columns that hold the case, the
touchpoint and the time when their names are not the usual ones). The reports (offline
HTML) and a full-page PNG of each (headless Chromium) go into ``--out``; a table of log,
notebook, seconds and result is printed at the end. The real logs are not part of the
project: point ``--real`` at a folder that holds them.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ("00_quick_tour", "01_discover_paths", "02_personas", "03_satisfaction_drivers")

# log name -> (file, the parameters a user would give). Event logs only: the
# ChannelAttribution file holds aggregated paths and Bernard's files hold steps without
# times, so neither is an event log.
LOGS: dict[str, tuple[str, dict[str, str]]] = {
    "helpdesk": ("helpdesk.xes.gz", {}),
    "receipt": ("08_receipt.xes.gz", {}),
    "bpic2013": ("07_bpic2013_incidents.xes.gz", {}),
    "bpic2012": ("bpic2012.xes.gz", {}),
    "bpic2017": ("bpic2017_application_subset.csv", {}),
    "bpic2016": ("BPI2016_Complaints.csv", {"case_id_key": "CustomerID",
                                            "activity_key": "ComplaintTopic_EN",
                                            "timestamp_key": "ContactDate",
                                            "channel_key": "ContactChannelID"}),
}


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        sys.exit("Chromium is missing: make test (scripts/system-deps.sh test) installs it")
    return path


def screenshot(html: Path, png: Path) -> None:
    """A full-page screenshot of a report, widgets drawn, in headless Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(html.as_uri())
        page.wait_for_load_state("load")
        page.wait_for_timeout(2000)
        page.screenshot(path=str(png), full_page=True)
        browser.close()


def run(log: str, file: Path, flags: dict[str, str], book: str, out: Path) -> tuple[float, str]:
    cmd = [str(Path(sys.executable).parent / "journeylab"), "run",
           str(ROOT / "notebooks" / f"{book}.ipynb"), "-p", "events_path", str(file),
           "--out", str(out / log), "--offline"]
    for name, value in flags.items():
        cmd += ["-p", name, value]
    if book == "02_personas":
        cmd += ["-p", "stability_resamples", "2"]
    t = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - t
    if done.returncode:
        last = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:]
        return seconds, "FAILED: " + (last[0][:150] if last else f"exit {done.returncode}")
    html = out / log / f"{book}.html"
    screenshot(html, out / "screenshots" / f"{log}__{book}.png")
    return seconds, "ok"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--real", default=str(ROOT.parent / "shared" / "data" / "real"))
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "out" / "gallery"))
    ap.add_argument("--logs", nargs="*", default=["sample", *LOGS])
    ap.add_argument("--notebooks", nargs="*", default=list(NOTEBOOKS),
                    help="notebook stems or their number prefixes (00 01 02 03)")
    args = ap.parse_args()
    real, out = Path(args.real), Path(args.out)
    (out / "screenshots").mkdir(parents=True, exist_ok=True)
    books = [b for b in NOTEBOOKS if any(b.startswith(n) for n in args.notebooks)]
    rows = []
    for log in args.logs:
        if log == "sample":
            file, flags = ROOT / "data" / "sample" / "events.csv", {}
        else:
            name, flags = LOGS[log]
            file = real / name
            if not file.exists():
                rows.append((log, "-", 0.0, f"missing: {file}"))
                continue
        for book in books:
            seconds, result = run(log, file, flags, book, out)
            rows.append((log, book, seconds, result))
            print(f"{log:<10} {book:<26} {seconds:6.1f}s  {result}", flush=True)
    print("\n| log | notebook | seconds | result |\n|---|---|---|---|")
    for log, book, seconds, result in rows:
        print(f"| {log} | {book} | {seconds:.1f} | {result} |")
    print(f"\nreports and screenshots in {out}")
    return 0 if all(r[3] == "ok" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
