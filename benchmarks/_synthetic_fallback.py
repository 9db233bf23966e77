"""A data folder with many routes, for timing the dashboard at scale: the bundled records, with
the routes table grown to n rows by copying the bundled routes under new ids, years and
nationalities.

`benchmarks.synthetic.make_routes_dataset` is used instead when it exists; this module keeps the
benchmark runnable without it. The rows it writes pass `python -m dashboard validate DIR`: every
copy keeps its source, section, measure and count rule; only its id, years and the people's
nationality (and an origin that was that nationality's country) change. Deterministic for a
given n.
"""

from __future__ import annotations

import csv
import random
import shutil
from pathlib import Path

RECORDS = Path(__file__).resolve().parents[1] / "geodata" / "records"

# nationalities the copies take: the bundled ones and others the report mentions as origins
NATIONALITIES = (
    "IDN",
    "VNM",
    "PHL",
    "CHN",
    "MMR",
    "THA",
    "KHM",
    "LAO",
    "MYS",
    "IND",
    "BGD",
    "NPL",
    "LKA",
    "PAK",
    "KEN",
    "UGA",
    "TWN",
    "KOR",
)
YEARS = (2019, 2020, 2021, 2022, 2023)


def make_routes_dataset(n: int, out_dir: Path) -> Path:
    """Write a data folder with `n` routes (the bundled ones first) into out_dir; return it."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in RECORDS.iterdir():
        if path.suffix in (".csv", ".yaml") and path.name != "routes.csv":
            shutil.copyfile(path, out_dir / path.name)
    with open(RECORDS / "routes.csv", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        columns = list(reader.fieldnames or [])
        bundled = list(reader)
    rng = random.Random(n)
    rows = list(bundled[:n])
    copy = 0
    while len(rows) < n:
        base = bundled[copy % len(bundled)]
        copy += 1
        row = dict(base)
        row["id"] = f"syn-{copy:06d}-{base['id']}"[:80]
        nationality = rng.choice(NATIONALITIES)
        if base["nationality"] and base["origin"] == base["nationality"]:
            row["origin"] = nationality
        if base["nationality"]:
            row["nationality"] = nationality
        start = rng.choice(YEARS)
        row["year_start"] = str(start)
        row["year_end"] = str(min(start + rng.choice((0, 0, 0, 1)), YEARS[-1]))
        row["period"] = ""
        if row["count"]:
            row["count"] = str(max(1, int(int(row["count"]) * rng.uniform(0.2, 1.5))))
        rows.append(row)
    with open(out_dir / "routes.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return out_dir
