"""The Sankey view: nationality -> from / via -> destination, for the routes of one measure.

plotly's own go.Sankey places its nodes in the browser, so no text can be pinned to a link and a
static export may not match the screen. This one is laid out here, in Python, in pixels of a
nominal width, and drawn with ordinary scatter traces: nodes are filled rectangles, each route is
one filled band whose thickness is its own count on one scale for the figure, and the count is
written on the band. Nodes are named, never totalled: a node's height adds routes up, which no
source states as a figure, so no sum is written anywhere. Side labels sit in the margins (px),
so they fit whatever width the figure is shown at.

Columns: the people's nationality; the places a route passes before its end ("from / via": its
origin when that is not simply their own country, then its transit points); its destination. A
place is shown under its country ("Philippines — Clark") and places of one country sit together.
Routes whose nationality is not stated start from one grey node, at the bottom, set apart.

Only routes that run between two places are flows. A count at one place (2,714 rescued at Las
Piñas) or from one place with no destination is a place figure: it is left out and listed.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from dashboard.text import counted, format_count, measure_label, period_label, withheld
from geodata.countries import country_name
from geodata.dataset import Dataset

STAGE_COLOURS = {
    "nationality": "#0072B2",
    "transit": "#E69F00",
    "destination": "#D55E00",
    "not_stated": "#9a9a9a",
}
LINK_COLOUR = "rgba(0,114,178,0.30)"
NOT_STATED_LINK_COLOUR = "rgba(154,154,154,0.40)"
INK = "#1a1a1a"
MUTED = "#555555"
NOT_STATED = "Nationality not stated"
# why a route is among the rows left out (the `left_out` column of sankey_routes' second frame)
LEFT_OUT = {
    "no_number": "known without a number",
    "at_place": "a count at one place, with no origin: a place figure, not a flow",
    "from_place": "a count from one place, with no destination: not a flow",
    "withheld": "too few case records to show: withheld to protect the people counted",
}
HALO = "0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff, 1px 1px 0 #fff, -1px -1px 0 #fff"

WIDTH = 1100  # nominal width (px) the layout is computed for
MARGIN = {"l": 8, "r": 8, "t": 56, "b": 8}
NODE_W = 14
TOP = 30  # room for the column headings
GAP = 16  # between nodes of different countries
GAP_SAME = 6  # between places of one country
GAP_NOT_STATED = 44  # above the "Nationality not stated" node
MIN_NODE = 12
LABEL_PAD = 7  # between a side label and its node
MIN_BAND = 2.0
MIN_PLOT = 200  # px of plot area however few routes there are
CHAR = 0.58  # average glyph width as a share of the font size
WRAP = 30  # characters per line of a node label


def route_ends(routes: pd.DataFrame) -> pd.Series:
    """Each route's `end`: "flow" (two or more places), "at" (a count at one place with no
    origin) or "from" (only a start). Taken from the `end` column where the records have it."""
    derived = pd.Series(
        [_derived_end(r) for r in routes.itertuples(index=False)], index=routes.index, dtype=object
    )
    if "end" in routes.columns:
        given = routes["end"].astype(object)
        return given.where(given.notna() & (given != ""), derived)
    return derived


def _path(r) -> list[str]:
    path = getattr(r, "path", None)
    if isinstance(path, list | tuple):
        return list(path)
    transit = getattr(r, "transit", None)
    transit = list(transit) if isinstance(transit, list | tuple) else []
    ends = [getattr(r, "origin", None), *transit, getattr(r, "destination", None)]
    return [n for n in ends if _named(n)]


def _derived_end(r) -> str:
    if len(_path(r)) >= 2:
        return "flow"
    if _named(getattr(r, "origin", None)) and not _named(getattr(r, "destination", None)):
        return "from"
    return "at"


def _named(node: object) -> bool:
    return isinstance(node, str) and bool(node)


def sankey_routes(routes: pd.DataFrame, measure: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(routes drawn, routes left out), the second with a `left_out` column (a LEFT_OUT key).

    Drawn: routes of this one measure that state a count and run between two or more places.
    Left out: every route known without a number (of any measure, as listed under the diagram),
    the routes of this measure whose count is at or from one place, which are not flows, and
    those of this measure whose count is withheld (small counts of case records: a band would
    show their size). Counts of other measures are neither drawn nor listed here.
    """
    if routes.empty:
        empty = routes.iloc[0:0]
        return empty, empty.assign(left_out=pd.Series(dtype=object))
    ends = route_ends(routes)
    flow = (ends == "flow") & routes.apply(lambda r: len(_path(r)) >= 2, axis=1)
    counted = routes["count"].notna()
    hidden = (
        routes["suppressed"].fillna(False).astype(bool)
        if "suppressed" in routes.columns
        else pd.Series(False, index=routes.index)
    )
    same = routes["measure"] == measure if measure else pd.Series(False, index=routes.index)
    drawn = routes[same & counted & flow]
    out = (~counted & ~hidden) | (same & counted & ~flow) | (same & hidden)
    why = pd.Series("no_number", index=routes.index, dtype=object)
    why[counted & (ends == "from")] = "from_place"
    why[counted & (ends != "from")] = "at_place"
    why[hidden] = "withheld"
    return drawn, routes[out].assign(left_out=why[out])


