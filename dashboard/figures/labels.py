"""Where to put the labels of a plotly geo map: place names by their markers, counts beside routes.

Pure Python, no plotly import. Three parts:

1. **Projection** (`Frame`): plotly's own Mercator for a geo subplot framed by `lonaxis.range` and
   `lataxis.range`, reproduced to floating-point precision (tests/browser/test_projection.py checks
   it against `gd._fullLayout.geo._subplot.projection` in Chromium). Plotly does more than "fit
   the range box and centre it":

   * the range box is a polygon inset by 0.001° whose north and south edges are four great-circle
     arcs each; d3 resamples them, so an arc that bulges more than 0.1 px at the scale being
     measured reaches the latitude of its midpoint, ``atan(tan(lat) / cos(dlon / 2))``;
   * the scale fits that box (d3 `fitExtent`, measured at scale 150) into the subplot's domain;
   * then the projection is re-translated so that `geo.center` — by default the *arithmetic* middle
     of the lon and lat ranges — lands at the middle of the fitted box. On a Mercator map the
     middle latitude is not the middle of the box, so the map slides: lon 88–130 / lat −10–26 at
     900×560 puts latitude 26 at y = −5.2 px, outside the domain. The visible area is the fitted
     box (plotly clips the subplot to it), so `Frame.view_px` is where labels must stay.

2. **Text metrics** (`text_size`, `label_box`): the box plotly draws for a text point. Measured in
   Chromium for DejaVu Sans (the dashboard's first font): each character advances by its font
   width (tables below, in 1/1000 em, read from canvas `measureText` at 1000 px; kerning ignored,
   which errs by under 1 px on a place name); a line is ``round(0.928 f)`` px above the baseline
   and ``round(0.236 f)`` px below it (13 px in all at f = 11); further lines (``<br>``) add
   1.3 f each. Plotly puts the first baseline ``0.75 f - N f`` (top), ``0.75 f - N f / 2``
   (middle) or ``0.75 f`` (bottom) below the text point, N = 1.3 (lines - 1) + 1, and anchors the
   text's start (right), middle (center) or end (left) at the point. With ``mode="text"`` there is
   no gap at all, whatever `marker.size` says; only when markers are drawn does the text move out
   by ``size / 2 / 0.8 + 1`` px.

3. **Placement** (`place_labels`). Points whose touching label positions can meet form a
   *group*; points closer than 1.2 font sizes (their markers touch) form a *cluster*.

   * Groups are placed highest priority first, then largest. All labels of a group get one of
     the 8 positions touching their marker (POSITIONS, in order of preference) by a search that
     places as many as it can, no two overlapping, none on a marker, and keeps the north–south
     order: the labels of one cluster, and labels stacked above one another, are ordered as
     their points' latitudes (exhaustive for up to 10 points, greedy with local repair beyond).
   * A cluster with a label left over gets a column: its labels stacked north to south as near
     their points' heights as stacking allows, 10–120 px beside the cluster on the side with
     more room (else the other side, else each label on whichever side is free), slid up or
     down if need be, each with a leader — straight, or, if straight ones would cross, level
     from the point and bent past the cluster's edge, which cannot cross.
   * Any other label left over moves outward (16 directions, 4–120 px from its marker) with a
     leader; failing that farther, slid inside the map; as a last resort before overlapping,
     keeping the order within its cluster only. A group where a label still had to overlap is
     redone (twice at most) placing that label first, and the best attempt kept.
   * Leaders cross no other leader and run through no label, nor through markers other than
     their own cluster's; they run from the marker's edge to the nearest point of the label.
   * Route labels sit centred on the normal to their curve at t = 0.5, 0.45, 0.55, … of its
     length, 3–18 px off it on either side (upper side first), never on their own curve; if
     nothing is free there, 26–130 px off with a leader from the curve.

   Draw each result as a ``mode="text"`` point at (lon, lat) with its `textposition` (text,
   font size and family as measured: the same markup as given here), and each leader as a
   ``mode="lines"`` polyline.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in px, y down
Point = tuple[float, float]

# ---------------------------------------------------------------------------------- text metrics

# Advance widths of DejaVu Sans (Book and Bold) in 1/1000 em, measured in Chromium.
_CHARS = (
    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`"
    "abcdefghijklmnopqrstuvwxyz{|}~·–—ñéüóíáàèçãõâêôÑÉ’‘“”…°×•→"
)
_REGULAR = (
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636,
    636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698,
    770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732,
    684, 989, 685, 611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635,
    634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592,
    525, 636, 337, 636, 838, 318, 500, 1000, 634, 615, 634, 612, 278, 613, 613, 615, 550, 613,
    612, 613, 615, 612, 748, 632, 318, 318, 518, 518, 1000, 500, 838, 590, 838,
)  # fmt: skip
_BOLD = (
    348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696,
    696, 696, 696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 580, 1000, 774, 762, 734,
    830, 683, 683, 821, 837, 372, 372, 775, 637, 995, 837, 850, 733, 850, 770, 720, 682, 812,
    774, 1103, 771, 724, 725, 457, 365, 457, 838, 500, 500, 675, 716, 593, 716, 678, 435, 716,
    712, 343, 343, 665, 343, 1042, 712, 687, 716, 716, 493, 595, 478, 712, 652, 924, 645, 652,
    582, 712, 365, 712, 838, 380, 500, 1000, 712, 678, 712, 687, 343, 675, 675, 678, 593, 675,
    687, 675, 678, 687, 837, 683, 380, 380, 657, 657, 1000, 500, 838, 639, 838,
)  # fmt: skip
_WIDTH_EM = {False: dict(zip(_CHARS, _REGULAR)), True: dict(zip(_CHARS, _BOLD))}
_DEFAULT_EM = {False: 620, True: 700}  # any other letter: about a lower-case letter's width
ASCENT_EM = 1901 / 2048  # DejaVu Sans hhea ascender; Chromium rounds ascent to whole px
DESCENT_EM = 483 / 2048  # ... and descent
LINE_SPACING = 1.3  # plotly's line spacing for <br>, in font sizes
TEXT_BASELINE = 0.75  # plotly sets a single line's baseline 0.75 font sizes below its top

_TAG = re.compile(r"(<[^<>]*>)")
_TAG_NAME = re.compile(r"<\s*(/?)\s*([a-zA-Z]+)")
_SPACES = re.compile(r"\s+")


def _char_em(ch: str, bold: bool) -> float:
    known = _WIDTH_EM[bold].get(ch)
    if known is not None:
        return known
    if ch == "\u00a0":
        return _WIDTH_EM[bold][" "]
    if unicodedata.combining(ch):
        return 0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1000
    return _DEFAULT_EM[bold]


def text_lines(text: str) -> list[list[tuple[str, bool]]]:
    """The text's lines as runs of (characters, bold), reading plotly's <br> and <b> markup.

    Other tags are dropped, entities decoded, and spaces collapsed as SVG does."""
    lines: list[list[tuple[str, bool]]] = [[]]
    bold = 0
    for piece in _TAG.split(str(text)):
        if not piece:
            continue
        tag = _TAG_NAME.match(piece) if piece.startswith("<") else None
        if tag:
            closing, name = tag.group(1), tag.group(2).lower()
            if name == "br":
                lines.append([])
            elif name == "b":
                bold = max(0, bold - 1) if closing else bold + 1
            continue
        lines[-1].append((html.unescape(piece), bold > 0))
    out = []
    for runs in lines:
        joined: list[tuple[str, bool]] = []
        for chars, is_bold in runs:
            chars = _SPACES.sub(" ", chars)
            if joined and joined[-1][0].endswith(" ") and chars.startswith(" "):
                chars = chars[1:]
            joined.append((chars, is_bold))
        if joined:  # SVG drops leading and trailing spaces of a line
            joined[0] = (joined[0][0].lstrip(" "), joined[0][1])
            joined[-1] = (joined[-1][0].rstrip(" "), joined[-1][1])
        out.append([r for r in joined if r[0]])
    return out


def _line_height_px(font_px: float) -> tuple[float, float]:
    return float(round(ASCENT_EM * font_px)), float(round(DESCENT_EM * font_px))


def text_size(text: str, font_px: float = 11) -> tuple[float, float]:
    """Estimated (width, height) in px of the text as plotly draws it in DejaVu Sans."""
    lines = text_lines(text)
    width = max(
        (sum(_char_em(c, b) for chars, b in line for c in chars) for line in lines), default=0
    )
    ascent, descent = _line_height_px(font_px)
    return width * font_px / 1000, ascent + descent + (len(lines) - 1) * LINE_SPACING * font_px


def _split_position(position: str) -> tuple[int, int]:
    """A textposition as (horizontal, vertical) signs: -1 left/top, 0 centre, 1 right/bottom."""
    h = -1 if "left" in position else 1 if "right" in position else 0
    v = -1 if "top" in position else 1 if "bottom" in position else 0
    return h, v


def _first_baseline(v: int, n_lines: int, font_px: float, offset: float) -> float:
    span = ((n_lines - 1) * LINE_SPACING + 1) * font_px
    return TEXT_BASELINE * font_px + v * offset + (v - 1) * span / 2


def label_box(
    x: float,
    y: float,
    text: str,
    position: str = "middle right",
    font_px: float = 11,
    marker_px: float = 0,
) -> Box:
    """The box plotly draws for text at the text point (x, y) px with a textposition.

    `marker_px` is the trace's marker size when its mode draws markers ("markers+text"): plotly
    then moves the text out by size / 2 / 0.8 + 1 px. With mode="text" pass 0 (the default)."""
    h, v = _split_position(position)
    width, _ = text_size(text, font_px)
    n_lines = len(text_lines(text))
    offset = marker_px / 2 / 0.8 + 1 if marker_px > 0 else 0.0
    ascent, descent = _line_height_px(font_px)
    baseline = y + _first_baseline(v, n_lines, font_px, offset)
    x0 = x + offset if h > 0 else x - offset - width if h < 0 else x - width / 2
    y0 = baseline - ascent
    y1 = baseline + (n_lines - 1) * LINE_SPACING * font_px + descent
    return (x0, y0, x0 + width, y1)


def anchor_for_box(box: Box, text: str, position: str, font_px: float = 11) -> Point:
    """The text point (px) at which a mode="text" label with this textposition fills `box`."""
    h, v = _split_position(position)
    n_lines = len(text_lines(text))
    ascent, _ = _line_height_px(font_px)
    x = box[0] if h > 0 else box[2] if h < 0 else (box[0] + box[2]) / 2
    return x, box[1] + ascent - _first_baseline(v, n_lines, font_px, 0.0)


# ------------------------------------------------------------------------------------ projection

_CLIP_PAD = 1e-3  # plotly geo: the range box is inset by this many degrees
_PRECISION = 0.1  # plotly geo: d3 resampling precision, px
_FIT_SCALE = 150.0  # d3 fitExtent measures the object at this scale
_COS_30 = math.cos(math.radians(30))
MAX_LAT = 85.0


def _merc(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _edge_lat(lat: float, dlon: float, scale: float) -> float:
    """The farthest latitude d3 draws for a great-circle arc dlon° long between two points at
    `lat`: its midpoint's, if d3's resampling splits the arc at that scale, else `lat`."""
    if lat == 0 or dlon <= 0:
        return lat
    phi, half = math.radians(lat), math.radians(dlon) / 2
    mid = math.degrees(math.atan(math.tan(phi) / math.cos(half)))
    chord = 2 * half * scale
    bulge = abs(_merc(mid) - _merc(lat)) * scale
    cos_arc = math.sin(phi) ** 2 + math.cos(phi) ** 2 * math.cos(2 * half)
    if chord > 2 * _PRECISION and (bulge > _PRECISION or cos_arc < _COS_30):
        return mid
    return lat


@dataclass(frozen=True)
class Frame:
    """A geo subplot with projection_type="mercator", framed by lonaxis.range and lataxis.range,
    drawn in a domain of width_px × height_px (the subplot's own area, not the page)."""

    lon_range: tuple[float, float]
    lat_range: tuple[float, float]
    width_px: float
    height_px: float
    _scale: float = field(init=False, repr=False, compare=False)
    _lon0: float = field(init=False, repr=False, compare=False)
    _y_origin: float = field(init=False, repr=False, compare=False)
    _view: Box = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lon0, lon1 = (float(v) for v in self.lon_range)
        lat0, lat1 = (float(v) for v in self.lat_range)
        width, height = float(self.width_px), float(self.height_px)
        if not all(math.isfinite(v) for v in (lon0, lon1, lat0, lat1, width, height)):
            raise ValueError("the frame's ranges and size must be finite numbers")
        if not (lon0 < lon1 <= lon0 + 360 and -MAX_LAT < lat0 < lat1 < MAX_LAT):
            raise ValueError("the frame needs lon0 < lon1 and -85 < lat0 < lat1 < 85")
        if width <= 0 or height <= 0:
            raise ValueError("the frame must have a positive size in px")
        for name, value in (
            ("lon_range", (lon0, lon1)),
            ("lat_range", (lat0, lat1)),
            ("width_px", width),
            ("height_px", height),
        ):
            object.__setattr__(self, name, value)
        # the range box plotly fits (see the module docstring)
        quarter = (lon1 - lon0 - 2 * _CLIP_PAD) / 4
        top, bottom = lat1 - _CLIP_PAD, lat0 + _CLIP_PAD

        def y_bounds(scale: float) -> tuple[float, float]:  # y down, in radians
            north = max(top, _edge_lat(top, quarter, scale))
            south = min(bottom, _edge_lat(bottom, quarter, scale))
            return -_merc(north), -_merc(south)

        span_x = math.radians(lon1 - lon0 - 2 * _CLIP_PAD)
        fit_y = y_bounds(_FIT_SCALE)
        scale = min(width / span_x, height / (fit_y[1] - fit_y[0]))
        drawn_y = y_bounds(scale)
        fit_mid = (fit_y[0] + fit_y[1]) / 2
        # the fitted box's middle sits at the domain's middle; geo.center then moves there
        mid_y = height / 2 + scale * ((drawn_y[0] + drawn_y[1]) / 2 - fit_mid)
        centre_lat = (lat0 + lat1) / 2
        object.__setattr__(self, "_scale", scale)
        object.__setattr__(self, "_lon0", (lon0 + lon1) / 2)
        object.__setattr__(self, "_y_origin", mid_y + scale * _merc(centre_lat))
        half_x = scale * span_x / 2
        view = (
            width / 2 - half_x,
            height / 2 + scale * (drawn_y[0] - fit_mid),
            width / 2 + half_x,
            height / 2 + scale * (drawn_y[1] - fit_mid),
        )
        object.__setattr__(self, "_view", view)

    @property
    def scale(self) -> float:
        """px per radian (d3's projection scale)."""
        return self._scale

    @property
    def view_px(self) -> Box:
        """The drawn map area (plotly clips the subplot, labels included, to this box)."""
        return self._view

    def to_px(self, lon: float, lat: float) -> Point:
        """Pixel position (y down) from the top-left of the subplot's domain."""
        dlon = (lon - self._lon0 + 180) % 360 - 180
        lat = max(-89.9, min(89.9, lat))
        return (
            self.width_px / 2 + self._scale * math.radians(dlon),
            self._y_origin - self._scale * _merc(lat),
        )

    def to_lonlat(self, x: float, y: float) -> Point:
        lon = self._lon0 + math.degrees((x - self.width_px / 2) / self._scale)
        lat = math.degrees(
            2 * math.atan(math.exp((self._y_origin - y) / self._scale)) - math.pi / 2
        )
        return lon, lat


def to_pixels(
    lon: float,
    lat: float,
    lon_range: tuple[float, float],
    lat_range: tuple[float, float],
    width_px: float,
    height_px: float,
) -> Point:
    """`Frame(lon_range, lat_range, width_px, height_px).to_px(lon, lat)`."""
    return Frame(lon_range, lat_range, width_px, height_px).to_px(lon, lat)


# ------------------------------------------------------------------------------------- placement

# The 8 positions touching a marker, in order of preference (plotly textposition names).
POSITIONS = (
    "middle right",
    "middle left",
    "top center",
    "bottom center",
    "top right",
    "top left",
    "bottom right",
    "bottom left",
)
GAP = 1.5  # px between a marker's edge and a label touching it
MARKER_PAD = 1.0  # a marker keeps labels this far off its nominal radius (its outline)
LABEL_PAD = 1.0  # px kept between two labels
EDGE = 1.0  # px kept between a label and the edge of the map
TIGHT = 1.2  # points closer than this many font sizes form a cluster
COLUMN_GAP = 1.0  # px between labels in a column
RETRIES = 2  # more attempts at a group where some label found no room
COLUMN_TRIES = 12  # arrangements of a column compared for the room they leave around
COLUMN_DX = (10, 16, 24, 34, 46, 60, 76, 94, 120)  # px from the cluster to its column
COLUMN_SHIFT = (0, -8, 8, -16, 16, -26, 26, -40, 40, -56, 56, -74, 74, -94, 94, -116, 116)
RING_RADII = (4, 8, 13, 19, 26, 34, 44, 56, 70, 86, 103, 120)  # px from the marker's edge
RING_FAR = (140, 165, 195, 230, 270)  # ... a last resort
RING_ANGLES = (0, 180, -90, 90, -45, -135, 45, 135, -22.5, -157.5, 22.5, 157.5, -67.5, -112.5,
               67.5, 112.5)  # fmt: skip
LINE_T = (0.5, 0.45, 0.55, 0.4, 0.6, 0.35, 0.65, 0.3, 0.7, 0.25, 0.75, 0.2, 0.8, 0.15, 0.85, 0.1,
          0.9)  # fmt: skip
LINE_NEAR = (3, 7, 12, 18)  # px between a route and its label, no leader
LINE_FAR = (26, 36, 50, 66, 85, 105, 130)  # ... pushed away, with a leader
CROWD_SHARE = 0.6  # a tight cluster labels as many points as stack in this share of the height
CROWD_MOST = 8  # ... and never more than this many (the rest answer on hover)
COLUMN_BUDGET = 80  # without overlap: arrangements of a column tried before giving up on it
RING_BUDGET = 240  # ... and spots tried around one point before leaving its label off
EXHAUSTIVE = 10  # groups of up to this many crowded points are searched exhaustively ...
SEARCH_BUDGET = 3000  # ... within this many steps
REPAIR_BUDGET = 400  # steps to re-place a point left over, with its neighbours, in a larger group


@dataclass(frozen=True)
class PointLabel:
    key: str
    text: str  # may hold "<br>" for more lines and "<b>…</b>" for bold
    lon: float
    lat: float
    font_px: float = 11
    marker_px: float = 9
    priority: int = 0  # higher priority placed first


@dataclass(frozen=True)
class LineLabel:
    key: str
    text: str
    path: tuple[tuple[float, float], ...]  # the drawn curve as (lon, lat) points
    font_px: float = 11
    priority: int = 0


@dataclass(frozen=True)
class Placement:
    key: str
    lon: float  # where plotly should put the text point
    lat: float
    textposition: str  # plotly textposition for that text point
    box_px: Box  # the label's estimated box, x0 y0 x1 y1 in the frame's px
    leader: tuple[tuple[float, float], ...] | None  # (lon, lat) from the point to the label


# -- geometry


def _overlap(a: Box, b: Box, pad: float = 0.0) -> bool:
    return a[0] < b[2] + pad and b[0] < a[2] + pad and a[1] < b[3] + pad and b[1] < a[3] + pad


def _overlap_area(a: Box, b: Box) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _box_disc(box: Box, x: float, y: float, r: float) -> bool:
    dx = max(box[0] - x, 0.0, x - box[2])
    dy = max(box[1] - y, 0.0, y - box[3])
    return dx * dx + dy * dy < r * r


def _nearest_on_box(box: Box, x: float, y: float) -> Point:
    return min(max(x, box[0]), box[2]), min(max(y, box[1]), box[3])


def _seg_box(a: Point, b: Point, box: Box) -> bool:
    """Does segment a–b pass through the inside of box (Liang–Barsky)?"""
    t0, t1 = 0.0, 1.0
    dx, dy = b[0] - a[0], b[1] - a[1]
    for p, q in (
        (-dx, a[0] - box[0]),
        (dx, box[2] - a[0]),
        (-dy, a[1] - box[1]),
        (dy, box[3] - a[1]),
    ):
        if p == 0:
            if q <= 0:
                return False
            continue
        t = q / p
        if p < 0:
            if t > t1:
                return False
            t0 = max(t0, t)
        else:
            if t < t0:
                return False
            t1 = min(t1, t)
    return t1 - t0 > 1e-9


def _cross(o: Point, a: Point, b: Point) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def _segments_cross(a: Point, b: Point, c: Point, d: Point) -> bool:
    """Do segments a–b and c–d properly cross (touching ends do not count)?"""
    d1, d2 = _cross(c, d, a), _cross(c, d, b)
    d3, d4 = _cross(a, b, c), _cross(a, b, d)
    return ((d1 > 1e-9 and d2 < -1e-9) or (d1 < -1e-9 and d2 > 1e-9)) and (
        (d3 > 1e-9 and d4 < -1e-9) or (d3 < -1e-9 and d4 > 1e-9)
    )


def _polylines_cross(p: Sequence[Point], q: Sequence[Point]) -> bool:
    return any(
        _segments_cross(p[i], p[i + 1], q[j], q[j + 1])
        for i in range(len(p) - 1)
        for j in range(len(q) - 1)
    )


def _still_free(box: Box, boxes: list[Box], leaders: list[tuple[Point, ...]]) -> bool:
    """Is box clear of these labels and leaders?"""
    if any(_overlap(box, b, LABEL_PAD) for b in boxes):
        return False
    return not any(_seg_box(a, b, box) for lead in leaders for a, b in zip(lead, lead[1:]))


def _seg_disc(a: Point, b: Point, x: float, y: float, r: float) -> bool:
    """Does segment a–b pass within r of (x, y)?"""
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((x - a[0]) * dx + (y - a[1]) * dy) / length2))
    return math.hypot(a[0] + t * dx - x, a[1] + t * dy - y) < r


