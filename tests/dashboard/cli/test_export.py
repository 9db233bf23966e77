"""`python -m dashboard export`: the sources CSV beside each figure, and an empty selection
refused (exit 2, a message, nothing written)."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.cli.main import flag_changes
from dashboard.export import render as export_module
from dashboard.figures.selection import map_content
from dashboard.figures.views import REPORT, drawn_places
from dashboard.state import ViewState

ROOT = Path(__file__).resolve().parents[3]
needs_chromium = pytest.mark.skipif(
    export_module.chromium_path() is None, reason="no Chromium for kaleido on this machine"
)


def run_export(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dashboard", "export", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "2019"], "No route or place figure in 2019"),
        (
            ["--nationality", "IDN", "--measure", "rescued"],
            "No route or place figure for nationals of Indonesia, counted as rescued",
        ),
    ],
)
def test_an_empty_selection_exits_2_and_writes_nothing(tmp_path, args, message):
    result = run_export("--view", "map", *args, "-o", "out.png", cwd=tmp_path)
    assert result.returncode == 2
    assert "nothing to draw" in result.stderr and message in result.stderr
    assert "with data:" in result.stderr  # the nearest selection that has data
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_empty_selection_names_the_flags_that_would_show_data():
    state = ViewState(nationality=("IDN",), measure="rescued")
    assert flag_changes(state, state.with_(measure=None, width="same")) == "without --measure"
    assert flag_changes(state, state.with_(nationality=())) == "without --nationality"


@needs_chromium
def test_the_sources_csv_is_written_beside_the_figure(tmp_path, bundled):
    result = run_export(
        "--view",
        "map",
        "--nationality",
        "IDN",
        "--year",
        "2023",
        "--format",
        "svg",
        "-o",
        "figs/idn.svg",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "figs" / "idn.svg").read_text().startswith("<svg")
    sources = tmp_path / "figs" / "idn-sources.csv"
    rows = list(csv.DictReader(sources.open(encoding="utf-8")))
    assert set(rows[0]) >= {"publisher", "title", "date", "url", "sections"}
    state = ViewState(nationality=("IDN",), year_from=2023, year_to=2023)
    content = map_content(bundled, state)
    places = drawn_places(bundled, content, insets=True)
    expected = (
        set(content.flows["source_id"])
        | set(content.place_figures["source_id"])
        | {s for s in places["source_id"] if isinstance(s, str) and s}
    )
    assert [row["source_id"] for row in rows][0] == REPORT
    assert {row["source_id"] for row in rows} == expected
    assert len(rows) == len(expected)  # one row per source
    media = {row["source_id"]: row for row in rows if row["source_id"] != REPORT}
    assert media and all(row["sections"] == "Media and Publications" for row in media.values())
    assert all(row["figure"] == "idn.svg" for row in rows)


@needs_chromium
def test_a_briefing_writes_one_sources_csv_per_figure(tmp_path):
    briefing = ROOT / "dashboard" / "briefing" / "examples" / "iom-2024.yaml"
    result = run_export(
        "--briefing", str(briefing), "--out-dir", "figs", "--format", "svg", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    figures = sorted((tmp_path / "figs").glob("*.svg"))
    assert figures
    for figure in figures:
        sources = figure.with_name(f"{figure.stem}-sources.csv")
        rows = list(csv.DictReader(sources.open(encoding="utf-8")))
        assert rows and {row["figure"] for row in rows} == {figure.name}