@dataclass
class _Node:
    key: tuple
    column: int
    kind: str  # nationality, transit, destination, not_stated or pass (an invisible way through)
    group: str  # nodes of one group (a country) sit together
    lines: list[str]
    value: float = 0.0  # sum of the band widths through it: for layout only, never shown
    top: float = 0.0
    height: float = 0.0
    above: float = 0.0  # room its label needs above the rectangle
    below: float = 0.0
    bands_in: list[int] = field(default_factory=list)
    bands_out: list[int] = field(default_factory=list)
    slot_in: dict[int, float] = field(default_factory=dict)
    slot_out: dict[int, float] = field(default_factory=dict)

    @property
    def centre(self) -> float:
        return self.top + self.height / 2


@dataclass
class _Band:
    row: object
    width: float
    chain: list[_Node]
    text: str  # the count as written on the band
    hover: str


def _text_width(text: str, size: float) -> float:
    return len(text) * size * CHAR


def _wrap(text: str) -> list[str]:
    return textwrap.wrap(text, WRAP, break_long_words=False) or [text]


def _nationality(r) -> str | None:
    nat = getattr(r, "nationality", None)
    return nat if isinstance(nat, str) and nat else None


def _hover(dataset: Dataset, r, names: list[str]) -> str:
    nat = _nationality(r)
    nationality = f"{country_name(nat)} nationals" if nat else NOT_STATED
    return (
        f"{' → '.join(names)}<br>{nationality}<br>"
        f"{measure_label(r.measure).capitalize()}: "
        f"{format_count(r.count, r.qualifier, withheld(r))}<br>"
        f"Period: {period_label(r.year_start, r.year_end, r.period)}<br>"
        + "<br>".join(
            textwrap.wrap(f"Source: {dataset.source_label(r.source_id)} — {r.section}", 90)
        )
    )


def _title(measure: str | None) -> str:
    return f"{counted(measure).capitalize()}, by nationality, transit and destination country"


