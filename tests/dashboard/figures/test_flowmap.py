"""The flow map builder, checked on the figure: numbers beside routes, place figures at places,
forms and kinds of movement, widths that compare like with like, labels by their points."""

from __future__ import annotations

import math
import re

import pytest
import shapely

from dashboard.figures import flowmap
from dashboard.figures.flowmap import (
    DISCLAIMER,
    LINE_PX,
    Layout,
    build_flow_map,
    circle_px,
    legend_entries,
)
from dashboard.figures.selection import map_content
from dashboard.figures.style import FORM_COLOURS, MOVEMENT_COLOURS
from dashboard.state import ViewState
from geodata.flows import WIDTH_CLASSES


def routes_drawn(fig) -> dict[str, dict]:
    """Route id -> its line trace (lines whose customdata is the route's id)."""
    out = {}
    for t in fig.to_dict()["data"]:
        data = t.get("customdata")
        if t.get("mode") == "lines" and data and isinstance(data[0], str):
            out[data[0]] = t
    return out


def texts(fig, geo: str | None = "geo") -> list[str]:
    out = []
    for t in fig.to_dict()["data"]:
        if t.get("mode") == "text" and (geo is None or t.get("geo", "geo") == geo):
            out += [x for x in t["text"] if x]
    return out


def plain(text: str) -> str:
    return re.sub(r" +", " ", re.sub(r"<[^>]+>", " ", text)).strip()


@pytest.fixture(scope="module")
def default_map(bundled):
    return build_flow_map(bundled, ViewState())


def test_counted_routes_carry_their_numbers_measure_and_period(bundled, default_map):
    labels = " | ".join(plain(t) for t in texts(default_map))
    for text in (
        "437 rescued · by 1 Jun 2023",
        "600+ returned · H1 2023",
        "166 rescued · Oct 2023",
        "37 % of repatriations · since 2022",
        "164 deported · Sep 2023",
    ):
        assert text in labels, text
    # a route known without a number gets no number: it is drawn dotted instead
    drawn = routes_drawn(default_map)
    assert drawn["idn-khm-2023"]["line"]["dash"] == "dot"
    assert drawn["vnm-rescued-in-phl-437"]["line"]["dash"] == "solid"


def test_every_counted_route_is_drawn_once_at_one_width(bundled, default_map):
    drawn = routes_drawn(default_map)
    content = map_content(bundled, ViewState())
    assert set(drawn) == set(content.flows["id"])
    counted = content.flows[content.flows["count"].notna()]["id"]
    assert {drawn[i]["line"]["width"] for i in counted} == {LINE_PX}


def test_width_by_count_only_for_one_measure_on_the_fixed_scale(bundled):
    fig = build_flow_map(bundled, ViewState(measure="returned", width="count"))
    drawn = routes_drawn(fig)
    assert drawn["phl-vnm-returns-h1-2023"]["line"]["width"] == WIDTH_CLASSES[1].width_px
    assert drawn["khm-vnm-returned-33"]["line"]["width"] == WIDTH_CLASSES[0].width_px
    assert "sez-chn-deported-2023-09" not in drawn  # another measure: not drawn, never summed
    no_measure = routes_drawn(build_flow_map(bundled, ViewState(width="count")))
    assert {t["line"]["width"] for t in no_measure.values()} <= {LINE_PX, flowmap.UNKNOWN_LINE_PX}


def test_trafficking_and_returns_are_told_apart(default_map):
    drawn = routes_drawn(default_map)
    assert drawn["vnm-rescued-in-phl-437"]["line"]["color"] == MOVEMENT_COLOURS["trafficking"]
    assert drawn["phl-vnm-returns-h1-2023"]["line"]["color"] == MOVEMENT_COLOURS["return"]


def test_organ_removal_and_other_movements_only_when_chosen(bundled, default_map):
    drawn = routes_drawn(default_map)
    assert "idn-khm-kidney-122" not in drawn
    assert "mmr-sez-migrant-workers" not in drawn and "tst-nasim-dubai-mae-sot" not in drawn
    organ = routes_drawn(build_flow_map(bundled, ViewState(forms=("organ_removal",))))
    assert set(organ) == {"idn-khm-kidney-122"}
    assert organ["idn-khm-kidney-122"]["line"]["color"] == FORM_COLOURS["organ_removal"]
    other = build_flow_map(bundled, ViewState(layers=("routes", "returns", "places", "other")))
    assert "mmr-sez-migrant-workers" in routes_drawn(other)
    assert any(
        e.label.startswith("Movement not called")
        for e in legend_entries(
            bundled,
            ViewState(layers=("other",)),
            map_content(bundled, ViewState(layers=("other",))),
        )
    )


def test_counts_at_places_are_circles_at_the_place_not_flows(bundled, default_map):
    drawn = routes_drawn(default_map)
    assert "las-pinas-rescued-2023-06" not in drawn
    circles = [t for t in default_map.to_dict()["data"] if t.get("name") == "Counts at places"][0]
    loc = bundled.locations.set_index("id")
    where = list(zip(circles["lon"], circles["lat"]))
    assert (loc.at["las-pinas", "lon"], loc.at["las-pinas", "lat"]) in where
    sizes = dict(zip(where, circles["marker"]["size"]))
    assert sizes[(loc.at["las-pinas", "lon"], loc.at["las-pinas", "lat"])] == circle_px(2714)
    assert circle_px(2714) > circle_px(1063) > circle_px(650)  # one fixed scale
    assert circle_px(100) == circle_px(100)  # and it does not depend on what else is shown
    labels = " | ".join(plain(t) for t in texts(default_map))
    assert "2,714 rescued · Jun 2023" in labels
    assert "Clark 1,063 identified as victims May 2023" in labels  # a long line breaks


