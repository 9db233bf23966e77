"""Briefing mode at /briefing/: a second Dash app on the same server, one view per screen.

`/briefing/` lists the briefings; `/briefing/<name>/<n>` is view n of a briefing, so each view
has its own URL and the browser's back button steps back. Arrow keys and Page Up / Page Down
(what presentation clickers send) move between views (assets/briefing.js).
"""

from __future__ import annotations

from pathlib import Path

import dash
import plotly.graph_objects as go
from dash import Input, Output

from dashboard.briefing.files import BriefingError, Slide, briefing_files, load_briefing
from dashboard.figures.views import ViewMeta, build_view, cite_briefly
from geodata.dataset import Dataset
from layouts import ids
from layouts.briefing import briefing_error, briefing_index, briefing_shell, slide

BASE = "/briefing/"
PROJECTION_FONT = 22  # px at 1080p: readable from the back of a room
BRIEFING_SIZE = (1920, 1080)  # until the browser says its size


def projected_map(meta: ViewMeta, viewport: dict | None) -> tuple[go.Figure, dict]:
    """A map rebuilt at the size the slide draws it, with projector type, so that its labels
    sit by their points; returns the figure and the graph's style (its size in px)."""
    from dashboard.figures.flowmap import Layout

    w, h = BRIEFING_SIZE
    if viewport:
        try:
            w, h = float(viewport["w"]), float(viewport["h"])
        except (KeyError, TypeError, ValueError):
            pass
    graph_w = round(w * 0.95)
    graph_h = round(h * 0.72)
    legend_w = min(420, graph_w * 0.24)
    fig = meta.rebuild(
        Layout(
            width_px=graph_w - legend_w,
            height_px=graph_h,
            insets=True,
            legend=True,
            font_px=max(14, round(h / 1080 * (PROJECTION_FONT + 2))),
            scale=h / 1080 * 1.8,
            inset_share=0.3,
        )
    )
    fig.update_layout(
        width=graph_w,
        height=graph_h,
        autosize=False,
        # the legend has its own column: plotly must not narrow the map to make room for it,
        # or the labels, placed for the map's size, would no longer sit by their points
        margin={"l": 0, "r": legend_w, "t": 0, "b": 0, "autoexpand": False},
        showlegend=True,
        legend={
            "font": {"size": max(11, round(h / 1080 * (PROJECTION_FONT - 5)))},
            "x": 1.0,
            "xanchor": "left",
            "y": 1,
            "yanchor": "top",
            "bgcolor": "rgba(255,255,255,0.95)",
        },
        hoverlabel={"font": {"size": PROJECTION_FONT - 2}},
    )
    for a in fig.layout.annotations:
        a.font.size = max(11, round(h / 1080 * (PROJECTION_FONT - 6)))
    return fig, {"width": f"{graph_w}px", "height": f"{graph_h}px"}


def for_projection(fig: go.Figure, meta: ViewMeta) -> go.Figure:
    """Large type and a legend beside the figure; the page shows title, caption and source."""
    fig = go.Figure(fig)
    fig.update_layout(
        font={"size": PROJECTION_FONT, "color": "#111111"},
        legend={
            "font": {"size": PROJECTION_FONT - 2},
            "x": 1.01,
            "xanchor": "left",
            "y": 1,
            "yanchor": "top",
            "bgcolor": "rgba(255,255,255,0.95)",
        },
        hoverlabel={"font": {"size": PROJECTION_FONT - 2}},
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
        paper_bgcolor="white",
        autosize=True,
        height=None,
        width=None,
    )
    fig.layout.title = None
    for t in fig.data:
        if t.type == "scattergeo" and t.mode and "text" in t.mode:
            t.textfont.size = PROJECTION_FONT - 4
        if t.type == "bar" and t.textfont is not None:
            t.textfont.size = PROJECTION_FONT
        if t.type == "table":
            t.header.font.size = PROJECTION_FONT + 2
            t.header.height = 44
            t.cells.font.size = PROJECTION_FONT
            t.cells.height = 44
        if (
            t.type in ("scatter", "scattergeo")
            and t.marker is not None
            and t.mode
            and ("markers" in t.mode)
        ):
            size = t.marker.size
            if isinstance(size, int | float):
                t.marker.size = size * 1.6
    if meta.kind == "map":  # the disclaimer stays on the map, legible
        for a in fig.layout.annotations:
            a.font.size = PROJECTION_FONT - 6
    if meta.kind == "chart":
        fig.update_xaxes(tickfont={"size": PROJECTION_FONT}, title_font={"size": PROJECTION_FONT})
        fig.update_yaxes(tickfont={"size": PROJECTION_FONT}, title_font={"size": PROJECTION_FONT})
        fig.update_layout(margin={"l": 110, "b": 70})
    return fig


