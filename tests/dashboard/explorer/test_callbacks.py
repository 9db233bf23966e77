"""Callbacks called as plain functions: URL <-> controls, and what each panel returns."""

from __future__ import annotations

import json

import plotly.io.json as pio_json
from dash import no_update

from dashboard.explorer import callbacks
from dashboard.state import parse_query
from layouts import ids

YEARS = (2018, 2023)
N = len(callbacks.CONTROLS)
DEFAULT = [
    [2018, 2023],
    [],
    [],
    [],
    "forced_criminality",
    None,
    "same",
    ["routes", "returns", "places"],
    "map",
    None,
]


def as_text(component) -> str:
    """Every text of a component tree (deep), unicode kept as it is."""
    return pio_json.to_json_plotly(component).encode().decode("unicode_escape")


def test_url_sets_the_controls(bundled):
    out = callbacks.sync_url_and_controls(
        bundled, YEARS, ids.EXPLORER_URL, "?year=2023&nationality=IDN&country=MMR", [None] * N, None
    )
    assert out[0] is no_update
    year, nat, origin, dest, forms, measure, width, layers, view, country = out[1:-1]
    assert year == [2023, 2023] and nat == ["IDN"] and country == "MMR" and view == "map"
    assert forms == "forced_criminality" and measure is None
    assert layers == ["routes", "returns", "places"]
    assert out[-1] == []


def test_controls_write_the_url(bundled):
    values = list(DEFAULT)
    values[0] = [2023, 2023]
    values[1] = ["VNM", "IDN"]
    values[8] = "table"
    out = callbacks.sync_url_and_controls(
        bundled, YEARS, ids.EXPLORER_NATIONALITY, "", values, None
    )
    assert out[0] == "?year=2023&nationality=VNM,IDN&view=table"
    assert all(v is no_update for v in out[1:-1])


def test_clicking_a_country_opens_its_profile(bundled):
    click = {"points": [{"curveNumber": 0, "location": "KHM"}]}
    out = callbacks.sync_url_and_controls(
        bundled, YEARS, ids.EXPLORER_MAP, "", list(DEFAULT), click
    )
    assert out[0] == "?country=KHM"
    assert out[1 + callbacks.CONTROLS.index(ids.EXPLORER_COUNTRY)] == "KHM"


def test_clicking_a_place_opens_its_recorded_country(bundled):
    click = {"points": [{"curveNumber": 9, "customdata": ["MMR"]}]}
    out = callbacks.sync_url_and_controls(
        bundled, YEARS, ids.EXPLORER_MAP, "", list(DEFAULT), click
    )
    assert out[0] == "?country=MMR"


def test_clicking_a_route_opens_its_card_and_keeps_the_filters(bundled):
    values = list(DEFAULT)
    values[1] = ["VNM"]
    click = {"points": [{"curveNumber": 4, "customdata": "vnm-rescued-in-phl-437"}]}
    out = callbacks.sync_url_and_controls(
        bundled, YEARS, ids.EXPLORER_MAP, "?nationality=VNM", values, click
    )
    assert out[0] == "?nationality=VNM&route=vnm-rescued-in-phl-437"
    card = as_text(callbacks.side_panel(bundled, out[0]))
    assert "Viet Nam" in card and "437" in card and "Clark" in card
    assert "Báo Điện tử Chính phủ" in card  # the count's source
    assert "1,063" in card  # the note links the Clark operation's count, shown beside it


def test_clicking_empty_sea_changes_nothing(bundled):
    click = {"points": [{"curveNumber": 5, "lon": 100, "lat": 15}]}
    out = callbacks.sync_url_and_controls(
        bundled, YEARS, ids.EXPLORER_MAP, "", list(DEFAULT), click
    )
    assert out[0] is no_update


def test_bad_url_values_are_reported(bundled):
    out = callbacks.sync_url_and_controls(
        bundled, YEARS, None, "?year=1066&route=nowhere-at-all", [None] * N, None
    )
    texts = json.dumps([m.to_plotly_json() for m in out[-1]], default=str)
    assert "Ignored year" in texts and "Ignored route" in texts


def test_map_update_carries_no_geometry(bundled):
    fig = callbacks.map_figure(bundled, "?nationality=IDN", {"w": 1000, "h": 600}, "/geo/x.json")
    body = pio_json.to_json_plotly(fig)  # the figure goes as a plain dict, as Dash sends it
    assert fig["data"][0]["geojson"] == "/geo/x.json"  # polygons by URL, cached by the browser
    assert '"coordinates"' not in body
    assert len(body) < 200_000


def test_width_by_count_is_offered_only_where_counts_compare(bundled):
    def offered(query):
        return not callbacks.width_options(bundled, query)[1]["disabled"]

    assert not offered("")  # every measure at once: widths would compare unlike counts
    assert offered("?measure=returned")  # several routes count returns
    assert not offered("?measure=deported")  # one route: nothing to compare


def test_an_empty_filter_says_so_and_offers_the_nearest_view(bundled):
    children, style = callbacks.map_message(bundled, "?nationality=IDN&measure=rescued")
    text = as_text(children)
    assert style == {}
    assert "No route or place figure" in text
    assert "counted as" in text and "show them" in text
    assert "href" in text and "nationality=IDN" in text and "measure=rescued" not in text
    _, style = callbacks.map_message(bundled, "")
    assert style == {"display": "none"}
    children, _ = callbacks.map_message(bundled, "?measure=estimated_present")
    assert "No route or place figure" in as_text(children)  # a country figure has no place