def build_sankey(
    dataset: Dataset,
    routes: pd.DataFrame,
    measure: str | None,
    *,
    width: int = WIDTH,
    font_size: float = 13,
) -> go.Figure:
    """The routes of one measure as bands between nationality, the places passed and the
    destination, each band its own route's count, written on it. `width` is the width in px
    the layout is computed for (the figure still scales with its container)."""
    drawn, left_out = sankey_routes(routes, measure)
    if drawn.empty:
        return _empty_figure(measure, len(left_out), width)
    names = dict(zip(dataset.nodes["node"], dataset.nodes["name"]))
    isos = dict(zip(dataset.nodes["node"], dataset.nodes["iso3"]))

    def place(node: str) -> tuple[str, str]:
        """(label, country group) of a place or country node."""
        iso = isos.get(node) or (node if node.isupper() else None)
        if iso == node or node.isupper():
            return country_name(node), node
        name = names.get(node, node).split(" (")[0]  # 'Clark (Clark Freeport ...)' -> 'Clark'
        return (f"{country_name(iso)} — {name}" if iso else name), iso or node

    # --- nodes and chains -------------------------------------------------------------------
    rows = list(drawn.itertuples(index=False))
    throughs = []
    for r in rows:
        path = _path(r)
        through = path[:-1]
        if through and _nationality(r) and through[0] == _nationality(r):
            through = through[1:]  # leaving their own country is the nationality column
        throughs.append(through)
    depth = max(len(t) for t in throughs)
    last = depth + 1
    nodes: dict[tuple, _Node] = {}

    def node(key: tuple, column: int, kind: str, group: str, label: str) -> _Node:
        if key not in nodes:
            nodes[key] = _Node(key, column, kind, group, _wrap(label) if label else [])
        return nodes[key]

    bands: list[_Band] = []
    total = float(drawn["count"].sum())  # the scale only: never written
    n_routes = len(rows)
    scale = min(640.0, max(120.0, 70.0 * n_routes)) / total if total > 0 else 1.0
    for r, through in zip(rows, throughs):
        path = _path(r)
        nat = _nationality(r)
        if nat:
            first = node(("nat", nat), 0, "nationality", nat, f"{country_name(nat)} nationals")
        else:
            first = node(("nat", ""), 0, "not_stated", "", NOT_STATED)
        chain = [first]
        for k, t in enumerate(through):
            label, group = place(t)
            chain.append(node(("via", k + 1, t), k + 1, "transit", group, label))
        real_before = chain[-1].key
        dest_label, dest_group = place(path[-1])
        dest_key = ("dest", path[-1])
        for k in range(len(through) + 1, last):
            key = ("pass", k, real_before, dest_key)
            chain.append(node(key, k, "pass", repr(key), ""))
        chain.append(node(dest_key, last, "destination", dest_group, dest_label))
        width_px = max(MIN_BAND, float(r.count) * scale)
        path_names = getattr(r, "path_names", None)
        if not isinstance(path_names, list | tuple) or len(path_names) != len(path):
            path_names = [country_name(n) if n.isupper() else names.get(n, n) for n in path]
        hover = _hover(dataset, r, list(path_names))
        bands.append(_Band(r, width_px, chain, format_count(r.count, r.qualifier), hover))
    for i, b in enumerate(bands):
        for a, c in zip(b.chain, b.chain[1:]):
            a.bands_out.append(i)
            c.bands_in.append(i)
        for n in b.chain:
            n.value += b.width

    columns: list[list[_Node]] = [[] for _ in range(last + 1)]
    for n in nodes.values():
        columns[n.column].append(n)
    _order(columns, bands)

    # --- sizes and vertical layout ----------------------------------------------------------
    line = font_size * 1.25
    for n in nodes.values():
        n.height = n.value if n.kind == "pass" else max(MIN_NODE, n.value)
        label = len(n.lines) * line
        if n.kind == "transit":
            n.above = label + 4
        elif n.kind != "pass":
            n.above = n.below = max(0.0, label / 2 - n.height / 2)
    content = max(MIN_PLOT - TOP - 10, *(_stack_height(col) for col in columns))
    bottom = TOP + content
    for col in columns:
        _place(col, TOP, bottom)
    for it in range(12):
        alpha = 0.6 * 0.85**it
        for c in range(1, last + 1):
            _relax(columns[c], bands, "in", alpha)
            _place(columns[c], TOP, bottom, keep=True)
        for c in range(last - 1, -1, -1):
            _relax(columns[c], bands, "out", alpha)
            _place(columns[c], TOP, bottom, keep=True)
    for n in nodes.values():
        _slots(n, bands)

    # --- horizontal layout ------------------------------------------------------------------
    size_px = font_size

    def widest(col: list[_Node]) -> float:
        return max((_text_width(s, size_px) for n in col for s in n.lines), default=0.0)

    heading = _text_width("Destination", size_px - 1)
    # the side labels sit in the margins, which are in px: they fit at any width
    margin = {
        **MARGIN,
        "l": math.ceil(min(0.3 * width, max(widest(columns[0]) + 12, heading)) + MARGIN["l"]),
        "r": math.ceil(min(0.3 * width, max(widest(columns[last]) + 12, heading)) + MARGIN["r"]),
    }
    plot_w = width - margin["l"] - margin["r"]
    # side labels are anchored just inside the axis range (plotly hides text anchored outside
    # it) and run out into the margins
    step = (plot_w - 2 * LABEL_PAD - NODE_W) / last
    xs = [LABEL_PAD + step * c for c in range(last + 1)]
    plot_h = bottom + 10

    fig = go.Figure()
    # bands first, nodes drawn over their ends
    for i, b in enumerate(bands):
        top, bot = _band_edges(i, b, xs)
        colour = NOT_STATED_LINK_COLOUR if b.chain[0].kind == "not_stated" else LINK_COLOUR
        fig.add_trace(
            go.Scatter(
                x=[p[0] for p in top] + [p[0] for p in reversed(bot)],
                y=[p[1] for p in top] + [p[1] for p in reversed(bot)],
                mode="lines",
                fill="toself",
                fillcolor=colour,
                line={"width": 0.8, "color": "white"},  # a hairline between routes
                hoveron="fills",
                hoverinfo="text",
                text=b.hover,
                name="",
                showlegend=False,
                meta={
                    "role": "band",
                    "route": getattr(b.row, "id", i),
                    "count": float(b.row.count),
                },
            )
        )
    for kind in ("nationality", "transit", "destination", "not_stated"):
        x, y = [], []
        for n in nodes.values():
            if n.kind != kind:
                continue
            x0, x1, y0, y1 = xs[n.column], xs[n.column] + NODE_W, n.top, n.top + n.height
            x += [x0, x1, x1, x0, x0, None]
            y += [y0, y0, y1, y1, y0, None]
        if x:
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=y,
                    mode="lines",
                    fill="toself",
                    fillcolor=STAGE_COLOURS[kind],
                    line={"width": 1, "color": "white"},
                    hoverinfo="skip",
                    name="",
                    showlegend=False,
                    meta={"role": "nodes", "kind": kind},
                )
            )

    # node labels: names only
    obstacles: list[tuple[float, float, float, float]] = []
    lx, ly, lt, lpos, lcol = [], [], [], [], []
    for n in nodes.values():
        if n.kind == "pass":
            continue
        x0 = xs[n.column]
        obstacles.append((x0 - 2, n.top - 2, x0 + NODE_W + 2, n.top + n.height + 2))
        text = "<br>".join(n.lines)
        if n.kind == "not_stated":
            text = f"<i>{text}</i>"
        if n.column == 0:
            lx.append(0.5)
            ly.append(n.centre)
            lpos.append("middle left")
        elif n.column == last:
            lx.append(plot_w - 0.5)
            ly.append(n.centre)
            lpos.append("middle right")
        else:
            lx.append(x0 + NODE_W / 2)
            ly.append(n.top - 3)
            lpos.append("top center")
            w = max(_text_width(s, size_px) for s in n.lines)
            cx = x0 + NODE_W / 2
            obstacles.append((cx - w / 2, n.top - n.above, cx + w / 2, n.top))
        lt.append(text)
        lcol.append(MUTED if n.kind == "not_stated" else INK)
    fig.add_trace(
        go.Scatter(
            x=lx,
            y=ly,
            text=lt,
            mode="text",
            textposition=lpos,
            textfont={"size": size_px, "color": lcol, "shadow": HALO},
            hoverinfo="skip",
            name="",
            showlegend=False,
            cliponaxis=False,
            meta={"role": "node_labels"},
        )
    )

    # the count on each band, once for every stretch between two named nodes
    link_size = size_px - 1
    tx, ty, tt, th = [], [], [], []
    placed: list[tuple[float, float, float, float]] = []
    for i, b in enumerate(bands):
        real = [j for j, n in enumerate(b.chain) if n.kind != "pass"]
        centre = _centre_line(i, b, xs)
        for a, c in zip(real, real[1:]):
            x_from = xs[b.chain[a].column] + NODE_W
            x_to = xs[b.chain[c].column]
            w = _text_width(b.text, link_size) + 8
            h = link_size * 1.35
            best, best_overlap = None, math.inf
            for f in (0.5, 0.38, 0.62, 0.28, 0.72, 0.2, 0.8, 0.44, 0.56, 0.33, 0.67):
                x = x_from + (x_to - x_from) * f
                y = _interp(centre, x)
                box = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
                hit = sum(_overlap(box, o) for o in placed + obstacles)
                if hit < best_overlap:
                    best, best_overlap = (x, y, box), hit
                if hit == 0:
                    break
            x, y, box = best
            placed.append(box)
            tx.append(x)
            ty.append(y)
            tt.append(b.text)
            th.append(b.hover)
    fig.add_trace(
        go.Scatter(
            x=tx,
            y=ty,
            text=tt,
            customdata=th,
            mode="text",
            textposition="middle center",
            textfont={"size": link_size, "color": INK, "shadow": HALO},
            hovertemplate="%{customdata}<extra></extra>",
            name="",
            showlegend=False,
            cliponaxis=False,
            meta={"role": "link_labels"},
        )
    )

    # column headings
    hx, hy, ht, hp = [xs[0] + NODE_W], [TOP / 2 - 2], ["Nationality"], ["middle left"]
    if depth:
        hx.append((xs[1] + xs[depth]) / 2 + NODE_W / 2)
        hy.append(TOP / 2 - 2)
        ht.append("From / via")
        hp.append("middle center")
    hx.append(xs[last])
    hy.append(TOP / 2 - 2)
    ht.append("Destination")
    hp.append("middle right")
    fig.add_trace(
        go.Scatter(
            x=hx,
            y=hy,
            text=[f"<b>{t}</b>" for t in ht],
            mode="text",
            textposition=hp,
            textfont={"size": size_px - 1, "color": MUTED},
            hoverinfo="skip",
            name="",
            showlegend=False,
            cliponaxis=False,
            meta={"role": "headings"},
        )
    )
    _frame(fig, measure, plot_w, plot_h, margin)
    fig.update_layout(
        meta={"links": len(bands), "left_out": len(left_out), "width": width},
    )
    return fig


