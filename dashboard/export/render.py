"""Publication export: a figure framed to stand on its own, written as PNG, SVG or PDF.

The same figure builders as the screen (dashboard.figures.views), laid out for the printed page:
a title that says what is drawn, a subtitle with the measure and period, the plot, a legend of
the marks drawn, at most two one-line notes, a source line of at most two lines (the full list
of sources goes to the sources CSV written beside the figure, see `sources.py`) and, for maps,
the disclaimer. Sizes are in millimetres; the figure is laid out at its printed width in CSS px
(96 per inch), so a font of 9.33 px prints at 7 pt.

The page is one plotly figure with no margins: the view's own subplots are moved into the plot
band, and the frame's text and legend are drawn on a hidden overlay axis measured in page px,
placed with the label engine's metrics of DejaVu Sans (dashboard.figures.labels), so nothing is
left to plotly's automatic margins. kaleido renders it with Debian's Chromium, which one
process keeps open for every export (`browser.py`), loading plotly.js and the base-map topojson
from local files: export works with no network.
"""

from __future__ import annotations

import math
import struct
import warnings
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

import plotly.graph_objects as go

from dashboard.export import browser
from dashboard.export.browser import PLOTLY_JS, TOPOJSON, BrowserUnavailable  # noqa: F401
from dashboard.figures.labels import anchor_for_box, text_size
from dashboard.figures.views import REPORT, ViewMeta
from geodata.schema import cell_problem

FORMATS = ("png", "svg", "pdf")
PRESETS = {"column": 85.0, "full": 180.0}  # one journal column, full page width (mm)
COLUMN_MAX_HEIGHT_MM = 110.0
CSS_DPI = 96
MM_PER_INCH = 25.4
PT_PX = CSS_DPI / 72  # px per point at the printed size
MIN_PT = 7.0  # the smallest text a full-width figure prints
FONT = "DejaVu Sans, Arial, sans-serif"
INK = "#1a1a1a"
MUTED = "#3d3d3d"
PAD = 6.0  # px between the page's edge and its text
OVERLAY = ("x9", "y9")  # the frame's own axis, in page px
WIDE_CSS = 500  # pages at least this wide (about 132 mm) get the full layout


class ExportUnavailable(RuntimeError):
    """Static export cannot run here (no Chromium); the message says what to install."""


class ExportError(ValueError):
    """An export request that cannot be honoured (size, format); the message says why."""


class EmptyExport(ValueError):
    """The selection draws nothing: the message says what is missing (and what has data)."""

    def __init__(self, message: str, suggestions: tuple = ()) -> None:
        super().__init__(message)
        self.suggestions = suggestions


@dataclass(frozen=True)
class Page:
    width_mm: float
    height_mm: float | None = None
    dpi: int = 300

    def __post_init__(self) -> None:
        if not 20 <= self.width_mm <= 600:
            raise ExportError(f"width {self.width_mm:g} mm is outside 20–600 mm")
        if self.height_mm is not None and not 20 <= self.height_mm <= 900:
            raise ExportError(f"height {self.height_mm:g} mm is outside 20–900 mm")
        if not 72 <= self.dpi <= 1200:
            raise ExportError(f"{self.dpi} dpi is outside 72–1200")

    @property
    def width_css(self) -> int:
        return round(self.width_mm / MM_PER_INCH * CSS_DPI)

    @property
    def width_px(self) -> int:
        """Pixels of a PNG at this dpi: 180 mm at 300 dpi is 2126."""
        return round(self.width_mm / MM_PER_INCH * self.dpi)

    @property
    def scale(self) -> float:
        return self.width_px / self.width_css

    @property
    def wide(self) -> bool:
        return self.width_css >= WIDE_CSS

    @property
    def max_height_css(self) -> float | None:
        """The height the page must keep within: its own, or a column's 110 mm."""
        if self.height_mm is not None:
            return mm_to_css(self.height_mm)
        if not self.wide:
            return mm_to_css(COLUMN_MAX_HEIGHT_MM)
        return None


def mm_to_css(mm: float) -> float:
    return mm / MM_PER_INCH * CSS_DPI


@dataclass(frozen=True)
class Type:
    """Font sizes (CSS px) of a page: at full width nothing is under 7 pt (9.33 px)."""

    title: float
    subtitle: float
    body: float  # legend, notes, source line, disclaimer, axes
    labels: float  # the map's labels (its country names are 0.95 of this)
    sankey: float  # a Sankey's node labels (its counts are 1 px smaller)


def type_for(page: Page) -> Type:
    if page.wide:
        return Type(title=14.0, subtitle=10.5, body=9.5, labels=10.0, sankey=10.5)
    return Type(title=11.0, subtitle=8.8, body=8.2, labels=9.5, sankey=9.5)


# ---------------------------------------------------------------- text


def measure(text: str, font_px: float, bold: bool = False) -> float:
    return text_size(f"<b>{text}</b>" if bold else text, font_px)[0]


