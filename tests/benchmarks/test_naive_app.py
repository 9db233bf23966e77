"""The benchmark's naive baseline and its results table (no timing here: benchmarks/run.py
prints the numbers)."""

from __future__ import annotations

import plotly.graph_objects as go

from benchmarks import _harness as harness
from benchmarks._synthetic_fallback import make_routes_dataset
from benchmarks.naive_app import ALL, build_app, load_geometry, naive_figure
from geodata import load_dataset


def test_naive_callback_draws_one_line_per_route(small_dir):
    app = build_app(small_dir)
    update = app.server.config["NAIVE_UPDATE"]
    routes = load_dataset(small_dir).routes

    fig = update(ALL, ALL)
    assert isinstance(fig, go.Figure)
    kinds = [t.type for t in fig.data]
    assert kinds[0] == "choropleth" and kinds.count("choropleth") == 1
    assert kinds.count("scattergeo") == len(routes)
    assert isinstance(fig.data[0].geojson, dict)  # the polygons travel with every figure

    fig = update(ALL, "IDN")
    assert [t.name for t in fig.data[1:]] == list(routes.loc[routes["nationality"] == "IDN", "id"])
    fig = update(2022, ALL)
    in_2022 = (routes["year_start"] <= 2022) & (routes["year_end"] >= 2022)
    assert len(fig.data) - 1 == int(in_2022.sum())


def test_naive_figure_of_the_bundled_records(bundled):
    fig = naive_figure(bundled, load_geometry(), ALL, ALL)
    assert len(fig.data) == 1 + len(bundled.routes)


def test_large_data_folder_is_valid(tmp_path):
    folder = make_routes_dataset(120, tmp_path / "big")
    dataset = load_dataset(folder)
    assert len(dataset.routes) == 120
    assert dataset.report.ok, dataset.report.render()
    assert dataset.routes["id"].is_unique


def test_filter_changes_return_to_the_start():
    changes = harness.filter_changes(["IDN", "VNM", "CHN"], [2022, 2023])
    assert len(changes) == 8
    last = {c.control: c.value for c in changes}
    assert last == {"year": None, "nationality": None}
    assert harness.filter_changes([], []) is not None


def test_table_prints_missing_figures_as_a_dash():
    results = {
        "callback_p95_ms": None,
        "first_load_bytes": 1_500_000,
        "cold_start_s": 1.234,
        "naive": {"first_load_bytes": 9_000_000, "browser_change_ms": 650.0},
        "ratios": {"first_load_bytes": 6.0, "callback_p95_ms": None},
        "notes": ["something could not be measured"],
        "details": {"x": [1, 2]},
    }
    rows = {r[0]: r for r in harness.table_rows(results)}
    assert rows["callback_p95_ms"] == ("callback_p95_ms", "—", "—", "—", "<= 50 ms", "?")
    assert rows["first_load_bytes"] == (
        "first_load_bytes",
        "1.50 MB",
        "9.00 MB",
        "6.0×",
        "<= 2 MB",
        "yes",
    )
    assert rows["browser_change_ms"][1:3] == ("—", "650 ms")
    assert rows["cold_start_s"][1:] == ("1.23 s", "—", "—", "", "")
    assert "details" not in rows and "notes" not in rows
    table = harness.format_table(results)
    assert table.splitlines()[0].split() == [
        "metric",
        "product",
        "naive",
        "naive/product",
        "target",
        "met?",
    ]
    empty = harness.table_rows({})  # nothing measured: the targets still show, unmet or not
    assert [r[0] for r in empty] == [k for k in harness.ORDER if k in harness.TARGETS]
    assert {r[1:4] + r[5:] for r in empty} == {("—", "—", "—", "?")}


def test_recorded_changes_become_views_of_case_records():
    import json

    from benchmarks import _harness as h

    body = {
        "output": "x",
        "inputs": [
            {"id": "explorer-map-query", "property": "data", "value": "?nationality=IDN,VNM"},
            {"id": "explorer-viewport", "property": "data", "value": {"w": 1}},
        ],
        "state": [{"id": "explorer-year", "property": "value", "value": [2002, 2023]}],
    }
    empty = dict(body, inputs=[{"id": "explorer-map-query", "property": "data", "value": ""}])
    out = h.with_query_param(
        [[json.dumps(body)], [json.dumps(empty)]], "explorer-map-query", "measure", "case_records"
    )
    first = json.loads(out[0][0])
    assert first["inputs"][0]["value"] == "?nationality=IDN,VNM&measure=case_records"
    assert first["inputs"][1] == body["inputs"][1] and first["state"] == body["state"]
    assert json.loads(out[1][0])["inputs"][0]["value"] == "?measure=case_records"
    # a measure already there is replaced, not repeated
    again = h.with_query_param(out, "explorer-map-query", "measure", "case_records")
    assert json.loads(again[0][0])["inputs"][0]["value"].count("measure=") == 1
