"""The explorer in a real Chromium: what a reader sees first, labels by their points (measured
with plotly's own projection), the legend beside the map, no toolbar button that shares, an
empty filter that says so, filters, clicks, shared links, the back button, and nothing fetched
from any other host."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

pytestmark = pytest.mark.browser

SHARING = ("share", "cloud", "chart studio", "upload", "send", "edit in")


def query(page) -> dict:
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}


def wait_for_map(page) -> None:
    page.wait_for_selector("#explorer-map .geo", timeout=30_000)
    page.wait_for_function(
        "document.querySelectorAll('#explorer-map .choroplethlocation').length > 20",
        timeout=30_000,
    )
    # the map is redrawn once the page has told the server its size
    page.wait_for_function(
        "() => { const gd = document.querySelector('#explorer-map .js-plotly-plot');"
        " return gd && gd.layout && gd.layout.meta && gd.layout.meta.labels; }",
        timeout=30_000,
    )
    page.wait_for_timeout(700)


def choose(page, control_id: str, text: str) -> None:
    """Pick an option of a dropdown as a keyboard user would: open, type, Enter."""
    page.click(f"#{control_id}")
    page.wait_for_selector(".dash-dropdown-search", timeout=5_000)
    page.keyboard.type(text, delay=30)
    page.wait_for_function(
        "(t) => { const o = [...document.querySelectorAll('[role=option]')]"
        ".filter(e => !e.closest('.dash-checklist, .dash-radioitems'));"
        " return o.length === 1 && o[0].textContent.includes(t); }",
        arg=text,
        timeout=5_000,
    )
    page.keyboard.press("Enter")


def box_of(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def overlaps(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def map_texts(page) -> list[str]:
    return page.eval_on_selector_all(
        "#explorer-map .scatterlayer text", "els => els.map(e => e.textContent)"
    )


@pytest.mark.parametrize("size", [(1440, 900), (1366, 768)])
def test_first_screen_shows_headlines_and_numbered_routes(browser, live_server, artifacts, size):
    from tests.browser.conftest import PageWatch

    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    watch = PageWatch(page, live_server)
    page.goto(live_server + "/", wait_until="networkidle")
    wait_for_map(page)
    page.screenshot(path=str(artifacts / f"explorer-default-{size[0]}x{size[1]}.png"))
    # the headline figures sit above the map, in the first screen
    band = box_of(page, "#explorer-headlines")
    assert band["y"] + band["height"] < size[1] * 0.4
    headline = page.inner_text("#explorer-headlines")
    assert "296" in headline and "978" in headline and "120,000+" in headline
    # numbers are printed on the map, with their measure
    texts = " | ".join(map_texts(page))
    assert "437 rescued" in texts and "600+ returned" in texts and "2,714 rescued" in texts
    # the map fills most of the first screen's width, and its top is on screen
    graph = box_of(page, "#explorer-map")
    assert graph["y"] < size[1] * 0.5 and graph["width"] > size[0] * 0.6
    # the legend is beside the map, never over it
    assert not overlaps(box_of(page, "#explorer-legend-box"), graph)
    watch.assert_clean()
    context.close()


def test_no_toolbar_button_shares_or_uploads(watched_page, live_server):
    page, watch = watched_page
    for url, selector in (
        ("/", "#explorer-map"),
        ("/", "#explorer-time-strip"),
        ("/?view=sankey", "#explorer-sankey"),
        ("/?view=overview", "#overview-caseload-chart"),
    ):
        page.goto(live_server + url, wait_until="networkidle")
        page.wait_for_selector(f"{selector} .main-svg", timeout=30_000)
        page.hover(f"{selector} .main-svg")
        page.wait_for_timeout(300)
        titles = page.eval_on_selector_all(
            f"{selector} .modebar-btn", "els => els.map(e => e.getAttribute('data-title') || '')"
        )
        assert titles, f"no toolbar on {selector}"
        for title in titles:
            assert not any(word in title.lower() for word in SHARING), (selector, title)
        config = page.evaluate(
            f"document.querySelector('{selector} .js-plotly-plot')._context.showSendToCloud"
        )
        assert config is False
    watch.assert_clean()


def test_labels_sit_by_their_points_on_the_regional_map(watched_page, live_server):
    page, watch = watched_page
    page.goto(live_server + "/", wait_until="networkidle")
    wait_for_map(page)
    checked = check_labels(page, "geo")
    assert checked >= 8
    watch.assert_clean()


def check_labels(page, geo: str) -> int:
    """Every place label's box touches its point, or a leader joins them (plotly's own
    projection gives the points). Returns how many labels were checked."""
    found = page.evaluate(PLACE_LABELS_JS, geo)
    checked = 0
    for item in found:
        px, py = item["point"]
        x0, y0, x1, y1 = item["box"]
        dx = max(x0 - px, 0, px - x1)
        dy = max(y0 - py, 0, py - y1)
        gap = (dx * dx + dy * dy) ** 0.5
        if gap > 14:
            # a leader runs from the edge of the point's marker to the label's box
            def reaches(ld, px=px, py=py, x0=x0, y0=y0, x1=x1, y1=y1) -> bool:
                ex, ey = ld[-1]
                sx, sy = ld[0]
                edge = max(x0 - ex, 0, ex - x1) + max(y0 - ey, 0, ey - y1)
                start = ((sx - px) ** 2 + (sy - py) ** 2) ** 0.5
                return edge < 6 and start < 30

            assert any(reaches(ld) for ld in item["leaders"]), (
                f"{item['text']!r} is {gap:.0f}px from its point, with no leader to it"
            )
        checked += 1
    return checked


# Place labels of one geo subplot: each text drawn by the labels trace with the point of its
# place (the label trace's customdata names the place; projected with plotly's projection).
PLACE_LABELS_JS = """
(geoId) => {
  const gd = document.querySelector('#explorer-map .js-plotly-plot')
    || document.querySelector('#briefing-graph .js-plotly-plot');
  const full = gd._fullLayout;
  const sub = full[geoId]._subplot;
  const root = gd.getBoundingClientRect();
  // plotly's geo projection already places the subplot within the figure
  const ox = 0, oy = 0;
  const proj = (lon, lat) => {
    const p = sub.projection([lon, lat]); return [p[0] + ox, p[1] + oy]; };
  const leaders = [];
  gd.data.forEach((t) => {
    if ((t.geo || 'geo') !== geoId || t.name !== 'leaders') return;
    let cur = [];
    t.lon.forEach((lon, j) => {
      if (lon === null) { if (cur.length) leaders.push(cur); cur = []; return; }
      cur.push(proj(lon, t.lat[j]));
    });
    if (cur.length) leaders.push(cur);
  });
  const out = [];
  gd.querySelectorAll('.scatterlayer .trace').forEach((g) => {
    const t = g.__data__ && g.__data__[0] && g.__data__[0].trace;
    if (!t || (t.geo || 'geo') !== geoId || t.name !== 'labels' || !t.meta) return;
    g.querySelectorAll('text').forEach((tp, j) => {
      const place = t.meta.points[j];
      if (!place) return;
      const b = tp.getBoundingClientRect();
      if (!b.width) return;
      out.push({text: tp.textContent, point: proj(place[0], place[1]),
        box: [b.left - root.left, b.top - root.top, b.right - root.left, b.bottom - root.top],
        leaders: leaders});
    });
  });
  return out;
}
"""


# A point inside a country's polygon as far as can be from every drawn route, place and label
# (so that a click there means the country, not something drawn over it).
QUIET_POINT_JS = """
(code) => {
  const gd = document.querySelector('#explorer-map .js-plotly-plot');
  const i = gd.data[0].locations.indexOf(code);
  const path = gd.querySelectorAll('.choroplethlocation')[i];
  const b = path.getBoundingClientRect();
  const sub = gd._fullLayout.geo._subplot, r = gd.getBoundingClientRect();
  const busy = [];
  gd._fullData.forEach((t, i) => {
    if (t.type !== 'scattergeo' || t.geo !== 'geo') return;
    (gd.calcdata[i] || []).forEach((pt) => {
      const ll = pt.lonlat;
      if (!ll || !isFinite(ll[0]) || !isFinite(ll[1])) return;
      const p = sub.projection(ll); busy.push([r.left + p[0], r.top + p[1]]);
    });
  });
  gd.querySelectorAll('.scatterlayer text').forEach((e) => {
    const t = e.getBoundingClientRect();
    if (t.width) busy.push([t.left + t.width / 2, t.top + t.height / 2]);
  });
  let best = null, bestD = -1;
  for (let x = b.left + 2; x < b.right; x += 3) for (let y = b.top + 2; y < b.bottom; y += 3) {
    const m = path.getScreenCTM().inverse();
    const pt = new DOMPoint(x, y).matrixTransform(m);
    if (!path.isPointInFill(pt)) continue;
    const d = Math.min(...busy.map(([px, py]) => Math.hypot(px - x, py - y)));
    if (d > bestD) { bestD = d; best = [x, y]; }
  }
  return best;
}
"""


def test_moei_inset_keeps_the_north_south_order(watched_page, live_server, artifacts):
    page, watch = watched_page
    page.goto(live_server + "/", wait_until="networkidle")
    wait_for_map(page)
    tops = page.evaluate(
        """() => { const out = {};
          document.querySelectorAll('#explorer-map .scatterlayer text').forEach((e) => {
            out[e.textContent] = e.getBoundingClientRect().top; });
          return out; }"""
    )

    def top(prefix: str) -> float:
        return next(v for k, v in tops.items() if k.startswith(prefix))

    assert top("Shwe Kokko") < top("Myawaddy") < top("KK Park")
    assert check_labels(page, "geo2") >= 4
    watch.assert_clean()


def test_an_empty_filter_says_what_is_hidden_and_offers_data(watched_page, live_server, artifacts):
    page, watch = watched_page
    page.goto(live_server + "/?nationality=IDN&measure=rescued", wait_until="networkidle")
    wait_for_map(page)
    page.wait_for_selector("#explorer-map-message .map-message-text", timeout=15_000)
    message = page.inner_text("#explorer-map-message")
    assert "No route" in message and "show them" in message
    # the message is on the map
    assert overlaps(box_of(page, "#explorer-map-message"), box_of(page, "#explorer-map"))
    page.screenshot(path=str(artifacts / "explorer-empty-filter-1440x900.png"))
    page.click("#explorer-map-message a >> nth=0")
    page.wait_for_function("!location.search.includes('measure=rescued')", timeout=15_000)
    page.wait_for_function(
        "getComputedStyle(document.getElementById('explorer-map-message')).display === 'none'",
        timeout=15_000,
    )
    page.goto(live_server + "/?year=1999", wait_until="networkidle")
    page.wait_for_selector("#explorer-map-message .map-message-text", timeout=15_000)
    assert "The records cover" in page.inner_text("#explorer-map-message")
    watch.assert_clean()


def test_organ_removal_only_when_chosen_and_said(watched_page, live_server):
    page, watch = watched_page
    page.goto(live_server + "/", wait_until="networkidle")
    wait_for_map(page)
    ids = page.evaluate(
        "document.querySelector('#explorer-map .js-plotly-plot').data"
        ".filter(t => typeof (t.customdata || [])[0] === 'string').map(t => t.customdata[0])"
    )
    assert "idn-khm-kidney-122" not in ids and "vnm-rescued-in-phl-437" in ids
    page.goto(live_server + "/?form=organ_removal", wait_until="networkidle")
    wait_for_map(page)
    assert "122 trafficked" in " ".join(map_texts(page))
    legend = page.inner_text("#explorer-legend")
    assert "Organ removal" in legend and "Forms shown: organ removal" in legend
    watch.assert_clean()


def test_filters_update_url_and_map(watched_page, live_server, artifacts):
    page, watch = watched_page
    page.goto(live_server + "/", wait_until="networkidle")
    wait_for_map(page)
    choose(page, "explorer-nationality", "Indonesia")
    page.wait_for_function("location.search.includes('nationality=IDN')", timeout=15_000)
    page.keyboard.press("Escape")
    page.locator("#explorer-year [role=slider][aria-label=Minimum]").focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("location.search.includes('year=2023')", timeout=15_000)
    assert query(page) == {"nationality": "IDN", "year": "2023"}
    page.wait_for_timeout(1200)
    assert "20 trafficked" in " ".join(map_texts(page))
    page.screenshot(path=str(artifacts / "explorer-indonesia-1440x900.png"))
    watch.assert_clean()


def test_click_a_country_opens_its_profile(watched_page, live_server, artifacts):
    page, watch = watched_page
    page.goto(live_server + "/", wait_until="networkidle")
    wait_for_map(page)
    point = page.evaluate(QUIET_POINT_JS, "KHM")
    page.mouse.click(point[0], point[1])
    page.wait_for_function("location.search.includes('country=KHM')", timeout=15_000)
    page.wait_for_selector("#explorer-side h2:has-text('Cambodia')", timeout=15_000)
    page.wait_for_timeout(600)
    page.screenshot(path=str(artifacts / "explorer-profile-khm-1440x900.png"), full_page=True)
    watch.assert_clean()


def test_myanmar_view_and_route_card(watched_page, live_server, artifacts):
    page, watch = watched_page
    page.goto(live_server + "/?destination=MMR&country=MMR", wait_until="networkidle")
    wait_for_map(page)
    page.wait_for_selector("#explorer-side h2:has-text('Myanmar')", timeout=15_000)
    page.screenshot(path=str(artifacts / "explorer-myanmar-1440x900.png"))
    page.goto(live_server + "/?route=vnm-rescued-in-phl-437", wait_until="networkidle")
    wait_for_map(page)
    page.wait_for_selector("#route-card", timeout=15_000)
    card = page.inner_text("#route-card")
    assert "437" in card and "Báo Điện tử Chính phủ" in card and "1,063" in card
    page.screenshot(path=str(artifacts / "explorer-route-card-1440x900.png"))
    watch.assert_clean()


def test_clicking_a_route_opens_its_card(watched_page, live_server):
    page, watch = watched_page
    page.goto(live_server + "/?nationality=VNM", wait_until="networkidle")
    wait_for_map(page)
    point = page.evaluate(
        """() => { const gd = document.querySelector('#explorer-map .js-plotly-plot');
          const t = gd.data.find(t => (t.customdata || [])[0] === 'vnm-rescued-in-phl-437');
          const j = Math.floor(t.lon.length * 0.45);
          const sub = gd._fullLayout.geo._subplot, s = gd._fullLayout._size;
          const d = gd._fullLayout.geo.domain;
          const p = sub.projection([t.lon[j], t.lat[j]]);
          const r = gd.getBoundingClientRect();
          return [r.left + s.l + d.x[0] * s.w + p[0], r.top + s.t + (1 - d.y[1]) * s.h + p[1]]; }"""
    )
    page.mouse.move(point[0], point[1])
    page.wait_for_timeout(400)
    page.mouse.click(point[0], point[1])
    page.wait_for_function(
        "location.search.includes('route=vnm-rescued-in-phl-437')", timeout=15_000
    )
    page.wait_for_selector("#route-card", timeout=15_000)
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
    page.wait_for_selector("#explorer-sankey .scatterlayer", timeout=15_000)
    page.wait_for_timeout(500)
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
    selector = "#explorer-table .ag-row" if view == "table" else "#explorer-overview h2"
    page.wait_for_selector(selector, timeout=30_000)
    page.wait_for_timeout(800)
    page.screenshot(path=str(artifacts / f"explorer-{view}-1440x900.png"), full_page=True)
    if view == "table":
        text = page.inner_text("#explorer-table")
        assert "120,000" in text  # numbers with thousands separators
        assert "at_least" not in text and "at least" in text
    watch.assert_clean()


def test_small_screen_folds_the_controls_and_keeps_the_map(browser, live_server, artifacts):
    from tests.browser.conftest import PageWatch

    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    watch = PageWatch(page, live_server)
    page.goto(live_server + "/", wait_until="networkidle")
    wait_for_map(page)
    page.wait_for_timeout(600)
    page.screenshot(path=str(artifacts / "explorer-390x844.png"))
    assert page.evaluate("document.getElementById('explorer-controls-box').open") is False
    graph = box_of(page, "#explorer-map")
    assert graph["width"] >= 360 and graph["y"] < 844
    assert "437 rescued" in " | ".join(map_texts(page))
    watch.assert_clean()
    context.close()


def test_export_button_downloads_the_current_view(watched_page, live_server):
    from dashboard.export.render import chromium_path

    if chromium_path() is None:
        pytest.skip("no Chromium for kaleido")
    page, watch = watched_page
    page.goto(live_server + "/?year=2023&nationality=IDN", wait_until="networkidle")
    wait_for_map(page)
    link = page.locator(".export-links a:has-text('PNG')").first
    href = link.get_attribute("href")
    assert "year=2023" in href and "nationality=IDN" in href
    with page.expect_download(timeout=60_000) as info:
        link.click()
    data = open(info.value.path(), "rb").read()
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
    page.wait_for_selector("#explorer-table .ag-row", timeout=15_000)
    watch.assert_clean()
