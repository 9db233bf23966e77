"""Figure builders, checked on fig.to_dict(): trace kinds, dashes, hover sources, no sums."""

from __future__ import annotations

from dashboard.figures import DISCLAIMER, build_route_map
from geodata.dataset import load_dataset
from geodata.flows import route_legs


def _map(small_dir):
    ds = load_dataset(small_dir)
    legs = route_legs(ds.routes, ds.nodes)
    return ds, legs, build_route_map(ds, ds.routes, legs).to_dict()


def test_legs_follow_the_path(small_dir):
    ds = load_dataset(small_dir)
    legs = route_legs(ds.routes, ds.nodes)
    r1 = legs[legs["route_id"] == "r1"]
    assert list(zip(r1["from_node"], r1["to_node"])) == [
        ("IDN", "mae-sot"),
        ("mae-sot", "myawaddy"),
    ]
    # each leg keeps its route's own count; nothing is summed
    assert set(r1["count"]) == {20}


def test_known_and_unknown_routes_are_separate_traces(small_dir):
    _, legs, fig = _map(small_dir)
    lines = [t for t in fig["data"] if t["type"] == "scattergeo" and t.get("mode") == "lines"]
    by_dash = {t["line"]["dash"]: t for t in lines}
    assert set(by_dash) == {"solid", "dash"}
    # r1 has 2 legs with a count; r2 and r3 have one leg each without
    assert sum(v is None for v in by_dash["solid"]["lon"]) == 2
    assert sum(v is None for v in by_dash["dash"]["lon"]) == 2


def test_hover_names_measure_count_and_source(small_dir):
    _, _, fig = _map(small_dir)
    hovers = [t for t in fig["data"] if t["type"] == "scattergeo" and t.get("mode") == "markers"]
    texts = [s for t in hovers for s in t["text"]]
    r1 = next(s for s in texts if "Mae Sot" in s)
    assert "Rescued: 20" in r1 and "Source: IOM" in r1 and "Media and Publications" in r1
    r2 = next(s for s in texts if "Bavet" in s)
    assert "number not stated" in r2
    r3 = next(s for s in texts if "Philippines → Cambodia" in s)
    assert "Share: 37 %" in r3 and "number not stated" in r3


def test_no_number_on_the_map_that_is_not_a_route_count(small_dir):
    """The hover texts carry each route's own count only: no totals across routes."""
    ds, _, fig = _map(small_dir)
    import re

    shown = set()
    for t in fig["data"]:
        text = t.get("text")
        for s in [] if text is None else list(text):
            if isinstance(s, str):
                s = re.sub(r"\d{4}-\d{2}(-\d{2})?", "", s)  # source dates
                shown |= {int(n.replace(",", "")) for n in re.findall(r"\b\d[\d,]*\b", s)}
    allowed = set(ds.routes["count"].dropna().astype(int)) | {37} | set(range(2020, 2030))
    assert shown <= allowed, shown - allowed


def test_disclaimer_on_the_map(small_dir):
    _, _, fig = _map(small_dir)
    assert any(a["text"] == DISCLAIMER for a in fig["layout"]["annotations"])


def test_border_compound_drawn_where_its_record_says(small_dir):
    _, _, fig = _map(small_dir)
    places = [t for t in fig["data"] if t.get("mode") == "markers+text"]
    hover = {n: c for t in places for n, c in zip(t["text"], t["customdata"])}
    assert hover["Myawaddy"][1] == "Myanmar"
    assert hover["Myawaddy"][4] == "Myawaddy"
    assert hover["Bavet"][1] == "Cambodia"
