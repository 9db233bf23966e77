"""One loader for the whole validated dataset: records, boundaries, joins and a report."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from geodata import boundaries as bnd
from geodata.countries import country_name, fold, is_iso3
from geodata.io import ROW_COLUMN, XLSX_SUFFIXES, read_table, read_yaml
from geodata.report import Problem, ValidationReport
from geodata.schema import (
    AnchorRow,
    EventRow,
    FigureRow,
    HeadlineRow,
    IndicatorRow,
    LocationRow,
    NoteRow,
    Record,
    RouteRow,
    SourceRow,
    text_problems,
    typed_frame,
    validate_rows,
)

RECORDS_DIR = Path(__file__).parent / "records"
PROFILE_COUNTRIES = ("KHM", "IDN", "LAO", "MMR", "PHL", "THA", "VNM")

# file name -> (row model, required?)
TABLES: dict[str, tuple[type[Record], bool]] = {
    "sources.csv": (SourceRow, True),
    "locations.csv": (LocationRow, True),
    "routes.csv": (RouteRow, True),
    "figures.csv": (FigureRow, False),
    "events.csv": (EventRow, False),
    "notes.csv": (NoteRow, False),
    "indicators.csv": (IndicatorRow, False),
    "country_anchors.csv": (AnchorRow, False),
    "headlines.csv": (HeadlineRow, False),
}
# tables whose rows name rows of another table: a bundled copy is only used with that table's
# bundled copy (the bundled headlines name bundled figures, not a user's)
DEPENDS_ON = {"headlines.csv": "figures.csv"}
PROFILES_FILE = "profiles.yaml"


class ProfilePoint(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1)
    figure_ids: list[str] = []


class ProfileSection(BaseModel):
    model_config = ConfigDict(extra="forbid")
    heading: str = Field(min_length=1)
    section: str = Field(min_length=1)
    points: list[ProfilePoint] = Field(min_length=1)


class Profile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    role: list[Literal["origin", "transit", "destination"]]
    role_label: str
    sections: list[ProfileSection]


@dataclass
class Dataset:
    """The validated records, joined to places and boundaries, with the report of what was kept."""

    sources: pd.DataFrame
    locations: pd.DataFrame
    routes: pd.DataFrame
    figures: pd.DataFrame
    events: pd.DataFrame
    notes: pd.DataFrame
    indicators: pd.DataFrame
    profiles: dict[str, dict]
    admin0: gpd.GeoDataFrame
    admin1: gpd.GeoDataFrame
    nodes: pd.DataFrame  # every route node (location id or ISO3) with its point and country
    report: ValidationReport
    data_dir: Path = field(default=RECORDS_DIR)
    # the cards of the headline band, by rank; figure_ids is a list per card
    headlines: pd.DataFrame = field(default_factory=lambda: _empty(HeadlineRow))

    def source_label(self, source_id: str | None) -> str:
        """'Publisher, Title (Month Year)'; '' for no source (a place shown for context)."""
        if not source_id:
            return ""
        row = self.sources.loc[self.sources["id"] == source_id]
        if row.empty:
            return source_id
        r = row.iloc[0]
        return f"{r['publisher']}, {r['title']} ({readable_date(r['date'])})"


MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def readable_date(iso: str | None) -> str:
    """'2024-02' -> 'February 2024'; '2023-07-26' -> '26 July 2023'; '2023' stays."""
    if not iso:
        return "undated"
    parts = iso.split("-")
    if len(parts) == 1:
        return parts[0]
    month = MONTHS[int(parts[1]) - 1]
    return f"{month} {parts[0]}" if len(parts) == 2 else f"{int(parts[2])} {month} {parts[0]}"


def _empty(model: type[Record]) -> pd.DataFrame:
    return typed_frame([], model)


def _reject(
    frame: pd.DataFrame,
    file: str,
    report: ValidationReport,
    mask: pd.Series,
    column: str,
    reasons: pd.Series | Callable[[pd.DataFrame], Iterable[str]],
) -> pd.DataFrame:
    """Drop rows where mask is true, reporting each with its reason: `reasons` per row, or a
    function giving the refused rows' reasons (worked out for those rows only)."""
    tally = report.tally(file)
    if not mask.any():
        return frame.reset_index(drop=True)
    refused = frame.loc[mask]
    why = reasons(refused) if callable(reasons) else reasons[mask]
    for row_no, reason in zip(refused[ROW_COLUMN], why, strict=True):
        report.add(Problem(file, int(row_no), column, reason))
    tally.rejected += int(mask.sum())
    return frame.loc[~mask].reset_index(drop=True)


