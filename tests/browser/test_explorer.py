"""The explorer in a real Chromium: filters, profiles by click, shared links, back button,
and nothing fetched from any other host."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

pytestmark = pytest.mark.browser


def query(page) -> dict:
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}


def wait_for_map(page) -> None:
    page.wait_for_selector("#explorer-map .geo", timeout=30_000)
    page.wait_for_function(
        "document.querySelectorAll('#explorer-map .choroplethlocation').length > 20",
        timeout=30_000,
    )


def choose(page, control_id: str, text: str) -> None:
    """Pick an option of a dropdown as a keyboard user would: open, type, Enter."""
    page.click(f"#{control_id}")
    page.wait_for_selector(".dash-dropdown-search", timeout=5_000)
    page.keyboard.type(text, delay=30)
    # Enter only once the list has narrowed to the option typed (a fast machine types ahead)
    page.wait_for_function(
        "(t) => { const o = document.querySelectorAll('[role=option]');"
        " return o.length === 1 && o[0].textContent.includes(t); }",
        arg=text,
        timeout=5_000,
    )
    page.keyboard.press("Enter")


def test_filters_update_url_and_map(watched_page, live_server, artifacts):
    page, watch = watched_page
    page.goto(live_server + "/", wait_until="networkidle")
    wait_for_map(page)
    page.screenshot(path=str(artifacts / "explorer-default-1440x900.png"))
    choose(page, "explorer-nationality", "Indonesia")
    page.wait_for_function("location.search.includes('nationality=IDN')", timeout=15_000)
    page.keyboard.press("Escape")
    # the year slider by keyboard: focus the lower handle and step it on one year
    page.locator("#explorer-year [role=slider][aria-label=Minimum]").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("location.search.includes('year=2023')", timeout=15_000)
    assert query(page) == {"nationality": "IDN", "year": "2023"}
    page.wait_for_timeout(800)
    page.screenshot(path=str(artifacts / "explorer-filtered-1440x900.png"))
    watch.assert_clean()


def test_click_a_country_opens_its_profile(watched_page, live_server, artifacts):
    page, watch = watched_page
    page.goto(live_server + "/", wait_until="networkidle")
    wait_for_map(page)
    index = page.evaluate(
        "document.getElementById('explorer-map').querySelector('.js-plotly-plot')"
        ".data[0].locations.indexOf('KHM')"
    )
    box = page.locator("#explorer-map .choroplethlocation").nth(index).bounding_box()
    # north-east Cambodia, away from the places and events drawn over the country
    page.mouse.click(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.22)
    page.wait_for_function("location.search.includes('country=KHM')", timeout=15_000)
    page.wait_for_selector("#explorer-side h2:has-text('Cambodia')", timeout=15_000)
    page.screenshot(path=str(artifacts / "explorer-profile-khm-1440x900.png"), full_page=True)
    watch.assert_clean()


def test_shared_link_reproduces_the_view_and_back_steps_back(watched_page, live_server, artifacts):
    page, watch = watched_page
    page.goto(live_server + "/?year=2023&nationality=IDN,VNM&country=MMR", wait_until="networkidle")
    wait_for_map(page)
    page.wait_for_selector("#explorer-side h2:has-text('Myanmar')", timeout=15_000)
    assert "Indonesia" in page.inner_text("#explorer-nationality")
    assert "Viet Nam" in page.inner_text("#explorer-nationality")
    page.click("text=Sankey")
    page.wait_for_function("location.search.includes('view=sankey')", timeout=15_000)
    page.wait_for_selector("#explorer-sankey .sankey", timeout=15_000)
    page.screenshot(path=str(artifacts / "explorer-sankey-1440x900.png"), full_page=True)
    page.go_back()
    page.wait_for_function("!location.search.includes('view=sankey')", timeout=15_000)
    assert query(page) == {"year": "2023", "nationality": "IDN,VNM", "country": "MMR"}
    page.wait_for_selector("#explorer-side h2:has-text('Myanmar')", timeout=15_000)
    watch.assert_clean()


@pytest.mark.parametrize("view", ["table", "overview"])
def test_other_views_render(watched_page, live_server, artifacts, view):
    page, watch = watched_page
    page.goto(live_server + f"/?view={view}", wait_until="networkidle")
    selector = "#explorer-table .dash-spreadsheet" if view == "table" else "#explorer-overview h2"
    page.wait_for_selector(selector, timeout=30_000)
    page.wait_for_timeout(800)
    page.screenshot(path=str(artifacts / f"explorer-{view}-1440x900.png"), full_page=True)
    watch.assert_clean()


def test_export_button_downloads_the_current_view(watched_page, live_server, artifacts):
    from dashboard.export.render import chromium_path

    if chromium_path() is None:
        pytest.skip("no Chromium for kaleido")
    page, watch = watched_page
    page.goto(live_server + "/?year=2023&nationality=IDN", wait_until="networkidle")
    wait_for_map(page)
    link = page.locator(".export-links a:has-text('PNG')").first
    assert "year=2023" in link.get_attribute("href") and "nationality=IDN" in link.get_attribute(
        "href"
    )
    with page.expect_download(timeout=60_000) as info:
        link.click()
    path = info.value.path()
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    watch.assert_clean()


def test_view_tabs_work_from_the_keyboard(watched_page, live_server):
    page, watch = watched_page
    page.goto(live_server + "/", wait_until="networkidle")
    wait_for_map(page)
    tab = page.locator("#explorer-view .tab:has-text('Table')")
    assert tab.get_attribute("tabindex") == "0" and tab.get_attribute("role") == "tab"
    tab.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("location.search.includes('view=table')", timeout=15_000)
    page.wait_for_selector("#explorer-table .dash-spreadsheet", timeout=15_000)
    watch.assert_clean()
