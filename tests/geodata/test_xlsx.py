"""Record tables saved from a spreadsheet (.xlsx) read as their CSV would be."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from geodata import io as gio
from geodata.dataset import RECORDS_DIR, load_dataset
from geodata.io import read_csv_table, read_xlsx_table
from geodata.report import ValidationReport


def workbook(path: Path, table: str = "routes", sheet: str | None = None, edit=None) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    if sheet:
        book.create_sheet("cover", 0)["A1"] = "About this workbook"
        ws.title = sheet
    with open(RECORDS_DIR / f"{table}.csv", encoding="utf-8") as f:
        for i, row in enumerate(csv.reader(f)):
            # years as numbers, as a spreadsheet stores them
            ws.append([int(v) if i and v.isdigit() and len(v) == 4 else v for v in row])
    if edit:
        edit(ws)
    book.save(path)
    return path


def test_a_workbook_reads_like_its_csv(tmp_path):
    path = workbook(tmp_path / "routes.xlsx")
    sheet = read_xlsx_table(path, ValidationReport())
    text = read_csv_table(RECORDS_DIR / "routes.csv", ValidationReport())
    assert sheet.equals(text)


def test_the_sheet_named_like_the_table_is_read_not_the_cover(tmp_path):
    path = workbook(tmp_path / "routes.xlsx", sheet="Routes")
    frame = read_xlsx_table(path, ValidationReport())
    assert frame is not None and "measure" in frame.columns and len(frame) == 33


def test_a_formula_is_refused_with_its_cell(tmp_path):
    def formula(ws):
        ws["J5"] = "=SUM(1,1)"

    path = workbook(tmp_path / "routes.xlsx", edit=formula)
    report = ValidationReport()
    frame = read_xlsx_table(path, report)
    assert len(frame) == 32
    (problem,) = report.errors
    assert (problem.row, problem.column) == (4, "count") and "formula" in problem.reason


@pytest.mark.parametrize(
    "content, says",
    [(b"PK\x03\x04 not really a zip", "not a readable .xlsx"), (b"a,b\n1,2\n", "not a readable")],
    ids=["broken zip", "a CSV named .xlsx"],
)
def test_a_broken_workbook_is_refused(tmp_path, content, says):
    path = tmp_path / "routes.xlsx"
    path.write_bytes(content)
    report = ValidationReport()
    assert read_xlsx_table(path, report) is None
    assert says in report.render()


def test_a_workbook_that_unpacks_too_large_is_refused_unread(tmp_path, monkeypatch):
    path = workbook(tmp_path / "routes.xlsx")
    monkeypatch.setattr(gio, "MAX_XLSX_UNPACKED", 1000)
    report = ValidationReport()
    assert read_xlsx_table(path, report) is None
    assert "unpacks to" in report.render()


def test_a_data_folder_may_hold_a_workbook_in_place_of_a_csv(tmp_path):
    workbook(tmp_path / "routes.xlsx")
    dataset = load_dataset(tmp_path)
    assert len(dataset.routes) == 33
    assert any("routes.xlsx" in name for name in dataset.report.tallies)
