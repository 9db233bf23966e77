"""plotly.js in Chromium, against dashboard.figures.labels: the Mercator projection of a geo
subplot (`Frame.to_px`), where plotly puts text for each textposition (`label_box`), how wide
DejaVu Sans is (`text_size`), and that placements draw where `Placement.box_px` says.

The page loads the plotly.js bundled with the Python package from disk and is given an empty
world topology, so nothing is fetched: any request that is not file: or data: is refused and
fails the test.
"""

from __future__ import annotations

import math
from pathlib import Path

import plotly
import pytest

from dashboard.figures.labels import (
    POSITIONS,
    Frame,
    LineLabel,
    PointLabel,
    label_box,
    place_labels,
    text_size,
)

pytestmark = pytest.mark.browser

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
FONT = "DejaVu Sans, Segoe UI, Helvetica Neue, Arial, sans-serif"  # the dashboard's
ALL_POSITIONS = (*POSITIONS, "middle center")

SETUP = """() => {
  const E = {type: 'GeometryCollection', geometries: []};
  PlotlyGeoAssets.topojson.world_110m = {type: 'Topology', arcs: [],
    objects: {land: E, ocean: E, lakes: E, rivers: E, coastlines: E, countries: E, subunits: E}};
}"""

# Plot, then report the projection of `points`, the subplot's drawn box and every text's box,
# all in px from the top-left of the geo subplot's domain.
MEASURE = """async ([data, layout, points]) => {
  const gd = document.getElementById('g');
  await Plotly.newPlot(gd, data, layout);
  const full = gd._fullLayout, size = full._size, domain = full.geo.domain;
  const ox = size.l + size.w * domain.x[0], oy = size.t + size.h * (1 - domain.y[1]);
  const sub = full.geo._subplot;
  const svg = gd.querySelector('.main-svg').getBoundingClientRect();
  const texts = Array.from(gd.querySelectorAll('.scattergeo text')).map(el => {
    const r = el.getBoundingClientRect();
    return [r.left - svg.left - ox, r.top - svg.top - oy, r.right - svg.left - ox,
            r.bottom - svg.top - oy];
  });
  return {
    points: points.map(p => { const xy = sub.projection(p); return [xy[0] - ox, xy[1] - oy]; }),
    bounds: [sub.bounds[0][0] - ox, sub.bounds[0][1] - oy, sub.bounds[1][0] - ox,
             sub.bounds[1][1] - oy],
    texts,
    domain: [size.w * (domain.x[1] - domain.x[0]), size.h * (domain.y[1] - domain.y[0])],
  };
}"""


@pytest.fixture(scope="module")
def plot(browser, tmp_path_factory):
    """measure(data, layout, points) -> plotly's own numbers for that figure."""
    assert PLOTLY_JS.exists()
    page_file = tmp_path_factory.mktemp("projection") / "plot.html"
    page_file.write_text(
        f'<!doctype html><html><head><script src="{PLOTLY_JS.as_uri()}"></script></head>'
        '<body style="margin:0"><div id="g"></div></body></html>',
        encoding="utf-8",
    )
    context = browser.new_context(viewport={"width": 2000, "height": 1200})
    refused: list[str] = []

    def only_local(route):
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(page_file.as_uri())
    page.wait_for_function("typeof Plotly !== 'undefined'")
    page.evaluate(SETUP)

    def measure(data, layout, points=()):
        result = page.evaluate(MEASURE, [data, layout, [list(p) for p in points]])
        assert not refused, f"requests refused: {refused}"
        assert not errors, f"page errors: {errors}"
        return result

    yield measure
    context.close()


def geo_layout(frame_ranges, width, height, margin=None, domain_x=(0, 1), **geo):
    (lon0, lon1), (lat0, lat1) = frame_ranges
    return {
        "width": width,
        "height": height,
        "margin": margin or {"l": 0, "r": 0, "t": 0, "b": 0},
        "showlegend": False,
        "geo": {
            "projection": {"type": "mercator"},
            "lonaxis": {"range": [lon0, lon1]},
            "lataxis": {"range": [lat0, lat1]},
            "domain": {"x": list(domain_x), "y": [0, 1]},
            "showframe": False,
            "showcoastlines": False,
            "showland": False,
            **geo,
        },
    }


