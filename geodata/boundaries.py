"""Boundary files: the bundled Natural Earth polygons, or a user's own file with a code column."""

from __future__ import annotations

import re
import shutil
import stat
import tempfile
import warnings
import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

import geopandas as gpd
import shapely
from shapely.ops import polylabel

from geodata.countries import is_iso3, iso3_from_alpha2, iso3_from_numeric
from geodata.io import MAX_BYTES, check_file, read_bytes, refusal
from geodata.report import Problem, ValidationReport

BOUNDARIES_DIR = Path(__file__).parent / "boundaries"
ADMIN0_FILE = BOUNDARIES_DIR / "admin0_50m.geojson"
ADMIN1_FILE = BOUNDARIES_DIR / "admin1.geojson"
SUPPORTED = (".geojson", ".json", ".gpkg", ".shp", ".zip")


def empty_frame(columns: list[str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs="EPSG:4326")


SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


def _shapefile_from_zip(path: Path, report: ValidationReport, folder: Path) -> Path | None:
    """Unpack the one Shapefile in a zip (its .shp and sidecars only) into `folder`, refusing
    links, paths that leave the archive, and archives that unpack past the size limit. The
    files are written here as plain files, so nothing in the archive can point elsewhere."""
    name = path.name
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        report.add(Problem(name, None, None, f"not a readable zip archive: {exc}"))
        return None
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        unpacked = sum(i.file_size for i in infos)
        if unpacked > MAX_BYTES:
            report.add(
                Problem(
                    name, None, None, f"unpacks to {unpacked} bytes, over the {MAX_BYTES} limit"
                )
            )
            return None
        for info in infos:
            inner = PurePosixPath(info.filename.replace("\\", "/"))
            if stat.S_ISLNK(info.external_attr >> 16):
                report.add(
                    Problem(name, None, None, f"{inner.name} in the zip is a link; zip the file")
                )
                return None
            if inner.is_absolute() or ".." in inner.parts:
                report.add(
                    Problem(name, None, None, f"{inner.name} in the zip has a path leaving it")
                )
                return None
        shps = [
            i for i in infos if i.filename.lower().endswith(".shp") and "__MACOSX" not in i.filename
        ]
        if len(shps) != 1:
            listed = ", ".join(PurePosixPath(i.filename).name for i in shps)
            why = "holds no .shp file" if not shps else f"holds {len(shps)} shapefiles ({listed})"
            report.add(Problem(name, None, None, f"the zip {why}: it must hold exactly one"))
            return None
        stem = shps[0].filename[:-4]
        for info in infos:
            head, dot, ext = info.filename.rpartition(".")
            if head == stem and f".{ext.lower()}" in SHAPEFILE_PARTS:
                target = folder / (PurePosixPath(stem).name + f".{ext.lower()}")
                with archive.open(info) as src, target.open("wb") as dst:
                    shutil.copyfileobj(src, dst)
        return folder / (PurePosixPath(stem).name + ".shp")


def _read_vector(path: Path, report: ValidationReport) -> gpd.GeoDataFrame | None:
    """A boundary file's features. GeoJSON is text and passes the text checks; a GeoPackage or
    a zipped Shapefile is binary by nature and passes only the checks every file passes (size,
    no link out of its folder, no pipe)."""
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        report.add(
            Problem(
                name,
                None,
                None,
                f"unsupported boundary format {path.suffix or '(none)'}; "
                "use GeoJSON, GeoPackage, a Shapefile or a zipped Shapefile",
            )
        )
        return None
    if suffix in (".geojson", ".json") and read_bytes(path, report) is None:
        return None
    if suffix in (".gpkg", ".zip") and not check_file(path, report):
        return None
    if suffix == ".shp":
        # the .shp and the files read beside it (.shx, .dbf, .prj, .cpg) must all be plain files
        for part in [path, *sorted(p for p in path.parent.glob(path.stem + ".*") if p != path)]:
            reason = refusal(part)
            if reason is not None:
                report.add(Problem(part.name, None, None, reason))
                return None
        if not check_file(path, report):
            return None
    with tempfile.TemporaryDirectory(prefix="boundaries-") as tmp:
        target = path
        if suffix == ".zip":
            target = _shapefile_from_zip(path, report, Path(tmp))
            if target is None:
                return None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                frame = gpd.read_file(target)
        except Exception as exc:  # pyogrio/GDAL raise many kinds; all mean "cannot read"
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            for shown in {str(target.resolve()), str(target.absolute()), str(target), tmp}:
                first = first.replace(shown, name)  # the reader's message names no server path
            report.add(Problem(name, None, None, f"cannot read as a boundary file: {first}"))
            return None
    if frame.empty:
        report.add(Problem(name, None, None, "boundary file has no features"))
        return None
    return frame


def _in_degrees(frame: gpd.GeoDataFrame) -> bool:
    minx, miny, maxx, maxy = frame.total_bounds
    return bool(-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90)


def _to_wgs84(
    frame: gpd.GeoDataFrame, name: str, report: ValidationReport
) -> gpd.GeoDataFrame | None:
    """The features in EPSG:4326: a declared CRS is reprojected; a file without one is taken
    as longitude/latitude only when its coordinates are in degree range, and refused otherwise
    (saying what to declare)."""
    if frame.crs is None:
        if not _in_degrees(frame):
            minx, miny, maxx, maxy = (round(float(b)) for b in frame.total_bounds)
            report.add(
                Problem(
                    name,
                    None,
                    None,
                    f"no CRS is declared (a Shapefile needs its .prj) and the coordinates "
                    f"(x {minx} to {maxx}, y {miny} to {maxy}) are not longitude/latitude "
                    "degrees: declare the projected CRS they are in (write the .prj, e.g. "
                    "EPSG:3857 or the UTM zone such as EPSG:32647); EPSG:4326 fits only "
                    "coordinates in degrees",
                )
            )
            return None
        report.add(Problem(name, None, None, "no CRS given; assuming EPSG:4326", "warning"))
        return frame.set_crs("EPSG:4326")
    if frame.crs.to_epsg() != 4326:
        try:
            frame = frame.to_crs("EPSG:4326")
        except Exception as exc:  # pyproj raises several kinds for an unusable CRS
            report.add(Problem(name, None, None, f"cannot reproject to EPSG:4326: {exc}"))
            return None
    if not _in_degrees(frame):
        report.add(
            Problem(
                name,
                None,
                None,
                "the coordinates do not fit the declared CRS: read with it they fall "
                "outside longitude/latitude range; declare the "
                "CRS they are really in",
            )
        )
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
    frame = _to_wgs84(frame, name, report)
    if frame is None:
        tally.file_error = True
        return empty_frame(["iso3", "name"])
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


ISO_3166_2 = re.compile(r"^([A-Z]{2})-[A-Z0-9]{1,3}$")


def load_boundaries(
    path: Path | str,
    report: ValidationReport,
    level: str = "admin0",
    code_column: str = "iso3",
    name_column: str | None = None,
) -> gpd.GeoDataFrame:
    """A user's boundary file (GeoJSON, GeoPackage, Shapefile or zipped Shapefile) as polygons
    in EPSG:4326 with `code`, `iso3`, `name` columns.

    `level` admin0: `code_column` holds country codes (ISO3, ISO2 or numeric; code = iso3).
    `level` admin1: `code_column` holds the provinces' codes, kept as written (trimmed,
    upper-case); iso3 is read from an ISO 3166-2 code's country part (TH-63 -> THA), else None.
    Never raises on bad input: see the report."""
    path = Path(path)
    columns = ["code", "iso3", "name"]
    if level == "admin0":
        frame = load_admin0(report, path, code_column)
        if name_column and not frame.empty:
            names = _read_vector(path, ValidationReport())
            if names is not None and name_column in names.columns:
                by_code = dict(zip(names[code_column].map(_normalise_code), names[name_column]))
                frame["name"] = frame["iso3"].map(by_code).fillna(frame["name"])
        frame["code"] = frame["iso3"]
        return gpd.GeoDataFrame(frame[[*columns, "geometry"]], crs="EPSG:4326")
    if level != "admin1":
        raise ValueError(f"level must be admin0 or admin1, not {level!r}")
    name = path.name
    tally = report.tally(name)
    frame = _read_vector(path, report)
    if frame is None:
        tally.file_error = True
        return empty_frame(columns)
    for wanted in [code_column, name_column]:
        if wanted and wanted not in frame.columns:
            cols = ", ".join(c for c in frame.columns if c != "geometry")
            report.add(Problem(name, None, wanted, f"no column {wanted!r} (columns: {cols})"))
            tally.file_error = True
            return empty_frame(columns)
    frame = _to_wgs84(frame, name, report)
    if frame is None:
        tally.file_error = True
        return empty_frame(columns)
    codes = frame[code_column].map(lambda v: "" if v is None else str(v).strip().upper())
    codes = codes.where(codes != "NAN", "")
    empty_geom = frame.geometry.isna() | frame.geometry.is_empty
    tally.read += len(frame)
    for i in range(len(frame)):
        if empty_geom.iloc[i]:
            report.add(Problem(name, i + 1, "geometry", "feature has no geometry"))
        elif not codes.iloc[i]:
            report.add(Problem(name, i + 1, code_column, "no code", "warning"))
    keep = (~empty_geom & (codes != "")).to_numpy()
    tally.accepted += int(keep.sum())
    tally.rejected += int((~keep).sum())
    frame = frame.loc[keep].copy()
    frame["code"] = codes[keep].to_numpy()
    frame["iso3"] = frame["code"].map(
        lambda c: iso3_from_alpha2(m.group(1)) if (m := ISO_3166_2.match(c)) else None
    )
    frame["name"] = frame[name_column].astype(str) if name_column else frame["code"]
    invalid = ~frame.geometry.is_valid
    if invalid.any():
        frame.loc[invalid, "geometry"] = shapely.make_valid(frame.geometry[invalid].values)
    if frame["code"].duplicated().any():
        frame = frame.dissolve(by="code", as_index=False, aggfunc="first")
    return gpd.GeoDataFrame(frame[[*columns, "geometry"]], crs="EPSG:4326")


def codes_without_polygon(codes: Iterable[object], boundaries: gpd.GeoDataFrame) -> list[str]:
    """The codes named in records that no polygon of `boundaries` (its `code` column, or
    `iso3`) carries, sorted; blanks and None are skipped. For flows:
    `codes_without_polygon([*routes['nationality'], *routes['destination']], polygons)`."""
    column = "code" if "code" in boundaries.columns else "iso3"
    have = {str(c).strip().upper() for c in boundaries[column].dropna()}
    wanted = {str(c).strip().upper() for c in codes if c is not None and str(c).strip()}
    wanted.discard("NAN")
    return sorted(wanted - have)
