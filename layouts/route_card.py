"""The route card: what the records say about one route, every figure with its measure, period
and source, and the notes. Component tree only: every text comes from the caller's dict."""

from __future__ import annotations

from dash import dcc, html

from layouts import ids


def route_card(data: dict) -> html.Section:
    rows = [
        ("From", data["origin"]),
        ("Through", data["transit"]),
        ("To", data["destination"]),
        ("People", data["people"]),
        ("Kind", data["movement"]),
        ("Form of exploitation", data["form"]),
    ]
    facts = html.Dl(
        className="route-facts",
        children=[x for label, value in rows if value for x in (html.Dt(label), html.Dd(value))],
    )
    figures = html.Ul(
        className="route-figures",
        children=[
            html.Li(
                [
                    html.Strong(f["value"], className="route-figure-value"),
                    " ",
                    f["what"],
                    html.Br(),
                    html.Span(f"Period: {f['period']}", className="route-meta"),
                    html.Br(),
                    html.Span(["Source: ", html.Cite(f["citation"])], className="route-meta"),
                ]
            )
            for f in data["figures"]
        ],
    )
    notes = [
        html.Li(
            className="profile-note"
            + (" profile-note-inconsistency" if n["inconsistency"] else ""),
            children=[html.Strong("⚠ " if n["inconsistency"] else "Note: "), n["text"]],
        )
        for n in data["notes"]
    ]
    return html.Section(
        id=ids.ROUTE_CARD,
        className="route-card",
        **{"aria-label": f"Route: {data['title']}"},
        children=[
            html.P("Route", className="route-kicker"),
            html.H2(data["title"], className="route-title"),
            facts,
            html.H3("What the sources count"),
            figures,
            html.Section([html.H3("Notes"), html.Ul(notes, className="profile-note-list")])
            if notes
            else None,
            html.P(
                dcc.Link("Close the route card", href=data["close_href"]), className="route-close"
            ),
        ],
    )
