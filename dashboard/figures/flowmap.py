"""The flow map: data in, go.Figure out. Pure; used by the page, exports and tests alike.

Trace order is fixed (see `TRACES`) so that an interaction can patch the flows, places and events
with `dash.Patch` while the country polygons, sent once with the page, are never resent.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely

from dashboard.figures.labels import place_labels
from dashboard.state import ViewState
from dashboard.text import format_count, format_value, measure_label, period_label
from geodata.countries import country_name
from geodata.dataset import Dataset
from geodata.filters import filter_events, filter_routes
from geodata.flows import WIDTH_CLASSES, flow_lines, route_legs

DISCLAIMER = (
    "For illustration only: boundaries, names and designations on this map do not imply "
    "endorsement or acceptance by IOM."
)
# The opening frame: Southeast Asia with the origin countries around it (lon, lat).
REGION_LON = (70.0, 142.0)
REGION_LAT = (-11.0, 31.0)
MAP_SIZE_PX = (1000, 640)  # typical on-screen size, for placing labels
VIEW_BBOX = (40.0, -15.0, 150.0, 55.0)  # countries drawn from the bundled polygons
ADMIN1_COUNTRIES = ("MMR", "THA", "LAO", "KHM", "PHL")  # where compounds and raids are
# Okabe–Ito colour-blind-safe palette.
KIND_COLOURS = {
    "compound": "#D55E00",
    "sez": "#CC79A7",
    "city": "#0072B2",
    "airport": "#009E73",
    "border_crossing": "#E69F00",
}
FLOW_COLOUR = "#0072B2"
UNKNOWN_COLOUR = "#555555"
EVENT_COLOUR = "#009E73"
ROLE_COLOURS = {  # light tints, so flows stay readable on top
    "origin": "#cfe3f3",
    "destination and origin": "#e6d3ec",
    "transit and destination": "#f7dcbf",
    "transit, destination and origin": "#f2e7a6",
    "destination": "#f6cfc0",
    "transit": "#e9efb0",
    "none": "#eeeeee",
}
EVENT_SYMBOLS = {
    "raid": "x",
    "rescue": "star",
    "interception": "star-diamond",
    "arrest": "x-thin-open",
    "repatriation": "triangle-down",
    "deportation": "triangle-down-open",
    "law": "square",
    "referral_mechanism": "square-open",
    "task_force": "square-x",
    "declaration": "pentagon",
    "campaign": "hexagon-open",
    "advisory": "hexagon",
    "meeting": "circle-cross",
    "media": "diamond-open",
    "publication": "diamond",
}
FLOW_TRACES = [f"flows-{i}" for i in range(len(WIDTH_CLASSES))]
ROLE_TRACES = [f"role-{i}" for i in range(len(ROLE_COLOURS) - 1)]
TRACES = [
    "countries",
    "provinces",
    *FLOW_TRACES,
    "flows-unknown",
    "arrows",
    "flow-hover",
    "places-report",
    "places-context",
    "events",
    *ROLE_TRACES,
]
DYNAMIC = TRACES[2:]  # everything an interaction may change besides the choropleth's colours


# ---------------------------------------------------------------- geometry, sent once


@lru_cache(maxsize=8)
def _geojson(frame_json: str) -> dict:
    return json.loads(frame_json)


def region_countries(admin0: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, dict]:
    """Countries that touch the map's view box, as a frame and as GeoJSON for plotly."""
    frame = admin0.loc[admin0.intersects(shapely.box(*VIEW_BBOX)), ["iso3", "name", "geometry"]]
    frame = frame.reset_index(drop=True)
    return frame, _geojson(frame.to_json(drop_id=True))


def region_provinces(admin1: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, dict]:
    frame = admin1.loc[admin1["iso3"].isin(ADMIN1_COUNTRIES)].reset_index(drop=True)
    frame = frame.assign(key=[f"{c}-{i}" for i, c in enumerate(frame["iso3"])])
    return frame, _geojson(frame[["key", "name", "geometry"]].to_json(drop_id=True))


# ---------------------------------------------------------------- what the state selects


def source_text(dataset: Dataset, source_id: str, section: str) -> str:
    return f"Source: {dataset.source_label(source_id)} — {section}"


