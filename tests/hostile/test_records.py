"""The record corpus: each broken file is reported with its file, row, column and reason, and
costs no valid row (tests/hostile/corpus.py lists the cases)."""

from __future__ import annotations

from pathlib import Path

import pytest

from geodata.dataset import TABLES, load_dataset
from geodata.io import read_csv_table
from geodata.report import ValidationReport
from geodata.schema import validate_rows
from tests.hostile.corpus import CASES, ROUTE_ROWS, ROUTES, Case, with_cell, with_line


def check(case: Case, folder: Path) -> tuple[ValidationReport, int]:
    path = folder / case.file
    path.write_bytes(case.content())
    model, _ = TABLES[case.file]
    report = ValidationReport()
    required = [n for n, f in model.model_fields.items() if f.is_required()]
    frame = read_csv_table(path, report, required)
    if frame is None:
        return report, 0
    return report, len(validate_rows(frame, model, case.file, report))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_fault_is_reported_where_it_is_and_costs_no_valid_row(case: Case, tmp_path):
    report, accepted = check(case, tmp_path)
    tally = report.tally(case.file)
    text = report.render()
    assert case.says in text, text[:2000]
    assert str(tmp_path) not in text  # never a server path
    if case.accepted is None:
        assert tally.file_error, text[:2000]
        return
    assert accepted == case.accepted, text[:2000]
    if case.says:
        named = [p for p in report.errors if case.says in p.reason or case.says in str(p)]
        assert named, text[:2000]
        assert any(p.row == case.row and p.column == case.column for p in named), [
            str(p) for p in named
        ]
    else:
        assert report.ok, text[:2000]


def test_the_corpus_is_large_enough_and_its_names_unique():
    assert len(CASES) >= 25
    assert len({c.name for c in CASES}) == len(CASES)


def test_a_broken_row_loses_no_route_and_no_note_that_refers_to_one(tmp_path):
    """The notes refer to routes by id: with one route row broken, every other route, and so
    every note about them, still loads."""
    broken = with_line(ROUTES, 5, 'x,IDN,IDN,,KHM,2023,2023,,rescued,5,exact,,"never closed')
    (tmp_path / "routes.csv").write_text(broken, encoding="utf-8")
    dataset = load_dataset(tmp_path)
    bundled = load_dataset()
    assert len(dataset.routes) == ROUTE_ROWS - 1
    lost_id = ROUTES.splitlines()[5].split(",")[0]
    assert lost_id not in set(dataset.routes["id"])
    errors = [p for p in dataset.report.errors if p.file != "routes.csv"]
    refers_to_lost = [p for p in errors if lost_id in p.reason]
    assert errors == refers_to_lost, [str(p) for p in errors]
    assert len(dataset.notes) >= len(bundled.notes) - len(refers_to_lost)


def test_a_huge_count_is_refused_so_downloads_and_the_table_still_answer(tmp_path):
    (tmp_path / "routes.csv").write_text(with_cell(ROUTES, 3, "count", "1" + "0" * 25))
    from dashboard.app import create_app
    from dashboard.settings import Settings

    app = create_app(Settings(data_dir=tmp_path))
    client = app.server.test_client()
    response = client.get("/download/routes.csv")
    assert response.status_code == 200
    assert b"1" + b"0" * 25 not in response.data
    assert app.server.config["DATASET"].report.rejected_rows("routes.csv") == {3}
