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
        assert sum(n for _, _, n, _ in r.by_measure) + r.unnumbered == r.routes
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
    assert grey and all("folded into this line" in t["text"] for t in grey)
    drawn = [t for t in fig["data"] if t.get("customdata") and isinstance(t["customdata"][0], str)]
    assert len({t["customdata"][0] for t in drawn}) <= flowmap.MAX_ROUTES


def test_a_crowded_map_update_stays_small(big):
    fig = callbacks.map_figure(big, "", {"w": 1018, "h": 570}, "/geo/x.json")
    body = pio_json.to_json_plotly(fig).encode()
    assert len(gzip.compress(body)) < 64_000
    assert '"coordinates"' not in body.decode()


def test_a_small_selection_is_not_folded(bundled):
    fig = flowmap.flow_map_dict(bundled, ViewState(), geometry="/geo/x.json")
    assert not [a for a in fig["layout"]["annotations"] if a.get("name") == "folded"]
    assert not [t for t in fig["data"] if t.get("name") == "folded routes"]
