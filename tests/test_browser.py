"""Rendered reports in a real browser (Debian's Chromium, headless, driven by Playwright;
no browser is downloaded): every figure and widget shows with no kernel and no internet,
and a touchpoint named like a script stays text. The reports are the shared ones of the
hostile study (tests/reports.py: payloads in every name, rare groups planted)."""
from __future__ import annotations

from pathlib import Path

import pytest

import journeylab as jl
from tests.browsers import chromium
from tests.reports import P

SCRIPT, IMG = P[0], P[1]  # the names of the two commonest touchpoints (and channels)


@pytest.fixture
def reports(hostile_reports):
    """Every notebook run on the hostile log and rendered offline, as shared."""
    return {stem: done["html"] for stem, done in hostile_reports("shared").items()}


def _open(page, html: Path) -> dict:
    """Open a report, let the widget manager draw, and gather what the page shows."""
    seen = {"dialogs": [], "remote": []}
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.on("request", lambda r: seen["remote"].append(r.url)
            if r.url.startswith(("http://", "https://")) else None)
    page.goto(html.as_uri())
    page.wait_for_load_state("load")
    page.wait_for_timeout(1500)
    return seen


@pytest.mark.parametrize("stem", ["00_quick_tour", "01_discover_paths", "02_personas",
                                  "03_satisfaction_drivers"])
def test_reports_show_figures_and_widgets_without_kernel_or_internet(reports, stem, tmp_path):
    from playwright.sync_api import sync_playwright

    html = reports[stem]
    assert "embed-amd.js" not in html.read_text(encoding="utf-8")  # explorers need no kernel JS
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        seen = _open(page, html)
        images = page.locator(".jp-OutputArea-output img")
        assert images.count() >= 1
        widths = images.evaluate_all("els => els.map(e => e.naturalWidth)")
        assert min(widths) > 0, "an image did not load"
        if stem != "00_quick_tour":  # the others end with explorers that work
            page.wait_for_selector(".jl-page[data-ready='2']")
            controls = page.locator(".jl-page select, .jl-page input")
            assert controls.count() >= 1 and controls.first.is_visible()
            first = page.locator(".jl-page").first
            before = first.inner_html()
            control = first.locator("select, input").first
            if control.evaluate("e => e.tagName") == "SELECT":
                options = control.locator("option").all_inner_texts()
                control.select_option(label=options[-1])
            else:
                control.focus()
                page.keyboard.press("Home")
            assert first.inner_html() != before, "a control changed nothing"
        assert seen["dialogs"] == [], "a name ran as script"
        assert seen["remote"] == [], f"the page reached the internet: {seen['remote'][:3]}"
        text = page.inner_text("body")
        if stem in ("01_discover_paths", "03_satisfaction_drivers"):
            assert SCRIPT in text  # shown as the text it is
        if stem == "01_discover_paths":
            assert IMG in text
        shot = tmp_path / f"{stem}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        browser.close()


def test_a_single_file_report_works_alone_offline(reports, tmp_path):
    """`--single-file`: the report is one HTML file that works copied anywhere, alone,
    with no network: its explorers, its process maps and its plotly Sankey."""
    from playwright.sync_api import sync_playwright

    executed = reports["01_discover_paths"].with_suffix(".ipynb")
    alone = tmp_path / "alone"
    alone.mkdir()
    html = jl.render_html(executed, alone / "report.html", single_file=True)
    assert sorted(p.name for p in alone.iterdir()) == ["report.html"]
    source = html.read_text(encoding="utf-8")
    assert "<script src=" not in source and 'class="jl-plotly"' in source
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        asked = []

        def route(r):
            asked.append(r.request.url)
            r.continue_() if r.request.url == html.as_uri() else r.abort()
        page.route("**/*", route)
        page.goto(html.as_uri())
        page.wait_for_selector(".jl-page[data-ready='2']")
        assert page.locator(".jl-page[data-ready='2']").count() == 3
        page.wait_for_selector(".jl-plotly .sankey .node-label")
        assert page.locator(".jl-map-tools").count() >= 2  # report maps and explorer maps
        assert asked == [html.as_uri()], f"the report asked for more: {asked[1:4]}"
        browser.close()
