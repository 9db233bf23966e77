"""Case flows on the map: one line per flow for the years chosen (yearly counts added up only
where every year is shown, 'at least' beside a withheld year), a frame fitted to flows that
leave Southeast Asia, with the world's polygons fetched by URL, and a line saying what the
records are."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.explorer import callbacks
from dashboard.figures import flowmap
from dashboard.figures.cards import route_card_data
from dashboard.figures.selection import map_content
from dashboard.settings import Settings
from dashboard.startup import load_settings_dataset
from dashboard.state import parse_query
from geodata.cases.join import merge_case_years
from tests.case_fixture import HEADER, row

# (nationality, country of exploitation, year): cases
YEARLY = {
    ("IDN", "KHM", 2021): 15,
    ("IDN", "KHM", 2022): 4,
    ("IDN", "KHM", 2023): 20,
    ("VNM", "KHM", 2021): 11,
    ("VNM", "KHM", 2022): 13,
    ("UKR", "RUS", 2022): 30,
    ("THA", "MMR", 2023): 12,
}
SIZE = {"w": 1200, "h": 800}
GEOMETRY = flowmap.Geometry("/geo/countries-x.json", "/geo/world-x.json")


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    path = tmp_path_factory.mktemp("years") / "cases.csv"
    rows = [row(str(y), n, d) for (n, d, y), k in YEARLY.items() for _ in range(k)]
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return load_settings_dataset(Settings(cases=path))


def yearly(dataset, nat: str, dest: str) -> pd.DataFrame:
    r = dataset.routes
    return r[
        (r["measure"] == "case_records") & (r["nationality"] == nat) & (r["destination"] == dest)
    ]


def test_a_flows_years_become_one_line_summing_only_what_is_shown(dataset):
    flows = map_content(dataset, parse_query("?measure=case_records")[0]).flows
    for nat, dest in {(n, d) for n, d, _ in YEARLY}:
        years = yearly(dataset, nat, dest)
        mine = flows[(flows["nationality"] == nat) & (flows["destination"] == dest)]
        assert len(mine) == 1, (nat, dest)
        line = mine.iloc[0]
        if len(years) == 1:  # one year: the yearly row itself
            assert line["id"] == years.iloc[0]["id"]
            continue
        assert sorted(line["members"]) == sorted(years["id"])
        shown = years["count"].dropna()
        hidden = int(years["suppressed"].sum())
        assert line["year_start"] == years["year_start"].min()
        assert line["year_end"] == years["year_end"].max()
        if len(shown):
            assert line["count"] == shown.sum()
            assert line["qualifier"] == ("at_least" if hidden else "exact")
        else:
            assert pd.isna(line["count"]) and line["suppressed"]
    # the withheld 4 is in no joined count: IDN -> KHM is at least the years shown
    idn = flows[(flows["nationality"] == "IDN") & (flows["destination"] == "KHM")].iloc[0]
    assert idn["qualifier"] == "at_least" and idn["count"] != 15 + 4 + 20
    assert "withheld" in idn["note"]


def test_one_year_keeps_the_yearly_rows(dataset):
    flows = map_content(dataset, parse_query("?measure=case_records&year=2022")[0]).flows
    assert not flows["id"].str.contains("-to-").any()
    assert "members" not in flows or flows["members"].isna().all()


def test_other_routes_pass_untouched(dataset):
    report = dataset.routes[dataset.routes["measure"] != "case_records"]
    out = merge_case_years(report)
    assert out is report


def test_case_records_beyond_the_region_get_a_fitted_frame_and_the_worlds_polygons(dataset):
    fig = callbacks.map_figure(dataset, "?measure=case_records", SIZE, GEOMETRY)
    geo = fig["layout"]["geo"]
    lon0, lon1 = geo["lonaxis"]["range"]
    assert lon0 < 35 < lon1  # Ukraine
    countries = next(t for t in fig["data"] if t["type"] == "choropleth")
    assert countries["geojson"] == GEOMETRY.world
    assert {"UKR", "RUS", "KHM"} <= set(countries["locations"])
    # no insets on a map of the world; the map says what the records are
    assert "geo2" not in fig["layout"]
    notes = " ".join(a["text"] for a in fig["layout"]["annotations"])
    assert "Case records (CTDC global synthetic dataset)" in notes
    assert "forced criminality" in notes


@pytest.mark.parametrize("query", ["", "?measure=case_records&destination=KHM"])
def test_other_views_keep_the_regional_frame(dataset, query):
    fig = callbacks.map_figure(dataset, query, SIZE, GEOMETRY)
    lon0, lon1 = fig["layout"]["geo"]["lonaxis"]["range"]
    assert lon0 > 60 and lon1 < 160
    countries = next(t for t in fig["data"] if t["type"] == "choropleth")
    assert countries["geojson"] == GEOMETRY.region


def test_the_worlds_polygons_are_served_once_by_url(dataset):
    from dashboard.app import create_app

    app = create_app(Settings(), dataset)
    client = app.server.test_client()
    page = client.get("/").get_data(as_text=True)
    assert "/geo/world-" not in page  # the default view is the region's
    fig = callbacks.map_figure(dataset, "?measure=case_records", SIZE, GEOMETRY)
    assert '"coordinates"' not in str(fig)
    url = next(r.rule for r in app.server.url_map.iter_rules() if "/geo/world-" in r.rule)
    answer = client.get(url.replace("<version>", "abc"))
    assert answer.status_code == 200
    body = answer.get_json()
    assert {"UKR", "RUS"} <= {f["properties"]["iso3"] for f in body["features"]}


def test_a_joined_line_has_a_card_listing_its_years(dataset):
    flows = map_content(dataset, parse_query("?measure=case_records")[0]).flows
    joined = flows[flows["id"].str.contains("-to-")]
    assert len(joined)
    rid = joined.iloc[0]["id"]
    state, _ = parse_query(f"?measure=case_records&route={rid}")
    card = route_card_data(dataset, rid, state)
    assert card is not None
    years = yearly(dataset, joined.iloc[0]["nationality"], joined.iloc[0]["destination"])
    assert len(card["figures"]) == 1 + len(years)
    assert all(f["what"] == "case records" for f in card["figures"])
    shown = [f["value"] for f in card["figures"][1:]]
    assert any(v == "<10" for v in shown) == bool(years["suppressed"].any())
    # a link to the joined line is kept, not ignored as unknown
    out = callbacks.sync_url_and_controls(
        dataset, (2021, 2023), None, f"?measure=case_records&route={rid}", [], None
    )
    assert not out[-1]


def test_every_measure_is_the_reports_and_the_legend_says_case_records_are_loaded(dataset):
    flows = map_content(dataset, parse_query("")[0]).flows
    assert len(flows) and not (flows["measure"] == "case_records").any()
    text = str(callbacks.legend_view(dataset, ""))
    assert "Case records loaded beside the report" in text
    # asked for, they are drawn; and the hint is gone
    asked = map_content(dataset, parse_query("?measure=case_records")[0]).flows
    assert (asked["measure"] == "case_records").all() and len(asked)
    assert "loaded beside" not in str(callbacks.legend_view(dataset, "?measure=case_records"))


def test_the_sankey_draws_the_reports_measure_unless_case_records_are_asked_for(dataset):
    fig, _ = callbacks.sankey_view(dataset, "?view=sankey")
    assert "case records" not in fig.layout.title.text.lower()
    fig, note = callbacks.sankey_view(dataset, "?view=sankey&measure=case_records")
    assert fig.layout.title.text.startswith("Case records, by nationality")
    bands = [t for t in fig.data if (t.meta or {}).get("role") == "band"]
    routes = {t.meta["route"] for t in bands}
    # one band per flow for the years chosen: IDN -> KHM's three years are one band
    idn = [r for r in routes if "-idn-khm-" in r]
    assert len(idn) <= 1
    assert "people case records" not in str(note).lower()


def test_a_views_content_is_reused_only_for_the_same_data_and_view(dataset, bundled):
    one, other = parse_query("?measure=case_records")[0], parse_query("?year=2022")[0]
    first = map_content(dataset, one)
    assert map_content(dataset, one) is first  # the same answer asks again
    assert map_content(dataset, other) is not first
    assert map_content(bundled, one) is not map_content(dataset, one)
    assert not (map_content(bundled, one).flows["measure"] == "case_records").any()


def test_an_exported_case_map_names_the_dataset_and_says_what_is_added(dataset):
    from dashboard.figures.views import build_view

    fig, meta = build_view(dataset, "map", parse_query("?measure=case_records")[0], (2021, 2023))
    assert meta.title.startswith("Case records of human trafficking")
    assert "scam compounds" not in meta.title
    datasets = [u for u in meta.used if u.dataset]
    assert [u.id for u in datasets] == ["ctdc-2024-synthetic"]
    # the region's places are not drawn on a map of the world, so the report is not cited
    assert all(u.dataset for u in meta.used)
    notes = " ".join(meta.notes)
    assert "never added to the report's counts" in notes and "at least" in notes
    from dashboard.export.render import source_line

    line = " ".join(source_line(meta, 2000, 12))
    assert line.startswith("Case records: CTDC global synthetic dataset")
    assert "it cites" not in line


def test_a_map_of_the_world_lists_no_place_markers_in_its_legend(dataset):
    def labels(query: str) -> set[str]:
        state = parse_query(query)[0]
        return {
            e.label for e in flowmap.legend_entries(dataset, state, map_content(dataset, state))
        }

    assert "Place the report names" in labels("")
    assert "Place the report names" not in labels("?measure=case_records")
    assert "Place the report names" in labels("?measure=case_records&destination=KHM")


def test_an_exported_sankey_says_how_many_flows_it_withholds(dataset):
    from dashboard.figures.views import build_view

    state = parse_query("?view=sankey&measure=case_records&year=2022")[0]
    fig, meta = build_view(dataset, "sankey", state, (2021, 2023))
    hidden = dataset.routes[
        (dataset.routes["measure"] == "case_records")
        & dataset.routes["suppressed"]
        & (dataset.routes["year_start"] == 2022)
    ]
    assert len(hidden)
    notes = " ".join(meta.notes)
    assert f"{len(hidden)} flow" in notes and "withheld" in notes
    assert meta.title.startswith("Case records, by nationality")
