"""Case files on the command line: validate's totals and rejected rows, --cases on the servers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dashboard.cli.main import main, settings_from_args
from dashboard.settings import Settings
from dashboard.startup import StartupRefused, load_checked, load_settings_dataset
from tests.case_fixture import BAD_ROWS, ROWS, write_cases

SHARED = Path(__file__).resolve().parents[4] / "shared"
CTDC_DIR = Path(os.environ.get("CTDC_DATA_DIR") or SHARED / "data" / "ctdc")
CTDC_FILE = CTDC_DIR / "ctdc_global_14apr2020_subset_wellingtonf-souza.csv"


def test_validate_a_case_file_adds_up_and_lists_each_rejected_row(tmp_path, capsys):
    path = write_cases(tmp_path)
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "layout: ctdc2024" in out
    accepted = ROWS - BAD_ROWS
    assert f"cases.csv: {ROWS} rows read, {accepted} accepted, {BAD_ROWS} rejected" in out
    assert f"cases.csv, row {ROWS - 1}, column 'yearOfRegistration'" in out
    assert f"cases.csv, row {ROWS}, column 'citizenship'" in out
    assert str(tmp_path) not in out.replace(f"== {path}", "")


def test_validate_with_a_named_format_that_does_not_fit(tmp_path, capsys):
    path = write_cases(tmp_path)
    assert main(["validate", "--format", "htcds", str(path)]) == 1
    assert "not the htcds layout" in capsys.readouterr().out


@pytest.mark.skipif(not CTDC_FILE.exists(), reason="the CTDC subset is not at hand")
def test_validate_the_ctdc_subset(capsys):
    assert main(["validate", str(CTDC_FILE)]) == 0
    out = capsys.readouterr().out
    assert "layout: ctdc2020" in out
    assert "48773 rows read, 48773 accepted, 0 rejected" in out


def test_cases_flags_and_environment_reach_the_settings(tmp_path):
    import argparse

    from dashboard.cli.main import add_serve_arguments

    parser = argparse.ArgumentParser()
    add_serve_arguments(parser)
    args = parser.parse_args(
        ["--cases", "c.csv", "--cases-format", "ctdc2024", "--case-threshold", "11"]
    )
    s = settings_from_args(args)
    assert (s.cases, s.cases_format, s.case_threshold) == (Path("c.csv"), "ctdc2024", 11)
    env = {"DASHBOARD_CASES": "x.csv", "DASHBOARD_CASE_THRESHOLD": "12"}
    s = Settings.from_env(env)
    assert (s.cases, s.case_threshold) == (Path("x.csv"), 12)


def test_case_flows_load_beside_the_records(tmp_path):
    settings = Settings(cases=write_cases(tmp_path), allow_partial=True)
    dataset = load_checked(settings).dataset
    cases = dataset.routes[dataset.routes["measure"] == "case_records"]
    assert len(cases) == 5
    assert set(cases["source_id"]) == {"ctdc-2024-synthetic"}
    assert "ctdc-2024-synthetic" in set(dataset.sources["id"])
    report = dataset.routes[dataset.routes["measure"] != "case_records"]
    assert not report["suppressed"].any() and report["count_display"].isna().all()


def test_rejected_case_rows_stop_the_start_unless_partial(tmp_path):
    with pytest.raises(StartupRefused, match="cases.csv"):
        load_checked(Settings(cases=write_cases(tmp_path)))


@pytest.mark.parametrize(
    "settings, reason",
    [
        (Settings(cases=Path("/nonexistent/cases.csv")), "does not exist"),
        (Settings(cases=Path(__file__), cases_format="xls"), "case format"),
        (Settings(cases=Path(__file__), case_threshold=3), "threshold"),
    ],
)
def test_bad_case_settings_are_refused(settings, reason):
    with pytest.raises(StartupRefused, match=reason):
        load_checked(settings)


def test_a_case_file_without_errors_starts(tmp_path):
    path = write_cases(tmp_path)
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:-2]) + "\n")
    dataset = load_settings_dataset(Settings(cases=path))
    assert dataset.report.ok


def test_download_case_flows_as_hxl_from_the_command_line(tmp_path, capsys):
    path = write_cases(tmp_path)
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:-2]) + "\n")  # without the two refused rows
    out = tmp_path / "flows-hxl.csv"
    assert main(["download", "case_flows", "--hxl", "--cases", str(path), "-o", str(out)]) == 0
    header, tags, *rows = out.read_text().splitlines()
    assert "#country+code+origin" in tags and "#affected" in tags and "#meta+source" in tags
    assert len(rows) == 5
    assert all("<10" in r or "withheld" in r or ",no," in r for r in rows)


def test_download_case_flows_needs_a_case_file(capsys):
    assert main(["download", "case_flows"]) == 2
    assert "--cases" in capsys.readouterr().err