def default_measure(routes: pd.DataFrame) -> str | None:
    """The measure with the most routes that state a count (ties: alphabetical)."""
    counted = routes.loc[routes["count"].notna(), "measure"]
    if counted.empty:
        return None
    tally = Counter(counted)
    return sorted(tally, key=lambda m: (-tally[m], m))[0]


def measure_options(routes: pd.DataFrame) -> list[str]:
    """Measures that some route states a count for: the ones a width can show."""
    return sorted(set(routes.loc[routes["count"].notna(), "measure"]))


def sized_measure(dataset: Dataset, state: ViewState) -> str | None:
    return state.measure or default_measure(dataset.routes)


def visible_routes(dataset: Dataset, state: ViewState) -> pd.DataFrame:
    """Routes the map draws: the sized measure's, plus routes known without a number.

    Routes that count another measure are left out rather than summed in.
    """
    routes = filter_routes(dataset.routes, state.filters)
    measure = sized_measure(dataset, state)
    keep = (routes["measure"] == measure) | routes["count"].isna()
    return routes.loc[keep]


def route_hover(dataset: Dataset, route: pd.Series | object) -> str:
    r = route if isinstance(route, pd.Series) else pd.Series(route._asdict())
    path = " → ".join(r["path_names"])
    who = country_name(r["nationality"]) if r["nationality"] else "nationality not stated"
    lines = [
        f"<b>{path}</b>",
        f"People: {who}",
        f"{measure_label(r['measure']).capitalize()}: {format_count(r['count'], r['qualifier'])}",
        f"Period: {period_label(r['year_start'], r['year_end'], r['period'])}",
    ]
    if r["share_pct"] == r["share_pct"] and r["share_pct"] is not None:
        lines.append(f"Share: {r['share_pct']:g} %")
    lines.append(source_text(dataset, r["source_id"], r["section"]))
    return "<br>".join(lines)


def counts_at_places(routes: pd.DataFrame) -> dict[str, list[str]]:
    """Routes recorded at one place only (no origin, no transit), listed on the place itself.

    Each stays its own line with its measure; nothing is added up.
    """
    out: dict[str, list[str]] = {}
    for _, r in routes[routes["path"].map(len) == 1].iterrows():
        line = (
            f"{measure_label(r['measure']).capitalize()}: "
            f"{format_count(r['count'], r['qualifier'])} "
            f"({period_label(r['year_start'], r['year_end'], r['period'])}; {r['section']})"
        )
        out.setdefault(r["destination"], []).append(line)
    return out


def short_name(name: str) -> str:
    """'Clark (Clark Freeport and Special Economic Zone)' -> 'Clark' for on-map labels."""
    name = name.split(" (")[0]
    return name.replace("Special Economic Zone", "SEZ").replace("International Airport", "Airport")


# ---------------------------------------------------------------- the choropleth's colours


def role_key(profile: dict | None) -> str:
    """'transit and destination', 'destination and origin'... in one fixed order."""
    roles = [r for r in ("transit", "destination", "origin") if profile and r in profile["role"]]
    if not roles:
        return "none"
    return roles[0] if len(roles) == 1 else ", ".join(roles[:-1]) + " and " + roles[-1]


def choropleth_style(dataset: Dataset, state: ViewState, codes: list[str]) -> dict:
    """z, colours and hover text of the country layer: everything but its geometry."""
    names = [country_name(c) for c in codes]
    if state.indicator == "role" or state.indicator not in set(dataset.indicators["id"]):
        keys = list(ROLE_COLOURS)
        z = [keys.index(role_key(dataset.profiles.get(c))) for c in codes]
        n = len(keys)
        scale = []
        for i, k in enumerate(keys):
            scale += [[i / n, ROLE_COLOURS[k]], [(i + 1) / n, ROLE_COLOURS[k]]]
        hover = [
            f"<b>{name}</b><br>{dataset.profiles[c]['role_label']}<br>"
            f"Source: {dataset.source_label('iom-2024-sitrep')}<br>Click to open the profile"
            if c in dataset.profiles
            else f"<b>{name}</b>"
            for c, name in zip(codes, names)
        ]
        return {
            "z": z,
            "zmin": 0,
            "zmax": n,
            "colorscale": scale,
            "showscale": False,
            "text": hover,
        }
    ind = dataset.indicators.set_index("id").loc[state.indicator]
    figs = dataset.figures[dataset.figures["indicator"] == state.indicator].set_index("scope")
    z, hover = [], []
    for c, name in zip(codes, names):
        if c in figs.index:
            f = figs.loc[c]
            z.append(float(f["value"]))
            hover.append(
                f"<b>{name}</b><br>{f['label']}: "
                f"{format_value(f['value'], f['unit'], f['qualifier'], f['value_max'])}"
                f"<br>Period: {period_label(f['year_start'], f['year_end'], f['period'])}"
                f"<br>{source_text(dataset, f['source_id'], f['section'])}"
            )
        else:
            z.append(None)
            hover.append(f"<b>{name}</b><br>No figure stated")
    return {
        "z": z,
        "zmin": 0,
        "zmax": max([v for v in z if v is not None], default=1),
        "colorscale": [[0, "#e5eef7"], [1, "#2b6aa6"]],
        "showscale": True,
        "colorbar": {
            "title": {"text": ind["label"], "side": "right"},
            "len": 0.5,
            "x": 1.0,
            "thickness": 12,
        },
        "text": hover,
    }