def _dist_point_box(box: Box, x: float, y: float) -> float:
    nx, ny = _nearest_on_box(box, x, y)
    return math.hypot(nx - x, ny - y)


def _slide_inside(box: Box, view: Box) -> Box:
    """The box moved (not resized) to lie inside view where it can."""
    dx = max(view[0] - box[0], 0.0) or min(view[2] - box[2], 0.0)
    dy = max(view[1] - box[1], 0.0) or min(view[3] - box[3], 0.0)
    return (box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy)


def _shrink(box: Box, by: float) -> Box:
    return (box[0] + by, box[1] + by, box[2] - by, box[3] - by)


class _Grid:
    """A uniform grid of items by their bounding boxes, for finding neighbours quickly."""

    __slots__ = ("cell", "cells")

    def __init__(self, cell: float = 48.0) -> None:
        self.cell = cell
        self.cells: dict[tuple[int, int], list] = {}

    def _span(self, box: Box) -> tuple[int, int, int, int]:
        c = self.cell
        return (
            math.floor(box[0] / c),
            math.floor(box[1] / c),
            math.floor(box[2] / c),
            math.floor(box[3] / c),
        )

    def add(self, box: Box, item: object) -> None:
        i0, j0, i1, j1 = self._span(box)
        for i in range(i0, i1 + 1):
            for j in range(j0, j1 + 1):
                self.cells.setdefault((i, j), []).append(item)

    def copy(self) -> _Grid:
        grid = _Grid(self.cell)
        grid.cells = {k: list(v) for k, v in self.cells.items()}
        return grid

    def near(self, box: Box) -> list:
        """The items in the cells the box touches (an item may come more than once)."""
        i0, j0, i1, j1 = self._span(box)
        cells = self.cells
        if i0 == i1 and j0 == j1:
            return cells.get((i0, j0), [])
        found: list = []
        for i in range(i0, i1 + 1):
            for j in range(j0, j1 + 1):
                items = cells.get((i, j))
                if items:
                    found.extend(items)
        return found


