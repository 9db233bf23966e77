"""Flow geometry: fixed width classes, curved legs fanned out where shared, arrows that point on."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from geodata.dataset import load_dataset
from geodata.flows import (
    FLOW_COLUMNS,
    LEG_COLUMNS,
    WIDTH_CLASSES,
    flow_lines,
    route_legs,
    width_class,
)


def leg(route_id, a, b, start, end, count=float("nan"), i=0):
    """One leg from node a at start (lon, lat) to node b at end, with the other columns filled."""
    row = dict.fromkeys(LEG_COLUMNS)
    row.update(
        route_id=route_id,
        leg=i,
        legs=1,
        from_node=a,
        to_node=b,
        from_name=a,
        to_name=b,
        from_lon=start[0],
        from_lat=start[1],
        to_lon=end[0],
        to_lat=end[1],
        measure="rescued",
        count=count,
    )
    return row


def legs(*rows):
    return pd.DataFrame(list(rows), columns=LEG_COLUMNS)


def one(frame, route_id):
    rows = frame[frame["route_id"] == route_id]
    assert len(rows) == 1
    return rows.iloc[0]


def test_width_scale_is_contiguous_and_grows():
    assert [c.label for c in WIDTH_CLASSES] == ["1–99", "100–999", "1,000–9,999", "10,000 or more"]
    widths = [c.width_px for c in WIDTH_CLASSES]
    assert widths == sorted(widths) and len(set(widths)) == len(widths)
    for lower, upper in zip(WIDTH_CLASSES, WIDTH_CLASSES[1:]):
        assert upper.lo == lower.hi + 1
    assert WIDTH_CLASSES[-1].hi is None


@pytest.mark.parametrize(
    ("count", "expected"),
    [(1, 0), (20, 0), (99, 0), (100, 1), (999, 1), (1_000, 2), (9_999, 2), (10_000, 3), (5e6, 3)],
)
def test_width_class_of_a_count(count, expected):
    assert width_class(count) == expected
    assert width_class(float(count)) == expected
    assert width_class(np.int64(count)) == expected


@pytest.mark.parametrize("count", [None, float("nan"), np.nan, pd.NA, 0, -5, "many"])
def test_unknown_or_meaningless_counts_have_no_class(count):
    assert width_class(count) is None


def test_width_class_does_not_depend_on_the_rest_of_the_frame():
    alone = flow_lines(legs(leg("a", "X", "Y", (100, 10), (105, 12), count=20)))
    crowd = flow_lines(
        legs(
            leg("a", "X", "Y", (100, 10), (105, 12), count=20),
            leg("b", "X", "Z", (100, 10), (110, 15), count=50_000),
            leg("c", "Y", "Z", (105, 12), (110, 15), count=450),
            leg("d", "Y", "X", (105, 12), (100, 10)),
        )
    )
    assert one(alone, "a")["width_class"] == one(crowd, "a")["width_class"] == 0
    assert one(crowd, "b")["width_class"] == 3
    assert one(crowd, "c")["width_class"] == 1
    assert one(crowd, "d")["width_class"] is None  # unknown count: no class, never 0


def test_shared_legs_fan_out():
    start, end = (114.1, -1.0), (104.4, 12.6)
    frame = flow_lines(
        legs(
            leg("r-a", "IDN", "KHM", start, end),
            leg("r-b", "IDN", "KHM", start, end, count=122),
            leg("r-c", "IDN", "KHM", start, end, count=30),
            leg("r-d", "KHM", "IDN", end, start),
            leg("r-e", "IDN", "LAO", start, (102.6, 19.7)),
        )
    )
    pair = frame[frame["route_id"] != "r-e"]
    assert sorted(pair["bundle_rank"]) == [0, 1, 2, 3]
    assert set(pair["bundle_size"]) == {4}
    assert one(frame, "r-e")["bundle_rank"] == 0 and one(frame, "r-e")["bundle_size"] == 1
    mids = list(zip(pair["mid_lon"].round(6), pair["mid_lat"].round(6)))
    assert len(set(mids)) == len(mids)
    # same direction: each rank further from the chord's midpoint than the one before
    chord_mid = np.array([(start[0] + end[0]) / 2, (start[1] + end[1]) / 2])
    same = frame[frame["from_node"] == "IDN"].iloc[:3]  # r-a, r-b, r-c by route_id
    assert list(same["bundle_rank"]) == [0, 1, 2]
    away = [np.hypot(*(np.array([r.mid_lon, r.mid_lat]) - chord_mid)) for r in same.itertuples()]
    assert away[0] < away[1] < away[2]
    # every curve's sampled polyline differs from every other's
    lines = [tuple(np.round(lons, 6)) for lons in pair["lons"]]
    assert len(set(lines)) == len(lines)


def test_curves_bow_to_the_right_of_travel_so_opposite_legs_separate():
    frame = flow_lines(
        legs(
            leg("east", "A", "B", (100, 10), (110, 10)), leg("west", "B", "A", (110, 10), (100, 10))
        )
    )
    assert one(frame, "east")["mid_lat"] < 10  # right of eastward is south
    assert one(frame, "west")["mid_lat"] > 10  # right of westward is north


@pytest.mark.parametrize(
    ("end", "bearing"),
    [((105.0, 10.0), 90.0), ((100.0, 15.0), 0.0), ((100.0, 5.0), 180.0), ((95.0, 10.0), 270.0)],
)
def test_arrow_angle_is_the_bearing_clockwise_from_north(end, bearing):
    straight = flow_lines(legs(leg("r", "A", "B", (100.0, 10.0), end)), curvature=0.0)
    assert one(straight, "r")["arrow_angle"] == pytest.approx(bearing, abs=1e-6)
    # curved, the arrow follows the curve: it turns back towards the chord's left near the end
    curved = one(flow_lines(legs(leg("r", "A", "B", (100.0, 10.0), end))), "r")["arrow_angle"]
    turn = (curved - bearing + 180) % 360 - 180
    assert -60 < turn < -5


def test_arrow_angle_scales_longitude_by_latitude():
    # one degree east and one north at 60°N: east is only cos(60°) as long, so not 45°
    frame = flow_lines(legs(leg("r", "A", "B", (10.0, 59.5), (11.0, 60.5))), curvature=0.0)
    expected = math.degrees(math.atan2(math.cos(math.radians(60.0)), 1.0))
    assert one(frame, "r")["arrow_angle"] == pytest.approx(expected, abs=0.5)


def test_polyline_starts_and_ends_at_the_leg_and_arrow_sits_before_the_end():
    frame = flow_lines(legs(leg("r", "A", "B", (114.147, -0.963), (104.448, 12.617))), samples=30)
    r = one(frame, "r")
    assert len(r["lons"]) == len(r["lats"]) == 30
    assert (r["lons"][0], r["lats"][0]) == (114.147, -0.963)
    assert (r["lons"][-1], r["lats"][-1]) == (104.448, 12.617)
    assert all(isinstance(v, float) for v in r["lons"] + r["lats"])
    to_end = math.hypot(r["arrow_lon"] - 104.448, r["arrow_lat"] - 12.617)
    chord = math.hypot(114.147 - 104.448, -0.963 - 12.617)
    assert 0.02 * chord < to_end < 0.3 * chord


def test_empty_input_gives_empty_frame_with_all_columns(small_dir):
    empty = flow_lines(legs())
    assert empty.empty
    assert list(empty.columns) == LEG_COLUMNS + FLOW_COLUMNS
    ds = load_dataset(small_dir)
    none = flow_lines(route_legs(ds.routes.iloc[:0], ds.nodes))
    assert none.empty and list(none.columns) == LEG_COLUMNS + FLOW_COLUMNS


def test_zero_length_and_placeless_legs_are_dropped():
    frame = flow_lines(
        legs(
            leg("same", "A", "B", (100, 10), (100, 10)),
            leg("nowhere", "A", "C", (100, 10), (float("nan"), 12)),
            leg("ok", "A", "D", (100, 10), (101, 11)),
        )
    )
    assert list(frame["route_id"]) == ["ok"]
    only_zero = flow_lines(legs(leg("same", "A", "B", (100, 10), (100, 10))))
    assert only_zero.empty and list(only_zero.columns) == LEG_COLUMNS + FLOW_COLUMNS


def test_order_and_result_do_not_depend_on_input_order():
    rows = [
        leg("b", "X", "Y", (100, 10), (105, 12), i=1),
        leg("a", "X", "Y", (100, 10), (105, 12)),
        leg("b", "W", "X", (95, 5), (100, 10), i=0),
        leg("c", "Y", "X", (105, 12), (100, 10)),
    ]
    forward = flow_lines(legs(*rows))
    backward = flow_lines(legs(*rows[::-1]))
    assert list(zip(forward["route_id"], forward["leg"])) == [
        ("a", 0),
        ("b", 0),
        ("b", 1),
        ("c", 0),
    ]
    pd.testing.assert_frame_equal(forward, backward)


def test_small_folder_flows_keep_leg_columns(small_dir):
    ds = load_dataset(small_dir)
    route = route_legs(ds.routes, ds.nodes)
    frame = flow_lines(route)
    assert len(frame) == len(route)
    pd.testing.assert_series_equal(
        frame["count"], route.sort_values(["route_id", "leg"])["count"].reset_index(drop=True)
    )
    assert one(frame, "r2")["width_class"] is None  # r2 states no count
    r1 = frame[frame["route_id"] == "r1"]
    assert list(r1["width_class"]) == [0, 0]  # 20 people, on both legs


def test_bundled_records_fan_out_their_shared_legs(bundled):
    route = route_legs(bundled.routes, bundled.nodes)
    frame = flow_lines(route)
    assert len(frame) == len(route)  # no bundled leg has zero length
    idn_khm = frame[(frame["from_node"] == "IDN") & (frame["to_node"] == "KHM")]
    assert len(idn_khm) >= 2
    assert idn_khm["bundle_rank"].is_unique
    assert len(set(zip(idn_khm["mid_lon"], idn_khm["mid_lat"]))) == len(idn_khm)
    known = frame[frame["count"].notna()]
    assert known["width_class"].map(lambda c: c is not None).all()
    assert frame.loc[frame["count"].isna(), "width_class"].map(lambda c: c is None).all()
    assert frame["arrow_angle"].between(0, 360, inclusive="left").all()
