"""`python -m dashboard export --cases FILE`: a figure of case flows made from the command
line prints "<10" (or "withheld") where a count is withheld, never the count itself."""

from __future__ import annotations

import csv
import re

import pytest

from dashboard.cli.main import main
from dashboard.export import render as export_module
from tests.case_fixture import FLOWS, SMALL, write_cases
from tests.dashboard.cases.test_suppression_everywhere import small_count_in

needs_chromium = pytest.mark.skipif(
    export_module.chromium_path() is None, reason="no Chromium for kaleido on this machine"
)
CASES = ["--measure", "case_records", "--year", "2023"]


@pytest.fixture
def case_file(tmp_path):
    path = write_cases(tmp_path)
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:-2]) + "\n")  # without the two refused rows
    return path


def svg_texts(path) -> str:
    svg = path.read_text(encoding="utf-8")
    assert svg.startswith("<svg")
    texts = " ".join(re.findall(r">([^<>]*)</t", svg))
    return texts.replace("&#60;", "<").replace("&lt;", "<")


@needs_chromium
@pytest.mark.parametrize("view", ["map", "sankey"])
def test_export_of_case_flows_prints_less_than_ten_and_no_withheld_number(
    tmp_path, case_file, view
):
    out = tmp_path / f"{view}.svg"
    argv = ["export", "--view", view, *CASES, "--cases", str(case_file), "-o", str(out)]
    assert main(argv) == 0
    texts = svg_texts(out)
    assert not small_count_in(texts), small_count_in(texts)
    for n in SMALL:  # no withheld count stands anywhere as a number of its own
        assert not re.search(rf"(?<![\d<.,]){n}(?![\d.,])", texts), n
    shown = [n for n in FLOWS.values() if n >= 10]
    assert any(re.search(rf"\b{n}\b", texts) for n in shown)  # the shown counts are drawn
    if view == "map":  # the printed Sankey leaves withheld bands out, saying nothing of them
        assert "<10 case records" in texts
    with (tmp_path / f"{view}-sources.csv").open(encoding="utf-8") as fh:
        publishers = {row["publisher"] for row in csv.DictReader(fh)}
    assert "Counter Trafficking Data Collaborative (IOM)" in publishers


def test_export_without_cases_has_no_case_records_to_draw(tmp_path, capsys):
    out = tmp_path / "map.svg"
    assert main(["export", "--view", "map", *CASES, "-o", str(out)]) == 2
    assert "nothing to draw" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        (["--case-threshold", "3"], "threshold"),
        (["--cases-format", "htcds"], "not the htcds layout"),
    ],
)
def test_export_refuses_bad_case_settings_and_writes_nothing(
    tmp_path, case_file, capsys, extra, reason
):
    out = tmp_path / "map.svg"
    argv = ["export", "--view", "map", *CASES, "--cases", str(case_file), *extra, "-o", str(out)]
    assert main(argv) == 2
    assert reason in capsys.readouterr().err
    assert not out.exists()


def test_export_refuses_a_case_file_with_rejected_rows(tmp_path, capsys):
    path = write_cases(tmp_path)  # with its two refused rows
    out = tmp_path / "map.svg"
    assert main(["export", "--view", "map", *CASES, "--cases", str(path), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "the data has errors" in err and "yearOfRegistration" in err
    assert not out.exists()
