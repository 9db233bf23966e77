"""Thin callbacks: the URL is the state; controls write it, every panel reads it.

No callback keeps anything between requests: the dataset is read-only and each answer is
computed from the query string alone, so any worker can serve any request.
"""

from __future__ import annotations

from dash import Dash, Input, Output, Patch, ctx, html, no_update

from dashboard.downloads import routes_table
from dashboard.figures import flowmap as figures
from dashboard.figures.panels import caseload_chart, overview_data, profile_data, sex_split_chart
from dashboard.figures.sankey import build_sankey, sankey_routes
from dashboard.figures.timeline import build_time_strip
from dashboard.state import ViewState, parse_query, to_query
from dashboard.text import format_count, measure_label
from geodata.dataset import Dataset
from geodata.filters import filter_events, filter_routes
from layouts import ids
from layouts.country import profile_panel
from layouts.overview import overview_panel

CONTROLS = [
    ids.EXPLORER_YEAR,
    ids.EXPLORER_NATIONALITY,
    ids.EXPLORER_ORIGIN,
    ids.EXPLORER_DESTINATION,
    ids.EXPLORER_MEASURE,
    ids.EXPLORER_INDICATOR,
    ids.EXPLORER_VIEW,
    ids.EXPLORER_COUNTRY,
]


def controls_from_state(state: ViewState, dataset: Dataset, years: tuple[int, int]) -> list:
    return [
        [state.year_from or years[0], state.year_to or years[1]],
        list(state.nationality),
        list(state.origin),
        list(state.destination),
        figures.sized_measure(dataset, state),
        state.indicator,
        state.view,
        state.country,
    ]


def clicked_country(click: dict) -> str | None:
    """The country a click on the map means: the country itself, or the country of the place,
    event or route destination clicked (their customdata starts with its ISO3)."""
    point = (click.get("points") or [{}])[0]
    if point.get("curveNumber") == 0:
        return point.get("location")
    data = point.get("customdata")
    if isinstance(data, list) and data and isinstance(data[0], str) and len(data[0]) == 3:
        return data[0] if data[0] != "REG" else None
    return None


