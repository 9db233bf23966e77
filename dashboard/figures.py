"""Figure builders: data in, go.Figure out. Pure; used by the page, exports and tests alike."""

from __future__ import annotations

import json
from functools import lru_cache

import geopandas as gpd
import pandas as pd
import plotly.graph_objects as go
import shapely

from dashboard.text import format_count, measure_label, period_label
from geodata.countries import country_name
from geodata.dataset import PROFILE_COUNTRIES, Dataset

DISCLAIMER = (
    "For illustration only: boundaries, names and designations on this map do not imply "
    "endorsement or acceptance by IOM."
)
# Southeast Asia with the origin countries around it (lon, lat).
REGION_LON = (76.0, 138.0)
REGION_LAT = (-11.0, 31.0)
VIEW_BBOX = (60.0, -15.0, 150.0, 50.0)  # countries drawn from the bundled polygons
# Okabe–Ito colour-blind-safe palette.
KIND_COLOURS = {
    "compound": "#D55E00",
    "sez": "#CC79A7",
    "city": "#0072B2",
    "airport": "#009E73",
    "border_crossing": "#E69F00",
}
KNOWN_COLOUR = "#0072B2"
UNKNOWN_COLOUR = "#6b6b6b"
FOCUS_FILL = "#f3e6c8"
OTHER_FILL = "#eeeeee"


@lru_cache(maxsize=4)
def _region_geojson(admin0_json: str) -> dict:
    return json.loads(admin0_json)


def region_countries(admin0: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, dict]:
    """Countries that touch the map's view box, as a frame and as GeoJSON for plotly."""
    box = shapely.box(*VIEW_BBOX)
    frame = admin0.loc[admin0.intersects(box), ["iso3", "name", "geometry"]]
    return frame, _region_geojson(frame.to_json(drop_id=True))


def _source_text(dataset: Dataset, source_id: str, section: str) -> str:
    return f"Source: {dataset.source_label(source_id)} — {section}"


def route_hover(dataset: Dataset, route: pd.Series) -> str:
    path = " → ".join(route["path_names"])
    who = country_name(route["nationality"]) if route["nationality"] else "nationality not stated"
    lines = [
        f"<b>{path}</b>",
        f"People: {who}",
        f"{measure_label(route['measure']).capitalize()}: "
        f"{format_count(route['count'], route['qualifier'])}",
        f"Period: {period_label(route['year_start'], route['year_end'], route['period'])}",
    ]
    if route["share_pct"] is not None and route["share_pct"] == route["share_pct"]:
        lines.append(f"Share: {route['share_pct']:g} %")
    lines.append(_source_text(dataset, route["source_id"], route["section"]))
    return "<br>".join(lines)


def short_name(name: str) -> str:
    """'Clark (Clark Freeport and Special Economic Zone)' -> 'Clark' for on-map labels."""
    return name.split(" (")[0]


