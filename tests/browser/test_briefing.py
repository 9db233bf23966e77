"""Briefing mode in a real Chromium: walk the example briefing with the keyboard at projector
sizes, with type and lines that read from the back of a room, nothing cut off or scrolling,
nothing fetched from elsewhere; the presenter's window; the link to the explorer.

Expected words and numbers are read from the records and the briefing file, never typed."""

from __future__ import annotations

import re

import pytest

from dashboard.briefing import slides
from dashboard.briefing.files import BRIEFINGS_DIR, load_briefing
from dashboard.state import parse_query
from dashboard.text import format_number

pytestmark = pytest.mark.browser

EXAMPLE = BRIEFINGS_DIR / "iom-2024.yaml"
SIZES = [(1920, 1080), (1280, 720)]


def font_px(page, selector: str) -> float:
    return page.evaluate(
        f"parseFloat(getComputedStyle(document.querySelector('{selector}')).fontSize)"
    )


# The slide shown was drawn for the box it has (the page measured it and the server drew the
# figure at that size), and a figure, if any, is drawn.
DRAWN_JS = """() => {
  const m = document.querySelector('main.briefing-slide:not(.briefing-thumb-slide)');
  const s = document.getElementById('briefing-stage');
  if (!m || !s) return false;
  const r = s.getBoundingClientRect();
  const d = (m.dataset.stage || '').split('x').map(Number);
  if (Math.abs(d[0] - Math.floor(r.width)) > 2 || Math.abs(d[1] - Math.floor(r.height)) > 2) {
    return false;
  }
  if (s.querySelector('.briefing-graph')) {
    const gd = s.querySelector('.js-plotly-plot');
    return !!(gd && gd._fullLayout && gd._fullLayout.width === d[0]
      && gd.querySelector('.main-svg'));
  }
  return true;
}"""


def wait_for_view(page, n: int) -> None:
    page.wait_for_function(f"location.pathname.endsWith('/{n}')", timeout=15_000)
    page.wait_for_selector(f".briefing-position:has-text('{n} /')", timeout=15_000)
    page.wait_for_function(DRAWN_JS, timeout=30_000)
    page.wait_for_timeout(400)


# What a reader at the back of the room depends on: nothing inside the slide scrolls, nothing
# leaves the window or its box, and the map's type and route lines as drawn.
LAYOUT_JS = """(routeIds) => {
  const W = window.innerWidth, H = window.innerHeight;
  const out = {scroll: [], outside: [], labels: [], countries: [], routes: [], legendScroll: 0};
  const slide = document.querySelector('main.briefing-slide:not(.briefing-thumb-slide)');
  const stage = document.getElementById('briefing-stage').getBoundingClientRect();
  const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + (typeof e.className === 'string' && e.className
      ? '.' + e.className.trim().split(/ +/).join('.') : '');
  const within = (b, box, tol) => b.left >= box.left - tol && b.right <= box.right + tol
    && b.top >= box.top - tol && b.bottom <= box.bottom + tol;
  const screen = {left: 0, top: 0, right: W, bottom: H};
  slide.querySelectorAll('*').forEach((e) => {
    if (e instanceof SVGElement) return;
    if (e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1) {
      out.scroll.push(
        `${name(e)} ${e.scrollWidth}x${e.scrollHeight} in ${e.clientWidth}x${e.clientHeight}`);
    }
  });
  const text = (e) => e.textContent.slice(0, 40);
  const parts = 'h1, p, li, tr, nav, a, button, footer, .briefing-stage, .main-svg';
  slide.querySelectorAll(parts).forEach((e) => {
    const b = e.getBoundingClientRect();
    if (b.width && !within(b, screen, 0.5)) out.outside.push(`${name(e)} ${text(e)}`);
  });
  const inside = '.briefing-stage li, .briefing-stage tr, .briefing-stage .main-svg';
  slide.querySelectorAll(inside).forEach((e) => {
    const b = e.getBoundingClientRect();
    if (b.width && !within(b, stage, 0.5)) out.outside.push(`${name(e)} not in box: ${text(e)}`);
  });
  const gd = document.querySelector('#briefing-graph .js-plotly-plot');
  if (gd) {
    const svg = gd.querySelector('.main-svg').getBoundingClientRect();
    gd.querySelectorAll('text').forEach((e) => {
      const b = e.getBoundingClientRect();
      if (b.width && e.textContent.trim() && !within(b, svg, 1)) {
        out.outside.push(`map text cut: ${e.textContent}`);
      }
    });
    const bar = gd.querySelector('.legend .scrollbar');
    out.legendScroll = bar ? bar.getBoundingClientRect().height : 0;
    gd.querySelectorAll('.scatterlayer .trace').forEach((g) => {
      const t = g.__data__ && g.__data__[0] && g.__data__[0].trace;
      if (!t) return;
      if (t.name === 'labels' || t.name === 'country names') {
        g.querySelectorAll('text').forEach((e) => {
          if (e.textContent) (t.name === 'labels' ? out.labels : out.countries).push(
            [parseFloat(getComputedStyle(e).fontSize), e.textContent]);
        });
      }
      if (routeIds.includes(t.name)) {
        g.querySelectorAll('path.js-line').forEach((p) => out.routes.push(
          [parseFloat(getComputedStyle(p).strokeWidth), t.name]));
      }
    });
  }
  return out;
}"""


