"""The Sankey view: nationality -> transit -> destination, for routes of one measure."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.text import format_count, measure_label, period_label
from geodata.countries import country_name
from geodata.dataset import Dataset

STAGE_COLOURS = {"nationality": "#0072B2", "transit": "#E69F00", "destination": "#D55E00"}


def sankey_routes(routes: pd.DataFrame, measure: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(routes drawn, routes of that measure left out because they state no number)."""
    same = routes[routes["measure"] == measure] if measure else routes.iloc[0:0]
    return same[same["count"].notna()], routes[routes["count"].isna()]


def build_sankey(dataset: Dataset, routes: pd.DataFrame, measure: str | None) -> go.Figure:
    """Links carry each route's own count of one measure; a node's size is the total of the
    routes through it, all of that one measure. Routes with no number are listed, not drawn."""
    drawn, _ = sankey_routes(routes, measure)
    names = dict(zip(dataset.nodes["node"], dataset.nodes["name"]))
    labels: list[str] = []
    colours: list[str] = []
    index: dict[tuple[str, str], int] = {}

    def node(stage: str, key: str, label: str) -> int:
        if (stage, key) not in index:
            index[(stage, key)] = len(labels)
            labels.append(label)
            colours.append(STAGE_COLOURS[stage])
        return index[(stage, key)]

    src, dst, val, hover = [], [], [], []
    for r in drawn.itertuples():
        nat = r.nationality or ""
        chain = [
            node(
                "nationality",
                nat,
                f"{country_name(nat)} nationals" if nat else "Nationality not stated",
            )
        ]
        for t in r.transit:
            chain.append(node("transit", t, f"via {names.get(t, t)}"))
        chain.append(node("destination", r.destination, names.get(r.destination, r.destination)))
        text = (
            f"{' → '.join(r.path_names)}<br>{measure_label(r.measure).capitalize()}: "
            f"{format_count(r.count, r.qualifier)}<br>"
            f"Period: {period_label(r.year_start, r.year_end, r.period)}<br>"
            f"Source: {dataset.source_label(r.source_id)} — {r.section}"
        )
        for a, b in zip(chain, chain[1:]):
            src.append(a)
            dst.append(b)
            val.append(float(r.count))
            hover.append(text)
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": labels,
                "color": colours,
                "pad": 18,
                "thickness": 16,
                "line": {"color": "#333", "width": 0.5},
                # no total here: a node's size adds routes up, which no source states as a
                # figure; each link's hover gives its own route's count and source
                "hovertemplate": "%{label}<br>Hover a flow for its route's count and source"
                "<extra></extra>",
            },
            link={
                "source": src,
                "target": dst,
                "value": val,
                "customdata": hover,
                "color": "rgba(0,114,178,0.28)",
                "hovertemplate": "%{customdata}<extra></extra>",
            },
        )
    )
    title = f"People {measure_label(measure)}, by nationality, transit and destination"
    fig.update_layout(
        title={"text": title, "font": {"size": 16}, "x": 0.01},
        font={"size": 13},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        height=520,
    )
    return fig
