"""Publication export: a figure framed to stand on its own, written as PNG, SVG or PDF.

The same figure builders as the screen (dashboard.figures.views); here they get a title, a
legend laid out for the page, the source line, the period and (for maps) the disclaimer, sized in
millimetres. kaleido renders them with Debian's Chromium, loading plotly.js and the base-map
topojson from local files, so export works with no network. One browser serves a whole batch.
"""

from __future__ import annotations

import math
import os
import shutil
import struct
import textwrap
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path

import plotly
import plotly.graph_objects as go
import plotly.io as pio

from dashboard.figures.views import ViewMeta

ROOT = Path(__file__).resolve().parents[2]
TOPOJSON = ROOT / "assets" / "topojson"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
FORMATS = ("png", "svg", "pdf")
PRESETS = {"column": 85.0, "full": 180.0}  # one journal column, full page width (mm)
ASPECT = {"map": 0.68, "chart": 0.55, "table": 0.7, "sankey": 0.55}  # plot height / width
CSS_DPI = 96
MM_PER_INCH = 25.4
FONT = "DejaVu Sans, Arial, sans-serif"
INK = "#1a1a1a"
MUTED = "#3d3d3d"


class ExportUnavailable(RuntimeError):
    """Static export cannot run here (no Chromium); the message says what to install."""


class ExportError(ValueError):
    """An export request that cannot be honoured (size, format); the message says why."""


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


def map_aspect(fig: go.Figure) -> float:
    """Height / width of the map's Mercator frame, so the plot area fits it without margins."""
    lon = fig.layout.geo.lonaxis.range
    lat = fig.layout.geo.lataxis.range

    def y(v: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(v) / 2))

    return (y(lat[1]) - y(lat[0])) / math.radians(lon[1] - lon[0])


