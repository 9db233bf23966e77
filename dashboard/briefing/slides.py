"""What a projected slide holds, sized for the screen it is shown on.

The type scale is written in px at 1920×1080 and multiplied by `Screen.u` (the same numbers as
assets/briefing.css, which multiplies them by `--u`): at 1280×720 everything is two thirds. Maps
are rebuilt at the size of the slide's figure box, so that their labels are placed for it; a
table or a list of events shows the rows that fit the box, and says how many more there are.
Everything here is pure: the Dash app (app.py) turns it into pages.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.labels import text_size
from dashboard.figures.panels import source_short
from dashboard.figures.timeline import LANE_OF, date_span
from dashboard.state import ViewState, to_query
from dashboard.text import format_value, measure_label
from geodata.dataset import MONTHS, Dataset
from geodata.filters import filter_events

REFERENCE = (1920, 1080)  # the screen the type scale is written for
# Sizes in px at 1920×1080. assets/briefing.css uses the same numbers (times --u).
TYPE = {
    "title": 52,
    "caption": 33,
    "source": 24,
    "nav": 20,
    "map_label": 26,  # place names and the numbers on routes; country names are 0.95 of it
    "legend": 22,
    "legend_min": 17,
    "small_print": 18,  # the map's disclaimer and the insets' note
    "chart": 26,
    "chart_values": 30,
    "table": 26,
    "table_value": 28,
    "table_small": 22,
    "event_date": 26,
    "event_title": 30,
    "event_small": 22,
}
LINE = {"title": 1.15, "caption": 1.3, "source": 1.3, "table": 1.25, "event": 1.25}
# The slide's frame, in px at 1080p: padding, gaps between title, figure, caption and footer.
PAD_TOP, PAD_SIDE, PAD_BOTTOM = 20, 44, 14
GAP_TITLE, GAP_CAPTION, GAP_FOOTER = 10, 10, 6
NAV_GAP = 24  # between the source line and the navigation
ROUTE_LINE_MIN = 4.0  # px at 1080p: the thinnest route line on a projected map
ROUTE_SCALE = 2.0  # route widths and markers, times the map's own (2.4 px -> 4.8 px at 1080p)
INSET_SHARE = 0.28  # of the map's width (legend apart), for the Moei and Golden Triangle insets
# The table's columns (shares of its width) and cell padding (px at 1080p); each run of rows
# with one source is headed by the source.
TABLE_COLUMNS = (("Key figure", 0.6), ("Value", 0.2), ("Period", 0.2))
CELL_PAD_X, CELL_PAD_Y = 12, 6
# The events list: the date column and the gap between events (px at 1080p).
EVENT_DATE_W, EVENT_GAP, EVENT_MARK = 250, 14, 8
LANE_CLASS = {
    "Operations": "operations",
    "Returns and deportations": "returns",
    "Policy and laws": "policy",
    "Media and publications": "media",
}


@dataclass(frozen=True)
class Screen:
    """The window a slide is shown in, and the box its figure gets (px)."""

    w: float
    h: float
    stage_w: float
    stage_h: float

    @property
    def u(self) -> float:
        """px per px-at-1080p: 1 at 1920×1080, 2/3 at 1280×720."""
        return min(self.w / REFERENCE[0], self.h / REFERENCE[1])

    def px(self, name_or_size: str | float) -> float:
        size = TYPE[name_or_size] if isinstance(name_or_size, str) else name_or_size
        return size * self.u

    @property
    def key(self) -> str:
        """The figure box's size as the slide records it (data-stage), '1832x874'."""
        return f"{math.floor(self.stage_w)}x{math.floor(self.stage_h)}"


# ---------------------------------------------------------------- text measures


def text_width(text: str, font_px: float, bold: bool = False) -> float:
    """Width in px of a line of plain text in DejaVu Sans (the briefing's first font)."""
    markup = html.escape(str(text), quote=False)
    return text_size(f"<b>{markup}</b>" if bold else markup, font_px)[0]