def _frame(fig: go.Figure, measure: str | None, plot_w: float, plot_h: float, margin: dict) -> None:
    axis = {
        "visible": False,
        "showgrid": False,
        "zeroline": False,
        "fixedrange": True,
        "showticklabels": False,
    }
    fig.update_layout(
        title={"text": _title(measure), "font": {"size": 16}, "x": 0.01},
        font={"size": 13},
        margin=margin,
        height=round(plot_h + margin["t"] + margin["b"]),
        xaxis={**axis, "range": [0, plot_w]},
        yaxis={**axis, "range": [plot_h, 0]},
        plot_bgcolor="white",
        paper_bgcolor="white",
        hovermode="closest",
        hoverlabel={
            "bgcolor": "white",
            "bordercolor": "#888",
            "font": {"color": INK},
            "align": "left",
        },
        dragmode=False,
        showlegend=False,
    )


def _empty_figure(measure: str | None, left_out: int, width: int) -> go.Figure:
    """No route of this measure states a number between two places: say so, centred."""
    if measure:
        message = (
            f"No route of {counted(measure)} in this selection states a number "
            "between two places,<br>so there is no flow to draw. A count at a single place is "
            "a figure for that place, not a route."
        )
    else:
        message = "Choose a measure to draw the routes that count it."
    fig = go.Figure(
        go.Scatter(
            x=[0.5],
            y=[0.5],
            text=[message],
            mode="text",
            textposition="middle center",
            textfont={"size": 15, "color": MUTED},
            hoverinfo="skip",
            name="",
            showlegend=False,
            meta={"role": "message"},
        )
    )
    _frame(fig, measure, 1.0, 1.0, MARGIN)
    fig.update_layout(
        height=360,
        xaxis={"range": [0, 1]},
        yaxis={"range": [0, 1]},
        meta={"links": 0, "left_out": left_out, "width": width, "empty": True},
    )
    return fig