def _dedupe(frame: pd.DataFrame, file: str, report: ValidationReport) -> pd.DataFrame:
    if frame.empty:
        return frame
    key = "id" if "id" in frame.columns else "iso3"  # anchors are keyed by country
    mask = frame[key].duplicated(keep="first")

    def reasons(refused: pd.DataFrame) -> list[str]:
        first = frame.loc[frame[key].isin(set(refused[key]))].groupby(key)[ROW_COLUMN].min()
        return [
            f"duplicate {key} {value!r}, first used on row {first[value]}" for value in refused[key]
        ]

    return _reject(frame, file, report, mask, key, reasons)


def _distinct(values: pd.Series) -> tuple[np.ndarray, list]:
    """(code per row, distinct values) of a column of texts, None kept as None (factorize
    would make it NaN)."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=False)
    return codes, [None if u is None or u != u else u for u in uniques.tolist()]


def _check_refs(
    frame: pd.DataFrame,
    file: str,
    report: ValidationReport,
    column: str,
    known: set[str],
    what: str,
    many: bool = False,
    optional: bool = False,
) -> pd.DataFrame:
    if frame.empty:
        return frame

    def missing(value: object) -> list[str]:
        values = value if many else [value]
        return [v for v in values if not (optional and not v) and v not in known]

    if many:
        bad = frame[column].map(missing)
        mask = bad.map(bool)
    else:  # each distinct value judged once
        codes, uniques = _distinct(frame[column])
        judged = [missing(u) for u in uniques]
        mask = pd.Series(np.array([bool(m) for m in judged], dtype=bool)[codes], frame.index)
        bad = pd.Series(codes, frame.index).map(dict(enumerate(judged))) if mask.any() else None

    def reasons(refused: pd.DataFrame) -> list[str]:
        assert bad is not None
        return [f"unknown {what}: {', '.join(map(str, ids))}" for ids in bad[refused.index]]

    return _reject(frame, file, report, mask, column, reasons)


def _resolve_node(node: str, location_ids: set[str], anchors: dict[str, tuple]) -> str | None:
    """None if the node resolves, else the reason it does not."""
    if not node:
        return None
    if node.isupper():
        if not is_iso3(node):
            return f"{node!r} is not an ISO 3166-1 alpha-3 country code"
        if node not in anchors:
            return f"country {node} has no polygon in the boundary file"
        return None
    if node not in location_ids:
        return f"unknown location id {node!r}"
    return None


def _route_nodes(routes: pd.DataFrame) -> set:
    """Every distinct node the routes name (None for an empty end)."""
    return (
        set(routes["origin"])
        | set(routes["destination"])
        | set(itertools.chain.from_iterable(routes["transit"]))
    )


def _check_nodes(
    routes: pd.DataFrame,
    locations: pd.DataFrame,
    anchors: dict[str, tuple],
    file: str,
    report: ValidationReport,
) -> pd.DataFrame:
    """Refuse a route with a node that is neither a known place nor a country with a polygon,
    each distinct node judged once."""
    location_ids = set(locations["id"])
    verdicts = {n: _resolve_node(n or "", location_ids, anchors) for n in _route_nodes(routes)}
    bad = {n for n, why in verdicts.items() if why}
    if bad:
        mask = (
            routes["origin"].isin(bad)
            | routes["destination"].isin(bad)
            | pd.Series([not bad.isdisjoint(t) for t in routes["transit"]], routes.index)
        )
    else:
        mask = pd.Series(False, routes.index)

    def reasons(refused: pd.DataFrame) -> list[str]:
        out = []
        for origin, transit, destination in zip(
            refused["origin"], refused["transit"], refused["destination"], strict=True
        ):
            nodes = [origin or "", *transit, destination or ""]
            out.append("; ".join(why for n in nodes if (why := verdicts.get(n or None))))
        return out

    return _reject(routes, file, report, mask, "origin/transit/destination", reasons)


def _load_profiles(path: Path, report: ValidationReport, figure_ids: set[str]) -> dict:
    name = path.name
    tally = report.tally(name)
    if not path.exists():
        report.add(Problem(name, None, None, "no country profiles file", "warning"))
        return {}
    data = read_yaml(path, report)
    if data is None:
        return {}
    if not isinstance(data, dict):
        report.add(Problem(name, None, None, "expected a mapping of ISO3 codes to profiles"))
        tally.file_error = True
        return {}
    profiles = {}
    for i, (code, body) in enumerate(data.items(), 1):
        tally.read += 1
        if not is_iso3(str(code)):
            report.add(Problem(name, i, str(code), f"{code!r} is not an ISO3 country code"))
            tally.rejected += 1
            continue
        refused = [(where, why) for where, why in text_problems(body) if why]
        if refused:
            for where, why in refused:
                report.add(Problem(name, i, f"{code}.{where}" if where else str(code), why))
            tally.rejected += 1
            continue
        try:
            profile = Profile.model_validate(body)
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(p) for p in err["loc"])
                report.add(Problem(name, i, f"{code}.{loc}", err["msg"]))
            tally.rejected += 1
            continue
        unknown = sorted(
            {f for s in profile.sections for p in s.points for f in p.figure_ids} - figure_ids
        )
        if unknown:
            report.add(
                Problem(
                    name, i, f"{code}.figure_ids", f"unknown figure id(s): {', '.join(unknown)}"
                )
            )
            tally.rejected += 1
            continue
        profiles[str(code)] = profile.model_dump()
        tally.accepted += 1
    for code in PROFILE_COUNTRIES:
        if code not in profiles and profiles:
            report.add(Problem(name, None, code, f"no profile for {country_name(code)}", "warning"))
    return profiles


def _table_path(folder: Path, file: str) -> Path:
    """A table's file in a folder: routes.csv, else routes.xlsx (saved from a spreadsheet)."""
    path = folder / file
    if not path.exists():
        for suffix in XLSX_SUFFIXES:
            sheet = path.with_suffix(suffix)
            if sheet.exists():
                return sheet
    return path


