"""Callbacks called as plain functions: URL <-> controls, and what each panel returns."""

from __future__ import annotations

import json

from dash import Patch, no_update

from dashboard.explorer import callbacks
from dashboard.figures.flowmap import TRACES
from dashboard.state import parse_query
from layouts import ids

YEARS = (2022, 2023)
N = len(callbacks.CONTROLS)


def test_url_sets_the_controls(bundled):
    out = callbacks.sync_url_and_controls(
        bundled, YEARS, ids.EXPLORER_URL, "?year=2023&nationality=IDN&country=MMR", [None] * N, None
    )
    assert out[0] is no_update
    year, nat, origin, dest, measure, indicator, view, country = out[1:-1]
    assert year == [2023, 2023] and nat == ["IDN"] and country == "MMR" and view == "map"
    assert measure == "rescued" or measure  # the default sized measure is shown selected
    assert out[-1] == []


def test_controls_write_the_url(bundled):
    values = [[2023, 2023], ["VNM", "IDN"], [], [], None, "role", "table", None]
    out = callbacks.sync_url_and_controls(
        bundled, YEARS, ids.EXPLORER_NATIONALITY, "", values, None
    )
    assert out[0] == "?year=2023&nationality=VNM,IDN&view=table"
    assert all(v is no_update for v in out[1:-1])


def test_clicking_a_country_opens_its_profile(bundled):
    values = [[2022, 2023], [], [], [], None, "role", "map", None]
    click = {"points": [{"curveNumber": 0, "location": "KHM"}]}
    out = callbacks.sync_url_and_controls(bundled, YEARS, ids.EXPLORER_MAP, "", values, click)
    assert out[0] == "?country=KHM"
    assert out[1 + callbacks.CONTROLS.index(ids.EXPLORER_COUNTRY)] == "KHM"


def test_clicking_a_place_opens_its_recorded_country(bundled):
    values = [[2022, 2023], [], [], [], None, "role", "map", None]
    click = {"points": [{"curveNumber": 9, "customdata": ["MMR", "city", "Myanmar"]}]}
    out = callbacks.sync_url_and_controls(bundled, YEARS, ids.EXPLORER_MAP, "", values, click)
    assert out[0] == "?country=MMR"


def test_clicking_empty_sea_changes_nothing(bundled):
    values = [[2022, 2023], [], [], [], None, "role", "map", None]
    click = {"points": [{"curveNumber": 5, "lon": 100, "lat": 15}]}
    out = callbacks.sync_url_and_controls(bundled, YEARS, ids.EXPLORER_MAP, "", values, click)
    assert out[0] is no_update


def test_bad_url_values_are_reported(bundled):
    out = callbacks.sync_url_and_controls(
        bundled, YEARS, None, "?year=1066&indicator=gdp", [None] * N, None
    )
    texts = json.dumps([m.to_plotly_json() for m in out[-1]], default=str)
    assert "Ignored year" in texts and "Ignored indicator" in texts


def test_map_update_is_a_patch_without_geometry(bundled):
    patch = callbacks.map_patch(bundled, "?nationality=IDN")
    assert isinstance(patch, Patch)
    body = json.dumps(patch.to_plotly_json(), default=str)
    assert '"geojson"' not in body  # country and province polygons are never resent
    ops = patch.to_plotly_json()["operations"]
    touched = {op["location"][1] for op in ops}
    assert touched == set(range(len(TRACES))) - {1}  # all but the provinces' outlines
    assert len(body) < 150_000


def test_panels_only_compute_for_their_view(bundled):
    assert callbacks.sankey_view(bundled, "?view=map") == (no_update, no_update)
    fig, note = callbacks.sankey_view(bundled, "?view=sankey&measure=rescued")
    assert fig.data[0].type == "sankey"
    assert callbacks.table_view(bundled, "") == (no_update, no_update)
    rows, href = callbacks.table_view(bundled, "?view=table&nationality=PHL")
    assert rows and all(r["nationality"] == "PHL" for r in rows)
    assert href == "/download/routes.csv?nationality=PHL"


def test_side_panel_profile_follows_the_url(bundled):
    hint = json.dumps(callbacks.side_panel(bundled, "").to_plotly_json(), default=str)
    assert "Click a country" in hint
    mmr = json.dumps(callbacks.side_panel(bundled, "?country=MMR").to_plotly_json(), default=str)
    assert "Myanmar" in mmr and "Victim profile" in mmr


def test_state_is_only_in_the_url(bundled):
    """Same query, same answer, whatever was asked before: nothing is kept between calls."""
    first = json.dumps(
        callbacks.map_patch(bundled, "?nationality=VNM").to_plotly_json(), default=str
    )
    callbacks.map_patch(bundled, "?nationality=IDN&measure=returned")
    again = json.dumps(
        callbacks.map_patch(bundled, "?nationality=VNM").to_plotly_json(), default=str
    )
    assert first == again
    assert parse_query("?nationality=VNM")[0].nationality == ("VNM",)
