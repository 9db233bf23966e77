"""The app factory: one dataset per process, read-only; no per-user state lives here."""

from __future__ import annotations

from pathlib import Path

import dash
from flask import Response, abort, request

from dashboard import figures
from dashboard.downloads import DOWNLOADS, download_csv
from dashboard.settings import Settings
from geodata.dataset import Dataset, load_dataset
from geodata.filters import FilterError, parse_filters
from geodata.flows import route_legs
from layouts.explorer import explorer_layout

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets"
REPORT_SOURCE_ID = "iom-2024-sitrep"


def graph_config(app: dash.Dash) -> dict:
    """dcc.Graph config: plotly's base-map topojson from our assets, never from a CDN."""
    return {
        "topojsonURL": app.get_asset_url("topojson/"),
        "displaylogo": False,
        "responsive": True,
    }


def create_app(settings: Settings | None = None, dataset: Dataset | None = None) -> dash.Dash:
    settings = settings or Settings()
    if dataset is None:
        dataset = load_dataset(settings.data_dir, settings.boundaries, settings.code_column)
    app = dash.Dash(
        __name__,
        assets_folder=str(ASSETS),
        serve_locally=True,
        title="Scam-compound trafficking routes — IOM 2024 report",
        update_title=None,
    )
    app.server.config["DATASET"] = dataset

    legs = route_legs(dataset.routes, dataset.nodes)
    fig = figures.build_route_map(dataset, dataset.routes, legs)
    counts = {
        "routes": len(dataset.routes),
        "places": len(dataset.locations),
        "key figures": len(dataset.figures),
        "dated events": len(dataset.events),
        "sources": len(dataset.sources),
    }
    app.layout = explorer_layout(
        fig,
        graph_config(app),
        "Source: " + dataset.source_label(REPORT_SOURCE_ID),
        counts,
        [str(p) for p in dataset.report.errors],
    )

    @app.server.route("/download/<name>.csv")
    def download(name: str) -> Response:
        if name not in DOWNLOADS:
            abort(404)
        try:
            filters = parse_filters(request.args.get("year"), request.args.get("nationality"))
        except FilterError as exc:
            return Response(f"{exc}\n", status=400, mimetype="text/plain")
        if name == "locations" and (request.args.get("year") or request.args.get("nationality")):
            return Response("locations.csv takes no filters\n", status=400, mimetype="text/plain")
        body = download_csv(dataset, name, filters)
        return Response(
            body,
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )

    return app
