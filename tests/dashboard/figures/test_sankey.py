"""The hand-drawn Sankey: one measure, a count written on every band, no sums anywhere, counts
at one place left out and listed, the not-stated nationality last and grey."""

from __future__ import annotations

import re
from itertools import combinations
from types import SimpleNamespace

import pandas as pd
import pytest

from dashboard.explorer import callbacks
from dashboard.figures.sankey import (
    GAP_NOT_STATED,
    NOT_STATED,
    STAGE_COLOURS,
    build_sankey,
    route_ends,
    sankey_routes,
)
from dashboard.text import format_count
from geodata.countries import country_name

# A small world of places for inline routes: (node, name, iso3).
PLACES = [
    ("clark", "Clark", "PHL"),
    ("pasay", "Pasay", "PHL"),
    ("las-pinas", "Las Piñas", "PHL"),
    ("bangkok", "Bangkok", "THA"),
    ("mae-sot", "Mae Sot", "THA"),
    ("myawaddy", "Myawaddy", "MMR"),
    ("bavet", "Bavet", "KHM"),
]
COUNTRIES = ["PHL", "THA", "MMR", "KHM", "VNM", "IDN", "CHN", "LAO"]
SOURCE = "IOM, A situation report (February 2024)"


def small_dataset() -> SimpleNamespace:
    """What build_sankey reads from a Dataset: its nodes and source labels."""
    rows = [
        {"node": n, "name": name, "lon": 0.0, "lat": 0.0, "iso3": iso, "is_country": False}
        for n, name, iso in PLACES
    ] + [
        {"node": c, "name": country_name(c), "lon": 0.0, "lat": 0.0, "iso3": c, "is_country": True}
        for c in COUNTRIES
    ]
    return SimpleNamespace(
        nodes=pd.DataFrame(rows),
        source_label=lambda source_id: SOURCE if source_id == "rep" else source_id,
    )


NAMES = {n: name for n, name, _ in PLACES}


def route(rid, nationality, origin, transit, destination, count, measure="rescued", **extra):
    path = [n for n in [origin, *transit, destination] if n]
    row = {
        "id": rid,
        "nationality": nationality,
        "origin": origin,
        "transit": list(transit),
        "destination": destination,
        "path": path,
        "path_names": [NAMES.get(n) or country_name(n) for n in path],
        "measure": measure,
        "count": float(count) if count is not None else float("nan"),
        "qualifier": extra.pop("qualifier", "exact" if count is not None else "unknown"),
        "year_start": 2023,
        "year_end": 2023,
        "period": None,
        "source_id": "rep",
        "section": extra.pop("section", f"Section of {rid}"),
    }
    row.update(extra)
    return row


