"""Thin callbacks: the URL is the state; controls write it, every panel reads it.

No callback keeps anything between requests: the dataset is read-only and each answer is
computed from the query string (and the map's size in the browser) alone, so any worker can
serve any request.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from dash import (
    ClientsideFunction,
    Dash,
    Input,
    Output,
    State,
    ctx,
    dcc,
    html,
    no_update,
    set_props,
)

from dashboard.cache import answers_kept
from dashboard.explorer.session import valid_token
from dashboard.explorer.table import MAX_TABLE_ROWS, table_rows, table_size
from dashboard.figures import flowmap
from dashboard.figures.cards import find_route, headline_cards, route_card_data
from dashboard.figures.panels import caseload_chart, overview_data, profile_data, sex_split_chart
from dashboard.figures.sankey import LEFT_OUT, build_sankey, sankey_routes
from dashboard.figures.selection import (
    empty_message,
    holds_case_records,
    map_content,
    sankey_selection,
    selected_routes,
)
from dashboard.figures.timeline import time_strip_dict
from dashboard.state import DEFAULT_LAYERS, FORM_CHOICES, ViewState, parse_query, to_query
from dashboard.text import FORM_LABELS, counted, format_count, measure_label, withheld
from geodata.dataset import Dataset
from geodata.filters import DEFAULT_FORMS, filter_events
from layouts import ids
from layouts.country import profile_panel
from layouts.headlines import headline_band
from layouts.legend import legend
from layouts.overview import overview_panel
from layouts.route_card import route_card

CONTROLS = [
    ids.EXPLORER_YEAR,
    ids.EXPLORER_NATIONALITY,
    ids.EXPLORER_ORIGIN,
    ids.EXPLORER_DESTINATION,
    ids.EXPLORER_FORM,
    ids.EXPLORER_MEASURE,
    ids.EXPLORER_WIDTH,
    ids.EXPLORER_LAYERS,
    ids.EXPLORER_VIEW,
    ids.EXPLORER_COUNTRY,
]
DEFAULT_SIZE = (1018, 570)  # the map's box on a 1440×900 screen: the page opens with it
MIN_COUNTED_FOR_WIDTH = 3  # width by count needs this many counted routes of the measure


class Answers:
    """The last answers given, by what they were computed from: a pure cache. Every answer
    depends only on the (read-only) dataset and its key, so a worker that has one gives the
    same answer as a worker that computes it again; least recently used answers go first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[tuple, tuple[object, Any]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, dataset: object, key: tuple, build: Callable[[], Any]) -> Any:
        if not answers_kept():
            return build()
        k = (id(dataset), *key)
        with self.lock:
            hit = self.items.get(k)
            if hit is not None and hit[0] is dataset:
                self.items.move_to_end(k)
                return hit[1]
        value = build()
        with self.lock:
            self.items[k] = (dataset, value)
            self.items.move_to_end(k)
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


# a map at 10,000 routes is a few MB of Python objects: a dozen maps, more of the small panels
MAPS = Answers(12)
PANEL_ANSWERS = Answers(48)


def controls_from_state(state: ViewState, years: tuple[int, int]) -> list:
    return [
        [state.year_from or years[0], state.year_to or years[1]],
        list(state.nationality),
        list(state.origin),
        list(state.destination),
        state.form_choice,
        state.measure,
        state.width,
        list(state.layers),
        state.view,
        state.country,
    ]


def clicked(click: dict) -> tuple[str | None, str | None]:
    """(country, route) a click on the map means: a country, a place's or event's recorded
    country (their customdata starts with its ISO3), or a route (its customdata is its id)."""
    point = (click.get("points") or [{}])[0]
    if point.get("location") and "customdata" not in point:
        return point.get("location"), None
    data = point.get("customdata")
    if isinstance(data, str):
        return None, data
    if isinstance(data, list) and data and isinstance(data[0], str):
        if len(data[0]) == 3 and data[0].isupper():
            return (data[0] if data[0] != "REG" else None), None
        return None, data[0]
    return None, None


