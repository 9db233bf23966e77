"""The real public subset of CTDC's 2020 global dataset, where it is at hand (../shared beside
the repository, or CTDC_DATA_DIR). A fresh clone has neither: then these tests skip."""

# ruff: noqa: E501  (fixture rows and expected values are kept on one line each)

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from geodata.cases import detect_format, read_cases
from geodata.cases.flows import aggregate_cases
from geodata.cases.suppression import disclosure_problems
from geodata.hxl import to_hxl_csv

REPO = Path(__file__).resolve().parents[2]
FOLDER = Path(os.environ.get("CTDC_DATA_DIR") or REPO / ".." / "shared" / "data" / "ctdc")
SUBSET = FOLDER / "ctdc_global_14apr2020_subset_wellingtonf-souza.csv"

pytestmark = pytest.mark.skipif(not SUBSET.is_file(), reason="the CTDC subset is not at hand")


@pytest.fixture(scope="module")
def subset():
    return read_cases(SUBSET)


def test_subset_reads_whole(subset):
    cases, report = subset
    assert detect_format(SUBSET) == "ctdc2020"
    tally = report.tallies[SUBSET.name]
    assert tally.read == 48_773 == tally.accepted + tally.rejected
    assert report.ok, report.render()[:2000]
    assert cases["year"].between(2002, 2018).all()
    # only the file's own "not stated" values become None (this subset has no Namibian case,
    # so "NA" is covered by the inline fixtures)
    raw = pd.read_csv(SUBSET, dtype=str, keep_default_na=False)
    for column, key in (
        ("citizenship", "nationality"),
        ("CountryOfExploitation", "country_of_exploitation"),
    ):
        unstated = raw[column].isin(["", "0", "00", "-99"])
        assert cases[key].isna().sum() == unstated.sum()
    stated = cases["country_of_exploitation"].notna()
    assert 9_000 < (~stated).sum() < 12_000  # about 10,000 rows give no country of exploitation
    assert cases["nationality"].isna().sum() > 8_000  # citizenship "0"


def test_subset_aggregates_and_publishes_safely(subset, capsys):
    cases, _ = subset
    flows = aggregate_cases(cases)
    assert disclosure_problems(flows.tables(), flows.threshold) == []
    routes = flows.routes
    drawn = cases["nationality"].notna() & cases["country_of_exploitation"].notna()
    years = flows.totals[flows.totals["scope"] == "year"]
    assert years["count"].sum(min_count=1) <= drawn.sum()
    assert to_hxl_csv(flows).count("\n") == len(routes) + 2
    top = routes.dropna(subset=["count"]).sort_values("count", ascending=False).head(10)
    with capsys.disabled():
        print(f"\nCTDC subset: {len(cases)} rows accepted, {int(drawn.sum())} drawn as flows")
        print(f"{len(routes)} flows, {int(routes['suppressed'].sum())} withheld")
        print(top[["nationality", "destination", "year_start", "count"]].to_string(index=False))
