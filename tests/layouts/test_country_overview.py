"""The country-profile and overview component trees, compared as JSON (no browser)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import plotly.io.json as pio_json

from dashboard.figures import panels
from geodata.dataset import load_dataset
from geodata.filters import Filters
from layouts import ids
from layouts.country import profile_panel
from layouts.overview import overview_panel

ALL = Filters()
CONFIG = {"displaylogo": False, "responsive": True}


def as_json(component) -> dict:
    return json.loads(pio_json.to_json_plotly(component.to_plotly_json()))


def nodes(node) -> Iterator[dict]:
    if isinstance(node, dict):
        if "type" in node and "props" in node:
            yield node
            yield from nodes(node["props"].get("children"))
        else:
            for v in node.values():
                yield from nodes(v)
    elif isinstance(node, list):
        for v in node:
            yield from nodes(v)


def text(node) -> str:
    if node is None:
        return ""
    if isinstance(node, str | int | float):
        return str(node)
    if isinstance(node, list):
        return "".join(text(n) for n in node)
    if isinstance(node, dict) and "props" in node:
        return text(node["props"].get("children"))
    return ""


def headings(tree: dict, level: str) -> list[str]:
    return [text(n) for n in nodes(tree) if n["type"] == level]


def by_id(tree: dict, component_id: str) -> dict:
    return next(n for n in nodes(tree) if n["props"].get("id") == component_id)


def test_mmr_profile_tree(bundled):
    data = panels.profile_data(bundled, "MMR", ALL)
    tree = as_json(profile_panel(data))
    assert tree["props"]["id"] == ids.PROFILE_PANEL
    assert headings(tree, "H2") == ["Myanmar"]
    h3 = headings(tree, "H3")
    for s in bundled.profiles["MMR"]["sections"]:
        assert s["heading"] in h3
    for h in ("Key figures", "Routes into Myanmar", "Routes out of Myanmar"):
        assert h in h3
    # key figures first, then the report's points; long lists fold away under a summary
    assert h3.index("Key figures") < h3.index(bundled.profiles["MMR"]["sections"][0]["heading"])
    summaries = headings(tree, "Summary")
    assert any(s.startswith("Sources (") for s in summaries)
    assert any(s.startswith("Routes in the records (") for s in summaries)
    badges = [
        text(n) for n in nodes(tree) if "profile-badge" in (n["props"].get("className") or "")
    ]
    assert badges == ["Destination", "Origin"]
    all_text = text(tree)
    assert "IOM (February 2024) — Myanmar — Protection" in all_text
    assert "Indonesia → Thailand → Myawaddy" in all_text
    assert "Note:" in all_text


def test_key_figures_table_is_semantic(bundled):
    data = panels.profile_data(bundled, "MMR", ALL)
    table = next(n for n in nodes(as_json(profile_panel(data))) if n["type"] == "Table")
    th = [n for n in nodes(table) if n["type"] == "Th"]
    cols = [text(n) for n in th if n["props"].get("scope") == "col"]
    assert cols == ["Figure", "Value", "Period", "Source"]
    rows = [text(n) for n in th if n["props"].get("scope") == "row"]
    assert rows == [f["label"] for f in data["figures"]]
    assert any(n["type"] == "Caption" for n in nodes(table))
    body = text(table)
    for f in data["figures"]:
        assert f["value"] in body and f["citation"] in body


def test_none_sentences_on_the_small_data(small_dir):
    data = panels.profile_data(load_dataset(small_dir), "MMR", ALL)
    tree = as_json(profile_panel(data))
    assert text(by_id(tree, ids.PROFILE_OUTBOUND)).endswith(
        "No outbound routes in the records for these filters."
    )
    assert "Indonesia → Mae Sot → Myawaddy" in text(by_id(tree, ids.PROFILE_INBOUND))
    assert "No key figures for Myanmar" in text(by_id(tree, ids.PROFILE_FIGURES))


def test_country_without_profile_or_inbound_routes(bundled):
    tree = as_json(profile_panel(panels.profile_data(bundled, "ARE", ALL)))
    assert headings(tree, "H2") == ["United Arab Emirates"]
    assert "no country profile" in text(tree)
    assert "No inbound routes in the records for these filters." in text(
        by_id(tree, ids.PROFILE_INBOUND)
    )
    assert "United Arab Emirates → Mae Sot" in text(by_id(tree, ids.PROFILE_OUTBOUND))


def test_inconsistencies_are_flagged_in_the_profile(bundled):
    data = panels.profile_data(bundled, "PHL", ALL)
    tree = as_json(profile_panel(data))
    notes = by_id(tree, ids.PROFILE_NOTES)
    callouts = [n for n in nodes(notes) if n["type"] == "Li"]
    assert len(callouts) == len(data["notes"])
    assert all(n["props"].get("role") == "note" for n in callouts)
    flagged = [n for n in callouts if "inconsistency" in n["props"]["className"]]
    assert flagged and all("the report is inconsistent" in text(n) for n in flagged)
    assert "⚠ See the inconsistency noted below" in text(by_id(tree, ids.PROFILE_FIGURES))


def test_overview_tree(bundled):
    data = panels.overview_data(bundled, ALL)
    charts = {
        "caseload": panels.caseload_chart(bundled),
        "sex_split": panels.sex_split_chart(bundled),
    }
    tree = as_json(overview_panel(data, charts, CONFIG))
    assert tree["props"]["id"] == ids.OVERVIEW_PANEL
    assert headings(tree, "H2") == ["Regional overview"]
    h3 = headings(tree, "H3")
    assert [g["heading"] for g in data["groups"]] == h3[: len(data["groups"])]
    assert "Where the report contradicts itself" in h3
    cards = [n for n in nodes(by_id(tree, ids.OVERVIEW_CARDS)) if n["type"] == "Li"]
    assert len(cards) == sum(len(g["cards"]) for g in data["groups"])
    for card, item in zip(cards, (c for g in data["groups"] for c in g["cards"])):
        assert item["value"] in text(card) and item["section"] in text(card)
        assert item["period"] in text(card)
    for component_id, key in (
        (ids.OVERVIEW_CASELOAD_CHART, "caseload"),
        (ids.OVERVIEW_SEX_SPLIT_CHART, "sex_split"),
    ):
        graph = by_id(tree, component_id)
        assert graph["type"] == "Graph" and graph["props"]["config"] == CONFIG
        assert graph["props"]["figure"]["data"][0]["y"] == charts[key].to_dict()["data"][0]["y"]
    inconsistencies = text(by_id(tree, ids.OVERVIEW_INCONSISTENCIES))
    for n in data["inconsistencies"]:
        assert n["text"] in inconsistencies


def test_overview_with_no_figures_for_the_filters(bundled):
    data = panels.overview_data(bundled, Filters(2019, 2019))
    tree = as_json(overview_panel(data, {}, CONFIG))
    assert "No regional figures in the records for these filters." in text(tree)
    assert not [n for n in nodes(tree) if n["type"] == "Graph"]


def test_layouts_import_neither_data_nor_application_code():
    code = (
        "import sys, layouts.country, layouts.overview; "
        "bad = [m for m in ('geodata', 'dashboard', 'pandas') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