def text_trace(lons, lats, texts, positions, mode="text", marker_size=None, font_px=11):
    trace = {
        "type": "scattergeo",
        "lon": list(lons),
        "lat": list(lats),
        "mode": mode,
        "text": list(texts),
        "textposition": list(positions),
        "textfont": {"size": font_px, "family": FONT},
    }
    if marker_size is not None:
        trace["marker"] = {"size": marker_size}
    return trace


PLACES = {
    "shwe-kokko": ("Shwe Kokko", 98.53, 16.82),
    "myawaddy": ("<b>Myawaddy</b><br>20 rescued · 2023", 98.51, 16.69),
    "bridge": ("Friendship Bridge", 98.52, 16.69),
    "kk-park": ("KK Park", 98.52, 16.65),
    "mae-sot": ("Mae Sot", 98.57, 16.72),
    "manila": ("<b>Manila</b><br>1,200 repatriated", 120.98, 14.60),
    "pasay": ("Pasay", 121.00, 14.55),
    "naia": ("Ninoy Aquino International Airport", 121.01, 14.51),
    "las-pinas": ("Las Piñas", 120.98, 14.45),
    "tachileik": ("Tachileik", 99.90, 20.45),
    "gt-sez": ("Golden Triangle Special Economic Zone", 100.10, 20.36),
    "chiang-rai": ("Chiang Rai", 99.83, 19.91),
    "bangkok": ("Bangkok", 100.52, 13.75),
    "poipet": ("Poipet", 102.57, 13.65),
    "phnom-penh": ("Phnom Penh", 104.92, 11.55),
    "bavet": ("<b>Bavet</b><br>37%", 106.13, 11.07),
    "sihanoukville": ("Sihanoukville", 103.50, 10.63),
    "clark": ("Clark", 120.54, 15.18),
    "cebu": ("Cebu", 123.90, 10.28),
    "batam": ("Batam", 104.03, 1.08),
}
SEA = ((88.0, 130.0), (-10.0, 26.0))
MOEI = ((98.3, 98.8), (16.55, 16.9))

# (ranges, figure width, height, margins, domain x) — the last is laid out like the dashboard's
# main map: margins, and the map in the left 78% of the figure
FRAMES = {
    "wide-900x560": (SEA, 900, 560, None, (0, 1)),
    "tall-600x700": (SEA, 600, 700, None, (0, 1)),
    "moei-260x300": (MOEI, 260, 300, None, (0, 1)),
    "region-in-a-domain": (
        ((70.0, 142.0), (-11.0, 31.0)),
        1280,
        720,
        {"l": 10, "r": 10, "t": 30, "b": 20},
        (0, 0.78),
    ),
}


@pytest.mark.parametrize("name", FRAMES)
def test_frame_projects_as_plotly_does(plot, name):
    ranges, width, height, margin, domain_x = FRAMES[name]
    (lon0, lon1), (lat0, lat1) = ranges
    grid = [
        (lon0 + (lon1 - lon0) * i / 4, lat0 + (lat1 - lat0) * j / 4)
        for i in range(5)
        for j in range(5)
    ]
    inside = [
        (lon, lat) for _, lon, lat in PLACES.values() if lon0 < lon < lon1 and lat0 < lat < lat1
    ]
    points = grid + inside + [(lon0 - 1, lat1 + 1)]  # and one outside the frame
    layout = geo_layout(ranges, width, height, margin, domain_x)
    got = plot(
        [{"type": "scattergeo", "lon": [lon0], "lat": [lat0], "mode": "markers"}], layout, points
    )
    frame = Frame(ranges[0], ranges[1], *got["domain"])
    errors = [
        max(abs(x - ex), abs(y - ey))
        for (x, y), (ex, ey) in zip((frame.to_px(*p) for p in points), got["points"])
    ]
    print(f"\n{name}: Frame.to_px vs plotly, worst of {len(points)} points: {max(errors):.2e} px")
    assert max(errors) < 1.0
    assert frame.view_px == pytest.approx(got["bounds"], abs=1.0)
    for (lon, lat), (x, y) in zip(points, got["points"]):
        assert frame.to_lonlat(x, y) == pytest.approx((lon, lat), abs=1e-6)