class _Space:
    """What is already on the map: labels, markers and other discs, leader lines."""

    def __init__(self, view: Box) -> None:
        self.view = view
        self.inner = (view[0] + EDGE, view[1] + EDGE, view[2] - EDGE, view[3] - EDGE)
        self.labels = _Grid()
        self.discs = _Grid()
        self.markers = _Grid()  # (x, y, r, key) of point markers, for leaders to go round
        self.leaders = _Grid()

    def snapshot(self) -> tuple[_Grid, _Grid]:
        return self.labels.copy(), self.leaders.copy()

    def restore(self, snap: tuple[_Grid, _Grid]) -> None:
        self.labels, self.leaders = snap[0].copy(), snap[1].copy()

    def inside(self, box: Box) -> bool:
        v = self.inner
        return box[0] >= v[0] and box[1] >= v[1] and box[2] <= v[2] and box[3] <= v[3]

    def contains_point(self, x: float, y: float) -> bool:
        v = self.view
        return v[0] <= x <= v[2] and v[1] <= y <= v[3]

    def add_disc(self, x: float, y: float, r: float, key: str | None = None) -> None:
        if r > 0:
            self.discs.add((x - r, y - r, x + r, y + r), (x, y, r))
            if key is not None:
                self.markers.add((x - r, y - r, x + r, y + r), (x, y, r, key))

    def add_label(self, box: Box, leader: Sequence[Point] | None) -> None:
        self.labels.add(box, box)
        for a, b in zip(leader or (), (leader or ())[1:]):
            bbox = (min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))
            self.leaders.add(bbox, (a, b))

    def hits_label(self, box: Box) -> bool:
        grown = (box[0] - LABEL_PAD, box[1] - LABEL_PAD, box[2] + LABEL_PAD, box[3] + LABEL_PAD)
        return any(_overlap(box, other, LABEL_PAD) for other in self.labels.near(grown))

    def hits_disc(self, box: Box) -> bool:
        return any(_box_disc(box, x, y, r) for x, y, r in self.discs.near(box))

    def hits_leader(self, box: Box) -> bool:
        return any(_seg_box(a, b, box) for a, b in self.leaders.near(box))

    def free(self, box: Box) -> bool:
        return (
            self.inside(box)
            and not self.hits_label(box)
            and not self.hits_disc(box)
            and not self.hits_leader(box)
        )

    def leader_free(self, leader: Sequence[Point], own: Iterable[str] = ()) -> bool:
        """A new leader crosses no other leader and runs through no label, and through no
        marker but those of `own` (its point's, and its cluster's)."""
        own = set(own)
        for a, b in zip(leader, leader[1:]):
            bbox = (min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))
            for c, d in self.leaders.near(bbox):
                if _segments_cross(a, b, c, d):
                    return False
            for other in self.labels.near(bbox):
                if _seg_box(a, b, _shrink(other, -0.5)):
                    return False
            for x, y, r, key in self.markers.near(bbox):
                if key not in own and _seg_disc(a, b, x, y, r - 0.5):
                    return False
        return True

    def overlap_cost(self, box: Box) -> float:
        grown = (box[0] - LABEL_PAD, box[1] - LABEL_PAD, box[2] + LABEL_PAD, box[3] + LABEL_PAD)
        cost = sum(_overlap_area(grown, other) for other in self.labels.near(grown))
        cost += sum(50.0 for x, y, r in self.discs.near(box) if _box_disc(box, x, y, r))
        v = self.inner
        outside = (box[2] - box[0]) * (box[3] - box[1]) - _overlap_area(box, v)
        return cost + 10 * outside


