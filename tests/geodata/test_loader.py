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
    assert "missing required column(s)" in p.reason and "measure" in p.reason
    assert "destination" not in p.reason.split("(found")[0]  # a route may have no destination
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


# ---------------------------------------------------------------- route ends, forms, movements


def test_route_known_from_its_start_only(tmp_path):
    ds = _with_route_rows(
        tmp_path,
        "r9,IDN,mae-sot,,,2023,2023,,reported_route,,unknown,,rep,S,",
        "r10,IDN,IDN,mae-sot,,2023,2023,,rescued,5,exact,,rep,S,",
    )
    assert ds.report.ok, ds.report.render()
    routes = ds.routes.set_index("id")
    r9 = routes.loc["r9"]
    assert r9["end"] == "from" and r9["path"] == ["mae-sot"] and r9["path_names"] == ["Mae Sot"]
    assert r9["destination"] is None and r9["destination_iso3"] is None
    assert r9["origin_iso3"] == "THA"
    assert routes.at["r10", "end"] == "flow"  # a start and a transit: a line to draw
    assert routes.at["r10", "destination_iso3"] is None
    assert routes.at["r1", "end"] == "flow"


def test_route_known_from_its_end_only_is_at(tmp_path):
    ds = _with_route_rows(tmp_path, "r9,,,,myawaddy,2023,2023,,rescued,5,exact,,rep,S,")
    assert ds.report.ok, ds.report.render()
    r9 = ds.routes.set_index("id").loc["r9"]
    assert r9["end"] == "at" and r9["path"] == ["myawaddy"] and r9["origin_iso3"] is None


def test_route_with_neither_origin_nor_destination_is_rejected(tmp_path):
    ds = _with_route_rows(tmp_path, "r9,IDN,,mae-sot,,2023,2023,,rescued,5,exact,,rep,S,")
    [p] = problems(ds, "routes.csv")
    assert p.row == 4 and p.column == "destination"
    assert "needs an origin or a destination" in p.reason
    assert "r9" not in set(ds.routes["id"]) and len(ds.routes) == 3


def test_files_without_form_or_movement_columns_load(small_dir):
    ds = load_dataset(small_dir)
    assert ds.report.ok, ds.report.render()
    assert ds.routes["form"].isna().all()
    assert (ds.routes["movement"] == "trafficking").all()
    assert ds.figures["form"].isna().all() and ds.events["form"].isna().all()


def test_form_and_movement_columns_are_read_and_checked(tmp_path):
    header = ROUTE_HEADER + ",form,movement"
    body = "".join(line + ",,\n" for line in ROUTES.splitlines()[1:])
    body += "r4,IDN,IDN,,myawaddy,2023,2023,,rescued,5,exact,,rep,S,,organ_removal,return\n"
    body += "r5,IDN,IDN,,myawaddy,2023,2023,,rescued,5,exact,,rep,S,,kidneys,\n"
    body += "r6,IDN,IDN,,myawaddy,2023,2023,,rescued,5,exact,,rep,S,,,smuggling\n"
    ds = load_dataset(write_data(tmp_path / "d", routes_csv=header + "\n" + body))
    found = {p.row: p for p in problems(ds, "routes.csv")}
    assert set(found) == {5, 6}
    assert found[5].column == "form" and "'kidneys' is not allowed" in found[5].reason
    assert found[6].column == "movement" and "'smuggling' is not allowed" in found[6].reason
    routes = ds.routes.set_index("id")
    assert (routes.at["r4", "form"], routes.at["r4", "movement"]) == ("organ_removal", "return")
    assert routes.at["r1", "form"] is None and routes.at["r1", "movement"] == "trafficking"


# ---------------------------------------------------------------- context places