TEXTS = ["KK Park", "Sihanoukville", "437 rescued · 2023", "<b>Manila</b><br>1,200 repatriated"]


def positions_figure(mode, marker_size):
    """Each text at each textposition, at points spread over a frame."""
    lons, lats, texts, positions = [], [], [], []
    for i, text in enumerate(TEXTS):
        for j, position in enumerate(ALL_POSITIONS):
            lons.append(96 + j * 3.5)
            lats.append(-4 + i * 7)
            texts.append(text)
            positions.append(position)
    layout = geo_layout(SEA, 1400, 900)
    return (
        [text_trace(lons, lats, texts, positions, mode, marker_size)],
        layout,
        list(zip(lons, lats)),
    )


@pytest.mark.parametrize("marker_size", [None, 30], ids=["default-marker", "marker-30"])
def test_mode_text_puts_text_at_the_point_with_no_gap(plot, marker_size):
    data, layout, points = positions_figure("text", marker_size)
    got = plot(data, layout, points)
    assert len(got["texts"]) == len(points)
    trace = data[0]
    worst = [0.0, 0.0]
    for (x, y), text, position, box in zip(
        got["points"], trace["text"], trace["textposition"], got["texts"]
    ):
        expected = label_box(x, y, text, position, 11)
        dx = max(abs(box[0] - expected[0]), abs(box[2] - expected[2]))
        dy = max(abs(box[1] - expected[1]), abs(box[3] - expected[3]))
        worst = [max(worst[0], dx), max(worst[1], dy)]
        assert dx <= 3 and dy <= 4, (text, position, box, expected)
        # no gap: the text starts, ends or is centred exactly at the point
        anchor = {"right": box[0], "left": box[2], "center": (box[0] + box[2]) / 2}
        assert anchor[position.split()[1]] == pytest.approx(x, abs=1.0), (text, position)
    print(
        f"\nmode=text, marker size {marker_size}: worst box error {worst[0]:.2f} px across,"
        f" {worst[1]:.2f} px up/down"
    )


def test_marker_size_does_not_move_text_when_no_markers_are_drawn(plot):
    plain = plot(*positions_figure("text", None))["texts"]
    big = plot(*positions_figure("text", 30))["texts"]
    assert [v for box in big for v in box] == pytest.approx([v for box in plain for v in box])


@pytest.mark.parametrize("marker_size", [9, 20])
def test_markers_and_text_moves_text_out_by_the_marker(plot, marker_size):
    data, layout, points = positions_figure("markers+text", marker_size)
    got = plot(data, layout, points)
    trace = data[0]
    offset = marker_size / 2 / 0.8 + 1
    for (x, y), text, position, box in zip(
        got["points"], trace["text"], trace["textposition"], got["texts"]
    ):
        expected = label_box(x, y, text, position, 11, marker_px=marker_size)
        assert abs(box[0] - expected[0]) <= 3 and abs(box[2] - expected[2]) <= 3, (text, position)
        assert abs(box[1] - expected[1]) <= 4 and abs(box[3] - expected[3]) <= 4, (text, position)
        if position == "middle right":
            assert box[0] - x == pytest.approx(offset, abs=1.0)


WIDTH_SAMPLES = [text for text, _, _ in PLACES.values()] + [
    "437 rescued · 2023",
    "3,239 rescued · January–November 2023",
    "<b>Golden Triangle Special Economic Zone</b>",
    "Ninoy Aquino International Airport (Manila)",
    "Thai–Myanmar Friendship Bridge",
]
KERNED = "AVATAR Tokyo WAVE"  # kerning pairs, which the estimate leaves out


def test_text_width_estimate_matches_dejavu_sans(plot):
    samples = [*WIDTH_SAMPLES, KERNED]
    n = len(samples)
    lons = [100.0] * n
    lats = [-8 + i * 32 / n for i in range(n)]
    data = [text_trace(lons, lats, samples, ["middle right"] * n)]
    got = plot(data, geo_layout(SEA, 1400, 900), list(zip(lons, lats)))
    rows = []
    for text, box in zip(samples, got["texts"]):
        width, height = text_size(text, 11)
        rows.append((text, box[2] - box[0], width, box[3] - box[1], height))
    print("\nwidth measured / estimated, height measured / estimated (11 px DejaVu Sans):")
    for text, mw, ew, mh, eh in rows:
        print(f"  {mw:7.2f} {ew:7.2f}   {mh:5.2f} {eh:5.2f}   {text}")
    for text, mw, ew, mh, eh in rows:
        assert abs(mh - eh) <= 1, text
        if text == KERNED:  # kerned pairs pull letters together: the estimate is a bit wide
            assert 0 <= ew - mw <= 0.08 * mw, text
        else:
            assert abs(mw - ew) <= 3, text