# -- the items being placed


@dataclass
class _Pt:
    label: PointLabel
    x: float
    y: float
    w: float
    h: float
    r: float  # marker radius, px
    group: int = -1  # the tight cluster it belongs to
    comp: int = -1  # the group of points whose labels can meet


def _ns_key(p: _Pt) -> tuple:
    """North to south; ties west to east, then by key."""
    return (-p.label.lat, p.label.lon, p.label.key)


def _touching(p: _Pt) -> list[tuple[int, str, Box]]:
    g = p.r + GAP
    d = g / math.sqrt(2)
    x, y, w, h = p.x, p.y, p.w, p.h
    boxes = {
        "middle right": (x + g, y - h / 2, x + g + w, y + h / 2),
        "middle left": (x - g - w, y - h / 2, x - g, y + h / 2),
        "top center": (x - w / 2, y - g - h, x + w / 2, y - g),
        "bottom center": (x - w / 2, y + g, x + w / 2, y + g + h),
        "top right": (x + d, y - d - h, x + d + w, y - d),
        "top left": (x - d - w, y - d - h, x - d, y - d),
        "bottom right": (x + d, y + d, x + d + w, y + d + h),
        "bottom left": (x - d - w, y + d, x - d, y + d + h),
    }
    return [(rank, pos, boxes[pos]) for rank, pos in enumerate(POSITIONS)]


