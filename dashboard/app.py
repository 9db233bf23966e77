"""The app factory: one dataset per process, read-only; no per-user state lives here."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import dash
from dash._utils import to_json
from flask import Response, abort, request

from dashboard.briefing.app import create_briefing_app
from dashboard.cache import install_cache
from dashboard.downloads import DOWNLOADS, download_text
from dashboard.explorer import callbacks, upload
from dashboard.explorer.session import SessionDatasets, valid_token
from dashboard.figures import flowmap as figures
from dashboard.serving import harden
from dashboard.settings import Settings
from dashboard.startup import records_loader
from dashboard.state import (
    DEFAULT_LAYERS,
    FILTER_KEYS,
    FORM_CHOICES,
    LAYER_MOVEMENTS,
    LAYERS,
    ViewState,
)
from dashboard.text import measure_label
from geodata.countries import country_name
from geodata.dataset import PROFILE_COUNTRIES, Dataset
from geodata.filters import FilterError, parse_filters
from layouts.explorer import explorer_layout

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets"
REPORT_SOURCE_ID = "iom-2024-sitrep"
UPLOAD_ARG = "upload"  # /download/<name>.csv?upload=<token>: a browser tab's uploaded data


# Toolbar buttons that would send the figure to another service, whatever plotly adds later.
NO_SHARING = ["sendDataToCloud", "sendChartToCloud", "editInChartStudio", "select2d", "lasso2d"]


# plotly's geo subplots fetch a base map (`<topojsonURL><scope>_<resolution>m.json`) even when
# they draw none of its layers. The explorer draws countries from its own polygons and turns
# every base layer off, so it is given an empty topology of the same shape: nothing drawn
# changes, and the page does not fetch 110-1,700 kB of coastlines it would not show.
EMPTY_TOPOLOGY = json.dumps(
    {
        "type": "Topology",
        "arcs": [],
        "objects": {
            name: {"type": "GeometryCollection", "geometries": []}
            for name in ("land", "ocean", "lakes", "rivers", "coastlines", "countries", "subunits")
        },
    },
    separators=(",", ":"),
)
EMPTY_TOPOLOGY_URL = "/geo/base/"


class ExplorerDash(dash.Dash):
    """Dash with the page's layout serialised once. The explorer's layout is the same tree for
    every visitor and URL (the URL's view is applied by callbacks), so re-encoding it on each
    page view would only repeat work; a layout set later is encoded afresh."""

    _layout_json: tuple[object, str] | None = None

    def serve_layout(self):
        cached = self._layout_json
        if cached is None or cached[0] is not self._layout:
            cached = self._layout_json = (self._layout, to_json(self.get_layout()))
        return self.backend.make_response(cached[1], mimetype="application/json")


def graph_config(app: dash.Dash) -> dict:
    """dcc.Graph config: an empty base-map topology from this server (see EMPTY_TOPOLOGY),
    never from a CDN, and no toolbar button that uploads or shares: the image button saves a
    PNG on this computer."""
    return {
        "topojsonURL": EMPTY_TOPOLOGY_URL,
        "displaylogo": False,
        "responsive": True,
        "showSendToCloud": False,
        "showEditInChartStudio": False,
        "showLink": False,
        "plotlyServerURL": "",
        "modeBarButtonsToRemove": list(NO_SHARING),
    }


def year_bounds(dataset: Dataset) -> tuple[int, int]:
    years = list(dataset.routes["year_start"]) + list(dataset.routes["year_end"])
    years += list(dataset.figures["year_start"]) + list(dataset.figures["year_end"])
    return (int(min(years)), int(max(years))) if years else (2023, 2023)


def control_options(dataset: Dataset) -> dict[str, list[dict]]:
    def countries(codes) -> list[dict]:
        codes = sorted({c for c in codes if c}, key=country_name)
        return [{"label": country_name(c), "value": c} for c in codes]

    routes = dataset.routes
    measures = sorted(set(routes.loc[routes["count"].notna(), "measure"]), key=measure_label)
    return {
        "nationality": countries(routes["nationality"]),
        "origin": countries(routes["origin_iso3"]),
        "destination": countries(routes["destination_iso3"]),
        "form": [{"label": FORM_CHOICE_LABELS[k], "value": k} for k in FORM_CHOICES],
        "measure": [{"label": measure_label(m).capitalize(), "value": m} for m in measures],
        "layers": [
            {"label": LAYER_LABELS[k], "value": k, "default": k in DEFAULT_LAYERS} for k in LAYERS
        ],
        "country": countries(
            list(PROFILE_COUNTRIES) + list(routes["origin_iso3"]) + list(routes["destination_iso3"])
        ),
    }


FORM_CHOICE_LABELS = {
    "forced_criminality": "Forced criminality in scam centres",
    "organ_removal": "Organ removal",
    "sexual_exploitation": "Sexual exploitation",
    "other": "Other forms",
    "every": "Every form",
}
LAYER_LABELS = {
    "routes": "Trafficking routes",
    "returns": "Returns",
    "places": "Places",
    "events": "Dated events",
    "offices": "IOM office figures",
    "other": "Other movements",
}


def create_app(settings: Settings | None = None, dataset: Dataset | None = None) -> dash.Dash:
    settings = settings or Settings()
    if dataset is None:
        from dashboard.startup import load_settings_dataset

        dataset = load_settings_dataset(settings)
    app = ExplorerDash(
        __name__,
        assets_folder=str(ASSETS),
        serve_locally=True,
        title="Scam-compound trafficking routes — IOM 2024 report",
        update_title=None,
        suppress_callback_exceptions=False,
    )
    app.server.config["DATASET"] = dataset
    harden(app.server, settings.frame_ancestors)
    cache = install_cache(app.server, dataset, settings.redis_url)
    years = year_bounds(dataset)
    config = graph_config(app)
    # the countries' polygons go to the browser once, by URL, and are cached there: no figure
    # or update carries geometry
    geometry_body = json.dumps(figures.screen_geojson(dataset), separators=(",", ":"))
    version = hashlib.sha256(geometry_body.encode()).hexdigest()[:12]
    geometry_url = f"/geo/countries-{version}.json"
    # the world's polygons (same boundary file, so the same version), built when first asked
    # for: only a view of case records that reaches beyond the region fetches them
    geometry = figures.Geometry(geometry_url, f"/geo/world-{version}.json")

    world_body: list[str] = []  # written on the first request, then served as it is

    @app.server.route("/geo/world-<version>.json")
    def world_geometry(version: str) -> Response:
        if not world_body:
            world_body.append(json.dumps(figures.world_geojson(dataset), separators=(",", ":")))
        return Response(
            world_body[0],
            mimetype="application/geo+json",
            headers={"Cache-Control": "public, max-age=31536000, immutable"},
        )

    @app.server.route("/geo/countries-<version>.json")
    def countries_geometry(version: str) -> Response:
        return Response(
            geometry_body,
            mimetype="application/geo+json",
            headers={"Cache-Control": "public, max-age=31536000, immutable"},
        )

    @app.server.route(EMPTY_TOPOLOGY_URL + "<scope>_<int:resolution>m.json")
    def empty_topology(scope: str, resolution: int) -> Response:
        return Response(
            EMPTY_TOPOLOGY,
            mimetype="application/json",
            headers={"Cache-Control": "public, max-age=31536000, immutable"},
        )

    # the page holds what the plain URL shows, laid out for the map's box on a common screen;
    # the browser asks the server again only for another URL or another size
    map_w, map_h = callbacks.DEFAULT_SIZE
    app.layout = explorer_layout(
        map_figure=callbacks.map_figure(dataset, "", {"w": map_w, "h": map_h}, geometry),
        time_strip=callbacks.time_strip(dataset, "", years),
        map_config=config,
        chart_config=config,
        years=years,
        options=control_options(dataset),
        source_line="Source: "
        + dataset.source_label(REPORT_SOURCE_ID)
        + ", and the media items it lists. Each route, place and event names its own source and "
        "report section on hover; click a route for its card.",
        problems=[str(p) for p in dataset.report.errors],
        map_size={"w": map_w, "h": map_h},
        headlines=callbacks.headlines(dataset, ""),
        legend=callbacks.legend_view(dataset, ""),
        side=callbacks.side_panel(dataset, ""),
        export_links=callbacks.export_links("", "full"),
        width_options=callbacks.width_options(dataset, ""),
        map_message=callbacks.map_message(dataset, ""),
        form_value=ViewState().form_choice,
    )
    # what each browser tab uploaded: kept in the shared cache, built here on first use
    sessions = SessionDatasets(dataset, cache, records_loader(settings))
    upload.register(app, sessions)
    callbacks.register(app, dataset, years, config, geometry, session=sessions)
    create_briefing_app(app.server, dataset, years, ASSETS, settings.briefings_dir)

    @app.server.route("/download/<name>.csv")
    def download(name: str) -> Response:
        if name not in DOWNLOADS:
            abort(404)
        fmt = request.args.get("format", "csv")
        if fmt not in ("csv", "hxl"):
            return Response(
                "format: csv (default) or hxl (HXL-tagged CSV)\n", status=400, mimetype="text/plain"
            )
        try:
            layers = request.args.get("layers")
            movement = None
            if layers is not None:
                chosen = [v.strip() for v in layers.split(",") if v.strip()]
                movement = ",".join(LAYER_MOVEMENTS[k] for k in chosen if k in LAYER_MOVEMENTS)
                if not movement:
                    return Response(
                        "layers: no route layer chosen (routes, returns or other)\n",
                        status=400,
                        mimetype="text/plain",
                    )
            filters = parse_filters(
                request.args.get("year"),
                request.args.get("nationality"),
                request.args.get("origin"),
                request.args.get("destination"),
                request.args.get("measure"),
                form=request.args.get("form"),
                movement=movement,
            )
        except FilterError as exc:
            return Response(f"{exc}\n", status=400, mimetype="text/plain")
        if name == "locations" and set(request.args) - {"format", UPLOAD_ARG}:
            return Response("locations.csv takes no filters\n", status=400, mimetype="text/plain")
        shown = dataset
        if UPLOAD_ARG in request.args:  # a tab's own data (the table's CSV link carries it)
            token = request.args[UPLOAD_ARG]
            found = sessions.get(token) if valid_token(token) else None
            if found is None:
                return Response(
                    "upload: no uploaded data under this key: it was removed ('Stop showing my "
                    "data'), or it expired. Drop the file on the explorer again.\n",
                    status=404,
                    mimetype="text/plain",
                )
            shown = found
        # UTF-8 with a byte-order mark: Excel on Windows then reads "Las Piñas" as written
        body = "\ufeff" + download_text(shown, name, filters, hxl=fmt == "hxl")
        filename = f"{name}-hxl.csv" if fmt == "hxl" else f"{name}.csv"
        return Response(
            body.encode("utf-8"),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    @app.server.route("/export/<view>.<fmt>")
    def export_figure(view: str, fmt: str) -> Response:
        """The current view as a publication figure (the explorer's export links), or, as
        `/export/<view>.sources.csv` with the same query, the sources of what it draws.

        One Chromium serves every request of the process (dashboard.export.browser). A view
        that would draw nothing answers 422 with what is missing, not an empty figure."""
        from dashboard.briefing.files import slide_state
        from dashboard.export.render import (
            FORMATS,
            PRESETS,
            EmptyExport,
            Exporter,
            ExportError,
            ExportUnavailable,
            Page,
            print_figure,
            print_meta,
        )
        from dashboard.export.sources import sources_csv
        from dashboard.figures.views import VIEWS, ViewError

        sources = fmt == "sources.csv" or (fmt == "csv" and view.endswith(".sources"))
        view = view.removesuffix(".sources") if sources else view
        if view not in VIEWS or not (sources or fmt in FORMATS):
            return Response(
                f"no figure {view}.{fmt}: views are {', '.join(VIEWS)}; formats "
                f"{', '.join(FORMATS)}, or sources.csv for the figure's sources\n",
                status=404,
                mimetype="text/plain",
            )
        args = request.args
        try:
            state = slide_state(
                {k: v for k, v in args.items() if k in FILTER_KEYS},
                set(dataset.indicators["id"]),
            )
            preset = args.get("preset", "full")
            if not args.get("width_mm") and preset not in PRESETS:
                raise ExportError(f"preset {preset!r}: choose {', '.join(PRESETS)}")
            width = float(args.get("width_mm") or PRESETS[preset])
            height = float(args["height_mm"]) if args.get("height_mm") else None
            page = Page(width, height, int(args.get("dpi", 300)))
            title = args.get("title") or None
            if sources:
                meta = print_meta(dataset, view, state, years, page)
                if meta.empty:
                    raise EmptyExport(meta.empty_message or "nothing to draw", meta.suggestions)
            else:
                fig, meta = print_figure(dataset, view, state, years, page, title)
        except EmptyExport as exc:
            lines = [f"Nothing to draw: {exc}"]
            lines += [f"With data: {text}" for text, _ in exc.suggestions[:3]]
            return Response("\n".join(lines) + "\n", status=422, mimetype="text/plain")
        except (FilterError, ExportError, ViewError, ValueError) as exc:
            return Response(f"{exc}\n", status=400, mimetype="text/plain")
        stem = f"{view}-{width:g}mm"
        if sources:
            return Response(
                sources_csv(meta, f"{stem}.png"),
                mimetype="text/csv",
                headers={"Content-Disposition": f'attachment; filename="{stem}-sources.csv"'},
            )
        try:
            with Exporter() as exporter:
                body = exporter.render(fig, meta, fmt, page, title, built=True)
        except ExportUnavailable as exc:
            return Response(f"{exc}\n", status=503, mimetype="text/plain")
        except ExportError as exc:
            return Response(f"{exc}\n", status=400, mimetype="text/plain")
        mimetype = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}[fmt]
        return Response(
            body,
            mimetype=mimetype,
            headers={"Content-Disposition": f'attachment; filename="{stem}.{fmt}"'},
        )

    return app