def counts_at_places(dataset: Dataset, routes: pd.DataFrame) -> dict[str, list[str]]:
    """Routes recorded at one place only (no origin, no transit): listed on the place itself.

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


def build_route_map(dataset: Dataset, routes: pd.DataFrame, legs: pd.DataFrame) -> go.Figure:
    """The first page's map: countries, compound and transit places, and each route's legs.

    Known-count and unknown-count routes are drawn as separate traces (solid / dashed); counts
    are shown in the hover text only, never summed across routes.
    """
    fig = go.Figure()
    frame, geojson = region_countries(dataset.admin0)
    fig.add_trace(
        go.Choropleth(
            geojson=geojson,
            featureidkey="properties.iso3",
            locations=frame["iso3"],
            z=[1 if c in PROFILE_COUNTRIES else 0 for c in frame["iso3"]],
            zmin=0,
            zmax=1,
            colorscale=[[0, OTHER_FILL], [1, FOCUS_FILL]],
            showscale=False,
            marker_line_color="#8a8a8a",
            marker_line_width=0.6,
            text=[country_name(c) for c in frame["iso3"]],
            hovertemplate="%{text}<extra></extra>",
            name="Countries",
            showlegend=False,
        )
    )
    hover = {r["id"]: route_hover(dataset, r) for _, r in routes.iterrows()}
    for known, label, colour, dash in (
        (True, "Route with a stated number", KNOWN_COLOUR, "solid"),
        (False, "Route named, number not stated", UNKNOWN_COLOUR, "dash"),
    ):
        part = legs[legs["count"].notna() == known]
        lons: list[float | None] = []
        lats: list[float | None] = []
        for leg in part.itertuples():
            lons += [leg.from_lon, leg.to_lon, None]
            lats += [leg.from_lat, leg.to_lat, None]
        fig.add_trace(
            go.Scattergeo(
                lon=lons,
                lat=lats,
                mode="lines",
                line={"width": 2.2 if known else 1.4, "color": colour, "dash": dash},
                name=label,
                hoverinfo="skip",
                legendgroup=label,
            )
        )
        mids = part.assign(
            mid_lon=(part["from_lon"] + part["to_lon"]) / 2,
            mid_lat=(part["from_lat"] + part["to_lat"]) / 2,
        )
        fig.add_trace(
            go.Scattergeo(
                lon=mids["mid_lon"],
                lat=mids["mid_lat"],
                mode="markers",
                marker={
                    "size": 7,
                    "color": colour,
                    "symbol": "triangle-right" if known else "circle-open",
                },
                text=[hover[r] for r in mids["route_id"]],
                hovertemplate="%{text}<extra></extra>",
                name=label,
                legendgroup=label,
                showlegend=False,
            )
        )
    locs = dataset.locations
    on_site = counts_at_places(dataset, routes)
    for claim, symbol_suffix, note in (
        ("report", "", ""),
        ("context", "-open", " (public record, not the report)"),
    ):
        part = locs[locs["claim"] == claim]
        if part.empty:
            continue
        fig.add_trace(
            go.Scattergeo(
                lon=part["lon"],
                lat=part["lat"],
                mode="markers+text",
                text=[short_name(n) for n in part["name"]],
                textposition="top right",
                textfont={"size": 11, "color": "#222"},
                marker={
                    "size": 9,
                    "color": [KIND_COLOURS.get(k, "#444") for k in part["kind"]],
                    "symbol": "circle" + symbol_suffix,
                    "line": {"width": 1.2, "color": "#222"},
                },
                customdata=[
                    [
                        r.kind.replace("_", " "),
                        country_name(r.iso3),
                        r.admin1 or "",
                        _source_text(dataset, r.source_id, r.section),
                        r.name,
                        "".join(f"<br>{line}" for line in on_site.get(r.id, [])),
                    ]
                    for r in part.itertuples()
                ],
                hovertemplate="<b>%{customdata[4]}</b><br>%{customdata[0]} — %{customdata[2]}, "
                "%{customdata[1]}%{customdata[5]}<br>%{customdata[3]}<extra></extra>",
                name="Places named in the report"
                if claim == "report"
                else "Documented compound sites" + note,
            )
        )
    fig.update_geos(
        projection_type="mercator",
        lonaxis_range=list(REGION_LON),
        lataxis_range=list(REGION_LAT),
        showcountries=False,
        showcoastlines=False,
        showland=True,
        landcolor="#f7f7f7",
        showocean=True,
        oceancolor="#e8f1f8",
        showframe=False,
        resolution=50,
    )
    fig.update_layout(
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        legend={
            "x": 0.01,
            "y": 0.05,
            "yanchor": "bottom",
            "bgcolor": "rgba(255,255,255,0.9)",
            "font": {"size": 12},
        },
        uirevision="explorer",
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
                "font": {"size": 10, "color": "#333"},
                "bgcolor": "rgba(255,255,255,0.8)",
            }
        ],
    )
    return fig
