"""Briefing mode at /briefing/: a second Dash app on the same server, one view per screen.

`/briefing/` lists the briefings; `/briefing/<name>/<n>` is view n of a briefing, so each view
has its own URL and the browser's back button steps back. Arrow keys and Page Up / Page Down
(what presentation clickers send) move between views; P opens the presenter view,
`/briefing/<name>/<n>?presenter=1`, in a second window that moves with this one
(assets/briefing.js). The room never sees a speaker note: `?notes=1`, which once showed the
note under the slide, opens the presenter view too.

A slide is drawn for the box its figure gets on the screen it is shown on (slides.py): the page
reports the window's size and the box's (assets/briefing.js), and the slide is redrawn when they
change.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from urllib.parse import parse_qs

import dash
from dash import Input, Output

from dashboard.briefing import slides as sizing
from dashboard.briefing.files import Briefing, BriefingError, briefing_files, load_briefing
from dashboard.briefing.slides import Screen
from dashboard.figures.views import ViewError, ViewOptions, build_view
from geodata.dataset import Dataset
from layouts import ids
from layouts.briefing import (
    briefing_error,
    briefing_index,
    briefing_shell,
    events_list,
    figures_table,
    message,
    presenter,
    slide,
    slide_graph,
)

BASE = "/briefing/"
THUMB_SIZE = (1280, 720)  # the presenter view's previews are slides of this size, scaled down


def wants_presenter(search: str | None) -> bool:
    params = parse_qs((search or "").lstrip("?"))
    return any(params.get(k, [""])[0] not in ("", "0") for k in ("presenter", "notes"))


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
    from dashboard.app import EMPTY_TOPOLOGY_URL  # the page's app, loaded by now

    app.layout = briefing_shell()
    config = {
        # the explorer's empty base map (dashboard.app serves it on the same server): every
        # briefing map draws its own polygons with the base layers off, as the explorer does
        "topojsonURL": EMPTY_TOPOLOGY_URL,
        "displaylogo": False,
        "displayModeBar": False,
        "responsive": False,
    }
    thumb_config = config | {"staticPlot": True}
    route_ids = set(dataset.routes["id"])

    def files() -> dict[str, Path]:
        return briefing_files(folder) if folder else briefing_files()

    lock = threading.Lock()  # the server answers requests in threads

    def remember(cache: OrderedDict, key: tuple, make):
        """A value kept for the slides shown last (moving back and forth redraws nothing)."""
        with lock:
            if key in cache:
                cache.move_to_end(key)
                return cache[key]
        value = make()
        with lock:
            cache[key] = value
            while len(cache) > 48:
                cache.popitem(last=False)
        return value

    loaded_files: OrderedDict[tuple, Briefing | BriefingError] = OrderedDict()

    def loaded(path: Path) -> Briefing:
        """A briefing file read and checked once per version of the file (not per visit)."""
        try:
            stat = path.stat()
            key = (str(path), stat.st_mtime_ns, stat.st_size)
        except OSError:
            key = (str(path), None, None)

        def make() -> Briefing | BriefingError:
            try:
                return load_briefing(path, dataset=dataset)
            except BriefingError as exc:
                return exc

        result = remember(loaded_files, key, make)
        if isinstance(result, BriefingError):
            raise result
        return result

    prepared_views: OrderedDict[tuple, tuple] = OrderedDict()

    def prepared(b: Briefing, path: Path, n: int) -> tuple:
        """A slide's view built once, whatever the screen: the figure and its meta (or the
        events it lists), and the source line."""

        def make() -> tuple:
            s = b.slides[n - 1]
            if s.view == "events":
                events = sizing.slide_events(dataset, s.state, s.events)
                period = sizing.events_period(events)
                source = f"Each event's source is given with it. Period: {period}."
                return sizing.event_items(dataset, events), None, source
            fig, meta = build_view(dataset, s.view, s.state, bounds, s.options)
            return fig, meta, sizing.source_credit(meta.sources, meta.period)

        return remember(prepared_views, (str(path), path.stat().st_mtime_ns, n), make)

    def stage_content(b: Briefing, path: Path, n: int, screen: Screen, thumb: bool):
        """What a slide's figure box holds at this size."""
        s = b.slides[n - 1]
        fig, meta, _ = prepared(b, path, n)
        size = (int(screen.stage_w), int(screen.stage_h))
        if s.view == "events":
            items = fig
            if not items:
                return message("No dated events in the records for these filters.")
            fit = sizing.events_that_fit(items, screen)
            more = None
            if fit < len(items):
                more = f"and {len(items) - fit} more dated events (in the explorer's events layer)"
            return events_list(items[:fit], more)
        if s.view == "profile":
            rows = sizing.table_rows(fig)
            fit = sizing.rows_that_fit(rows, screen)
            if fit is not None:
                fig, _ = build_view(dataset, s.view, s.state, bounds, ViewOptions(max_rows=fit))
                rows = sizing.table_rows(fig)
            if not rows:
                return message("No key figures in the records for these years.")
            return figures_table(list(sizing.TABLE_COLUMNS), sizing.table_parts(rows))
        if meta.kind == "map" and meta.rebuild is not None:
            figure = sizing.projected_map(meta.rebuild, screen, route_ids)
        elif meta.kind == "sankey" and meta.rebuild is not None:
            figure = sizing.projected_sankey(meta.rebuild, screen)
        else:
            figure = sizing.projected_chart(fig, screen, meta.kind)
        return slide_graph(figure, thumb_config if thumb else config, size, thumb)

    drawn_slides: OrderedDict[tuple, object] = OrderedDict()

    def screen_for(b: Briefing, path: Path, n: int, w: float, h: float, measured) -> Screen:
        if measured:
            return Screen(w, h, measured["sw"], measured["sh"])
        s = b.slides[n - 1]
        source = prepared(b, path, n)[2]
        return sizing.estimate_screen(w, h, s.title, s.caption, source, len(b.slides))

    def one_slide(b: Briefing, path: Path, name: str, n: int, screen: Screen, thumb: bool):
        s = b.slides[n - 1]
        key = (str(path), path.stat().st_mtime_ns, n, screen, thumb)
        body = remember(drawn_slides, key, lambda: stage_content(b, path, n, screen, thumb))
        total = len(b.slides)
        return slide(
            title=s.title,
            caption=s.caption,
            source_line=prepared(b, path, n)[2],
            body=body,
            stage_key=screen.key,
            position=n,
            total=total,
            prev_href=f"{BASE}{name}/{n - 1}" if n > 1 else None,
            next_href=f"{BASE}{name}/{n + 1}" if n < total else None,
            explorer_href=sizing.explorer_href(s.view, s.state),
            thumb=thumb,
        )

    def presenter_view(b: Briefing, path: Path, name: str, n: int):
        total = len(b.slides)

        def thumb(k: int):
            screen = screen_for(b, path, k, *THUMB_SIZE, None)
            return one_slide(b, path, name, k, screen, thumb=True)

        s = b.slides[n - 1]
        nxt = b.slides[n] if n < total else None
        return presenter(
            title=s.title,
            position=n,
            total=total,
            note=s.note,
            now=thumb(n),
            next_title=nxt.title if nxt else None,
            next_thumb=thumb(n + 1) if nxt else None,
            prev_href=f"{BASE}{name}/{n - 1}?presenter=1" if n > 1 else None,
            next_href=f"{BASE}{name}/{n + 1}?presenter=1" if n < total else None,
        )

    def render(pathname: str | None, search: str | None, stage: dict | None = None):
        parts = [p for p in (pathname or "").removeprefix(BASE).split("/") if p]
        available = files()
        if not parts:
            items, problems = [], []
            for name, path in available.items():
                try:
                    b = loaded(path)
                    items.append({"title": b.title, "href": f"{BASE}{name}/1"})
                except BriefingError as exc:
                    problems.append(str(exc))
            return briefing_index(items, problems)
        name = parts[0]
        if name not in available:
            return briefing_error(f"No briefing named {name!r}.", BASE)
        path = available[name]
        try:
            briefing = loaded(path)
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
        try:
            if wants_presenter(search):
                return presenter_view(briefing, path, name, n)
            w, h, measured = sizing.screen_from(stage, pathname or "")
            screen = screen_for(briefing, path, n, w, h, measured)
            return one_slide(briefing, path, name, n, screen, thumb=False)
        except ViewError as exc:
            return briefing_error(f"{path.name}, slide {n}: {exc}", f"{BASE}{name}/1")

    app.callback(
        Output(ids.BRIEFING_CONTENT, "children"),
        Input(ids.BRIEFING_URL, "pathname"),
        Input(ids.BRIEFING_URL, "search"),
        Input(ids.BRIEFING_STAGE_SIZE, "data"),
    )(render)
    return app
