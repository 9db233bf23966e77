"""Briefing mode: one saved view per screen, for a projector. Component trees only."""

from __future__ import annotations

import plotly.graph_objects as go
from dash import dcc, html

from layouts.ids import (
    BRIEFING_CONTENT,
    BRIEFING_FULLSCREEN,
    BRIEFING_GRAPH,
    BRIEFING_NEXT,
    BRIEFING_PREV,
    BRIEFING_URL,
    BRIEFING_VIEWPORT,
)


def briefing_shell() -> html.Div:
    return html.Div(
        className="briefing",
        children=[
            dcc.Location(id=BRIEFING_URL, refresh=False),
            dcc.Store(id=BRIEFING_VIEWPORT, data=None),
            html.Div(id=BRIEFING_CONTENT, className="briefing-content"),
        ],
    )


def briefing_index(items: list[dict], problems: list[str]) -> html.Main:
    """The list of briefings: each with its title and first slide's link."""
    return html.Main(
        className="briefing-index",
        children=[
            html.H1("Briefings"),
            html.P(
                "Choose a briefing. Arrow keys or a presentation clicker move between views; "
                "F toggles full screen.",
                className="briefing-caption",
            ),
            html.Ul([html.Li(dcc.Link(item["title"], href=item["href"])) for item in items]),
            html.Div([html.P(p, className="briefing-error") for p in problems])
            if problems
            else None,
        ],
    )


def briefing_error(message: str, index_href: str) -> html.Main:
    return html.Main(
        className="briefing-index",
        children=[
            html.H1("This briefing cannot be shown"),
            html.P(message, className="briefing-error"),
            dcc.Link("All briefings", href=index_href),
        ],
    )


def slide(
    *,
    title: str,
    caption: str,
    source_line: str,
    figure: go.Figure,
    graph_config: dict,
    position: int,
    total: int,
    prev_href: str | None,
    next_href: str | None,
    note: str | None,
    graph_style: dict | None = None,
) -> html.Main:
    """Title, figure, caption, source line; small navigation in a corner."""
    return html.Main(
        className="briefing-slide",
        children=[
            html.H1(title, className="briefing-title"),
            dcc.Graph(
                id=BRIEFING_GRAPH,
                figure=figure,
                config=graph_config,
                className="briefing-graph" + (" briefing-graph-fixed" if graph_style else ""),
                responsive=not graph_style,
                **({"style": graph_style} if graph_style else {}),
            ),
            html.P(caption, className="briefing-caption") if caption else None,
            html.P(source_line, className="briefing-source"),
            html.Aside(note, className="briefing-note") if note else None,
            html.Nav(
                className="briefing-nav",
                **{"aria-label": "Briefing navigation"},
                children=[
                    dcc.Link(
                        "◀",
                        id=BRIEFING_PREV,
                        href=prev_href or "",
                        title="Previous (←)",
                        className="briefing-nav-link" + ("" if prev_href else " disabled"),
                    ),
                    html.Span(f"{position} / {total}", className="briefing-position"),
                    dcc.Link(
                        "▶",
                        id=BRIEFING_NEXT,
                        href=next_href or "",
                        title="Next (→)",
                        className="briefing-nav-link" + ("" if next_href else " disabled"),
                    ),
                    html.Button(
                        "Full screen",
                        id=BRIEFING_FULLSCREEN,
                        title="Full screen (F)",
                        className="briefing-fullscreen",
                        n_clicks=0,
                    ),
                ],
            ),
        ],
    )
