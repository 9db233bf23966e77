"""The explorer page: filters, then the map (with its time strip and the country profile),
the Sankey, the table and the regional overview as tabs. Every value comes from the caller."""

from __future__ import annotations

import plotly.graph_objects as go
from dash import dash_table, dcc, html

from layouts import ids

TABLE_COLUMNS = [
    ("path", "Route"),
    ("nationality_name", "People"),
    ("measure", "Measure"),
    ("count", "Count"),
    ("qualifier", "Qualifier"),
    ("share_pct", "Share %"),
    ("year_start", "From"),
    ("year_end", "To"),
    ("period", "Period"),
    ("section", "Report section"),
    ("source_publisher", "Source"),
]


def _control(label: str, component, hint: str | None = None) -> html.Div:
    return html.Div(
        className="control",
        children=[html.Label(label, htmlFor=component.id), component]
        + ([html.Span(hint, className="control-hint")] if hint else []),
    )


def _dropdown(
    cid: str, options: list[dict], multi: bool, placeholder: str, clearable: bool = True
) -> dcc.Dropdown:
    return dcc.Dropdown(
        id=cid,
        options=options,
        multi=multi,
        placeholder=placeholder,
        clearable=clearable,
        value=[] if multi else None,
    )


def explorer_layout(
    *,
    map_figure: go.Figure,
    time_strip: go.Figure,
    map_config: dict,
    chart_config: dict,
    years: tuple[int, int],
    options: dict[str, list[dict]],
    source_line: str,
    problems: list[str],
) -> html.Div:
    first, last = years
    controls = html.Div(
        className="controls",
        role="search",
        children=[
            _control(
                "Years",
                dcc.RangeSlider(
                    id=ids.EXPLORER_YEAR,
                    min=first,
                    max=last,
                    step=1,
                    value=[first, last],
                    marks={y: str(y) for y in range(first, last + 1)},
                    allowCross=False,
                    tooltip=None,
                ),
            ),
            _control(
                "Nationality",
                _dropdown(
                    ids.EXPLORER_NATIONALITY, options["nationality"], True, "All nationalities"
                ),
            ),
            _control(
                "Origin country",
                _dropdown(ids.EXPLORER_ORIGIN, options["origin"], True, "All origins"),
            ),
            _control(
                "Destination country",
                _dropdown(
                    ids.EXPLORER_DESTINATION, options["destination"], True, "All destinations"
                ),
            ),
            _control(
                "Line width shows",
                _dropdown(
                    ids.EXPLORER_MEASURE, options["measure"], False, "Measure", clearable=False
                ),
            ),
            _control(
                "Countries coloured by",
                _dropdown(
                    ids.EXPLORER_INDICATOR,
                    options["indicator"],
                    False,
                    "Indicator",
                    clearable=False,
                ),
            ),
            _control(
                "Country profile",
                _dropdown(
                    ids.EXPLORER_COUNTRY, options["country"], False, "Choose or click a country"
                ),
            ),
            html.A("Reset view", href="/", className="reset-link"),
        ],
    )
    map_tab = html.Div(
        className="map-grid",
        children=[
            html.Section(
                className="map-panel",
                **{"aria-label": "Map of routes, places and events"},
                children=[
                    dcc.Loading(
                        type="dot",
                        delay_show=400,
                        children=dcc.Graph(
                            id=ids.EXPLORER_MAP,
                            figure=map_figure,
                            config=map_config,
                            className="route-map",
                            style={"height": "66vh", "minHeight": "460px"},
                        ),
                    ),
                    html.H2("Dated events", className="strip-title"),
                    dcc.Graph(
                        id=ids.EXPLORER_TIME_STRIP,
                        figure=time_strip,
                        config=chart_config,
                        className="time-strip",
                    ),
                    html.P(source_line, className="source-line"),
                ],
            ),
            html.Aside(
                id=ids.EXPLORER_SIDE,
                className="side-panel",
                **{"aria-live": "polite"},
            ),
        ],
    )
    table = dash_table.DataTable(
        id=ids.EXPLORER_TABLE,
        columns=[{"name": name, "id": cid} for cid, name in TABLE_COLUMNS],
        data=[],
        sort_action="native",
        filter_action="native",
        page_size=25,
        style_table={"overflowX": "auto"},
        style_cell={
            "textAlign": "left",
            "fontFamily": "inherit",
            "fontSize": "14px",
            "whiteSpace": "normal",
            "height": "auto",
            "maxWidth": "340px",
        },
        style_header={"fontWeight": "bold", "backgroundColor": "#e9edf2"},
    )
    tabs = dcc.Tabs(
        id=ids.EXPLORER_VIEW,
        value="map",
        className="view-tabs",
        children=[
            dcc.Tab(label="Map", value="map", children=map_tab),
            dcc.Tab(
                label="Sankey",
                value="sankey",
                children=html.Section(
                    className="panel",
                    children=[
                        dcc.Loading(
                            type="dot",
                            children=dcc.Graph(id=ids.EXPLORER_SANKEY, config=chart_config),
                        ),
                        html.Div(id=ids.EXPLORER_SANKEY_NOTE, className="note"),
                    ],
                ),
            ),
            dcc.Tab(
                label="Table",
                value="table",
                children=html.Section(
                    className="panel",
                    children=[
                        html.P(
                            "The same rows as routes.csv for these filters. A route known "
                            "without a number has an empty count.",
                            className="note",
                        ),
                        table,
                        html.P(
                            html.A(
                                "Download these routes as CSV",
                                id=ids.EXPLORER_TABLE_CSV,
                                href="/download/routes.csv",
                            )
                        ),
                    ],
                ),
            ),
            dcc.Tab(
                label="Regional overview",
                value="overview",
                children=html.Section(id=ids.EXPLORER_OVERVIEW, className="panel"),
            ),
        ],
    )
    return html.Div(
        className="page",
        children=[
            dcc.Location(id=ids.EXPLORER_URL, refresh=False),
            html.Header(
                className="page-header",
                children=[
                    html.H1("Trafficking into online scam compounds in Southeast Asia"),
                    html.P(
                        "Routes, compounds, events and key figures from IOM's regional "
                        "situation report on trafficking into forced criminality "
                        "(February 2024). Every number names its source.",
                        className="lede",
                    ),
                ],
            ),
            controls,
            html.Div(id=ids.EXPLORER_MESSAGES, className="messages", role="status"),
            html.Div(
                className="data-problems",
                id=ids.EXPLORER_REPORT,
                children=[html.H2("Data problems"), html.Ul([html.Li(p) for p in problems])],
            )
            if problems
            else None,
            tabs,
            html.Section(
                className="export-bar",
                **{"aria-label": "Export the current figure"},
                children=[
                    html.Span("Export for publication:", className="export-label"),
                    dcc.Dropdown(
                        id=ids.EXPLORER_EXPORT_SIZE,
                        options=[
                            {"label": "Full width (180 mm)", "value": "full"},
                            {"label": "One column (85 mm)", "value": "column"},
                        ],
                        value="full",
                        clearable=False,
                        searchable=False,
                        className="export-size",
                    ),
                    html.Span(id=ids.EXPLORER_EXPORT, className="export-links"),
                ],
            ),
            html.Footer(
                className="page-footer",
                children=[
                    "Download the records: ",
                    html.Span(
                        id=ids.EXPLORER_DOWNLOADS,
                        children=[
                            html.A(
                                f"{name}.csv",
                                href=f"/download/{name}.csv",
                                className="download-link",
                            )
                            for name in ("routes", "figures", "locations")
                        ],
                    ),
                ],
            ),
        ],
    )