def _reach(p: _Pt) -> Box:
    g = p.r + GAP
    return (p.x - g - p.w, p.y - g - p.h, p.x + g + p.w, p.y + g + p.h)


def _box_at(p: _Pt, angle_deg: float, dist: float) -> Box:
    """The label box of p in direction angle (0 = east, 90 = south) whose nearest point is
    `dist` px from p's centre."""
    a = math.radians(angle_deg)
    ux, uy = math.cos(a), math.sin(a)
    ax, ay = abs(ux), abs(uy)
    hw, hh = p.w / 2, p.h / 2
    if ax > 1e-9 and (hw + dist) / ax * ay <= hh:
        t = (hw + dist) / ax
    elif ay > 1e-9 and (hh + dist) / ay * ax <= hw:
        t = (hh + dist) / ay
    else:  # the nearest point is a corner
        b = ax * hw + ay * hh
        t = b + math.sqrt(max(b * b - (hw * hw + hh * hh - dist * dist), 0.0))
    cx, cy = p.x + ux * t, p.y + uy * t
    return (cx - hw, cy - hh, cx + hw, cy + hh)


def _leader_from(p: _Pt, box: Box) -> tuple[Point, Point]:
    """A straight leader from the edge of p's marker to the nearest point of box."""
    ex, ey = _nearest_on_box(box, p.x, p.y)
    dx, dy = ex - p.x, ey - p.y
    dist = math.hypot(dx, dy)
    start = p.r + MARKER_PAD
    if dist <= start + 1e-9:
        return (p.x, p.y), (ex, ey)
    return (p.x + dx / dist * start, p.y + dy / dist * start), (ex, ey)


def _order_ok(p: _Pt, box: Box, peers: Iterable[tuple[_Pt, Box]]) -> bool:
    """Labels of points in one cluster, or labels above one another, keep the points' N–S order."""
    cy = (box[1] + box[3]) / 2
    for q, qbox in peers:
        if q.group != p.group and (box[2] <= qbox[0] or qbox[2] <= box[0]):
            continue  # side by side
        qcy = (qbox[1] + qbox[3]) / 2
        if p.label.lat > q.label.lat and not cy < qcy:
            return False
        if p.label.lat < q.label.lat and not cy > qcy:
            return False
    return True


def _text_position(p: _Pt, box: Box) -> str:
    """The textposition that anchors a moved label on the side facing its point."""
    if box[0] >= p.x - 0.5:
        return "middle right"
    if box[2] <= p.x + 0.5:
        return "middle left"
    return "middle center"


