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
    out = list(routes)
    base = len(routes)
    picks = rng.integers(0, base, size=max(0, n - base))
    for i, t in enumerate(picks, start=base):
        r = dict(routes[t])
        r["id"] = f"{r['id']}-s{i}"

        def node(v: str) -> str:
            if v and v in extra_places and rng.random() < 0.8:
                return str(rng.choice(extra_places[v]))
            return v

        r["destination"] = node(r["destination"])
        r["transit"] = ";".join(node(v) for v in r["transit"].split(";") if v)
        if r["origin"].isupper() and r["origin"] == r["nationality"] and rng.random() < 0.6:
            r["origin"] = r["nationality"] = str(rng.choice(ORIGINS))
        else:
            r["origin"] = node(r["origin"])
        year = int(rng.integers(FIRST_YEAR, LAST_YEAR + 1))
        span = int(r["year_end"]) - int(r["year_start"])
        year = min(year, LAST_YEAR - span)
        r["year_start"], r["year_end"] = str(year), str(year + span)
        r["period"] = ""
        if r["count"]:
            r["count"] = str(max(1, int(float(r["count"]) * rng.uniform(0.05, 2.0))))
        r["note"] = "Synthetic route for benchmarks."
        out.append(r)
    _write(out_dir / "routes.csv", columns, out)
    return out_dir


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    target = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(f"/tmp/routes-{count}")
    print(make_routes_dataset(count, target))
