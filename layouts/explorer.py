"""The explorer page: header, the route map, the record counts and the data downloads."""

from __future__ import annotations

import plotly.graph_objects as go
from dash import dcc, html

from layouts import ids


def explorer_layout(
    figure: go.Figure,
    graph_config: dict,
    source_line: str,
    counts: dict[str, int],
    problems: list[str],
) -> html.Div:
    """The page as a component tree; every value comes from the caller."""
    return html.Div(
        className="page",
        children=[
            html.Header(
                className="page-header",
                children=[
                    html.H1("Trafficking into online scam compounds in Southeast Asia"),
                    html.P(
                        "Routes, compounds and key figures from IOM's regional situation report "
                        "on trafficking in persons into forced criminality (February 2024).",
                        className="lede",
                    ),
                ],
            ),
            html.Main(
                className="page-main",
                children=[
                    html.Section(
                        className="map-panel",
                        **{"aria-label": "Map of routes and compound locations"},
                        children=[
                            dcc.Graph(
                                id=ids.EXPLORER_MAP,
                                figure=figure,
                                config=graph_config,
                                className="route-map",
                                style={"height": "72vh"},
                            ),
                            html.P(source_line, className="source-line"),
                        ],
                    ),
                    html.Aside(
                        className="side-panel",
                        children=[
                            html.H2("In the records"),
                            html.Ul(
                                id=ids.EXPLORER_SUMMARY,
                                children=[html.Li(f"{n} {label}") for label, n in counts.items()],
                            ),
                            html.P(
                                "Each route carries the measure the source counted (rescued, "
                                "identified as victims, repatriated...). Counts of different "
                                "measures are never added together; a dashed route is one the "
                                "report names without a number.",
                                className="note",
                            ),
                            html.H2("Download the records"),
                            html.Ul(
                                id=ids.EXPLORER_DOWNLOADS,
                                children=[
                                    html.Li(html.A(f"{name}.csv", href=f"/download/{name}.csv"))
                                    for name in ("routes", "figures", "locations")
                                ],
                            ),
                            html.P(
                                "Routes and figures accept ?year=2023 (or 2022-2023) and "
                                "?nationality=IDN,VNM.",
                                className="note",
                            ),
                            html.Div(
                                id=ids.EXPLORER_REPORT,
                                className="data-problems",
                                children=[
                                    html.H2("Data problems"),
                                    html.Ul([html.Li(p) for p in problems]),
                                ],
                            )
                            if problems
                            else None,
                        ],
                    ),
                ],
            ),
        ],
    )
