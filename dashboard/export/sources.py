"""The sources CSV written beside an exported figure: one row per source of what the figure
draws (the routes, place figures, places, events or key figures on it), with its publisher,
title, date, address, the report sections it is cited from and what of the figure it gives.

The figure's own source line names the report and counts the rest; this file lists them all.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from dashboard.figures.views import ViewMeta

FIELDS = ("figure", "source_id", "publisher", "title", "date", "url", "sections", "records")


def sources_path(figure: Path) -> Path:
    """`map.png` -> `map-sources.csv`, in the same folder."""
    figure = Path(figure)
    return figure.with_name(f"{figure.stem}-sources.csv")


def sources_rows(meta: ViewMeta, figure: str = "") -> list[dict[str, str]]:
    return [
        {
            "figure": figure,
            "source_id": u.id,
            "publisher": u.publisher,
            "title": u.title,
            "date": u.date,
            "url": u.url,
            "sections": "; ".join(u.sections),
            "records": u.records,
        }
        for u in meta.used
    ]


def sources_csv(meta: ViewMeta, figure: str = "") -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(sources_rows(meta, figure))
    return out.getvalue()


def write_sources(meta: ViewMeta, figure: Path) -> Path:
    """Write the figure's sources CSV beside it; returns its path."""
    path = sources_path(figure)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(sources_csv(meta, Path(figure).name), encoding="utf-8")
    return path
