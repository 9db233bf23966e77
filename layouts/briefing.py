"""Briefing mode: one saved view per screen, for a projector, and the presenter's view of it.
Component trees only."""

from __future__ import annotations

import plotly.graph_objects as go
from dash import dcc, html

from layouts.ids import (
    BRIEFING_CONTENT,
    BRIEFING_EXPLORER,
    BRIEFING_FULLSCREEN,
    BRIEFING_GRAPH,
    BRIEFING_NEXT,
    BRIEFING_PREV,
    BRIEFING_STAGE,
    BRIEFING_STAGE_SIZE,
    BRIEFING_URL,
    BRIEFING_VIEWPORT,
    PRESENTER_CLOCK,
    PRESENTER_NOTE,
    PRESENTER_NOTE_LARGER,
    PRESENTER_NOTE_SMALLER,
    PRESENTER_TIMER,
)


def briefing_shell() -> html.Div:
    return html.Div(
        className="briefing",
        children=[
            dcc.Location(id=BRIEFING_URL, refresh=False),
            dcc.Store(id=BRIEFING_VIEWPORT, data=None),
            # the window's size and the slide's figure box, measured by assets/briefing.js
            dcc.Store(id=BRIEFING_STAGE_SIZE, data=None),
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
                "F toggles full screen; P opens the presenter view (speaker notes, the next "
                "view, a clock) in a second window, which moves with this one.",
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


def slide_graph(figure: go.Figure, config: dict, size: tuple[int, int], thumb: bool) -> dcc.Graph:
    """A figure drawn at a fixed size in px (the slide's figure box); a thumbnail's has no id."""
    return dcc.Graph(
        figure=figure,
        config=config,
        className="briefing-graph",
        responsive=False,
        style={"width": f"{size[0]}px", "height": f"{size[1]}px"},
        **({} if thumb else {"id": BRIEFING_GRAPH}),
    )


def events_list(items: list, more: str | None) -> html.Ol:
    """Dated events, each with its date, what happened, its figures and its source."""
    children = [
        html.Li(
            className=f"briefing-event briefing-lane-{item.lane}",
            **{"data-event": item.id},
            children=[
                html.Span(item.date, className="briefing-event-date"),
                html.Div(
                    className="briefing-event-body",
                    children=[
                        html.P(
                            [
                                item.title,
                                html.Strong(
                                    f" · {item.figures}", className="briefing-event-figures"
                                )
                                if item.figures
                                else None,
                            ],
                            className="briefing-event-title",
                        ),
                        html.P(item.detail, className="briefing-event-detail"),
                    ],
                ),
            ],
        )
        for item in items
    ]
    if more:
        children.append(html.Li(more, className="briefing-event briefing-more"))
    return html.Ol(children, className="briefing-events")


def figures_table(columns: list[tuple[str, float]], parts: list[tuple[str, object]]) -> html.Table:
    """Key figures: label, value, period; each run of rows with one source headed by it, and
    the view's 'and N more' row last."""
    body = []
    for kind, part in parts:
        if kind == "source":
            body.append(
                html.Tr(html.Td(part, colSpan=len(columns)), className="briefing-table-source")
            )
        elif kind == "more":
            body.append(
                html.Tr(html.Td(part.label, colSpan=len(columns)), className="briefing-more")
            )
        else:
            body.append(
                html.Tr(
                    [
                        html.Td(part.label),
                        html.Td(part.value, className="briefing-table-value"),
                        html.Td(part.period),
                    ]
                )
            )
    return html.Table(
        className="briefing-table",
        children=[
            html.Colgroup(
                [html.Col(style={"width": f"{share * 100:.2f}%"}) for _, share in columns]
            ),
            html.Thead(html.Tr([html.Th(name) for name, _ in columns])),
            html.Tbody(body),
        ],
    )


def message(text: str) -> html.P:
    return html.P(text, className="briefing-empty")


def slide(
    *,
    title: str,
    caption: str,
    source_line: str,
    body,
    stage_key: str,
    position: int,
    total: int,
    prev_href: str | None = None,
    next_href: str | None = None,
    explorer_href: str | None = None,
    thumb: bool = False,
) -> html.Main:
    """Title, the figure box, caption, and a footer with the source line and, in the corner,
    small navigation and the link to the same view in the explorer. `thumb`: a small copy for
    the presenter view (no ids, no navigation)."""
    nav = None
    if not thumb:
        nav = html.Nav(
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
                html.Span(
                    f"{position} / {total}",
                    className="briefing-position",
                    title="P opens the presenter view",
                ),
                dcc.Link(
                    "▶",
                    id=BRIEFING_NEXT,
                    href=next_href or "",
                    title="Next (→)",
                    className="briefing-nav-link" + ("" if next_href else " disabled"),
                ),
                html.A(
                    "Open in the explorer ↗",
                    id=BRIEFING_EXPLORER,
                    href=explorer_href or "/",
                    target="_blank",
                    rel="noopener",
                    title="This view, with its filters, in the explorer (a new tab)",
                    className="briefing-explorer",
                ),
                html.Button(
                    "Full screen",
                    id=BRIEFING_FULLSCREEN,
                    title="Full screen (F)",
                    className="briefing-fullscreen",
                    n_clicks=0,
                ),
            ],
        )
    return html.Main(
        className="briefing-slide" + (" briefing-thumb-slide" if thumb else ""),
        **{"data-stage": stage_key, "data-position": str(position)},
        children=[
            html.H1(title, className="briefing-title"),
            html.Div(
                body,
                className="briefing-stage",
                **({} if thumb else {"id": BRIEFING_STAGE}),
            ),
            html.P(caption, className="briefing-caption") if caption else None,
            html.Footer(
                className="briefing-footer",
                children=[html.P(source_line, className="briefing-source"), nav],
            ),
        ],
    )


def presenter(
    *,
    title: str,
    position: int,
    total: int,
    note: str,
    now: html.Main,
    next_title: str | None,
    next_thumb: html.Main | None,
    prev_href: str | None,
    next_href: str | None,
) -> html.Main:
    """The presenter's window: the slide shown to the room, the next one, the speaker note in
    large type, the slide number, a clock and the time since the window opened."""
    return html.Main(
        className="presenter",
        **{"data-position": str(position)},
        children=[
            html.Header(
                className="presenter-bar",
                children=[
                    dcc.Link(
                        "◀",
                        id=BRIEFING_PREV,
                        href=prev_href or "",
                        title="Previous (←)",
                        className="briefing-nav-link" + ("" if prev_href else " disabled"),
                    ),
                    html.Span(f"Slide {position} of {total}", className="presenter-position"),
                    dcc.Link(
                        "▶",
                        id=BRIEFING_NEXT,
                        href=next_href or "",
                        title="Next (→)",
                        className="briefing-nav-link" + ("" if next_href else " disabled"),
                    ),
                    html.Span("--:--", id=PRESENTER_CLOCK, className="presenter-clock"),
                    html.Button(
                        "0:00",
                        id=PRESENTER_TIMER,
                        className="presenter-timer",
                        title="Time since the presenter view opened: click to start again",
                    ),
                    html.Span(
                        className="presenter-note-size",
                        children=[
                            html.Button("A−", id=PRESENTER_NOTE_SMALLER, title="Smaller note"),
                            html.Button("A+", id=PRESENTER_NOTE_LARGER, title="Larger note"),
                        ],
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
            html.Section(
                className="presenter-slides",
                children=[
                    html.H2("Now showing", className="presenter-label"),
                    html.P(title, className="presenter-title"),
                    html.Div(now, className="presenter-thumb presenter-thumb-now"),
                    html.Div(
                        className="presenter-next",
                        children=[
                            html.Div(next_thumb, className="presenter-thumb")
                            if next_thumb is not None
                            else None,
                            html.Div(
                                [
                                    html.H2("Next", className="presenter-label"),
                                    html.P(
                                        next_title or "End of the briefing",
                                        className="presenter-next-title",
                                    ),
                                ]
                            ),
                        ],
                    ),
                ],
            ),
            html.Div(
                note or "No note for this view.",
                id=PRESENTER_NOTE,
                className="presenter-note" + ("" if note else " presenter-note-empty"),
                tabIndex="0",
                **{"aria-label": "Speaker note"},
            ),
        ],
    )
