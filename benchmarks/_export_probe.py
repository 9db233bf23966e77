"""Two consecutive PNG exports of the default map in a fresh process, timed; prints one JSON line.

    python benchmarks/_export_probe.py product [--data DIR]
    python benchmarks/_export_probe.py naive --width W --height H --scale S [--data DIR]

`product` goes through the dashboard's own export (lay the view out for a 180 mm page at
300 dpi, render it with the process's warm Chromium), as `benchmarks/export.py` does; it also
reports the framed figure's size in CSS pixels and its scale, so the naive export can be drawn
at the same pixel size. `naive` builds the baseline's figure and calls plotly's `to_image`
(kaleido), with plotly.js and the base-map topojson read from this machine. Each export is
timed from building the figure to holding the PNG bytes; the second one is the warm figure.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def product(data_dir: str | None) -> dict:
    from dashboard.app import year_bounds
    from dashboard.export.render import PRESETS, Exporter, Page, frame_for_print, print_figure
    from dashboard.state import ViewState
    from geodata.dataset import load_dataset

    dataset = load_dataset(data_dir)
    bounds = year_bounds(dataset)
    page = Page(PRESETS["full"], dpi=300)
    state = ViewState()

    def once() -> int:
        fig, meta = print_figure(dataset, "map", state, bounds, page)
        with Exporter() as exporter:
            return len(exporter.render(fig, meta, "png", page, built=True))

    times, size = [], 0
    for _ in range(2):
        t = time.perf_counter()
        size = once()
        times.append(time.perf_counter() - t)
    fig, meta = print_figure(dataset, "map", state, bounds, page)
    _, w, h = frame_for_print(fig, meta, page, built=True)
    return {
        "first_s": times[0],
        "second_s": times[1],
        "bytes": size,
        "width": w,
        "height": h,
        "scale": page.scale,
    }


def naive(data_dir: str | None, width: int, height: int, scale: float) -> dict:
    import plotly
    import plotly.io as pio

    from benchmarks.naive_app import ALL, TOPOJSON, load_geometry, naive_figure
    from geodata import load_dataset

    pio.defaults.topojson = TOPOJSON.as_uri()
    pio.defaults.plotlyjs = str(Path(plotly.__file__).parent / "package_data" / "plotly.min.js")
    pio.defaults.mathjax = None
    dataset = load_dataset(data_dir)
    geometry = load_geometry()
    times, size = [], 0
    for _ in range(2):
        t = time.perf_counter()
        fig = naive_figure(dataset, geometry, ALL, ALL)
        size = len(pio.to_image(fig, format="png", width=width, height=height, scale=scale))
        times.append(time.perf_counter() - t)
    return {"first_s": times[0], "second_s": times[1], "bytes": size}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("which", choices=("product", "naive"))
    parser.add_argument("--data")
    parser.add_argument("--width", type=int, default=680)
    parser.add_argument("--height", type=int, default=480)
    parser.add_argument("--scale", type=float, default=300 / 96)
    args = parser.parse_args()
    if args.which == "product":
        out = product(args.data)
    else:
        out = naive(args.data, args.width, args.height, args.scale)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
