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
    shared leg stays one row per route and measures stay apart.
    """
    where = nodes.set_index("node")
    rows = []
    for r in routes.itertuples():
        path = list(r.path)
        for i, (a, b) in enumerate(zip(path, path[1:])):
            rows.append(
                {
                    "route_id": r.id,
                    "leg": i,
                    "legs": len(path) - 1,
                    "from_node": a,
                    "to_node": b,
                    "from_name": where.at[a, "name"],
                    "to_name": where.at[b, "name"],
                    "from_lon": where.at[a, "lon"],
                    "from_lat": where.at[a, "lat"],
                    "to_lon": where.at[b, "lon"],
                    "to_lat": where.at[b, "lat"],
                    "measure": r.measure,
                    "count": r.count,
                    "qualifier": r.qualifier,
                    "share_pct": r.share_pct,
                    "nationality": r.nationality,
                    "year_start": r.year_start,
                    "year_end": r.year_end,
                    "period": r.period,
                    "source_id": r.source_id,
                    "section": r.section,
                }
            )
    return pd.DataFrame(rows, columns=LEG_COLUMNS)


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