class _Placer:
    def __init__(
        self,
        frame: Frame,
        points: list[_Pt],
        space: _Space,
        overlap: bool = True,
        bounded: bool = False,
    ) -> None:
        self.overlap = overlap  # False: a label with no free spot is left off, never overlaps
        self.bounded = bounded  # a thinned crowd: searches within their budgets
        self.group_keys: dict[int, set[str]] = {}
        for p in points:
            self.group_keys.setdefault(p.group, set()).add(p.label.key)
        self.frame = frame
        self.space = space
        self.result: dict[str, Placement] = {}
        self.placed: dict[str, tuple[_Pt, Box]] = {}  # point labels placed so far
        self.by_comp: dict[int, list[str]] = {}

    # -- committing

    def _commit(
        self,
        key: str,
        text: str,
        font_px: float,
        box: Box,
        position: str,
        leader: Sequence[Point] | None,
        p: _Pt | None = None,
    ) -> None:
        ax, ay = anchor_for_box(box, text, position, font_px)
        lon, lat = self.frame.to_lonlat(ax, ay)
        leader_ll = tuple(self.frame.to_lonlat(x, y) for x, y in leader) if leader else None
        self.result[key] = Placement(key, lon, lat, position, box, leader_ll)
        self.space.add_label(box, leader)
        if p is not None:
            self.placed[key] = (p, box)
            self.by_comp.setdefault(p.comp, []).append(key)

    def _peers(self, p: _Pt) -> list[tuple[_Pt, Box]]:
        return [self.placed[k] for k in self.by_comp.get(p.comp, ())]

    # -- a group of points whose labels may meet

    def _snapshot(self) -> tuple:
        return (
            self.space.snapshot(),
            dict(self.result),
            dict(self.placed),
            {k: list(v) for k, v in self.by_comp.items()},
        )

    def _restore(self, snap: tuple) -> None:
        space, result, placed, by_comp = snap
        self.space.restore(space)
        self.result, self.placed = dict(result), dict(placed)
        self.by_comp = {k: list(v) for k, v in by_comp.items()}

    def place_component(self, pts: list[_Pt], groups: dict[int, list[_Pt]]) -> None:
        """Label a group of points whose labels may meet. Should some label find no room,
        try again keeping clear the spots of those left without (a few times), and keep the
        attempt that left fewest without room."""
        start = self._snapshot()
        protected: set[str] = set()
        attempts = []
        retries = 0 if self.bounded else RETRIES
        for attempt in range(retries + 1):
            if attempt:
                self._restore(start)
            stuck = self._place_component(pts, groups, protected)
            attempts.append((len(stuck), attempt, self._snapshot()))
            if not stuck or stuck <= protected:
                break
            protected |= stuck
        best = min(attempts, key=lambda a: a[:2])
        if best is not attempts[-1]:
            self._restore(best[2])

    def _place_component(
        self, pts: list[_Pt], groups: dict[int, list[_Pt]], protected: set[str]
    ) -> set[str]:
        """One attempt; returns the keys of the labels that found no free place.

        Points in `protected` (left without room by an earlier attempt) are labelled first,
        each at its first free touching position or else by ring search, and the rest fit
        around them (their clusters then get no column)."""
        pts = sorted(pts, key=_ns_key)
        stuck: set[str] = set()
        first = [p for p in pts if p.label.key in protected]
        for p in first:
            peers = self._peers(p)
            for _, pos, box in _touching(p):
                if self.space.free(box) and _order_ok(p, box, peers):
                    self._commit(p.label.key, p.label.text, p.label.font_px, box, pos, None, p)
                    break
            else:
                if not self._place_ring(p):
                    stuck.add(p.label.key)
        pts = [p for p in pts if p not in first]
        chosen, deferred = self._touching_search(pts)
        tried: set[int] = set()
        while True:  # the largest cluster with a label left over gets a column; then again
            clusters = sorted(
                {
                    p.group
                    for p in deferred
                    if len(groups[p.group]) > 1
                    and not any(q.label.key in self.placed for q in groups[p.group])
                }
                - tried,
                key=lambda g: (-len(groups[g]), _ns_key(min(groups[g], key=_ns_key))),
            )
            if not clusters:
                break
            tried.add(clusters[0])
            done = {p.label.key for p in groups[clusters[0]]}
            others = [p for p in pts if p.label.key not in done]
            if self._place_column(groups[clusters[0]], others, protected):
                pts = others
                chosen, deferred = self._touching_search(pts)
        for p, pos, box in chosen:
            self._commit(p.label.key, p.label.text, p.label.font_px, box, pos, None, p)
        stuck.update(p.label.key for p in sorted(deferred, key=_ns_key) if not self._place_ring(p))
        return stuck

    def _touching_search(self, pts: list[_Pt]) -> tuple[list[tuple[_Pt, str, Box]], list[_Pt]]:
        """Touching positions for as many of pts as possible (then the most preferred ones),
        no two labels overlapping, vertical order kept.

        A small group is searched exhaustively (depth-first, bounded); a large one is placed
        greedily north to south and then repaired around each point left over, re-searching
        that point with its neighbours while the rest stay put."""
        space = self.space
        n = len(pts)
        candidates = []
        for p in pts:
            peers = self._peers(p)
            candidates.append(
                [
                    (rank, pos, box)
                    for rank, pos, box in _touching(p)
                    if space.free(box) and _order_ok(p, box, peers)
                ]
            )
        reach = [_reach(p) for p in pts]
        neighbours = [
            [j for j in range(n) if j != i and _overlap(reach[i], reach[j])] for i in range(n)
        ]
        assign: list[tuple[int, str, Box] | None] = [None] * n

        def fits(i: int, box: Box) -> bool:
            p = pts[i]
            for j in neighbours[i]:
                other = assign[j]
                if other is None:
                    continue
                qbox = other[2]
                if _overlap(box, qbox, LABEL_PAD):
                    return False
                if not _order_ok(p, box, ((pts[j], qbox),)):
                    return False
            return True

        def search(order: list[int], budget: int) -> None:
            """Re-assign the points `order` (others fixed) to the best assignment found."""
            best: list = [None, (len(order) + 1, 0)]
            left = [budget]

            def step(k: int, deferred: int, ranks: int) -> None:
                if (deferred, ranks) >= best[1] or left[0] <= 0:
                    return
                if k == len(order):
                    best[0], best[1] = [assign[i] for i in order], (deferred, ranks)
                    return
                left[0] -= 1
                i = order[k]
                for cand in candidates[i]:
                    if fits(i, cand[2]):
                        assign[i] = cand
                        step(k + 1, deferred, ranks + cand[0])
                        assign[i] = None
                step(k + 1, deferred + 1, ranks)

            step(0, 0, 0)
            for i, cand in zip(order, best[0] or [None] * len(order)):
                assign[i] = cand

        if n <= EXHAUSTIVE:
            search(list(range(n)), SEARCH_BUDGET)
        else:
            for i in range(n):  # greedy, north to south
                for cand in candidates[i]:
                    if assign[i] is None and fits(i, cand[2]):
                        assign[i] = cand
            for i in range(n):
                if assign[i] is not None:
                    continue
                local = sorted({i, *neighbours[i]})
                before = [assign[j] for j in local]
                missing = sum(c is None for c in before)
                for j in local:
                    assign[j] = None
                search(local, REPAIR_BUDGET)
                if sum(assign[j] is None for j in local) > missing:  # no better: undo
                    for j, c in zip(local, before):
                        assign[j] = c
        chosen = [(pts[i], c[1], c[2]) for i, c in enumerate(assign) if c is not None]
        return chosen, [pts[i] for i, c in enumerate(assign) if c is None]

    # -- a column of labels beside a tight cluster

    def _place_column(self, members: list[_Pt], others: list[_Pt], protected: set[str]) -> bool:
        """Stack the cluster's labels north to south beside it, each with a leader: all on the
        side with more room, or all on the other, or each on whichever side is free.

        Of the first few arrangements that fit, the first that leaves each of `others` (the
        points around still to be labelled) a free position at its marker wins, else the one
        that leaves most of them one; none may take the last free positions of `protected`."""
        members = sorted(members, key=_ns_key)
        space, view = self.space, self.space.inner
        heights = [p.h for p in members]
        centres = _stack([p.y for p in members], heights, COLUMN_GAP)  # near their points
        if sum(heights) + COLUMN_GAP * (len(members) - 1) > view[3] - view[1]:
            return False
        east = max(p.x + p.r for p in members)
        west = min(p.x - p.r for p in members)
        # outward first: the side facing the nearer edge of the map, where a coastal cluster
        # has sea beside it and the fewest other routes and labels; the other side is next
        preferred = 1 if view[2] - east <= west - view[0] else -1
        width = max(p.w for p in members)
        if (preferred > 0 and view[2] - east < width + COLUMN_DX[0]) or (
            preferred < 0 and west - view[0] < width + COLUMN_DX[0]
        ):
            preferred = -preferred  # no room there
        configs = sorted(
            (dx + abs(shift) * 0.8 + penalty, dx, mode, shift)
            for dx in COLUMN_DX
            for mode, penalty in (("preferred", 0), ("other", 6), ("mixed", 10))
            for shift in COLUMN_SHIFT
        )
        tops = [c - h / 2 for c, h in zip(centres, heights)]
        top, bottom = min(tops), max(t + h for t, h in zip(tops, heights))
        room, keep = [], []
        for q in others:
            free = [b for _, _, b in _touching(q) if space.free(b)]
            if free:  # points already stuck are no concern here
                (keep if q.label.key in protected else room).append(free)
        fits: list[tuple] = []
        seen = set()
        if self.bounded:
            configs = configs[:COLUMN_BUDGET]
        for _, dx, mode, shift in configs:
            move = min(max(shift, view[1] - top), view[3] - bottom)
            if (dx, mode, round(move, 3)) in seen:
                continue
            seen.add((dx, mode, round(move, 3)))

            right = [
                (east + dx, t + move, east + dx + p.w, t + move + p.h)
                for p, t in zip(members, tops)
            ]
            left = [
                (west - dx - p.w, t + move, west - dx, t + move + p.h)
                for p, t in zip(members, tops)
            ]
            sides: list[int] = []
            for i, p in enumerate(members):
                options = (
                    (preferred, -preferred)
                    if mode == "mixed"
                    else ((preferred,) if mode == "preferred" else (-preferred,))
                )
                for side in options:
                    b = right[i] if side > 0 else left[i]
                    if space.free(b) and _order_ok(p, b, self._peers(p)):
                        sides.append(side)
                        break
                else:
                    break
            if len(sides) < len(members) or (mode == "mixed" and len(set(sides)) == 1):
                continue
            boxes = [right[i] if side > 0 else left[i] for i, side in enumerate(sides)]
            leaders = self._column_leaders(members, boxes, sides, east, west)
            if leaders is None:
                continue
            if not all(any(_still_free(b, boxes, leaders) for b in free) for free in keep):
                continue
            blocked = sum(not any(_still_free(b, boxes, leaders) for b in free) for free in room)
            fits.append((blocked, len(fits), boxes, sides, leaders))
            if blocked == 0 or len(fits) >= COLUMN_TRIES:
                break
        if not fits:
            return False
        _, _, boxes, sides, leaders = min(fits, key=lambda f: f[:2])
        for p, b, side, lead in zip(members, boxes, sides, leaders):
            position = "middle right" if side > 0 else "middle left"
            self._commit(p.label.key, p.label.text, p.label.font_px, b, position, lead, p)
        return True

    def _column_leaders(
        self, members: list[_Pt], boxes: list[Box], sides: list[int], east: float, west: float
    ) -> list[tuple[Point, ...]] | None:
        """Straight leaders if they cross nothing, else leaders that leave each point level
        and bend once past the cluster's edge (those cannot cross one another)."""
        straight = [_leader_from(p, b) for p, b in zip(members, boxes)]
        elbows = []
        for p, b, side in zip(members, boxes, sides):
            spine = east + 2 if side > 0 else west - 2
            end = (b[0] if side > 0 else b[2], (b[1] + b[3]) / 2)
            start = (p.x + side * (p.r + MARKER_PAD), p.y)
            if (spine - start[0]) * side > 0.5:
                elbows.append((start, (spine, p.y), end))
            else:
                elbows.append(_leader_from(p, b))
        inner = [_shrink(b, 0.5) for b in boxes]
        for option in (straight, elbows):
            if any(_polylines_cross(a, b) for i, a in enumerate(option) for b in option[i + 1 :]):
                continue
            if any(
                _seg_box(s, e, b) for lead in option for s, e in zip(lead, lead[1:]) for b in inner
            ):
                continue
            own = {p.label.key for p in members}
            if all(self.space.leader_free(lead, own) for lead in option):
                return option
        return None

    # -- a label moved away from its marker

    def _place_ring(self, p: _Pt) -> bool:
        """Move p's label outward with a leader; False if it had to overlap something.

        First within RING_RADII keeping the N–S order with the labels of its neighbours (those
        above or below it, and its cluster's); then farther, slid inside the map; then, as a
        last resort before overlapping, keeping the order only within its own cluster (a
        leader still ties it to its point)."""
        space, view = self.space, self.space.inner
        peers = self._peers(p)
        cluster = [(q, b) for q, b in peers if q.group == p.group]
        own = self.group_keys[p.group]
        budget = RING_BUDGET if self.bounded else math.inf
        for order_peers, radii, slide in (
            (peers, RING_RADII, False),
            (peers, RING_RADII + RING_FAR, True),
            (cluster, RING_RADII + RING_FAR, True),
        ):
            for rho in radii:
                for angle in RING_ANGLES:
                    budget -= 1
                    if budget < 0:
                        return False  # left off the map: the point's hover still names it
                    box = _box_at(p, angle, p.r + rho)
                    if slide:
                        box = _slide_inside(box, view)
                    if not space.free(box) or not _order_ok(p, box, order_peers):
                        continue
                    leader = _leader_from(p, box)
                    if _dist_point_box(box, p.x, p.y) < p.r + MARKER_PAD + 1:
                        continue  # slid back onto its own marker
                    if not space.leader_free(leader, own):
                        continue
                    position = _text_position(p, box)
                    self._commit(
                        p.label.key, p.label.text, p.label.font_px, box, position, leader, p
                    )
                    return True
        if not self.overlap:
            return False  # left off the map: the point's hover still names it
        # nothing is free: the touching position that covers least
        options = []
        for rank, pos, box in _touching(p):
            box = _slide_inside(box, view)
            options.append((space.overlap_cost(box), rank, pos, box))
        _, _, pos, box = min(options)
        self._commit(p.label.key, p.label.text, p.label.font_px, box, pos, None, p)
        return False

    # -- a route's label

    def place_line(self, line: LineLabel) -> None:
        frame, space = self.frame, self.space
        pts = []
        for lon, lat in line.path:
            if _finite(lon) and _finite(lat):
                xy = frame.to_px(float(lon), float(lat))
                if not pts or xy != pts[-1]:
                    pts.append(xy)
        if len(pts) < 2:
            return
        cum = [0.0]
        for a, b in zip(pts, pts[1:]):
            cum.append(cum[-1] + math.hypot(b[0] - a[0], b[1] - a[1]))
        length = cum[-1]
        w, h = text_size(line.text, line.font_px)
        hw, hh = w / 2, h / 2
        window = 2 * (w + h)
        stations = []  # (s, point on the path, its normals, upper side first)
        for t in LINE_T:
            s = t * length
            i = max(0, min(len(pts) - 2, _bisect(cum, s)))
            (x0, y0), (x1, y1) = pts[i], pts[i + 1]
            seg = cum[i + 1] - cum[i]
            if seg <= 0:
                continue
            f = (s - cum[i]) / seg
            qx, qy = x0 + (x1 - x0) * f, y0 + (y1 - y0) * f
            if not space.contains_point(qx, qy):
                continue
            tx, ty = (x1 - x0) / seg, (y1 - y0) / seg
            normals = sorted([(-ty, tx), (ty, -tx)], key=lambda n: (round(n[1], 9), -n[0]))
            stations.append((s, qx, qy, normals))
        crowded: list[tuple[float, Box]] = []  # near candidates that overlap something
        for offsets, far in ((LINE_NEAR, False), (LINE_FAR, True)):
            for off in offsets:
                for s, qx, qy, normals in stations:
                    for nx, ny in normals:
                        push = hw * abs(nx) + hh * abs(ny) + off
                        cx, cy = qx + nx * push, qy + ny * push
                        box = (cx - hw, cy - hh, cx + hw, cy + hh)
                        if not space.inside(box):
                            continue
                        if not space.free(box):
                            if not far:
                                crowded.append((s, box))
                            continue
                        if _path_hits(pts, cum, s, window, box):
                            continue
                        leader = None
                        if far:
                            leader = ((qx, qy), _nearest_on_box(box, qx, qy))
                            if not space.leader_free(leader):
                                continue
                        self._commit(
                            line.key, line.text, line.font_px, box, "middle center", leader
                        )
                        return
        if not self.overlap:
            return  # left off the map: the route's hover still gives its number
        # nowhere free: beside the line where it covers least
        options = [
            (space.overlap_cost(box), k, box)
            for k, (s, box) in enumerate(crowded)
            if not _path_hits(pts, cum, s, window, box)
        ]
        if options:
            self._commit(line.key, line.text, line.font_px, min(options)[2], "middle center", None)