def state_from_controls(
    values: list,
    years: tuple[int, int],
    click: dict | None,
    trigger: str | None,
    current: ViewState,
) -> ViewState:
    year, nationality, origin, destination, forms, measure, width, layers, view, country = values
    lo, hi = year or [years[0], years[1]]
    full = (lo, hi) == tuple(years)
    route = current.route
    if click and trigger == ids.EXPLORER_MAP:
        c, r = clicked(click)
        if c:
            country, route = c, None
        elif r:
            route = r
    elif trigger == ids.EXPLORER_COUNTRY:
        route = None
    return ViewState(
        year_from=None if full else int(lo),
        year_to=None if full else int(hi),
        nationality=tuple(nationality or ()),
        origin=tuple(origin or ()),
        destination=tuple(destination or ()),
        forms=FORM_CHOICES.get(forms, current.forms if forms is None else DEFAULT_FORMS),
        measure=measure or None,
        width=width if measure else "same",
        layers=tuple(layers) if layers is not None else DEFAULT_LAYERS,
        country=country,
        route=route,
        view=view or "map",
    )


def sync_url_and_controls(
    dataset: Dataset,
    years: tuple[int, int],
    trigger: str | None,
    search: str | None,
    values: list,
    click: dict | None,
):
    """URL changed (page load, shared link, back button): set the controls from it.
    A control changed (or the map was clicked): write the URL."""
    if trigger in (None, ids.EXPLORER_URL):
        state, messages = parse_query(search)
        if state.route and find_route(dataset, state.route, state) is None:
            messages.append(f"Ignored route: {state.route!r} is not in the records")
            state = state.with_(route=None)
        return [
            no_update,
            *controls_from_state(state, years),
            [html.P(m) for m in messages],
        ]
    current, _ = parse_query(search)
    state = state_from_controls(values, years, click, trigger, current)
    query = to_query(state)
    new_search = query if query != (search or "") else no_update
    outputs = [no_update] * len(CONTROLS)
    if trigger == ids.EXPLORER_MAP and state.country != current.country:
        outputs[CONTROLS.index(ids.EXPLORER_COUNTRY)] = state.country
    if state.width != values[CONTROLS.index(ids.EXPLORER_WIDTH)]:
        outputs[CONTROLS.index(ids.EXPLORER_WIDTH)] = state.width
    return [new_search, *outputs, []]


def width_options(dataset: Dataset, search: str | None) -> list[dict]:
    """'By count' is offered only for one measure with enough counted routes to compare."""
    state, _ = parse_query(search)
    ok = False
    if state.measure:
        routes = selected_routes(dataset, state.with_(measure=state.measure))
        ok = int(routes["count"].notna().sum()) >= MIN_COUNTED_FOR_WIDTH
    return [
        {"label": "Same for all", "value": "same"},
        {"label": "By count", "value": "count", "disabled": not ok},
    ]


def map_size(viewport: dict | None) -> tuple[float, float]:
    if not viewport:
        return DEFAULT_SIZE
    try:
        w, h = float(viewport["w"]), float(viewport["h"])
    except (KeyError, TypeError, ValueError):
        return DEFAULT_SIZE
    return (min(max(w, 280.0), 2400.0), min(max(h, 280.0), 1600.0))


def map_figure(dataset: Dataset, search: str | None, viewport: dict | None, geometry: str | None):
    state, _ = parse_query(search)
    if state.view != "map":
        return no_update
    w, h = map_size(viewport)
    layout = flowmap.Layout(width_px=w, height_px=h, insets=w >= 640)
    return flowmap.flow_map_dict(dataset, state, layout, geometry=geometry)


def map_message(dataset: Dataset, search: str | None):
    state, _ = parse_query(search)
    found = empty_message(dataset, state)
    if found is None:
        return None, {"display": "none"}
    text, suggestions = found
    return [
        html.P(text, className="map-message-text"),
        html.Ul(
            [html.Li(dcc.Link(s.text, href="/" + s.query)) for s in suggestions],
            className="map-message-links",
        ),
    ], {}


def legend_view(dataset: Dataset, search: str | None):
    state, _ = parse_query(search)
    content = map_content(dataset, state)
    entries = flowmap.legend_entries(dataset, state, content)
    out = legend([e.__dict__ for e in entries])
    if state.measure is None and holds_case_records(dataset):
        out.insert(
            0,
            html.P(
                "Case records loaded beside the report: choose 'Counted as: case records' to "
                "map them. They are a count of records, never added to the report's counts.",
                className="legend-forms",
            ),
        )
    if tuple(state.forms) != DEFAULT_FORMS:
        shown = ", ".join(FORM_LABELS.get(f, f).lower() for f in state.forms)
        out.insert(
            0,
            html.P(
                f"Forms shown: {shown}. The default is forced criminality in scam centres.",
                className="legend-forms",
            ),
        )
    return out