def line_count(
    text: str | list[tuple[str, bool]], width_px: float, font_px: float, bold: bool = False
) -> int:
    """How many lines the text wraps to in a box this wide (greedy, at spaces, as browsers do);
    `text` may be runs of (text, bold). Errs towards one line more: a box a little too tall
    leaves a gap, one too short cuts."""
    runs = [(text, bold)] if isinstance(text, str) else text
    width_px *= 0.97
    lines, used = 1, 0.0
    for run, is_bold in runs:
        space = text_width("a a", font_px, is_bold) - text_width("aa", font_px, is_bold)
        for i, paragraph in enumerate(str(run).split("\n")):
            if i:
                lines, used = lines + 1, 0.0
            for word in paragraph.split():
                w = text_width(word, font_px, is_bold)
                if used and used + space + w > width_px:
                    lines, used = lines + 1, w
                else:
                    used += (space if used else 0) + w
    return lines


def wrap(text: str, width_px: float, font_px: float, bold: bool = False) -> str:
    """The text broken with <br> into lines that fit the width (plotly's markup)."""
    lines: list[str] = []
    for word in str(text).split():
        if lines and text_width(f"{lines[-1]} {word}", font_px, bold) <= width_px:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return "<br>".join(lines)


# ---------------------------------------------------------------- the slide's frame


def nav_width(u: float, total: int) -> float:
    """The navigation's width: ◀ n / N ▶, the explorer link, the full-screen button."""
    font = TYPE["nav"] * u
    words = ["◀", f"{total} / {total}", "▶", "Open in the explorer ↗", "Full screen"]
    gaps = 14 * u * len(words) + 2 * 8 * u * 2  # gaps, and the button's padding
    return sum(text_width(w, font) for w in words) + gaps + 4


def estimate_screen(
    w: float, h: float, title: str, caption: str, source: str, total: int
) -> Screen:
    """The figure box of a slide in a window of w×h px, from the lines its title, caption and
    source line take (the browser then measures it, and the slide is redrawn if this was off)."""
    u = min(w / REFERENCE[0], h / REFERENCE[1])
    inner_w = w - 2 * PAD_SIDE * u
    title_h = line_count(title, inner_w, TYPE["title"] * u, bold=True) * TYPE["title"] * u
    chrome = PAD_TOP * u + title_h * LINE["title"] + GAP_TITLE * u
    if caption:
        lines = line_count(caption, inner_w, TYPE["caption"] * u)
        chrome += GAP_CAPTION * u + lines * TYPE["caption"] * u * LINE["caption"]
    source_w = inner_w - nav_width(u, total) - NAV_GAP * u
    source_lines = line_count(source, source_w, TYPE["source"] * u)
    # the navigation: a line of its type, the button's padding (4) and border (2 px)
    footer = max(
        source_lines * TYPE["source"] * LINE["source"] * u, (TYPE["nav"] * 1.3 + 4) * u + 2
    )
    chrome += GAP_FOOTER * u + footer + PAD_BOTTOM * u
    return Screen(w, h, inner_w, max(120.0, h - chrome))


def screen_from(data: dict | None, pathname: str) -> tuple[float, float, dict | None]:
    """The window size the page reported, and its measured figure box if it was measured on
    this very slide (another slide's box may differ: its caption may take more lines)."""
    w, h = REFERENCE
    if not isinstance(data, dict):
        return w, h, None
    try:
        w, h = float(data["w"]), float(data["h"])
    except (KeyError, TypeError, ValueError):
        return REFERENCE[0], REFERENCE[1], None
    if w < 200 or h < 150:
        return REFERENCE[0], REFERENCE[1], None
    measured = None
    if data.get("path") == pathname:
        try:
            measured = {"sw": float(data["sw"]), "sh": float(data["sh"])}
        except (KeyError, TypeError, ValueError):
            measured = None
    return w, h, measured


