"""Bytes and milliseconds of a map update: the dash.Patch the explorer sends against resending
the whole figure (what a naive Dash callback returning go.Figure would send).

Run: .venv/bin/python benchmarks/map_update.py
"""

from __future__ import annotations

import json
import time

import plotly.io as pio

from dashboard.explorer import callbacks
from dashboard.figures import flowmap as figures
from dashboard.state import parse_query
from geodata import load_dataset

QUERIES = [
    "",
    "?nationality=IDN",
    "?year=2023&nationality=IDN,VNM",
    "?destination=MMR",
    "?measure=returned",
    "?indicator=iom-office-caseload-2023",
]


def main() -> None:
    dataset = load_dataset()
    codes = list(figures.region_countries(dataset.admin0)[0]["iso3"])  # once, as the app does
    print(f"{'query':42} {'patch bytes':>12} {'full bytes':>12} {'patch ms':>9} {'full ms':>9}")
    for q in QUERIES:
        t = time.perf_counter()
        patch = callbacks.map_patch(dataset, q, codes)
        patch_ms = (time.perf_counter() - t) * 1000
        patch_bytes = len(json.dumps(patch.to_plotly_json(), default=str))
        t = time.perf_counter()
        full = figures.build_flow_map(dataset, parse_query(q)[0])
        full_bytes = len(pio.to_json(full))
        full_ms = (time.perf_counter() - t) * 1000
        print(
            f"{q or '(default)':42} {patch_bytes:12,} {full_bytes:12,} {patch_ms:9.1f} "
            f"{full_ms:9.1f}"
        )


if __name__ == "__main__":
    main()