def check_slide(page, route_ids: list[str], k: float) -> dict:
    """Nothing scrolls or is cut off; a map's labels, route numbers and country names at least
    24 px and its route lines at least 4 px at 1080p (k = the screen's scale)."""
    found = page.evaluate(LAYOUT_JS, route_ids)
    assert not found["scroll"], found["scroll"]
    assert not found["outside"], found["outside"]
    assert not found["legendScroll"], "the map's legend scrolls"
    for size, text in found["labels"] + found["countries"]:
        assert size >= 24 * k - 0.01, (text, size)
    for width, route in found["routes"]:
        assert width >= 4 * k - 0.01, (route, width)
    return found


def chart_fonts(page) -> list[float]:
    """The size of every text a chart draws."""
    return page.evaluate(
        "[...document.querySelectorAll('#briefing-graph .main-svg text')]"
        ".filter((e) => e.textContent.trim())"
        ".map((e) => parseFloat(getComputedStyle(e).fontSize))"
    )


@pytest.fixture(scope="module")
def example(bundled):
    return load_briefing(EXAMPLE, dataset=bundled)


@pytest.mark.parametrize("size", SIZES)
def test_walk_the_briefing_with_the_keyboard(
    browser, live_server, artifacts, bundled, example, size
):
    from tests.browser.conftest import PageWatch

    k = size[1] / 1080
    route_ids = list(bundled.routes["id"])
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    watch = PageWatch(page, live_server)
    page.goto(live_server + "/briefing/iom-2024/1", wait_until="networkidle")
    wait_for_view(page, 1)
    total = int(page.inner_text(".briefing-position").split("/")[1])
    assert total == len(example.slides)
    assert font_px(page, ".briefing-caption") >= 32 * k - 0.01
    assert font_px(page, ".briefing-source") >= 24 * k - 0.01
    assert font_px(page, ".briefing-title") >= 40 * k - 0.01
    keys = ["ArrowRight", "PageDown"]
    for n in range(1, total + 1):
        s = example.slides[n - 1]
        found = check_slide(page, route_ids, k)
        if s.view == "map":
            assert len(found["labels"]) >= 4 and found["routes"], s.title
        elif s.view in ("caseload", "sex-split", "sankey"):
            assert min(chart_fonts(page)) >= 24 * k - 0.01, s.title
        body = page.inner_text("body")
        assert s.title in body and s.caption in body
        assert s.note not in body  # the room never sees the speaker note
        assert "hover" not in body.lower()  # nobody hovers on a projector
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
    assert "P opens the presenter view" in page.inner_text(".briefing-index")
    watch.assert_clean()


