"""Data for the headline band and the route card: every number looked up in the records, with
its measure, period and source; nothing is added up."""

from __future__ import annotations

import pandas as pd

from dashboard.figures.panels import citation, source_short
from dashboard.figures.selection import map_content
from dashboard.state import ViewState, to_query
from dashboard.text import (
    FORM_LABELS,
    MOVEMENT_LABELS,
    counted,
    format_count,
    format_value,
    measure_label,
    period_label,
    short_period,
    withheld,
)
from geodata.countries import country_name
from geodata.dataset import Dataset

MAX_HEADLINES = 5


def _figure_passes(row: pd.Series, state: ViewState) -> bool:
    f = state.filters
    if f.year_from is not None and row["year_end"] < f.year_from:
        return False
    if f.year_to is not None and row["year_start"] > f.year_to:
        return False
    form = row.get("form")
    if isinstance(form, str) and form and state.forms and form not in state.forms:
        return False
    codes = set(state.nationality) | set(state.origin) | set(state.destination)
    if state.nationality and row["nationality"] not in state.nationality:
        if not (set(state.origin) | set(state.destination)) & {row["scope"]}:
            return False
    elif codes and not state.nationality:
        if row["scope"] not in codes and row["nationality"] not in codes:
            return False
    return True


def headline_cards(dataset: Dataset, state: ViewState) -> list[dict]:
    """The first cards of headlines.csv (by rank) whose figures pass the filters."""
    headlines = getattr(dataset, "headlines", None)
    if headlines is None or headlines.empty:
        return []
    figures = dataset.figures.set_index("id", drop=False)
    inconsistent = {}
    for _, n in dataset.notes.iterrows():
        if n["kind"] == "inconsistency":
            for ref in n["refers_to"]:
                inconsistent.setdefault(ref, n["text"])
    cards = []
    for h in headlines.sort_values("rank").itertuples():
        rows = [figures.loc[i] for i in h.figure_ids if i in figures.index]
        rows = [r for r in rows if _figure_passes(r, state)]
        if not rows:
            continue
        first = rows[0]
        note = next((inconsistent[r["id"]] for r in rows if r["id"] in inconsistent), None)
        measures = {r["measure"] for r in rows}
        cards.append(
            {
                "values": [
                    format_value(r["value"], r["unit"], r["qualifier"], r["value_max"]).replace(
                        "at least ", ""
                    )
                    + ("+" if r["qualifier"] == "at_least" else "")
                    for r in rows
                ],
                "periods": [
                    short_period(r["year_start"], r["year_end"], r["period"]) for r in rows
                ],
                "label": h.label,
                "measure": measure_label(first["measure"]) if len(measures) == 1 else "",
                "citation": citation(dataset, first["source_id"], first["section"]),
                "publisher": source_short(dataset, first["source_id"]),
                "source": "\n".join(
                    dict.fromkeys(
                        f"{r['label']} "
                        f"({short_period(r['year_start'], r['year_end'], r['period'])}): "
                        f"{dataset.source_label(r['source_id'])} — {r['section']}"
                        for r in rows
                    )
                ),
                "note": "The report's multiplier does not follow from these counts"
                if note and len(rows) > 1
                else ("See the note on this figure" if note else None),
                "note_full": note or "",
                "ids": [r["id"] for r in rows],
            }
        )
        if len(cards) == MAX_HEADLINES:
            break
    return cards


def _node_name(dataset: Dataset, node: str | None) -> str:
    if not node:
        return ""
    names = dict(zip(dataset.nodes["node"], dataset.nodes["name"]))
    return names.get(node, node)


def find_route(dataset: Dataset, route_id: str, state: ViewState) -> pd.Series | None:
    """A route of the records, or a case flow's years joined as the map draws them for this
    view (`geodata.cases.join.merge_case_years`); None if neither."""
    rows = dataset.routes[dataset.routes["id"] == route_id]
    if not rows.empty:
        return rows.iloc[0]
    if "-to-" not in route_id:
        return None
    flows = map_content(dataset, state.with_(route=None)).flows
    rows = flows[flows["id"] == route_id]
    return rows.iloc[0] if not rows.empty else None


def route_card_data(dataset: Dataset, route_id: str, state: ViewState) -> dict | None:
    r = find_route(dataset, route_id, state)
    if r is None:
        return None
    figures = [
        {
            "value": format_count(r["count"], r["qualifier"], withheld(r))
            if (r["count"] == r["count"] and r["count"] is not None) or withheld(r)
            else (
                f"{r['share_pct']:g} %" if r["share_pct"] == r["share_pct"] else "Number not stated"
            ),
            "what": (
                counted(r["measure"])
                if r["measure"] != "reported_route"
                else "— the route is reported without a number"
            )
            + (" (share of all such movements)" if r["share_pct"] == r["share_pct"] else ""),
            "period": period_label(r["year_start"], r["year_end"], r["period"]),
            "citation": citation(dataset, r["source_id"], r["section"]),
        }
    ]
    members = r.get("members")
    if isinstance(members, list):  # a case flow's years, each its own count
        years = dataset.routes[dataset.routes["id"].isin(members)].sort_values("year_start")
        for y in years.itertuples():
            figures.append(
                {
                    "value": format_count(y.count, y.qualifier, withheld(y)),
                    "what": counted(y.measure),
                    "period": period_label(y.year_start, y.year_end, y.period),
                    "citation": citation(dataset, y.source_id, y.section),
                }
            )
    notes = [n for _, n in dataset.notes.iterrows() if route_id in n["refers_to"]]
    seen = {route_id}
    figs = dataset.figures.set_index("id", drop=False)
    for n in notes:
        for ref in n["refers_to"]:
            if ref in seen or ref not in figs.index:
                continue
            seen.add(ref)
            f = figs.loc[ref]
            same = f["value"] == r["count"] and f["source_id"] == r["source_id"]
            if f["unit"] != "people" or same:
                continue  # a count of countries, or this route's own count again
            figures.append(
                {
                    "value": format_value(f["value"], f["unit"], f["qualifier"], f["value_max"]),
                    "what": f"— {f['label']}",
                    "period": period_label(f["year_start"], f["year_end"], f["period"]),
                    "citation": citation(dataset, f["source_id"], f["section"]),
                }
            )
    path = " → ".join(r["path_names"])
    end = r.get("end", "flow")
    if end == "from":
        path += " → (not stated)"
    elif end == "at":
        path = "(not stated) → " + path
    return {
        "title": path,
        "origin": _node_name(dataset, r["origin"]) or "not stated",
        "transit": ", ".join(_node_name(dataset, t) for t in r["transit"]),
        "destination": _node_name(dataset, r["destination"]) or "not stated",
        "people": country_name(r["nationality"]) + " nationals"
        if r["nationality"]
        else "nationality not stated",
        "movement": MOVEMENT_LABELS.get(r.get("movement") or "trafficking", ""),
        "form": FORM_LABELS.get(r.get("form") or "", "not stated"),
        "figures": figures,
        "notes": [{"text": n["text"], "inconsistency": n["kind"] == "inconsistency"} for n in notes]
        + ([{"text": r["note"], "inconsistency": False}] if isinstance(members, list) else []),
        "close_href": "/" + to_query(state.with_(route=None)),
    }
