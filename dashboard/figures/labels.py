"""Where to put each place label on the map so that labels of nearby places do not stack.

Pure Python: the figure builder passes the result as the text trace's `textposition` list.
"""

from __future__ import annotations

import math

# plotly textposition values tried for each label, in order of preference (ties go to the first).
POSITIONS = (
    "top right",
    "top left",
    "bottom right",
    "bottom left",
    "middle right",
    "middle left",
    "top center",
    "bottom center",
)
CHAR_WIDTH = 0.6  # estimated label width per character, in font sizes
LINE_HEIGHT = 1.2  # estimated label height, in font sizes
MAX_LAT = 85.0  # Mercator's y is infinite at the poles

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels, y down


def _mercator_y(lat: float) -> float:
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def to_pixels(
    lon: float,
    lat: float,
    lon_range: tuple[float, float],
    lat_range: tuple[float, float],
    width_px: float,
    height_px: float,
) -> tuple[float, float]:
    """A point's pixel position (y down) on a Mercator map of the extent, fitted and centred.

    Mercator keeps one scale for both axes, so, as plotly does, the extent is fitted inside the
    frame by the tighter of the two scales and centred along the other.
    """
    x0, x1 = (math.radians(v) for v in lon_range)
    y0, y1 = (_mercator_y(v) for v in lat_range)
    if x1 <= x0 or y1 <= y0 or width_px <= 0 or height_px <= 0:
        raise ValueError("the extent and frame must have positive size")
    scale = min(width_px / (x1 - x0), height_px / (y1 - y0))
    x = width_px / 2 + (math.radians(lon) - (x0 + x1) / 2) * scale
    y = height_px / 2 - (_mercator_y(lat) - (y0 + y1) / 2) * scale
    return x, y


def label_box(
    x: float, y: float, text: str, position: str, font_px: float = 11, marker_px: float = 9
) -> Box:
    """The estimated box of a label at pixel (x, y) for a textposition, clear of the marker."""
    w = CHAR_WIDTH * font_px * len(text)
    h = LINE_HEIGHT * font_px
    gap = marker_px / 2 + 1
    vertical, horizontal = position.split()
    left = {"right": x + gap, "left": x - gap - w, "center": x - w / 2}[horizontal]
    top = {"top": y - gap - h, "bottom": y + gap, "middle": y - h / 2}[vertical]
    return (left, top, left + w, top + h)


def _overlap(a: Box, b: Box) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _outside(box: Box, width_px: float, height_px: float) -> float:
    area = (box[2] - box[0]) * (box[3] - box[1])
    return area - _overlap(box, (0.0, 0.0, width_px, height_px))


def place_labels(
    points: list[tuple[str, float, float]],
    lon_range: tuple[float, float],
    lat_range: tuple[float, float],
    width_px: float,
    height_px: float,
    font_px: float = 11,
    marker_px: float = 9,
) -> dict[str, str]:
    """A plotly textposition for each (name, lon, lat) point, keeping labels apart.

    Each label's box is estimated (CHAR_WIDTH * font_px per character wide, LINE_HEIGHT * font_px
    tall) at the map's extent and frame size (see `to_pixels`). Labels are placed greedily, most
    crowded point first, each taking the position whose box overlaps least with the labels placed
    so far, with every other point's marker and with the area outside the frame. Then single labels,
    and pairs of neighbouring labels together, move wherever that lowers the total overlap, until
    nothing changes (a few sweeps at most). Ties go to the earlier entry of POSITIONS.

    The result depends only on the set of points, not their order. Names are the keys: give each
    point a unique name. A point without coordinates gets the first position and is no obstacle.
    """
    pixels: dict[int, tuple[float, float]] = {}
    for i, (_, lon, lat) in enumerate(points):
        if _finite(lon) and _finite(lat):
            pixels[i] = to_pixels(lon, lat, lon_range, lat_range, width_px, height_px)
    half = marker_px / 2
    markers = {i: (x - half, y - half, x + half, y + half) for i, (x, y) in pixels.items()}
    candidates = {
        i: [label_box(x, y, points[i][0], p, font_px, marker_px) for p in POSITIONS]
        for i, (x, y) in pixels.items()
    }

    # Only points whose candidate boxes and markers can touch need comparing.
    def reach(i: int) -> Box:
        boxes = [*candidates[i], markers[i]]
        return (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )

    reaches = {i: reach(i) for i in pixels}
    near = {i: [j for j in pixels if j != i and _touch(reaches[i], reaches[j])] for i in pixels}
    # Most crowded first, then by name and place for an order that ignores the input's.
    order = sorted(pixels, key=lambda i: (-len(near[i]), *points[i]))
    rank = {i: r for r, i in enumerate(order)}
    slots = range(len(POSITIONS))

    chosen: dict[int, int] = {}

    def cost(i: int, k: int, skip: int = -1) -> float:
        """The overlap label i would have at position k, ignoring label `skip`."""
        box = candidates[i][k]
        total = _outside(box, width_px, height_px)
        for j in near[i]:
            total += _overlap(box, markers[j])
            if j in chosen and j != skip:
                total += _overlap(box, candidates[j][chosen[j]])
        return total

    def pair_cost(i: int, k: int, j: int, m: int) -> float:
        mutual = _overlap(candidates[i][k], candidates[j][m])
        return cost(i, k, skip=j) + cost(j, m, skip=i) + mutual

    for i in order:
        chosen[i] = min(slots, key=lambda k: (cost(i, k), k))
    # Improve: move one label, or two neighbours together (which gets out of the dead ends of a
    # tight cluster), whenever that lowers the total overlap. Every move lowers it, so this ends;
    # the sweep limit bounds the time on dense maps.
    for _ in range(6):
        changed = False
        for i in order:
            k = min(slots, key=lambda k: (cost(i, k), k))
            if cost(i, k) < cost(i, chosen[i]) - 1e-9:
                chosen[i], changed = k, True
        for i in order:
            for j in sorted(near[i], key=rank.__getitem__):
                if rank[j] < rank[i]:
                    continue
                now = pair_cost(i, chosen[i], j, chosen[j])
                if now <= 0:
                    continue
                found = min((pair_cost(i, k, j, m), k, m) for k in slots for m in slots)
                if found[0] < now - 1e-9:
                    chosen[i], chosen[j], changed = found[1], found[2], True
        if not changed:
            break

    return {name: POSITIONS[chosen.get(i, 0)] for i, (name, _, _) in enumerate(points)}


def _touch(a: Box, b: Box) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _finite(value: object) -> bool:
    try:
        return math.isfinite(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
