"""The explorer page: the headline figures, the filters, then the map (with its legend, the
route card or country profile beside it and the events strip under it), the Sankey, the table
and the regional overview as tabs. Every value comes from the caller."""

from __future__ import annotations

import dash_ag_grid as dag
import plotly.graph_objects as go
from dash import dcc, html

from layouts import ids
from layouts.upload import upload_panel

TABLE_COLUMNS = [
    # (field, header, kind): kind "number" right-aligns and sorts numerically
    ("path", "Route", "text"),
    ("people", "People", "text"),
    ("movement", "Kind of movement", "text"),
    ("form", "Form of exploitation", "text"),
    ("measure", "Counted as", "text"),
    ("count", "Count", "number"),
    ("qualifier", "Qualifier", "text"),
    ("share_pct", "Share %", "number"),
    ("period", "Period", "text"),
    ("section", "Report section", "text"),
    ("source", "Source", "text"),
]


def year_marks(first: int, last: int, most: int = 4) -> dict[int, str]:
    """Year labels under the slider: every year when few, else the ends and round steps
    between them, so that the labels never run into one another."""
    span = last - first
    step = next((s for s in (1, 2, 5, 10, 20, 50) if span // s < most), 100)
    years = {first, last} | {y for y in range(first, last + 1) if y % step == 0}
    # a round year right next to an end would touch its label
    years = {y for y in years if y in (first, last) or min(y - first, last - y) * 2 > step}
    return {y: str(y) for y in sorted(years)}


def _control(label: str, component, hint: str | None = None, cls: str = "") -> html.Div:
    return html.Div(
        className=f"control {cls}".strip(),
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


def routes_grid() -> dag.AgGrid:
    """The routes table: sortable and filterable, numbers with thousands separators."""
    columns = []
    for field, header, kind in TABLE_COLUMNS:
        col = {"field": field, "headerName": header, "tooltipField": field}
        if kind == "number":
            col |= {
                "type": "numericColumn",
                "filter": "agNumberColumnFilter",
                "valueFormatter": {
                    "function": "params.value == null ? '' : d3.format(',')(params.value)"
                },
                "width": 110,
            }
        else:
            col |= {"filter": "agTextColumnFilter", "wrapText": True, "autoHeight": True}
        if field == "path":
            col |= {"pinned": "left", "minWidth": 220}
        columns.append(col)
    return dag.AgGrid(
        id=ids.EXPLORER_TABLE,
        columnDefs=columns,
        rowData=[],
        defaultColDef={
            "sortable": True,
            "resizable": True,
            "floatingFilter": True,
            "minWidth": 110,
        },
        columnSize="responsiveSizeToFit",
        dashGridOptions={
            "pagination": True,
            "paginationPageSize": 25,
            "tooltipShowDelay": 300,
            "enableCellTextSelection": True,
            "ensureDomOrder": True,
        },
        style={"height": "640px"},
        className="ag-theme-alpine routes-grid",
    )


def explorer_layout(
    *,
    map_figure: go.Figure,
    time_strip: go.Figure | dict,
    map_config: dict,
    chart_config: dict,
    years: tuple[int, int],
    options: dict[str, list[dict]],
    source_line: str,
    problems: list[str],
    map_size: dict | None = None,
    headlines: list | None = None,
    legend: list | None = None,
    side: object = None,
    export_links: object = None,
    width_options: list[dict] | None = None,
    map_message: tuple[object, dict] = (None, {"display": "none"}),
    form_value: str | None = None,
) -> html.Div:
    """The page, holding what the plain URL shows (`map_figure` laid out for `map_size`, the
    headline band, legend, side panel and export links), so that opening it asks the server
    for nothing more; any other URL is answered by the callbacks."""
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
                    marks=year_marks(first, last),
                    allowCross=False,
                    tooltip=None,
                ),
                cls="control-years",
            ),
            _control(
                "Nationality",
                _dropdown(ids.EXPLORER_NATIONALITY, options["nationality"], True, "All"),
            ),
            _control(
                "From (origin)",
                _dropdown(ids.EXPLORER_ORIGIN, options["origin"], True, "Anywhere"),
            ),
            _control(
                "To (destination)",
                _dropdown(ids.EXPLORER_DESTINATION, options["destination"], True, "Anywhere"),
            ),
            _control(
                "Form of exploitation",
                dcc.Dropdown(
                    id=ids.EXPLORER_FORM,
                    options=options["form"],
                    multi=False,
                    placeholder="As chosen in the link",
                    clearable=False,
                    value=form_value,
                ),
            ),
            _control(
                "Counted as",
                _dropdown(ids.EXPLORER_MEASURE, options["measure"], False, "Every measure"),
            ),
            _control(
                "Country profile",
                _dropdown(
                    ids.EXPLORER_COUNTRY, options["country"], False, "Choose, or click a country"
                ),
            ),
            html.A("Reset", href="/", className="reset-link", title="Back to the default view"),
        ],
    )
    map_tab = html.Div(
        className="map-grid",
        children=[
            html.Section(
                className="map-panel",
                **{"aria-label": "Map of routes, places and counts"},
                children=[
                    html.Div(
                        className="map-box",
                        children=[
                            dcc.Graph(
                                id=ids.EXPLORER_MAP,
                                figure=map_figure,
                                config=map_config,
                                className="route-map",
                                style={"height": "clamp(430px, calc(100vh - 330px), 900px)"},
                            ),
                            html.Div(
                                id=ids.EXPLORER_MAP_MESSAGE,
                                children=map_message[0],
                                style=map_message[1],
                                className="map-message",
                                role="status",
                                **{"aria-live": "polite"},
                            ),
                        ],
                    ),
                    html.P(source_line, className="source-line"),
                    html.H2("Dated events", className="strip-title"),
                    dcc.Graph(
                        id=ids.EXPLORER_TIME_STRIP,
                        figure=time_strip,
                        config=chart_config,
                        className="time-strip",
                    ),
                ],
            ),
            html.Aside(
                className="side-panel",
                children=[
                    html.Div(
                        className="map-options",
                        children=[
                            _control(
                                "Show on the map",
                                dcc.Checklist(
                                    id=ids.EXPLORER_LAYERS,
                                    options=[
                                        {"label": o["label"], "value": o["value"]}
                                        for o in options["layers"]
                                    ],
                                    value=[
                                        o["value"] for o in options["layers"] if o.get("default")
                                    ],
                                    inline=True,
                                    className="layer-pills",
                                ),
                                cls="control-layers",
                            ),
                            _control(
                                "Line width",
                                dcc.RadioItems(
                                    id=ids.EXPLORER_WIDTH,
                                    options=width_options
                                    or [
                                        {"label": "Same for all", "value": "same"},
                                        {"label": "By count", "value": "count", "disabled": True},
                                    ],
                                    value="same",
                                    inline=True,
                                    className="radio-pills",
                                ),
                                hint="By count needs one measure",
                                cls="control-width",
                            ),
                        ],
                    ),
                    html.Details(
                        id=ids.EXPLORER_LEGEND_BOX,
                        className="legend-box",
                        open=True,
                        children=[
                            html.Summary("Legend"),
                            html.Div(id=ids.EXPLORER_LEGEND, className="legend", children=legend),
                        ],
                    ),
                    html.Div(
                        id=ids.EXPLORER_SIDE,
                        className="side-content",
                        children=side,
                        **{"aria-live": "polite"},
                    ),
                    upload_panel(),
                ],
            ),
        ],
    )
    tabs = dcc.Tabs(
        id=ids.EXPLORER_VIEW,
        value="map",
        className="view-tabs",
        mobile_breakpoint=0,  # the tabs stay in one row on a phone
        children=[
            dcc.Tab(label="Map", value="map", children=map_tab),
            dcc.Tab(
                label="Sankey",
                value="sankey",
                children=html.Section(
                    className="panel",
                    children=[
                        dcc.Graph(id=ids.EXPLORER_SANKEY, config=chart_config),
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
                            "The routes of these filters, one row each. A route known without a "
                            "number has an empty count; counts of different measures are never "
                            "added up.",
                            className="note",
                        ),
                        routes_grid(),
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
            dcc.Store(id=ids.EXPLORER_VIEWPORT, data=map_size),
            dcc.Store(id=ids.EXPLORER_MAP_QUERY, data=""),
            dcc.Store(id=ids.EXPLORER_SANKEY_QUERY, data=""),
            dcc.Store(id=ids.EXPLORER_TABLE_QUERY, data=""),
            dcc.Store(id=ids.EXPLORER_OVERVIEW_QUERY, data=""),
            html.Header(
                className="page-header",
                children=[
                    html.Div(
                        className="title-block",
                        children=[
                            html.H1("Trafficking into online scam compounds in Southeast Asia"),
                            html.P(
                                "From IOM's regional situation report (February 2024) and the "
                                "media it lists. Every number names its source: hover or click.",
                                className="lede",
                            ),
                        ],
                    ),
                    html.Nav(
                        className="header-links",
                        children=[
                            html.A("Briefing mode", href="/briefing/"),
                            html.A("Data (CSV)", href="#downloads"),
                        ],
                    ),
                ],
            ),
            html.Section(
                id=ids.EXPLORER_HEADLINES,
                children=headlines,
                className="headline-band",
                **{"aria-label": "Key figures"},
            ),
            html.Details(
                className="controls-box",
                open=True,
                id=ids.EXPLORER_CONTROLS_BOX,
                children=[html.Summary("Filters and layers"), controls],
            ),
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
                    html.Span(
                        id=ids.EXPLORER_EXPORT, className="export-links", children=export_links
                    ),
                ],
            ),
            html.Footer(
                className="page-footer",
                id="downloads",
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
