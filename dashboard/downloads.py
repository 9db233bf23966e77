"""The records as CSV, with their source columns, for /download/<name>.csv."""

from __future__ import annotations

import pandas as pd

from geodata.countries import country_name
from geodata.dataset import Dataset
from geodata.filters import Filters, filter_figures, filter_routes
from geodata.hxl import CASE_TAGS, RECORD_TAGS, hxl_csv
from geodata.spreadsheet import defuse_formulas

DOWNLOADS = ("routes", "figures", "locations", "case_flows")
CASE_MEASURE = "case_records"


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
            # '<10' where small-count protection withheld a case count (never the count)
            "count_display": _column(routes, "count_display"),
            "suppressed": _column(routes, "suppressed", False),
            "qualifier": routes["qualifier"],
            "share_pct": routes["share_pct"],
            "source_id": routes["source_id"],
            "section": routes["section"],
            "note": routes["note"],
        }
    )
    return _with_source(out, dataset)


def _column(frame: pd.DataFrame, name: str, default: object = None) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series([default] * len(frame), index=frame.index, dtype=object)


def case_flows_table(dataset: Dataset, filters: Filters) -> pd.DataFrame:
    """The case flows: aggregated and protected counts per nationality, country of
    exploitation and year (a withheld count is empty, `count_display` '<10'), with the dataset
    named as their source. Never a case-level row."""
    routes = dataset.routes
    flows = filter_routes(routes.loc[routes["measure"] == CASE_MEASURE], filters)
    out = pd.DataFrame(
        {
            "id": flows["id"],
            "nationality": flows["nationality"],
            "nationality_name": flows["nationality"].map(lambda c: country_name(c) if c else None),
            "destination": flows["destination"],
            "destination_name": flows["destination"].map(lambda c: country_name(c) if c else None),
            "year": flows["year_start"],
            "measure": flows["measure"],
            "form": flows["form"],
            "count": flows["count"].astype("Int64"),
            "count_display": _column(flows, "count_display"),
            "suppressed": _column(flows, "suppressed", False),
            "source_id": flows["source_id"],
            "section": flows["section"],
            "note": flows["note"],
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


def download_frame(dataset: Dataset, name: str, filters: Filters) -> pd.DataFrame:
    if name == "routes":
        return routes_table(dataset, filters)
    if name == "figures":
        return figures_table(dataset, filters)
    if name == "locations":
        return locations_table(dataset)
    if name == "case_flows":
        return case_flows_table(dataset, filters)
    raise KeyError(name)


def download_text(dataset: Dataset, name: str, filters: Filters, hxl: bool = False) -> str:
    """The download as CSV text (HXL-tagged when `hxl`), spreadsheet formulas defused."""
    frame = download_frame(dataset, name, filters)
    if hxl:
        return hxl_csv(frame, CASE_TAGS if name == "case_flows" else RECORD_TAGS)
    return defuse_formulas(frame).to_csv(index=False, lineterminator="\n")


def download_csv(dataset: Dataset, name: str, filters: Filters) -> str:
    return download_text(dataset, name, filters)