def load_dataset(
    data_dir: Path | str | None = None,
    boundaries: Path | str | None = None,
    code_column: str = "iso3",
    admin1: Path | str | None = None,
    overrides: dict[str, Path | str] | None = None,
) -> Dataset:
    """Read, validate and join everything. Never raises on bad input: see `dataset.report`.

    `data_dir` holds the record files; a file it lacks is taken from the bundled records, and
    the report says so. `overrides` names single files to use in place of a table's file.
    """
    data_dir = Path(data_dir) if data_dir else RECORDS_DIR
    overrides = {k: Path(v) for k, v in (overrides or {}).items()}
    report = ValidationReport()
    if not data_dir.is_dir():
        report.add(Problem(data_dir.name or "data folder", None, None, "data folder not found"))

    admin0 = bnd.load_admin0(report, Path(boundaries) if boundaries else None, code_column)
    admin1_frame = bnd.load_admin1(report, Path(admin1) if admin1 else None)
    anchors = {
        code: bnd.country_anchor(geom) for code, geom in zip(admin0["iso3"], admin0.geometry)
    }

    frames: dict[str, pd.DataFrame] = {}
    names: dict[str, str] = {}  # table -> the name its problems are reported under
    bundled: set[str] = set()  # tables read from the bundled records
    for file, (model, required) in TABLES.items():
        path = overrides.get(file) or _table_path(data_dir, file)
        fallback = not path.exists() and data_dir != RECORDS_DIR and file not in overrides
        if fallback:
            path = RECORDS_DIR / file
        if path == RECORDS_DIR / file and file not in overrides:
            needs = DEPENDS_ON.get(file)
            if needs and needs not in bundled:
                report.add(
                    Problem(
                        file,
                        None,
                        None,
                        f"the bundled {file} names rows of the bundled {needs}, which is not "
                        "used: nothing of this kind shown",
                        "warning",
                    )
                )
                frames[file] = _empty(model)
                names[file] = file
                continue
            bundled.add(file)
        if fallback:
            report.add(
                Problem(
                    file, None, None, "not in the data folder: using the bundled records", "warning"
                )
            )
        if not path.exists() and not required:
            report.add(
                Problem(file, None, None, "file not present; nothing of this kind shown", "warning")
            )
            frames[file] = _empty(model)
            names[file] = file
            continue
        label = names[file] = file if path.name == file else f"{path.name} ({file})"
        raw = read_table(path, report, required=_required_columns(model), label=label)
        frames[file] = _empty(model) if raw is None else validate_rows(raw, model, label, report)
        frames[file] = _dedupe(frames[file], label, report)

    # a route that names only a country is drawn from its capital where the records give one,
    # else from a point inside the country's largest polygon
    capitals = frames["country_anchors.csv"]
    for code, lon, lat in zip(capitals["iso3"], capitals["lon"], capitals["lat"]):
        if code in anchors:
            anchors[code] = (float(lon), float(lat))

    sources = frames["sources.csv"]
    source_ids = set(sources["id"])
    for file in TABLES:
        if "source_id" in frames[file].columns:
            frames[file] = _check_refs(
                frames[file],
                names[file],
                report,
                "source_id",
                source_ids,
                "source",
                optional=True,  # only a place shown for context has none (see LocationRow)
            )

    locations = frames["locations.csv"]
    locations = _check_locations(locations, admin0, admin1_frame, report, names["locations.csv"])
    frames["locations.csv"] = locations

    routes = frames["routes.csv"]
    if not routes.empty:
        routes = _check_nodes(routes, locations, anchors, names["routes.csv"], report)
        routes = _check_refs(
            routes,
            names["routes.csv"],
            report,
            "nationality",
            set(anchors) | {None},
            "nationality (no polygon)",
            optional=True,
        )
    nodes = _nodes(routes, locations, anchors)
    routes = _join_routes(routes, nodes)

    indicators = frames["indicators.csv"]
    figures = frames["figures.csv"]
    figures = _check_refs(
        figures,
        names["figures.csv"],
        report,
        "indicator",
        set(indicators["id"]),
        "indicator",
        optional=True,
    )
    figures = _one_figure_per_country(figures, names["figures.csv"], report)
    figure_ids = set(figures["id"])
    events = frames["events.csv"]
    events = _check_refs(
        events,
        names["events.csv"],
        report,
        "location_id",
        set(locations["id"]),
        "location",
        optional=True,
    )
    events = _check_refs(
        events, names["events.csv"], report, "figure_ids", figure_ids, "figure id", many=True
    )
    events = _join_events(events, locations)
    headlines = frames["headlines.csv"]
    headlines = _check_refs(
        headlines,
        names["headlines.csv"],
        report,
        "figure_ids",
        figure_ids,
        "figure id",
        many=True,
    )
    headlines = _unique_ranks(headlines, names["headlines.csv"], report)
    notes = frames["notes.csv"]
    notes = _check_refs(
        notes,
        names["notes.csv"],
        report,
        "refers_to",
        figure_ids | set(routes.get("id", [])),
        "figure or route id",
        many=True,
    )

    final = {
        "sources.csv": sources,
        "locations.csv": locations,
        "routes.csv": routes,
        "figures.csv": figures,
        "events.csv": events,
        "notes.csv": notes,
        "indicators.csv": indicators,
        "country_anchors.csv": capitals,
        "headlines.csv": headlines,
    }
    assert set(final) == set(TABLES), "every table's tally is settled here"
    for file, frame in final.items():
        tally = report.tally(names[file])
        if not tally.file_error:
            tally.accepted = len(frame)

    profiles_path = overrides.get(PROFILES_FILE) or data_dir / PROFILES_FILE
    if not profiles_path.exists() and data_dir != RECORDS_DIR:
        profiles_path = RECORDS_DIR / PROFILES_FILE
    profiles = _load_profiles(profiles_path, report, figure_ids)
    return Dataset(
        sources=sources,
        locations=locations,
        routes=routes,
        figures=figures,
        events=events,
        notes=notes,
        indicators=indicators,
        profiles=profiles,
        admin0=admin0,
        admin1=admin1_frame,
        nodes=nodes,
        report=report,
        data_dir=data_dir,
        headlines=headlines,
    )


