"""Seconds to export a figure for publication: cold (the process's first export, which starts
Chromium) and warm (later exports, which reuse it), by the CLI's and the `/export/` route's
code path: lay the view out for the page, render it, write the PNG.

    .venv/bin/python benchmarks/export.py                   # the default map, 180 mm, 300 dpi
    .venv/bin/python benchmarks/export.py --view sankey --preset column --runs 9
    .venv/bin/python benchmarks/export.py --route           # through the Flask route

Prints numbers; asserts nothing. The warm median is the one to compare with the 1.5 s the
route's users wait for at most.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--view", default="map")
    parser.add_argument("--preset", default="full", choices=("full", "column"))
    parser.add_argument("--format", default="png", choices=("png", "svg", "pdf"))
    parser.add_argument("--dpi", type=int, default=300)
    parser.add_argument("--runs", type=int, default=7, help="warm runs (default 7)")
    parser.add_argument("--country", default="PHL", help="for --view profile")
    parser.add_argument(
        "--route", action="store_true", help="time GET /export/<view>.<fmt> on the Flask app"
    )
    args = parser.parse_args()

    started = time.perf_counter()
    from dashboard.app import create_app, year_bounds
    from dashboard.export import browser
    from dashboard.export.render import PRESETS, Exporter, Page, print_figure
    from dashboard.state import ViewState
    from geodata.dataset import load_dataset

    dataset = load_dataset()
    bounds = year_bounds(dataset)
    print(f"import and load the records: {time.perf_counter() - started:.2f} s")
    page = Page(PRESETS[args.preset], dpi=args.dpi)
    state = ViewState(country=args.country) if args.view == "profile" else ViewState()

    if args.route:
        client = create_app(dataset=dataset).server.test_client()
        query = f"?preset={args.preset}&dpi={args.dpi}"
        if args.view == "profile":
            query += f"&country={args.country}"
        url = f"/export/{args.view}.{args.format}{query}"

        def once() -> int:
            response = client.get(url)
            assert response.status_code == 200, response.get_data(as_text=True)
            return len(response.data)

    else:

        def once() -> int:
            fig, meta = print_figure(dataset, args.view, state, bounds, page)
            with Exporter() as exporter:
                data = exporter.render(fig, meta, args.format, page, built=True)
            return len(data)

    t = time.perf_counter()
    size = once()
    cold = time.perf_counter() - t
    what = f"{args.view} {args.preset} ({page.width_mm:g} mm) {args.format} at {args.dpi} dpi"
    print(f"{what}: {size:,} bytes")
    print(f"cold (starts Chromium): {cold:.2f} s")
    warm = []
    for _ in range(args.runs):
        t = time.perf_counter()
        once()
        warm.append(time.perf_counter() - t)
    print(
        f"warm, {len(warm)} runs: median {statistics.median(warm):.2f} s, "
        f"min {min(warm):.2f} s, max {max(warm):.2f} s"
    )
    print(f"Chromium processes started: {browser.STARTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