def test_headlines_follow_the_filters(bundled):
    band = callbacks.headlines(bundled, "")
    default = as_text(band)
    assert "296" in default and "978" in default and "120,000+" in default
    values = [as_text(card.children[0]) for card in band[1:]]
    # the report's contradicted 'X4,7' is never a headline value; its note says why
    assert not any("4.7" in v or "4,7" in v or "×" in v for v in values)
    assert "does not follow from these counts" in default
    indonesia = as_text(callbacks.headlines(bundled, "?nationality=IDN"))
    assert "3,239" in indonesia and "120,000" not in indonesia
    assert "Source" not in indonesia or "IOM" in indonesia
    older = callbacks.headlines(bundled, "?year=2022")
    first = as_text(older[1].children[0])
    assert "296" in first and "978" not in first  # 2023's count is filtered out


def test_panels_only_compute_for_their_view(bundled):
    assert callbacks.sankey_view(bundled, "?view=map") == (no_update, no_update)
    fig, note = callbacks.sankey_view(bundled, "?view=sankey&measure=rescued")
    roles = {(t.meta or {}).get("role") for t in fig.data}
    assert "band" in roles
    assert "Las Piñas" in as_text(note)  # a count at a place is listed, not drawn as a flow
    assert callbacks.table_view(bundled, "") == (no_update, no_update, no_update)
    rows, href, text = callbacks.table_view(bundled, "?view=table&nationality=PHL")
    assert rows and all(r["people"] == "Philippines" for r in rows)
    assert href == "/download/routes.csv?nationality=PHL"
    assert text == "Download these routes as CSV"


def test_a_huge_table_sends_its_first_rows_and_says_the_download_has_all(bundled, monkeypatch):
    from dashboard.explorer import table

    monkeypatch.setattr(table, "MAX_TABLE_ROWS", 5)
    monkeypatch.setattr(callbacks, "MAX_TABLE_ROWS", 5)
    monkeypatch.setattr(table.table_rows, "__defaults__", (5,))
    rows, _, text = callbacks.table_view(bundled, "?view=table")
    total = table.table_size(bundled, callbacks.parse_query("?view=table")[0])
    assert len(rows) == 5 < total
    assert f"first 5 of {total:,} routes" in text and "download all" in text


def test_table_rows_are_words_and_numbers(bundled):
    rows, _, _ = callbacks.table_view(bundled, "?view=table")
    by_id = {r["id"]: r for r in rows}
    r = by_id["phl-vnm-returns-h1-2023"]
    assert r["count"] == 600 and r["qualifier"] == "at least" and r["measure"] == "returned"
    assert by_id["idn-khm-2023"]["count"] is None
    assert by_id["idn-khm-2023"]["qualifier"] == "number not stated"
    assert "idn-khm-kidney-122" not in by_id  # organ removal is not shown by default
    assert all("_" not in r["qualifier"] for r in rows)


def test_side_panel_follows_the_url(bundled):
    hint = as_text(callbacks.side_panel(bundled, ""))
    assert "Click a route" in hint
    mmr = as_text(callbacks.side_panel(bundled, "?country=MMR"))
    assert "Myanmar" in mmr and "Victim profile" in mmr
    assert mmr.index("Key figures") < mmr.index("Victim profile")  # figures first


def test_state_is_only_in_the_url(bundled):
    """Same query, same answer, whatever was asked before: nothing is kept between calls."""
    size = {"w": 1000, "h": 600}
    first = pio_json.to_json_plotly(
        callbacks.map_figure(bundled, "?nationality=VNM", size, "/g.json")
    )
    callbacks.map_figure(bundled, "?nationality=IDN&measure=returned", size, "/g.json")
    again = pio_json.to_json_plotly(
        callbacks.map_figure(bundled, "?nationality=VNM", size, "/g.json")
    )
    assert first == again
    assert parse_query("?nationality=VNM")[0].nationality == ("VNM",)


def test_answers_are_kept_per_dataset_and_key():
    answers = callbacks.Answers(2)
    built = []

    def build(value):
        return lambda: built.append(value) or value

    a, b = object(), object()
    assert answers.get(a, ("k",), build(1)) == 1
    assert answers.get(a, ("k",), build(2)) == 1  # kept
    assert answers.get(b, ("k",), build(3)) == 3  # another dataset, its own answer
    assert answers.get(a, ("j",), build(4)) == 4  # a third key: the oldest goes
    assert answers.get(a, ("k",), build(5)) == 5
    assert built == [1, 3, 4, 5]


def test_a_url_seen_again_is_answered_the_same(bundled):
    search = "?year=2023&nationality=IDN"
    state, _ = parse_query(search)
    years = (2019, 2024)
    values = callbacks.controls_from_state(state, years)
    callbacks.MAPS.clear()
    callbacks.PANEL_ANSWERS.clear()
    args = (bundled, years, "/geo/x.json", search, {"w": 1018, "h": 570}, "full", values)
    first = callbacks.map_panels(*args, ids.EXPLORER_MAP_QUERY)
    again = callbacks.map_panels(*args, ids.EXPLORER_MAP_QUERY)
    callbacks.MAPS.clear()
    callbacks.PANEL_ANSWERS.clear()
    fresh = callbacks.map_panels(*args, ids.EXPLORER_MAP_QUERY)
    as_json = [pio_json.to_json_plotly(x) for x in (first, again, fresh)]
    assert as_json[0] == as_json[1] == as_json[2]
    assert first["map"] is again["map"]