def _one_figure_per_country(
    figures: pd.DataFrame, file: str, report: ValidationReport
) -> pd.DataFrame:
    """An indicator colours each country by one figure: a second one for a country is refused."""
    if figures.empty:
        return figures
    keyed = figures["indicator"].notna()
    dup = keyed & figures.duplicated(["indicator", "scope"], keep="first")
    reasons = (
        "indicator "
        + figures["indicator"].astype(str)
        + " already has a figure for "
        + figures["scope"].astype(str)
    )
    return _reject(figures, file, report, dup, "indicator", reasons)


def _unique_ranks(headlines: pd.DataFrame, file: str, report: ValidationReport) -> pd.DataFrame:
    """Each card has its own place in the band: a rank used twice keeps its first row only."""
    if headlines.empty:
        return headlines
    first_row = headlines.groupby("rank")[ROW_COLUMN].transform("min")
    mask = headlines["rank"].duplicated(keep="first")
    reasons = "duplicate rank " + headlines["rank"].astype(str) + ", first used on row "
    reasons = reasons + first_row.astype(str)
    kept = _reject(headlines, file, report, mask, "rank", reasons)
    return kept.sort_values("rank", kind="stable").reset_index(drop=True)


def _required_columns(model: type[Record]) -> list[str]:
    return [name for name, f in model.model_fields.items() if f.is_required()]


