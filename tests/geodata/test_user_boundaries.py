"""A user's own boundary files: GeoPackage, Shapefile and zipped Shapefile, admin-0 or admin-1,
any declared CRS, refused when their coordinates cannot be placed, and records they lack."""

# ruff: noqa: E501  (fixture rows and expected values are kept on one line each)

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from geodata.boundaries import codes_without_polygon, load_admin0, load_boundaries
from geodata.report import ValidationReport


def countries(crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {"iso": ["KHM", "MM", "418"], "label": ["Cambodia", "Myanmar", "Lao PDR"]},
        geometry=[
            box(102.3, 10.4, 107.6, 14.7),
            box(92.2, 9.8, 101.2, 28.5),
            box(100.1, 13.9, 107.7, 22.5),
        ],
        crs="EPSG:4326",
    )
    return frame.to_crs(crs)


def provinces() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"pcode": ["MM-13", "TH-63", "kh-21"], "name": ["Kayin", "Tak", "Takeo"]},
        geometry=[
            box(96.8, 15.2, 98.9, 19.5),
            box(97.3, 15.6, 99.4, 17.7),
            box(104.4, 10.5, 105.2, 11.3),
        ],
        crs="EPSG:4326",
    )


def shapefile(frame: gpd.GeoDataFrame, folder: Path, prj: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "units.shp"
    frame.to_file(path)
    if not prj:
        path.with_suffix(".prj").unlink()
    return path


def zipped(shp: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for part in sorted(shp.parent.glob(shp.stem + ".*")):
            archive.write(part, f"inner/{part.name}")
    return target


def test_geopackage_is_read_not_refused_as_binary(tmp_path):
    path = tmp_path / "countries.gpkg"
    countries().to_file(path, driver="GPKG")
    report = ValidationReport()
    frame = load_boundaries(path, report, code_column="iso")
    assert report.ok, report.render()
    assert sorted(frame["code"]) == ["KHM", "LAO", "MMR"]
    assert frame.crs.to_epsg() == 4326
    # the app's own loader takes it too
    assert sorted(load_admin0(ValidationReport(), path, "iso")["iso3"]) == ["KHM", "LAO", "MMR"]


def test_zipped_shapefile_in_a_projected_crs_is_reprojected(tmp_path):
    shp = shapefile(countries("EPSG:32647"), tmp_path / "shp")
    path = zipped(shp, tmp_path / "countries.zip")
    report = ValidationReport()
    frame = load_boundaries(path, report, code_column="iso", name_column="label")
    assert report.ok, report.render()
    assert frame.crs.to_epsg() == 4326
    minx, miny, maxx, maxy = frame.total_bounds
    assert 92 < minx < 93 and 28 < maxy < 29
    assert frame.set_index("code").loc["KHM", "name"] == "Cambodia"


def test_shapefile_without_prj_in_metres_is_refused_saying_what_to_declare(tmp_path):
    shp = shapefile(countries("EPSG:3857"), tmp_path / "shp", prj=False)
    for path in (shp, zipped(shp, tmp_path / "countries.zip")):
        report = ValidationReport()
        frame = load_boundaries(path, report, code_column="iso")
        assert frame.empty
        reason = report.errors[0].reason
        assert "no CRS" in reason and ".prj" in reason and "EPSG:4326" in reason
        assert str(tmp_path) not in report.render()


def test_shapefile_without_prj_in_degrees_is_read_with_a_warning(tmp_path):
    shp = shapefile(countries(), tmp_path / "shp", prj=False)
    report = ValidationReport()
    frame = load_boundaries(shp, report, code_column="iso")
    assert report.ok and len(frame) == 3
    assert any("assuming EPSG:4326" in p.reason for p in report.warnings)


def test_admin1_with_a_chosen_code_column(tmp_path):
    path = tmp_path / "provinces.gpkg"
    provinces().to_file(path, driver="GPKG")
    report = ValidationReport()
    frame = load_boundaries(path, report, level="admin1", code_column="pcode", name_column="name")
    assert report.ok, report.render()
    assert sorted(frame["code"]) == ["KH-21", "MM-13", "TH-63"]
    assert frame.set_index("code")["iso3"].to_dict() == {
        "KH-21": "KHM",
        "MM-13": "MMR",
        "TH-63": "THA",
    }
    bad = ValidationReport()
    assert load_boundaries(path, bad, level="admin1", code_column="adm1").empty
    assert "no column 'adm1'" in bad.errors[0].reason


def test_records_without_a_polygon_are_listed(tmp_path):
    path = tmp_path / "countries.gpkg"
    countries().to_file(path, driver="GPKG")
    frame = load_boundaries(path, ValidationReport(), code_column="iso")
    records = ["KHM", "MMR", "PHL", None, "", "IDN", "khm"]
    assert codes_without_polygon(records, frame) == ["IDN", "PHL"]


def test_links_and_pipes_are_refused_for_binary_files_too(tmp_path):
    outside = tmp_path / "outside.gpkg"
    countries().to_file(outside, driver="GPKG")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "countries.gpkg").symlink_to(outside)
    report = ValidationReport()
    assert load_boundaries(folder / "countries.gpkg", report, code_column="iso").empty
    assert "outside its folder" in report.errors[0].reason
    os.mkfifo(folder / "pipe.gpkg")
    report = ValidationReport()
    assert load_boundaries(folder / "pipe.gpkg", report, code_column="iso").empty
    assert "not a regular file" in report.errors[0].reason


def test_zip_with_a_link_inside_is_refused(tmp_path):
    shp = shapefile(countries(), tmp_path / "shp")
    path = zipped(shp, tmp_path / "countries.zip")
    with zipfile.ZipFile(path, "a") as archive:
        info = zipfile.ZipInfo("inner/about.txt")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    report = ValidationReport()
    assert load_boundaries(path, report, code_column="iso").empty
    assert "is a link" in report.errors[0].reason


@pytest.mark.parametrize(
    ("members", "reason"),
    [
        ({"readme.txt": b"no shapes here"}, "holds no .shp"),
        ({"../escape.shp": b"x"}, "path leaving it"),
    ],
)
def test_zip_without_one_clean_shapefile_is_refused(tmp_path, members, reason):
    path = tmp_path / "countries.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    report = ValidationReport()
    assert load_boundaries(path, report, code_column="iso").empty
    assert reason in report.errors[0].reason


def test_oversized_boundary_file_is_refused(tmp_path, monkeypatch):
    import geodata.io

    path = tmp_path / "countries.gpkg"
    countries().to_file(path, driver="GPKG")
    monkeypatch.setattr(geodata.io, "MAX_BYTES", 1000)
    report = ValidationReport()
    assert load_boundaries(path, report, code_column="iso").empty
    assert "over the 1000 limit" in report.errors[0].reason