def headlines(dataset: Dataset, search: str | None):
    state, _ = parse_query(search)
    return headline_band(headline_cards(dataset, state))


def time_strip(dataset: Dataset, search: str | None, years: tuple[int, int]):
    state, _ = parse_query(search)
    if state.view != "map":
        return no_update
    shown = (state.year_from or years[0], state.year_to or years[1])
    return time_strip_dict(
        dataset, filter_events(dataset.events, dataset.figures, state.filters), shown
    )


def side_panel(dataset: Dataset, search: str | None):
    state, _ = parse_query(search)
    if state.route:
        data = route_card_data(dataset, state.route, state)
        if data:
            return route_card(data)
    if not state.country:
        return html.Div(
            className="profile-hint",
            children=[
                html.P(
                    "Click a route for its card, or a country for its profile: role, key "
                    "figures, the report's points and its routes."
                ),
            ],
        )
    return profile_panel(profile_data(dataset, state.country, state.filters))


def sankey_view(dataset: Dataset, search: str | None):
    state, _ = parse_query(search)
    if state.view != "sankey":
        return no_update, no_update
    routes, measure = sankey_selection(dataset, state)
    drawn, left_out = sankey_routes(routes, measure)
    note = [
        html.P(
            f"One measure at a time: routes that count {counted(measure)}. Each "
            "band is one route's own count, written on it; bands side by side come from "
            "different sources and may count some of the same people, so they are never added "
            "up. Choose another measure with 'Counted as'."
        ),
    ]
    if len(left_out):
        note.append(html.H3("Not drawn here"))
        listed = left_out.iloc[:MAX_LEFT_OUT_LISTED]
        items = [html.Li(left_out_line(r)) for r in listed.itertuples()]
        if len(left_out) > len(listed):
            items.append(
                html.Li(
                    f"and {len(left_out) - len(listed):,} more, each in the Table tab and "
                    "the download"
                )
            )
        note.append(html.Ul(items))
    return build_sankey(dataset, routes, measure), note


MAX_LEFT_OUT_LISTED = 60  # routes listed under the Sankey: the page must not grow with the data


def left_out_line(r) -> str:
    """One route the Sankey does not draw, and why, in words."""
    path = " → ".join(r.path_names)
    if r.measure == "reported_route":
        return f"{path} — reported without a number ({r.section})"
    count = format_count(r.count, r.qualifier, withheld(r))
    why = LEFT_OUT.get(r.left_out, "")
    return f"{path} — {measure_label(r.measure)}, {count}: {why} ({r.section})"


def table_view(dataset: Dataset, search: str | None, token: str | None = None):
    """The table's rows and its CSV link: the same routes, with the tab's upload (its token)
    when it has one."""
    state, _ = parse_query(search)
    if state.view != "table":
        return no_update, no_update, no_update
    rows = table_rows(dataset, state)
    query = to_query(
        state.with_(view="map", country=None, route=None, width="same", layers=DEFAULT_LAYERS)
    )
    if token and valid_token(token):
        query += ("&" if query else "?") + urlencode({"upload": token})
    total = table_size(dataset, state) if len(rows) >= MAX_TABLE_ROWS else len(rows)
    text = "Download these routes as CSV"
    if total > len(rows):
        text = (
            f"The table shows the first {len(rows):,} of {total:,} routes: download all of "
            "them as CSV"
        )
    return rows, "/download/routes.csv" + query, text


def overview_view(dataset: Dataset, search: str | None, chart_config: dict):
    state, _ = parse_query(search)
    if state.view != "overview":
        return no_update
    try:
        charts = {"caseload": caseload_chart(dataset), "sex_split": sex_split_chart(dataset)}
        return overview_panel(overview_data(dataset, state.filters), charts, chart_config)
    except KeyError as exc:  # a tab's own figures.csv may lack a figure the overview shows
        return html.P(
            f"The regional overview cannot be drawn: {exc.args[0] if exc.args else exc}.",
            className="overview-missing",
        )


