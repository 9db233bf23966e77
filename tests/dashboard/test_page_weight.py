"""What the page costs to open: the layout encoded once, no base map fetched that would not be
drawn, the countries' polygons sent at screen precision."""

from __future__ import annotations

import json

import pytest
import shapely
from shapely.geometry import shape

from dashboard import app as app_module
from dashboard.app import EMPTY_TOPOLOGY_URL, create_app
from dashboard.figures import flowmap
from geodata.dataset import load_dataset


@pytest.fixture
def small_app(small_dir):
    return create_app(dataset=load_dataset(small_dir))


def test_layout_is_encoded_once_and_served_alike(small_app, monkeypatch):
    calls = []
    real = app_module.to_json
    monkeypatch.setattr(app_module, "to_json", lambda v: calls.append(1) or real(v))
    client = small_app.server.test_client()
    first = client.get("/_dash-layout").get_data()
    second = client.get("/_dash-layout").get_data()
    assert first == second
    assert len(calls) == 1
    from dash import html

    small_app.layout = html.Div("another page")  # a layout set later is encoded afresh
    assert b"another page" in client.get("/_dash-layout").get_data()
    assert len(calls) == 2


def test_maps_fetch_an_empty_base_map_from_this_server(small_app):
    client = small_app.server.test_client()
    layout = json.loads(client.get("/_dash-layout").get_data(as_text=True))
    urls = []

    def walk(node):
        if isinstance(node, dict):
            if "topojsonURL" in node:
                urls.append(node["topojsonURL"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(layout)
    assert urls and set(urls) == {EMPTY_TOPOLOGY_URL}
    for name in ("world_110m", "world_50m", "asia_50m"):
        r = client.get(f"{EMPTY_TOPOLOGY_URL}{name}.json")
        assert r.status_code == 200
        topo = r.get_json()
        assert topo["type"] == "Topology"
        assert {"land", "coastlines", "countries", "ocean"} <= set(topo["objects"])
        assert all(o["geometries"] == [] for o in topo["objects"].values())
        assert len(r.get_data()) < 1000


def test_every_figure_the_explorer_draws_hides_the_base_map(bundled):
    from dashboard.state import ViewState

    fig = flowmap.build_flow_map(bundled, ViewState(), geometry="/geo/x.json").to_dict()
    geos = [v for k, v in fig["layout"].items() if k.startswith("geo")]
    assert geos
    for geo in geos:
        for layer in ("showcountries", "showcoastlines", "showland", "showocean", "showlakes"):
            assert geo.get(layer) is False, (layer, geo)


def test_screen_polygons_are_lighter_and_draw_the_same_countries(bundled):
    full = flowmap.countries_geojson(bundled)
    screen = flowmap.screen_geojson(bundled)
    codes = [f["properties"]["iso3"] for f in full["features"]]
    assert [f["properties"]["iso3"] for f in screen["features"]] == codes
    assert len(json.dumps(screen)) < 0.85 * len(json.dumps(full))
    view = shapely.box(*flowmap.VIEW_BBOX)
    for a, b in zip(full["features"], screen["features"]):
        ga = shape(a["geometry"]).intersection(view)
        gb = shape(b["geometry"]).intersection(view)
        # every shape that shows (a few px or more) is drawn within a few hundredths of a
        # degree, under a pixel on any screen the app draws; nothing is added
        shows = shapely.union_all(
            [p for p in getattr(ga, "geoms", [ga]) if p.area > 0.005] or [shapely.Point()]
        )
        code = a["properties"]["iso3"]
        assert shows.difference(gb.buffer(0.03)).area < 1e-3, code
        assert gb.difference(ga.buffer(0.03)).area < 1e-3, code


def test_page_has_its_own_small_icon(small_app):
    r = small_app.server.test_client().get("/assets/favicon.ico")
    assert r.status_code == 200
    assert len(r.get_data()) < 2000
