"""Small-count protection for counts computed from case-level data.

A count of case records below the threshold (10 by default, as CTDC's public map; never below
5) is withheld and shown as "<10". Withholding one number is not enough where a total is shown:
the total minus the shown parts would give it back. So more cells are withheld (complementary
suppression) until no withheld cell can be worked out exactly from the shown ones.

The published tables of `aggregate_cases` are linked, within each year, by these sums:

    year total            = sum of its nationality totals = sum of its destination totals
    nationality total     = sum of that nationality's flows (over countries of exploitation)
    destination total     = sum of the flows into that country (over nationalities)
    flow                  = sum of its exploitation categories (one category per case)

These are the conservation equations of a small network (a circulation): each published cell is
an edge, each sum a vertex. A withheld cell can be worked out exactly if and only if it is a
bridge of the graph formed by the withheld cells (it lies on no cycle of withheld cells), so
protection finds bridges and withholds the cheapest shown cells that close a cycle through each
(first the rule 'a sum with exactly one withheld part withholds its next smallest part', then a
cheapest-path search for what that rule leaves). `recoverable_cells` checks the result by plain
linear algebra on the published tables, independently of the graph.

Counts the report itself publishes (rescued, repatriated, ...) are never passed through here.
"""

from __future__ import annotations

import heapq
from collections import defaultdict, deque

import numpy as np
import pandas as pd

DEFAULT_THRESHOLD = 10
MIN_THRESHOLD = 5


def check_threshold(threshold: int) -> int:
    """The threshold as an int; below 5 is refused (ValueError)."""
    if isinstance(threshold, bool) or int(threshold) != threshold:
        raise ValueError(f"threshold {threshold!r} is not a whole number")
    if threshold < MIN_THRESHOLD:
        raise ValueError(
            f"threshold {threshold} is below {MIN_THRESHOLD}: counts of fewer than "
            f"{MIN_THRESHOLD} people are never shown"
        )
    return int(threshold)


def display(count: int | None, suppressed: bool, primary: bool, threshold: int) -> str:
    if not suppressed:
        return str(count)
    return f"<{threshold}" if primary else "withheld"


# ---------------------------------------------------------------------------------------------
# The graph


def _bridges(u: np.ndarray, v: np.ndarray, edges: np.ndarray) -> list[int]:
    """Edges (ids from `edges`) that lie on no cycle of the multigraph they form."""
    adj: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for e in edges.tolist():
        a, b = int(u[e]), int(v[e])
        adj[a].append((b, e))
        adj[b].append((a, e))
    disc: dict[int, int] = {}
    low: dict[int, int] = {}
    found: list[int] = []
    clock = 0
    for start in adj:
        if start in disc:
            continue
        disc[start] = low[start] = clock
        clock += 1
        stack = [(start, -1, iter(adj[start]))]
        while stack:
            node, via, it = stack[-1]
            pushed = False
            for nbr, e in it:
                if e == via:
                    continue
                if nbr in disc:
                    low[node] = min(low[node], disc[nbr])
                else:
                    disc[nbr] = low[nbr] = clock
                    clock += 1
                    stack.append((nbr, e, iter(adj[nbr])))
                    pushed = True
                    break
            if not pushed:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > disc[parent]:
                        found.append(via)
    return found


def _local_rule(
    u: np.ndarray,
    v: np.ndarray,
    count: np.ndarray,
    hidden: np.ndarray,
    adj: dict[int, list[tuple[int, int]]],
) -> None:
    """Where a sum has exactly one withheld cell, withhold its smallest shown cell too. One sum
    at a time, so that a cell withheld for one sum counts for the next (withholding for every
    lonely sum at once would withhold more than needed)."""
    ends = np.concatenate([u, v])
    per_vertex = np.bincount(ends, weights=np.concatenate([hidden, hidden]).astype(float))
    per_vertex = per_vertex.astype(np.int64)
    queue = deque(np.flatnonzero(per_vertex == 1).tolist())
    while queue:
        vertex = queue.popleft()
        if per_vertex[vertex] != 1:
            continue
        shown = [(int(count[e]), e) for _, e in adj[vertex] if not hidden[e]]
        if not shown:
            continue
        _, edge = min(shown)
        hidden[edge] = True
        for end in (int(u[edge]), int(v[edge])):
            per_vertex[end] += 1
            if per_vertex[end] == 1:
                queue.append(end)