@pytest.mark.parametrize("size", SIZES)
def test_events_slide_says_what_happened(browser, live_server, artifacts, bundled, example, size):
    """Each event the slide picks is listed with its date, its title, the people it counts
    and its source, read from the records; in date order."""
    from tests.browser.conftest import PageWatch

    n = next(i for i, s in enumerate(example.slides, 1) if s.view == "events")
    picked = bundled.events.set_index("id").loc[list(example.slides[n - 1].events)]
    figures = bundled.figures.set_index("id")
    publishers = bundled.sources.set_index("id")["publisher"]
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    watch = PageWatch(page, live_server)
    page.goto(live_server + f"/briefing/iom-2024/{n}", wait_until="networkidle")
    wait_for_view(page, n)
    items = page.evaluate(
        "() => [...document.querySelectorAll('.briefing-event[data-event]')].map((li) => ({"
        " id: li.dataset.event, date: li.querySelector('.briefing-event-date').innerText,"
        " text: li.innerText, size: parseFloat(getComputedStyle("
        "  li.querySelector('.briefing-event-title')).fontSize) }))"
    )
    assert [i["id"] for i in items] and set(i["id"] for i in items) == set(picked.index)
    starts = [picked.loc[i["id"], "date_start"] for i in items]
    assert [s[:4] for s in starts] == sorted(s[:4] for s in starts)
    months = {f"{i:02d}": m[:3] for i, m in enumerate(slides.MONTHS, 1)}
    for item in items:
        e = picked.loc[item["id"]]
        assert e["title"] in item["text"]
        assert e["date_start"][:4] in item["date"]
        if len(e["date_start"]) >= 7:  # a month: its name, or the record's own date words
            assert (
                months[e["date_start"][5:7]] in item["date"]
                or item["date"].lower() in str(e["date_label"]).lower()
            )
        assert publishers[e["source_id"]] in item["text"]
        for fid in e["figure_ids"]:
            assert format_number(figures.loc[fid, "value"]) in item["text"], (item["id"], fid)
        assert item["size"] >= 24 * size[1] / 1080
    check_slide(page, [], size[1] / 1080)
    page.screenshot(path=str(artifacts / f"briefing-events-{size[0]}x{size[1]}.png"))
    watch.assert_clean()
    context.close()


# A briefing of the user's own, whose slides hold more than one screen shows: a table under a
# caption of several lines, and every dated event of a year.
CROWDED = """title: Crowded
slides:
  - view: profile
    filters: {country: PHL}
    title: The Philippines, every key figure the records hold for the country
    caption: >-
      A caption long enough to take three lines on the screen, so that the figure box is
      short: the table keeps to the rows that fit and counts the others, rather than
      scrolling or running off the bottom of the screen where nobody could read them.
    note: >-
      {long_note}
  - view: events
    filters: {year: 2023}
    title: Every dated event of the year
    note: >-
      {long_note}
  - view: sankey
    filters: {year: 2023}
    title: Routes with a count, by nationality and destination
    caption: Each band is one route's own count.
  - view: sex-split
    title: Men and women in IOM's caseload
""".replace(
    "{long_note}",
    " ".join(["A speaker note longer than the presenter's window can show at once."] * 24),
)


@pytest.fixture(scope="module")
def crowded_server(tmp_path_factory, bundled):
    import threading

    from werkzeug.serving import make_server

    from dashboard.app import create_app
    from dashboard.settings import Settings

    folder = tmp_path_factory.mktemp("briefings")
    (folder / "crowded.yaml").write_text(CROWDED, encoding="utf-8")
    app = create_app(Settings(briefings_dir=folder), dataset=bundled)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.mark.parametrize("size", SIZES)
