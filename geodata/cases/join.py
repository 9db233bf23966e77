"""Case flows beside the report's records: one Dataset whose routes hold both.

The flows of a case-level dataset (`aggregate_cases`) become routes of their own measure,
`case_records`, with the dataset as their source (a row of `sources`). Nothing of a case is
carried over: only the aggregated, protected counts. A withheld count stays missing (`count`
empty, `suppressed` true) and `count_display` says what to print in its place ("<10").
The report's own routes are never withheld: their `count_display` is empty and `suppressed`
false.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from geodata import boundaries as bnd
from geodata.cases.flows import CaseFlows, CaseSource, aggregate_cases
from geodata.cases.readers import read_cases
from geodata.cases.suppression import DEFAULT_THRESHOLD
from geodata.countries import country_name
from geodata.dataset import Dataset, _join_routes
from geodata.report import Problem, ValidationReport


def load_case_flows(
    path: Path | str,
    fmt: str | None = None,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    report: ValidationReport | None = None,
    label: str | None = None,
    source: CaseSource | None = None,
) -> CaseFlows | None:
    """Read a case file and aggregate it (protected); None when no row could be read. Every
    rejected row is in `report`, under `label` (the file's name by default)."""
    cases, report = read_cases(path, fmt, report=report, label=label)
    if not len(cases) and "format" not in cases.attrs:
        return None
    return aggregate_cases(cases, threshold=threshold, source=source)


def with_display(routes: pd.DataFrame) -> pd.DataFrame:
    """The report's routes with the two columns case flows carry: nothing withheld."""
    out = routes.copy()
    if "count_display" not in out.columns:
        out["count_display"] = pd.Series([None] * len(out), index=out.index, dtype=object)
    if "suppressed" not in out.columns:
        out["suppressed"] = pd.Series(False, index=out.index, dtype=bool)
    return out


def add_case_flows(
    dataset: Dataset, flows: CaseFlows, report: ValidationReport | None = None
) -> Dataset:
    """A copy of `dataset` whose routes also hold the case flows, and whose sources the
    dataset they came from. A flow between countries that have no polygon in the boundary
    file cannot be drawn: it is left out and the report says how many (a warning)."""
    report = report if report is not None else dataset.report
    routes = flows.routes.copy()
    known = set(dataset.admin0["iso3"])
    ends = routes["origin"].fillna(routes["destination"])
    drawable = routes["destination"].isin(known) & ends.isin(known)
    if not drawable.all():
        missing = sorted(set(routes.loc[~drawable, "destination"]) | set(ends[~drawable]) - known)
        missing = [c for c in missing if c not in known]
        report.add(
            Problem(
                flows.sources.iloc[0]["id"],
                None,
                None,
                f"{int((~drawable).sum())} case flow(s) name a country with no polygon in the "
                f"boundary file ({', '.join(missing[:12])}): not drawn",
                "warning",
            )
        )
        routes = routes.loc[drawable]
    routes = routes.reset_index(drop=True)
    routes["_row"] = 0
    for column in ("origin", "nationality", "destination", "period"):
        routes[column] = routes[column].astype(object).where(routes[column].notna(), None)
    # the count as a float, like the report's routes; a withheld count stays missing
    routes["count"] = routes["count"].astype("Float64").astype(float)
    nodes = _nodes_with(dataset, routes)
    joined = _join_routes(routes, nodes)
    own = with_display(dataset.routes)
    joined = joined[[c for c in own.columns if c in joined.columns]]
    sources = flows.sources.assign(_row=0)
    sources = sources.loc[~sources["id"].isin(dataset.sources["id"])]
    return replace(
        dataset,
        routes=pd.concat([own, joined], ignore_index=True),
        sources=pd.concat([dataset.sources, sources], ignore_index=True),
        nodes=nodes,
    )


def _nodes_with(dataset: Dataset, routes: pd.DataFrame) -> pd.DataFrame:
    """The dataset's nodes plus a point for each country the flows name and it lacks."""
    nodes = dataset.nodes
    have = set(nodes["node"])
    codes = sorted((set(routes["origin"].dropna()) | set(routes["destination"].dropna())) - have)
    if not codes:
        return nodes
    geoms = dict(zip(dataset.admin0["iso3"], dataset.admin0.geometry))
    rows = []
    for code in codes:
        lon, lat = bnd.country_anchor(geoms[code])
        rows.append(
            {
                "node": code,
                "name": country_name(code),
                "lon": lon,
                "lat": lat,
                "iso3": code,
                "is_country": True,
            }
        )
    return pd.concat([nodes, pd.DataFrame(rows, columns=nodes.columns)], ignore_index=True)


__all__ = ["add_case_flows", "load_case_flows", "with_display"]