def _legend_rows(items: list[str], width: float, font_px: float) -> int:
    """Rows of a horizontal legend: plotly sets its entries in columns as wide as the widest."""
    if not items:
        return 0
    entry = max(len(n) for n in items) * font_px * 0.5 + 40
    return math.ceil(len(items) / max(1, int(width // entry)))


def _table_height(fig: go.Figure, width: float) -> float:
    """Height a go.Table needs so that no row is cut: wrapped lines per row, summed."""
    table = fig.data[0]
    widths = list(table.columnwidth or [1] * len(table.cells.values))
    total = sum(widths)
    font = (table.cells.font.size or 12) if table.cells.font else 12
    height = (table.header.height or 28) + 4
    for row in zip(*table.cells.values):
        lines = max(
            math.ceil(len(str(v)) / max(8, (width * cw / total - 10) / (font * 0.56)))
            for v, cw in zip(row, widths)
        )
        height += max(table.cells.height or 24, lines * font * 1.4 + 12)
    return height


def _wrap(text: str, width_css: float, font_px: float) -> list[str]:
    chars = max(20, int(width_css / (font_px * 0.55)))
    return textwrap.wrap(text, chars) or [""]


def _legend_items(fig: go.Figure) -> list[str]:
    return [
        t.name
        for t in fig.data
        if t.type not in ("choropleth", "sankey", "table")
        and t.name
        and t.showlegend is not False
        and t.visible not in (False, "legendonly")
    ]


def frame_for_print(
    fig: go.Figure, meta: ViewMeta, page: Page, title: str | None = None
) -> tuple[go.Figure, int, int]:
    """The figure with title, legend, source, period and disclaimer; its size in CSS px."""
    w = page.width_css
    base, small, title_px = 11.0, 9.5, 13.5
    map_h = None
    if meta.kind == "map" and meta.rebuild is not None:
        # labels are placed for the size the map is printed at
        from dashboard.figures.flowmap import Layout

        plot_w = w - 12
        map_h = plot_w * (0.6 if plot_w >= 420 else 0.95)
        if page.height_mm is not None:
            map_h = None
        else:
            fig = meta.rebuild(
                Layout(
                    width_px=plot_w,
                    height_px=map_h,
                    insets=plot_w >= 420,
                    legend=True,
                    font_px=small,
                    scale=0.8,
                )
            )
    if meta.kind == "sankey" and meta.rebuild is not None:
        from dashboard.figures.flowmap import Layout

        fig = meta.rebuild(Layout(width_px=w, font_px=small))
    fig = go.Figure(fig)
    # the frame writes its own title and footer; a map's inset titles stay
    fig.layout.annotations = [
        a for a in fig.layout.annotations if (a.name or "").startswith("inset")
    ]
    fig.layout.title = None
    # legend: one row-wrapped block under the plot, entries of a fixed share of the width
    items = _legend_items(fig)
    legend_rows = _legend_rows(items, w - 12, small)
    legend_h = legend_rows * (small * 1.9 + 2) + (8 if items else 0)
    for t in fig.data:  # one flowing block of entries: no groups, no group titles
        if t.type not in ("sankey", "table"):
            t.legendgroup = None
            t.legendgrouptitle = None
    footer = [
        ("Sources: " if len(meta.sources) > 1 else "Source: ") + "; ".join(meta.sources) + "."
    ]
    footer.append(f"Period: {meta.period}.")
    footer += meta.notes
    if meta.disclaimer:
        from dashboard.figures.flowmap import DISCLAIMER

        footer.append(DISCLAIMER)
    lines = [line for text in footer for line in _wrap(text, w - 12, small)]
    footer_h = len(lines) * small * 1.3 + 8
    title_lines = _wrap(title or meta.title, w - 12, title_px)
    top = len(title_lines) * title_px * 1.3 + 14
    bottom = legend_h + footer_h + 8
    plot_h = map_h or (w - 12) * (map_aspect(fig) if meta.kind == "map" else ASPECT[meta.kind])
    if meta.kind == "table":
        plot_h = _table_height(fig, w - 12)
    if page.height_mm is not None:
        plot_h = max(80.0, page.height_mm / MM_PER_INCH * CSS_DPI - top - bottom)
    height = round(top + plot_h + bottom)
    left = 6 if meta.kind != "chart" else 48
    right = 6
    if meta.kind == "sankey":
        # a Sankey lays out its own labels in its side margins, for the width it is drawn at
        plot_h = float(fig.layout.height or plot_h) - (fig.layout.margin.t or 0)
        left = fig.layout.margin.l or 8
        right = fig.layout.margin.r or 8
    x0 = -(left - 6) / max(1.0, w - left - right)  # the frame's text starts at the page's edge
    fig.update_layout(
        width=w,
        height=height,
        autosize=False,
        font={"family": FONT, "size": base, "color": INK},
        title=None,
        margin={"l": left, "r": right, "t": top, "b": bottom, "autoexpand": False},
        showlegend=bool(items),
        legend={
            "orientation": "h",
            "x": x0,
            "xanchor": "left",
            "y": 0,
            "yanchor": "top",
            "yref": "paper",
            "font": {"size": small},
            "bgcolor": "rgba(0,0,0,0)",
            "tracegroupgap": 0,
        },
        annotations=list(fig.layout.annotations)
        + [
            {
                "text": "<b>" + "<br>".join(title_lines) + "</b>",
                "xref": "paper",
                "yref": "paper",
                "x": x0,
                "y": 1,
                "xanchor": "left",
                "yanchor": "bottom",
                "yshift": 6,
                "align": "left",
                "showarrow": False,
                "font": {"size": title_px, "color": INK, "family": FONT},
            },
            {
                "text": "<br>".join(lines),
                "xref": "paper",
                "yref": "paper",
                "x": x0,
                "y": 0,
                "xanchor": "left",
                "yanchor": "top",
                "yshift": -legend_h - 4,
                "align": "left",
                "showarrow": False,
                "font": {"size": small, "color": MUTED, "family": FONT},
            },
        ],
        paper_bgcolor="white",
    )
    for t in fig.data:
        if t.type == "scattergeo" and t.mode and "text" in t.mode:
            t.textfont.size = small
        if t.type == "sankey":
            t.node.pad = 8
            t.node.thickness = 10
    if meta.kind == "chart":
        fig.update_xaxes(tickfont={"size": small})
        fig.update_yaxes(tickfont={"size": small}, title_font={"size": small})
        for t in fig.data:
            if getattr(t, "textfont", None) is not None and t.type == "bar":
                t.textfont.size = small
    return fig, w, height


def chromium_path() -> str | None:
    """The Chromium kaleido will drive: BROWSER_PATH, else Debian's, else one on PATH."""
    for candidate in (
        os.environ.get("BROWSER_PATH"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("google-chrome"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def _configure() -> str:
    path = chromium_path()
    if path is None:
        raise ExportUnavailable(
            "PNG, SVG and PDF export needs Chromium. On Debian: `apt-get install chromium` "
            "(or set BROWSER_PATH to a Chrome or Chromium binary). The dashboard, downloads "
            "and everything else work without it."
        )
    os.environ.setdefault("BROWSER_PATH", path)
    pio.defaults.topojson = TOPOJSON.as_uri()
    pio.defaults.plotlyjs = PLOTLY_JS.as_uri()
    pio.defaults.mathjax = None
    return path


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


class Exporter:
    """Writes figures with one Chromium kept open for the whole batch."""

    def __enter__(self) -> Exporter:
        _configure()
        try:
            import kaleido
        except ImportError:
            raise ExportUnavailable(
                "PNG, SVG and PDF export needs the kaleido package: pip install kaleido"
            ) from None

        kaleido.start_sync_server(silence_warnings=True)
        self._kaleido = kaleido
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self._kaleido.stop_sync_server(silence_warnings=True)
        except Exception:  # noqa: BLE001 - a stopped server needs no stopping
            pass

    def render(
        self, fig: go.Figure, meta: ViewMeta, fmt: str, page: Page, title: str | None = None
    ) -> bytes:
        if fmt not in FORMATS:
            raise ExportError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
        framed, w, h = frame_for_print(fig, meta, page, title)
        scale = page.scale if fmt == "png" else 1
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # "kopts ignored with a server"
                data = pio.to_image(framed, format=fmt, width=w, height=h, scale=scale)
        except Exception as exc:  # kaleido/choreographer raise many kinds
            raise ExportUnavailable(f"the figure could not be rendered: {exc}") from exc
        if fmt == "png":
            return _png_with_dpi(data, page.dpi)
        if fmt == "svg":
            return _svg_in_mm(data, w, h, page)
        return data

    def write(
        self,
        fig: go.Figure,
        meta: ViewMeta,
        path: Path,
        fmt: str,
        page: Page,
        title: str | None = None,
    ) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.render(fig, meta, fmt, page, title))
        return path