def source_credit(sources: list[str], period: str, limit: int = 3) -> str:
    """'Sources: IOM (February 2024); Rappler (5 May 2023). Period: 2023.' — publishers and
    dates only, at most `limit` named; the rest counted (nobody hovers on a projector)."""
    names: list[str] = []
    more = 0
    for line in sources:
        found = re.match(r"and (\d+) more", line)
        if found:
            more += int(found.group(1))
            continue
        name = line.split(" — ")[0]
        if name not in names:
            names.append(name)
    if len(names) > limit:
        more += len(names) - limit
        names = names[:limit]
    credit = "; ".join(names)
    if more:
        credit += f"; and {more} more (listed in the explorer)"
    label = "Sources" if len(names) > 1 or more else "Source"
    return f"{label}: {credit}. Period: {period}."


# ---------------------------------------------------------------- the explorer link


def explorer_state(view: str, state: ViewState) -> ViewState:
    """The explorer's view of a slide: its map, Sankey, country profile or regional overview,
    with all of the slide's filters."""
    if view == "sankey":
        return state.with_(view="sankey")
    if view in ("caseload", "sex-split"):
        return state.with_(view="overview")
    if view == "events":
        layers = tuple(dict.fromkeys((*state.layers, "events")))
        return state.with_(view="map", layers=layers)
    return state.with_(view="map")


def explorer_href(view: str, state: ViewState) -> str:
    return "/" + to_query(explorer_state(view, state))


# ---------------------------------------------------------------- maps and charts


def projected_map(fig_builder, screen: Screen, route_ids: set[str]) -> go.Figure:
    """A map rebuilt at the size of the slide's figure box, with projector type and lines, so
    that its labels sit by their points: `fig_builder` is the view's `rebuild(Layout)`.

    Route lines are at least 4 px at 1080p (dotted ones too); the legend has its own column,
    its entries wrapped to it, with the disclaimer under it (not over the map, where it would
    hide labels); a country name the frame would cut is left out."""
    from dashboard.figures.flowmap import Layout

    u = screen.u
    graph_w, graph_h = math.floor(screen.stage_w), math.floor(screen.stage_h)
    legend_w = round(min(max(320 * u, graph_w * 0.18), 420 * u))
    layout = Layout(
        width_px=graph_w - legend_w,
        height_px=graph_h,
        insets=True,
        legend=True,
        font_px=screen.px("map_label"),
        scale=ROUTE_SCALE * u,
        inset_share=INSET_SHARE,
    )
    fig = fig_builder(layout)
    for t in fig.data:
        if t.type == "scattergeo" and t.name in route_ids and t.mode == "lines":
            t.line.width = max(t.line.width or 0, ROUTE_LINE_MIN * u)
        elif t.showlegend and getattr(t, "mode", None) == "lines":  # as the map draws them
            t.line.width = max((t.line.width or 0) * ROUTE_SCALE * u, ROUTE_LINE_MIN * u)
    _drop_cut_names(fig, layout)
    small = screen.px("small_print")
    disclaimer_h = 0.0
    for a in fig.layout.annotations:
        if a.name == "disclaimer":
            a.text = wrap(a.text, legend_w - 16 * u, small)
            a.font.size = small
            a.update(x=1 + 8 * u / layout.width_px, y=0, xanchor="left", yanchor="bottom")
            a.align = "left"
            a.bgcolor = None
            disclaimer_h = (a.text.count("<br>") + 1) * small * 1.3 + 12 * u
        elif a.name == "inset-note":
            a.font.size = min(a.font.size or small, small)
    legend_font = _fit_legend(fig, legend_w, graph_h - disclaimer_h, u)
    fig.update_layout(
        width=graph_w,
        height=graph_h,
        autosize=False,
        # the legend has its own column: plotly must not narrow the map to make room for it,
        # or the labels, placed for the map's size, would no longer sit by their points
        margin={"l": 0, "r": legend_w, "t": 0, "b": 0, "autoexpand": False},
        showlegend=True,
        legend={
            "font": {"size": legend_font},
            "grouptitlefont": {"size": legend_font},
            "x": 1.0,
            "xanchor": "left",
            "y": 1,
            "yanchor": "top",
            "bgcolor": "rgba(255,255,255,0.95)",
            "tracegroupgap": round(8 * u),
            "itemwidth": 30,
        },
        hoverlabel={"font": {"size": screen.px("legend")}},
    )
    return fig