def frame(*rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


MIXED = frame(
    route("vnm-clark", "VNM", "VNM", [], "clark", 437),
    route("vnm-bkk-myawaddy", "VNM", "VNM", ["bangkok"], "myawaddy", 120),
    route("idn-tha-mmr", "IDN", "IDN", ["THA"], "myawaddy", 300, qualifier="at_least"),
    route("idn-phl", "IDN", "IDN", [], "PHL", 80),
    route("ns-maesot-pasay", None, None, ["mae-sot"], "pasay", 90),
    route("chn-bavet", "CHN", "CHN", [], "bavet", 55),
    route("chn-lao-tha", "CHN", "CHN", ["LAO", "THA"], "myawaddy", 41),
    route("las-pinas-at", None, None, [], "las-pinas", 2714),  # a count at a place
    route("vnm-no-number", "VNM", "VNM", [], "KHM", None),
    route("other-measure", "VNM", "VNM", [], "KHM", 5000, measure="returned"),
)


def traces(fig, role: str) -> list:
    return [t for t in fig.data if (t.meta or {}).get("role") == role]


def all_text(fig) -> list[str]:
    """Every piece of text the figure can show: labels, hover texts, headings, title."""
    out = [fig.layout.title.text or ""]
    out += [a.text or "" for a in fig.layout.annotations]
    for t in fig.data:
        for attr in ("text", "customdata", "hovertext", "hovertemplate", "name"):
            value = getattr(t, attr, None)
            if value is None:
                continue
            if isinstance(value, str):
                out.append(value)
            else:
                out += [str(v) for v in value]
    return out


def numbers(texts: list[str]) -> set[float]:
    found = set()
    for text in texts:
        for token in re.findall(r"\d[\d,]*(?:\.\d+)?", text):
            found.add(float(token.replace(",", "")))
    return found


def sums(counts: list[float]) -> set[float]:
    """Sums of two or more of the counts, less any that is itself one route's count."""
    out = set()
    for k in range(2, len(counts) + 1):
        for combo in combinations(counts, k):
            out.add(sum(combo))
    return out - set(counts)


def link_label_texts(fig) -> list[str]:
    (labels,) = traces(fig, "link_labels")
    return list(labels.text)


def node_rects(fig) -> dict[str, list[tuple[float, float, float, float]]]:
    """(x0, top, x1, bottom) of each node rectangle, by kind (y grows downwards)."""
    out = {}
    for t in traces(fig, "nodes"):
        rects, xs, ys = [], [], []
        for x, y in zip(t.x, t.y):
            if x is None:
                rects.append((min(xs), min(ys), max(xs), max(ys)))
                xs, ys = [], []
            else:
                xs.append(x)
                ys.append(y)
        out[t.meta["kind"]] = rects
    return out


def band_width(trace) -> float:
    """A band's thickness where it leaves its first node: the polygon runs along the top edge,
    then back along the bottom edge, so it starts and ends at the band's left end."""
    return trace.y[-1] - trace.y[0]


# --------------------------------------------------------------- which routes are drawn


def test_only_flows_of_the_measure_with_a_number_are_drawn():
    drawn, left_out = sankey_routes(MIXED, "rescued")
    assert set(drawn["id"]) == {
        "vnm-clark",
        "vnm-bkk-myawaddy",
        "idn-tha-mmr",
        "idn-phl",
        "ns-maesot-pasay",
        "chn-bavet",
        "chn-lao-tha",
    }
    why = dict(zip(left_out["id"], left_out["left_out"]))
    assert why == {"las-pinas-at": "at_place", "vnm-no-number": "no_number"}
    assert "other-measure" not in set(drawn["id"]) | set(left_out["id"])


def test_a_withheld_count_is_left_out_as_withheld_not_as_without_a_number():
    cases = frame(
        route("idn-mys-case", "IDN", "IDN", [], "MYS", 40, measure="case_records"),
        route(
            "phl-mys-case",
            "PHL",
            "PHL",
            [],
            "MYS",
            None,
            measure="case_records",
            suppressed=True,
            count_display="<10",
        ),
        route("vnm-khm-case", "VNM", "VNM", [], "KHM", None, measure="case_records"),
    )
    drawn, left_out = sankey_routes(cases, "case_records")
    assert list(drawn["id"]) == ["idn-mys-case"]
    why = dict(zip(left_out["id"], left_out["left_out"]))
    assert why == {"phl-mys-case": "withheld", "vnm-khm-case": "no_number"}
    lines = {r.id: callbacks.left_out_line(r) for r in left_out.itertuples()}
    assert "<10" in lines["phl-mys-case"] and "withheld" in lines["phl-mys-case"]
    assert "without a number" not in lines["phl-mys-case"]
    # a withheld count of another measure is that measure's, not listed here
    drawn, left_out = sankey_routes(cases, "rescued")
    assert "phl-mys-case" not in set(left_out["id"])


def test_a_count_at_one_place_is_never_drawn_and_is_left_out(bundled):
    ones = bundled.routes[(bundled.routes["path"].map(len) == 1) & bundled.routes["count"].notna()]
    assert len(ones), "the bundled records have counts at one place (Las Piñas, Pasay, ...)"
    for measure, group in ones.groupby("measure"):
        drawn, left_out = sankey_routes(bundled.routes, measure)
        assert not set(group["id"]) & set(drawn["id"])
        assert set(group["id"]) <= set(left_out["id"])
        why = left_out.set_index("id").loc[list(group["id"]), "left_out"]
        assert set(why) <= {"at_place", "from_place"}
        if "las-pinas-rescued-2023-06" in set(why.index):
            assert why["las-pinas-rescued-2023-06"] == "at_place"
        fig = build_sankey(bundled, bundled.routes, measure)
        assert not {t.meta["route"] for t in traces(fig, "band")} & set(group["id"])
        shown = {format_count(c, q) for c, q in zip(drawn["count"], drawn["qualifier"])}
        texts = " | ".join(all_text(fig))
        for c, q in zip(group["count"], group["qualifier"]):
            if format_count(c, q) not in shown:
                assert format_count(c, q) not in texts


def test_las_pinas_is_left_out_not_drawn():
    fig = build_sankey(small_dataset(), MIXED, "rescued")
    assert "las-pinas-at" not in {t.meta["route"] for t in traces(fig, "band")}
    assert not any("2,714" in s or "Las Piñas" in s for s in all_text(fig))
    assert fig.layout.meta["left_out"] == 2


def test_a_route_with_only_a_start_is_left_out():
    routes = frame(
        route("flow", "CHN", "CHN", [], "bavet", 10),
        route("from", "CHN", "bavet", [], None, 164),
    )
    drawn, left_out = sankey_routes(routes, "rescued")
    assert list(drawn["id"]) == ["flow"]
    assert dict(zip(left_out["id"], left_out["left_out"])) == {"from": "from_place"}


def test_the_end_column_is_used_when_present_and_derived_when_not(bundled):
    routes = bundled.routes.drop(columns=["end"], errors="ignore")
    derived = route_ends(routes)
    assert set(derived) <= {"flow", "at", "from"}
    assert (derived == "flow").equals(routes["path"].map(len) >= 2)
    if "end" in bundled.routes.columns:
        assert list(route_ends(bundled.routes)) == list(bundled.routes["end"])
    for measure in bundled.routes["measure"].unique():
        with_end, out_with = sankey_routes(bundled.routes, measure)
        without, out_without = sankey_routes(routes, measure)
        assert list(with_end["id"]) == list(without["id"])
        assert list(out_with["id"]) == list(out_without["id"])
    # a record that says "at" is not drawn even if its path were longer
    told = MIXED.assign(end=["at"] + [None] * (len(MIXED) - 1))
    drawn, left_out = sankey_routes(told, "rescued")
    assert "vnm-clark" not in set(drawn["id"]) and "vnm-clark" in set(left_out["id"])


def test_routes_of_another_measure_never_appear():
    fig = build_sankey(small_dataset(), MIXED, "rescued")
    texts = " | ".join(all_text(fig))
    assert "5,000" not in texts and "eturned" not in texts
    assert "other-measure" not in {t.meta["route"] for t in traces(fig, "band")}
    fig = build_sankey(small_dataset(), MIXED, "returned")
    assert [t.meta["route"] for t in traces(fig, "band")] == ["other-measure"]
    assert link_label_texts(fig) == ["5,000"]
    assert "437" not in " | ".join(all_text(fig))


# --------------------------------------------------------------- what is written


@pytest.mark.parametrize("measure", ["rescued", "returned", "trafficked", "deported"])
def test_every_drawn_route_has_its_count_written_on_it(bundled, measure):
    drawn, _ = sankey_routes(bundled.routes, measure)
    fig = build_sankey(bundled, bundled.routes, measure)
    bands = traces(fig, "band")
    assert [t.meta["route"] for t in bands] == list(drawn["id"])
    labels = link_label_texts(fig)
    for c, q in zip(drawn["count"], drawn["qualifier"]):
        assert format_count(c, q) in labels
    assert fig.layout.meta["links"] == len(drawn)
    assert not any(t.type == "sankey" for t in fig.data)  # no layout left to the browser


def test_count_text_on_inline_routes_with_qualifiers():
    fig = build_sankey(small_dataset(), MIXED, "rescued")
    labels = link_label_texts(fig)
    assert "at least 300" in labels
    for text in ("437", "120", "80", "90", "55", "41"):
        assert text in labels
    # a route with transit is labelled on each stretch between two named places
    assert labels.count("120") == 2 and labels.count("437") == 1
    assert labels.count("41") == 3  # China nationals → Lao PDR → Thailand → Myawaddy


@pytest.mark.parametrize("measure", ["rescued", "returned", "trafficked"])
def test_no_text_is_a_sum_of_route_counts_bundled(bundled, measure):
    drawn, _ = sankey_routes(bundled.routes, measure)
    fig = build_sankey(bundled, bundled.routes, measure)
    assert not numbers(all_text(fig)) & sums(list(drawn["count"]))


def test_no_text_is_a_sum_of_route_counts_inline():
    fig = build_sankey(small_dataset(), MIXED, "rescued")
    drawn, _ = sankey_routes(MIXED, "rescued")
    found = numbers(all_text(fig))
    assert {437.0, 300.0, 41.0} <= found  # the check sees the numbers that are there ...
    assert not found & sums(list(drawn["count"]))  # ... and none that adds routes up
    (labels,) = traces(fig, "node_labels")
    assert not numbers(list(labels.text))  # names only


def test_hover_names_route_count_period_and_source(bundled):
    drawn, _ = sankey_routes(bundled.routes, "returned")
    fig = build_sankey(bundled, bundled.routes, "returned")
    for t, r in zip(traces(fig, "band"), drawn.itertuples()):
        hover = t.text.replace("<br>", " ")
        assert t.hoveron == "fills"
        assert " → ".join(r.path_names) in hover
        assert f"Source: {bundled.source_label(r.source_id)} — {r.section}" in hover
        assert format_count(r.count, r.qualifier) in hover
        assert "Period:" in hover and "Returned:" in hover
    (labels,) = traces(fig, "link_labels")
    assert all("Source: " in c for c in labels.customdata)


def test_hover_on_inline_routes_names_the_source():
    fig = build_sankey(small_dataset(), MIXED, "rescued")
    band = next(t for t in traces(fig, "band") if t.meta["route"] == "vnm-bkk-myawaddy")
    hover = band.text.replace("<br>", " ")
    assert f"Source: {SOURCE} — Section of vnm-bkk-myawaddy" in hover
    assert "Viet Nam → Bangkok → Myawaddy" in hover


# --------------------------------------------------------------- layout


def test_not_stated_is_one_grey_node_last_at_the_bottom_and_set_apart():
    fig = build_sankey(small_dataset(), MIXED, "rescued")
    rects = node_rects(fig)
    assert len(rects["not_stated"]) == 1
    (grey,) = rects["not_stated"]
    assert STAGE_COLOURS["not_stated"] == "#9a9a9a"
    (trace,) = [t for t in traces(fig, "nodes") if t.meta["kind"] == "not_stated"]
    assert trace.fillcolor == "#9a9a9a"
    stated = rects["nationality"]
    assert len(stated) == 3
    assert all(r[0] == grey[0] for r in stated)  # same column
    assert grey[1] - max(r[3] for r in stated) >= GAP_NOT_STATED - 1e-6
    (labels,) = traces(fig, "node_labels")
    column0 = [(y, t) for x, y, t in zip(labels.x, labels.y, labels.text) if x < grey[0]]
    assert NOT_STATED in max(column0)[1]  # its label is the lowest of the first column
    assert NOT_STATED not in min(column0)[1]


def test_not_stated_stays_at_the_bottom_when_it_is_largest():
    routes = frame(
        route("ns", None, None, ["mae-sot"], "myawaddy", 5000),
        route("vnm", "VNM", "VNM", [], "clark", 20),
    )
    fig = build_sankey(small_dataset(), routes, "rescued")
    rects = node_rects(fig)
    (grey,) = rects["not_stated"]
    (blue,) = rects["nationality"]
    assert grey[1] > blue[3]
    (band,) = [t for t in traces(fig, "band") if t.meta["route"] == "ns"]
    assert "154,154,154" in band.fillcolor  # its band is grey too


def test_destination_places_of_one_country_are_adjacent():
    # by size alone the destinations would interleave countries: PHL, KHM, PHL, MMR, PHL
    routes = frame(
        route("a", "VNM", "VNM", [], "clark", 500),
        route("b", "IDN", "IDN", [], "KHM", 400),
        route("c", "CHN", "CHN", [], "pasay", 300),
        route("d", "LAO", "LAO", [], "myawaddy", 200),
        route("e", "THA", "THA", [], "PHL", 100),
        route("f", "VNM", "VNM", [], "bavet", 60),
    )
    fig = build_sankey(small_dataset(), routes, "rescued")
    (labels,) = traces(fig, "node_labels")
    right = max(labels.x)
    dest = [
        t.replace("<br>", " ")
        for x, y, t in sorted(zip(labels.x, labels.y, labels.text), key=lambda v: v[1])
        if x == right
    ]
    assert set(dest) == {
        "Philippines — Clark",
        "Cambodia",
        "Philippines — Pasay",
        "Myanmar — Myawaddy",
        "Philippines",
        "Cambodia — Bavet",
    }
    countries = [d.split(" — ")[0] for d in dest]
    runs = [c for i, c in enumerate(countries) if i == 0 or countries[i - 1] != c]
    assert len(runs) == len(set(runs)) == 3, dest


def test_band_widths_are_the_counts_on_one_scale():
    fig = build_sankey(small_dataset(), MIXED, "rescued")
    widths = {t.meta["route"]: band_width(t) for t in traces(fig, "band")}
    counts = {t.meta["route"]: t.meta["count"] for t in traces(fig, "band")}
    scale = widths["vnm-clark"] / counts["vnm-clark"]
    for rid, w in widths.items():
        assert w == pytest.approx(counts[rid] * scale, rel=1e-6)


def test_link_labels_do_not_overlap_each_other():
    fig = build_sankey(small_dataset(), MIXED, "rescued")
    (labels,) = traces(fig, "link_labels")
    size = labels.textfont.size
    boxes = [
        (x - len(t) * size * 0.29, y - size * 0.6, x + len(t) * size * 0.29, y + size * 0.6)
        for x, y, t in zip(labels.x, labels.y, labels.text)
    ]
    for a, b in combinations(boxes, 2):
        assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)


