"""The records as CSV, with their source columns, for /download/<name>.csv."""

from __future__ import annotations

import pandas as pd

from geodata.countries import country_name
from geodata.dataset import Dataset
from geodata.filters import Filters, filter_figures, filter_routes

DOWNLOADS = ("routes", "figures", "locations")


def _with_source(frame: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    src = dataset.sources.set_index("id")
    out = frame.copy()
    out["source_title"] = out["source_id"].map(src["title"])
    out["source_publisher"] = out["source_id"].map(src["publisher"])
    out["source_date"] = out["source_id"].map(src["date"])
    out["source_url"] = out["source_id"].map(src["url"])
    return out


def routes_table(dataset: Dataset, filters: Filters) -> pd.DataFrame:
    """The same rows the map draws: one per route, its path spelled out, its source given."""
    routes = filter_routes(dataset.routes, filters)
    out = pd.DataFrame(
        {
            "id": routes["id"],
            "nationality": routes["nationality"],
            "nationality_name": routes["nationality"].map(lambda c: country_name(c) if c else None),
            "origin": routes["origin"],
            "origin_iso3": routes["origin_iso3"],
            "transit": routes["transit"].map(";".join),
            "destination": routes["destination"],
            "destination_iso3": routes["destination_iso3"],
            "path": routes["path_names"].map(" > ".join),
            "year_start": routes["year_start"],
            "year_end": routes["year_end"],
            "period": routes["period"],
            "movement": routes["movement"] if "movement" in routes else None,
            "form": routes["form"] if "form" in routes else None,
            "measure": routes["measure"],
            "count": routes["count"].astype("Int64"),
            "qualifier": routes["qualifier"],
            "share_pct": routes["share_pct"],
            "source_id": routes["source_id"],
            "section": routes["section"],
            "note": routes["note"],
        }
    )
    return _with_source(out, dataset)


def figures_table(dataset: Dataset, filters: Filters) -> pd.DataFrame:
    figures = filter_figures(dataset.figures, filters).drop(columns=["_row"])
    figures.insert(3, "scope_name", figures["scope"].map(country_name))
    return _with_source(figures, dataset)


def locations_table(dataset: Dataset) -> pd.DataFrame:
    out = dataset.locations.drop(columns=["_row"]).copy()
    out.insert(6, "country_name", out["iso3"].map(country_name))
    return _with_source(out, dataset)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe.

    Only text cells are touched: a negative number stays a number.
    """
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or str(out[column].dtype).startswith("str"):
            out[column] = out[column].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v
            )
    return out


def download_csv(dataset: Dataset, name: str, filters: Filters) -> str:
    if name == "routes":
        frame = routes_table(dataset, filters)
    elif name == "figures":
        frame = figures_table(dataset, filters)
    elif name == "locations":
        frame = locations_table(dataset)
    else:
        raise KeyError(name)
    return defuse_formulas(frame).to_csv(index=False, lineterminator="\n")