def _close_cycle(
    bridge: int,
    u: np.ndarray,
    v: np.ndarray,
    count: np.ndarray,
    hidden: np.ndarray,
    adj: dict[int, list[tuple[int, int]]],
) -> None:
    """Withhold the cheapest shown cells that put `bridge` on a cycle of withheld cells."""
    source, target = int(u[bridge]), int(v[bridge])
    best = {source: 0.0}
    back: dict[int, tuple[int, int]] = {}
    heap = [(0.0, source)]
    while heap:
        cost, node = heapq.heappop(heap)
        if node == target:
            break
        if cost > best.get(node, np.inf):
            continue
        for nbr, e in adj[node]:
            if e == bridge:
                continue
            step = cost + (0.0 if hidden[e] else float(count[e]))
            if step < best.get(nbr, np.inf):
                best[nbr] = step
                back[nbr] = (node, e)
                heapq.heappush(heap, (step, nbr))
    if target not in back:
        return  # no other path: the graph itself pins the cell (cannot happen for flow tables)
    node = target
    while node != source:
        node, e = back[node]
        hidden[e] = True


def protect(
    u: np.ndarray, v: np.ndarray, count: np.ndarray, threshold: int
) -> tuple[np.ndarray, np.ndarray]:
    """(withheld, primary) per edge of the network whose edges are cells (`u` -> `v`, with
    their `count`s). Primary: 0 < count < threshold. Withheld: primary plus the complementary
    cells that leave no withheld cell recoverable."""
    threshold = check_threshold(threshold)
    count = np.asarray(count, dtype=np.int64)
    primary = (count > 0) & (count < threshold)
    hidden = primary.copy()
    if not hidden.any():
        return hidden, primary
    adj: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for e, (a, b) in enumerate(zip(u.tolist(), v.tolist())):
        adj[a].append((b, e))
        adj[b].append((a, e))
    while True:
        _local_rule(u, v, count, hidden, adj)
        bridges = _bridges(u, v, np.flatnonzero(hidden))
        if not bridges:
            return hidden, primary
        for bridge in bridges:
            _close_cycle(bridge, u, v, count, hidden, adj)


# ---------------------------------------------------------------------------------------------
# The independent check


def _equations(tables: dict[str, pd.DataFrame]) -> list[tuple[tuple[str, int], list]]:
    """Each published sum as (total cell, part cells); a cell is (table name, row position)."""
    routes, by_form, totals = tables["routes"], tables["by_form"], tables["totals"]
    eqs: list[tuple[tuple[str, int], list]] = []

    def positions(frame: pd.DataFrame, keys: list[str]) -> dict[tuple, list[int]]:
        groups: dict[tuple, list[int]] = defaultdict(list)
        for i, key in enumerate(zip(*(frame[k].tolist() for k in keys))):
            groups[key].append(i)
        return groups

    form_parts = positions(by_form, ["year_start", "nationality", "destination"])
    route_keys = zip(routes["year_start"], routes["nationality"], routes["destination"])
    for i, key in enumerate(route_keys):
        eqs.append((("routes", i), [("by_form", j) for j in form_parts.get(key, [])]))
    by_nat = positions(routes, ["year_start", "nationality"])
    by_dest = positions(routes, ["year_start", "destination"])
    nat_rows = totals["scope"] == "nationality"
    dest_rows = totals["scope"] == "destination"
    nat_totals = positions(totals[nat_rows].assign(_i=np.flatnonzero(nat_rows)), ["year"])
    dest_totals = positions(totals[dest_rows].assign(_i=np.flatnonzero(dest_rows)), ["year"])
    for i, (scope, code, year) in enumerate(zip(totals["scope"], totals["code"], totals["year"])):
        if scope == "nationality":
            eqs.append((("totals", i), [("routes", j) for j in by_nat.get((year, code), [])]))
        elif scope == "destination":
            eqs.append((("totals", i), [("routes", j) for j in by_dest.get((year, code), [])]))
        elif scope == "year":
            nat_idx = np.flatnonzero(nat_rows)[nat_totals.get((year,), [])]
            dest_idx = np.flatnonzero(dest_rows)[dest_totals.get((year,), [])]
            eqs.append((("totals", i), [("totals", int(j)) for j in nat_idx]))
            eqs.append((("totals", i), [("totals", int(j)) for j in dest_idx]))
    return eqs