def _drop_cut_names(fig: go.Figure, layout) -> None:
    """Country names whose text the map's frame would cut (a name half off the edge reads as
    another word) are left out; the countries stay coloured."""
    from dashboard.figures.labels import Frame

    geo = fig.layout.geo
    frame = Frame(
        tuple(geo.lonaxis.range), tuple(geo.lataxis.range), layout.main_width, layout.height_px
    )
    x0, y0, x1, y1 = frame.view_px
    for t in fig.data:
        if t.name != "country names" or not t.text:
            continue
        size = t.textfont.size or layout.font_px
        keep = []
        for lon, lat, text in zip(t.lon, t.lat, t.text):
            w, h = text_size(text, size)
            x, y = frame.to_px(lon, lat)
            keep.append(x - w / 2 >= x0 and x + w / 2 <= x1 and y - h / 2 >= y0 and y + h / 2 <= y1)
        t.lon = [v for v, k in zip(t.lon, keep) if k]
        t.lat = [v for v, k in zip(t.lat, keep) if k]
        t.text = [v for v, k in zip(t.text, keep) if k]


def _fit_legend(fig: go.Figure, legend_w: float, room_h: float, u: float) -> float:
    """The legend's entries wrapped to its column, at the largest size (22 px at 1080p, not
    under 17) whose lines fit the height it has: a plotly legend that overflows scrolls."""
    entries = [t for t in fig.data if t.showlegend]
    names = [str(t.name or "") for t in entries]
    titles = [
        t.legendgrouptitle.text if t.legendgrouptitle and t.legendgrouptitle.text else None
        for t in entries
    ]
    size = TYPE["legend"] * u
    while True:
        lines = 0.0
        for name, title in zip(names, titles):
            lines += wrap(name, legend_w - 48 * u - 8, size).count("<br>") + 1
            if title:
                lines += wrap(title, legend_w - 12, size).count("<br>") + 1.6
        height = lines * size * 1.35 + len(entries) * 4
        if height <= room_h - 16 or size <= TYPE["legend_min"] * u:
            break
        size -= u
    for t, name, title in zip(entries, names, titles):
        t.name = wrap(name, legend_w - 48 * u - 8, size)
        if title:
            t.legendgrouptitle.text = wrap(title, legend_w - 12, size)
    return size


def projected_sankey(fig_builder, screen: Screen) -> go.Figure:
    """A Sankey rebuilt for the figure box's width with projector type (its labels sit in
    margins it sizes for them); its height follows its bands, and where they would not fit the
    box the type steps down until they do."""
    from dashboard.figures.flowmap import Layout

    width, height = math.floor(screen.stage_w), math.floor(screen.stage_h)
    font = screen.px("chart")
    for _ in range(5):
        fig = fig_builder(Layout(width_px=width, height_px=height, font_px=font))
        if (fig.layout.height or 0) <= height:
            break
        font *= 0.9
    fig.update_layout(width=width, height=min(fig.layout.height or height, height), autosize=False)
    return fig


