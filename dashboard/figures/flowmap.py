"""The flow map: data in, figure out (a go.Figure, or its plain dict for the explorer). Pure;
used by the explorer, briefings, exports and tests.

What a reader sees: every route the sources report, drawn once in its direction, with its
count, measure and period printed beside it; counts recorded at a place drawn at the place as a
labelled circle (area on one fixed scale); countries tinted by their role in the report and
named; two insets for the places the regional scale packs into a few pixels (the Moei river,
the Golden Triangle). Counts of different measures are never summed, and line widths compare
counts only when one measure is chosen.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import chain

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely

from dashboard.figures import frame as frames
from dashboard.figures.labels import Frame, LineLabel, PointLabel, place_labels
from dashboard.figures.selection import MapContent, map_content
from dashboard.figures.style import (
    BORDER,
    EVENT_COLOUR,
    EVENT_SYMBOLS,
    FONT_FAMILY,
    FORM_COLOURS,
    HALO,
    INK,
    KIND_COLOURS,
    MOVEMENT_COLOURS,
    MOVEMENT_TEXT,
    MUTED,
    OCEAN,
    PLACE_FIGURE_COLOUR,
    PLACE_FIGURE_LINE,
    ROLE_COLOURS,
)
from dashboard.state import ViewState
from dashboard.text import (
    FORM_LABELS,
    counted,
    format_count,
    format_value,
    measure_label,
    period_label,
    short_count,
    short_period,
    withheld,
)
from geodata.countries import country_name
from geodata.dataset import PROFILE_COUNTRIES, Dataset
from geodata.flows import (
    WIDTH_CLASSES,
    flow_lines,
    fold_routes,
    rank_routes,
    route_legs,
    width_class,
)


def _plain(value):
    if isinstance(value, (np.ndarray, pd.Series, pd.Index)):
        return value.tolist()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    return value


def _trace(kind: str, **props) -> dict:
    """A trace as the dict plotly.js reads: building go objects validates every property as
    it is set, which costs more than the map's own work (None leaves a property out)."""
    return {"type": kind, **{k: _plain(v) for k, v in props.items() if v is not None}}


class _Figure:
    """Traces and layout gathered as plain dicts (see `_trace`)."""

    def __init__(self) -> None:
        self.data: list[dict] = []
        self.layout: dict = {}

    def add_trace(self, trace: dict) -> None:
        self.data.append(trace)

    def add_traces(self, traces: list[dict]) -> None:
        self.data.extend(traces)

    def update_layout(self, **props) -> None:
        self.layout.update({k: _plain(v) for k, v in props.items() if v is not None})

    def to_dict(self) -> dict:
        return {"data": self.data, "layout": self.layout}


DISCLAIMER = (
    "For illustration only: boundaries, names and designations on this map do not imply "
    "endorsement or acceptance by IOM."
)
VIEW_BBOX = (40.0, -15.0, 150.0, 55.0)  # countries drawn from the bundled polygons
LINE_PX = 2.4  # every counted route, when widths do not encode counts
UNKNOWN_LINE_PX = 1.4
PLACE_SCALE = 0.7  # circle diameter in px per square root of a person: 1,000 people -> 22 px
PLACE_MIN_PX = 8.0
REFERENCE_COUNTS = (100, 1_000, 2_500)  # circles shown in the legend, on the same scale
INSET_WIDTH = 0.235  # share of the figure's width taken by the inset column
SAMPLES = 24
# A crowded selection: the routes drawn one by one, the largest first; the rest are folded into
# country-to-country flows that the map says it shows (geodata.flows.fold_routes)
MAX_ROUTES = 200
MAX_ROUTE_LABELS = 20  # of those, the ones whose numbers are printed (the rest on hover)
MAX_PLACE_FIGURES = 25  # counts at places drawn as circles, the largest first
MAX_PLACES = 40  # beyond this, only the places the drawn routes and circles use
FOLDED_COLOUR = "#8a8a8a"
ORIENTATION_KINDS = ("airport", "border_crossing")


# ---------------------------------------------------------------- geometry, sent once


