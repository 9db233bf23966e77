"""Where a built flow map's texts fall, estimated without a browser: every text point of every
geo subplot (labels, country names, the insets' scale bars) projected with the label engine's
model of plotly's Mercator (`labels.Frame`) and boxed with its metrics of DejaVu Sans.

The export uses it to choose, among a few heights of the printed map, one at which no two texts
overlap and none leaves its frame; the tests check the rendered SVG itself.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import plotly.graph_objects as go

from dashboard.figures.labels import Frame, label_box

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class MapText:
    geo: str
    text: str
    box: Box
    trace: int = -1  # index of its trace in fig.data
    point: int = -1  # index of the text in its trace


def _frames(fig: go.Figure, width_px: float, height_px: float) -> dict[str, Frame]:
    frames: dict[str, Frame] = {}
    layout = fig.layout
    for key in layout.to_plotly_json():
        if not key.startswith("geo"):
            continue
        geo = layout[key]
        dx = list(geo.domain.x or [0, 1])
        dy = list(geo.domain.y or [0, 1])
        frames[key] = Frame(
            tuple(geo.lonaxis.range),
            tuple(geo.lataxis.range),
            (dx[1] - dx[0]) * width_px,
            (dy[1] - dy[0]) * height_px,
        )
    return frames


def leader_lengths(fig: go.Figure, width_px: float, height_px: float) -> list[float]:
    """The length in px of every leader line drawn from a place to its label."""
    frames = _frames(fig, width_px, height_px)
    out = []
    for t in fig.data:
        if t.type != "scattergeo" or t.name != "leaders" or t.lon is None:
            continue
        frame = frames.get(t.geo or "geo")
        if frame is None:
            continue
        points: list = []
        for lon, lat in [*zip(t.lon, t.lat), (None, None)]:
            if lon is None or lat is None:
                if len(points) > 1:
                    out.append(sum(math.dist(a, b) for a, b in zip(points, points[1:])))
                points = []
            else:
                points.append(frame.to_px(lon, lat))
    return out


def map_texts(fig: go.Figure, width_px: float, height_px: float) -> tuple[list[MapText], dict]:
    """(texts, {geo: its visible box}) of a flow map built at width_px × height_px."""
    frames = _frames(fig, width_px, height_px)
    views = {key: frame.view_px for key, frame in frames.items()}
    out: list[MapText] = []
    for n, t in enumerate(fig.data):
        if t.type != "scattergeo" or not t.mode or "text" not in t.mode or t.visible is False:
            continue
        geo = t.geo or "geo"
        frame = frames.get(geo)
        if frame is None or t.text is None:
            continue
        texts = [t.text] if isinstance(t.text, str) else list(t.text)
        positions = t.textposition
        size = t.textfont.size if t.textfont and t.textfont.size else 12
        for i, (lon, lat, text) in enumerate(zip(t.lon, t.lat, texts)):
            if not text or lon is None or lat is None:
                continue
            pos = positions[i] if isinstance(positions, list | tuple) else positions
            x, y = frame.to_px(lon, lat)
            box = label_box(x, y, str(text), pos or "middle center", size)
            out.append(MapText(geo, str(text), box, n, i))
    return out, views


def _outside(box: Box, view: Box | None, pad: float) -> bool:
    return bool(view) and (
        box[0] < view[0] - pad
        or box[1] < view[1] - pad
        or box[2] > view[2] + pad
        or box[3] > view[3] + pad
    )


def drop_cut_names(fig: go.Figure, width_px: float, height_px: float) -> list[str]:
    """Blank the country names that would be cut by their map's frame (a country at the edge
    of the view keeps its tint, loses a name a reader would see half of); returns them."""
    texts, views = map_texts(fig, width_px, height_px)
    dropped = []
    for t in texts:
        trace = fig.data[t.trace]
        if trace.name == "country names" and _outside(t.box, views.get(t.geo), 0.5):
            values = list(trace.text)
            values[t.point] = ""
            trace.text = values
            dropped.append(t.text)
    return dropped


def _overlap(a: Box, b: Box, pad: float = 0.5) -> bool:
    dx = min(a[2], b[2]) - max(a[0], b[0])
    dy = min(a[3], b[3]) - max(a[1], b[1])
    return dx > pad and dy > pad


def move_scale_bars(fig: go.Figure, width_px: float, height_px: float) -> list[str]:
    """An inset's scale bar whose text meets a label (the label engine does not know of it)
    is moved to the inset's other lower corner, its text above the bar's end; returns the
    insets whose bars moved."""
    moved = []
    texts, views = map_texts(fig, width_px, height_px)
    for t in texts:
        trace = fig.data[t.trace]
        if trace.name != "scale":
            continue
        others = [o for o in texts if o.geo == t.geo and o.trace != t.trace]
        if not any(_overlap(t.box, o.box) for o in others):
            continue
        lon0, lon1 = list(fig.layout[t.geo].lonaxis.range)
        x = list(trace.lon)
        length = x[1] - x[0]
        end = lon1 - (x[0] - lon0)  # as far from the right edge as it was from the left
        trace.lon = [end - length, end]
        trace.textposition = "top left"
        moved.append(t.geo)
    return moved


def _plain(text: str) -> str:
    return " ".join(re.sub(r"<[^>]*>", " ", text.replace("<br>", " ")).split())


def problems(fig: go.Figure, width_px: float, height_px: float, pad: float = 0.5) -> list[str]:
    """Overlapping texts and texts outside their frame, in words (empty: none)."""
    texts, views = map_texts(fig, width_px, height_px)
    out = []
    for i, a in enumerate(texts):
        if _outside(a.box, views.get(a.geo), pad):
            out.append(f"{_plain(a.text)!r} leaves its frame ({a.geo})")
        for b in texts[i + 1 :]:
            if a.geo == b.geo and _overlap(a.box, b.box, pad):
                out.append(f"{_plain(a.text)!r} overlaps {_plain(b.text)!r} ({a.geo})")
    return out