# ---------------------------------------------------------------- the traces that change


def _lines(rows: pd.DataFrame) -> tuple[list, list]:
    lons: list[float | None] = []
    lats: list[float | None] = []
    for lo, la in zip(rows["lons"], rows["lats"]):
        lons += [*lo, None]
        lats += [*la, None]
    return lons or [None], lats or [None]


def dynamic_traces(dataset: Dataset, state: ViewState, labels: str = "all") -> list[go.Scattergeo]:
    """Flows by width class, unknown-count flows, arrows, hover points, places and events."""
    routes = visible_routes(dataset, state)
    measure = sized_measure(dataset, state)
    flows = flow_lines(route_legs(routes, dataset.nodes))
    hover = {r.id: route_hover(dataset, r) for r in routes.itertuples()}
    dest = dict(zip(routes["id"], routes["destination_iso3"]))
    traces: list[go.Scattergeo] = []
    for i, wc in enumerate(WIDTH_CLASSES):
        lons, lats = _lines(flows[flows["width_class"] == i])
        traces.append(
            go.Scattergeo(
                lon=lons,
                lat=lats,
                mode="lines",
                hoverinfo="skip",
                line={"width": wc.width_px, "color": FLOW_COLOUR},
                name=f"{wc.label} {measure_label(measure)}",
                legendgroup="width",
                legendgrouptitle={"text": "Line width: people per route"} if i == 0 else None,
                uid=FLOW_TRACES[i],
            )
        )
    lons, lats = _lines(flows[flows["width_class"].isna()])
    traces.append(
        go.Scattergeo(
            lon=lons,
            lat=lats,
            mode="lines",
            hoverinfo="skip",
            line={"width": 1.3, "color": UNKNOWN_COLOUR, "dash": "dash"},
            name="Number not stated",
            legendgroup="width",
            uid="flows-unknown",
        )
    )
    sizes = [
        7 + 1.6 * WIDTH_CLASSES[int(k)].width_px if k == k and k is not None else 7
        for k in flows["width_class"]
    ]
    traces.append(
        go.Scattergeo(
            lon=flows["arrow_lon"],
            lat=flows["arrow_lat"],
            mode="markers",
            hoverinfo="skip",
            marker={
                "symbol": "triangle-up",
                "size": sizes,
                "angle": flows["arrow_angle"],
                # clockwise from screen-up: on this north-up map that is the bearing;
                # plotly's "north" only works for the first geo trace of a figure
                "angleref": "up",
                "color": [
                    FLOW_COLOUR if k == k and k is not None else UNKNOWN_COLOUR
                    for k in flows["width_class"]
                ],
            },
            showlegend=False,
            uid="arrows",
        )
    )
    traces.append(
        go.Scattergeo(
            lon=flows["mid_lon"],
            lat=flows["mid_lat"],
            mode="markers",
            marker={"size": 14, "color": "rgba(0,0,0,0)"},
            text=[hover[r] for r in flows["route_id"]],
            customdata=[[dest.get(r)] for r in flows["route_id"]],
            hovertemplate="%{text}<extra></extra>",
            showlegend=False,
            uid="flow-hover",
            name="Routes",
        )
    )
    filtered = filter_routes(dataset.routes, state.filters)
    on_routes = None
    if labels == "routes":  # places the filtered routes pass, and those in countries asked about
        asked = set(state.destination) | set(state.origin) | {state.country}
        on_routes = {n for path in filtered["path"] for n in path}
        on_routes |= set(dataset.locations.loc[dataset.locations["iso3"].isin(asked), "id"])
    traces += _place_traces(dataset, filtered, on_routes)
    traces.append(
        _event_trace(dataset, filter_events(dataset.events, dataset.figures, state.filters))
    )
    used = {role_key(p) for p in dataset.profiles.values()}
    for i, key in enumerate(k for k in ROLE_COLOURS if k != "none"):
        traces.append(
            go.Scattergeo(
                lon=[None],
                lat=[None],
                mode="markers",
                uid=ROLE_TRACES[i],
                marker={
                    "symbol": "square",
                    "size": 12,
                    "color": ROLE_COLOURS[key],
                    "line": {"width": 1, "color": "#7a7a7a"},
                },
                name=key.capitalize(),
                legendgroup="roles",
                legendgrouptitle={"text": "Country's role in the report"} if i == 0 else None,
                visible=state.indicator == "role" and key in used,
                showlegend=True,
            )
        )
    return traces


