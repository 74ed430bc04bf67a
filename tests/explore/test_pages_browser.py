"""Each explorer's page in a real browser (Debian's Chromium, headless, driven by
Playwright), with no kernel and every request off the machine refused: each control is
changed as a user would (keyboard on sliders, clicks on checkboxes, option picks) and
what the page then draws is read back and compared with the explorer's ``data()`` for the
same control values. No request leaves the machine, no script runs from a name, and every
button shows its label (no icon font to miss)."""
from __future__ import annotations

import re

import numpy as np
import pytest

import journeylab as jl
from tests.browsers import chromium
from journeylab.explore.static import share_grid

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def truth():
    return jl.generate_journeys(1_200, random_state=7)


@pytest.fixture(scope="module")
def log(truth):
    events = truth.events.copy()
    events["activity"] = events["activity"].astype(str).replace({"chat_support": SCRIPT})
    return jl.read_events(events, **truth.read_kwargs())


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        yield b
        b.close()


class Page:
    """An explorer's page opened offline, with what it asked of the network."""

    def __init__(self, browser, explorer, tmp_path):
        path = explorer.save_html(tmp_path / "explorer.html")
        self.remote, self.dialogs = [], []
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})

        def route(r):
            if r.request.url.startswith("file:"):
                r.continue_()
            else:
                self.remote.append(r.request.url)
                r.abort()
        self.page.route("**/*", route)
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(path.as_uri())
        self.page.wait_for_selector(".jl-page[data-ready='2']", timeout=20_000)

    def control(self, name: str):
        return self.page.locator(f'[data-control="{name}"]')

    def slide(self, name: str, key: str, times: int = 1) -> None:
        """Move a slider with the keyboard, as a user without a mouse would."""
        self.control(name).focus()
        for _ in range(times):
            self.page.keyboard.press(key)

    def pick(self, name: str, label: str) -> None:
        self.control(name).select_option(label=label)

    def rows(self, panel: str) -> list[list[str]]:
        return self.page.eval_on_selector(
            f'[data-panel="{panel}"]', "el => [...el.querySelectorAll('table tbody tr')]"
            ".map(tr => [...tr.querySelectorAll('td')].map(td => td.textContent.trim()))")

    def map_edges(self, panel: str = "map") -> set[tuple[str, str, int]]:
        """(source, target, journeys) of every touchpoint edge drawn, from its hover text."""
        titles = self.page.eval_on_selector(
            f'[data-panel="{panel}"]', "el => [...el.querySelectorAll('g.edge a')]"
            ".map(a => a.getAttribute('xlink:title'))")
        out = set()
        for t in titles:
            m = re.match(r"(.*) \u2192 (.*)\njourneys ([\d,]+)", t, re.S)
            out.add((m.group(1), m.group(2), int(m.group(3).replace(",", ""))))
        return out

    def edge_labels(self, panel: str = "map") -> list[str]:
        return self.page.eval_on_selector(
            f'[data-panel="{panel}"]', "el => [...el.querySelectorAll('g.edge')]"
            ".filter(g => g.querySelector('a')).map(g => g.querySelector('text')"
            ".textContent.trim())")

    def sankey_labels(self) -> set[str]:
        """The node names the Sankey (drawn by plotly.js) shows."""
        self.page.wait_for_selector('[data-panel="sankey"] .sankey .node-label')
        return set(self.page.eval_on_selector(
            '[data-panel="sankey"]', "el => [...el.querySelectorAll('.sankey .node-label')]"
            ".map(t => t.textContent)"))

    def check_clean(self) -> None:
        assert self.remote == [], f"the page reached the network: {self.remote[:3]}"
        assert self.dialogs == [], "a name ran as script"
        assert self.page.evaluate("[...document.fonts].every(f => f.status !== 'error')")
        # every button has a name for screen readers and shows it as text or as an
        # inline SVG icon that has drawn (no icon font that could be missing)
        bare = self.page.eval_on_selector_all("button", """bs => bs.filter(b => {
            const named = (b.innerText || b.getAttribute('aria-label') || '').trim();
            const icon = b.querySelector('svg');
            const drawn = b.innerText.trim() || (icon && icon.getBoundingClientRect().width > 0
                && icon.querySelector('path, text, rect, circle, polygon'));
            return !(named && drawn);
        }).map(b => b.outerHTML.slice(0, 120))""")
        assert bare == [], f"buttons without a visible label or icon: {bare}"
        assert self.page.locator("i.fa, .fa").count() == 0  # no icon font needed


