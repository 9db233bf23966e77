"""The first page in a real Chromium: the map renders, and nothing is fetched from elsewhere."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_map_renders_offline(watched_page, live_server, artifacts):
    page, watch = watched_page
    page.goto(live_server + "/", wait_until="networkidle")
    page.wait_for_selector(".route-map .geo", timeout=30_000)
    # Country shapes from the bundled boundaries, and base-map land from local topojson.
    page.wait_for_function(
        "document.querySelectorAll('.route-map .choroplethlocation').length > 10",
        timeout=30_000,
    )
    assert page.locator(".route-map .scattergeo").count() >= 3
    labels = page.locator(".route-map .scattergeo text").all_text_contents()
    assert (
        "Myawaddy" in labels
        and "Clark Freeport Zone" in " ".join(labels)
        or "Clark" in " ".join(labels)
    )
    assert page.locator("text=do not imply").count() >= 1  # the map disclaimer
    page.screenshot(path=str(artifacts / "first-page-1440x900.png"))
    watch.assert_clean()


def test_download_links_work(watched_page, live_server):
    page, watch = watched_page
    page.goto(live_server + "/", wait_until="networkidle")
    for name in ("routes", "figures", "locations"):
        link = page.locator(f"a[href='/download/{name}.csv']")
        assert link.count() == 1
        response = page.request.get(live_server + f"/download/{name}.csv")
        assert response.status == 200
        assert response.headers["content-type"].startswith("text/csv")
    watch.assert_clean()
