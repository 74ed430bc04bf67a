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

import pytest

from journeylab.explore.page import read_pages
from tests.browsers import chromium
from tests.reports import EXPLORERS, MODES, P, PAYLOADS



@pytest.mark.parametrize("mode", list(MODES))
def test_names_from_the_data_stay_text_in_every_report(hostile_reports, mode):
    from playwright.sync_api import sync_playwright

    htmls = {stem: done["html"] for stem, done in hostile_reports(mode).items()}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
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