def test_context_place_with_a_report_citation_is_rejected(tmp_path):
    text = LOCATIONS + "poipet,Poipet,city,13.65,102.57,KHM,,context,Wikipedia,,rep,S,\n"
    ds = load_dataset(write_data(tmp_path / "d", locations_csv=text))
    found = problems(ds, "locations.csv")
    assert {p.column for p in found} == {"source_id", "section"}
    assert all(p.row == 4 and "claim=context" in p.reason for p in found)
    assert "poipet" not in set(ds.locations["id"])
    assert ds.report.tallies["locations.csv"].rejected == 1


def test_report_place_without_a_citation_is_rejected(tmp_path):
    text = LOCATIONS + "poipet,Poipet,city,13.65,102.57,KHM,,report,Wikipedia,,,,\n"
    ds = load_dataset(write_data(tmp_path / "d", locations_csv=text))
    found = problems(ds, "locations.csv")
    assert {p.column for p in found} == {"source_id", "section"}
    assert all("claim=report" in p.reason for p in found)
    bavet = ds.locations.set_index("id").loc["bavet"]  # a context place without one is fine
    assert bavet["source_id"] is None and bavet["section"] is None


# ---------------------------------------------------------------- headlines

HEADLINE_HEADER = "id,rank,figure_ids,label,note"


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("h9,3,f1;nosuch,Caption,", "figure_ids", "unknown figure id: nosuch"),
        ("h9,1,f2,Caption,", "rank", "duplicate rank 1, first used on row 1"),
        ("h9,2.5,f2,Caption,", "rank", "'2.5' is not a whole number"),
        ("h9,first,f2,Caption,", "rank", "not a whole number"),
        ("h9,0,f2,Caption,", "rank", "positive"),
        ("h9,3,,Caption,", "figure_ids", "at least one"),
        ("h9,3,f2,,", "label", "at least 1 character"),
        ("h-caseload,3,f2,Caption,", "id", "duplicate id 'h-caseload'"),
    ],
)
def test_bad_headline_rows_are_reported_and_the_rest_kept(tmp_path, row, column, reason):
    from tests.conftest import HEADLINES

    ds = load_dataset(write_data(tmp_path / "d", headlines_csv=HEADLINES + row + "\n"))
    found = problems(ds, "headlines.csv")
    assert len(found) == 1, ds.report.render()
    assert (found[0].row, found[0].column) == (3, column)
    assert reason in found[0].reason
    assert list(ds.headlines["id"]) == ["h-caseload", "h-rescued"]
    tally = ds.report.tallies["headlines.csv"]
    assert (tally.read, tally.accepted, tally.rejected) == (3, 2, 1)


def test_headlines_are_sorted_by_rank_with_figure_lists(tmp_path):
    text = HEADLINE_HEADER + "\nb,7,f2,Second,\na,2,f1;f2,First,\n"
    ds = load_dataset(write_data(tmp_path / "d", headlines_csv=text))
    assert ds.report.ok, ds.report.render()
    assert list(ds.headlines["id"]) == ["a", "b"]
    assert list(ds.headlines["rank"]) == [2, 7]
    assert ds.headlines.iloc[0]["figure_ids"] == ["f1", "f2"]


def test_a_folder_without_headlines_does_not_borrow_the_bundled_ones(tmp_path):
    folder = write_data(tmp_path / "d")
    (folder / "headlines.csv").unlink()
    ds = load_dataset(folder)
    assert ds.report.ok, ds.report.render()
    assert ds.headlines.empty
    assert any(p.file == "headlines.csv" for p in ds.report.warnings)


def test_bundled_headlines_are_not_used_with_other_figures(tmp_path):
    """Overriding figures.csv alone: the bundled headlines name bundled figures, so none show."""
    from tests.conftest import FIGURES

    figures = tmp_path / "my_figures.csv"
    figures.write_text(FIGURES.replace(",rep,", ",iom-2024-sitrep,"), encoding="utf-8")
    ds = load_dataset(overrides={"figures.csv": figures})
    assert not problems(ds, "headlines.csv")  # (events and notes naming bundled figures fail)
    assert ds.headlines.empty
    assert any(p.file == "headlines.csv" for p in ds.report.warnings)
