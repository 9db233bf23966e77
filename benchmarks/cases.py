"""Seconds to read and aggregate (with small-count protection) a million case rows in each
layout, from synthetic files written to a temporary folder first (not timed).

Run: .venv/bin/python benchmarks/cases.py [rows]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cases_synthetic import write_synthetic  # noqa: E402

from geodata.cases import read_cases  # noqa: E402
from geodata.cases.flows import aggregate_cases  # noqa: E402


def main(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for layout in ("ctdc2024", "ctdc2020", "htcds"):
            path = write_synthetic(Path(tmp) / f"{layout}.csv", rows, layout)
            start = time.perf_counter()
            cases, report = read_cases(path)
            read = time.perf_counter() - start
            flows = aggregate_cases(cases)
            total = time.perf_counter() - start
            tally = report.tallies[path.name]
            withheld = sum(int(t["suppressed"].sum()) for t in flows.tables().values())
            cells = sum(len(t) for t in flows.tables().values())
            print(
                f"{layout:9} {rows:>9,} rows ({path.stat().st_size / 1e6:5.1f} MB): "
                f"read {read:5.2f} s, read + aggregate {total:5.2f} s; "
                f"{tally.accepted:,} accepted, {tally.rejected:,} rejected; "
                f"{len(flows.routes):,} flows, {withheld:,} of {cells:,} cells withheld"
            )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