def _bisect(cum: list[float], s: float) -> int:
    lo, hi = 0, len(cum) - 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if cum[mid] <= s:
            lo = mid
        else:
            hi = mid
    return lo


def _path_hits(pts: list[Point], cum: list[float], s: float, window: float, box: Box) -> bool:
    """Does the path, within `window` px of arc length from s, run through the box?"""
    inner = _shrink(box, 0.5)
    x0, y0, x1, y1 = inner
    last = min(len(pts) - 1, _bisect(cum, s + window) + 1)
    for i in range(_bisect(cum, s - window), last):
        (ax, ay), (bx, by) = pts[i], pts[i + 1]
        if (ax <= x0 and bx <= x0) or (ax >= x1 and bx >= x1):
            continue
        if (ay <= y0 and by <= y0) or (ay >= y1 and by >= y1):
            continue
        if _seg_box(pts[i], pts[i + 1], inner):
            return True
    return False


def _stack(ideal: list[float], heights: list[float], gap: float) -> list[float]:
    """Centres for boxes stacked top to bottom in this order, as near `ideal` as possible
    (least squares; pool-adjacent-violators on the centres less their minimum spacing)."""
    offsets = [0.0]
    for a, b in zip(heights, heights[1:]):
        offsets.append(offsets[-1] + (a + b) / 2 + gap)
    blocks: list[list[float]] = []  # [sum, count]
    for y, o in zip(ideal, offsets):
        blocks.append([y - o, 1.0])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            s, c = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += c
    out = []
    for s, c in blocks:
        out += [s / c] * int(c)
    return [z + o for z, o in zip(out, offsets)]