def test_crowded_slides_show_what_fits_and_count_the_rest(
    browser, crowded_server, artifacts, bundled, size
):
    from dashboard.figures.panels import profile_data
    from dashboard.state import ViewState
    from geodata.filters import filter_events
    from tests.browser.conftest import PageWatch

    k = size[1] / 1080
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    watch = PageWatch(page, crowded_server)
    page.goto(crowded_server + "/briefing/crowded/1", wait_until="networkidle")
    wait_for_view(page, 1)
    total = len(profile_data(bundled, "PHL", ViewState().filters)["figures"])
    rows = page.locator(".briefing-table tbody tr:not(.briefing-table-source):not(.briefing-more)")
    shown = rows.count()
    more = page.inner_text(".briefing-table .briefing-more")
    assert int(re.search(r"and (\d+) more", more).group(1)) == total - shown > 0
    assert font_px(page, ".briefing-table tbody tr:not(.briefing-table-source) td") >= 24 * k - 0.01
    check_slide(page, [], k)
    page.screenshot(path=str(artifacts / f"briefing-crowded-{size[0]}x{size[1]}-1.png"))
    page.keyboard.press("ArrowRight")
    wait_for_view(page, 2)
    year = ViewState(year_from=2023, year_to=2023).filters
    events = filter_events(bundled.events, bundled.figures, year)
    listed = page.locator(".briefing-event[data-event]").count()
    more = page.inner_text(".briefing-events .briefing-more")
    assert int(re.search(r"and (\d+) more", more).group(1)) == len(events) - listed > 0
    check_slide(page, [], k)
    page.screenshot(path=str(artifacts / f"briefing-crowded-{size[0]}x{size[1]}-2.png"))
    for n in (3, 4):  # charts: their type as large as the rest
        page.keyboard.press("ArrowRight")
        wait_for_view(page, n)
        check_slide(page, [], k)
        assert min(chart_fonts(page)) >= 24 * k - 0.01
        page.screenshot(path=str(artifacts / f"briefing-crowded-{size[0]}x{size[1]}-{n}.png"))
    watch.assert_clean()
    context.close()


@pytest.mark.parametrize("size", SIZES)
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


def test_presenter_window_moves_with_the_room_both_ways(browser, live_server, artifacts, example):
    """P opens the presenter view; a move in either window moves the other; the presenter
    sees the note, the next view, a clock; the room never sees the note."""
    from tests.browser.conftest import PageWatch

    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    watch = PageWatch(page, live_server)
    page.goto(live_server + "/briefing/iom-2024/2", wait_until="networkidle")
    wait_for_view(page, 2)
    with page.expect_popup() as popup:
        page.keyboard.press("p")
    presenter = popup.value
    presenter_watch = PageWatch(presenter, live_server)
    presenter.set_viewport_size({"width": 1366, "height": 768})

    def presenter_at(n: int) -> None:
        presenter.wait_for_function(f"location.pathname.endsWith('/{n}')", timeout=15_000)
        presenter.wait_for_selector(f".presenter-position:has-text('Slide {n} of')", timeout=15_000)
        presenter.wait_for_selector(".presenter-thumb-now .briefing-thumb-slide", timeout=15_000)
        s = example.slides[n - 1]
        assert s.note in presenter.inner_text("#presenter-note")
        assert s.title in presenter.inner_text(".presenter-title")
        nxt = example.slides[n].title if n < len(example.slides) else "End of the briefing"
        assert nxt in presenter.inner_text(".presenter-next-title")
        assert "presenter=1" in presenter.url
        assert s.note not in page.inner_text("body")

    presenter_at(2)
    presenter.wait_for_function(
        "/^\\d\\d:\\d\\d$/.test(document.getElementById('presenter-clock').textContent)"
    )
    assert re.fullmatch(r"\d+:\d\d", presenter.inner_text("#presenter-timer"))
    assert font_px(presenter, "#presenter-note") >= 24
    presenter.wait_for_timeout(1200)
    presenter.screenshot(path=str(artifacts / "briefing-presenter-1366x768-2.png"))
    # the room moves: the presenter follows
    page.keyboard.press("ArrowRight")
    wait_for_view(page, 3)
    presenter_at(3)
    # the presenter moves (its keys, as a clicker's): the room follows
    presenter.keyboard.press("PageDown")
    presenter_at(4)
    wait_for_view(page, 4)
    presenter.keyboard.press("ArrowLeft")
    presenter_at(3)
    wait_for_view(page, 3)
    page.keyboard.press("PageUp")
    wait_for_view(page, 2)
    presenter_at(2)
    # a larger note stays larger from view to view
    before = font_px(presenter, "#presenter-note")
    presenter.click("#presenter-note-larger")
    presenter.click("#presenter-note-larger")
    larger = font_px(presenter, "#presenter-note")
    assert larger > before * 1.15
    presenter.keyboard.press("ArrowRight")
    presenter_at(3)
    wait_for_view(page, 3)
    assert font_px(presenter, "#presenter-note") == pytest.approx(larger)
    presenter.click("#presenter-note-smaller")
    presenter.click("#presenter-note-smaller")
    presenter.wait_for_timeout(1200)
    presenter.screenshot(path=str(artifacts / "briefing-presenter-1366x768-3.png"))
    watch.assert_clean()
    presenter_watch.assert_clean()
    context.close()


