"""The map's legend beside the map (never over it), from the entries the figure builder gives:
the same entries label the printed figure's own legend."""

from __future__ import annotations

from dash import html

SWATCH = (34, 16)


def _swatch(entry: dict) -> html.Span:
    w, h = SWATCH
    kind = entry["kind"]
    style: dict = {"width": f"{w}px", "height": f"{h}px"}
    if kind == "line":
        dash = {"dot": "dotted", "dash": "dashed"}.get(entry["dash"], "solid")
        inner = html.Span(
            className="swatch-line",
            style={
                "borderTop": f"{max(1.0, entry['width']):.1f}px {dash} {entry['colour']}",
            },
        )
    elif kind == "fill":
        inner = html.Span(className="swatch-fill", style={"background": entry["colour"]})
    elif kind == "circle":
        d = entry["size"]
        style["height"] = f"{max(h, d):.0f}px"
        inner = html.Span(
            className="swatch-circle",
            style={"width": f"{d:.0f}px", "height": f"{d:.0f}px", "background": entry["colour"]},
        )
    else:
        open_ = entry["symbol"].endswith("-open")
        inner = html.Span(
            className="swatch-marker" + (" swatch-open" if open_ else ""),
            style={"background": "transparent" if open_ else entry["colour"]},
        )
    return html.Span(inner, className="swatch", style=style, **{"aria-hidden": "true"})


def legend(entries: list[dict]) -> list:
    groups: dict[str, list[dict]] = {}
    for e in entries:
        groups.setdefault(e["group"], []).append(e)
    out = []
    for title, items in groups.items():
        circles = all(i["kind"] == "circle" for i in items)
        out.append(
            html.Div(
                className="legend-group" + (" legend-circles" if circles else ""),
                children=[
                    html.H3(title, className="legend-title"),
                    html.Ul(
                        [
                            html.Li([_swatch(i), html.Span(i["label"], className="legend-label")])
                            for i in items
                        ]
                    ),
                ],
            )
        )
    return out