def _check_locations(
    locations: pd.DataFrame,
    admin0: gpd.GeoDataFrame,
    admin1: gpd.GeoDataFrame,
    report: ValidationReport,
    file: str,
) -> pd.DataFrame:
    """A location's country is its record's; the polygons only confirm it exists at all."""
    if locations.empty:
        return locations
    known = set(admin0["iso3"])
    if known:
        mask = ~locations["iso3"].isin(known)
        reasons = "country " + locations["iso3"] + " has no polygon in the boundary file"
        locations = _reject(locations, file, report, mask, "iso3", reasons)
    names = {(c, fold(n)) for c, n in zip(admin1["iso3"], admin1["name"]) if n}
    covered = set(admin1["iso3"])
    for row_no, iso3, adm in zip(locations[ROW_COLUMN], locations["iso3"], locations["admin1"]):
        if adm and iso3 in covered and (iso3, fold(adm)) not in names:
            report.add(
                Problem(
                    file,
                    int(row_no),
                    "admin1",
                    f"{adm!r} is not a province/state of {iso3} in the admin-1 file",
                    "warning",
                )
            )
    return locations


def _nodes(routes: pd.DataFrame, locations: pd.DataFrame, anchors: dict) -> pd.DataFrame:
    """Every place a route passes, with the point it is drawn at and the country it is in."""
    rows = []
    for loc in locations.itertuples():
        rows.append(
            {
                "node": loc.id,
                "name": loc.name,
                "lon": loc.lon,
                "lat": loc.lat,
                "iso3": loc.iso3,
                "is_country": False,
            }
        )
    used = {n for n in _route_nodes(routes) if n and n.isupper()} if len(routes) else set()
    rows += [country_node(code, *anchors[code]) for code in sorted(used)]
    return pd.DataFrame(rows, columns=["node", "name", "lon", "lat", "iso3", "is_country"])


def country_node(code: str, lon: float, lat: float) -> dict:
    """A country as a route node: drawn at its anchor point."""
    return {
        "node": code,
        "name": country_name(code),
        "lon": lon,
        "lat": lat,
        "iso3": code,
        "is_country": True,
    }


def _lookup(values: pd.Series, table: dict) -> pd.Series:
    """table[value] per row (None for an empty value or one not in the table), each distinct
    value looked up once."""
    codes, uniques = _distinct(values)
    found = np.empty(len(uniques), dtype=object)
    found[:] = [table.get(u) if u else None for u in uniques]
    return pd.Series(found[codes], index=values.index, dtype=object)


def _join_routes(routes: pd.DataFrame, nodes: pd.DataFrame) -> pd.DataFrame:
    """Add each route's origin and destination countries and place names from the records."""
    routes = routes.copy()
    iso = dict(zip(nodes["node"], nodes["iso3"]))
    name = dict(zip(nodes["node"], nodes["name"]))
    routes["origin_iso3"] = _lookup(routes["origin"], iso)
    routes["destination_iso3"] = _lookup(routes["destination"], iso)
    paths = [
        [n for n in (origin, *transit, destination) if n]
        for origin, transit, destination in zip(
            routes["origin"], routes["transit"], routes["destination"], strict=True
        )
    ]
    routes["path"] = _objects(paths)
    routes["path_names"] = _objects([[name[n] for n in path] for path in paths])
    flow = np.fromiter(map(len, paths), dtype=np.int64, count=len(paths)) >= 2
    at = routes["destination"].notna().to_numpy() & (
        routes["destination"].to_numpy(dtype=object) != ""
    )
    routes["end"] = _objects(np.where(flow, "flow", np.where(at, "at", "from")).tolist())
    return routes


def route_end(path: list[str], destination: str | None) -> str:
    """'flow' for a path of two or more nodes (drawn as a line); a single node is a place
    figure, 'at' when it is the route's destination and 'from' when it is only its origin."""
    if len(path) >= 2:
        return "flow"
    return "at" if destination else "from"


def _objects(values: list) -> pd.Series:
    """A column of strings with None for missing (pandas would make missing values NaN)."""
    return pd.Series(values, dtype=object) if values else pd.Series([], dtype=object)


def _join_events(events: pd.DataFrame, locations: pd.DataFrame) -> pd.DataFrame:
    events = events.copy()
    loc = locations.set_index("id")
    events["lon"] = events["location_id"].map(lambda i: loc.lon.get(i) if i else None)
    events["lat"] = events["location_id"].map(lambda i: loc.lat.get(i) if i else None)
    # the event's country: its own iso3, else its location's record
    events["country"] = [
        c if c else (loc.iso3.get(i) if i else None)
        for c, i in zip(events["iso3"], events["location_id"])
    ]
    return events