def wrap(text: str, width: float, font_px: float, bold: bool = False) -> list[str]:
    """The text broken into lines no wider than `width` px (a word longer than that stays)."""
    lines: list[str] = []
    for word in text.split():
        if lines and measure(f"{lines[-1]} {word}", font_px, bold) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines or [""]


def block_height(n_lines: int, font_px: float) -> float:
    """Height of n lines of text as plotly sets them (see labels.text_size)."""
    return text_size("<br>".join(["x"] * max(1, n_lines)), font_px)[1]


# ---------------------------------------------------------------- the source line


def _year(date: str) -> str:
    return date[:4] if date else "n.d."


def _report_title(title: str, publisher: str) -> str:
    """'IOM's Regional Situation Report…' -> 'Regional Situation Report…': the publisher is
    named before it."""
    for lead in (f"{publisher}'s ", f"{publisher}’s "):
        if title.startswith(lead):
            return title[len(lead) :]
    return title


def _count_words(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def source_line(meta: ViewMeta, width: float, font_px: float, max_lines: int = 2) -> list[str]:
    """'Source: IOM (2024), Regional Situation Report…; 6 media reports and 1 other
    publication it cites, listed in the accompanying sources CSV', wrapped to at most
    `max_lines` lines of `width` px (the report's title is shortened with '…' if need be)."""
    used = list(meta.used)
    datasets = [u for u in used if u.dataset]
    if datasets:  # a user's case data: named, never counted among what the report cites
        named = "; ".join(f"{u.title}, {u.publisher}" for u in datasets)
        rest = [u for u in used if not u.dataset]
        lead = wrap(f"Case records: {named}.", width, font_px)
        if not rest:
            return lead[:max_lines]
        more = replace(meta, used=tuple(rest))
        return lead[:max_lines] + source_line(more, width, font_px, max_lines)
    report = next((u for u in used if u.id == REPORT), None)
    others = [u for u in used if u.id != REPORT]
    media = sum(1 for u in others if u.media)
    pubs = len(others) - media
    parts = []
    if media:
        parts.append(_count_words(media, "media report", "media reports"))
    if pubs:
        kind = "publication" if not media else "other publication"
        parts.append(_count_words(pubs, kind, kind + "s"))
    if report is not None:
        head = f"{report.publisher} ({_year(report.date)}), "
        title = _report_title(report.title, report.publisher)
        if parts:
            tail = f"; {' and '.join(parts)} it cites, listed in the accompanying sources CSV."
        else:
            tail = "; the sections used are listed in the accompanying sources CSV."
        label = "Sources: " if parts else "Source: "
    elif used:
        head, title = "", ""
        tail = " and ".join(parts) + ", listed in the accompanying sources CSV."
        label = "Sources: " if len(used) > 1 else "Source: "
    else:
        return []
    words = title.split()
    for keep in range(len(words), -1, -1):
        shown = " ".join(words[:keep]) + ("" if keep == len(words) else "…")
        lines = wrap(label + head + shown + tail, width, font_px)
        if len(lines) <= max_lines:
            return lines
    short = f"{label}{head.rstrip(', ')}; see the accompanying sources CSV."
    return wrap(short, width, font_px)[:max_lines]


# ---------------------------------------------------------------- the legend


@dataclass
class _Mark:
    kind: str  # "heading", "line", "marker", "circle", "fill"
    x: float
    y: float  # centre of the row
    w: float
    h: float
    text: str = ""
    entry: object = None


SWATCH_LINE = 22.0
# a narrow page's legend sets its headings in line with the entries: shorter ones
SHORT_HEADINGS = {
    "People counted at a place (circle area)": "Counted at a place",
    "Country's role in the report": "Role in the report",
}
SWATCH_GAP = 4.0
ITEM_GAP = 12.0
ROW_GAP = 3.0
GROUP_GAP = 3.0


def _swatch(entry, scale: float) -> tuple[float, float]:
    if entry.kind == "line":
        return SWATCH_LINE, max(2.0, entry.width * scale)
    if entry.kind == "fill":
        return 10.0, 10.0
    size = entry.size * scale if entry.kind == "circle" else max(7.0, entry.size * scale)
    return size, size


def legend_layout(
    entries, width: float, font_px: float, scale: float, inline: bool
) -> tuple[list[_Mark], float]:
    """Where each legend entry goes, in px from the legend's top left, and the height it takes.

    Entries are grouped; each group starts a new row with its heading in bold. `inline` (a
    narrow page) flows the heading and the entries together across the width; otherwise the
    headings make a column of their own and the entries flow beside them."""
    groups: dict[str, list] = {}
    for e in entries:
        group = e.group or ""
        groups.setdefault(SHORT_HEADINGS.get(group, group) if inline else group, []).append(e)
    text_h = block_height(1, font_px)
    heading_w = 0.0
    if not inline:
        widest = max((measure(g, font_px, True) for g in groups if g), default=0.0)
        heading_w = min(widest, 0.28 * width)
    marks: list[_Mark] = []
    y = 0.0
    for title, items in groups.items():
        x0 = heading_w + 10 if not inline and heading_w else 0.0
        rows: list[list[_Mark]] = [[]]
        x = x0
        heading_lines = []
        if title and inline:
            w = measure(title, font_px, True)
            rows[-1].append(_Mark("heading", x, 0, w, text_h, title))
            x += w + 8
        elif title:
            heading_lines = wrap(title, heading_w, font_px, bold=True)
        for e in items:
            sw, sh = _swatch(e, scale)
            w = sw + SWATCH_GAP + measure(e.label, font_px)
            if x > x0 and x + w > width:
                rows.append([])
                x = x0
            rows[-1].append(_Mark(e.kind, x, 0, w, max(sh, text_h), e.label, e))
            x += w + ITEM_GAP
        top = y
        for row in rows:
            h = max(m.h for m in row)
            for m in row:
                m.y = y + h / 2
            marks += row
            y += h + ROW_GAP
        if heading_lines:
            hh = block_height(len(heading_lines), font_px)
            marks.append(
                _Mark("heading", 0, top + hh / 2, heading_w, hh, "<br>".join(heading_lines))
            )
            y = max(y, top + hh + ROW_GAP)
        y += GROUP_GAP
    return marks, max(0.0, y - ROW_GAP - GROUP_GAP)


def _legend_traces(marks: list[_Mark], x0: float, y0: float, font_px: float, scale: float):
    """The legend as traces of the overlay axis (page px)."""
    from dashboard.figures.flowmap import BORDER, PLACE_FIGURE_LINE
    from dashboard.figures.flowmap import INK as MAP_INK

    xa, ya = OVERLAY
    traces = []
    texts, tx, ty, heads, hx, hy = [], [], [], [], [], []
    for m in marks:
        cy = y0 + m.y
        if m.kind == "heading":
            heads.append(f"<b>{m.text}</b>")
            ax, ay = anchor_for_box(
                (x0 + m.x, cy - m.h / 2, 0, 0), f"<b>{m.text}</b>", "bottom right", font_px
            )
            hx.append(ax)
            hy.append(ay)
            continue
        e = m.entry
        sw, sh = _swatch(e, scale)
        sx = x0 + m.x
        common = {"xaxis": xa, "yaxis": ya, "hoverinfo": "skip", "showlegend": False}
        if e.kind == "line":
            traces.append(
                go.Scatter(
                    x=[sx, sx + sw],
                    y=[cy, cy],
                    mode="lines",
                    line={"color": e.colour, "width": sh, "dash": e.dash},
                    cliponaxis=False,
                    name="legend line",
                    **common,
                )
            )
        else:
            if e.kind == "circle":
                marker = {
                    "size": sw,
                    "color": e.colour,
                    "line": {"width": 1, "color": PLACE_FIGURE_LINE},
                }
            elif e.kind == "fill":
                marker = {
                    "symbol": "square",
                    "size": sw,
                    "color": e.colour,
                    "line": {"width": 1, "color": BORDER},
                }
            else:
                marker = {
                    "symbol": e.symbol,
                    "size": sw,
                    "color": e.colour,
                    "line": {"width": 1, "color": MAP_INK},
                }
            traces.append(
                go.Scatter(
                    x=[sx + sw / 2],
                    y=[cy],
                    mode="markers",
                    marker=marker,
                    cliponaxis=False,
                    name="legend mark",
                    **common,
                )
            )
        texts.append(m.text)
        tx.append(sx + sw + SWATCH_GAP)
        ty.append(cy)
    if texts:
        traces.append(_text(tx, ty, texts, font_px, INK, "middle right", "legend"))
    if heads:
        traces.append(_text(hx, hy, heads, font_px, INK, "bottom right", "legend headings"))
    return traces


def _text(xs, ys, texts, font_px: float, colour: str, position: str, name: str) -> go.Scatter:
    return go.Scatter(
        x=list(xs),
        y=list(ys),
        text=list(texts),
        mode="text",
        textposition=position,
        textfont={"size": font_px, "color": colour, "family": FONT},
        cliponaxis=False,
        hoverinfo="skip",
        showlegend=False,
        name=name,
        xaxis=OVERLAY[0],
        yaxis=OVERLAY[1],
    )


def _block(
    x: float, y: float, lines: list[str], font_px: float, colour: str, name: str, bold=False
):
    """A left-aligned block of lines whose top is at (x, y) page px."""
    text = "<br>".join(f"<b>{line}</b>" if bold else line for line in lines)
    ax, ay = anchor_for_box((x, y, 0, 0), text, "bottom right", font_px)
    return _text([ax], [ay], [text], font_px, colour, "bottom right", name)


# ---------------------------------------------------------------- the page


@dataclass
class Chrome:
    """The frame's text around the plot, wrapped for the page, and the heights it takes."""

    title: list[str]
    subtitle: list[str]
    notes: list[list[str]]
    source: list[str]
    disclaimer: list[str]
    legend: list[_Mark]
    legend_h: float
    type: Type

    @property
    def top(self) -> float:
        t = self.type
        h = PAD + block_height(len(self.title), t.title)
        if self.subtitle:
            h += 3 + block_height(len(self.subtitle), t.subtitle)
        return h + 8

    @property
    def footer_blocks(self) -> list[tuple[list[str], str]]:
        blocks = [(lines, "note") for lines in self.notes]
        if self.source:
            blocks.append((self.source, "source"))
        if self.disclaimer:
            blocks.append((self.disclaimer, "disclaimer"))
        return blocks

    @property
    def bottom(self) -> float:
        h = 8.0
        if self.legend:
            h += self.legend_h + 8
        blocks = self.footer_blocks
        h += sum(block_height(len(lines), self.type.body) for lines, _ in blocks)
        h += 2.5 * max(0, len(blocks) - 1)
        return h + PAD


def chrome_for(meta: ViewMeta, page: Page, title: str | None = None, insets: bool = False):
    t = type_for(page)
    inner = page.width_css - 2 * PAD
    title_lines = wrap(title or meta.title, inner, t.title, bold=True)
    subtitle = meta.subtitle
    sub_lines = wrap(subtitle, inner, t.subtitle) if subtitle else []
    if len(sub_lines) > 2 and meta.subtitle_short:
        sub_lines = wrap(meta.subtitle_short, inner, t.subtitle)
    notes = list(meta.notes)
    if meta.kind == "map" and insets:
        notes.append(INSET_NOTE)
    notes = [wrap(n, inner, t.body) for n in notes[:2]]
    disclaimer = []
    if meta.disclaimer:
        from dashboard.figures.flowmap import DISCLAIMER

        disclaimer = wrap(DISCLAIMER, inner, t.body)
    marks, legend_h = [], 0.0
    if meta.legend:
        marks, legend_h = legend_layout(meta.legend, inner, t.body, meta.scale, not page.wide)
    return Chrome(
        title=title_lines,
        subtitle=sub_lines,
        notes=notes,
        source=source_line(meta, inner, t.body),
        disclaimer=disclaimer,
        legend=marks,
        legend_h=legend_h,
        type=t,
    )


INSET_NOTE = "Insets draw no borders (too coarse at that scale); each place's country is named."
MAP_SCALE = {True: 0.8, False: 0.7}  # line and marker scale of a printed map (wide, narrow)


def map_layout(page: Page, chrome: Chrome | None = None, ratio: float | None = None):
    """The flow map's Layout for the page: a wide page gets the insets beside the map; a
    column the map alone, as tall as the page's 110 mm leave room for. `ratio` (height /
    width) asks for another height within that room."""
    from dashboard.figures.flowmap import Layout

    t = type_for(page)
    plot_w = page.width_css - 2 * PAD
    height = plot_w * (ratio or (0.6 if page.wide else 0.8))
    limit = page.max_height_css
    if limit is not None and chrome is not None:
        room = limit - chrome.top - chrome.bottom - 1
        height = room if page.height_mm is not None else min(height, room)
        height = max(height, plot_w * 0.45 if not page.wide else 120.0)
    return Layout(
        width_px=plot_w,
        height_px=round(height),
        insets=page.wide,
        legend=False,
        font_px=t.labels,
        scale=MAP_SCALE[page.wide],
    )


# heights (of the width) a wide page's map tries, in order, until its labels fit
WIDE_RATIOS = (0.6, 0.58, 0.64, 0.62, 0.66, 0.56)
LONG_LEADER = 0.12  # a leader longer than this share of the map's width sends a label afar
NARROW_SHRINK = (1.0, 0.96, 0.92, 0.88)  # a column's map: the room it has, then less


_FITTED: dict = {}  # the height fit_map chose, by what was drawn: a repeated export builds once


def fit_map(meta: ViewMeta, page: Page, chrome: Chrome, key: object = None):
    """(figure, layout, problems): the map built at the first of a few heights at which no two
    of its texts overlap and none leaves its frame, else at the one with the fewest such
    problems (listed in words). The label engine places labels for one size; a little taller
    or shorter often leaves it room it did not find. Among heights without such problems, one
    without a long leader line is preferred. With a `key` (what the map draws, for which page),
    the height chosen is remembered and tried first next time."""
    from dashboard.export.labelcheck import drop_cut_names, leader_lengths, move_scale_bars
    from dashboard.export.labelcheck import problems as text_problems

    if page.height_mm is not None:
        tries = [map_layout(page, chrome)]
    elif page.wide:
        tries = [map_layout(page, chrome, ratio) for ratio in WIDE_RATIOS]
    else:
        first = map_layout(page, chrome)
        tries = [replace(first, height_px=round(first.height_px * k)) for k in NARROW_SHRINK]
    remembered = _FITTED.get(key) if key is not None else None
    if remembered is not None:
        tries.insert(0, remembered)
    best = None
    body = type_for(page).body
    for layout in dict.fromkeys(tries):
        fig = meta.rebuild(layout)
        _print_sizes(fig, body)
        drop_cut_names(fig, layout.width_px, layout.height_px)
        move_scale_bars(fig, layout.width_px, layout.height_px)
        found = text_problems(fig, layout.width_px, layout.height_px)
        longest = max(leader_lengths(fig, layout.width_px, layout.height_px), default=0.0)
        score = (len(found), longest > LONG_LEADER * layout.width_px, longest)
        if best is None or score < best[3]:
            best = (fig, layout, found, score)
        if score[:2] == (0, False) or layout == remembered:
            break  # good, or the best of all the heights tried last time
    fig, layout, found, _ = best
    if key is not None:
        if len(_FITTED) > 256:
            _FITTED.clear()
        _FITTED[key] = layout
    fig.layout.meta = {
        **(fig.layout.meta or {}),
        "map_height": layout.height_px,
        "label_problems": found,
    }
    return fig, layout, found


def _print_sizes(fig: go.Figure, body: float) -> None:
    """No text of a printed map under the page's body size: the insets' scale bars."""
    for tr in fig.data:
        if tr.type == "scattergeo" and tr.name == "scale" and tr.textfont is not None:
            tr.textfont.size = max(tr.textfont.size or 0, body)


def sankey_layout(page: Page):
    from dashboard.figures.flowmap import Layout

    return Layout(width_px=page.width_css, font_px=type_for(page).sankey)


def print_state(view: str, state, page: Page):
    """The view state a page draws: a column's map leaves out the places shown only for
    orientation (it labels every place it draws, and has room for few)."""
    if view == "map" and not page.wide and "places" in state.layers:
        return state.with_(layers=tuple(x for x in state.layers if x != "places"))
    return state


def _print_options(view: str, page: Page, options):
    """The options a view is built with for a page: maps and Sankeys at their printed size."""
    from dashboard.figures.views import ViewOptions

    options = options or ViewOptions()
    if view == "map":
        return replace(options, layout=map_layout(page))
    if view == "sankey":
        return replace(options, layout=sankey_layout(page))
    return options


def print_meta(dataset, view: str, state, bounds: tuple[int, int], page: Page, options=None):
    """What a view printed on this page would draw (title, sources, emptiness), without
    drawing it: for the sources CSV and the empty check."""
    from dashboard.figures.views import build_view

    state = print_state(view, state, page)
    options = _print_options(view, page, options)
    if view in ("map", "sankey"):
        options = replace(options, build=False)
    return build_view(dataset, view, state, bounds, options)[1]


def print_figure(
    dataset,
    view: str,
    state,
    bounds: tuple[int, int],
    page: Page,
    title: str | None = None,
    options=None,
):
    """(figure, meta) of a view laid out for a page, each map or Sankey built once at its printed
    size. Raises EmptyExport when the selection draws nothing."""
    from dashboard.figures.views import build_view

    if title is not None and (why := cell_problem(title)):
        raise ExportError(f"title: {why}")
    state = print_state(view, state, page)
    options = _print_options(view, page, options)
    if view in ("map", "sankey"):
        _, meta = build_view(dataset, view, state, bounds, replace(options, build=False))
    else:
        fig, meta = build_view(dataset, view, state, bounds, options)
    if meta.empty:
        raise EmptyExport(meta.empty_message or "nothing to draw", meta.suggestions)
    if view == "profile" and page.max_height_css is not None and page.height_mm is None:
        fig, meta = _fit_rows(dataset, state, bounds, page, title, options, fig, meta)
    if view == "map":
        key = (id(dataset), state, page, title, repr(options.frame), options.events)
        chrome = chrome_for(meta, page, title, insets=page.wide)
        fig, _, _ = fit_map(meta, page, chrome, key)
    elif view == "sankey":
        fig = meta.rebuild(options.layout)
    return fig, meta


def _fit_rows(dataset, state, bounds, page: Page, title, options, fig, meta):
    """A column's table with as many rows as its 110 mm hold (the rest counted in its last row)."""
    from dashboard.figures.views import build_view

    limit = page.max_height_css
    rows = len(fig.data[0].cells.values[0])
    n = rows
    while n > 3 and frame_for_print(fig, meta, page, title, built=True)[2] > limit:
        n -= 1
        fig, meta = build_view(dataset, "profile", state, bounds, replace(options, max_rows=n))
    return fig, meta


def _remap(fig: go.Figure, x0: float, y0: float, pw: float, ph: float, W: float, H: float):
    """Move the view's subplots and paper-anchored annotations into the plot band (page px
    x0, y0, pw × ph) of a page of W × H px with no margins."""

    def fx(v: float) -> float:
        return (x0 + v * pw) / W

    def fy(v: float) -> float:
        return 1 - (y0 + (1 - v) * ph) / H

    layout = fig.layout
    for key in list(layout.to_plotly_json()):
        if key.startswith("geo") or key.startswith("xaxis") or key.startswith("yaxis"):
            sub = layout[key]
            dom = list(sub.domain.x if key.startswith("geo") else (sub.domain or [0, 1]))
            if key.startswith("geo"):
                sub.domain.x = [fx(dom[0]), fx(dom[1])]
                sy = list(sub.domain.y or [0, 1])
                sub.domain.y = [fy(sy[0]), fy(sy[1])]
            elif key.startswith("xaxis"):
                sub.domain = [fx(dom[0]), fx(dom[1])]
            else:
                sub.domain = [fy(dom[0]), fy(dom[1])]
    if "geo" not in layout.to_plotly_json() and any(t.type == "scattergeo" for t in fig.data):
        layout.geo.domain = {"x": [fx(0), fx(1)], "y": [fy(0), fy(1)]}
    for t in fig.data:
        if t.type in ("table", "sankey"):
            dx = list(t.domain.x or [0, 1])
            dy = list(t.domain.y or [0, 1])
            t.domain = {"x": [fx(dx[0]), fx(dx[1])], "y": [fy(dy[0]), fy(dy[1])]}
    for a in layout.annotations:
        if a.xref == "paper" or a.xref is None:
            a.x = fx(a.x if a.x is not None else 0.5)
        if a.yref == "paper" or a.yref is None:
            a.y = fy(a.y if a.y is not None else 0.5)
    for s in layout.shapes:
        if s.xref == "paper":
            s.x0, s.x1 = fx(s.x0), fx(s.x1)
        if s.yref == "paper":
            s.y0, s.y1 = fy(s.y0), fy(s.y1)


def _table_height(fig: go.Figure, width: float) -> float:
    """Height a go.Table needs so that no row is cut: wrapped lines per row, summed."""
    table = fig.data[0]
    widths = list(table.columnwidth or [1] * len(table.cells.values))
    total = sum(widths)
    font = (table.cells.font.size or 12) if table.cells.font else 12
    # plotly sets a cell's lines 1.5 font sizes apart, on a row at least `height` tall
    height = (table.header.height or 28) + 2
    for row in zip(*table.cells.values):
        lines = max(
            len(wrap(str(v), width * cw / total - 18, font)) if str(v) else 1
            for v, cw in zip(row, widths)
        )
        height += (table.cells.height or 24) + (lines - 1) * font * 1.5
    return height + 6


def _chart_plot(fig: go.Figure, meta: ViewMeta, page: Page, t: Type) -> tuple[float, float, float]:
    """(left, bottom, height) px of a chart's plot area: room for its axis labels."""
    inner = page.width_css - 2 * PAD
    left, bottom = PAD, t.body * 1.6 + 6
    layout = fig.layout
    if layout.yaxis.showticklabels is not False:
        if layout.yaxis.type == "category" or layout.yaxis.categoryarray:
            ticks = [str(c) for c in (layout.yaxis.categoryarray or [])]
        else:
            span = list(layout.yaxis.range or [])
            top = (
                span[-1]
                if span
                else max(
                    (max(v for v in tr.y if v is not None) for tr in fig.data if tr.y is not None),
                    default=0,
                )
            )
            ticks = [f"{top:.0f}"]
        widest = max((measure(s, t.body) for s in ticks), default=0.0)
        left = PAD + widest + 6
        if layout.yaxis.title and layout.yaxis.title.text:
            left += block_height(1, t.body) + 4
    if any(tr.orientation == "h" for tr in fig.data if tr.type == "bar"):
        height = max(70.0, inner * 0.2)
    elif layout.xaxis.type == "date":
        lanes = len(layout.yaxis.categoryarray or []) or 4
        height = max(lanes * 30.0, inner * 0.32)
    else:
        height = inner * (0.5 if page.wide else 0.62)
    return left, bottom, height


def frame_for_print(
    fig: go.Figure,
    meta: ViewMeta,
    page: Page,
    title: str | None = None,
    built: bool = False,
) -> tuple[go.Figure, int, int]:
    """The figure framed for the page: title, subtitle, plot, legend, notes, source line and
    (maps) disclaimer; its size in CSS px. A map or Sankey not `built` for this page is rebuilt
    for it (its labels are placed for the size it is printed at)."""
    W = page.width_css
    inner = W - 2 * PAD
    t = type_for(page)
    layout = None
    if meta.kind == "map" and meta.rebuild is not None and not built:
        fig, layout, _ = fit_map(meta, page, chrome_for(meta, page, title, insets=page.wide))
    if meta.kind == "sankey" and meta.rebuild is not None and not built:
        fig = meta.rebuild(sankey_layout(page))
    fig = go.Figure(fig)
    insets = meta.kind == "map" and any(
        (a.name or "") == "inset-title" for a in fig.layout.annotations
    )
    chrome = chrome_for(meta, page, title, insets=insets)
    # the frame writes its own title, notes and disclaimer; a map's inset titles stay
    fig.layout.annotations = [a for a in fig.layout.annotations if (a.name or "") == "inset-title"]
    fig.layout.title = None
    for tr in fig.data:
        if tr.type == "scattergeo" and tr.showlegend and tr.lon == (None,):
            tr.visible = False  # the screen's legend traces: the frame draws its own legend
    top = chrome.top
    x0 = PAD
    if meta.kind == "map":
        plot_w = float(inner)
        if layout is not None:
            plot_h = float(layout.height_px)
        else:  # built for this page by print_figure, which noted the height
            plot_h = float((fig.layout.meta or {}).get("map_height") or inner * 0.6)
        _print_sizes(fig, t.body)
    elif meta.kind == "sankey":
        m = fig.layout.margin
        x0 = float(m.l or 8)
        plot_w = W - x0 - float(m.r or 8)
        plot_h = float(fig.layout.height) - float(m.t or 0) - float(m.b or 0)
    elif meta.kind == "table":
        table = fig.data[0]
        table.header.font.size = t.body + 1
        table.cells.font.size = t.body + 0.5
        table.cells.height = round((t.body + 0.5) * 1.3 + 12)
        table.header.height = round((t.body + 1) * 1.4 + 12)
        plot_w = float(inner)
        plot_h = _table_height(fig, plot_w)
    else:
        left, bottom_axis, plot_h = _chart_plot(fig, meta, page, t)
        x0 = left
        right = PAD + (measure("Jan 2024", t.body) / 2 if fig.layout.xaxis.type == "date" else 4)
        plot_w = W - left - right
        fig.update_xaxes(tickfont={"size": t.body}, title_font={"size": t.body}, automargin=False)
        fig.update_yaxes(tickfont={"size": t.body}, title_font={"size": t.body}, automargin=False)
        for tr in fig.data:
            if tr.type == "bar":
                tr.textfont.size = t.body + 0.5
            if tr.type == "scatter" and tr.marker is not None and tr.mode == "markers":
                tr.marker.size = 10
        fig.update_layout(uniformtext={"minsize": t.body, "mode": "show"})
        top += 2
    if page.height_mm is not None and meta.kind != "map":
        axis = t.body * 1.6 + 4 if meta.kind == "chart" else 0.0
        plot_h = max(60.0, mm_to_css(page.height_mm) - top - chrome.bottom - axis)
    elif meta.kind == "sankey" and page.max_height_css is not None:
        # a column's Sankey is drawn flatter to fit its 110 mm, down to 0.6 of its height: the
        # bands' counts and the side labels keep their size
        room = page.max_height_css - top - 8 - chrome.bottom
        plot_h = max(plot_h * 0.6, min(plot_h, room))
    legend_top = top + plot_h + 8
    if meta.kind == "chart":
        legend_top += t.body * 1.6 + 4  # the x axis's tick labels
    H = round(legend_top - 8 + chrome.bottom)
    _remap(fig, x0, top, plot_w, plot_h, W, H)
    # the frame's text and legend, on an axis measured in page px
    traces = [_block(PAD, PAD, chrome.title, t.title, INK, "title", bold=True)]
    y = PAD + block_height(len(chrome.title), t.title)
    if chrome.subtitle:
        traces.append(_block(PAD, y + 3, chrome.subtitle, t.subtitle, MUTED, "subtitle"))
    y = legend_top
    if chrome.legend:
        traces += _legend_traces(chrome.legend, PAD, y, t.body, meta.scale)
        y += chrome.legend_h + 8
    for lines, name in chrome.footer_blocks:
        traces.append(_block(PAD, y, lines, t.body, MUTED, name))
        y += block_height(len(lines), t.body) + 2.5
    fig.add_traces(traces)
    fig.update_layout(
        width=W,
        height=H,
        autosize=False,
        margin={"l": 0, "r": 0, "t": 0, "b": 0, "pad": 0, "autoexpand": False},
        font={"family": FONT, "size": t.body, "color": INK},
        showlegend=False,
        paper_bgcolor="white",
        plot_bgcolor="rgba(0,0,0,0)",
        **{
            "xaxis9": {
                "domain": [0, 1],
                "range": [0, W],
                "visible": False,
                "fixedrange": True,
                "anchor": OVERLAY[1],
            },
            "yaxis9": {
                "domain": [0, 1],
                "range": [H, 0],
                "visible": False,
                "fixedrange": True,
                "anchor": OVERLAY[0],
            },
        },
    )
    fig.layout.meta = {
        **(fig.layout.meta if isinstance(fig.layout.meta, dict) else {}),
        "page": {
            "plot": [x0, top, plot_w, plot_h],
            "width": W,
            "height": H,
            "type": t.__dict__,
        },
    }
    return fig, W, H


def _png_with_dpi(data: bytes, dpi: int) -> bytes:
    """Add a pHYs chunk so the PNG opens at its physical size."""
    ppm = round(dpi / 0.0254)
    body = b"pHYs" + struct.pack(">IIB", ppm, ppm, 1)
    chunk = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    end_of_ihdr = 8 + 25
    return data[:end_of_ihdr] + chunk + data[end_of_ihdr:]


def _svg_in_mm(data: bytes, width_css: int, height_css: int, page: Page) -> bytes:
    """Give the SVG a physical size (mm) and a viewBox, so it prints at the size asked."""
    text = data.decode("utf-8")
    height_mm = height_css / CSS_DPI * MM_PER_INCH
    head = f'width="{width_css}" height="{height_css}"'
    if head in text:
        sized = f'width="{page.width_mm:g}mm" height="{height_mm:.1f}mm"'
        svg_tag = text[: text.index(">")]
        if "viewBox" not in svg_tag:
            sized += f' viewBox="0 0 {width_css} {height_css}"'
        text = text.replace(head, sized, 1)
    return text.encode("utf-8")


def chromium_path() -> str | None:
    return browser.chromium_path()


class Exporter:
    """Writes figures with the process's one Chromium (started on entry if need be; it stays
    open for later exports and stops when the process exits)."""

    def __enter__(self) -> Exporter:
        if chromium_path() is None:
            raise ExportUnavailable(browser.missing_message())
        try:
            browser.shared()
        except BrowserUnavailable as exc:
            raise ExportUnavailable(str(exc)) from exc
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def render(
        self,
        fig: go.Figure,
        meta: ViewMeta,
        fmt: str,
        page: Page,
        title: str | None = None,
        built: bool = False,
    ) -> bytes:
        if fmt not in FORMATS:
            raise ExportError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
        if meta.empty:
            raise EmptyExport(meta.empty_message or "nothing to draw", meta.suggestions)
        framed, w, h = frame_for_print(fig, meta, page, title, built=built)
        return render_framed(framed, w, h, fmt, page)

    def write(
        self,
        fig: go.Figure,
        meta: ViewMeta,
        path: Path,
        fmt: str,
        page: Page,
        title: str | None = None,
        built: bool = False,
    ) -> Path:
        path = Path(path)
        data = self.render(fig, meta, fmt, page, title, built=built)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path


MAX_PIXELS = 60_000_000  # an A0 poster at 300 dpi is about 69 M; a browser canvas gives out beyond
SIGNATURES = {"png": (b"\x89PNG\r\n\x1a\n",), "pdf": (b"%PDF",), "svg": (b"<svg", b"<?xml")}


def render_framed(framed: go.Figure, w: int, h: int, fmt: str, page: Page) -> bytes:
    """PNG, SVG or PDF bytes of a framed figure, by the shared browser. A PNG larger than
    MAX_PIXELS is refused before rendering, and whatever comes back is checked to be the format
    asked for (a browser out of memory returns a few bytes of nothing)."""
    scale = page.scale if fmt == "png" else 1
    if fmt == "png":
        pixels = round(w * scale) * round(h * scale)
        if pixels > MAX_PIXELS:
            most = int(page.dpi * (MAX_PIXELS / pixels) ** 0.5)
            raise ExportError(
                f"{page.width_mm:g} mm at {page.dpi} dpi would be {round(w * scale):,} × "
                f"{round(h * scale):,} pixels ({pixels / 1e6:,.0f} million), over the "
                f"{MAX_PIXELS / 1e6:g} million a PNG may have: use at most {most} dpi at this "
                "width, or SVG or PDF, which print sharp at any size"
            )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            data = browser.render(framed.to_dict(), fmt, w, h, scale)
    except BrowserUnavailable as exc:
        raise ExportUnavailable(str(exc)) from exc
    except Exception as exc:  # kaleido/choreographer raise many kinds
        raise ExportUnavailable(f"the figure could not be rendered: {exc}") from exc
    if not data.lstrip()[:16].startswith(SIGNATURES[fmt]):
        raise ExportUnavailable(
            f"the browser returned {len(data):,} bytes that are not a {fmt.upper()} file; "
            "nothing was written (a smaller size or dpi may render)"
        )
    if fmt == "png":
        return _png_with_dpi(data, page.dpi)
    if fmt == "svg":
        return _svg_in_mm(data, w, h, page)
    return data


def min_font_px(fig: go.Figure) -> float:
    """The smallest font size (px) of any text a framed figure draws."""
    sizes = []
    for tr in fig.data:
        if tr.visible is False:
            continue
        mode = getattr(tr, "mode", None) or ""
        if "text" in mode and getattr(tr, "textfont", None) is not None:
            size = tr.textfont.size
            sizes += list(size) if isinstance(size, list | tuple) else [size]
    for a in fig.layout.annotations:
        sizes.append(a.font.size if a.font and a.font.size else fig.layout.font.size)
    return min(s for s in sizes if s is not None and not math.isnan(s))