def sankey_names(flows) -> set[str]:
    return set(flows["source"]) | set(flows["target"])


def edges_of(dfg) -> set[tuple[str, str, int]]:
    e = dfg.edges
    return set(zip(e["source"], e["target"], e["cases"].astype(int)))


def test_process_map_page_follows_every_control_like_data(browser, log, tmp_path):
    x = jl.ProcessMapExplorer(log, segment="segment", path_coverage=0.8)
    p = Page(browser, x, tmp_path)
    assert p.map_edges() == edges_of(x.data())
    p.slide("touchpoints", "Home")  # 10% of events' touchpoints
    x.activity_coverage.value = 0.1
    assert p.map_edges() == edges_of(x.data())
    assert p.control("touchpoints").get_attribute("aria-valuetext") == "10%"
    p.slide("touchpoints", "ArrowRight", 5)  # 60%
    p.slide("paths", "ArrowLeft", 5)  # 30%
    x.activity_coverage.value, x.path_coverage.value = 0.6, 0.3
    assert p.map_edges() == edges_of(x.data())
    top = x.data().edges.head(15)
    assert [r[:2] + [r[3]] for r in p.rows("edges")] == [
        [s, t, f"{n:,}"] for s, t, n in zip(top["source"], top["target"], top["cases"])]
    p.pick("mode", "time")
    assert sorted(p.edge_labels()) == sorted(jl.format_duration(m)
                                             for m in x.data().edges["median_s"])
    assert p.sankey_labels() == sankey_names(x.flows())
    segment = x.segment_value.options[1]
    p.pick("segment", segment)
    x.segment_value.value = segment
    assert p.map_edges() == edges_of(x.data())
    assert p.sankey_labels() == sankey_names(x.flows())
    p.check_clean()


