"""`python -m dashboard`: help, and validate's report and exit status; never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from dashboard.cli.main import main
from tests.conftest import ROUTES, write_data

ROOT = Path(__file__).resolve().parents[3]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *args], capture_output=True, text=True, cwd=ROOT
    )


def test_help_lists_subcommands():
    result = run("--help")
    assert result.returncode == 0
    assert "serve" in result.stdout and "validate" in result.stdout


def test_validate_good_folder_exits_zero(small_dir, capsys):
    assert main(["validate", str(small_dir)]) == 0
    out = capsys.readouterr().out
    assert "routes.csv: 3 rows read, 3 accepted, 0 rejected" in out
    assert "0 error(s)" in out


def test_validate_bad_file_reports_row_and_exits_one(tmp_path):
    bad = tmp_path / "my_routes.csv"
    bad.write_text(ROUTES + "r9,IDN,IDN,,myawaddy,2023,2023,,rescued,-3,exact,,rep,S,\n")
    # references resolve against the bundled records, so use a folder for the small ones
    folder = write_data(tmp_path / "d", routes_csv=bad.read_text())
    result = run("validate", str(folder))
    assert result.returncode == 1
    assert "routes.csv, row 4, column 'count': count -3 is negative" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_validate_binary_and_latin1_files(tmp_path):
    binary = tmp_path / "routes.csv"
    binary.write_bytes(b"\x00\x01\x02PK\x03\x04" * 10)
    latin = tmp_path / "figures.csv"
    latin.write_bytes("id,label\nf1,Caf\u00e9\n".encode("latin-1"))
    result = run("validate", str(binary), str(latin))
    assert result.returncode == 1
    assert "file is binary" in result.stdout
    assert "not UTF-8" in result.stdout and "Latin-1" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_validate_unknown_kind_of_file(tmp_path):
    odd = tmp_path / "notes.docx"
    odd.write_bytes(b"hello")
    assert main(["validate", str(odd)]) == 1


def test_validate_missing_path(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nope.csv")]) == 1
    assert "file not found" in capsys.readouterr().out