EXPORTS = {  # the figures each tab can export, with their labels
    "map": [("map", "Map"), ("events", "Events strip")],
    "sankey": [("sankey", "Sankey")],
    "overview": [("caseload", "Caseload chart"), ("sex-split", "Sex split chart")],
    "table": [],
}


def export_links(search: str | None, size: str | None):
    """Links to the current view's figures as PNG, SVG and PDF, with the page's filters."""
    state, _ = parse_query(search)
    figures_ = list(EXPORTS.get(state.view, []))
    if state.country and state.view == "map":
        figures_.append(("profile", "Country key figures"))
    if not figures_:
        return html.Span("The table exports as CSV (link under the table).")
    query = to_query(state.with_(view="map", route=None))
    extra = f"preset={size or 'full'}"
    query = f"{query}&{extra}" if query else f"?{extra}"
    out = []
    for view, label in figures_:
        out.append(
            html.Span(
                className="export-item",
                children=[
                    f"{label}: ",
                    *[
                        html.A(
                            fmt.upper(),
                            href=f"/export/{view}.{fmt}{query}",
                            className="export-link",
                            download="",
                        )
                        for fmt in ("png", "svg", "pdf")
                    ],
                ],
            )
        )
    return out


def controls_for_url(
    dataset: Dataset, years: tuple[int, int], search: str | None, values: list
) -> tuple[dict[str, object], list]:
    """The controls a URL asks for that differ from what they show (a shared link, the back
    button), and a message for each value of the URL that cannot be used."""
    out = sync_url_and_controls(dataset, years, ids.EXPLORER_URL, search, values, None)
    wanted, messages = out[1:-1], out[-1]
    changed = {c: w for c, w, v in zip(CONTROLS, wanted, values) if w != v}
    return changed, messages


PANELS = (
    "map",
    "map_message",
    "map_message_style",
    "legend",
    "headlines",
    "width_options",
    "time_strip",
    "side",
    "export",
    "messages",
)


def map_panels(
    dataset: Dataset,
    years: tuple[int, int],
    geometry: str | None,
    search: str | None,
    viewport: dict | None,
    size: str | None,
    values: list,
    trigger: str | None,
    notice: str | None = None,
) -> dict[str, object]:
    """Everything outside the hidden tabs that a URL shows, in one answer (one round trip per
    change). A new map size redraws the map alone; a new export size rewrites the links alone."""
    out: dict[str, object] = dict.fromkeys(PANELS, no_update)
    if trigger == ids.EXPLORER_VIEWPORT:
        out["map"] = cached_map(dataset, search, viewport, geometry)
        return out
    out["export"] = export_links(search, size)
    if trigger == ids.EXPLORER_EXPORT_SIZE:
        return out
    changed, messages = controls_for_url(dataset, years, search, values)
    for control, value in changed.items():
        set_props(control, {"value": value})
    if notice:  # above the map: this tab draws a user's own files
        messages = [html.P(notice, className="upload-notice"), *messages]
    out["messages"] = messages
    out["map"] = cached_map(dataset, search, viewport, geometry)
    (
        out["map_message"],
        out["map_message_style"],
        out["legend"],
        out["headlines"],
        out["width_options"],
        out["time_strip"],
        out["side"],
    ) = PANEL_ANSWERS.get(
        dataset,
        ("panels", search or "", tuple(years)),
        lambda: (
            *map_message(dataset, search),
            legend_view(dataset, search),
            headlines(dataset, search),
            width_options(dataset, search),
            time_strip(dataset, search, years),
            side_panel(dataset, search),
        ),
    )
    return out


def cached_map(dataset: Dataset, search: str | None, viewport: dict | None, geometry):
    """`map_figure`, answered again from MAPS for a URL and map size seen lately."""
    return MAPS.get(
        dataset,
        ("map", search or "", map_size(viewport), str(geometry)),
        lambda: map_figure(dataset, search, viewport, geometry),
    )


