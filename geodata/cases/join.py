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

import numpy as np
import pandas as pd

from geodata import boundaries as bnd
from geodata.cases.flows import CASE_MEASURE, CaseFlows, CaseSource, aggregate_cases
from geodata.cases.readers import read_cases
from geodata.cases.suppression import DEFAULT_THRESHOLD
from geodata.dataset import Dataset, _join_routes, country_node
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


YEAR_KEY = ("source_id", "nationality", "origin", "destination", "form", "movement")


def merge_case_years(routes: pd.DataFrame) -> pd.DataFrame:
    """Routes with each case flow's yearly rows (same dataset, nationality, ends and form) in
    the selection joined into one row for their years, so a map draws one line per flow, not
    one per year on top of each other. Other routes are returned as they are.

    A joined count is the sum of the yearly counts shown, and only "at least" when a year's
    count is withheld: a withheld count is never estimated, so nothing hidden can be worked
    out from it. A flow whose every year is withheld stays withheld ('<10 each year').
    `members` lists the yearly rows' ids (a route card lists them)."""
    case = (routes["measure"] == CASE_MEASURE).to_numpy()
    if not case.any():
        return routes
    rows = routes.loc[case]
    keys = pd.DataFrame(
        {c: rows[c].astype(object).where(rows[c].notna(), "") for c in YEAR_KEY if c in rows},
        index=rows.index,
    )
    group = keys.groupby(list(keys.columns), sort=False, dropna=False).ngroup().to_numpy()
    sizes = np.bincount(group)
    multi = sizes[group] > 1
    if not multi.any():
        return routes
    joined = rows.loc[multi].copy()
    joined["_g"] = group[multi]
    joined["_shown"] = joined["count"].notna()
    hidden = joined["suppressed"].fillna(False).astype(bool) if "suppressed" in joined else False
    joined["_hidden"] = hidden
    joined = joined.sort_values(["_g", "year_start"], kind="stable")
    by = joined.groupby("_g", sort=False)
    first = by.head(1).set_index("_g")
    total = by["count"].sum(min_count=1)
    shown = by["_shown"].sum()
    withheld_years = by["_hidden"].sum()
    y0, y1 = by["year_start"].min(), by["year_end"].max()
    # each group's ids in year order (rows are sorted by group, then year)
    bounds = np.flatnonzero(np.diff(joined["_g"].to_numpy())) + 1
    members = pd.Series(
        [list(a) for a in np.split(joined["id"].to_numpy(dtype=object), bounds)],
        index=joined["_g"].to_numpy()[np.r_[0, bounds]],
        dtype=object,
    )
    out = first.copy()
    out["id"] = [f"{i}-to-{b}" for i, b in zip(first["id"], y1.loc[first.index])]
    out["year_start"] = y0.loc[first.index].to_numpy()
    out["year_end"] = y1.loc[first.index].to_numpy()
    out["period"] = None
    out["count"] = total.loc[first.index].to_numpy(dtype=float)
    some_hidden = withheld_years.loc[first.index].to_numpy() > 0
    any_shown = shown.loc[first.index].to_numpy() > 0
    out["qualifier"] = np.where(some_hidden, np.where(any_shown, "at_least", "unknown"), "exact")
    out["suppressed"] = ~any_shown
    displays = first.get("count_display", pd.Series("", index=first.index))
    out["count_display"] = [
        f"{d} each year" if not s else None
        for d, s in zip(displays.astype(object).fillna("withheld"), any_shown)
    ]
    notes = []
    for note, k, w, s in zip(
        out["note"].astype(object),
        members.loc[first.index],
        withheld_years.loc[first.index],
        any_shown,
    ):
        text = f"{len(k)} yearly counts added up (each year's records are different cases)."
        if w and s:
            text += (
                f" {int(w)} of them withheld (too few to show) and not added: the total is "
                "at least the sum of the years shown."
            )
        elif w:
            text += " Every one withheld (too few to show)."
        notes.append(f"{text} {note}" if isinstance(note, str) and note else text)
    out["note"] = notes
    out["members"] = members.loc[first.index].to_numpy()
    out = out.drop(columns=[c for c in ("_shown", "_hidden") if c in out.columns])
    # an index of their own, after the routes': callers select rows by index
    start = int(routes.index.max()) + 1
    out.index = pd.RangeIndex(start, start + len(out))
    return pd.concat([routes.loc[~case], rows.loc[~multi], out])


def _nodes_with(dataset: Dataset, routes: pd.DataFrame) -> pd.DataFrame:
    """The dataset's nodes plus a point for each country the flows name and it lacks."""
    nodes = dataset.nodes
    have = set(nodes["node"])
    codes = sorted((set(routes["origin"].dropna()) | set(routes["destination"].dropna())) - have)
    if not codes:
        return nodes
    geoms = dict(zip(dataset.admin0["iso3"], dataset.admin0.geometry))
    rows = [country_node(code, *bnd.country_anchor(geoms[code])) for code in codes]
    return pd.concat([nodes, pd.DataFrame(rows, columns=nodes.columns)], ignore_index=True)


__all__ = ["add_case_flows", "load_case_flows", "merge_case_years", "with_display"]