def projected_chart(fig: go.Figure, screen: Screen, kind: str) -> go.Figure:
    """A chart at the size of the slide's figure box with projector type; the page shows title,
    caption and source."""
    fig = go.Figure(fig)
    u = screen.u
    base = screen.px("chart")
    fig.update_layout(
        font={"size": base, "color": "#111111"},
        legend={
            "font": {"size": base},
            "x": 1.01,
            "xanchor": "left",
            "y": 1,
            "yanchor": "top",
            "bgcolor": "rgba(255,255,255,0.95)",
        },
        hoverlabel={"font": {"size": base}},
        margin={"l": round(130 * u), "r": round(20 * u), "t": round(40 * u), "b": round(80 * u)},
        paper_bgcolor="white",
        autosize=False,
        width=math.floor(screen.stage_w),
        height=math.floor(screen.stage_h),
    )
    fig.layout.title = None
    for t in fig.data:
        if t.type == "bar":
            t.textfont.size = screen.px("chart_values")
        if t.type == "scatter" and t.marker is not None and t.mode and "markers" in t.mode:
            size = t.marker.size
            if isinstance(size, int | float):
                t.marker.size = size * 1.6 * u
    if kind == "chart":
        fig.update_xaxes(tickfont={"size": base}, title_font={"size": base}, automargin=True)
        fig.update_yaxes(tickfont={"size": base}, title_font={"size": base}, automargin=True)
    return fig


# ---------------------------------------------------------------- the key-figures table


@dataclass(frozen=True)
class Row:
    label: str
    value: str
    period: str
    source: str

    @property
    def more(self) -> bool:
        """The last row a view adds when rows are left out ('and N more key figures')."""
        return not self.value and not self.period and self.label.startswith("and ")


def table_rows(fig: go.Figure) -> list[Row]:
    """The rows of a view's table (go.Table), as the view wrote them."""
    cells = fig.data[0].cells.values if fig.data else []
    columns = [list(c) for c in cells] if cells else [[], [], [], []]
    while len(columns) < 4:
        columns.append([""] * len(columns[0]))
    return [Row(*(str(c[i] or "") for c in columns[:4])) for i in range(len(columns[0]))]


def table_parts(rows: list[Row]) -> list[tuple[str, Row | str]]:
    """The table top to bottom: ('source', text) before each run of rows with one source (so
    that a citation is said once, not on every row), ('row', row) and ('more', row)."""
    out: list[tuple[str, Row | str]] = []
    current = None
    for r in rows:
        if r.more:
            out.append(("more", r))
            continue
        if r.source != current:
            current = r.source
            out.append(("source", f"Source: {r.source}" if r.source else "Source not stated"))
        out.append(("row", r))
    return out


def part_height(kind: str, part: Row | str, screen: Screen) -> float:
    """A table row's height in px: its tallest cell's lines, the cells' padding and its rule."""
    u = screen.u
    pad = 2 * CELL_PAD_Y * u + 2  # padding, the row's rule, and a pixel for rounding
    if kind == "source":
        width = screen.stage_w - 2 * CELL_PAD_X * u
        lines = line_count(str(part), width, TYPE["table_small"] * u)
        return lines * TYPE["table_small"] * u * LINE["table"] + pad
    if kind == "more" or isinstance(part, str):
        return TYPE["table"] * u * LINE["table"] + pad
    widths = [screen.stage_w * share - 2 * CELL_PAD_X * u for _, share in TABLE_COLUMNS]
    cells = [
        (part.label, TYPE["table"], False),
        (part.value, TYPE["table_value"], True),
        (part.period, TYPE["table"], False),
    ]
    return pad + max(
        line_count(text, width, size * u, bold) * size * u * LINE["table"]
        for (text, size, bold), width in zip(cells, widths)
    )


def rows_that_fit(rows: list[Row], screen: Screen) -> int | None:
    """None if every row fits the figure box; else how many rows to ask the view for (the last
    of them its 'and N more' row)."""
    header = part_height("header", " ", screen)
    room = screen.stage_h - header - 4
    parts = table_parts(rows)
    if sum(part_height(k, p, screen) for k, p in parts) <= room:
        return None
    used, fit = part_height("more", " ", screen), 0
    for kind, part in parts:
        if kind == "more":
            break
        used += part_height(kind, part, screen)
        if used > room:
            break
        fit += kind == "row"
    return max(2, fit + 1)


# ---------------------------------------------------------------- the events list

MONTHS_SHORT = [m[:3] for m in MONTHS]


def _date_parts(text: str) -> list[int]:
    return [int(p) for p in str(text).split("-")]