def _source_line(meta: ViewMeta) -> str:
    credit = cite_briefly(meta.sources)
    label = "Sources" if ";" in credit else "Source"
    return f"{label}: {credit}. Period: {meta.period}."


def create_briefing_app(
    server, dataset: Dataset, bounds: tuple[int, int], assets: Path, folder: Path | None = None
) -> dash.Dash:
    app = dash.Dash(
        __name__,
        server=server,
        url_base_pathname=BASE,
        assets_folder=str(assets),
        serve_locally=True,
        title="Briefing — scam-compound trafficking routes",
        update_title=None,
    )
    app.layout = briefing_shell()
    config = {
        "topojsonURL": app.get_asset_url("topojson/"),
        "displaylogo": False,
        "displayModeBar": False,
        "responsive": True,
    }
    indicators = set(dataset.indicators["id"])

    def files() -> dict[str, Path]:
        return briefing_files(folder) if folder else briefing_files()

    def render(pathname: str | None, search: str | None, viewport: dict | None = None):
        parts = [p for p in (pathname or "").removeprefix(BASE).split("/") if p]
        available = files()
        if not parts:
            items, problems = [], []
            for name, path in available.items():
                try:
                    b = load_briefing(path, indicators)
                    items.append({"title": b.title, "href": f"{BASE}{name}/1"})
                except BriefingError as exc:
                    problems.append(str(exc))
            return briefing_index(items, problems)
        name = parts[0]
        if name not in available:
            return briefing_error(f"No briefing named {name!r}.", BASE)
        try:
            briefing = load_briefing(available[name], indicators)
        except BriefingError as exc:
            return briefing_error(str(exc), BASE)
        try:
            n = int(parts[1]) if len(parts) > 1 else 1
        except ValueError:
            n = 0
        if not 1 <= n <= len(briefing.slides):
            return briefing_error(
                f"{name} has views 1 to {len(briefing.slides)}; there is no view {parts[1]!r}.",
                f"{BASE}{name}/1",
            )
        s: Slide = briefing.slides[n - 1]
        fig, meta = build_view(dataset, s.view, s.state, bounds)
        total = len(briefing.slides)
        style = None
        if meta.kind == "map" and meta.rebuild is not None:
            figure, style = projected_map(meta, viewport)
        else:
            figure = for_projection(fig, meta)
        return slide(
            title=s.title,
            caption=s.caption,
            source_line=_source_line(meta),
            figure=figure,
            graph_style=style,
            graph_config=config,
            position=n,
            total=total,
            prev_href=f"{BASE}{name}/{n - 1}" if n > 1 else None,
            next_href=f"{BASE}{name}/{n + 1}" if n < total else None,
            note=s.note if "notes=1" in (search or "") else None,
        )

    app.callback(
        Output(ids.BRIEFING_CONTENT, "children"),
        Input(ids.BRIEFING_URL, "pathname"),
        Input(ids.BRIEFING_URL, "search"),
        Input(ids.BRIEFING_VIEWPORT, "data"),
    )(render)
    return app
