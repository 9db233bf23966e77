"""The baseline the benchmark compares the dashboard with: the map as a plain Dash app would
first be written.

One `go.Choropleth` of every country with the bundled 1:50m polygons inline
(`geodata/boundaries/admin0_50m.geojson`, as read from the file), one `go.Scattergeo` line per
route, two dropdowns (year, nationality) and one callback that rebuilds and returns the whole
`go.Figure` on every change, polygons included. It reads the same records as the dashboard
(`geodata.load_dataset`, optionally from `--data DIR`) and, like the dashboard, fetches nothing
from other hosts: plotly's base-map topojson comes from the dashboard's `assets/topojson/`.

    python benchmarks/naive_app.py --port 8081 [--data DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import dash  # noqa: E402
import plotly.graph_objects as go  # noqa: E402
from dash import Input, Output, dcc, html  # noqa: E402

from geodata import Dataset, load_dataset  # noqa: E402

BOUNDARIES = ROOT / "geodata" / "boundaries" / "admin0_50m.geojson"
TOPOJSON = ROOT / "assets" / "topojson"
MAP_ID = "map"
YEAR_ID = "year"
NATIONALITY_ID = "nationality"
ALL = "all"


def load_geometry(path: Path = BOUNDARIES) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def naive_figure(dataset: Dataset, geometry: dict, year: str | int | None, nationality: str | None):
    """Every route of the year and nationality as its own line, over every country's polygon."""
    routes = dataset.routes
    if year not in (None, ALL):
        y = int(year)
        routes = routes[(routes["year_start"] <= y) & (routes["year_end"] >= y)]
    if nationality not in (None, ALL):
        routes = routes[routes["nationality"] == nationality]
    points = {r.node: (r.lon, r.lat) for r in dataset.nodes.itertuples()}
    codes = [f["properties"]["iso3"] for f in geometry["features"] if f["properties"].get("iso3")]
    fig = go.Figure()
    fig.add_trace(
        go.Choropleth(
            geojson=geometry,
            featureidkey="properties.iso3",
            locations=codes,
            z=[1] * len(codes),
            colorscale=[[0, "#eeeeee"], [1, "#eeeeee"]],
            showscale=False,
            marker_line_color="#999999",
            marker_line_width=0.5,
            name="Countries",
        )
    )
    for r in routes.itertuples():
        lon = [points[n][0] for n in r.path]
        lat = [points[n][1] for n in r.path]
        fig.add_trace(
            go.Scattergeo(
                lon=lon,
                lat=lat,
                mode="lines+markers" if len(lon) > 1 else "markers",
                line={"width": 2, "color": "#d55e00"},
                name=r.id,
                text=f"{r.id}: {r.measure} {'' if r.count != r.count else r.count}",
                hoverinfo="text",
                showlegend=False,
            )
        )
    fig.update_geos(
        lonaxis_range=[60, 150], lataxis_range=[-15, 45], showcountries=True, showland=True
    )
    fig.update_layout(margin={"l": 0, "r": 0, "t": 0, "b": 0}, height=600)
    return fig


def build_app(data_dir: str | Path | None = None) -> dash.Dash:
    dataset = load_dataset(data_dir)
    geometry = load_geometry()
    years = sorted(set(dataset.routes["year_start"]) | set(dataset.routes["year_end"]))
    years = list(range(int(min(years)), int(max(years)) + 1))
    nationalities = sorted({n for n in dataset.routes["nationality"] if n})
    app = dash.Dash(__name__, assets_folder=str(TOPOJSON), serve_locally=True)
    app.layout = html.Div(
        [
            dcc.Dropdown(
                id=YEAR_ID,
                options=[{"label": "All years", "value": ALL}]
                + [{"label": str(y), "value": y} for y in years],
                value=ALL,
                clearable=False,
            ),
            dcc.Dropdown(
                id=NATIONALITY_ID,
                options=[{"label": "All nationalities", "value": ALL}]
                + [{"label": n, "value": n} for n in nationalities],
                value=ALL,
                clearable=False,
            ),
            dcc.Graph(
                id=MAP_ID,
                figure=naive_figure(dataset, geometry, ALL, ALL),
                config={"topojsonURL": app.get_asset_url("")},
                style={"height": "600px"},
            ),
        ]
    )

    def update_map(year, nationality):
        return naive_figure(dataset, geometry, year, nationality)

    app.callback(Output(MAP_ID, "figure"), Input(YEAR_ID, "value"), Input(NATIONALITY_ID, "value"))(
        update_map
    )
    app.server.config["NAIVE_UPDATE"] = update_map  # the callback as a plain function
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the naive baseline map.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--data", metavar="DIR")
    args = parser.parse_args(argv)
    build_app(args.data).run(host=args.host, port=args.port, debug=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
