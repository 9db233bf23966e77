"""Where a map looks: the regional frame, frames around the countries a view asks about, and
the insets that show places the regional scale packs into a few pixels.

Pure Python on the dataset's points; the figure builders turn a frame into plotly's
`lonaxis.range` / `lataxis.range`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from geodata.dataset import Dataset

LonLat = tuple[tuple[float, float], tuple[float, float]]  # (lon_range, lat_range)

# The frame the explorer opens on: mainland and island Southeast Asia, where the routes run,
# with little of India or New Guinea. Routes to farther places (China, the Gulf) leave it.
REGION: LonLat = ((89.0, 131.0), (-10.0, 28.5))
# On a phone, the tall map opens on the compounds and the routes' ends, a little tighter.
REGION_COMPACT: LonLat = ((95.0, 124.5), (-7.5, 23.5))


@dataclass(frozen=True)
class Inset:
    """A cluster of places drawn at a larger scale beside the regional map."""

    key: str
    title: str
    lon_range: tuple[float, float]
    lat_range: tuple[float, float]
    note: str

    def contains(self, lon: float, lat: float) -> bool:
        return (
            self.lon_range[0] <= lon <= self.lon_range[1]
            and self.lat_range[0] <= lat <= self.lat_range[1]
        )


BORDER_NOTE = (
    "Borders are not drawn here: at this scale the boundary data is too coarse to show on "
    "which bank a place lies. Each place's country is its record's."
)
INSETS: tuple[Inset, ...] = (
    Inset(
        "moei",
        "Moei river (Myanmar–Thailand)",
        (98.36, 98.72),
        (16.58, 16.88),
        BORDER_NOTE,
    ),
    Inset(
        "golden-triangle",
        "Golden Triangle",
        (99.62, 100.32),
        (19.82, 20.56),
        BORDER_NOTE,
    ),
)


def mercator_y(lat: float) -> float:
    lat = max(-85.0, min(85.0, lat))
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def aspect(frame: LonLat) -> float:
    """Height / width of a frame on a Mercator map."""
    (lon0, lon1), (lat0, lat1) = frame
    return (mercator_y(lat1) - mercator_y(lat0)) / math.radians(lon1 - lon0)


def fit(frame: LonLat, width_px: float, height_px: float) -> LonLat:
    """The frame widened along one axis so that plotly's drawing of it fills an area of this
    size (plotly fits the ranges inside the area and leaves the rest of it blank).

    Measured with the label engine's model of plotly's own projection (`labels.Frame`), which
    knows that plotly fits a box with bulging great-circle edges, not a plain Mercator one."""
    from dashboard.figures.labels import Frame

    (lon0, lon1), (lat0, lat1) = frame
    for _ in range(8):
        view = Frame((lon0, lon1), (lat0, lat1), width_px, height_px).view_px
        drawn_w, drawn_h = view[2] - view[0], view[3] - view[1]
        if drawn_w < width_px - 1:
            grow = (lon1 - lon0) * (width_px / drawn_w - 1) / 2
            lon0, lon1 = lon0 - grow, lon1 + grow
        elif drawn_h < height_px - 1:
            y0, y1 = mercator_y(lat0), mercator_y(lat1)
            grow = (y1 - y0) * (height_px / drawn_h - 1) / 2
            lat0 = math.degrees(2 * math.atan(math.exp(y0 - grow)) - math.pi / 2)
            lat1 = math.degrees(2 * math.atan(math.exp(y1 + grow)) - math.pi / 2)
        else:
            break
    return (round(lon0, 3), round(lon1, 3)), (round(lat0, 3), round(lat1, 3))


def focus(dataset: Dataset, countries: set[str], min_span: float = 14.0) -> LonLat | None:
    """A frame around the named places and capitals of these countries, or None if the records
    hold no point in them. Used where nobody can zoom: exports and briefings."""
    locs = dataset.locations[dataset.locations["iso3"].isin(countries)]
    nodes = dataset.nodes[dataset.nodes["node"].isin(countries)]
    lons = list(locs["lon"]) + list(nodes["lon"])
    lats = list(locs["lat"]) + list(nodes["lat"])
    if not lons:
        return None
    lo_lon, hi_lon = min(lons) - 2.5, max(lons) + 2.5
    lo_lat, hi_lat = min(lats) - 2.5, max(lats) + 2.5
    if hi_lon - lo_lon < min_span:
        mid = (hi_lon + lo_lon) / 2
        lo_lon, hi_lon = mid - min_span / 2, mid + min_span / 2
    if hi_lat - lo_lat < min_span * 0.6:
        mid = (hi_lat + lo_lat) / 2
        lo_lat, hi_lat = mid - min_span * 0.3, mid + min_span * 0.3
    return (round(lo_lon, 1), round(hi_lon, 1)), (round(lo_lat, 1), round(hi_lat, 1))


def inset_for(lon: float, lat: float) -> Inset | None:
    for inset in INSETS:
        if inset.contains(lon, lat):
            return inset
    return None


class FrameError(ValueError):
    """A frame a briefing or a user named that cannot be drawn; the message says why."""


def named_frame(dataset: Dataset, spec: object) -> LonLat:
    """The frame a briefing slide names: a cluster ('moei', 'golden-triangle'), one ISO3 code,
    or a list of them (the frame around their places and capitals)."""
    if isinstance(spec, str) and spec in {i.key for i in INSETS}:
        inset = next(i for i in INSETS if i.key == spec)
        return inset.lon_range, inset.lat_range
    codes = [spec] if isinstance(spec, str) else list(spec or [])
    codes = [str(c).strip().upper() for c in codes]
    if not codes or not all(len(c) == 3 and c.isalpha() for c in codes):
        clusters = ", ".join(i.key for i in INSETS)
        raise FrameError(
            f"frame {spec!r}: give a cluster ({clusters}), an ISO3 code or a list of them"
        )
    found = focus(dataset, set(codes))
    if found is None:
        raise FrameError(f"frame {spec!r}: the records hold no place in {', '.join(codes)}")
    return found
