"""Label placement: nearby places get labels that do not stack, the same way every time."""

from __future__ import annotations

import math
from itertools import combinations

import pytest

from dashboard.figures.flowmap import REGION_LAT, REGION_LON
from dashboard.figures.labels import POSITIONS, label_box, place_labels, to_pixels

# The Thai–Myanmar border cluster: (name, lon, lat).
CLUSTER = [
    ("Myawaddy", 98.51, 16.69),
    ("KK Park", 98.52, 16.65),
    ("Shwe Kokko", 98.53, 16.82),
    ("Mae Sot", 98.57, 16.72),
    ("Friendship Bridge", 98.52, 16.69),
]
# Southeast Asia at a fixed extent, so these tests do not move with the dashboard's framing ...
SEA = ((76.0, 138.0), (-11.0, 31.0))
# ... and the extent the dashboard opens on, whatever it is today.
REGION = (REGION_LON, REGION_LAT)


def boxes(points, placed, lon_range, lat_range, width, height, font_px=11):
    return {
        name: label_box(
            *to_pixels(lon, lat, lon_range, lat_range, width, height), name, placed[name], font_px
        )
        for name, lon, lat in points
    }


def overlap(a, b):
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def area(box):
    return (box[2] - box[0]) * (box[3] - box[1])


@pytest.mark.parametrize("extent", [SEA, REGION])
@pytest.mark.parametrize("size", [(1000, 700), (1000, 640), (600, 420)])
def test_border_cluster_gets_five_different_positions_at_region_scale(extent, size):
    placed = place_labels(CLUSTER, *extent, *size)
    assert set(placed) == {name for name, _, _ in CLUSTER}
    assert len(set(placed.values())) == len(CLUSTER), placed
    assert set(placed.values()) <= set(POSITIONS)
    # the labels barely touch: no pair shares more than a tenth of the smaller box
    box = boxes(CLUSTER, placed, *extent, *size)
    for a, b in combinations(box, 2):
        assert overlap(box[a], box[b]) < 0.1 * min(area(box[a]), area(box[b])), (a, b, placed)


@pytest.mark.parametrize(
    "extent",
    [
        (*SEA, 1000, 700),
        (*REGION, 1000, 640),
        ((90.0, 110.0), (5.0, 25.0), 900, 700),
        ((98.3, 98.8), (16.5, 16.9), 800, 600),  # zoomed in: points apart, labels may match
    ],
)
def test_border_cluster_labels_differ_or_do_not_overlap(extent):
    placed = place_labels(CLUSTER, *extent)
    box = boxes(CLUSTER, placed, *extent)
    for (a, _, _), (b, _, _) in combinations(CLUSTER, 2):
        assert placed[a] != placed[b] or overlap(box[a], box[b]) == 0, (a, b, placed)


@pytest.mark.parametrize(
    "extent",
    [
        (*SEA, 1000, 700),
        ((90.0, 110.0), (5.0, 25.0), 900, 700),
        ((98.3, 98.8), (16.5, 16.9), 800, 600),
    ],
)
def test_border_cluster_labels_do_not_overlap_at_all_where_room_allows(extent):
    placed = place_labels(CLUSTER, *extent)
    box = boxes(CLUSTER, placed, *extent)
    assert all(overlap(box[a], box[b]) == 0 for a, b in combinations(box, 2)), placed


def test_placement_is_deterministic_and_ignores_input_order():
    first = place_labels(CLUSTER, *SEA, 1000, 700)
    assert place_labels(CLUSTER, *SEA, 1000, 700) == first
    assert place_labels(CLUSTER[::-1], *SEA, 1000, 700) == first
    assert place_labels(CLUSTER[2:] + CLUSTER[:2], *SEA, 1000, 700) == first


def test_a_lone_point_takes_the_preferred_position():
    assert place_labels([("Bangkok", 100.52, 13.75)], *SEA, 1000, 700) == {"Bangkok": POSITIONS[0]}


def test_labels_stay_inside_the_frame():
    near_right = place_labels([("Far east label", 137.8, 10.0)], *SEA, 1000, 700)
    assert near_right["Far east label"].endswith("left")
    near_top = place_labels([("Top", 100.0, 30.9)], *SEA, 1000, 700)
    assert near_top["Top"].startswith("bottom")


def test_empty_and_placeless_points():
    assert place_labels([], *SEA, 1000, 700) == {}
    placed = place_labels([("Nowhere", math.nan, 10.0), *CLUSTER], *SEA, 1000, 700)
    assert placed["Nowhere"] == POSITIONS[0]
    assert len({placed[name] for name, _, _ in CLUSTER}) == len(CLUSTER)


def test_pixels_use_a_mercator_y_and_one_scale():
    lon_range, lat_range = (0.0, 60.0), (-60.0, 60.0)
    left, top = to_pixels(0.0, 60.0, lon_range, lat_range, 400, 400)
    right, bottom = to_pixels(60.0, -60.0, lon_range, lat_range, 400, 400)
    _, middle = to_pixels(30.0, 0.0, lon_range, lat_range, 400, 400)
    _, thirty = to_pixels(30.0, 30.0, lon_range, lat_range, 400, 400)
    assert middle == pytest.approx(200.0)
    assert top == pytest.approx(0.0) and bottom == pytest.approx(400.0)  # tall extent fills height
    assert right - left < 400  # ...and is centred across, with the same scale
    assert (left + right) / 2 == pytest.approx(200.0)
    assert middle - thirty < thirty - top  # Mercator: 30–60° is taller than 0–30°
    with pytest.raises(ValueError):
        to_pixels(0.0, 0.0, (10.0, 10.0), lat_range, 400, 400)