# --- ordering -----------------------------------------------------------------------------


def _order(columns: list[list[_Node]], bands: list[_Band]) -> None:
    """Order each column to reduce crossings (barycentre sweeps, then swaps of neighbours),
    keeping places of one country together and the not-stated node last. Sorts in place."""
    for c, col in enumerate(columns):
        col.sort(key=lambda n: (n.kind == "not_stated", -n.value, n.lines))
        columns[c] = _grouped(col, {n.key: -n.value for n in col})
    best, best_cross = [list(col) for col in columns], _crossings(columns, bands)
    for _ in range(8):
        for c in range(1, len(columns)):
            columns[c] = _grouped(columns[c], _barycentres(columns[c], columns[c - 1], bands, "in"))
        for c in range(len(columns) - 2, -1, -1):
            columns[c] = _grouped(
                columns[c], _barycentres(columns[c], columns[c + 1], bands, "out")
            )
        cross = _crossings(columns, bands)
        if cross < best_cross:
            best, best_cross = [list(col) for col in columns], cross
    for c, col in enumerate(best):
        columns[c][:] = col
    for _ in range(20):  # swap neighbouring countries, or neighbouring places of one country
        improved = False
        for c, col in enumerate(columns):
            groups = _groups(col)
            for i in range(len(groups) - 1):
                if any(n.kind == "not_stated" for n in groups[i + 1]):
                    continue
                trial = groups[:i] + [groups[i + 1], groups[i]] + groups[i + 2 :]
                improved |= _try(columns, c, [n for g in trial for n in g], bands)
                groups = _groups(columns[c])
            for i in range(len(columns[c]) - 1):
                a, b = columns[c][i], columns[c][i + 1]
                if a.group == b.group:
                    trial = list(columns[c])
                    trial[i], trial[i + 1] = b, a
                    improved |= _try(columns, c, trial, bands)
        if not improved:
            break