@lru_cache(maxsize=64)
def _label_positions(points: tuple[tuple[str, float, float], ...]) -> dict[str, str]:
    """Label placement for the region frame; the same places get the same answer, so it is
    computed once per set of labelled places rather than on every interaction."""
    return place_labels(list(points), REGION_LON, REGION_LAT, *MAP_SIZE_PX)


def _place_traces(
    dataset: Dataset, routes: pd.DataFrame, labelled: set[str] | None = None
) -> list[go.Scattergeo]:
    """Places as markers; with `labelled`, only those places (and places with counts of
    their own) carry a label, for small printed maps where every label would collide."""
    locs = dataset.locations
    on_site = counts_at_places(routes)
    if labelled is not None:
        labelled = labelled | set(on_site)
    show = [labelled is None or i in labelled for i in locs["id"]]
    positions = _label_positions(
        tuple(
            (short_name(n), float(x), float(y))
            for n, x, y, keep in zip(locs["name"], locs["lon"], locs["lat"], show)
            if keep
        )
    )
    traces = []
    for claim in ("report", "context"):
        part = locs[locs["claim"] == claim]
        labels = [
            short_name(n) if labelled is None or i in labelled else ""
            for n, i in zip(part["name"], part["id"])
        ]
        traces.append(
            go.Scattergeo(
                lon=part["lon"],
                lat=part["lat"],
                mode="markers+text",
                text=labels,
                textposition=[positions.get(n, "top right") for n in labels],
                textfont={"size": 11, "color": "#1a1a1a"},
                marker={
                    "size": 9,
                    "color": [KIND_COLOURS.get(k, "#444") for k in part["kind"]],
                    "symbol": "circle" if claim == "report" else "circle-open",
                    "line": {"width": 1.2, "color": "#1a1a1a"},
                },
                customdata=[
                    [
                        r.iso3,
                        r.kind.replace("_", " "),
                        country_name(r.iso3),
                        r.admin1 or "",
                        source_text(dataset, r.source_id, r.section),
                        r.name,
                        "".join(f"<br>{line}" for line in on_site.get(r.id, [])),
                    ]
                    for r in part.itertuples()
                ],
                hovertemplate="<b>%{customdata[5]}</b><br>%{customdata[1]} — %{customdata[3]}, "
                "%{customdata[2]}%{customdata[6]}<br>%{customdata[4]}<extra></extra>",
                name="Places the report names"
                if claim == "report"
                else "Sites documented elsewhere (not the report's claim)",
                uid=f"places-{claim}",
            )
        )
    return traces


def event_hover(dataset: Dataset, e: pd.Series) -> str:
    figures = dataset.figures.set_index("id")
    lines = [f"<b>{e['date_label']}</b> — {e['kind'].replace('_', ' ')}", e["title"]]
    for fid in e["figure_ids"]:
        f = figures.loc[fid]
        lines.append(
            f"{f['label']}: {format_value(f['value'], f['unit'], f['qualifier'], f['value_max'])}"
        )
    lines.append(source_text(dataset, e["source_id"], e["section"]))
    return "<br>".join(lines)


