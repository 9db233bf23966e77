"""The headline band above the map: the few key figures a briefing opens with, each with its
measure, period and source. Component tree only: texts come from the caller."""

from __future__ import annotations

from dash import html


def _card(card: dict) -> html.Article:
    values: list = []
    for i, v in enumerate(card["values"]):
        if i:
            values.append(html.Span(" → ", className="headline-arrow", **{"aria-label": "then"}))
        values.append(html.Span(v))
    meta = " → ".join(card["periods"])
    if card["measure"]:
        meta += f" · {card['measure']}"
    children = [
        html.P(values, className="headline-value"),
        html.P(card["label"], className="headline-label"),
        html.P([meta, " · ", html.Cite(card["publisher"])], className="headline-meta"),
    ]
    if card.get("note"):
        children.append(
            html.P("⚠ " + card["note"], className="headline-note", title=card["note_full"])
        )
    return html.Article(
        className="headline-card" + (" headline-card-flagged" if card.get("note") else ""),
        title=card["source"],
        children=children,
    )


def headline_band(cards: list[dict], empty: str | None = None) -> list:
    if not cards:
        return [html.P(empty or "No key figure matches these filters.", className="headline-none")]
    return [html.H2("Key figures", className="visually-hidden"), *[_card(c) for c in cards]]