def test_a_process_map_pans_zooms_shows_details_and_saves_as_svg_and_png(browser, log,
                                                                       tmp_path):
    x = jl.ProcessMapExplorer(log, path_coverage=0.5)
    p = Page(browser, x, tmp_path)
    svg = p.page.locator('[data-panel="map"] svg').first
    box = svg.get_attribute("viewBox")
    tools = p.page.locator('[data-panel="map"] .jl-map-tools button')
    assert tools.all_inner_texts() == ["+", "\u2212", "reset", "SVG", "PNG"]
    tools.nth(0).click()  # zoom in
    zoomed = svg.get_attribute("viewBox")
    assert float(zoomed.split()[2]) < float(box.split()[2])
    svg.scroll_into_view_if_needed()
    b = svg.bounding_box()  # drag from a point of the map inside the window
    p.page.mouse.move(b["x"] + 60, b["y"] + 60)
    p.page.mouse.down()
    p.page.mouse.move(b["x"] + 140, b["y"] + 100, steps=4)
    p.page.mouse.up()
    panned = svg.get_attribute("viewBox")
    assert panned.split()[:2] != zoomed.split()[:2] and panned.split()[2:] == zoomed.split()[2:]
    tools.nth(2).click()  # reset
    assert svg.get_attribute("viewBox") == box
    edge = p.page.locator('[data-panel="map"] g.edge path').first
    edge.hover(force=True)
    tip = p.page.locator(".jl-tooltip")
    assert tip.is_visible() and "journeys" in tip.inner_text() and "\u2192" in tip.inner_text()
    source, target = tip.inner_text().split("\n")[0].split(" \u2192 ")
    row = x.data().edges.set_index(["source", "target"]).loc[(source, target)]
    assert f"journeys {int(row['cases']):,}" in tip.inner_text()
    with p.page.expect_download() as svg_file:
        tools.nth(3).click()
    saved = (tmp_path / "map.svg")
    svg_file.value.save_as(saved)
    assert saved.read_text(encoding="utf-8").lstrip().startswith("<svg") and \
        "viewBox" in saved.read_text(encoding="utf-8")
    with p.page.expect_download() as png_file:
        tools.nth(4).click()
    png_file.value.save_as(tmp_path / "map.png")
    assert (tmp_path / "map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image

    with Image.open(tmp_path / "map.png") as im:
        grey = im.convert("L")
        assert im.width > 500 and len(set(grey.histogram())) > 10  # drawn, not blank
    p.check_clean()


def test_variant_page_follows_coverage_like_data(browser, log, tmp_path):
    x = jl.VariantExplorer(log, coverage=0.5)
    p = Page(browser, x, tmp_path)
    for key, times in (("End", 1), ("Home", 1), ("ArrowRight", 7)):
        p.slide("coverage", key, times)
        label = p.control("coverage").get_attribute("aria-valuetext")
        value = next(v for v in share_grid(0.5, step=0.05, minimum=0.05)
                     if f"{v:.0%}" == label)
        top = x.data(coverage=value)
        x.coverage.value = value
        assert x.data().equals(top)
        rows = p.rows("variants")
        assert [r[0] for r in rows] == list(top["variant"].head(50))
        assert [r[2] for r in rows] == [f"{int(n):,}" for n in top["cases"].head(50)]
    p.check_clean()


def test_funnel_page_follows_steps_and_breakdown_like_data(browser, log, tmp_path):
    x = jl.FunnelBuilder(log, on="stage", segments=["segment"])
    p = Page(browser, x, tmp_path)
    names = p.page.eval_on_selector_all(".jl-check", "ls => ls.map(l => l.innerText.trim())")
    assert names[:len(x.steps.value)] == list(x.steps.value)

    def shown_customers():
        return [int(r[2].replace(",", "")) for r in p.rows("funnel")]

    assert shown_customers() == x.data()["customers"].astype(int).tolist()
    p.page.locator(".jl-check input").nth(1).click()  # drop the second step
    p.page.locator(".jl-check input").nth(len(names) - 1).click()  # add the last one
    chosen = [n for i, n in enumerate(names) if
              p.page.locator(".jl-check input").nth(i).is_checked()]
    x.steps.value = chosen
    assert shown_customers() == x.data()["customers"].astype(int).tolist()
    p.pick("by", "segment")
    x.by.value = "segment"
    want = x.data()
    rows = p.rows("funnel")
    assert [r[0] for r in rows] == [str(s) for s in want["segment"]]
    assert [int(r[3].replace(",", "")) for r in rows] == want["customers"].astype(int).tolist()
    for _ in range(len(chosen) - 1):  # fewer than two steps: the page says so
        p.page.locator(".jl-check input:checked").first.click()
    assert "at least two steps" in p.page.inner_text('[data-panel="funnel"]')
    p.check_clean()


def test_persona_page_follows_persona_and_paths_like_data(browser, log, truth, tmp_path):
    planted = truth.personas.set_index("case_id")["persona"]
    labels = np.unique(planted.loc[list(log.cases)].astype(str), return_inverse=True)[1]
    x = jl.PersonaExplorer(log, labels)
    p = Page(browser, x, tmp_path)
    for option in x.persona.options[1:3]:
        p.pick("persona", option[0])
        p.slide("paths", "ArrowLeft", 3)
        x.persona.value = option[1]
        x.path_coverage.value = round(x.path_coverage.value - 0.3, 2)
        d = x.data()
        assert p.map_edges() == edges_of(d["map"])
        profile = dict(r for r in p.page.eval_on_selector(
            '[data-panel="profile"]', "el => [...el.querySelectorAll('tbody tr')].map("
            "tr => [tr.querySelector('th').textContent.trim(), "
            "tr.querySelector('td').textContent.trim()])"))
        assert profile["name"] == str(d["profile"]["name"].iloc[0])
        assert profile["journeys"] == f"{int(d['profile']['journeys'].iloc[0]):,}"
        assert [r[0] for r in p.rows("variants")] == list(d["variants"]["variant"].head(10))
        p.slide("paths", "End")
        x.path_coverage.value = 1.0
    p.check_clean()


def test_driver_page_follows_touchpoint_and_what_if_like_data(browser, log, tmp_path):
    drivers = jl.SatisfactionDrivers(controls="segment", n_boot=30, random_state=0).fit(log)
    x = jl.DriverExplorer(drivers, log, random_state=0)
    p = Page(browser, x, tmp_path)
    for t in list(x.touchpoint.options)[:3]:
        p.pick("touchpoint", t)
        x.touchpoint.value = t
        for key, share in (("End", 1.0), ("Home", 0.0), ("ArrowRight", 0.1)):
            p.slide("fixed", key)
            x.fixed_share.value = share
            d = x.data()
            assert [r[2] for r in p.rows("what_if")] == [f"{v:.2f}" for v in
                                                         d["what_if"]["what_if"]]
        effects = [r[1] for r in p.rows("by_group")]
        assert effects == ["–" if v != v else f"{v:+.2f}" for v in d["by_group"]["effect"]]
        means = [r[3] for r in p.rows("trajectory")]
        assert means == [f"{m:.2f}" if m == m else "–" for m in d["trajectory"]["mean"]]
    assert SCRIPT in p.page.inner_text(".jl-page") or SCRIPT not in x.touchpoint.options
    p.check_clean()
