"""Browser tests of the treaty and data pages at desktop and phone widths: keyboard use, the
chart's figures on focus, and an accessibility check (tests/a11y.py) of every page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from a11y import audit, contrast
from test_web_browser import ARGS, CHROMIUM, base_url  # noqa: F401  (a fixture)
from test_web_support import MEETING

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed"),
]

WIDTHS = {"desktop": (1400, 900), "phone": (390, 844)}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture(params=sorted(WIDTHS))
def page(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    width, height = WIDTHS[request.param]
    pg = browser.new_page(viewport={"width": width, "height": height})
    problems: list[str] = []
    pg.on("pageerror", lambda e: problems.append(str(e)))
    pg.problems = problems
    yield pg
    pg.close()


def tab_until(page: Any, selector: str, limit: int = 40) -> int:
    """Press Tab until the focused element matches ``selector``; the number of presses."""
    for n in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return n
    raise AssertionError(f"{selector} not reached in {limit} Tab presses")


def test_keyboard_reaches_the_states_filter_past_the_chart_and_map_and_submits_it(
    page: Any,
    base_url: str,  # noqa: F811
) -> None:
    page.goto(base_url + "/treaties/ccm?on=2025-03-06")
    # the link to the list comes before the chart's points and the map's 197 States
    tab_until(page, 'a[href="#states"]')
    page.keyboard.press("Enter")
    page.wait_for_url("**#states")
    presses = tab_until(page, 'form[aria-label="Filter the States"] input[value="withdrawn"]')
    assert presses <= 6
    page.keyboard.press("Space")
    tab_until(page, 'form[aria-label="Filter the States"] button')
    page.keyboard.press("Enter")
    page.wait_for_url("**status=withdrawn**")
    rows = page.locator("table.roll tbody tr")
    assert rows.count() == 1 and "Lithuania" in rows.first.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    assert page.problems == []


def test_chart_points_show_their_figures_on_focus_and_the_yearly_table_opens(
    page: Any,
    base_url: str,  # noqa: F811
) -> None:
    page.goto(base_url + "/treaties/ccm?on=2025-03-06")
    point = page.locator("svg.panels a.pt").nth(5)
    label = point.get_attribute("aria-label")
    value = point.locator(".val")
    assert value.evaluate("e => getComputedStyle(e).visibility") == "hidden"
    point.focus()
    assert value.evaluate("e => getComputedStyle(e).visibility") == "visible"
    assert value.locator("text").text_content() == label
    summary = page.locator("details#yearly summary")
    summary.focus()
    page.keyboard.press("Enter")
    table = page.locator("details#yearly table")
    assert table.is_visible() and table.locator("tbody tr").count() >= 15
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_data_page_start_here_file_downloads_from_the_keyboard(
    page: Any,
    base_url: str,  # noqa: F811
) -> None:
    page.goto(base_url + "/data")
    tab_until(page, 'ul.start-here a[href="/data/status_periods.csv"]')
    with page.expect_download() as got:
        page.keyboard.press("Enter")
    download = got.value
    assert download.suggested_filename == "status_periods.csv"
    with open(download.path(), encoding="utf-8") as f:
        assert f.readline().startswith("treaty,state,status,start,end,")
    assert page.locator('a[rel="license"]').inner_text().startswith("Creative Commons")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    assert page.problems == []


@pytest.mark.parametrize(
    "path",
    [
        "/treaties/ccm?on=2025-03-06",
        "/treaties/apmbt?status=withdrawn&region=Eastern+European",
        "/data",
        "/",
        "/states/LTU",
        f"/meetings/{MEETING}",
        "/treaties/ccm/deadlines",
    ],
)
def test_pages_pass_the_accessibility_check(page: Any, base_url: str, path: str) -> None:  # noqa: F811
    page.goto(base_url + path)
    assert audit(page) == []


def test_the_check_finds_what_it_looks_for(page: Any) -> None:
    page.set_content(
        """<!doctype html><html lang="en"><body>
        <h1>Title</h1><h3>Skipped</h3>
        <img src="x.png"><svg width="20" height="20"><rect width="20" height="20"/></svg>
        <svg aria-labelledby="t"><title id="t">Named</title></svg>
        <input name="nameless"><label>Named <input name="named"></label>
        <p style="color: #aaaaaa">Pale text on white</p>
        <p style="color: #595959">Dark enough</p>
        </body></html>"""
    )
    found = audit(page)
    assert "img x.png: no text alternative" in found
    assert "svg.: no text alternative" in found
    assert "input[name=nameless]: no label" in found
    assert not [p for p in found if "named]" in p]
    assert "h3 'Skipped' follows an h1: a level skipped" in found
    assert [p for p in found if "Pale text" in p and "contrast 2.32" in p]
    assert not [p for p in found if "Dark enough" in p]
    assert len(found) == 5


def test_contrast_ratio_matches_the_wcag_examples() -> None:
    assert round(contrast("#000", "#fff"), 1) == 21.0
    assert round(contrast("#777777", "#ffffff"), 2) == 4.48
    assert contrast("rgba(0, 0, 0, 0)", "#ffffff") == 1.0  # transparent over white is white


def test_state_page_matrix_opens_a_status_explanation_from_the_keyboard(
    page: Any,
    base_url: str,  # noqa: F811
) -> None:
    page.goto(base_url + "/states/LTU?on=2026-01-01")
    tab_until(page, "table.matrix details.cell summary", limit=80)
    explanation = page.locator("table.matrix details.cell").first.locator("p").first
    assert not explanation.is_visible()
    page.keyboard.press("Enter")
    assert explanation.is_visible() and explanation.inner_text().strip()
    assert audit(page) == []


def test_deadlines_page_opens_a_group_of_states_from_the_keyboard(
    page: Any,
    base_url: str,  # noqa: F811
) -> None:
    page.goto(base_url + "/treaties/ccm/deadlines?on=2026-01-01")
    tab_until(page, "table details summary", limit=120)
    group = page.locator("table details").first
    assert not group.locator("ul").is_visible()
    page.keyboard.press("Enter")
    assert group.locator("ul li a").first.is_visible()
    assert audit(page) == []