def test_height_grows_with_the_number_of_nodes():
    small = build_sankey(small_dataset(), MIXED.iloc[:1], "rescued")
    large = build_sankey(small_dataset(), MIXED, "rescued")
    assert 250 <= small.layout.height < large.layout.height
    for fig in (small, large):
        assert fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False
        assert fig.layout.showlegend is False
        assert all(t.showlegend is False for t in fig.data)
        assert fig.layout.xaxis.range is not None and fig.layout.yaxis.range is not None
    assert "rescued" in large.layout.title.text and "destination" in large.layout.title.text


def test_the_figure_is_the_same_every_time():
    a = build_sankey(small_dataset(), MIXED, "rescued").to_json()
    b = build_sankey(small_dataset(), MIXED.iloc[::-1].reset_index(drop=True), "rescued")
    assert a == build_sankey(small_dataset(), MIXED, "rescued").to_json()
    assert len(b.data) == len(build_sankey(small_dataset(), MIXED, "rescued").data)


# --------------------------------------------------------------- nothing to draw


@pytest.mark.parametrize("measure", ["estimated_present", "identified_victims", "no-such-measure"])
def test_an_empty_selection_says_so(bundled, measure):
    fig = build_sankey(bundled, bundled.routes, measure)
    (message,) = traces(fig, "message")
    assert "No route" in message.text[0] and "states a number" in message.text[0]
    assert not traces(fig, "band")
    assert fig.layout.meta["links"] == 0


def test_no_measure_asks_for_one():
    fig = build_sankey(small_dataset(), MIXED, None)
    (message,) = traces(fig, "message")
    assert "measure" in message.text[0]
    drawn, left_out = sankey_routes(MIXED, None)
    assert drawn.empty and list(left_out["id"]) == ["vnm-no-number"]


def test_an_empty_frame():
    drawn, left_out = sankey_routes(MIXED.iloc[0:0], "rescued")
    assert drawn.empty and left_out.empty and "left_out" in left_out.columns
    fig = build_sankey(small_dataset(), MIXED.iloc[0:0], "rescued")
    assert traces(fig, "message")
