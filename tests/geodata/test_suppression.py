"""Flows from case records: their measure, their sources, and small-count protection that no
subtraction undoes (checked by linear algebra, independently of how cells were chosen)."""

# ruff: noqa: E501  (fixture rows and expected values are kept on one line each)

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geodata.cases.flows import CASE_MEASURE, ROUTE_COLUMNS, CaseSource, aggregate_cases
from geodata.cases.suppression import disclosure_problems, protect, recoverable_cells
from geodata.schema import FORMS


def cases_frame(rows: list[tuple], fmt: str = "ctdc2024") -> pd.DataFrame:
    """(year, nationality, country, exploitation, how many) -> one row per case record."""
    records = []
    for year, nat, dest, kind, n in rows:
        records += [
            {
                "case_id": None,
                "year": year,
                "nationality": nat,
                "country_of_exploitation": dest,
                "gender": None,
                "age_band": None,
                "forced_labour": kind == "forced_labour",
                "sexual_exploitation": kind == "sexual_exploitation",
                "other_exploitation": kind == "other_exploitation",
                "organ_removal": pd.NA,
                "exploitation": kind,
                "_row": 0,
            }
        ] * n
    frame = pd.DataFrame(records)
    frame["_row"] = range(1, len(frame) + 1)
    frame.attrs["format"] = fmt
    return frame


SMALL = [
    (2022, "IDN", "KHM", "forced_labour", 40),
    (2022, "IDN", "KHM", "sexual_exploitation", 3),
    (2022, "IDN", "MMR", "forced_labour", 25),
    (2022, "VNM", "KHM", "forced_labour", 30),
    (2022, "VNM", "MMR", "forced_labour", 6),
    (2022, "VNM", "MMR", "not_stated", 14),
    (2023, "PHL", "KHM", "forced_labour", 50),
    (2023, "PHL", "LAO", "sexual_exploitation", 2),
    (2023, "PHL", None, "forced_labour", 7),  # not drawn: no country of exploitation
]


def test_flows_have_their_own_measure_and_the_route_columns():
    flows = aggregate_cases(cases_frame(SMALL))
    routes = flows.routes
    assert list(routes.columns) == ROUTE_COLUMNS
    assert set(routes["measure"]) == {CASE_MEASURE}
    assert set(routes["form"]) == {"all_forms"}
    assert set(flows.by_form["form"].dropna()) <= set(FORMS)
    assert "forced_criminality" not in set(flows.by_form["form"].dropna())
    assert routes["note"].str.contains("no forced-criminality flag").all()
    assert (routes["origin"] == routes["nationality"]).all()
    home = aggregate_cases(cases_frame([(2020, "THA", "THA", "forced_labour", 12)])).routes
    assert home["origin"].isna().all() and home["destination"].tolist() == ["THA"]
    assert home["note"].str.startswith("Exploited in their own country").all()
    assert routes["id"].is_unique and flows.by_form["id"].is_unique
    assert set(routes["source_id"]) == {"ctdc-2024-synthetic"} == set(flows.sources["id"])
    shown = routes.set_index("id")["count"]
    assert shown["ctdc-2024-synthetic-idn-mmr-2022"] == 25  # 25 cases, none small
    # the record with no country of exploitation is in no flow and no total
    assert (
        flows.totals.set_index("id").loc["ctdc-2024-synthetic-total-year-all-2023", "count"] == 52
    )


def test_small_counts_are_withheld_and_complemented():
    flows = aggregate_cases(cases_frame(SMALL))
    assert disclosure_problems(flows.tables(), 10) == []
    by_id = flows.routes.set_index("id")
    assert by_id.loc["ctdc-2024-synthetic-phl-lao-2023", "count_display"] == "<10"
    assert pd.isna(by_id.loc["ctdc-2024-synthetic-phl-lao-2023", "count"])
    # PHL's 2023 total (52) minus PHL->KHM (50) would give PHL->LAO back: a partner is withheld
    totals = flows.totals.set_index("id")
    hidden_2023 = [
        totals.loc["ctdc-2024-synthetic-total-nationality-phl-2023", "suppressed"],
        by_id.loc["ctdc-2024-synthetic-phl-khm-2023", "suppressed"],
    ]
    assert any(hidden_2023)
    withheld = pd.concat([t for t in flows.tables().values()])
    withheld = withheld[withheld["suppressed"]]
    assert set(withheld["count_display"]) <= {"<10", "withheld"}
    assert withheld["count"].isna().all()