def _components(n: int, pairs: list[tuple[int, int]]) -> list[int]:
    """For items 0..n-1 joined by pairs, each item's component (its smallest member)."""
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in pairs:
        a, b = root(i), root(j)
        parent[max(a, b)] = min(a, b)
    return [root(i) for i in range(n)]


def _pairs(pts: list[_Pt]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Pairs of points whose labels can meet, and pairs close enough to form a cluster
    (neighbours found through a grid of the labels' reach, not by testing every pair)."""
    reaches = [_reach(p) for p in pts]
    grid = _Grid(64.0)
    near_pairs, tight_pairs = [], []
    for j, b in enumerate(pts):
        for i in sorted({i for i in grid.near(reaches[j])}):
            a = pts[i]
            if _overlap(reaches[i], reaches[j]):
                near_pairs.append((i, j))
                limit = TIGHT * max(a.label.font_px, b.label.font_px)
                if math.hypot(a.x - b.x, a.y - b.y) <= limit:
                    tight_pairs.append((i, j))
        grid.add(reaches[j], j)
    return near_pairs, tight_pairs


def _thin_crowds(
    pts: list[_Pt], tight_pairs: list[tuple[int, int]], view: Box, ranks: dict[str, float]
) -> list[_Pt]:
    """The points of each tight cluster whose labels fit a column (see place_labels)."""
    group_of = _components(len(pts), tight_pairs)
    groups: dict[int, list[_Pt]] = {}
    for i, p in enumerate(pts):
        groups.setdefault(group_of[i], []).append(p)
    room = CROWD_SHARE * (view[3] - view[1])
    keep: set[str] = set()
    for members in groups.values():
        members = sorted(
            members, key=lambda p: (-p.label.priority, -ranks.get(p.label.key, 0.0), p.label.key)
        )
        used = 0.0
        for k, p in enumerate(members):
            if k and (k >= CROWD_MOST or used + p.h > room):
                break
            keep.add(p.label.key)
            used += p.h + COLUMN_GAP
    return [p for p in pts if p.label.key in keep]


def _finite(value: object) -> bool:
    try:
        return math.isfinite(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def place_labels(
    points: list[PointLabel],
    lines: list[LineLabel],
    frame: Frame,
    obstacles: Sequence[tuple[float, float, float]] = (),
    *,
    overlap: bool = True,
    ranks: dict[str, float] | None = None,
) -> dict[str, Placement]:
    """Where to draw each label: a Placement per key (points outside the map or without
    coordinates, and routes not on it, get none).

    Every point's marker (marker_px wide) and every obstacle (lon, lat, radius px) is kept clear
    of labels, and every label stays inside `frame.view_px`. Higher priority is placed first;
    within a priority, the largest groups of crowded points first, then route labels. The
    result depends only on the set of labels, not on their order. Keys must be unique across
    points and lines. Should nothing be free for a label, it takes the spot by its marker (or
    beside its route) that overlaps least: this happens only when labels far outgrow the map.

    With `overlap=False` such a label gets no Placement instead (its point or route answers on
    hover), and a tight cluster of points keeps only the labels that stack in CROWD_SHARE of
    the map's height (at most CROWD_MOST): higher priority first, then larger `ranks` (a
    count), then key. That bounds the work on a crowded map: the labels left off are never
    searched for, and where a crowd was thinned the searches have budgets (COLUMN_BUDGET,
    RING_BUDGET, no retries).
    """
    keys = [p.key for p in points] + [line.key for line in lines]
    if len(set(keys)) != len(keys):
        raise ValueError("label keys must be unique")
    space = _Space(frame.view_px)
    pts: list[_Pt] = []
    for label in sorted(points, key=lambda p: p.key):
        if not (_finite(label.lon) and _finite(label.lat)):
            continue
        x, y = frame.to_px(float(label.lon), float(label.lat))
        r = max(float(label.marker_px), 0.0) / 2
        if r > 0:
            space.add_disc(x, y, r + MARKER_PAD, label.key)
        if not space.contains_point(x, y):
            continue
        w, h = text_size(label.text, label.font_px)
        pts.append(_Pt(label, x, y, w, h, r))
    for lon, lat, radius in sorted(obstacles):
        if _finite(lon) and _finite(lat) and _finite(radius):
            space.add_disc(*frame.to_px(float(lon), float(lat)), float(radius))

    near_pairs, tight_pairs = _pairs(pts)
    bounded = False
    if not overlap:
        kept = _thin_crowds(pts, tight_pairs, frame.view_px, ranks or {})
        bounded = len(kept) < len(pts)
        if bounded:
            pts = kept
            near_pairs, tight_pairs = _pairs(pts)
    n = len(pts)
    comp_of, group_of = _components(n, near_pairs), _components(n, tight_pairs)
    groups: dict[int, list[_Pt]] = {}
    comps: dict[int, list[_Pt]] = {}
    for i, p in enumerate(pts):
        p.group = group_of[i]
        p.comp = comp_of[i]
        groups.setdefault(p.group, []).append(p)
        comps.setdefault(p.comp, []).append(p)

    units: list[tuple[tuple, object]] = []
    for members in comps.values():
        first = min(p.label.key for p in members)
        top = max(p.label.priority for p in members)
        units.append(((-top, 0, -len(members), first), members))
    for line in lines:
        units.append(((-line.priority, 1, 0, line.key), line))
    units.sort(key=lambda u: u[0])

    placer = _Placer(frame, pts, space, overlap, bounded)
    for _, unit in units:
        if isinstance(unit, LineLabel):
            placer.place_line(unit)
        else:
            placer.place_component(unit, groups)  # type: ignore[arg-type]
    return placer.result
