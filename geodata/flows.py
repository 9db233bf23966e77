"""Routes as flows: one row per leg (origin -> transit -> destination), ready to draw."""

from __future__ import annotations

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
