"""Bytes and milliseconds of a map update: the figure the explorer sends (its polygons come
once, by URL, and are cached by the browser) against the same figure with its polygons inline
(what a naive Dash callback returning go.Figure would send on every change).

Run: .venv/bin/python benchmarks/map_update.py
"""

from __future__ import annotations

import gzip
import time

import plotly.io as pio

from dashboard.explorer import callbacks
from dashboard.figures import flowmap
from dashboard.state import parse_query
from geodata import load_dataset

QUERIES = [
    "",
    "?nationality=IDN",
    "?year=2023&nationality=IDN,VNM",
    "?destination=MMR",
    "?measure=returned&width=count",
    "?layers=routes,returns,places,events,offices",
]
SIZE = {"w": 1018, "h": 570}  # the map at 1440×900


def main() -> None:
    dataset = load_dataset()
    print(f"{'query':44} {'update kB':>10} {'gzip kB':>8} {'inline kB':>10} {'update ms':>10}")
    for q in QUERIES:
        t = time.perf_counter()
        fig = callbacks.map_figure(dataset, q, SIZE, "/geo/countries.json")
        ms = (time.perf_counter() - t) * 1000
        body = pio.to_json(fig).encode()
        inline = flowmap.build_flow_map(
            dataset, parse_query(q)[0], flowmap.Layout(width_px=SIZE["w"], height_px=SIZE["h"])
        )
        print(
            f"{q or '(default)':44} {len(body) / 1000:10.1f} "
            f"{len(gzip.compress(body)) / 1000:8.1f} {len(pio.to_json(inline)) / 1000:10.1f} "
            f"{ms:10.1f}"
        )


if __name__ == "__main__":
    main()
