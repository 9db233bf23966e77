"""Routes as flows: one row per leg (origin -> transit -> destination), ready to draw.

`route_legs` splits routes into legs; `flow_lines` turns legs into curved polylines with an arrow
point and angle, fanned out where routes share a leg; `WIDTH_CLASSES` is the fixed line-width scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

LEG_COLUMNS = [
    "route_id",
    "leg",
    "legs",
    "from_node",
    "to_node",
    "from_name",
    "to_name",
    "from_lon",
    "from_lat",
    "to_lon",
    "to_lat",
    "measure",
    "count",
    "qualifier",
    "share_pct",
    "nationality",
    "year_start",
    "year_end",
    "period",
    "source_id",
    "section",
]


def route_legs(routes: pd.DataFrame, nodes: pd.DataFrame) -> pd.DataFrame:
    """Split each route's path into legs, each carrying the route's measure and count.

    A leg's count is its route's count: legs are never summed across routes here, so a
    shared leg stays one row per route and measures stay apart. Built column by column (no
    per-leg lookups), so a large file splits as fast as its paths can be read.
    """
    if routes.empty:
        return pd.DataFrame(columns=LEG_COLUMNS)
    paths = list(routes["path"])
    sizes = np.fromiter((len(p) for p in paths), dtype=np.int64, count=len(paths))
    legs_of = np.maximum(sizes - 1, 0)
    row = np.repeat(np.arange(len(paths)), legs_of)
    first = np.cumsum(legs_of) - legs_of
    leg = np.arange(len(row)) - np.repeat(first, legs_of)
    flat = np.array([n for p in paths for n in p], dtype=object)
    start = (np.cumsum(sizes) - sizes)[row] + leg
    a, b = flat[start], flat[start + 1]
    where = nodes.drop_duplicates("node").set_index("node")
    out = {
        "route_id": routes["id"].to_numpy()[row],
        "leg": leg,
        "legs": legs_of[row],
        "from_node": a,
        "to_node": b,
    }
    for end, nodes_ in (("from", a), ("to", b)):
        for col in ("name", "lon", "lat"):
            out[f"{end}_{col}"] = where[col].reindex(nodes_).to_numpy()
    for col in LEG_COLUMNS[11:]:
        out[col] = routes[col].to_numpy()[row]
    return pd.DataFrame(out, columns=LEG_COLUMNS)


@dataclass(frozen=True)
class WidthClass:
    """One step of the fixed line-width scale: counts from `lo` to `hi` (inclusive)."""

    lo: int
    hi: int | None  # None: open-ended
    width_px: float
    label: str


# The fixed scale for a flow's line width, by the count its own route states (counts are never
# summed across routes). It does not depend on what is shown: the same count always gets the same
# width, whatever the filters or years, so widths can be compared between views and exports.
# A route with no stated count has no class (None); the map draws it in its own style.
WIDTH_CLASSES: tuple[WidthClass, ...] = (
    WidthClass(1, 99, 1.5, "1–99"),
    WidthClass(100, 999, 3.0, "100–999"),
    WidthClass(1_000, 9_999, 5.5, "1,000–9,999"),
    WidthClass(10_000, None, 9.0, "10,000 or more"),
)


def width_class(count: object) -> int | None:
    """The index into WIDTH_CLASSES for a count; None if the count is unknown (NaN) or below 1."""
    if count is None or isinstance(count, bool):
        return None
    try:
        value = float(count)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if not math.isfinite(value) or value < WIDTH_CLASSES[0].lo:
        return None
    for i in range(len(WIDTH_CLASSES) - 1, -1, -1):
        if value >= WIDTH_CLASSES[i].lo:
            return i
    return None  # unreachable: value >= the first class's lower bound


FLOW_COLUMNS = [
    "lons",
    "lats",
    "arrow_lon",
    "arrow_lat",
    "arrow_angle",
    "mid_lon",
    "mid_lat",
    "width_class",
    "bundle_rank",
    "bundle_size",
]
_COORDS = ["from_lon", "from_lat", "to_lon", "to_lat"]


def flow_lines(
    legs: pd.DataFrame,
    curvature: float = 0.2,
    spacing: float = 0.12,
    samples: int = 24,
    arrow_t: float = 0.9,
) -> pd.DataFrame:
    """Each leg as a curved polyline to draw, with an arrow point and angle and a width class.

    The curve is a quadratic Bézier in lon/lat from the leg's start to its end. Its control point
    sits off the chord's midpoint, to the right of the direction of travel, by
    `(curvature + bundle_rank * spacing) * chord length`. `bundle_rank` numbers the legs that join
    the same two nodes (in either direction) in (route_id, leg) order, so legs shared by several
    routes fan out instead of drawing over each other, and legs in opposite directions bow to
    opposite sides. `lons`/`lats` hold `samples` points from the start to the end exactly.

    `arrow_lon`/`arrow_lat` is the curve at `arrow_t` (short of the end, so an arrowhead there does
    not cover the destination's marker) and `arrow_angle` the bearing of the curve's tangent there,
    in degrees clockwise from north in [0, 360). The bearing scales longitude by cos(latitude),
    which is what a conformal map shows: on a north-up Mercator map it is also the angle clockwise
    from the top of the screen, so a "triangle-up" marker with `angle=arrow_angle` and
    `angleref="up"` points along the flow. (plotly.js's `angleref="north"` on geo maps turns
    counterclockwise and, with plotly 7.1's bundle, works only in the figure's first geo trace:
    every later trace's markers point east.) `mid_lon`/`mid_lat` is the curve at t=0.5, for hover.

    Legs with no length (start equals end) or without coordinates are dropped. Rows come sorted by
    route_id, leg; every column of `legs` is kept. Longitudes are taken as they are: a leg across
    the antimeridian would be drawn the long way round (none of the records has one).
    """
    if samples < 2:
        raise ValueError(f"samples must be at least 2, got {samples}")
    columns = [c for c in legs.columns if c not in FLOW_COLUMNS] + FLOW_COLUMNS
    coords = legs[_COORDS].to_numpy(dtype=float, na_value=np.nan)
    x0, y0, x2, y2 = coords.T
    keep = np.isfinite(coords).all(axis=1) & (np.hypot(x2 - x0, y2 - y0) > 1e-9)
    frame = (
        legs.loc[keep]
        .sort_values(["route_id", "leg"], kind="stable")
        .reset_index(drop=True)
        .drop(columns=[c for c in FLOW_COLUMNS if c in legs.columns])
    )
    if frame.empty:
        return frame.reindex(columns=columns)

    x0, y0, x2, y2 = frame[_COORDS].to_numpy(dtype=float).T
    a = frame["from_node"].astype(str)
    b = frame["to_node"].astype(str)
    pair = pd.DataFrame({"lo": a.where(a <= b, b), "hi": b.where(a <= b, a)})
    groups = pair.groupby(["lo", "hi"], sort=False)
    rank = groups.cumcount().to_numpy()
    size = groups["lo"].transform("size").to_numpy()

    # Right of travel is the chord turned 90° clockwise: (dx, dy) -> (dy, -dx); its length is the
    # chord's, so scaling it by the factor gives an offset proportional to the chord length.
    dx, dy = x2 - x0, y2 - y0
    factor = curvature + rank * spacing
    x1 = (x0 + x2) / 2 + dy * factor
    y1 = (y0 + y2) / 2 - dx * factor

    def at(t: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        t = np.asarray(t, dtype=float)[..., None] if np.ndim(t) else np.asarray(t)
        u = 1 - t
        xs = u**2 * x0 + 2 * u * t * x1 + t**2 * x2
        ys = u**2 * y0 + 2 * u * t * y1 + t**2 * y2
        return xs, ys

    lons, lats = at(np.linspace(0.0, 1.0, samples))  # (samples, n)
    lons, lats = lons.T.copy(), lats.T.copy()  # (n, samples)
    lons[:, 0], lats[:, 0], lons[:, -1], lats[:, -1] = x0, y0, x2, y2

    arrow_lon, arrow_lat = at(arrow_t)
    tx = 2 * (1 - arrow_t) * (x1 - x0) + 2 * arrow_t * (x2 - x1)
    ty = 2 * (1 - arrow_t) * (y1 - y0) + 2 * arrow_t * (y2 - y1)
    east = tx * np.cos(np.radians(arrow_lat))
    angle = np.degrees(np.arctan2(east, ty)) % 360.0
    angle[angle >= 360.0] = 0.0  # a tiny negative angle rounds up to 360
    mid_lon, mid_lat = at(0.5)

    new = pd.DataFrame(
        {
            "lons": pd.Series(lons.tolist(), dtype=object),
            "lats": pd.Series(lats.tolist(), dtype=object),
            "arrow_lon": arrow_lon,
            "arrow_lat": arrow_lat,
            "arrow_angle": angle,
            "mid_lon": mid_lon,
            "mid_lat": mid_lat,
            "width_class": pd.Series([width_class(c) for c in frame["count"]], dtype=object),
            "bundle_rank": rank,
            "bundle_size": size,
        }
    )
    return pd.concat([frame, new], axis=1)[columns]


FOLD_COLUMNS = [
    "origin_iso3",
    "destination_iso3",
    "movement",
    "routes",
    "unnumbered",
    "withheld",
    "by_measure",
    "route_ids",
    "sources",
]


def rank_routes(routes: pd.DataFrame) -> pd.DataFrame:
    """Routes in the order a crowded map keeps them: counted routes by their count (largest
    first), then routes known by a share, then routes reported without a number; ties by id.
    A rank, never a sum: counts of different measures are only ordered."""
    count = pd.to_numeric(routes["count"], errors="coerce")
    share = (
        pd.to_numeric(routes.get("share_pct"), errors="coerce") if "share_pct" in routes else None
    )
    tier = np.where(count.notna(), 0, np.where(share.notna(), 1, 2) if share is not None else 2)
    order = pd.DataFrame(
        {"tier": tier, "count": -count.fillna(0.0).to_numpy(), "id": routes["id"].to_numpy()},
        index=routes.index,
    ).sort_values(["tier", "count", "id"], kind="stable")
    return routes.loc[order.index]


def fold_routes(routes: pd.DataFrame, keep: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The `keep` routes a map draws one by one (see `rank_routes`), and the rest folded into
    one row per origin country, destination country and kind of movement.

    A folded row counts its routes, and sums counts only within one measure (`by_measure`:
    (measure, total, routes counted, qualifier of the total)); routes reported without a number
    (or known by a share) are counted in `unnumbered`, and counts withheld to protect people
    (`suppressed`) in `withheld`: neither is ever given a number, and a measure's total with a
    withheld count beside it is only "at least". `route_ids` names every folded route, so none
    is dropped unseen."""
    ranked = rank_routes(routes)
    kept, rest = ranked.iloc[:keep], ranked.iloc[keep:]
    if rest.empty:
        return kept, pd.DataFrame(columns=FOLD_COLUMNS)
    count = pd.to_numeric(rest["count"], errors="coerce")
    withheld = (
        rest["suppressed"].fillna(False).astype(bool).to_numpy()
        if "suppressed" in rest
        else np.zeros(len(rest), dtype=bool)
    )
    rest = pd.DataFrame(
        {
            "_o": rest["origin_iso3"].fillna("").to_numpy(),
            "_d": rest["destination_iso3"].fillna("").to_numpy(),
            "_movement": (
                rest["movement"].fillna("trafficking").to_numpy()
                if "movement" in rest
                else "trafficking"
            ),
            "measure": rest["measure"].to_numpy(),
            "_count": count.to_numpy(),
            "_exact": (rest["qualifier"] == "exact").to_numpy(),
            "_about": (rest["qualifier"] == "about").to_numpy(),
            "_withheld": withheld,
            "_unnumbered": count.isna().to_numpy() & ~withheld,
            "id": rest["id"].to_numpy(),
            "source_id": rest["source_id"].to_numpy(),
        }
    )
    key = ["_o", "_d", "_movement"]
    per_measure = rest.groupby(key + ["measure"], sort=False).agg(
        total=("_count", "sum"),
        n=("_count", "count"),
        exact=("_exact", "min"),
        about=("_about", "max"),
        withheld=("_withheld", "max"),
    )
    per_measure = per_measure[per_measure["n"] > 0].reset_index()
    qualifier = np.where(
        per_measure["withheld"].to_numpy(),
        "at_least",
        np.where(
            per_measure["exact"].to_numpy(),
            "exact",
            np.where(per_measure["about"].to_numpy(), "about", "at_least"),
        ),
    )
    by_group: dict[tuple, list] = {}
    order = np.argsort(-per_measure["total"].to_numpy(), kind="stable")
    cols = [per_measure[c].to_numpy() for c in ("_o", "_d", "_movement", "measure", "total", "n")]
    for i in order:
        o, d, m, measure, total, n = (c[i] for c in cols)
        by_group.setdefault((o, d, m), []).append(
            (measure, float(total), int(n), str(qualifier[i]))
        )
    groups = rest.groupby(key, sort=False)
    frame = groups.agg(
        routes=("id", "size"),
        unnumbered=("_unnumbered", "sum"),
        withheld=("_withheld", "sum"),
        sources=("source_id", "nunique"),
    )
    frame["route_ids"] = groups["id"].agg(list)
    frame = frame.reset_index()
    frame["unnumbered"] = frame["unnumbered"].astype(int)
    frame["withheld"] = frame["withheld"].astype(int)
    frame["by_measure"] = [
        by_group.get((o, d, m), []) for o, d, m in zip(frame["_o"], frame["_d"], frame["_movement"])
    ]
    frame = frame.rename(
        columns={"_o": "origin_iso3", "_d": "destination_iso3", "_movement": "movement"}
    )
    frame = frame.sort_values("routes", ascending=False, kind="stable").reset_index(drop=True)
    return kept, frame[FOLD_COLUMNS]