def recoverable_cells(tables: dict[str, pd.DataFrame]) -> list[tuple[str, str]]:
    """Withheld cells that the shown cells give back exactly: (table, id) pairs, empty when
    the tables are safe. `tables` are `CaseFlows.tables()` (routes, by_form, totals).

    Every published sum is written as an equation; shown cells are known, withheld ones
    unknown. A withheld cell is recoverable when the equations pin it to one value, i.e. when
    every solution of the homogeneous system in the unknowns is zero there (its row of a
    null-space basis is zero). Solved per connected group of unknowns with an SVD."""
    eqs = _equations(tables)
    hidden = {
        name: frame["suppressed"].to_numpy(dtype=bool) for name, frame in tables.items() if name
    }
    rows: list[dict] = []
    var_of: dict[tuple[str, int], int] = {}
    for total, parts in eqs:
        terms: dict[int, float] = {}
        for cell, sign in [(total, 1.0)] + [(p, -1.0) for p in parts]:
            if hidden[cell[0]][cell[1]]:
                var = var_of.setdefault(cell, len(var_of))
                terms[var] = terms.get(var, 0.0) + sign
        if terms:
            rows.append(terms)
    if not var_of:
        return []
    parent = list(range(len(var_of)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for terms in rows:
        first, *rest = terms
        for other in rest:
            parent[find(other)] = find(first)
    groups: dict[int, list[int]] = defaultdict(list)
    for var in range(len(var_of)):
        groups[find(var)].append(var)
    eqs_of: dict[int, list[dict[int, float]]] = defaultdict(list)
    for terms in rows:
        eqs_of[find(next(iter(terms)))].append(terms)
    cells = {var: cell for cell, var in var_of.items()}
    found: list[tuple[str, str]] = []
    for root, members in groups.items():
        index = {var: k for k, var in enumerate(members)}
        matrix = np.zeros((len(eqs_of[root]), len(members)))
        for r, terms in enumerate(eqs_of[root]):
            for var, coef in terms.items():
                matrix[r, index[var]] = coef
        _, sing, vt = np.linalg.svd(matrix)
        rank = int((sing > 1e-9 * max(1.0, sing.max(initial=0.0))).sum())
        null = vt[rank:]  # rows span the null space
        for var, k in index.items():
            if null.shape[0] == 0 or np.abs(null[:, k]).max() < 1e-9:
                table, position = cells[var]
                found.append((table, str(tables[table]["id"].iloc[position])))
    return sorted(found)


def disclosure_problems(tables: dict[str, pd.DataFrame], threshold: int) -> list[str]:
    """Everything that would let a reader learn a count under the threshold from the tables:
    a shown count under it, a withheld cell whose count is still there, or a withheld cell
    that the shown ones give back. Empty when the tables are safe to publish."""
    problems = []
    for name, frame in tables.items():
        shown = frame.loc[~frame["suppressed"].astype(bool)]
        small = shown["count"].astype("Float64") < threshold
        for row_id in shown.loc[small.fillna(False).to_numpy(dtype=bool), "id"]:
            problems.append(f"{name} {row_id}: a count under {threshold} is shown")
        leaked = frame.loc[frame["suppressed"].astype(bool), "count"].notna()
        for row_id in frame.loc[leaked[leaked].index, "id"]:
            problems.append(f"{name} {row_id}: withheld, but the frame still holds its count")
        displayed = frame["count_display"].astype(str)
        numbers = pd.to_numeric(displayed.where(displayed.str.fullmatch(r"\d+")), errors="coerce")
        for row_id in frame.loc[(numbers < threshold).fillna(False).to_numpy(bool), "id"]:
            problems.append(f"{name} {row_id}: a count under {threshold} is displayed")
    for table, row_id in recoverable_cells(tables):
        problems.append(f"{table} {row_id}: withheld, but the shown counts give it back")
    return problems