def state_from_controls(
    values: list, years: tuple[int, int], click: dict | None, trigger: str | None = None
) -> ViewState:
    year, nationality, origin, destination, measure, indicator, view, country = values
    lo, hi = year or [years[0], years[1]]
    full = (lo, hi) == years
    if click and trigger == ids.EXPLORER_MAP:
        country = clicked_country(click) or country
    return ViewState(
        year_from=None if full else int(lo),
        year_to=None if full else int(hi),
        nationality=tuple(nationality or ()),
        origin=tuple(origin or ()),
        destination=tuple(destination or ()),
        measure=measure,
        country=country,
        view=view or "map",
        indicator=indicator or "role",
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
    A control changed (or a country was clicked): write the URL."""
    if trigger in (None, ids.EXPLORER_URL):
        state, messages = parse_query(search)
        if state.indicator not in {"role", *dataset.indicators["id"]}:
            messages.append(f"Ignored indicator: {state.indicator!r} is not available")
            state = state.with_(indicator="role")
        return [
            no_update,
            *controls_from_state(state, dataset, years),
            [html.P(m) for m in messages],
        ]
    state = state_from_controls(values, years, click, trigger)
    if state.measure == figures.default_measure(dataset.routes):
        state = state.with_(measure=None)  # keep shared links short and stable
    query = to_query(state)
    new_search = query if query != (search or "") else no_update
    country_out = state.country if trigger == ids.EXPLORER_MAP else no_update
    outputs = [no_update] * len(CONTROLS)
    outputs[CONTROLS.index(ids.EXPLORER_COUNTRY)] = country_out
    return [new_search, *outputs, []]


def map_patch(dataset: Dataset, search: str | None, codes: list[str] | None = None) -> Patch:
    """Only what changed: flows, places, events and the countries' colours; never geometry.

    `codes` are the countries the page's map draws, in its order (computed once per app)."""
    state, _ = parse_query(search)
    patch = Patch()
    for i, trace in enumerate(figures.dynamic_traces(dataset, state), start=2):
        patch["data"][i] = trace.to_plotly_json()
    if codes is None:
        codes = list(figures.region_countries(dataset.admin0)[0]["iso3"])
    style = figures.choropleth_style(dataset, state, codes)
    for key, value in style.items():
        patch["data"][0][key] = value
    return patch


def time_strip(dataset: Dataset, search: str | None, years: tuple[int, int]):
    state, _ = parse_query(search)
    shown = (state.year_from or years[0], state.year_to or years[1])
    return build_time_strip(
        dataset, filter_events(dataset.events, dataset.figures, state.filters), shown
    )


def side_panel(dataset: Dataset, search: str | None):
    state, _ = parse_query(search)
    if not state.country:
        return html.Div(
            className="profile-hint",
            children=[
                html.H2("Country profiles"),
                html.P(
                    "Click a country on the map, or choose one above, to see its role, victim "
                    "profile, responses, key figures and routes."
                ),
            ],
        )
    return profile_panel(profile_data(dataset, state.country, state.filters))


def sankey_view(dataset: Dataset, search: str | None):
    state, _ = parse_query(search)
    if state.view != "sankey":
        return no_update, no_update
    routes = filter_routes(dataset.routes, state.filters)
    measure = figures.sized_measure(dataset, state)
    _, unknown = sankey_routes(routes, measure)
    note = [
        html.P(
            f"Only routes that count people {measure_label(measure)} are drawn; a node's "
            "size totals the routes through it, all of that one measure. Choose another "
            "measure with 'Line width shows'."
        ),
    ]
    if len(unknown):
        note.append(html.H3("Routes known without a number (not drawn)"))
        note.append(
            html.Ul(
                [
                    html.Li(
                        f"{' → '.join(r.path_names)} — {measure_label(r.measure)}, "
                        f"{format_count(r.count, r.qualifier)} ({r.section})"
                    )
                    for r in unknown.itertuples()
                ]
            )
        )
    return build_sankey(dataset, routes, measure), note


def table_view(dataset: Dataset, search: str | None):
    state, _ = parse_query(search)
    if state.view != "table":
        return no_update, no_update
    table = routes_table(dataset, state.filters)
    table["measure"] = table["measure"].map(measure_label)
    table["count"] = table["count"].astype(object).where(table["count"].notna(), None)
    query = to_query(state.with_(view="map", country=None, indicator="role", measure=None))
    return table.to_dict("records"), "/download/routes.csv" + query


def overview_view(dataset: Dataset, search: str | None, chart_config: dict):
    state, _ = parse_query(search)
    if state.view != "overview":
        return no_update
    charts = {"caseload": caseload_chart(dataset), "sex_split": sex_split_chart(dataset)}
    return overview_panel(overview_data(dataset, state.filters), charts, chart_config)


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
    query = to_query(state.with_(view="map"))
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


def register(app: Dash, dataset: Dataset, years: tuple[int, int], chart_config: dict) -> None:
    app.callback(
        Output(ids.EXPLORER_URL, "search"),
        *[Output(c, "value") for c in CONTROLS],
        Output(ids.EXPLORER_MESSAGES, "children"),
        Input(ids.EXPLORER_URL, "search"),
        *[Input(c, "value") for c in CONTROLS],
        Input(ids.EXPLORER_MAP, "clickData"),
    )(
        lambda search, *rest: sync_url_and_controls(
            dataset, years, ctx.triggered_id, search, list(rest[:-1]), rest[-1]
        )
    )
    codes = list(figures.region_countries(dataset.admin0)[0]["iso3"])
    app.callback(Output(ids.EXPLORER_MAP, "figure"), Input(ids.EXPLORER_URL, "search"))(
        lambda search: map_patch(dataset, search, codes)
    )
    app.callback(Output(ids.EXPLORER_TIME_STRIP, "figure"), Input(ids.EXPLORER_URL, "search"))(
        lambda search: time_strip(dataset, search, years)
    )
    app.callback(Output(ids.EXPLORER_SIDE, "children"), Input(ids.EXPLORER_URL, "search"))(
        lambda search: side_panel(dataset, search)
    )
    app.callback(
        Output(ids.EXPLORER_SANKEY, "figure"),
        Output(ids.EXPLORER_SANKEY_NOTE, "children"),
        Input(ids.EXPLORER_URL, "search"),
    )(lambda search: sankey_view(dataset, search))
    app.callback(
        Output(ids.EXPLORER_TABLE, "data"),
        Output(ids.EXPLORER_TABLE_CSV, "href"),
        Input(ids.EXPLORER_URL, "search"),
    )(lambda search: table_view(dataset, search))
    app.callback(
        Output(ids.EXPLORER_EXPORT, "children"),
        Input(ids.EXPLORER_URL, "search"),
        Input(ids.EXPLORER_EXPORT_SIZE, "value"),
    )(export_links)
    app.callback(Output(ids.EXPLORER_OVERVIEW, "children"), Input(ids.EXPLORER_URL, "search"))(
        lambda search: overview_view(dataset, search, chart_config)
    )
