"""HXL output for the Humanitarian Data Exchange: two header rows, withheld counts withheld,
and no text a spreadsheet would run."""

# ruff: noqa: E501  (fixture rows and expected values are kept on one line each)

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from geodata.cases.flows import CaseSource, aggregate_cases
from geodata.hxl import CASE_TAGS, hxl_csv, to_hxl_csv, write_hxl
from geodata.spreadsheet import defuse, defuse_formulas
from tests.geodata.test_suppression import SMALL, cases_frame


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_routes_as_hxl(tmp_path):
    flows = aggregate_cases(cases_frame(SMALL))
    path = write_hxl(flows, tmp_path / "flows.csv")
    rows = rows_of(path.read_text(encoding="utf-8"))
    header, tags, *data = rows
    assert header[:3] == ["Nationality (ISO3)", "Country of exploitation (ISO3)", "Year"]
    for tag in ("#country+code+origin", "#country+code+dest", "#affected", "#meta+source"):
        assert tag in tags
    assert any(t.startswith("#date") for t in tags)
    assert all(t.startswith("#") for t in tags)
    assert len(data) == len(flows.routes)
    col = {t: i for i, t in enumerate(tags)}
    by_pair = {
        (r[col["#country+code+origin"]], r[col["#country+code+dest"]], r[col["#date+year"]]): r
        for r in data
    }
    shown = by_pair[("IDN", "MMR", "2022")]
    assert shown[col["#affected"]] == "25" and shown[col["#meta+suppressed"]] == "no"
    small = by_pair[("PHL", "LAO", "2023")]
    assert small[col["#affected"]] == "" and small[col["#affected+display"]] == "<10"
    assert small[col["#meta+suppressed"]] == "yes"
    assert "CTDC global synthetic dataset" in small[col["#meta+source"]]
    # no count under 10 anywhere in the numeric column
    numbers = [int(r[col["#affected"]]) for r in data if r[col["#affected"]]]
    assert numbers and min(numbers) >= 10


@pytest.mark.parametrize("table", ["by_form", "totals"])
def test_other_tables_as_hxl(table):
    flows = aggregate_cases(cases_frame(SMALL))
    header, tags, *data = rows_of(to_hxl_csv(flows, table))
    assert len(data) == len(flows.tables()[table]) and "#affected" in tags
    with pytest.raises(ValueError):
        to_hxl_csv(flows, "everything")


def test_formula_text_is_neutralised():
    source = CaseSource("ngo", '=HYPERLINK("http://x")', "@evil", "2023", None)
    flows = aggregate_cases(cases_frame(SMALL, "htcds"), source=source)
    text = to_hxl_csv(flows)
    _, tags, first, *_ = rows_of(text)
    cell = first[tags.index("#meta+source")]
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    for row in rows_of(text)[2:]:
        for value in row:
            assert not value.startswith(("=", "+", "@", "\t", "\r")), value


def test_defuse_leaves_numbers_alone():
    frame = pd.DataFrame({"a": ["-1+2", "plain", "\tx"], "n": [-3, 4, 5]})
    out = defuse_formulas(frame)
    assert out["a"].tolist() == ["'-1+2", "plain", "'\tx"]
    assert out["n"].tolist() == [-3, 4, 5]
    assert defuse(-7) == -7 and defuse("=1") == "'=1"


def test_the_writer_never_prints_a_withheld_count_it_is_handed():
    """Even a frame that still holds the hidden number (a caller's slip) leaves it out: the
    #affected columns are empty on a withheld row and the display says "<10" or withheld."""
    frame = pd.DataFrame(
        {
            "nationality": ["PHL", "IDN", "VNM"],
            "destination": ["LAO", "MMR", "KHM"],
            "year": [2023, 2023, 2023],
            "count": [7, 25, 13],
            "count_display": ["<10", "25", "13"],
            "suppressed": [True, False, True],
            "share_pct": [3.5, 12.0, 6.5],
            "source_title": ["CTDC", "CTDC", "CTDC"],
        }
    )
    header, tags, *data = rows_of(hxl_csv(frame, CASE_TAGS))
    assert header[:3] == ["nationality", "destination", "year"]
    col = {t: i for i, t in enumerate(tags)}
    for tag in ("#country+code+origin", "#country+code+dest", "#affected", "#meta+source"):
        assert tag in col, tag
    assert tags[header.index("year")].startswith("#date")
    small, shown, complementary = data
    assert small[col["#affected"]] == "" and small[col["#affected+display"]] == "<10"
    assert small[col["#affected+pct"]] == "" and small[col["#meta+suppressed"]] == "yes"
    assert shown[col["#affected"]] == "25" and shown[col["#meta+suppressed"]] == "no"
    # a display that is a number on a withheld row is not printed either
    assert complementary[col["#affected"]] == ""
    assert complementary[col["#affected+display"]] == "withheld"
    text = ",".join(small + complementary)
    assert "7" not in text and "13" not in text and "3.5" not in text
