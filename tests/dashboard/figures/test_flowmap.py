"""The flow map builder, checked on fig.to_dict(): width classes, dashes, hover, no sums."""

from __future__ import annotations

import re

import pytest

from dashboard.figures.flowmap import (
    DISCLAIMER,
    DYNAMIC,
    FLOW_TRACES,
    TRACES,
    build_flow_map,
    choropleth_style,
    default_measure,
    dynamic_traces,
    visible_routes,
)
from dashboard.state import ViewState
from geodata.dataset import load_dataset
from geodata.flows import WIDTH_CLASSES
from tests.conftest import ROUTES, write_data

EXTRA = (
    "r4,VNM,VNM,,bavet,2023,2023,,rescued,150,exact,,rep,Viet Nam — Protection,\n"
    "r5,VNM,VNM,,bavet,2023,2023,,returned,5000,exact,,rep,Viet Nam — Protection,\n"
)


@pytest.fixture
def ds(tmp_path):
    return load_dataset(write_data(tmp_path / "d", routes_csv=ROUTES + EXTRA))


def traces(fig) -> dict:
    return {t["uid"]: t for t in fig.to_dict()["data"]}


def legs_in(trace) -> int:
    return sum(v is None for v in trace["lon"]) if trace["lon"] != [None] else 0


def test_trace_order_is_fixed(ds):
    fig = build_flow_map(ds, ViewState())
    assert [t["uid"] for t in fig.to_dict()["data"]] == TRACES
    for state in (
        ViewState(measure="returned"),
        ViewState(nationality=("IDN",)),
        ViewState(indicator="role", year_from=2022, year_to=2022),
    ):
        assert [t.uid for t in dynamic_traces(ds, state)] == DYNAMIC


def test_one_trace_per_width_class_on_a_fixed_scale(ds):
    t = traces(build_flow_map(ds, ViewState(measure="rescued")))
    for i, wc in enumerate(WIDTH_CLASSES):
        assert t[FLOW_TRACES[i]]["line"]["width"] == wc.width_px
        assert t[FLOW_TRACES[i]]["mode"] == "lines"
    # r1 (20 rescued, 2 legs) is in class 0; r4 (150 rescued) in class 1
    assert legs_in(t[FLOW_TRACES[0]]) == 2
    assert legs_in(t[FLOW_TRACES[1]]) == 1
    # the scale does not move when a filter removes the big routes
    narrowed = traces(build_flow_map(ds, ViewState(measure="rescued", nationality=("IDN",))))
    assert [narrowed[u]["line"]["width"] for u in FLOW_TRACES] == [
        w.width_px for w in WIDTH_CLASSES
    ]
    assert legs_in(narrowed[FLOW_TRACES[1]]) == 0


def test_routes_without_a_number_are_dashed_and_labelled(ds):
    t = traces(build_flow_map(ds, ViewState(measure="rescued")))
    unknown = t["flows-unknown"]
    assert unknown["line"]["dash"] == "dash"
    assert unknown["name"] == "Number not stated"
    assert legs_in(unknown) == 2  # r2 and r3 state no number
    hover = t["flow-hover"]["text"]
    assert any("Bavet" in h and "number not stated" in h for h in hover)


def test_other_measures_are_not_summed_in(ds):
    """Sizing 'rescued' leaves the 5,000 returned out; it is never added to the 150 rescued."""
    t = traces(build_flow_map(ds, ViewState(measure="rescued")))
    assert legs_in(t[FLOW_TRACES[2]]) == 0  # 5,000 would be class 2
    shown = set()
    for h in t["flow-hover"]["text"]:
        shown |= {
            int(n.replace(",", ""))
            for n in re.findall(r"\b\d[\d,]*\b", re.sub(r"\d{4}(-\d{2})?", "", h))
        }
    assert 5000 not in shown and 5150 not in shown and 170 not in shown
    returned = traces(build_flow_map(ds, ViewState(measure="returned")))
    assert legs_in(returned[FLOW_TRACES[2]]) == 1
    assert legs_in(returned[FLOW_TRACES[0]]) == 0


def test_default_measure_is_the_most_counted(ds):
    assert default_measure(ds.routes) == "rescued"
    ids = set(visible_routes(ds, ViewState())["id"])
    assert ids == {"r1", "r2", "r3", "r4"}


def test_hover_names_measure_count_qualifier_period_and_source(ds):
    t = traces(build_flow_map(ds, ViewState(measure="rescued")))
    r1 = next(h for h in t["flow-hover"]["text"] if "Mae Sot" in h)
    assert "Rescued: 20" in r1
    assert "Period: 2023" in r1
    assert "Source: IOM, A situation report (February 2024) — Media and Publications" in r1
    r3 = next(h for h in t["flow-hover"]["text"] if "Philippines → Cambodia" in h)
    assert "Share: 37 %" in r3 and "since 2022" in r3


def test_arrows_point_along_each_flow(ds):
    t = traces(build_flow_map(ds, ViewState(measure="rescued")))
    arrows = t["arrows"]
    assert arrows["marker"]["symbol"] == "triangle-up"
    assert arrows["marker"]["angleref"] == "up"
    assert len(arrows["lon"]) == len(arrows["marker"]["angle"]) == len(t["flow-hover"]["lon"])


def test_disclaimer_on_the_map(ds):
    fig = build_flow_map(ds, ViewState()).to_dict()
    assert any(a["text"] == DISCLAIMER for a in fig["layout"]["annotations"])


def test_view_keeps_zoom_across_filters(ds):
    a = build_flow_map(ds, ViewState()).to_dict()["layout"]
    b = build_flow_map(ds, ViewState(nationality=("VNM",))).to_dict()["layout"]
    assert a["uirevision"] == b["uirevision"]


def test_border_places_drawn_where_their_record_says(ds):
    t = traces(build_flow_map(ds, ViewState()))
    places = {c[5]: c for tr in (t["places-report"], t["places-context"]) for c in tr["customdata"]}
    assert places["Myawaddy"][:3] == ["MMR", "city", "Myanmar"]
    assert places["Bavet"][0] == "KHM" and places["Bavet"][2] == "Cambodia"


def test_country_colours_by_role_and_by_indicator(bundled):
    codes = ["MMR", "THA", "IDN", "FRA"]
    role = choropleth_style(bundled, ViewState(), codes)
    assert role["z"][0] != role["z"][3]  # Myanmar has a role, France none
    assert "Country of destination and origin" in role["text"][0]
    ind = choropleth_style(bundled, ViewState(indicator="iom-office-caseload-2023"), codes)
    figs = bundled.figures.set_index("id")
    assert ind["z"][0] == figs.at["mmr-caseload-2023", "value"]
    assert ind["z"][1] == figs.at["tha-iom-assisted-2023", "value"]
    assert ind["z"][2] is None and "No figure stated" in ind["text"][2]
    assert "Source:" in ind["text"][0]


def test_sankey_shows_no_totals_of_its_own(bundled):
    from dashboard.figures.sankey import build_sankey

    fig = build_sankey(bundled, bundled.routes, "rescued").to_dict()
    node = fig["data"][0]["node"]
    assert "%{value" not in node["hovertemplate"]
    links = fig["data"][0]["link"]
    counts = set(bundled.routes.loc[bundled.routes["measure"] == "rescued", "count"].dropna())
    assert set(links["value"]) <= counts  # every link is one route's own count
