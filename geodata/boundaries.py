"""Boundary files: the bundled Natural Earth polygons, or a user's own file with a code column."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.ops import polylabel

from geodata.countries import is_iso3, iso3_from_alpha2, iso3_from_numeric
from geodata.io import read_bytes, refusal
from geodata.report import Problem, ValidationReport

BOUNDARIES_DIR = Path(__file__).parent / "boundaries"
ADMIN0_FILE = BOUNDARIES_DIR / "admin0_50m.geojson"
ADMIN1_FILE = BOUNDARIES_DIR / "admin1.geojson"
SUPPORTED = (".geojson", ".json", ".gpkg", ".shp", ".zip")


def empty_frame(columns: list[str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs="EPSG:4326")


def _read_vector(path: Path, report: ValidationReport) -> gpd.GeoDataFrame | None:
    name = path.name
    if path.suffix.lower() not in SUPPORTED:
        report.add(
            Problem(
                name,
                None,
                None,
                f"unsupported boundary format {path.suffix or '(none)'}; "
                "use GeoJSON, GeoPackage or a Shapefile",
            )
        )
        return None
    if path.suffix.lower() != ".shp" and read_bytes(path, report) is None:
        return None
    if path.suffix.lower() == ".shp":
        # the .shp and the files read beside it (.shx, .dbf, .prj, .cpg) must all be plain files
        for part in [path, *sorted(p for p in path.parent.glob(path.stem + ".*") if p != path)]:
            reason = refusal(part)
            if reason is not None:
                report.add(Problem(part.name, None, None, reason))
                return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio/GDAL raise many kinds; all mean "cannot read"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        for shown in {str(path.resolve()), str(path.absolute()), str(path)}:
            first = first.replace(shown, name)  # the reader's message names no server path
        report.add(Problem(name, None, None, f"cannot read as a boundary file: {first}"))
        return None
    if frame.empty:
        report.add(Problem(name, None, None, "boundary file has no features"))
        return None
    return frame


def _normalise_code(value: object) -> str | None:
    """Accept ISO3, ISO2 or ISO numeric codes in a user's code column; return ISO3."""
    if value is None:
        return None
    text = str(value).strip().upper()
    if is_iso3(text):
        return text
    if len(text) == 2:
        return iso3_from_alpha2(text)
    if text.isdigit():
        return iso3_from_numeric(text)
    return None


def load_admin0(
    report: ValidationReport, path: Path | None = None, code_column: str = "iso3"
) -> gpd.GeoDataFrame:
    """Country polygons with an `iso3` column, valid geometry, in EPSG:4326."""
    path = Path(path) if path else ADMIN0_FILE
    name = path.name
    frame = _read_vector(path, report)
    if frame is None:
        report.tally(name).file_error = True
        return empty_frame(["iso3", "name"])
    tally = report.tally(name)
    if code_column not in frame.columns:
        cols = ", ".join(c for c in frame.columns if c != "geometry")
        report.add(Problem(name, None, code_column, f"no column {code_column!r} (columns: {cols})"))
        tally.file_error = True
        return empty_frame(["iso3", "name"])
    if frame.crs is None:
        report.add(Problem(name, None, None, "no CRS given; assuming EPSG:4326", "warning"))
        frame = frame.set_crs("EPSG:4326")
    elif frame.crs.to_epsg() != 4326:
        frame = frame.to_crs("EPSG:4326")
    codes = frame[code_column].map(_normalise_code)
    keep = []
    for i, (raw, code, geom) in enumerate(zip(frame[code_column], codes, frame.geometry), 1):
        tally.read += 1
        if geom is None or geom.is_empty:
            report.add(Problem(name, i, "geometry", "feature has no geometry"))
            tally.rejected += 1
        elif code is None:
            report.add(Problem(name, i, code_column, f"{raw!r} is not a country code", "warning"))
            tally.rejected += 1
        else:
            keep.append(i - 1)
            tally.accepted += 1
    frame = frame.iloc[keep].copy()
    frame["iso3"] = codes.iloc[keep].values
    if "name" not in frame.columns:
        frame["name"] = frame["iso3"]
    invalid = ~frame.geometry.is_valid
    if invalid.any():
        report.add(
            Problem(
                name,
                None,
                "geometry",
                f"{int(invalid.sum())} invalid geometries repaired",
                "warning",
            )
        )
        frame.loc[invalid, "geometry"] = shapely.make_valid(frame.geometry[invalid].values)
    if frame["iso3"].duplicated().any():
        frame = frame.dissolve(by="iso3", as_index=False, aggfunc="first")
    return gpd.GeoDataFrame(frame[["iso3", "name", "geometry"]], crs="EPSG:4326")


def load_admin1(report: ValidationReport, path: Path | None = None) -> gpd.GeoDataFrame:
    """Province/state polygons (iso3, name) for the countries the bundled file covers."""
    path = Path(path) if path else ADMIN1_FILE
    frame = _read_vector(path, report)
    if frame is None:
        report.tally(path.name).file_error = True
        return empty_frame(["iso3", "name"])
    return gpd.GeoDataFrame(frame[["iso3", "name", "geometry"]], crs="EPSG:4326")


def country_anchor(geom: shapely.Geometry) -> tuple[float, float]:
    """A point well inside a country's largest part, where flows from 'the country' start."""
    parts = list(getattr(geom, "geoms", [geom]))
    largest = max(parts, key=lambda g: g.area)
    point = (
        polylabel(largest, tolerance=0.05)
        if largest.geom_type == "Polygon"
        else (largest.representative_point())
    )
    return round(point.x, 3), round(point.y, 3)
