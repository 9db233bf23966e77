"""Briefing mode in a real Chromium: walk the example briefing with the keyboard, at projector
sizes, with large type and nothing fetched from elsewhere."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def font_px(page, selector: str) -> float:
    return page.evaluate(
        f"parseFloat(getComputedStyle(document.querySelector('{selector}')).fontSize)"
    )


def wait_for_view(page, n: int) -> None:
    page.wait_for_function(f"location.pathname.endsWith('/{n}')", timeout=15_000)
    page.wait_for_selector(f".briefing-position:has-text('{n} /')", timeout=15_000)
    page.wait_for_selector("#briefing-graph .main-svg", timeout=30_000)


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 720)])
def test_walk_the_briefing_with_the_keyboard(browser, live_server, artifacts, size):
    from tests.browser.conftest import PageWatch

    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    watch = PageWatch(page, live_server)
    page.goto(live_server + "/briefing/iom-2024/1", wait_until="networkidle")
    wait_for_view(page, 1)
    total = int(page.inner_text(".briefing-position").split("/")[1])
    if size == (1920, 1080):
        assert font_px(page, ".briefing-caption") >= 24
        assert font_px(page, ".briefing-source") >= 24
        assert font_px(page, ".briefing-title") >= 40
    keys = ["ArrowRight", "PageDown"]
    for n in range(1, total + 1):
        page.wait_for_timeout(600)
        page.screenshot(path=str(artifacts / f"briefing-{size[0]}x{size[1]}-{n}.png"))
        if n < total:
            page.keyboard.press(keys[n % 2])
            wait_for_view(page, n + 1)
    page.keyboard.press("PageUp")
    wait_for_view(page, total - 1)
    page.keyboard.press("ArrowLeft")
    wait_for_view(page, total - 2)
    page.go_back()
    wait_for_view(page, total - 1)
    watch.assert_clean()
    context.close()


def test_each_view_has_its_own_url_and_bad_ones_say_why(watched_page, live_server):
    page, watch = watched_page
    page.goto(live_server + "/briefing/iom-2024/3", wait_until="networkidle")
    wait_for_view(page, 3)
    page.goto(live_server + "/briefing/iom-2024/99", wait_until="networkidle")
    page.wait_for_selector("text=there is no view '99'", timeout=15_000)
    page.goto(live_server + "/briefing/", wait_until="networkidle")
    page.wait_for_selector(".briefing-index li a", timeout=15_000)
    watch.assert_clean()


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 720)])
def test_myanmar_slide_labels_sit_by_their_points_in_order(browser, live_server, artifacts, size):
    """On 'Myanmar's compounds', Shwe Kokko's label is above Myawaddy's and KK Park's below
    (their points' north–south order), and every place label touches its point or has a leader
    to it, measured with plotly's own projection at the size the slide is drawn."""
    from tests.browser.conftest import PageWatch
    from tests.browser.test_explorer import check_labels

    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    watch = PageWatch(page, live_server)
    page.goto(live_server + "/briefing/iom-2024/4", wait_until="networkidle")
    wait_for_view(page, 4)
    # the slide is redrawn once the page has told the server its size
    page.wait_for_function(
        "() => { const gd = document.querySelector('#briefing-graph .js-plotly-plot');"
        f" return gd && gd._fullLayout.width === {round(size[0] * 0.95)}; }}",
        timeout=30_000,
    )
    page.wait_for_timeout(500)
    tops = page.evaluate(
        """() => { const out = {};
          document.querySelectorAll('#briefing-graph .scatterlayer text').forEach((e) => {
            out[e.textContent] = e.getBoundingClientRect().top; });
          return out; }"""
    )

    def top(prefix: str) -> float:
        return next(v for k, v in tops.items() if k.startswith(prefix))

    assert top("Shwe Kokko") < top("Myawaddy") < top("KK Park")
    assert check_labels(page, "geo2") >= 4
    assert check_labels(page, "geo") >= 1
    page.screenshot(path=str(artifacts / f"briefing-myanmar-{size[0]}x{size[1]}.png"))
    watch.assert_clean()
    context.close()