def test_the_presenter_note_keeps_its_place_from_view_to_view(browser, crowded_server):
    context = browser.new_context(viewport={"width": 1024, "height": 560})
    page = context.new_page()
    page.goto(crowded_server + "/briefing/crowded/1?presenter=1", wait_until="networkidle")
    page.wait_for_selector(".presenter-position:has-text('Slide 1 of')", timeout=15_000)
    note = "document.getElementById('presenter-note')"
    assert page.evaluate(f"{note}.scrollHeight > {note}.clientHeight + 100")
    page.evaluate(f"{note}.scrollTop = 120")
    page.wait_for_timeout(300)
    page.keyboard.press("ArrowRight")
    page.wait_for_selector(".presenter-position:has-text('Slide 2 of')", timeout=15_000)
    page.wait_for_function(f"{note}.scrollTop === 0", timeout=5_000)
    page.keyboard.press("ArrowLeft")
    page.wait_for_selector(".presenter-position:has-text('Slide 1 of')", timeout=15_000)
    page.wait_for_function(f"Math.abs({note}.scrollTop - 120) <= 1", timeout=5_000)
    context.close()


def test_notes_parameter_opens_the_presenter_view(watched_page, live_server, example):
    page, watch = watched_page
    page.goto(live_server + "/briefing/iom-2024/3?notes=1", wait_until="networkidle")
    page.wait_for_selector(".presenter #presenter-note", timeout=15_000)
    assert example.slides[2].note in page.inner_text("#presenter-note")
    assert page.locator("#briefing-stage").count() == 0
    watch.assert_clean()


@pytest.mark.parametrize("n", [2, 3, 1])
def test_open_in_the_explorer_reproduces_the_filters(watched_page, live_server, example, n):
    page, watch = watched_page
    s = example.slides[n - 1]
    page.goto(live_server + f"/briefing/iom-2024/{n}", wait_until="networkidle")
    wait_for_view(page, n)
    link = page.locator("#briefing-explorer")
    assert link.inner_text().startswith("Open in the explorer")
    box = link.bounding_box()
    viewport = page.viewport_size
    assert box["y"] > viewport["height"] * 0.85 and box["height"] < 40  # small, in the corner
    with page.expect_popup() as popup:
        link.click()
    explorer = popup.value
    explorer.wait_for_load_state("networkidle")
    expected = slides.explorer_state(s.view, s.state)
    state, messages = parse_query(explorer.evaluate("location.search"))
    assert not messages and state == expected
    if s.view == "map":
        explorer.wait_for_selector("#explorer-map .geo", timeout=30_000)
        for code in s.state.nationality:
            from geodata.countries import country_name

            explorer.wait_for_selector(
                f"#explorer-nationality :text('{country_name(code)}')", timeout=15_000
            )
    elif s.view == "profile":
        from geodata.countries import country_name

        explorer.wait_for_selector(
            f"#explorer-side h2:has-text('{country_name(s.state.country)}')", timeout=30_000
        )
    else:
        explorer.wait_for_selector("#explorer-overview h2", timeout=30_000)
    # the explorer keeps the slide's filters (it rewrites no part of the address)
    explorer.wait_for_timeout(800)
    assert parse_query(explorer.evaluate("location.search"))[0] == expected
    watch.assert_clean()
