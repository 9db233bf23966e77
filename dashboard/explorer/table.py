"""The routes table's rows: the same routes as routes.csv for these filters, in words."""

from __future__ import annotations

from dashboard.figures.selection import selected_routes
from dashboard.state import ViewState
from dashboard.text import (
    FORM_LABELS,
    MOVEMENT_LABELS,
    QUALIFIER_LABELS,
    measure_label,
    period_label,
    withheld,
)
from geodata.countries import country_name
from geodata.dataset import Dataset


def _number(value: object) -> float | int | None:
    if value is None or value != value:  # None or NaN
        return None
    value = float(value)
    return int(value) if value.is_integer() else value


# rows the Table tab sends to the browser: past this, the page would grow with the data (a
# million case rows make tens of thousands of flows); the download holds every row
MAX_TABLE_ROWS = 5_000


def table_rows(
    dataset: Dataset, state: ViewState, limit: int | None = MAX_TABLE_ROWS
) -> list[dict]:
    """The first `limit` routes of these filters as rows of words and numbers (all with
    None); `table_size` says how many there are."""
    routes = selected_routes(dataset, state.with_(layers=state.layers))
    if limit is not None:
        routes = routes.iloc[:limit]
    sources = dataset.sources.set_index("id")
    rows = []
    for r in routes.itertuples():
        end = getattr(r, "end", "flow")
        path = " → ".join(r.path_names)
        if end == "at":
            path = f"at {path} (origin not stated)"
        elif end == "from":
            path = f"from {path} (destination not stated)"
        publisher = sources.at[r.source_id, "publisher"] if r.source_id in sources.index else ""
        rows.append(
            {
                "id": r.id,
                "path": path,
                "people": country_name(r.nationality) if r.nationality else "not stated",
                "movement": MOVEMENT_LABELS.get(getattr(r, "movement", None) or "trafficking", ""),
                "form": FORM_LABELS.get(getattr(r, "form", None) or "", "not stated"),
                "measure": measure_label(r.measure),
                "count": _number(r.count),
                "qualifier": QUALIFIER_LABELS.get(r.qualifier, r.qualifier)
                if _number(r.count) is not None
                else (withheld(r) or "number not stated"),
                "share_pct": _number(r.share_pct),
                "period": period_label(r.year_start, r.year_end, r.period),
                "section": r.section,
                "source": publisher,
            }
        )
    return rows


def table_size(dataset: Dataset, state: ViewState) -> int:
    return len(selected_routes(dataset, state.with_(layers=state.layers)))