def test_the_checker_catches_primary_suppression_alone():
    """Without complementary cells, the shown totals give the small counts back."""
    flows = aggregate_cases(cases_frame(SMALL))
    naive = {}
    for name, frame in flows.tables().items():
        frame = frame.copy()
        primary = frame["count_display"] == "<10"
        frame["suppressed"] = primary
        naive[name] = frame
    found = recoverable_cells(naive)
    assert ("routes", "ctdc-2024-synthetic-phl-lao-2023") in found
    assert ("by_form", "ctdc-2024-synthetic-idn-khm-2022-sexual-exploitation") in found


def test_threshold_is_configurable_but_never_below_five():
    flows = aggregate_cases(cases_frame(SMALL), threshold=5)
    assert disclosure_problems(flows.tables(), 5) == []
    routes = flows.routes.set_index("id")
    assert routes.loc["ctdc-2024-synthetic-phl-lao-2023", "count_display"] == "<5"
    assert not routes.loc["ctdc-2024-synthetic-idn-mmr-2022", "suppressed"]
    for low in (4, 0, -1):
        with pytest.raises(ValueError, match="below 5"):
            aggregate_cases(cases_frame(SMALL), threshold=low)
    with pytest.raises(ValueError):
        aggregate_cases(cases_frame(SMALL), threshold=7.5)


def test_a_year_with_only_small_counts():
    flows = aggregate_cases(cases_frame([(2019, "KHM", "THA", "forced_labour", 3)]))
    for frame in flows.tables().values():
        assert frame["suppressed"].all()
        assert frame["count"].isna().all()
    assert disclosure_problems(flows.tables(), 10) == []


@pytest.mark.parametrize("seed", range(12))
def test_random_tables_are_never_recoverable(seed):
    """Random small datasets, many small cells: no count under 10 is shown and no withheld
    cell can be worked out from the shown ones."""
    rng = np.random.default_rng(seed)
    nats, dests = ["IDN", "PHL", "VNM", "MMR", "CHN"], ["KHM", "MMR", "LAO", "THA"]
    kinds = ["forced_labour", "sexual_exploitation", "multiple", "not_stated"]
    rows = []
    for year in (2021, 2022):
        for nat in nats:
            for dest in dests:
                for kind in kinds:
                    if rng.random() < 0.5:
                        rows.append((year, nat, dest, kind, int(rng.choice([1, 2, 4, 8, 12, 30]))))
    flows = aggregate_cases(cases_frame(rows))
    assert flows.routes["suppressed"].any()
    assert disclosure_problems(flows.tables(), 10) == []


def test_protect_on_a_bare_network():
    """A 2x2 table with margins as a network: one small cell pulls three others with it."""
    # vertices: 0 root, 1-2 rows, 3-4 columns; row totals 0->r, cells r->c, column totals c->0
    u = np.array([0, 0, 1, 1, 2, 2, 3, 4])
    v = np.array([1, 2, 3, 4, 3, 4, 0, 0])
    count = np.array([23, 40, 3, 20, 15, 25, 18, 45])
    hidden, primary = protect(u, v, count, 10)
    assert primary.tolist() == [False, False, True, False, False, False, False, False]
    assert hidden[2:6].all()  # the whole inner table: the only cycle of cells through the 3
    assert not hidden[[0, 1, 6, 7]].any()


def test_source_can_be_named_and_report_figures_are_untouched():
    own = CaseSource("ngo-2023", "Case register", "An NGO", "2023-12")
    flows = aggregate_cases(cases_frame(SMALL, "htcds"), source=own)
    assert flows.sources.iloc[0]["publisher"] == "An NGO"
    assert set(flows.routes["source_id"]) == {"ngo-2023"}
    assert flows.routes["note"].str.contains("HTCDS has no forced-criminality").all()


def test_the_reports_own_small_figures_stay_shown(bundled):
    """Protection is for counts computed from case records: the report's published figures
    keep their small numbers (5 women apprehended on Batam), and case flows beside them leave
    them as they are."""
    figures = bundled.figures.set_index("id")
    assert figures.loc["idn-batam-women-2023-08", "value"] == 5
    flows = aggregate_cases(cases_frame(SMALL))
    both = pd.concat([bundled.routes, flows.routes], ignore_index=True)
    report_rows = both[both["measure"] != CASE_MEASURE]
    assert report_rows["count"].astype("Float64").fillna(-1).tolist() == (
        bundled.routes["count"].astype("Float64").fillna(-1).tolist()
    )
    assert report_rows["suppressed"].isna().all()  # the report's rows have no such column