def _groups(col: list[_Node]) -> list[list[_Node]]:
    out: list[list[_Node]] = []
    for n in col:
        if out and out[-1][0].group == n.group:
            out[-1].append(n)
        else:
            out.append([n])
    return out


def _try(columns: list[list[_Node]], c: int, trial: list[_Node], bands: list[_Band]) -> bool:
    """Keep the trial order of column c if it crosses less."""
    near = {c - 1, c}  # the segments that end or start in column c
    before = _crossings(columns, bands, near)
    kept = columns[c]
    columns[c] = trial
    if _crossings(columns, bands, near) < before - 1e-9:
        return True
    columns[c] = kept
    return False


def _barycentres(col: list[_Node], other: list[_Node], bands: list[_Band], side: str) -> dict:
    rank = {n.key: i for i, n in enumerate(other)}
    out = {}
    for i, n in enumerate(col):
        num = den = 0.0
        for b in n.bands_in if side == "in" else n.bands_out:
            chain = bands[b].chain
            j = chain.index(n)
            nb = chain[j - 1] if side == "in" else chain[j + 1]
            num += bands[b].width * rank[nb.key]
            den += bands[b].width
        out[n.key] = num / den if den else float(i)
    return out


def _grouped(col: list[_Node], score: dict) -> list[_Node]:
    """Sort by score, groups (countries) kept together and ordered by their weighted score."""
    groups: dict[str, list[_Node]] = {}
    for n in col:
        groups.setdefault(n.group, []).append(n)

    def group_score(members: list[_Node]) -> tuple:
        weight = sum(m.value for m in members) or 1.0
        return (
            any(m.kind == "not_stated" for m in members),
            sum(score[m.key] * m.value for m in members) / weight,
        )

    ordered = sorted(groups.values(), key=group_score)
    return [n for g in ordered for n in sorted(g, key=lambda m: (score[m.key], m.lines))]


def _crossings(
    columns: list[list[_Node]], bands: list[_Band], only: set[int] | None = None
) -> float:
    """Weighted crossings of the segments leaving the columns `only` (default: all)."""
    rank = {n.key: i for col in columns for i, n in enumerate(col)}
    segments: dict[int, list[tuple[int, int, float]]] = {}
    for b in bands:
        for a, c in zip(b.chain, b.chain[1:]):
            if only is None or a.column in only:
                segments.setdefault(a.column, []).append((rank[a.key], rank[c.key], b.width))
    total = 0.0
    for segs in segments.values():
        for i, (a1, b1, w1) in enumerate(segs):
            for a2, b2, w2 in segs[i + 1 :]:
                if (a1 - a2) * (b1 - b2) < 0:
                    total += w1 * w2  # the area two bands cover where they cross
    return total


# --- vertical placement -------------------------------------------------------------------


def _gap(upper: _Node, lower: _Node) -> float:
    if lower.kind == "not_stated":
        return GAP_NOT_STATED
    if upper.group == lower.group and upper.kind != "pass":
        return GAP_SAME
    return GAP


def _stack_height(col: list[_Node]) -> float:
    height = 0.0
    for i, n in enumerate(col):
        height += (_gap(col[i - 1], n) if i else 0) + n.above + n.height + n.below
    return height