def arc(a, b, bend=0.2, n=40):
    (x0, y0), (x1, y1) = a, b
    cx, cy = (x0 + x1) / 2 - (y1 - y0) * bend, (y0 + y1) / 2 + (x1 - x0) * bend
    ts = [i / (n - 1) for i in range(n)]
    return tuple(
        (
            (1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t * t * x1,
            (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t * t * y1,
        )
        for t in ts
    )


ROUTES = [
    LineLabel("r1", "437 rescued · 2023", arc((106.8, -6.2), (98.51, 16.69)), priority=1),
    LineLabel("r2", "1,200 repatriated", arc((120.98, 14.60), (104.92, 11.55)), priority=1),
    LineLabel("r3", "95 returned · 2022", arc((105.8, 21.0), (106.13, 11.07)), priority=1),
]
PLACEMENT_CASES = {
    "sea-900x560": (SEA, 900, 560, None, (0, 1), ROUTES),
    "dashboard-like": (SEA, 1280, 720, {"l": 0, "r": 0, "t": 0, "b": 0}, (0, 0.78), ROUTES),
    "moei-300x360": (MOEI, 300, 360, None, (0, 1), []),
}


@pytest.mark.parametrize("name", PLACEMENT_CASES)
def test_placements_draw_where_box_px_says(plot, name):
    ranges, width, height, margin, domain_x, routes = PLACEMENT_CASES[name]
    layout = geo_layout(ranges, width, height, margin, domain_x)
    frame = Frame(ranges[0], ranges[1], width * (domain_x[1] - domain_x[0]), height)
    points = [PointLabel(key, text, lon, lat) for key, (text, lon, lat) in PLACES.items()]
    placed = place_labels(points, routes, frame)
    assert placed
    texts = {p.key: p.text for p in points} | {r.key: r.text for r in routes}
    keys = sorted(placed)
    leader_lons, leader_lats = [], []
    for key in keys:
        if placed[key].leader:
            leader_lons += [lon for lon, _ in placed[key].leader] + [None]
            leader_lats += [lat for _, lat in placed[key].leader] + [None]
    data = [
        {"type": "scattergeo", "mode": "markers", "marker": {"size": 9},
         "lon": [p.lon for p in points], "lat": [p.lat for p in points]},
        {"type": "scattergeo", "mode": "lines", "lon": leader_lons, "lat": leader_lats},
        text_trace(
            [placed[k].lon for k in keys],
            [placed[k].lat for k in keys],
            [texts[k] for k in keys],
            [placed[k].textposition for k in keys],
        ),
    ]  # fmt: skip
    got = plot(data, layout, [(placed[k].lon, placed[k].lat) for k in keys])
    assert len(got["texts"]) == len(keys)
    worst = [0.0, 0.0]
    for key, box in zip(keys, got["texts"]):
        estimate = placed[key].box_px
        dx = max(abs(box[0] - estimate[0]), abs(box[2] - estimate[2]))
        dy = max(abs(box[1] - estimate[1]), abs(box[3] - estimate[3]))
        worst = [max(worst[0], dx), max(worst[1], dy)]
        assert dx <= 3 and dy <= 4, (key, placed[key].textposition, box, estimate)
    # every drawn label inside the drawn map
    x0, y0, x1, y1 = got["bounds"]
    for key, box in zip(keys, got["texts"]):
        assert x0 - 1 <= box[0] and box[2] <= x1 + 1 and y0 - 1 <= box[1] and box[3] <= y1 + 1, key
    print(
        f"\n{name}: {len(keys)} labels, worst drawn-vs-box_px error {worst[0]:.2f} px across,"
        f" {worst[1]:.2f} px up/down; {sum(1 for k in keys if placed[k].leader)} leaders"
    )
    assert math.isfinite(worst[0])
