"""A crowded selection: the largest routes drawn one by one, the rest folded into
country-to-country lines that the map names; every route still counted, sums only within one
measure, routes without a number never given one."""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import pandas as pd
import plotly.io.json as pio_json
import pytest

from dashboard.explorer import callbacks
from dashboard.figures import flowmap
from dashboard.state import ViewState
from geodata.dataset import load_dataset
from geodata.flows import fold_routes

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from benchmarks.synthetic import make_routes_dataset  # noqa: E402


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    return load_dataset(make_routes_dataset(3000, tmp_path_factory.mktemp("big")))


def test_synthetic_folder_loads_clean(big):
    assert len(big.routes) == 3000
    assert not big.report.errors


def test_folding_keeps_every_route_counted_and_measures_apart(big):
    flows = big.routes[big.routes["end"] == "flow"]
    kept, folded = fold_routes(flows, 200)
    assert len(kept) == 200
    assert len(kept) + folded["routes"].sum() == len(flows)
    ids = set(kept["id"]) | {i for ids in folded["route_ids"] for i in ids}
    assert ids == set(flows["id"])
    by_id = flows.set_index("id")
    for r in folded.itertuples():
        own = by_id.loc[r.route_ids]
        counts = pd.to_numeric(own["count"], errors="coerce")
        assert r.unnumbered == int(counts.isna().sum())
        for measure, total, n, _ in r.by_measure:
            mine = counts[(own["measure"] == measure) & counts.notna()]
            assert total == mine.sum() and n == len(mine)
        assert sum(n for _, _, n, _ in r.by_measure) + r.unnumbered + r.withheld == r.routes
    # the kept routes are the largest counts
    smallest_kept = pd.to_numeric(kept["count"], errors="coerce").dropna().min()
    folded_counts = pd.to_numeric(
        by_id.loc[[i for ids in folded["route_ids"] for i in ids], "count"], errors="coerce"
    )
    assert folded_counts.dropna().max() <= smallest_kept


def test_the_map_says_what_it_folds(big):
    fig = flowmap.flow_map_dict(big, ViewState(), geometry="/geo/x.json")
    notes = [a["text"] for a in fig["layout"]["annotations"] if a.get("name") == "folded"]
    assert notes
    text = notes[0].replace("<br>", " ")
    assert "largest of" in text and "folded into" in text and "table" in text
    grey = [t for t in fig["data"] if t.get("name") == "folded routes"]
    texts = [x for t in grey for x in t["text"] if x is not None]
    assert texts and all("folded into this line" in x for x in texts)
    # one trace per line width, each line three points and a gap: a few traces, every line
    assert len(grey) <= 8
    lines = sum(t["lon"].count(None) for t in grey)
    assert lines == len(texts) // 3 and lines > len(grey)
    drawn = [t for t in fig["data"] if t.get("customdata") and isinstance(t["customdata"][0], str)]
    assert len({t["customdata"][0] for t in drawn}) <= flowmap.MAX_ROUTES
    # the grey lines are in the legend, in both the printed and the explorer's
    printed = flowmap.flow_map_dict(big, ViewState(), flowmap.Layout(legend=True), "/geo/x.json")
    legend = [t["name"] for t in printed["data"] if t.get("showlegend")]
    assert any("folded into one line" in n for n in legend)
    content = flowmap.map_content(big, ViewState())
    entries = flowmap.legend_entries(big, ViewState(), content)
    assert any(e.colour == flowmap.FOLDED_COLOUR for e in entries)


def test_a_crowded_map_update_stays_small(big):
    fig = callbacks.map_figure(big, "", {"w": 1018, "h": 570}, "/geo/x.json")
    body = pio_json.to_json_plotly(fig).encode()
    assert len(gzip.compress(body)) < 64_000
    assert '"coordinates"' not in body.decode()


def test_a_small_selection_is_not_folded(bundled):
    fig = flowmap.flow_map_dict(bundled, ViewState(), geometry="/geo/x.json")
    assert not [a for a in fig["layout"]["annotations"] if a.get("name") == "folded"]
    assert not [t for t in fig["data"] if t.get("name") == "folded routes"]
    printed = flowmap.flow_map_dict(
        bundled, ViewState(), flowmap.Layout(legend=True), "/geo/x.json"
    )
    legend = [t["name"] for t in printed["data"] if t.get("showlegend")]
    assert legend and not any("folded" in n for n in legend)


def test_withheld_case_counts_are_not_unnumbered_and_make_sums_at_least():
    """A count withheld to protect people is neither a number nor 'reported without a number':
    it is counted apart, and the measure's sum beside it can only be 'at least'."""
    rows = []
    for i in range(6):
        rows.append(
            {
                "id": f"r{i}",
                "origin_iso3": "PHL",
                "destination_iso3": "MYS",
                "movement": "trafficking",
                "measure": "case_records",
                "count": [None, 40.0, 12.0, None, 25.0, 30.0][i],
                "qualifier": "exact",
                "share_pct": None,
                "source_id": "ctdc",
                "suppressed": [True, False, False, False, False, False][i],
            }
        )
    routes = pd.DataFrame(rows)
    kept, folded = fold_routes(routes, 1)
    assert list(kept["id"]) == ["r1"]
    (r,) = folded.itertuples()
    assert (r.routes, r.withheld, r.unnumbered) == (5, 1, 1)
    assert r.by_measure == [("case_records", 67.0, 3, "at_least")]
    hover = flowmap.folded_hover(r)
    assert "1 withheld" in hover and "1 reported without a number" in hover
    # without the withheld one, the same sum is exact
    kept, folded = fold_routes(routes[~routes["suppressed"]], 1)
    assert folded.iloc[0]["by_measure"] == [("case_records", 67.0, 3, "exact")]
    assert folded.iloc[0]["withheld"] == 0