def region_countries(admin0: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Countries that touch the map's view box, in a fixed order."""
    frame = admin0.loc[admin0.intersects(shapely.box(*VIEW_BBOX)), ["iso3", "name", "geometry"]]
    return frame.reset_index(drop=True)


@lru_cache(maxsize=8)
def _geojson_text(admin0_key: int, text: str) -> dict:
    return json.loads(text)


def countries_geojson(dataset: Dataset) -> dict:
    """The region's polygons as GeoJSON for plotly (cached per boundary set)."""
    frame = region_countries(dataset.admin0)
    return _geojson_text(id(dataset.admin0), frame.to_json(drop_id=True))


SCREEN_MARGIN = 15.0  # degrees kept around the view box: no view reaches the cut
SCREEN_TOLERANCE = 0.01  # degrees (about 1 km): a quarter of a pixel on the explorer's map


def screen_geojson(dataset: Dataset) -> dict:
    """The region's polygons for a screen: cut to the view box with a wide margin and
    simplified to well under a pixel, so the browser fetches less and draws the same map.
    (Exports, which print larger, use `countries_geojson`.)"""

    def build() -> dict:
        frame = region_countries(dataset.admin0).copy()
        lo0, la0, lo1, la1 = VIEW_BBOX
        m = SCREEN_MARGIN
        box = shapely.box(lo0 - m, la0 - m, lo1 + m, la1 + m)
        geoms = shapely.intersection(frame.geometry.values, box)
        geoms = shapely.simplify(geoms, SCREEN_TOLERANCE, preserve_topology=True)
        frame["geometry"] = shapely.set_precision(geoms, 0.01)
        frame = frame[~frame.geometry.is_empty]
        return json.loads(frame.to_json(drop_id=True))

    return _memo("screen-geojson", dataset.admin0, build)


WORLD_TOLERANCE = 0.1  # degrees: under half a pixel where the whole world is 1,000 px wide
# a view of case records whose flows end beyond this box is drawn on a frame fitted to them
REGION_SLACK: frames.LonLat = ((80.0, 140.0), (-15.0, 35.0))
WORLD_LATS = (-56.0, 75.0)  # a fitted frame never reaches the poles


@dataclass(frozen=True)
class Geometry:
    """Where the browser fetches the countries' polygons: the region's (every view) and the
    world's (fetched only when a view of case records reaches beyond the region)."""

    region: str
    world: str | None = None


def world_geojson(dataset: Dataset) -> dict:
    """Every country's polygons, simplified for a map of the whole world."""

    def build() -> dict:
        frame = dataset.admin0[["iso3", "name", "geometry"]].copy()
        geoms = shapely.simplify(frame.geometry.values, WORLD_TOLERANCE, preserve_topology=True)
        frame["geometry"] = shapely.set_precision(geoms, 0.01)
        frame = frame[~frame.geometry.is_empty]
        return json.loads(frame.to_json(drop_id=True))

    return _memo("world-geojson", dataset.admin0, build)


def wide_frame(dataset: Dataset, state: ViewState, content: MapContent) -> frames.LonLat | None:
    """The frame for a view of case records whose flows reach beyond Southeast Asia: the ends
    of every flow of the view (`content` before folding, so folded lines count too), the
    region itself, and a margin; None for any other view, which keeps the regional frame (the
    report's routes to China or the Gulf leave it by design)."""
    if state.measure != "case_records":
        return None
    at = dict(zip(dataset.nodes["node"], zip(dataset.nodes["lon"], dataset.nodes["lat"])))
    used = set(chain.from_iterable(content.flows.get("path", [])))
    points = [at[n] for n in used if n in at]
    if not points:
        return None
    lons = [float(p[0]) for p in points]
    lats = [float(p[1]) for p in points]
    (lo0, lo1), (la0, la1) = REGION_SLACK
    if min(lons) >= lo0 and max(lons) <= lo1 and min(lats) >= la0 and max(lats) <= la1:
        return None
    (r0, r1), (s0, s1) = frames.REGION
    lon0, lon1 = max(-180.0, min(lons + [r0]) - 6.0), min(180.0, max(lons + [r1]) + 6.0)
    lat0 = max(WORLD_LATS[0], min(lats + [s0]) - 5.0)
    lat1 = min(WORLD_LATS[1], max(lats + [s1]) + 5.0)
    return (round(lon0, 1), round(lon1, 1)), (round(lat0, 1), round(lat1, 1))


@lru_cache(maxsize=8)
def _label_points(admin0_key: int, codes: tuple[str, ...], geoms: tuple) -> dict:
    out = {}
    for code, geom in zip(codes, geoms):
        if geom is None or geom.is_empty:
            continue
        parts = list(getattr(geom, "geoms", [geom]))
        biggest = max(parts, key=lambda g: g.area)
        point = shapely.ops.polylabel(biggest, tolerance=0.05)
        out[code] = (round(point.x, 2), round(point.y, 2))
    return out


def country_label_points(dataset: Dataset) -> dict[str, tuple[float, float]]:
    """Where a country's name goes: the pole of inaccessibility of its largest polygon."""
    import shapely.ops  # noqa: F401  (polylabel)

    rows = dataset.admin0[dataset.admin0["iso3"].isin(PROFILE_COUNTRIES)]
    return _label_points(id(dataset.admin0), tuple(rows["iso3"]), tuple(rows.geometry))


# ---------------------------------------------------------------- the countries' colours


def role_key(profile: dict | None) -> str:
    """'transit and destination', 'destination and origin'... in one fixed order."""
    roles = [r for r in ("transit", "destination", "origin") if profile and r in profile["role"]]
    if not roles:
        return "none"
    return roles[0] if len(roles) == 1 else ", ".join(roles[:-1]) + " and " + roles[-1]


def source_text(dataset: Dataset, source_id: str | None, section: str | None) -> str:
    if not source_id:
        return ""
    labels = _memo(
        "sources",
        dataset.sources,
        lambda: {sid: dataset.source_label(sid) for sid in dataset.sources["id"]},
    )
    return f"Source: {labels.get(source_id, source_id)} — {section}"


def country_hover(dataset: Dataset, code: str, counted: list[str]) -> str:
    """A country's name, role, and the counts recorded for it with no place stated."""
    lines = [f"<b>{country_name(code)}</b>"]
    profile = dataset.profiles.get(code)
    if profile:
        lines.append(profile["role_label"])
    lines += counted
    if profile:
        lines.append("Click to open the country profile")
    return "<br>".join(lines)


MAX_COUNTRY_COUNTS = 8  # count lines in a country's hover: the page must not grow with the data


def country_counts(content: MapContent) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    more: dict[str, int] = {}
    for r in content.country_figures.itertuples():
        if (r.count == r.count and r.count is not None) or withheld(r):
            lines = out.setdefault(r.place, [])
            if len(lines) == MAX_COUNTRY_COUNTS:
                more[r.place] = more.get(r.place, 0) + 1
                continue
            lines.append(
                f"{format_count(r.count, r.qualifier, withheld(r)).capitalize()} "
                f"{measure_label(r.measure)} "
                f"({short_period(r.year_start, r.year_end, r.period)}; no place stated)"
            )
    for place, n in more.items():
        out[place].append(f"and {n:,} more with no place stated (see the table)")
    return out


def countries_trace(
    dataset: Dataset,
    content: MapContent,
    geojson: dict | str,
    geo: str = "geo",
    world: bool = False,
) -> dict:
    admin0 = dataset.admin0 if world else region_countries(dataset.admin0)
    codes = list(admin0["iso3"])
    counts = country_counts(content)
    keys = list(ROLE_COLOURS)
    z = [keys.index(role_key(dataset.profiles.get(c))) for c in codes]
    n = len(keys)
    scale = []
    for i, k in enumerate(keys):
        scale += [[i / n, ROLE_COLOURS[k]], [(i + 1) / n, ROLE_COLOURS[k]]]
    return _trace(
        "choropleth",
        geojson=geojson,
        featureidkey="properties.iso3",
        locations=codes,
        z=z,
        zmin=0,
        zmax=n,
        colorscale=scale,
        showscale=False,
        marker={"line": {"color": BORDER, "width": 0.6}},
        text=[country_hover(dataset, c, counts.get(c, [])) for c in codes],
        hovertemplate="%{text}<extra></extra>",
        name="Countries",
        showlegend=False,
        geo=geo,
    )


def outline_trace(geojson: dict | str, code: str) -> dict:
    """The selected country, outlined."""
    return _trace(
        "choropleth",
        geojson=geojson,
        featureidkey="properties.iso3",
        locations=[code],
        z=[1],
        colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]],
        showscale=False,
        marker={"line": {"color": INK, "width": 2.6}},
        hoverinfo="skip",
        showlegend=False,
        name="Selected country",
    )


# ---------------------------------------------------------------- routes


def route_colour(route) -> str:
    form = getattr(route, "form", None)
    if form in FORM_COLOURS:
        return FORM_COLOURS[form]
    return MOVEMENT_COLOURS.get(
        getattr(route, "movement", "trafficking"), MOVEMENT_COLOURS["trafficking"]
    )


def route_label(route, short: bool = False) -> str | None:
    """'437 rescued · May 2023', '600+ returned · H1 2023', '37 % of repatriations · since 2022'
    — or None for a route known without a number (drawn dotted instead). `short` leaves the
    period to the hover, for a phone's small map."""
    period = "" if short else " · " + short_period(route.year_start, route.year_end, route.period)
    hidden = withheld(route)
    if (route.count == route.count and route.count is not None) or hidden:
        count = short_count(route.count, route.qualifier, hidden)
        return f"{count} {measure_label(route.measure)}{period}"
    share = getattr(route, "share_pct", None)
    if share == share and share is not None:
        noun = {"repatriated": "repatriations", "returned": "returns"}.get(
            route.measure, measure_label(route.measure)
        )
        return f"{share:g} % of {noun}{period}"
    return None


def route_hover(dataset: Dataset, route) -> str:
    path = " → ".join(route.path_names)
    who = country_name(route.nationality) if route.nationality else "nationality not stated"
    lines = [
        f"<b>{path}</b>",
        f"People: {who}",
        f"{measure_label(route.measure).capitalize()}: "
        + format_count(route.count, route.qualifier, withheld(route)),
        f"Period: {period_label(route.year_start, route.year_end, route.period)}",
    ]
    share = getattr(route, "share_pct", None)
    if share == share and share is not None:
        lines.append(f"Share: {share:g} %")
    form = getattr(route, "form", None)
    if form:
        lines.append(f"Form: {FORM_LABELS.get(form, form).lower()}")
    notes = notes_about(dataset, route.id)
    if notes:
        lines.append(
            f"{len(notes)} note{'s' if len(notes) > 1 else ''} on this route: click to read"
        )
    lines.append(source_text(dataset, route.source_id, route.section))
    lines.append("Click the route for its card")
    return "<br>".join(lines)


_MEMO: dict[tuple[str, int], tuple[object, object]] = {}


def _memo(name: str, owner: object, build):
    """A value computed once per read-only object of the dataset (kept with the object, so an
    id reused by another object is never mistaken for it)."""
    key = (name, id(owner))
    hit = _MEMO.get(key)
    if hit is None or hit[0] is not owner:
        if len(_MEMO) > 64:
            _MEMO.clear()
        hit = _MEMO[key] = (owner, build())
    return hit[1]


def notes_about(dataset: Dataset, record_id: str) -> list:
    def build() -> dict[str, list]:
        out: dict[str, list] = {}
        for _, n in dataset.notes.iterrows():
            for ref in n["refers_to"]:
                out.setdefault(ref, []).append(n)
        return out

    return _memo("notes", dataset.notes, build).get(record_id, [])


def _country_polygons(dataset: Dataset) -> dict[str, object]:
    return dict(zip(dataset.admin0["iso3"], dataset.admin0.geometry))


