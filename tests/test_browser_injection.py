"""Names from the data never run as code in a report: every name-bearing field (touchpoint,
channel, stage, segment, case id, outcome and segment column names and values, persona
names, survey names) and every parameter that names a column holds a payload; each
notebook is rendered offline and opened in a real browser (Debian's Chromium, headless,
Playwright), in a shared report (min_customers=5, pseudonyms) and in the analyst's mode
(min_customers=1, real ids). No dialog fires, no request leaves the page's folder, no
payload becomes an element or a link, every explorer renders and the payloads show as
the text they are."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

import journeylab as jl
from journeylab.explore.page import read_pages

ROOT = Path(__file__).resolve().parent.parent
NB = ROOT / "notebooks"
BOOKS = ["00_quick_tour", "01_discover_paths", "02_personas", "03_satisfaction_drivers"]
EXPLORERS = {"00_quick_tour": 0, "01_discover_paths": 3, "02_personas": 1,
             "03_satisfaction_drivers": 1}

PAYLOADS = ["<script>alert(1)</script>", "<img src=x onerror=alert(2)>", "<!--",
            "</script><script>alert(3)</script>", '"><svg onload=alert(4)>',
            "javascript:alert(5)", "$\\unknowncmd{x}$", 'a"] ; b [label="x',
            '<B>HREF="javascript:alert(6)"</B>']
P = PAYLOADS
# every column named by a payload (the outcome's has no "=": outcome_column is name=value)
COLUMNS = {"case_id": P[1], "activity": P[2], "timestamp": P[5], "channel": P[4],
           "stage": P[7], "satisfaction": P[8], "segment": P[6], "converted": P[3],
           "region": P[0]}
SURVEYS = {"csat_survey": P[0] + " csat", "nps_survey": P[8] + " nps"}
YES, NO = P[5], P[6]


def hostile_log(folder: Path, customers: int = 400) -> tuple[Path, dict]:
    """A generated log with payloads in every name, and the parameters that read it."""
    truth = jl.generate_journeys(customers, random_state=5)
    ev = truth.events.copy()
    for col in ("case_id", "activity", "channel", "stage", "segment", "region"):
        ev[col] = ev[col].astype(str)
    common = [a for a in ev["activity"].value_counts().index if a not in SURVEYS][:len(P)]
    ev["activity"] = ev["activity"].replace({**dict(zip(common, P)), **SURVEYS})
    for col in ("channel", "stage", "region"):
        values = list(ev[col].value_counts().index)
        ev[col] = ev[col].replace(dict(zip(values, P)))
    # the segment explorer's options: "<!--" then "<script", which ends no block unescaped
    ev["segment"] = ev["segment"].replace({"new": P[2], "returning": P[0]})
    ids = {c: f"{P[i % len(P)]}#{i}" for i, c in enumerate(ev["case_id"].unique())}
    ev["case_id"] = ev["case_id"].map(ids)
    ev["converted"] = ev["converted"].map({True: YES, False: NO})
    ev = ev.rename(columns=COLUMNS)
    path = folder / "events.parquet"
    ev.to_parquet(path, index=False)
    inst = truth.read_kwargs()["instruments"]
    params = {"events_path": str(path), "case_id_key": COLUMNS["case_id"],
              "activity_key": COLUMNS["activity"], "timestamp_key": COLUMNS["timestamp"],
              "channel_key": COLUMNS["channel"], "stage_key": COLUMNS["stage"],
              "satisfaction_key": COLUMNS["satisfaction"],
              "instruments": {SURVEYS[k]: list(v) for k, v in inst.items()},
              "outcome_column": f"{COLUMNS['converted']}={YES}",
              "segment_column": COLUMNS["segment"], "controls": COLUMNS["region"],
              "designed_journey": [P[0], P[1], P[3]], "instrument": SURVEYS["nps_survey"],
              "csat_instrument": SURVEYS["csat_survey"], "stability_resamples": 1,
              "n_boot": 20, "k_max": 4, "personas_path": ""}
    return path, params


MODES = {"shared": {"min_customers": 5, "pseudonymise": True},
         "analyst": {"min_customers": 1, "pseudonymise": False}}


@pytest.fixture(scope="module", params=list(MODES))
def hostile_reports(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(f"hostile-{request.param}")
    _, offered = hostile_log(tmp)
    offered = {**offered, **MODES[request.param]}
    out = tmp / "reports"
    htmls = {}
    for stem in BOOKS:
        book = NB / f"{stem}.ipynb"
        declared = jl.studies.notebook_parameters(book)
        params = {k: v for k, v in offered.items() if k in declared}
        params["output_dir"] = str(out / stem)
        htmls[stem] = jl.run_notebook(book, out, parameters=params, offline=True)["html"]
    return request.param, htmls


def test_names_from_the_data_stay_text_in_every_report(hostile_reports, tmp_path):
    from playwright.sync_api import sync_playwright

    mode, htmls = hostile_reports
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for stem, html in htmls.items():
            source = html.read_text(encoding="utf-8")
            # each explorer's page is one valid JSON block with no raw "<" in it
            blocks = re.findall(r'<script\b(?=[^>]*\bclass="jl-state")[^>]*>(.*?)</script>',
                                source, re.S)
            assert len(blocks) == EXPLORERS[stem], stem
            for block in blocks:
                assert "<" not in block, stem
                json.loads(block)
            pieces = " ".join(p for page in read_pages(source) for p in page["pieces"])
            assert not any(s in pieces for s in PAYLOADS if "<" in s), \
                f"{stem}: a payload is markup in a view of an explorer"
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            dialogs, requests = [], []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            folder = html.parent.as_uri()
            page.on("request", lambda r: requests.append(r.url)
                    if not r.url.startswith((folder, "data:", "blob:")) else None)
            page.goto(html.as_uri())
            page.wait_for_load_state("load")
            page.wait_for_timeout(1500)
            where = f"{mode} {stem}"
            assert dialogs == [], f"{where}: a name ran as script: {dialogs}"
            assert requests == [], f"{where}: requests left the report: {requests[:3]}"
            # no payload became an element, a handler or a link
            injected = page.evaluate("""() => [
                ...document.querySelectorAll('img[src="x"], [onerror], [onload]'),
                ...[...document.querySelectorAll('a')].filter(a =>
                    /^\\s*javascript:/i.test(a.getAttribute('href') ||
                                             a.getAttribute('xlink:href') || ''))
            ].map(e => e.outerHTML.slice(0, 120))""")
            assert injected == [], f"{where}: {injected}"
            # every explorer works: its page unpacked, its panels drawn, its controls shown
            pages = page.locator(".jl-page[data-ready='2']")
            assert pages.count() == EXPLORERS[stem], where
            for i in range(pages.count()):
                assert pages.nth(i).locator(".jl-panel").first.inner_text().strip() or \
                    pages.nth(i).locator(".jl-panel svg").count(), f"{where}: explorer {i} empty"
            if EXPLORERS[stem]:
                assert page.locator(".jl-page select, .jl-page input").first.is_visible()
            text = page.inner_text("body")
            shown = [s for s in PAYLOADS if s in text]
            # the touchpoints, channels, segments named by payloads show as typed
            assert len(shown) >= 5, f"{where}: payloads shown as text: {shown}"
            if stem in ("01_discover_paths", "03_satisfaction_drivers"):
                assert P[0] in text and P[1] in text, where
            page.close()
        browser.close()