def test_a_count_with_no_place_is_not_pinned_to_the_capital(bundled, default_map):
    """The 120,000 estimate for Myanmar is the country's: in its hover, not at Naypyidaw."""
    capital = bundled.nodes.set_index("node").loc["MMR"]
    for t in default_map.to_dict()["data"]:
        if t.get("type") == "scattergeo" and t.get("mode") != "lines" and t.get("lon"):
            for x, y in zip(t["lon"], t["lat"]):
                assert not (x == capital["lon"] and y == capital["lat"]), t.get("name")
    countries = default_map.to_dict()["data"][0]
    hover = countries["text"][countries["locations"].index("MMR")]
    assert "120,000" in hover and "no place stated" in hover


def test_a_route_into_a_country_ends_inside_it_not_at_its_capital(bundled, default_map):
    line = routes_drawn(default_map)["vnm-mmr-border-rescue-2023-10"]
    end = (line["lon"][-1], line["lat"][-1])
    capital = bundled.nodes.set_index("node").loc["MMR"]
    assert math.dist(end, (capital["lon"], capital["lat"])) > 2
    mmr = bundled.admin0.set_index("iso3").loc["MMR", "geometry"]
    assert shapely.contains_xy(mmr, *end)


def test_hover_along_the_whole_route_names_its_source(default_map):
    line = routes_drawn(default_map)["vnm-rescued-in-phl-437"]
    assert len(line["customdata"]) == len(line["lon"]) > 10  # every vertex answers
    assert "Source: Báo Điện tử Chính phủ" in line["text"]
    assert "Rescued: 437" in line["text"] and "Click the route" in line["text"]


def test_insets_label_the_crowded_places_with_their_countries(default_map):
    layout = default_map.to_dict()["layout"]
    assert "geo2" in layout and "geo3" in layout
    moei = " | ".join(plain(t) for t in texts(default_map, "geo2"))
    for name in (
        "Myawaddy (Myanmar)",
        "KK Park (Myanmar)",
        "Shwe Kokko (Myanmar)",
        "Mae Sot (Thailand)",
    ):
        assert name in moei, name
    triangle = " | ".join(plain(t) for t in texts(default_map, "geo3"))
    assert "Golden Triangle SEZ" in triangle and "(Lao PDR)" in triangle
    titles = [a["text"] for a in layout["annotations"]]
    assert any("Moei river" in t for t in titles)


def test_inset_labels_keep_the_north_south_order(default_map):
    """Shwe Kokko is north of Myawaddy, KK Park south of it: their labels stack that way."""
    boxes = default_map.layout.meta["insets"]["moei"]
    top = {k: b[1] for k, b in boxes.items()}
    assert top["shwe-kokko"] < top["myawaddy"] < top["kk-park"]


def test_compact_layout_has_no_insets(bundled):
    fig = build_flow_map(bundled, ViewState(), Layout(width_px=380, height_px=520, insets=False))
    assert "geo2" not in fig.to_dict()["layout"]
    labels = " | ".join(plain(t) for t in texts(fig))
    assert "437 rescued" in labels


def test_every_label_lies_inside_the_map(default_map):
    layout = Layout()
    boxes = default_map.layout.meta["labels"]
    for key, (x0, y0, x1, y1) in boxes.items():
        assert x0 >= -1 and y0 >= -1, key
        assert x1 <= layout.main_width + 1 and y1 <= layout.height_px + 1, key


def test_no_two_labels_overlap(default_map):
    boxes = list(default_map.layout.meta["labels"].values())
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            w = min(a[2], b[2]) - max(a[0], b[0])
            h = min(a[3], b[3]) - max(a[1], b[1])
            assert w <= 0.5 or h <= 0.5, (a, b)


def test_countries_are_named_and_the_selected_one_outlined(bundled):
    fig = build_flow_map(bundled, ViewState(country="KHM"))
    names = " ".join(texts(fig))
    for name in ("MYANMAR", "THAILAND", "CAMBODIA", "VIET NAM", "PHILIPPINES", "INDONESIA"):
        assert name in names
    outline = [t for t in fig.data if t.name == "Selected country"]
    assert outline and list(outline[0].locations) == ["KHM"]
    assert outline[0].marker.line.width >= 2


def test_office_figures_are_numbers_by_country_not_a_colour_scale(bundled):
    fig = build_flow_map(bundled, ViewState(layers=("routes", "returns", "places", "offices")))
    names = " ".join(plain(t) for t in texts(fig))
    assert "517" in names and "193" in names and "276" in names
    choropleth = fig.data[0]
    assert choropleth.showscale is False  # roles only: no scale mixing four measures


def test_geometry_by_url_keeps_polygons_out_of_the_figure(bundled):
    fig = build_flow_map(bundled, ViewState(), geometry="/geo/countries-x.json")
    assert fig.data[0].geojson == "/geo/countries-x.json"
    assert '"coordinates"' not in fig.to_json()


def test_disclaimer_and_zoom_kept_across_filters(bundled, default_map):
    layout = default_map.to_dict()["layout"]
    assert any(a["text"] == DISCLAIMER for a in layout["annotations"])
    other = build_flow_map(bundled, ViewState(nationality=("VNM",))).to_dict()["layout"]
    assert layout["uirevision"] == other["uirevision"]


def test_printed_legend_explains_every_mark(bundled):
    fig = build_flow_map(bundled, ViewState(), Layout(legend=True))
    names = [t.name for t in fig.data if t.showlegend]
    assert "Trafficking route, with its count" in names
    assert "Return, repatriation or deportation" in names
    assert "Route reported, number not stated" in names
    assert "1,000" in names  # a reference circle on the place figures' scale
    assert fig.layout.showlegend