def short_date(start: str, end: str | None = None) -> str:
    """'Jun 2023', '10–11 May 2023', 'Jan–Jun 2023', '28 Oct–2 Nov 2023', '2023'."""

    def one(p: list[int], year: bool = True) -> str:
        if len(p) == 1:
            return str(p[0])
        core = MONTHS_SHORT[p[1] - 1] if len(p) == 2 else f"{p[2]} {MONTHS_SHORT[p[1] - 1]}"
        return f"{core} {p[0]}" if year else core

    s = _date_parts(start)
    e = _date_parts(end) if end else None
    if not e or e == s:
        return one(s)
    if s[0] == e[0] and len(s) > 1 and len(e) > 1:
        if len(s) == 3 and len(e) == 3 and s[1] == e[1]:
            return f"{s[2]}–{e[2]} {MONTHS_SHORT[s[1] - 1]} {s[0]}"
        return f"{one(s, year=False)}–{one(e)}"
    return f"{one(s)}–{one(e)}"


def _says_more(label: str, start: str, end: str | None) -> bool:
    """Whether the record's own date words say more than the short date ('first half of 2023',
    'not dated', '42nd ASEAN Summit'), rather than the same date in other words."""
    text = str(label or "").strip().lower()
    if not text or re.fullmatch(r"\d{4}(-\d{2}){0,2}", text):
        return False
    for i, month in enumerate(MONTHS):
        text = text.replace(month.lower(), MONTHS_SHORT[i].lower())
    s = _date_parts(start)
    same = {short_date(start, end).lower(), str(s[0])}
    if len(s) > 1:
        same.add(MONTHS_SHORT[s[1] - 1].lower())
    return text not in same


def figure_words(f: pd.Series) -> str:
    """'2,714 rescued', 'at least 600 returned', 'at least 2,300 officials trained'; a figure
    that counts something other than people: 'Key countries of origin ...: 3'."""
    value = format_value(f["value"], f["unit"], f["qualifier"], f["value_max"])
    if f["unit"] == "people":
        return f"{value} {measure_label(f['measure'])}"
    if f["unit"] == "officials":
        return f"{value} officials {measure_label(f['measure'])}"
    return f"{f['label']}: {value}"


def counts_people(f: pd.Series) -> bool:
    return f["unit"] in ("people", "officials")


@dataclass(frozen=True)
class EventItem:
    id: str
    date: str  # 'Jun 2023', or the record's own words: 'First half of 2023'
    title: str  # the record's title
    figures: str  # '1,063 identified as victims · at least 1,000 rescued (Rappler, 5 May 2023)'
    detail: str  # 'Rescue · IOM (February 2024) — Philippines — Protection'
    lane: str  # a css class: operations, returns, policy, media

    @property
    def headline(self) -> str:
        return f"{self.title} · {self.figures}" if self.figures else self.title


def _date_rank(start: str) -> int:
    """Events dated only by their year come after those of that year with a month or a day."""
    return 1 if len(str(start)) == 4 else 0


def slide_events(dataset: Dataset, state: ViewState, picked: tuple[str, ...]) -> pd.DataFrame:
    """The events a slide lists: those it picks, else those its filters select; by date."""
    if picked:
        events = dataset.events[dataset.events["id"].isin(picked)]
    else:
        events = filter_events(dataset.events, dataset.figures, state.filters)
    keys = []
    for start, end in zip(events["date_start"], events["date_end"]):
        first, last = date_span(start, end)
        keys.append((first.year, _date_rank(start), first + (last - first) / 2))
    order = sorted(range(len(keys)), key=lambda i: (keys[i], events["id"].iloc[i]))
    return events.iloc[order]


def _credit(short: str) -> str:
    """'Rappler (5 May 2023)' -> 'Rappler, 5 May 2023' (to sit inside parentheses)."""
    found = re.fullmatch(r"(.*) \(([^()]*)\)", short)
    return f"{found.group(1)}, {found.group(2)}" if found else short


