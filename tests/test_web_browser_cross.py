"""Browser tests of the pages across treaties at desktop and phone widths: the State page's
matrix, the erosion timeline, the home page for twelve treaties and the States × treaties
matrix; each passes the accessibility check (tests/a11y.py) and fits the screen's width."""

from __future__ import annotations

from typing import Any

import pytest

from a11y import audit
from test_web_browser import CHROMIUM, base_url  # noqa: F401  (a fixture)
from test_web_browser_pages import browser, page  # noqa: F401  (fixtures: both widths)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed"),
]


def fits(page: Any) -> bool:  # noqa: F811
    """Whether the page scrolls sideways no wider than the screen (wide tables scroll inside
    their own box)."""
    width = int(page.evaluate("document.documentElement.scrollWidth"))
    return width <= int(page.viewport_size["width"])


def test_state_page_opens_with_the_matrix_and_a_status_opens_its_rule(
    page: Any,  # noqa: F811
    base_url: str,  # noqa: F811
) -> None:
    page.goto(base_url + "/states/UKR?on=2026-01-01")
    headings = page.locator("h2").all_inner_texts()
    assert headings[0] == "Every treaty at a glance"
    rows = page.locator("table.matrix tbody tr")
    assert rows.count() == 12
    apmbt = rows.filter(has=page.locator('a[href="#apmbt"]')).first
    rule = apmbt.locator("details.cell p").first
    assert not rule.is_visible()
    apmbt.locator("summary").click()
    assert rule.is_visible() and "purported suspension without legal effect" in rule.inner_text()
    page.locator('table.matrix a[href="#apmbt-obligations"]').click()
    page.wait_for_url("**#apmbt-obligations")
    assert page.locator("#apmbt-obligations").is_visible()
    assert fits(page) and audit(page) == [] and page.problems == []


def test_erosion_page_chart_marks_lead_to_their_acts(
    page: Any,  # noqa: F811
    base_url: str,  # noqa: F811
) -> None:
    page.goto(base_url + "/erosion")
    chart = page.locator("svg.erosion")
    box = chart.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 100
    marks = chart.locator("a")
    rows = page.locator("table.erosion-table tbody tr")
    assert marks.count() == rows.count() > 5
    label = marks.first.get_attribute("aria-label")
    marks.first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**#act-*")
    target = page.url.split("#", 1)[1]
    heading = page.locator(f"#{target} h2").inner_text()
    assert label is not None and heading.split(":")[0] == label.split(":")[0]
    silent = page.locator("details", has_text="Silent:").first
    silent.locator("summary").click()
    assert silent.locator("p").is_visible()
    assert fits(page) and audit(page) == [] and page.problems == []


def test_home_map_switches_treaty_and_keeps_twelve_small_multiples(
    page: Any,  # noqa: F811
    base_url: str,  # noqa: F811
) -> None:
    page.goto(base_url + "/?on=2025-03-06")
    assert page.locator("svg.mini").count() == 12
    assert page.locator("table.overview tbody tr").count() == 12
    page.locator("nav.map-switch a", has_text="CCM").first.click()
    page.wait_for_url("**map=ccm**")
    assert page.locator("#h-map").inner_text().endswith("(CCM)")
    withdrawn = page.locator("svg.map path", has=page.locator("title", has_text="Lithuania"))
    assert withdrawn.first.get_attribute("fill") == "#D55E00"
    assert page.locator("#h-erosion ~ ul li, .erosion-list li").count() >= 1
    assert fits(page) and audit(page) == [] and page.problems == []


def test_matrix_filters_without_javascript_and_passes_the_check(
    page: Any,  # noqa: F811
    base_url: str,  # noqa: F811
) -> None:
    page.goto(base_url + "/matrix?on=2026-01-01")
    page.select_option('select[name="region"]', "Eastern European")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**region=Eastern+European**")
    rows = page.locator("table.matrix-all tbody tr")
    assert 0 < rows.count() < 197
    page.locator("table.matrix-all thead a", has_text="CCM").click()
    page.wait_for_url("**sort=ccm**")
    first = page.locator("table.matrix-all tbody tr").first
    assert "party" in first.locator('a[href$="#ccm"]').inner_text()
    assert fits(page) and audit(page) == [] and page.problems == []
