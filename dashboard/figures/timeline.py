"""The time strip under the map: the dated events, one lane per kind of event."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.flowmap import EVENT_COLOUR, EVENT_SYMBOLS, event_hover
from geodata.dataset import Dataset

LANES = {
    "Operations": ("operation", "raid", "rescue", "interception", "arrest"),
    "Returns and deportations": ("repatriation", "deportation"),
    "Policy and laws": (
        "law",
        "referral_mechanism",
        "task_force",
        "declaration",
        "advisory",
        "campaign",
        "meeting",
    ),
    "Media and publications": ("media", "publication"),
}
LANE_OF = {kind: lane for lane, kinds in LANES.items() for kind in kinds}


def date_span(start: str, end: str | None) -> tuple[dt.date, dt.date]:
    """The days a partial date covers: '2023-05' is all of May, '2023' all of the year."""

    def first(text: str) -> dt.date:
        parts = [int(p) for p in text.split("-")] + [1, 1]
        return dt.date(parts[0], parts[1], parts[2])

    def last(text: str) -> dt.date:
        parts = [int(p) for p in text.split("-")]
        if len(parts) == 3:
            return dt.date(*parts)
        if len(parts) == 2:
            nxt = dt.date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
            return nxt - dt.timedelta(days=1)
        return dt.date(parts[0], 12, 31)

    return first(start), last(end or start)


def build_time_strip(
    dataset: Dataset, events: pd.DataFrame, years: tuple[int, int] | None = None
) -> go.Figure:
    """Events as marks on a time axis; imprecise dates drawn as a bar over the period they cover."""
    return go.Figure(time_strip_dict(dataset, events, years))


def time_strip_dict(
    dataset: Dataset, events: pd.DataFrame, years: tuple[int, int] | None = None
) -> dict:
    """`build_time_strip` as a plain figure dict (what the explorer sends): the same traces
    and layout, without building plotly objects for each change."""
    lanes = list(LANES)
    rows = events.to_dict("records")
    data: list[dict] = []
    for lane in lanes:
        part = [e for e in rows if LANE_OF.get(e["kind"]) == lane]
        xs, ys, bars_x, bars_y = [], [], [], []
        for e in part:
            start, end = date_span(e["date_start"], e["date_end"])
            middle = start + (end - start) / 2
            xs.append(middle.isoformat())
            ys.append(lane)
            if (end - start).days > 0:
                bars_x += [start.isoformat(), end.isoformat(), None]
                bars_y += [lane, lane, None]
        if bars_x:
            data.append(
                {
                    "type": "scatter",
                    "x": bars_x,
                    "y": bars_y,
                    "mode": "lines",
                    "hoverinfo": "skip",
                    "showlegend": False,
                    "line": {"width": 3, "color": "rgba(0,158,115,0.22)"},
                }
            )
        data.append(
            {
                "type": "scatter",
                "x": xs,
                "y": ys,
                "mode": "markers",
                "name": lane,
                "showlegend": False,
                "marker": {
                    "size": 11,
                    "color": EVENT_COLOUR,
                    "symbol": [EVENT_SYMBOLS.get(e["kind"], "circle") for e in part],
                    "line": {"width": 1, "color": "#0b3d2e"},
                },
                "text": [event_hover(dataset, e) for e in part],
                "hovertemplate": "%{text}<extra></extra>",
            }
        )
    layout = {
        "height": 190,
        "margin": {"l": 170, "r": 10, "t": 8, "b": 30},
        "yaxis": {
            "categoryorder": "array",
            "categoryarray": lanes[::-1],
            "fixedrange": True,
            "tickfont": {"size": 12},
        },
        "xaxis": {
            "type": "date",
            "tickformat": "%b %Y",
            "showgrid": True,
            "gridcolor": "#e5e5e5",
            # opens on the years in view; earlier events (laws of 2018-19) are a pan away
            "range": [f"{years[0]}-01-01", f"{years[1] + 1}-01-01"] if years else None,
        },
        "plot_bgcolor": "#ffffff",
        "hoverlabel": {"font": {"size": 13}, "align": "left"},
        "uirevision": "time-strip",
    }
    if not years:
        del layout["xaxis"]["range"]
    return {"data": data, "layout": layout}