def _event_date(e: pd.Series) -> tuple[str, bool]:
    """The date shown for an event, and whether the record's own date words still need saying.
    Words such as 'first half of 2023' replace the short date; others ('not dated ...',
    '42nd ASEAN Summit') are said beside the source."""
    label = str(e["date_label"] or "").strip()
    if not _says_more(label, e["date_start"], e["date_end"]):
        return short_date(e["date_start"], e["date_end"]), False
    if re.search(r"\b\d{4}\b", label) and len(label) <= 24 and not label.startswith("reported"):
        return label[0].upper() + label[1:], False
    return short_date(e["date_start"], e["date_end"]), True


def event_items(dataset: Dataset, events: pd.DataFrame) -> list[EventItem]:
    """Each event's date, title, figures (people counted, with any other source that gives
    them) and the kind and source of the record."""
    figures = dataset.figures.set_index("id")
    items = []
    for _, e in events.iterrows():
        said: dict[str, list[str]] = {}  # the words of a figure, and the sources giving them
        other: list[str] = []
        for fid in e["figure_ids"]:
            if fid not in figures.index:
                continue
            f = figures.loc[fid]
            if not counts_people(f):
                other.append(figure_words(f))
                continue
            said.setdefault(figure_words(f), []).append(f["source_id"])
        parts = []
        for words, sources in said.items():
            others = [_credit(source_short(dataset, s)) for s in sources if s != e["source_id"]]
            if not others:
                parts.append(words)
            elif len(others) < len(sources):
                parts.append(f"{words} (also {'; '.join(others)})")
            else:
                parts.append(f"{words} ({'; '.join(others)})")
        date, say_label = _event_date(e)
        detail = [str(e["kind"]).replace("_", " ").capitalize(), *other]
        if say_label:
            detail.append(str(e["date_label"]))
        detail.append(f"{source_short(dataset, e['source_id'])} — {e['section']}")
        items.append(
            EventItem(
                id=e["id"],
                date=date,
                title=str(e["title"]),
                figures=" · ".join(parts),
                detail=" · ".join(detail),
                lane=LANE_CLASS.get(LANE_OF.get(e["kind"], ""), "policy"),
            )
        )
    return items


def event_height(item: EventItem, screen: Screen) -> float:
    u = screen.u
    body_w = screen.stage_w - (EVENT_DATE_W + EVENT_MARK + 16 + 18) * u
    date_w = (EVENT_DATE_W - 16) * u
    date_h = line_count(item.date, date_w, TYPE["event_date"] * u, bold=True)
    date_h *= TYPE["event_date"] * u * LINE["event"]
    runs = [(item.title, False)] + ([(f" · {item.figures}", True)] if item.figures else [])
    title_h = line_count(runs, body_w, TYPE["event_title"] * u)
    title_h *= TYPE["event_title"] * u * LINE["event"]
    detail_h = line_count(item.detail, body_w, TYPE["event_small"] * u)
    detail_h *= TYPE["event_small"] * u * LINE["event"]
    return max(date_h, title_h + detail_h) + EVENT_GAP * u + 1


def events_that_fit(items: list[EventItem], screen: Screen) -> int:
    """How many of the events fit the figure box, keeping a line for 'and N more'."""
    room = screen.stage_h - 4
    heights = [event_height(i, screen) for i in items]
    if sum(heights) <= room:
        return len(items)
    room -= TYPE["event_title"] * screen.u * LINE["event"] + EVENT_GAP * screen.u
    used, fit = 0.0, 0
    for h in heights:
        if used + h > room:
            break
        used += h
        fit += 1
    return fit


def events_period(events: pd.DataFrame) -> str:
    if events.empty:
        return "no events"
    years = sorted({int(str(d)[:4]) for d in events["date_start"]})
    years += [int(str(d)[:4]) for d in events["date_end"] if d]
    lo, hi = min(years), max(years)
    return str(lo) if lo == hi else f"{lo}–{hi}"