def event_points(dataset: Dataset, events: pd.DataFrame) -> pd.DataFrame:
    """Where each event is drawn: its place, else its country's anchor; regional ones nowhere."""
    anchors = dataset.nodes.set_index("node")
    out = events.copy()
    lon, lat = [], []
    for e in events.itertuples():
        if e.lon == e.lon and e.lon is not None:
            lon.append(e.lon)
            lat.append(e.lat)
        elif e.country in anchors.index:
            lon.append(anchors.at[e.country, "lon"])
            lat.append(anchors.at[e.country, "lat"])
        else:
            lon.append(None)
            lat.append(None)
    out["plot_lon"], out["plot_lat"] = lon, lat
    return out


def _event_trace(dataset: Dataset, events: pd.DataFrame) -> go.Scattergeo:
    pts = event_points(dataset, events)
    pts = pts[pts["plot_lon"].notna()]
    # several events at one place: spread them on a small ring so each can be hovered
    offsets = pts.groupby(["plot_lon", "plot_lat"]).cumcount()
    angle = offsets * 2.4
    radius = np.where(offsets > 0, 0.35, 0.18)
    return go.Scattergeo(
        lon=pts["plot_lon"] + radius * np.cos(angle),
        lat=pts["plot_lat"] + radius * np.sin(angle) - 0.25,
        mode="markers",
        marker={
            "size": 8,
            "color": EVENT_COLOUR,
            "opacity": 0.9,
            "symbol": [EVENT_SYMBOLS.get(k, "circle") for k in pts["kind"]],
            "line": {"width": 1, "color": "#0b3d2e"},
        },
        text=[event_hover(dataset, e) for _, e in pts.iterrows()],
        customdata=[[c] for c in pts["country"]],
        hovertemplate="%{text}<extra></extra>",
        name="Dated events",
        uid="events",
    )


# ---------------------------------------------------------------- the whole figure


def build_flow_map(dataset: Dataset, state: ViewState, labels: str = "all") -> go.Figure:
    """The explorer's map for a view state: countries, provinces, flows, places and events.

    labels="routes" labels only the places the drawn routes pass (for print and projection).
    """
    countries, geojson = region_countries(dataset.admin0)
    codes = list(countries["iso3"])
    style = choropleth_style(dataset, state, codes)
    fig = go.Figure()
    fig.add_trace(
        go.Choropleth(
            geojson=geojson,
            featureidkey="properties.iso3",
            locations=codes,
            marker_line_color="#7a7a7a",
            marker_line_width=0.7,
            hovertemplate="%{text}<extra></extra>",
            name="Countries",
            showlegend=False,
            uid="countries",
            **style,
        )
    )
    provinces, pgeo = region_provinces(dataset.admin1)
    fig.add_trace(
        go.Choropleth(
            geojson=pgeo,
            featureidkey="properties.key",
            locations=provinces["key"],
            z=[0] * len(provinces),
            colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]],
            showscale=False,
            marker_line_color="#b5b5b5",
            marker_line_width=0.3,
            hoverinfo="skip",
            showlegend=False,
            name="Provinces",
            uid="provinces",
        )
    )
    for trace in dynamic_traces(dataset, state, labels):
        fig.add_trace(trace)
    assert [t.uid for t in fig.data] == TRACES
    fig.update_geos(
        projection_type="mercator",
        lonaxis_range=list(REGION_LON),
        lataxis_range=list(REGION_LAT),
        showcountries=False,
        showcoastlines=False,
        showland=True,
        landcolor="#f4f4f4",
        showocean=True,
        oceancolor="#e6eff7",
        showframe=False,
        resolution=50,
    )
    fig.update_layout(
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        legend={
            "x": 0.005,
            "y": 0.06,
            "yanchor": "bottom",
            "bgcolor": "rgba(255,255,255,0.92)",
            "font": {"size": 12},
            "groupclick": "toggleitem",
        },
        uirevision="explorer-map",
        hoverdistance=12,
        hoverlabel={"font": {"size": 13}, "align": "left"},
        annotations=[
            {
                "text": DISCLAIMER,
                "xref": "paper",
                "yref": "paper",
                "x": 0.005,
                "y": 0.005,
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 11, "color": "#333"},
                "bgcolor": "rgba(255,255,255,0.85)",
            }
        ],
    )
    return fig
