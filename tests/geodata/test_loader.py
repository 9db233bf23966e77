"""The loader: every row accepted or rejected with file, row, column and reason."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from geodata.dataset import load_dataset
from tests.conftest import LOCATIONS, ROUTES, SOURCES, write_data

ROUTE_HEADER = ROUTES.splitlines()[0]


def problems(dataset, file: str) -> list:
    return [p for p in dataset.report.errors if p.file == file]


def test_small_folder_loads_clean(small_dir):
    ds = load_dataset(small_dir)
    assert ds.report.ok, ds.report.render()
    assert len(ds.routes) == 3
    assert all(t.reconciles for t in ds.report.tallies.values())


def test_border_compounds_keep_their_recorded_country(small_dir):
    """At 50m, Myawaddy lies in Thailand's polygon and Bavet in Viet Nam's: the record wins."""
    ds = load_dataset(small_dir)
    import shapely

    def polygon_country(lon, lat):
        hits = ds.admin0[ds.admin0.contains(shapely.Point(lon, lat))]
        return set(hits["iso3"])

    assert polygon_country(98.51, 16.69) == {"THA"}  # the trap this test guards against
    assert polygon_country(106.13, 11.07) == {"VNM"}
    routes = ds.routes.set_index("id")
    assert routes.at["r1", "destination_iso3"] == "MMR"
    assert routes.at["r2", "destination_iso3"] == "KHM"
    nodes = ds.nodes.set_index("node")
    assert nodes.at["myawaddy", "iso3"] == "MMR"
    assert nodes.at["bavet", "iso3"] == "KHM"


def _with_route_rows(tmp_path: Path, *rows: str):
    text = ROUTES + "".join(r + "\n" for r in rows)
    return load_dataset(write_data(tmp_path / "d", routes_csv=text))


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("r9,IDN,IDN,,myawaddy,2023,2023,,rescued,-5,exact,,rep,S,", "count", "negative"),
        ("r9,IDN,IDN,,myawaddy,2023,2023,,rescued,many,exact,,rep,S,", "count", "not a number"),
        ("r9,IDN,IDN,,myawaddy,2023,2023,,rescued,2.5,exact,,rep,S,", "count", "whole number"),
        ("r9,IDN,IDN,,myawaddy,1850,2023,,rescued,5,exact,,rep,S,", "year_start", "out of range"),
        ("r9,IDN,IDN,,myawaddy,2023,2999,,rescued,5,exact,,rep,S,", "year_end", "out of range"),
        ("r9,IDN,IDN,,myawaddy,twenty,2023,,rescued,5,exact,,rep,S,", "year_start", "not a year"),
        ("r9,XYZ,IDN,,myawaddy,2023,2023,,rescued,5,exact,,rep,S,", "nationality", "ISO 3166"),
        (
            "r9,IDN,IDN,,atlantis,2023,2023,,rescued,5,exact,,rep,S,",
            "origin/transit/destination",
            "unknown location id 'atlantis'",
        ),
        (
            "r9,IDN,QQQ,,myawaddy,2023,2023,,rescued,5,exact,,rep,S,",
            "origin/transit/destination",
            "not an ISO 3166-1",
        ),
        (
            "r9,IDN,IDN,,myawaddy,2023,2023,,rescued,5,exact,,nosuch,S,",
            "source_id",
            "unknown source",
        ),
        ("r9,IDN,IDN,,myawaddy,2023,2023,,smuggled,5,exact,,rep,S,", "measure", "not allowed"),
        ("r9,IDN,IDN,,myawaddy,2023,2023,,rescued,,exact,,rep,S,", None, "qualifier must be"),
        ("r9,IDN,IDN,,myawaddy,2023,2022,,rescued,5,exact,,rep,S,", None, "before year_start"),
        ("r9,IDN,IDN,,myawaddy,2023,2023,,rescued,5,exact,140,rep,S,", "share_pct", "over 100"),
        ("r1,IDN,IDN,,myawaddy,2023,2023,,rescued,5,exact,,rep,S,", "id", "duplicate id 'r1'"),
        ("r9,IDN,IDN,,myawaddy,2023,2023,,rescued,5,exact,,rep,S", None, "fields, the header"),
    ],
)
def test_bad_route_rows_are_rejected_with_reason(tmp_path, row, column, reason):
    ds = _with_route_rows(tmp_path, row)
    found = problems(ds, "routes.csv")
    assert len(found) == 1, ds.report.render()
    assert found[0].row == 4
    assert reason in found[0].reason
    if column:
        assert found[0].column == column
    tally = ds.report.tallies["routes.csv"]
    assert (tally.read, tally.accepted, tally.rejected) == (4, 3, 1)
    assert tally.reconciles


def test_missing_columns_named(tmp_path):
    text = "id,nationality,origin\nr1,IDN,IDN\n"
    ds = load_dataset(write_data(tmp_path / "d", routes_csv=text))
    [p] = problems(ds, "routes.csv")
    assert "missing required column(s)" in p.reason and "destination" in p.reason
    assert ds.routes.empty


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "file is empty"),
        (b"   \n\n", "file is empty"),
        (ROUTE_HEADER.encode() + b"\n", "no data rows"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
        (
            (
                ROUTE_HEADER
                + "\nr1,IDN,IDN,,myawaddy,2023,2023,Janvier–Février,rescued,5,exact,,rep,"
                "S,caf\u00e9\n"
            ).encode("cp1252"),
            "Latin-1",
        ),
        ("id\n1\n".encode("utf-16"), "UTF-16"),
    ],
)
def test_unreadable_files_are_refused_with_a_message(tmp_path, content, reason):
    ds = load_dataset(write_data(tmp_path / "d", routes_csv=content))
    [p] = problems(ds, "routes.csv")
    assert reason in p.reason
    assert p.row is None


def test_utf8_with_bom_is_accepted(tmp_path):
    ds = load_dataset(write_data(tmp_path / "d", routes_csv="\ufeff" + ROUTES))
    assert ds.report.ok, ds.report.render()
    assert len(ds.routes) == 3


def test_unknown_iso3_in_locations(tmp_path):
    text = LOCATIONS + "x,X,city,1,1,ABC,,report,src,,rep,S,\n"
    ds = load_dataset(write_data(tmp_path / "d", locations_csv=text))
    [p] = problems(ds, "locations.csv")
    assert p.column == "iso3" and "'ABC'" in p.reason


def test_duplicate_source_ids(tmp_path):
    text = SOURCES + "rep,Other,IOM,2024,,\n"
    ds = load_dataset(write_data(tmp_path / "d", sources_csv=text))
    [p] = problems(ds, "sources.csv")
    assert p.row == 2 and "duplicate id" in p.reason


def test_rejected_location_rejects_routes_through_it(tmp_path):
    bad = LOCATIONS.replace("16.69,98.51,MMR", "16.69,98.51,MMX")
    ds = load_dataset(write_data(tmp_path / "d", locations_csv=bad))
    assert any("myawaddy" in p.reason for p in problems(ds, "routes.csv"))
    assert "r1" not in set(ds.routes["id"])


def test_missing_folder_is_reported(tmp_path):
    ds = load_dataset(tmp_path / "nowhere")
    assert not ds.report.ok
    assert "data folder not found" in ds.report.render()


def test_boundary_file_with_wrong_code_column(tmp_path):
    path = tmp_path / "b.geojson"
    path.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature",'
        '"properties":{"ADM0_A3":"THA"},"geometry":{"type":"Polygon",'
        '"coordinates":[[[98,10],[98,20],[105,20],[105,10],[98,10]]]}}]}'
    )
    ds = load_dataset(boundaries=path)
    assert any("no column 'iso3'" in p.reason for p in ds.report.errors)
    ds = load_dataset(boundaries=path, code_column="ADM0_A3")
    assert list(ds.admin0["iso3"]) == ["THA"]


def test_boundary_file_that_is_not_geodata(tmp_path):
    path = tmp_path / "b.geojson"
    path.write_text("this is not json")
    ds = load_dataset(boundaries=path)
    assert any("cannot read as a boundary file" in p.reason for p in ds.report.errors)


def test_geodata_never_imports_dash_or_plotly():
    code = (
        "import sys, geodata, geodata.dataset, geodata.flows, geodata.filters;"
        "bad = [m for m in ('dash', 'plotly') if m in sys.modules];"
        "print(bad); raise SystemExit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
