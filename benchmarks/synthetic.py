"""A synthetic data folder of many routes, for measuring the app at scale.

`make_routes_dataset(n, out_dir)` writes a folder that `python app.py --data DIR` serves: the
bundled records, with routes.csv holding the bundled routes followed by copies of them (new
ids, places jittered around the bundled ones, other origin countries and years, counts scaled)
up to `n` routes, and locations.csv holding the bundled places and their synthetic copies.
Every row passes validation; nothing in it is a real figure.

Run: .venv/bin/python benchmarks/synthetic.py 10000 /tmp/routes-10k
"""

from __future__ import annotations

import csv
import shutil
import sys
from pathlib import Path

import numpy as np

RECORDS = Path(__file__).resolve().parent.parent / "geodata" / "records"
# origin countries a synthetic route may start from (people recruited there)
ORIGINS = ("IDN", "VNM", "PHL", "CHN", "MYS", "IND", "LKA", "NPL", "BGD", "KEN", "UGA", "TWN")
FIRST_YEAR, LAST_YEAR = 2019, 2024


def _read(name: str) -> tuple[list[str], list[dict]]:
    with open(RECORDS / name, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, columns: list[str], rows) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def make_routes_dataset(n: int, out_dir: Path, seed: int = 7) -> Path:
    """Write a data folder with `n` routes (at least the bundled ones) into `out_dir` and
    return it. Deterministic for a given `n` and `seed`."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for path in RECORDS.iterdir():
        if path.is_file() and path.name not in ("routes.csv", "locations.csv", "README.md"):
            shutil.copyfile(path, out_dir / path.name)

    loc_columns, locations = _read("locations.csv")
    copies_per_place = int(min(40, max(2, n // 250)))
    extra_places: dict[str, list[str]] = {}
    new_locations = list(locations)
    for loc in locations:
        ids = []
        for k in range(copies_per_place):
            pid = f"{loc['id']}-x{k}"
            row = dict(loc)
            row.update(
                id=pid,
                name=f"{loc['name'].split(' (')[0]} {k + 2}",
                lat=f"{float(loc['lat']) + rng.uniform(-0.25, 0.25):.4f}",
                lon=f"{float(loc['lon']) + rng.uniform(-0.25, 0.25):.4f}",
                admin1="",
                note="Synthetic place for benchmarks.",
            )
            new_locations.append(row)
            ids.append(pid)
        extra_places[loc["id"]] = ids
    _write(out_dir / "locations.csv", loc_columns, new_locations)

    columns, routes = _read("routes.csv")
    base = len(routes)
    picks = rng.integers(0, base, size=max(0, n - base))
    # rng.integers(0, k) draws what rng.choice of k items draws, without building an array
    # each time: the same folder, several times faster
    integers, random = rng.integers, rng.random
    templates = [[r[c] for c in columns] for r in routes]
    at = {c: i for i, c in enumerate(columns)}
    i_id, i_nat, i_origin, i_transit, i_dest = (
        at["id"],
        at["nationality"],
        at["origin"],
        at["transit"],
        at["destination"],
    )
    i_start, i_end, i_period, i_count, i_note = (
        at["year_start"],
        at["year_end"],
        at["period"],
        at["count"],
        at["note"],
    )

    def node(v: str) -> str:
        if v and v in extra_places and random() < 0.8:
            places = extra_places[v]
            return places[int(integers(0, len(places)))]
        return v

    with open(out_dir / "routes.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        writer.writerows(templates)
        for i, t in enumerate(picks.tolist(), start=base):
            r = list(templates[t])
            r[i_id] = f"{r[i_id]}-s{i}"
            r[i_dest] = node(r[i_dest])
            r[i_transit] = ";".join(node(v) for v in r[i_transit].split(";") if v)
            if r[i_origin].isupper() and r[i_origin] == r[i_nat] and random() < 0.6:
                r[i_origin] = r[i_nat] = ORIGINS[int(integers(0, len(ORIGINS)))]
            else:
                r[i_origin] = node(r[i_origin])
            year = int(integers(FIRST_YEAR, LAST_YEAR + 1))
            span = int(r[i_end]) - int(r[i_start])
            year = min(year, LAST_YEAR - span)
            r[i_start], r[i_end] = str(year), str(year + span)
            r[i_period] = ""
            if r[i_count]:
                r[i_count] = str(max(1, int(float(r[i_count]) * rng.uniform(0.05, 2.0))))
            r[i_note] = "Synthetic route for benchmarks."
            writer.writerow(r)
    return out_dir


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    target = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(f"/tmp/routes-{count}")
    print(make_routes_dataset(count, target))