def _place(col: list[_Node], lo: float, hi: float, keep: bool = False) -> None:
    """Put the column's nodes in order between lo and hi without overlaps. With keep, move
    each node as little as possible from where it is; else centre the stack. A not-stated node
    is always at the bottom."""
    if not col:
        return
    pinned = col[-1] if col[-1].kind == "not_stated" else None
    free = col[:-1] if pinned else col
    if pinned:
        pinned.top = hi - pinned.below - pinned.height
        hi = pinned.top - pinned.above - _gap(free[-1], pinned) if free else hi
    if not free:
        return
    if not keep:
        start = lo + max(0.0, (hi - lo - _stack_height(free)) / 2)
        for i, n in enumerate(free):
            start += (_gap(free[i - 1], n) if i else 0) + n.above
            n.top = start
            start += n.height + n.below
        return
    y = lo  # push down where nodes overlap ...
    for i, n in enumerate(free):
        y += (_gap(free[i - 1], n) if i else 0) + n.above
        n.top = max(n.top, y)
        y = n.top + n.height + n.below
    y = hi  # ... then up where they run past the bottom
    for i in range(len(free) - 1, -1, -1):
        n = free[i]
        y -= (_gap(n, free[i + 1]) if i < len(free) - 1 else 0) + n.below + n.height
        n.top = min(n.top, y)
        y = n.top - n.above


def _relax(col: list[_Node], bands: list[_Band], side: str, alpha: float) -> None:
    """Move each node towards the weighted centre of the nodes it is linked to on one side."""
    for n in col:
        if n.kind == "not_stated":
            continue
        num = den = 0.0
        for b in n.bands_in if side == "in" else n.bands_out:
            chain = bands[b].chain
            j = chain.index(n)
            nb = chain[j - 1] if side == "in" else chain[j + 1]
            num += bands[b].width * nb.centre
            den += bands[b].width
        if den:
            n.top += (num / den - n.centre) * alpha


def _slots(n: _Node, bands: list[_Band]) -> None:
    """Where each band enters and leaves the node: ordered by the node at its other end."""

    def stack(ids: list[int], other) -> dict[int, float]:
        ids = sorted(ids, key=lambda b: (other(b).centre, b))
        y = n.top + (n.height - sum(bands[b].width for b in ids)) / 2
        out = {}
        for b in ids:
            out[b] = y
            y += bands[b].width
        return out

    def prev(b: int) -> _Node:
        chain = bands[b].chain
        return chain[chain.index(n) - 1]

    def nxt(b: int) -> _Node:
        chain = bands[b].chain
        return chain[chain.index(n) + 1]

    if n.kind == "pass":  # a way through keeps each band at one height
        n.slot_in = stack(n.bands_in, lambda b: n)
        n.slot_out = dict(n.slot_in)
        return
    n.slot_in = stack(n.bands_in, prev)
    n.slot_out = stack(n.bands_out, nxt)


# --- geometry -----------------------------------------------------------------------------


def _bezier(x0: float, y0: float, x1: float, y1: float, steps: int = 24) -> list:
    xm = (x0 + x1) / 2
    out = []
    for i in range(steps + 1):
        t = i / steps
        u = 1 - t
        x = u**3 * x0 + 3 * u * u * t * xm + 3 * u * t * t * xm + t**3 * x1
        y = u**3 * y0 + 3 * u * u * t * y0 + 3 * u * t * t * y1 + t**3 * y1
        out.append((x, y))
    return out


def _band_edges(i: int, b: _Band, xs: list[float]) -> tuple[list, list]:
    """Top and bottom edges of band i, left to right, through every node of its chain."""
    top, bot = [], []
    for a, c in zip(b.chain, b.chain[1:]):
        x0, x1 = xs[a.column] + NODE_W, xs[c.column]
        y0, y1 = a.slot_out[i], c.slot_in[i]
        if a.kind == "pass":  # straight through the invisible node
            top.append((xs[a.column], a.slot_in[i]))
            bot.append((xs[a.column], a.slot_in[i] + b.width))
        top += _bezier(x0, y0, x1, y1)
        bot += _bezier(x0, y0 + b.width, x1, y1 + b.width)
    return top, bot


def _centre_line(i: int, b: _Band, xs: list[float]) -> list[tuple[float, float]]:
    top, _ = _band_edges(i, b, xs)
    return [(x, y + b.width / 2) for x, y in top]


def _interp(points: list[tuple[float, float]], x: float) -> float:
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        if x0 <= x <= x1:
            return y0 if x1 == x0 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return points[0][1] if x < points[0][0] else points[-1][1]


def _overlap(a: tuple, b: tuple) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0
