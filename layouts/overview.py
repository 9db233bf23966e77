"""The regional overview: key-figure cards, two small charts, and the report's inconsistencies.

A component tree only: texts come from `dashboard.figures.panels.overview_data`, figures from its
chart builders.
"""

from __future__ import annotations

import plotly.graph_objects as go
from dash import dcc, html

from layouts import ids

CHARTS = (
    ("caseload", ids.OVERVIEW_CASELOAD_CHART, "Bar chart of IOM's caseload, 2022 and 2023"),
    ("sex_split", ids.OVERVIEW_SEX_SPLIT_CHART, "Bar of the male and female shares, 2023"),
)


def _card(card: dict) -> html.Li:
    children: list = [
        html.P(card["value"], className="overview-card-value"),
        html.P(card["label"], className="overview-card-label"),
    ]
    if card["detail"]:
        d = card["detail"]
        children.append(html.P(f"{d['label']}: {d['value']}", className="overview-card-detail"))
    children.append(html.P(f"Period: {card['period']}", className="overview-card-period"))
    children.append(
        html.P(
            ["Source: ", html.Cite(card["citation"])],
            className="overview-card-source",
            title=card["source"],
        )
    )
    if card["flagged"]:
        children.append(
            html.P(
                "⚠ Named in a note on the report's inconsistencies, below",
                className="overview-flag",
            )
        )
    return html.Li(
        className="overview-card overview-card-flagged" if card["flagged"] else "overview-card",
        children=children,
    )


def _cards(data: dict) -> html.Div:
    if not data["groups"]:
        body: list = [
            html.P(
                "No regional figures in the records for these filters.", className="overview-none"
            )
        ]
    else:
        body = [
            html.Section(
                className="overview-group",
                children=[
                    html.H3(g["heading"]),
                    html.Ul([_card(c) for c in g["cards"]], className="overview-cards"),
                ],
            )
            for g in data["groups"]
        ]
    return html.Div(id=ids.OVERVIEW_CARDS, className="overview-card-groups", children=body)


def _charts(charts: dict[str, go.Figure], graph_config: dict) -> html.Section | None:
    figures = []
    for key, component_id, label in CHARTS:
        fig = charts.get(key)
        if fig is None:
            continue
        height = fig.layout.height
        figures.append(
            html.Figure(
                className="overview-chart",
                children=[
                    dcc.Graph(
                        id=component_id,
                        figure=fig,
                        config=graph_config,
                        style={"height": f"{height}px"} if height else None,
                    ),
                    html.Figcaption(
                        f"{label}: the same records as the cards above.",
                        className="overview-visually-hidden",
                    ),
                ],
            )
        )
    if not figures:
        return None
    return html.Section(
        className="overview-charts-section",
        children=[
            html.H3("Caseload and sex split"),
            html.Div(figures, className="overview-charts"),
        ],
    )


def _note_list(component_id: str, heading: str, lead: str, notes: list[dict], cls: str):
    if not notes:
        return None
    items = []
    for n in notes:
        about = f"About: {'; '.join(n['about'])}. " if n["about"] else ""
        items.append(
            html.Li(
                className=cls,
                role="note",
                children=[
                    html.Strong(lead),
                    " ",
                    n["text"],
                    html.Span(
                        f" ({about}Section: {n['section']}.)", className="overview-note-about"
                    ),
                ],
            )
        )
    return html.Section(
        id=component_id,
        className="overview-notes",
        children=[html.H3(heading), html.Ul(items, className="overview-note-list")],
    )


def overview_panel(data: dict, charts: dict[str, go.Figure], graph_config: dict) -> html.Section:
    """The regional overview, from `overview_data` and the `caseload`/`sex_split` charts."""
    children = [
        html.H2("Regional overview"),
        html.P(
            "Key figures of IOM's regional situation report. Each card is its own measure: "
            "cards side by side are never added together.",
            className="overview-lede",
        ),
        html.P(f"Figures shown for {data['filters']}.", className="overview-filters"),
        _cards(data),
        _charts(charts, graph_config),
        _note_list(
            ids.OVERVIEW_INCONSISTENCIES,
            "Where the report contradicts itself",
            "⚠ Inconsistency:",
            data["inconsistencies"],
            "overview-note overview-note-inconsistency",
        ),
        _note_list(
            ids.OVERVIEW_CAVEATS,
            "Caveats on these figures",
            "Note:",
            data["caveats"],
            "overview-note",
        ),
    ]
    if data["sources"]:
        children.append(
            html.P("Source: " + "; ".join(data["sources"]), className="overview-source-line")
        )
    return html.Section(
        id=ids.OVERVIEW_PANEL,
        className="overview-panel",
        **{"aria-label": "Regional overview"},
        children=[c for c in children if c is not None],
    )