def clip_into_country(lons: list[float], lats: list[float], polygon) -> int:
    """How many points of a curve to keep so that it stops a little inside the polygon it
    enters, rather than at the country's capital: a route into a country with no place stated
    ends at the country, not at a city."""
    if polygon is None:
        return len(lons)
    inside = shapely.contains_xy(polygon, np.asarray(lons), np.asarray(lats))
    hits = np.flatnonzero(inside)
    if not len(hits):
        return len(lons)
    entry = int(hits[0])
    # a quarter of the way on from the border, never all the way to the capital
    keep = max(entry + 1, entry + (len(lons) - entry) // 4)
    return min(len(lons) - 1, keep)


@dataclass
class Flow:
    route_id: str
    lons: list[float]
    lats: list[float]
    colour: str
    text_colour: str
    width: float
    dash: str
    hover: str
    label: str | None
    arrow: tuple[float, float, float]  # lon, lat, bearing


def flows_for(
    dataset: Dataset, routes: pd.DataFrame, state: ViewState, scale: float = 1.0
) -> list[Flow]:
    """Each route as one curved polyline (its legs joined), with its arrow and label; line
    widths are multiplied by `scale` (a projector's heavier lines), still one fixed scale."""
    if routes.empty:
        return []
    legs = flow_lines(route_legs(routes, dataset.nodes), samples=SAMPLES)
    polygons = _country_polygons(dataset)
    is_country = dict(zip(dataset.nodes["node"], dataset.nodes["is_country"]))
    # each route's legs, in order (flow_lines sorts them by route and leg)
    rows: dict[str, list[int]] = {}
    for i, rid in enumerate(legs["route_id"]):
        rows.setdefault(rid, []).append(i)
    leg_lons, leg_lats = legs["lons"].to_numpy(), legs["lats"].to_numpy()
    leg_no, leg_count = legs["leg"].to_numpy(), legs["legs"].to_numpy()
    to_node = legs["to_node"].to_numpy()
    out = []
    for r in routes.itertuples():
        own = rows.get(r.id)
        if not own:
            continue
        lons: list[float] = []
        lats: list[float] = []
        for i in own:
            lo, la = list(leg_lons[i]), list(leg_lats[i])
            if leg_no[i] == leg_count[i] - 1 and is_country.get(to_node[i]):
                keep = clip_into_country(lo, la, polygons.get(to_node[i]))
                lo, la = lo[:keep], la[:keep]
            if lons:
                lo, la = lo[1:], la[1:]
            lons += lo
            lats += la
        counted = r.count == r.count and r.count is not None
        shared = getattr(r, "share_pct", None)
        # a count withheld by small-count protection is a number, printed '<10'
        has_number = counted or (shared == shared and shared is not None) or bool(withheld(r))
        width = LINE_PX if has_number else UNKNOWN_LINE_PX
        if state.width_by_count and counted:
            k = width_class(r.count)
            width = WIDTH_CLASSES[k].width_px if k is not None else width
        movement = getattr(r, "movement", "trafficking") or "trafficking"
        end_lon, end_lat = lons[-1], lats[-1]
        back = max(0, len(lons) - 3)
        bearing = _bearing(lons[back], lats[back], end_lon, end_lat)
        out.append(
            Flow(
                route_id=r.id,
                lons=[round(v, 3) for v in lons],
                lats=[round(v, 3) for v in lats],
                colour=route_colour(r),
                text_colour=MOVEMENT_TEXT.get(movement, INK),
                width=width * scale,
                dash="solid" if has_number else "dot",
                hover=route_hover(dataset, r),
                label=route_label(r),
                arrow=(end_lon, end_lat, bearing),
            )
        )
    return out


def _bearing(lon0: float, lat0: float, lon1: float, lat1: float) -> float:
    east = (lon1 - lon0) * math.cos(math.radians((lat0 + lat1) / 2))
    north = lat1 - lat0
    return math.degrees(math.atan2(east, north)) % 360.0


def flow_traces(
    flows: list[Flow], geo: str = "geo", hover: bool = True, selected: str | None = None
) -> list[dict]:
    """One trace per route (so that hover answers along its whole length), then the arrows.
    A selected route is drawn heavier and the others lighter."""
    traces = []
    for f in flows:
        opacity = 0.9 if f.dash == "solid" else 0.75
        width = f.width
        if selected:
            opacity = 1.0 if f.route_id == selected else 0.35
            width = width + 2.5 if f.route_id == selected else width
        traces.append(
            _trace(
                "scattergeo",
                lon=f.lons,
                lat=f.lats,
                mode="lines",
                line={"width": width, "color": f.colour, "dash": f.dash},
                opacity=opacity,
                text=f.hover if hover else None,
                hovertemplate="%{text}<extra></extra>" if hover else None,
                hoverinfo=None if hover else "skip",
                customdata=[f.route_id] * len(f.lons) if hover else None,
                showlegend=False,
                name=f.route_id,
                geo=geo,
            )
        )
    if flows:
        traces.append(
            _trace(
                "scattergeo",
                lon=[f.arrow[0] for f in flows],
                lat=[f.arrow[1] for f in flows],
                mode="markers",
                hoverinfo="skip",
                marker={
                    "symbol": "triangle-up",
                    "size": [5 + 1.6 * f.width for f in flows],
                    "angle": [f.arrow[2] for f in flows],
                    # clockwise from screen-up: on this north-up map that is the bearing
                    "angleref": "up",
                    "color": [f.colour for f in flows],
                },
                showlegend=False,
                name="arrows",
                geo=geo,
            )
        )
    return traces


# ---------------------------------------------------------------- places and place figures


def short_name(name: str) -> str:
    """'Clark (Clark Freeport and Special Economic Zone)' -> 'Clark' for on-map labels."""
    name = name.split(" (")[0]
    name = name.replace("Special Economic Zone", "SEZ").replace("International Airport", "airport")
    return name.replace("Thai–Myanmar Friendship Bridge", "Friendship Bridge")


def circle_px(count: float) -> float:
    """A place figure's circle diameter on the one fixed scale (area proportional to count)."""
    return max(PLACE_MIN_PX, PLACE_SCALE * math.sqrt(max(0.0, float(count))))


def place_figure_lines(figures: pd.DataFrame, short: bool = False) -> list[str]:
    lines = []
    for r in figures.itertuples():
        period = short_period(r.year_start, r.year_end, r.period)
        if (r.count == r.count and r.count is not None) or withheld(r):
            count = short_count(r.count, r.qualifier, withheld(r))
            where = " from here" if r.end == "from" else ""
            line = f"{count} {measure_label(r.measure)}{where}"
            if short:
                lines.append(line)
            elif len(line) + len(period) < 24:
                lines.append(f"{line} · {period}")
            else:  # a long line breaks before its period, so that labels stay narrow
                lines += [line, period]
    return lines


def place_hover(dataset: Dataset, loc, figures: pd.DataFrame) -> str:
    """A place's hover: its name, kind and country, then each count recorded there with its
    source (kept per dataset by place and counts: the text depends on nothing else)."""
    key = (loc.id, tuple(figures["id"]), tuple(figures["end"])) if len(figures) else (loc.id,)
    known = _memo("place-hover", dataset.routes, dict)
    text = known.get(key)
    if text is None:
        if len(known) > 20_000:
            known.clear()
        text = known[key] = _place_hover(dataset, loc, figures)
    return text


def _place_hover(dataset: Dataset, loc, figures: pd.DataFrame) -> str:
    kind = loc.kind.replace("_", " ")
    lines = [
        f"<b>{loc.name}</b>",
        f"{kind} — {loc.admin1 + ', ' if loc.admin1 else ''}{country_name(loc.iso3)}",
    ]
    for r in figures.itertuples():
        count = format_count(r.count, r.qualifier, withheld(r))
        period = period_label(r.year_start, r.year_end, r.period)
        if r.end == "from":
            lines.append(f"Leaving here: {measure_label(r.measure)}, {count} ({period})")
        else:
            lines.append(f"{measure_label(r.measure).capitalize()}: {count} ({period})")
        if r.note and r.measure == "reported_route":
            lines.append(f"<i>{_wrap(r.note, 70)}</i>")
        lines.append(source_text(dataset, r.source_id, r.section))
    if loc.claim == "context":
        lines.append("Not named in the report: shown for orientation.")
        lines.append(f"Location: {loc.coord_source}")
    elif not len(figures):
        lines.append(source_text(dataset, loc.source_id, loc.section))
    return "<br>".join(line for line in lines if line)


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "<br>".join(textwrap.wrap(str(text), width))


# ---------------------------------------------------------------- events


def event_hover(dataset: Dataset, e: pd.Series) -> str:
    """An event's hover: its date, kind and title, the figures it reports, its source (kept
    per dataset by event: the text depends on the event's record alone)."""
    known = _memo("event-hover", dataset.events, dict)
    text = known.get(e["id"])
    if text is None:
        text = known[e["id"]] = _event_hover(dataset, e)
    return text


def _event_hover(dataset: Dataset, e: pd.Series) -> str:
    figures = _memo(
        "figures-by-id",
        dataset.figures,
        lambda: {r["id"]: r for r in dataset.figures.to_dict("records")},
    )
    lines = [f"<b>{e['date_label']}</b> — {e['kind'].replace('_', ' ')}", e["title"]]
    for fid in e["figure_ids"]:
        f = figures.get(fid)
        if f is None:
            continue
        lines.append(
            f"{f['label']}: {format_value(f['value'], f['unit'], f['qualifier'], f['value_max'])}"
        )
    lines.append(source_text(dataset, e["source_id"], e["section"]))
    return "<br>".join(lines)


def event_trace(dataset: Dataset, events: pd.DataFrame, geo: str = "geo") -> dict:
    pts = events[events["lon"].notna()]
    # several events at one place: spread them on a small ring so each can be hovered
    offsets = pts.groupby(["lon", "lat"]).cumcount()
    angle = offsets * 2.4 + 0.6
    radius = np.where(offsets > 0, 0.35, 0.22)
    return _trace(
        "scattergeo",
        lon=(pts["lon"] + radius * np.cos(angle)).round(3),
        lat=(pts["lat"] + radius * np.sin(angle)).round(3),
        mode="markers",
        marker={
            "size": 9,
            "color": EVENT_COLOUR,
            "symbol": [EVENT_SYMBOLS.get(k, "circle") for k in pts["kind"]],
            "line": {"width": 1, "color": "#0b3d2e"},
        },
        text=[event_hover(dataset, e) for _, e in pts.iterrows()],
        customdata=[[c] for c in pts["country"]],
        hovertemplate="%{text}<extra></extra>",
        name="Dated events at their places",
        showlegend=False,
        geo=geo,
    )


# ---------------------------------------------------------------- legend


@dataclass(frozen=True)
class LegendEntry:
    kind: str  # "line", "marker", "circle", "fill"
    label: str
    colour: str
    dash: str = "solid"
    width: float = LINE_PX
    symbol: str = "circle"
    size: float = 9
    group: str = ""


def legend_entries(
    dataset: Dataset,
    state: ViewState,
    content: MapContent,
    folded: bool | None = None,
    wide: bool | None = None,
) -> list[LegendEntry]:
    """What the map's marks mean, for the explorer's legend and the printed one alike.
    `folded`: whether the map folds routes into grey country-to-country lines (by default,
    whether `content` holds more routes than a map draws one by one); `wide`: whether it is
    a map of the world (case records beyond the region), which draws no place markers (by
    default, worked out from the view)."""
    out: list[LegendEntry] = []
    if folded is None:
        folded = len(content.flows) > MAX_ROUTES
    if wide is None:
        wide = wide_frame(dataset, state, content) is not None
    movements = set(content.flows.get("movement", pd.Series(dtype=object))) | set(
        content.place_figures.get("movement", pd.Series(dtype=object))
    )
    group = "Routes"
    if "trafficking" in movements or "routes" in state.layers:
        out.append(
            LegendEntry(
                "line",
                "Trafficking route, with its count",
                MOVEMENT_COLOURS["trafficking"],
                group=group,
            )
        )
    if "return" in movements or "returns" in state.layers:
        out.append(
            LegendEntry(
                "line",
                "Return, repatriation or deportation",
                MOVEMENT_COLOURS["return"],
                group=group,
            )
        )
    if "other" in state.layers:
        out.append(
            LegendEntry(
                "line", "Movement not called trafficking", MOVEMENT_COLOURS["other"], group=group
            )
        )
    forms = set(content.flows.get("form", pd.Series(dtype=object)))
    for form, colour in FORM_COLOURS.items():
        if form in forms:
            out.append(LegendEntry("line", FORM_LABELS[form], colour, group=group))
    out.append(
        LegendEntry(
            "line",
            "Route reported, number not stated",
            MUTED,
            dash="dot",
            width=UNKNOWN_LINE_PX,
            group=group,
        )
    )
    if folded:
        out.append(
            LegendEntry(
                "line",
                "Smaller routes folded into one line per pair of countries (hover for counts)",
                FOLDED_COLOUR,
                width=1.6,
                group=group,
            )
        )
    if state.width_by_count:
        for wc in WIDTH_CLASSES:
            out.append(
                LegendEntry(
                    "line",
                    f"{wc.label} {measure_label(state.measure)}",
                    MOVEMENT_COLOURS["trafficking"],
                    width=wc.width_px,
                    group=f"Line width: {counted(state.measure)}",
                )
            )
    if not content.place_figures.empty:
        for count in REFERENCE_COUNTS:
            out.append(
                LegendEntry(
                    "circle",
                    f"{count:,}",
                    PLACE_FIGURE_COLOUR,
                    size=circle_px(count),
                    group="People counted at a place (circle area)",
                )
            )
    if not content.places.empty and not wide:
        out.append(
            LegendEntry("marker", "Place the report names", KIND_COLOURS["city"], group="Places")
        )
        out.append(
            LegendEntry(
                "marker",
                "Site documented elsewhere (not a report claim)",
                KIND_COLOURS["city"],
                symbol="circle-open",
                group="Places",
            )
        )
    if not content.events.empty:
        out.append(
            LegendEntry(
                "marker",
                "Dated event (hover for what happened)",
                EVENT_COLOUR,
                symbol="star",
                group="Places",
            )
        )
    used = {role_key(p) for p in dataset.profiles.values()}
    for key in ROLE_COLOURS:
        if key in used and key != "none":
            out.append(
                LegendEntry(
                    "fill",
                    key.capitalize(),
                    ROLE_COLOURS[key],
                    group="Country's role in the report",
                )
            )
    return out


def legend_traces(entries: list[LegendEntry]) -> list[dict]:
    """Legend-only traces (no data) so that a printed figure carries the same legend."""
    traces = []
    seen = set()
    for e in entries:
        title = e.group if e.group not in seen else None
        seen.add(e.group)
        common = {
            "lon": [None],
            "lat": [None],
            "name": e.label,
            "legendgroup": e.group,
            "legendgrouptitle": {"text": title} if title else None,
            "showlegend": True,
            "hoverinfo": "skip",
        }
        if e.kind == "line":
            traces.append(
                _trace(
                    "scattergeo",
                    mode="lines",
                    line={"color": e.colour, "width": e.width, "dash": e.dash},
                    **common,
                )
            )
        elif e.kind == "fill":
            traces.append(
                _trace(
                    "scattergeo",
                    mode="markers",
                    marker={
                        "symbol": "square",
                        "size": 12,
                        "color": e.colour,
                        "line": {"width": 1, "color": BORDER},
                    },
                    **common,
                )
            )
        elif e.kind == "circle":
            traces.append(
                _trace(
                    "scattergeo",
                    mode="markers",
                    marker={
                        "size": e.size,
                        "color": e.colour,
                        "line": {"width": 1, "color": PLACE_FIGURE_LINE},
                    },
                    **common,
                )
            )
        else:
            traces.append(
                _trace(
                    "scattergeo",
                    mode="markers",
                    marker={
                        "symbol": e.symbol,
                        "size": e.size,
                        "color": e.colour,
                        "line": {"width": 1, "color": INK},
                    },
                    **common,
                )
            )
    return traces


# ---------------------------------------------------------------- the whole figure


@dataclass(frozen=True)
class Layout:
    """How the figure is laid out for a medium: its size in px and type scale."""

    width_px: float = 1000
    height_px: float = 620
    insets: bool = True
    font_px: float = 11
    legend: bool = False  # the explorer draws its own legend beside the map
    scale: float = 1.0  # line widths and markers (projector: larger)
    inset_share: float = INSET_WIDTH  # of the width, for the inset column

    @property
    def main_width(self) -> float:
        return self.width_px * (1 - self.inset_share - 0.015) if self.insets else self.width_px


def _text_trace(
    placements,
    labels: dict[str, str],
    colours: dict[str, str],
    font_px: float,
    geo: str,
    points: dict[str, tuple[float, float]] | None = None,
) -> list[dict]:
    """The labels as one text trace; `meta.points` gives, per text, the point a place label
    names (None for a route's label), so that a browser check can measure the distance."""
    keys = [k for k in labels if k in placements]
    if not keys:
        return []
    points = points or {}
    return [
        _trace(
            "scattergeo",
            lon=[round(placements[k].lon, 4) for k in keys],
            lat=[round(placements[k].lat, 4) for k in keys],
            mode="text",
            text=[labels[k] for k in keys],
            textposition=[placements[k].textposition for k in keys],
            textfont={
                "size": font_px,
                "color": [colours.get(k, INK) for k in keys],
                "family": FONT_FAMILY,
                "shadow": HALO,
            },
            hoverinfo="skip",
            showlegend=False,
            name="labels",
            meta={"points": [points.get(k) for k in keys]},
            geo=geo,
        )
    ]


def _leader_trace(placements, geo: str) -> list[dict]:
    lons: list[float | None] = []
    lats: list[float | None] = []
    for p in placements.values():
        if p.leader:
            lons += [round(x, 4) for x, _ in p.leader] + [None]
            lats += [round(y, 4) for _, y in p.leader] + [None]
    if not lons:
        return []
    return [
        _trace(
            "scattergeo",
            lon=lons,
            lat=lats,
            mode="lines",
            line={"width": 0.8, "color": "#555555"},
            hoverinfo="skip",
            showlegend=False,
            name="leaders",
            geo=geo,
        )
    ]


def _places_traces(
    dataset: Dataset, content: MapContent, places: pd.DataFrame, geo: str, scale: float
) -> list[dict]:
    traces = []
    figures_at = (
        {p: g for p, g in content.place_figures.groupby("place")}
        if not content.place_figures.empty
        else {}
    )
    # place figures: circles on the fixed scale, biggest drawn first so small ones stay on top
    figs = content.place_figures
    if not figs.empty:
        counted = figs[figs["count"].notna()].copy()
        counted = counted[counted["place"].isin(places["id"])] if geo != "geo" else counted
        counted["px"] = counted["count"].map(circle_px)
        counted = counted.sort_values("px", ascending=False)
        where = {r.id: r for r in dataset.locations.itertuples()}
        traces.append(
            _trace(
                "scattergeo",
                lon=[where[p].lon for p in counted["place"]],
                lat=[where[p].lat for p in counted["place"]],
                mode="markers",
                marker={
                    "size": list(counted["px"] * scale),
                    "color": PLACE_FIGURE_COLOUR,
                    "line": {"width": 1.2, "color": PLACE_FIGURE_LINE},
                },
                text=[place_hover(dataset, where[p], figures_at[p]) for p in counted["place"]],
                customdata=[[where[p].iso3] for p in counted["place"]],
                hovertemplate="%{text}<extra></extra>",
                showlegend=False,
                name="Counts at places",
                geo=geo,
            )
        )
    for claim in ("report", "context"):
        part = places[places["claim"] == claim]
        if part.empty:
            continue
        traces.append(
            _trace(
                "scattergeo",
                lon=part["lon"],
                lat=part["lat"],
                mode="markers",
                marker={
                    "size": 7 * scale,
                    "color": [KIND_COLOURS.get(k, "#444") for k in part["kind"]],
                    "symbol": "circle" if claim == "report" else "circle-open",
                    "line": {"width": 1.2, "color": INK},
                },
                text=[
                    place_hover(dataset, r, figures_at.get(r.id, figs.iloc[0:0]))
                    for r in part.itertuples()
                ],
                customdata=[[r.iso3] for r in part.itertuples()],
                hovertemplate="%{text}<extra></extra>",
                showlegend=False,
                name="Places the report names"
                if claim == "report"
                else "Sites documented elsewhere",
                geo=geo,
            )
        )
    return traces


def _point_labels(
    content: MapContent, places: pd.DataFrame, font_px: float, short: bool = False
) -> tuple[list[PointLabel], dict[str, str], dict[str, str], set[str]]:
    """Labels of places: the name, and under it the counts recorded there. `short` (a phone's
    map) labels only the places that carry counts; the others answer on hover."""
    labels, texts, colours, bold = [], {}, {}, set()
    figs = content.place_figures
    for r in places.itertuples():
        own = figs[figs["place"] == r.id] if not figs.empty else figs
        lines = place_figure_lines(own, short) if not own.empty else []
        if short and own.empty:
            continue  # not drawn on a small map (see build_flow_map)
        text = short_name(r.name)
        if lines:
            text = "<br>".join([f"<b>{text}</b>", *lines])
            colours[r.id] = "#7a3300"
        else:
            colours[r.id] = INK if r.claim == "report" else MUTED
        counted = own["count"].dropna() if not own.empty else []
        marker = circle_px(max(counted)) if len(counted) else 7.0
        labels.append(
            PointLabel(
                key=r.id,
                text=text,
                lon=float(r.lon),
                lat=float(r.lat),
                font_px=font_px,
                marker_px=marker,
                priority=2 if lines else (1 if r.claim == "report" else 0),
            )
        )
        texts[r.id] = text
    return labels, texts, colours, bold


@dataclass
class Folded:
    """What a crowded map does not draw one by one, and says so."""

    routes: int = 0  # routes in the selection drawn as lines (or folded)
    flows: pd.DataFrame | None = None  # geodata.flows.fold_routes' folded rows
    place_figures: int = 0  # counts at places not drawn as circles

    @property
    def folded_routes(self) -> int:
        return 0 if self.flows is None else int(self.flows["routes"].sum())


def _country_points(dataset: Dataset) -> dict[str, tuple[float, float]]:
    def build() -> dict[str, tuple[float, float]]:
        pts = dataset.admin0.geometry.representative_point()
        out = {c: (round(p.x, 3), round(p.y, 3)) for c, p in zip(dataset.admin0["iso3"], pts)}
        nodes = dataset.nodes[dataset.nodes["is_country"].astype(bool)]
        out.update(
            {n: (float(x), float(y)) for n, x, y in zip(nodes["node"], nodes["lon"], nodes["lat"])}
        )
        return out

    return _memo("country-points", dataset.admin0, build)


def fold_content(dataset: Dataset, content: MapContent) -> tuple[MapContent, Folded]:
    """The content a map draws one by one, and what it folds: past MAX_ROUTES routes, the
    rest become one line per origin country, destination country and kind of movement (sums
    only within a measure, routes without a number counted apart); past MAX_PLACE_FIGURES
    counts at places, the smaller ones are left to the table; past MAX_PLACES places, only
    those the drawn marks use."""
    folded = Folded(routes=len(content.flows))
    if len(content.flows) > MAX_ROUTES:
        iso = dict(zip(dataset.nodes["node"], dataset.nodes["iso3"]))
        flows = content.flows
        ends = flows.assign(
            origin_iso3=[iso.get(p[0]) for p in flows["path"]],
            destination_iso3=[iso.get(p[-1]) for p in flows["path"]],
        )
        kept, folded.flows = fold_routes(ends, MAX_ROUTES)
        content = replace(content, flows=flows.loc[kept.index])
    figs = content.place_figures
    if len(figs) > MAX_PLACE_FIGURES:
        count = pd.to_numeric(figs["count"], errors="coerce")
        order = count.fillna(-1.0).sort_values(ascending=False, kind="stable").index
        folded.place_figures = len(figs) - MAX_PLACE_FIGURES
        content = replace(content, place_figures=figs.loc[order[:MAX_PLACE_FIGURES]])
    if len(content.places) > MAX_PLACES:
        # the places of the circles and events, then the ends of the largest routes
        used = dict.fromkeys(content.place_figures["place"] if len(content.place_figures) else [])
        used |= dict.fromkeys(content.events["location_id"] if len(content.events) else [])
        for path in content.flows["path"]:
            if len(used) >= MAX_PLACES:
                break
            used |= dict.fromkeys(path)
        content = replace(content, places=content.places[content.places["id"].isin(used)])
    return content, folded


def folded_hover(r) -> str:
    path = f"{country_name(r.origin_iso3)} → {country_name(r.destination_iso3)}"
    kind = MOVEMENT_TEXT_LABELS.get(r.movement, "routes")
    lines = [f"<b>{path}</b>", f"{r.routes:,} {kind} folded into this line"]
    for measure, total, n, qualifier in r.by_measure[:6]:
        what = f"{n:,} routes" if n > 1 else "one route"
        lines.append(
            f"{measure_label(measure).capitalize()}: {format_count(total, qualifier)} "
            f"(sum of {what}' counts)"
        )
    if len(r.by_measure) > 6:
        lines.append(f"and {len(r.by_measure) - 6} more measures, each in the table")
    if r.unnumbered:
        lines.append(f"{r.unnumbered:,} reported without a number (not added to any count)")
    withheld = getattr(r, "withheld", 0)
    if withheld:
        lines.append(
            f"{withheld:,} withheld as small counts of case records (not added: each is "
            "under the threshold, so a sum beside them is only 'at least')"
        )
    lines.append(
        f"From {r.sources:,} source{'s' if r.sources != 1 else ''}: each route and its source "
        "are in the table and routes.csv"
    )
    return "<br>".join(lines)


MOVEMENT_TEXT_LABELS = {
    "trafficking": "trafficking routes",
    "return": "returns",
    "other": "movements",
}


def folded_traces(dataset: Dataset, flows: pd.DataFrame, scale: float = 1.0) -> list[dict]:
    """The folded country-to-country flows as thin grey lines, their counts on hover; a line's
    width grows with the routes it folds. Lines of one width share a trace (gaps between them),
    so a map folding a thousand flows sends a few traces, not a thousand."""
    points = _country_points(dataset)
    by_width: dict[float, tuple[list, list, list]] = {}
    for r in flows.itertuples():
        a, b = points.get(r.origin_iso3), points.get(r.destination_iso3)
        if a is None or b is None or a == b:
            continue
        width = round((0.8 + min(3.0, math.log10(1 + r.routes))) * 2) / 2
        lon, lat, text = by_width.setdefault(width, ([], [], []))
        hover = folded_hover(r)
        lon += [a[0], round((a[0] + b[0]) / 2, 3), b[0], None]
        lat += [a[1], round((a[1] + b[1]) / 2, 3), b[1], None]
        text += [hover, hover, hover, None]
    return [
        _trace(
            "scattergeo",
            lon=lon,
            lat=lat,
            mode="lines",
            line={"width": width * scale, "color": FOLDED_COLOUR},
            opacity=0.6,
            text=text,
            hovertemplate="%{text}<extra></extra>",
            showlegend=False,
            name="folded routes",
        )
        for width, (lon, lat, text) in sorted(by_width.items())
    ]


def case_note(dataset: Dataset, content: MapContent) -> str | None:
    """What a map of case records is, in one line: whose records, which years, what they
    cover, so that no reader takes them for the report's counts."""
    flows = content.flows
    if flows.empty or "measure" not in flows:
        return None
    case = flows[flows["measure"] == "case_records"]
    if case.empty:
        return None
    titles = dict(zip(dataset.sources["id"], dataset.sources["title"]))
    names = ", ".join(titles.get(i, i) for i in dict.fromkeys(case["source_id"]))
    years = short_period(int(case["year_start"].min()), int(case["year_end"].max()))
    return (
        f"Case records ({names}), {years}: every form of exploitation, as the dataset has no "
        "flag for forced criminality; a count of records, never added to the report's counts"
    )


def folded_note(folded: Folded) -> str | None:
    parts = []
    if folded.flows is not None and len(folded.flows):
        drawn = folded.routes - folded.folded_routes
        parts.append(
            f"Showing the {drawn:,} largest of {folded.routes:,} routes; "
            f"{folded.folded_routes:,} folded into {len(folded.flows):,} country-to-country "
            "lines (grey: hover for their counts, by measure)"
        )
    if folded.place_figures:
        parts.append(f"{folded.place_figures:,} smaller counts at places not drawn as circles")
    if not parts:
        return None
    return "; ".join(parts) + ". Every route is in the table and the download."


def build_flow_map(
    dataset: Dataset,
    state: ViewState,
    layout: Layout | None = None,
    geometry: dict | str | None = None,
    frame: frames.LonLat | None = None,
) -> go.Figure:
    """The map as a go.Figure (exports, briefings, tests): see `flow_map_dict`."""
    return go.Figure(flow_map_dict(dataset, state, layout, geometry, frame))


def flow_map_dict(
    dataset: Dataset,
    state: ViewState,
    layout: Layout | None = None,
    geometry: dict | str | None = None,
    frame: frames.LonLat | None = None,
) -> dict:
    """The map for a view state, laid out for a medium.

    `geometry` is the countries' GeoJSON, or the URL the browser fetches it from once (so that
    updates never resend polygons); None inlines it (exports, tests)."""
    layout = layout or Layout()
    selected = map_content(dataset, state)
    content, folded = fold_content(dataset, selected)
    wide = wide_frame(dataset, state, selected) if frame is None else None
    if wide is not None:  # case records reaching beyond the region: the world's polygons
        if isinstance(geometry, Geometry) and geometry.world:
            geojson = geometry.world
        else:
            geojson = world_geojson(dataset)
    elif isinstance(geometry, Geometry):
        geojson = geometry.region
    else:
        geojson = geometry if geometry is not None else countries_geojson(dataset)
    main_h = layout.height_px
    # a map of the world has no room for, and no use of, the region's close-ups
    insets = layout.insets and wide is None
    main_w = layout.main_width if insets else layout.width_px
    default = frames.REGION if layout.insets else frames.REGION_COMPACT
    region = frames.fit(frame or wide or default, main_w, main_h)
    flows = flows_for(dataset, content.flows, state, layout.scale)
    places = content.places
    fig = _Figure()
    fig.add_trace(countries_trace(dataset, content, geojson, world=wide is not None))
    if state.country:
        fig.add_trace(outline_trace(geojson, state.country))
    if folded.flows is not None:
        fig.add_traces(folded_traces(dataset, folded.flows, layout.scale))
    for t in flow_traces(flows, selected=state.route):
        fig.add_trace(t)
    inset_ids: dict[str, list[str]] = {}
    if insets:
        for inset in frames.INSETS:
            inset_ids[inset.key] = [
                r.id for r in dataset.locations.itertuples() if inset.contains(r.lon, r.lat)
            ]
    in_insets = {i for ids in inset_ids.values() for i in ids}
    # places that carry counts are drawn even with the places layer off; an airport or a border
    # crossing shown only for orientation is drawn where it is legible (an inset) or where an
    # event of the events layer sits, not in the regional crowd
    with_figures = set(content.place_figures["place"]) if not content.place_figures.empty else set()
    with_events = set(content.events["location_id"]) if not content.events.empty else set()
    orientation = places["kind"].isin(ORIENTATION_KINDS) & (places["claim"] == "context")
    keep = ~orientation | places["id"].isin(in_insets | with_events)
    shown = set(places.loc[keep, "id"])
    if not insets:
        # a small map (a phone, a journal column) draws and names only the places that carry
        # counts: every place drawn is labelled, and the rest answer on a larger map; so does
        # a map of the world, where the region's places would be one crowded dot
        shown = set()
    drawn_places = dataset.locations[dataset.locations["id"].isin(shown | with_figures)]
    for t in _places_traces(dataset, content, drawn_places, "geo", layout.scale):
        fig.add_trace(t)
    if not content.events.empty:
        fig.add_trace(event_trace(dataset, content.events))
    # labels on the main map: places outside the insets, country names, route counts
    main_frame = Frame(region[0], region[1], main_w, main_h)
    point_labels, texts, colours, bold = _point_labels(
        content,
        drawn_places[~drawn_places["id"].isin(in_insets)],
        layout.font_px,
        short=not layout.insets,
    )
    country_points = country_label_points(dataset)
    country_text = {c: country_name(c).upper() for c in country_points}
    offices = _office_lines(content)
    for code, line in offices.items():
        if code in country_text:
            country_text[code] += f"<br>{line}"
    # on a small map two names can meet: the larger country keeps its name
    # (square degrees: enough to rank countries by size)
    areas = dict(zip(dataset.admin0["iso3"], shapely.area(dataset.admin0.geometry.values)))
    kept: dict[str, tuple] = {}
    for code in sorted(country_text, key=lambda c: -areas.get(c, 0.0)):
        one = {code: country_points[code]}
        box = country_name_boxes(one, country_text, main_frame, layout.font_px)[0]
        if not any(_hit(box, other) for other in kept.values()):
            kept[code] = box
    country_points = {c: country_points[c] for c in country_text if c in kept}
    country_text = {c: country_text[c] for c in country_points}
    obstacles = country_name_obstacles(country_points, country_text, main_frame, layout.font_px)
    for pid in in_insets & set(drawn_places["id"]):
        loc = dataset.locations.set_index("id").loc[pid]
        obstacles.append((float(loc["lon"]), float(loc["lat"]), 6.0))
    if not layout.insets:  # a phone's map: numbers only, the period is in the hover
        by_id = {r.id: r for r in content.flows.itertuples()}
        for f in flows:
            f.label = route_label(by_id[f.route_id], short=True)
    if len(flows) > MAX_ROUTE_LABELS:  # a crowded map prints the largest numbers only
        largest = set(rank_routes(content.flows)["id"].iloc[:MAX_ROUTE_LABELS])
        for f in flows:
            if f.route_id not in largest:
                f.label = None
    line_labels = [
        LineLabel(
            key=f.route_id,
            text=f.label,
            path=tuple(zip(f.lons, f.lats)),
            font_px=layout.font_px,
            priority=3,  # routes first: their numbers are what the map is for
        )
        for f in flows
        if f.label
    ]
    for f in flows:
        if f.label:
            texts[f.route_id] = f.label
            colours[f.route_id] = f.text_colour
    ranks = {r.id: float(r.count) for r in content.flows.itertuples() if r.count == r.count}
    for r in content.place_figures.itertuples():
        if r.count == r.count:
            ranks[r.place] = max(ranks.get(r.place, 0.0), float(r.count))
    name_boxes = country_name_boxes(country_points, country_text, main_frame, layout.font_px)
    placements, shortened = _best_placement(
        point_labels,
        line_labels,
        main_frame,
        obstacles,
        ranks,
        drop=not layout.insets,
        fixed=name_boxes,
        # a folded (crowded) map, or one of the world (where flows meet in a few pixels),
        # leaves off what finds no free spot rather than overlap it
        overlap=folded.flows is None and wide is None,
    )
    texts.update(shortened)
    fig.add_traces(_leader_trace(placements, "geo"))
    points = {p.key: (p.lon, p.lat) for p in point_labels}
    fig.add_traces(_text_trace(placements, texts, colours, layout.font_px, "geo", points))
    fig.add_trace(
        _trace(
            "scattergeo",
            lon=[country_points[c][0] for c in country_text],
            lat=[country_points[c][1] for c in country_text],
            mode="text",
            text=list(country_text.values()),
            textfont={"size": layout.font_px * 0.95, "color": "#6d6a63", "family": FONT_FAMILY},
            hoverinfo="skip",
            showlegend=False,
            name="country names",
        )
    )
    annotations = [
        {
            "text": DISCLAIMER,
            "name": "disclaimer",
            "xref": "paper",
            "yref": "paper",
            "x": 0.0,
            "y": 0.0,
            "xanchor": "left",
            "yanchor": "bottom",
            "showarrow": False,
            "font": {"size": max(9, layout.font_px - 2), "color": "#333"},
            "bgcolor": "rgba(255,255,255,0.85)",
        }
    ]
    note = "<br>".join(n for n in (case_note(dataset, content), folded_note(folded)) if n)
    if note:
        annotations.append(
            {
                "text": _fit_text(note, main_w - 16, max(9, layout.font_px - 1)),
                "name": "folded",
                "xref": "paper",
                "yref": "paper",
                "x": 0.0,
                "y": 1.0,
                "xanchor": "left",
                "yanchor": "top",
                "align": "left",
                "showarrow": False,
                "font": {"size": max(9, layout.font_px - 1), "color": INK},
                "bgcolor": "rgba(255,255,255,0.9)",
            }
        )
    geos = {
        "geo": _geo_settings(region, [0, main_w / layout.width_px], [0, 1]),
    }
    inset_boxes: dict[str, dict] = {}
    if insets:
        inset_boxes = _add_insets(
            fig, dataset, content, flows, layout, inset_ids, drawn_places, geos, annotations
        )
    if layout.legend:
        fig.add_traces(
            legend_traces(
                legend_entries(
                    dataset, state, content, folded=folded.flows is not None, wide=wide is not None
                )
            )
        )
    fig.update_layout(
        **geos,
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        width=None,
        height=None,
        paper_bgcolor="white",
        showlegend=layout.legend,
        uirevision="explorer-map",
        hoverdistance=14,
        hoverlabel={"font": {"size": 13}, "align": "left"},
        font={"family": FONT_FAMILY, "color": INK},
        annotations=annotations,
        # where each label was placed, in px of its map: for tests and the export's checks
        meta={
            "size": [layout.width_px, layout.height_px],  # what the labels were placed for
            "labels": {k: list(p.box_px) for k, p in placements.items()},
            "insets": inset_boxes,
        },
    )
    return fig.to_dict()


def _hit(a, b) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > 0.5 and min(a[3], b[3]) - max(a[1], b[1]) > 0.5


def _overlaps(placements, fixed=()) -> int:
    """Pairs of labels that overlap, and labels over a fixed text (a country's name)."""
    boxes = [p.box_px for p in placements.values()]
    count = sum(_hit(a, f) for a in boxes for f in fixed)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            count += _hit(a, b)
    return count


def _overlapping_keys(placements, fixed=()) -> set[str]:
    items = list(placements.items())
    out = {k for k, p in items if any(_hit(p.box_px, f) for f in fixed)}
    for i, (ka, pa) in enumerate(items):
        for kb, pb in items[i + 1 :]:
            if _hit(pa.box_px, pb.box_px):
                out |= {ka, kb}
    return out


def _best_placement(
    points, lines, frame, obstacles, ranks=None, drop: bool = False, fixed=(), overlap=True
):
    """Routes' numbers are placed first; where that leaves a crowd of places no room, the
    places go first instead. The arrangement with fewer overlapping labels, then fewer left
    off, wins. With `overlap=False` (a folded, crowded map) a label with no free spot is left
    off and answers on hover, so none overlaps.

    With `drop` (a small map), route labels that still overlap are left off one at a time,
    smallest count first (`ranks`), until none overlaps: fewer and larger labels. Places keep
    theirs, so every place drawn stays named; a route without its label keeps its number in
    its hover and in the sources."""
    best = None
    for route_priority in (3, 1):
        tried = [LineLabel(ln.key, ln.text, ln.path, ln.font_px, route_priority) for ln in lines]
        placements = place_labels(
            points, tried, frame, obstacles, overlap=overlap, ranks=ranks or {}
        )
        score = _overlaps(placements, fixed)
        left_off = len(points) + len(tried) - len(placements)
        if best is None or (score, left_off) < best[0]:
            best = ((score, left_off), placements, route_priority)
        if (score == 0 and left_off == 0) or not points:
            break  # (with no place to name, putting places first changes nothing)
    (score, _), placements, route_priority = best
    if not drop or score == 0:
        return placements, {}
    ranks = ranks or {}
    kept = list(lines)
    points = list(points)
    while score:
        overlapping = _overlapping_keys(placements, fixed)
        crowded = overlapping & {ln.key for ln in kept}
        if crowded:  # leave off the smallest route number in the crowd
            worst = min(crowded, key=lambda k: (ranks.get(k, 0.0), k))
            kept = [ln for ln in kept if ln.key != worst]
        else:  # then shorten a place's label to its name, smallest count first
            long = [p for p in points if p.key in overlapping and "<br>" in p.text]
            if not long:
                break
            worst = min(long, key=lambda p: (ranks.get(p.key, 0.0), p.key))
            name = worst.text.split("<br>")[0].replace("<b>", "").replace("</b>", "")
            points = [
                PointLabel(p.key, name, p.lon, p.lat, p.font_px, p.marker_px, p.priority)
                if p.key == worst.key
                else p
                for p in points
            ]
        tried = [LineLabel(ln.key, ln.text, ln.path, ln.font_px, route_priority) for ln in kept]
        placements = place_labels(
            points, tried, frame, obstacles, overlap=overlap, ranks=ranks or {}
        )
        score = _overlaps(placements, fixed)
    shortened = {p.key: p.text for p in points}
    return placements, shortened


def country_name_boxes(points, names, frame: Frame, font_px: float) -> list:
    """The boxes (px) of the country names, centred on their points."""
    from dashboard.figures.labels import text_size

    out = []
    for code, (lon, lat) in points.items():
        w, h = text_size(names[code], font_px * 0.95)
        x, y = frame.to_px(lon, lat)
        out.append((x - w / 2, y - h / 2, x + w / 2, y + h / 2))
    return out


def country_name_obstacles(points, names, frame: Frame, font_px: float) -> list:
    """Discs along each country name (centred on its point), so labels keep off the names."""
    from dashboard.figures.labels import text_size

    out = []
    for code, (lon, lat) in points.items():
        w, h = text_size(names[code], font_px * 0.95)
        x, y = frame.to_px(lon, lat)
        r = max(6.0, h / 2 + 1)
        steps = max(1, int(w // r))
        for i in range(steps + 1):
            px = x - w / 2 + w * i / steps
            out.append((*frame.to_lonlat(px, y), r))
    return out


def _office_lines(content: MapContent) -> dict[str, str]:
    out = {}
    for r in content.offices.itertuples():
        value = format_value(r.value, r.unit, r.qualifier, r.value_max)
        out[r.scope] = f"IOM office: {value} {measure_label(r.measure)}"
    return out


def _geo_settings(frame: frames.LonLat, x: list[float], y: list[float]) -> dict:
    return {
        "projection": {"type": "mercator"},
        "lonaxis": {"range": list(frame[0])},
        "lataxis": {"range": list(frame[1])},
        "domain": {"x": x, "y": y},
        "showcountries": False,
        "showcoastlines": False,
        "showland": False,
        "showocean": False,
        "showlakes": False,
        "showframe": False,
        "bgcolor": OCEAN,
    }


def _add_insets(
    fig, dataset, content, flows, layout, inset_ids, drawn_places, geos, annotations
) -> dict[str, dict]:
    """The Moei river and Golden Triangle insets: their places and labels at a large scale,
    a box on the regional map where each sits, and a scale bar. Returns each inset's label
    boxes (px of the inset), by place id."""
    boxes: dict[str, dict] = {}
    col_x0 = 1 - layout.inset_share
    n = len(frames.INSETS)
    title_px = layout.font_px * 1.1
    titles = [
        _fit_text(i.title, layout.inset_share * layout.width_px, title_px) for i in frames.INSETS
    ]
    note_px = max(8, layout.font_px - 3)
    note = _fit_text(
        "Insets: borders are not drawn (too coarse at this scale); each place's country is its "
        "record's.",
        layout.inset_share * layout.width_px,
        note_px,
    )
    # room above each inset for its title, and below the last for the note
    gap = (max(t.count("<br>") for t in titles) + 1) * title_px * 1.3 / layout.height_px + 0.01
    bottom = (note.count("<br>") + 1) * note_px * 1.3 / layout.height_px + 0.01
    h = (1 - gap * n - bottom) / n
    where = dataset.locations.set_index("id")
    for i, inset in enumerate(frames.INSETS):
        geo = f"geo{i + 2}"
        y1 = 1 - gap - i * (h + gap)
        title = titles[i]
        y0 = y1 - h
        w_px = layout.inset_share * layout.width_px
        h_px = h * layout.height_px
        box = frames.fit((inset.lon_range, inset.lat_range), w_px, h_px)
        geos[geo] = _geo_settings(box, [col_x0, 1.0], [y0, y1]) | {
            "bgcolor": "#f7f6f2",
            "showframe": True,
            "framecolor": "#7a7a7a",
            "framewidth": 1,
        }
        ids = [p for p in inset_ids[inset.key] if p in set(drawn_places["id"])]
        here = drawn_places[drawn_places["id"].isin(ids)]
        # the routes' last stretch into the inset
        touching = [f for f in flows if any(inset.contains(x, y) for x, y in zip(f.lons, f.lats))]
        for t in flow_traces(touching, geo=geo, hover=False):
            fig.add_trace(t)
        for t in _places_traces(dataset, content, here, geo, layout.scale):
            fig.add_trace(t)
        labels, texts, colours, _ = _point_labels(content, here, layout.font_px)
        named = {}
        for lab in labels:
            loc = where.loc[lab.key]
            named[lab.key] = f"{lab.text}<br>({country_name(loc['iso3'])})"
        labels = [
            PointLabel(p.key, named[p.key], p.lon, p.lat, p.font_px, p.marker_px, p.priority)
            for p in labels
        ]
        placements = place_labels(labels, [], Frame(box[0], box[1], w_px, h_px))
        boxes[inset.key] = {k: list(p.box_px) for k, p in placements.items()}
        fig.add_traces(_leader_trace(placements, geo))
        points = {p.key: (p.lon, p.lat) for p in labels}
        fig.add_traces(_text_trace(placements, named, colours, layout.font_px, geo, points))
        fig.add_traces(_scale_bar(box, geo, layout.font_px))
        annotations.append(
            {
                "text": "<b>" + title + "</b>",
                "name": "inset-title",
                "align": "left",
                "xref": "paper",
                "yref": "paper",
                "x": col_x0,
                "y": y1,
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": title_px, "color": INK},
            }
        )
        # where the inset sits on the regional map
        (lo0, lo1), (la0, la1) = inset.lon_range, inset.lat_range
        fig.add_trace(
            _trace(
                "scattergeo",
                lon=[lo0, lo1, lo1, lo0, lo0],
                lat=[la0, la0, la1, la1, la0],
                mode="lines",
                line={"width": 1, "color": "#333333"},
                hoverinfo="skip",
                showlegend=False,
                name=f"inset {inset.key}",
            )
        )
    annotations.append(
        {
            "text": note,
            "name": "inset-note",
            "xref": "paper",
            "yref": "paper",
            "x": col_x0,
            "y": 0.0,
            "xanchor": "left",
            "yanchor": "bottom",
            "showarrow": False,
            "align": "left",
            "font": {"size": max(8, layout.font_px - 3), "color": MUTED},
        }
    )
    return boxes


def _fit_text(text: str, width_px: float, font_px: float) -> str:
    """The text broken into lines (<br>) that fit a width, by the label engine's metrics."""
    from dashboard.figures.labels import text_size

    lines: list[str] = []
    for word in text.split(" "):
        if lines and text_size(f"{lines[-1]} {word}", font_px)[0] <= width_px:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return "<br>".join(lines)


def _scale_bar(box: frames.LonLat, geo: str, font_px: float) -> list[dict]:
    (lo0, lo1), (la0, la1) = box
    lat = la0 + (la1 - la0) * 0.07
    km = 10
    dlon = km / (111.32 * math.cos(math.radians(lat)))
    x0 = lo0 + (lo1 - lo0) * 0.06
    return [
        _trace(
            "scattergeo",
            lon=[x0, x0 + dlon],
            lat=[lat, lat],
            mode="lines+text",
            line={"width": 2, "color": INK},
            text=["", f"{km} km"],
            textposition="middle right",
            textfont={"size": max(8, font_px - 2), "color": INK},
            hoverinfo="skip",
            showlegend=False,
            name="scale",
            geo=geo,
        )
    ]