def register(
    app: Dash,
    dataset: Dataset,
    years: tuple[int, int],
    chart_config: dict,
    geometry: str,
    session=None,
) -> None:
    """The URL is written in the browser (assets/explorer.js); the server answers a URL with
    one request for the map tab and one for the tab shown, if another. Nothing is asked when
    the page opens on the plain URL: the layout holds that view.

    `session(token)` gives the dataset a browser tab sees (its upload, if any: see
    dashboard.explorer.session); every tab's callbacks take the token and draw from it."""

    def shown(token: object) -> Dataset:
        return session(token) if session else dataset

    app.clientside_callback(
        ClientsideFunction("explorer", "sync"),
        Output(ids.EXPLORER_URL, "search"),
        Output(ids.EXPLORER_COUNTRY, "value"),
        Output(ids.EXPLORER_WIDTH, "value"),
        *[Input(c, "value") for c in CONTROLS],
        Input(ids.EXPLORER_MAP, "clickData"),
        State(ids.EXPLORER_URL, "search"),
        State(ids.EXPLORER_YEAR, "min"),
        State(ids.EXPLORER_YEAR, "max"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction("explorer", "route"),
        Output(ids.EXPLORER_MAP_QUERY, "data"),
        Output(ids.EXPLORER_SANKEY_QUERY, "data"),
        Output(ids.EXPLORER_TABLE_QUERY, "data"),
        Output(ids.EXPLORER_OVERVIEW_QUERY, "data"),
        Input(ids.EXPLORER_URL, "search"),
        State(ids.EXPLORER_MAP_QUERY, "data"),
        State(ids.EXPLORER_SANKEY_QUERY, "data"),
        State(ids.EXPLORER_TABLE_QUERY, "data"),
        State(ids.EXPLORER_OVERVIEW_QUERY, "data"),
    )
    app.callback(
        Output(ids.EXPLORER_MAP, "figure"),
        Output(ids.EXPLORER_MAP_MESSAGE, "children"),
        Output(ids.EXPLORER_MAP_MESSAGE, "style"),
        Output(ids.EXPLORER_LEGEND, "children"),
        Output(ids.EXPLORER_HEADLINES, "children"),
        Output(ids.EXPLORER_WIDTH, "options"),
        Output(ids.EXPLORER_TIME_STRIP, "figure"),
        Output(ids.EXPLORER_SIDE, "children"),
        Output(ids.EXPLORER_EXPORT, "children"),
        Output(ids.EXPLORER_MESSAGES, "children"),
        Input(ids.EXPLORER_MAP_QUERY, "data"),
        Input(ids.EXPLORER_VIEWPORT, "data"),
        Input(ids.EXPLORER_EXPORT_SIZE, "value"),
        *[State(c, "value") for c in CONTROLS],
        # the key to flows this browser tab uploaded (dashboard.explorer.upload)
        Input(ids.EXPLORER_UPLOAD_TOKEN, "data"),
        prevent_initial_call=True,
    )(
        lambda search, viewport, size, *values: tuple(
            map_panels(
                shown(values[-1]),
                years,
                geometry,
                search,
                viewport,
                size,
                list(values[:-1]),
                ctx.triggered_id,
                getattr(session, "describe", lambda token: None)(values[-1]),
            ).values()
        )
    )
    # the other tabs draw the tab's upload too; a new upload redraws the one shown (a tab
    # hidden answers no_update at once: its query names another view or none)
    app.callback(
        Output(ids.EXPLORER_SANKEY, "figure"),
        Output(ids.EXPLORER_SANKEY_NOTE, "children"),
        Input(ids.EXPLORER_SANKEY_QUERY, "data"),
        Input(ids.EXPLORER_UPLOAD_TOKEN, "data"),
        prevent_initial_call=True,
    )(lambda search, token: sankey_view(shown(token), search))
    app.callback(
        Output(ids.EXPLORER_TABLE, "rowData"),
        Output(ids.EXPLORER_TABLE_CSV, "href"),
        Output(ids.EXPLORER_TABLE_CSV, "children"),
        Input(ids.EXPLORER_TABLE_QUERY, "data"),
        Input(ids.EXPLORER_UPLOAD_TOKEN, "data"),
        prevent_initial_call=True,
    )(lambda search, token: table_view(shown(token), search, token))
    app.callback(
        Output(ids.EXPLORER_OVERVIEW, "children"),
        Input(ids.EXPLORER_OVERVIEW_QUERY, "data"),
        Input(ids.EXPLORER_UPLOAD_TOKEN, "data"),
        prevent_initial_call=True,
    )(lambda search, token: overview_view(shown(token), search, chart_config))
