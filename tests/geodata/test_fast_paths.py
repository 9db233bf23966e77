"""The large-table paths give the same outcome as the row-by-row ones: the same accepted rows
(values, types, row numbers) and the same problems (file, row, column, reason), on the hostile
corpus, on the bundled records and on thousands of randomly perturbed rows and lines."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest

from geodata.dataset import RECORDS_DIR, TABLES
from geodata.io import ROW_COLUMN, _fast_csv_table, read_csv_table
from geodata.report import ValidationReport
from geodata.schema import _CROSS_CHECKS, YEAR_MAX, _decorators, validate_rows
from tests.hostile.corpus import CASES, rows, write_rows


def outcome(path: Path, file: str, fast: bool):
    model, _ = TABLES[file]
    report = ValidationReport()
    required = [n for n, f in model.model_fields.items() if f.is_required()]
    frame = read_csv_table(path, report, required, fast=fast)
    accepted = None if frame is None else validate_rows(frame, model, file, report, fast=fast)
    return frame, accepted, report


def assert_same(path: Path, file: str) -> None:
    slow_frame, slow, slow_report = outcome(path, file, fast=False)
    fast_frame, fast, fast_report = outcome(path, file, fast=True)
    assert fast_report.problems == slow_report.problems
    assert fast_report.tallies == slow_report.tallies
    if slow_frame is None:
        assert fast_frame is None
        return
    pd.testing.assert_frame_equal(fast_frame, slow_frame)
    pd.testing.assert_frame_equal(fast, slow)
    assert_lists_not_shared(fast)


def assert_lists_not_shared(frame: pd.DataFrame) -> None:
    """Each row has a list of its own (as each model instance has), never one shared."""
    for column in frame.columns:
        lists = [v for v in frame[column] if isinstance(v, list)]
        assert len({id(v) for v in lists}) == len(lists), column


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_hostile_case_reads_and_validates_the_same_on_both_paths(case, tmp_path):
    path = tmp_path / case.file
    path.write_bytes(case.content())
    assert_same(path, case.file)


@pytest.mark.parametrize("file", [f for f in TABLES if (RECORDS_DIR / f).exists()])
def test_the_bundled_records_read_and_validate_the_same_on_both_paths(file):
    assert_same(RECORDS_DIR / file, file)


def test_every_model_with_column_checks_repeats_all_its_validators():
    """A validator added to a model turns its column checks off until they repeat it too."""
    for model, (validators, _) in _CROSS_CHECKS.items():
        assert _decorators(model) == validators, model.__name__


# cells that break, bend or pass each kind of field
NASTY = [
    "",
    " ",
    "  padded  ",
    "\xa0",
    "XXX",
    "idn",
    "IDN",
    "REG",
    "KHM;THA",
    "kk-park",
    "kk-park;IDN",
    "Kk-Park",
    "a--b",
    "-a",
    ";",
    " ; ;",
    "1e400",
    "nan",
    "inf",
    "-5",
    "-0",
    "0",
    "2.5",
    "1,000",
    "3,239",
    "1e9",
    "1000000000",
    "1000000001",
    "100",
    "100.5",
    "99999",
    "1989",
    "1990",
    str(YEAR_MAX),
    str(YEAR_MAX + 1),
    "2023 ",
    "\t2023",
    "2023.0",
    "2023-02-30",
    "2023-13",
    "2023-05",
    "2023-05-05",
    "unknown",
    "exact",
    "about",
    "at_least",
    "reported_route",
    "Reported_route",
    "rescued",
    "trafficking",
    "return",
    "other",
    "forced_criminality",
    "all_forms",
    "report",
    "context",
    "percent",
    "percent_change",
    "people",
    "raid",
    "http://example.org",
    "ftp://example.org",
    "<b>",
    "&amp;",
    "a\x00b",
    "x" * 2001,
    "x" * 4001,
    "91",
    "-180",
    "180.0001",
]


def perturbed(
    table: list[list[str]], n: int, rng: random.Random, nasty: list[str] = NASTY
) -> list[list[str]]:
    """n rows, each a bundled row with some cells replaced: by a nasty cell, by a cell of the
    same column from another row, or blanked."""
    header, body = table[0], table[1:]
    out = []
    for _ in range(n):
        row = list(rng.choice(body))
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            j = rng.randrange(len(header))
            pick = rng.random()
            if pick < 0.5:
                row[j] = rng.choice(nasty)
            elif pick < 0.8:
                row[j] = rng.choice(body)[j]
            else:
                row[j] = ""
        out.append(row)
    return out


@pytest.mark.parametrize("file", [f for f in TABLES if (RECORDS_DIR / f).exists()])
def test_randomly_perturbed_rows_validate_the_same_on_both_paths(file):
    rng = random.Random(f"fast-paths-{file}")
    table = rows((RECORDS_DIR / file).read_text(encoding="utf-8"))
    model, _ = TABLES[file]
    n = 3000 if file == "routes.csv" else 800
    body = perturbed(table, n, rng)
    header = table[0]
    frames = [pd.DataFrame(body, columns=header, dtype=object)]
    optional = [
        c
        for c in header
        if not model.model_fields.get(c) or not model.model_fields[c].is_required()
    ]
    for column in rng.sample(optional, min(3, len(optional))):  # a file without the column
        frames.append(frames[0].drop(columns=[column]).iloc[: n // 4])
    for frame in frames:
        frame = frame.copy()
        frame[ROW_COLUMN] = range(1, len(frame) + 1)
        slow_report, fast_report = ValidationReport(), ValidationReport()
        slow = validate_rows(frame, model, file, slow_report, fast=False)
        fast = validate_rows(frame, model, file, fast_report, fast=True)
        assert fast_report.problems == slow_report.problems
        assert fast_report.tallies == slow_report.tallies
        pd.testing.assert_frame_equal(fast, slow)
        assert_lists_not_shared(fast)
        assert 0 < len(slow) < len(frame)  # the perturbations both pass and fail rows


LINE_FAULTS = [
    "",
    "   ",
    ",,,",
    " , , ",
    "\xa0",
    '"unclosed,quote',
    'a,"b"c,d',
    'x,y"z,w',
    "too,few",
]


def test_randomly_perturbed_files_read_the_same_on_both_paths(tmp_path):
    """Lines the reader must number, skip or refuse as the careful reader does: blank lines,
    lines of commas or spaces, ragged lines, quoted cells with commas and padding, broken
    quotes (which send the whole file to the careful reader), CRLF line ends, a BOM."""
    rng = random.Random("fast-paths-files")
    table = rows((RECORDS_DIR / "routes.csv").read_text(encoding="utf-8"))
    width = len(table[0])
    # a NUL byte sends a file to the careful reader: only some files have one
    no_nul = [c for c in NASTY if "\x00" not in c]
    fast = 0
    for attempt in range(40):
        body = perturbed(table, 300, rng, NASTY if attempt % 8 == 7 else no_nul)
        lines = write_rows([table[0], *body]).splitlines()
        for _ in range(rng.randrange(0, 12)):
            k = rng.randrange(1, len(lines) + 1)
            pick = rng.random()
            if pick < 0.4:
                line = rng.choice(LINE_FAULTS)
            elif pick < 0.7:  # a quoted row, padded cells
                cells = [f'" {c} "' if rng.random() < 0.3 else f" {c}" for c in rng.choice(body)]
                line = ",".join(cells)
            else:  # a ragged row
                cells = rng.choice(body)
                line = ",".join(
                    cells[: rng.randrange(1, width)] if rng.random() < 0.5 else cells + ["x"]
                )
            if attempt % 4 != 3 and line.count('"') % 2:  # broken quotes in some files only
                line = "a,b"
            lines.insert(k, line)
        end = "\r\n" if attempt % 3 == 0 else "\n"
        text = end.join(lines) + (end if attempt % 2 else "")
        data = text.encode("utf-8")
        if attempt % 5 == 0:
            data = b"\xef\xbb\xbf" + data
        path = tmp_path / "routes.csv"
        path.write_bytes(data)
        assert_same(path, "routes.csv")
        fast += (
            _fast_csv_table(data.removeprefix(b"\xef\xbb\xbf"), "f", ValidationReport(), None)
            is not None
        )
    assert 10 <= fast < 40  # most files take pandas' path, some the careful reader


def test_a_large_data_folder_reports_reference_faults_as_a_small_one_does(tmp_path):
    """Past the fast paths' thresholds, the joins still name each refused route's row, column
    and every reason, in the order of the route's nodes."""
    from geodata.dataset import load_dataset

    table = rows((RECORDS_DIR / "routes.csv").read_text(encoding="utf-8"))
    header, body = table[0], table[1:]
    at = {c: i for i, c in enumerate(header)}
    out = []
    for k in range(6000):
        row = list(body[k % len(body)])
        row[at["id"]] = f"{row[at['id']]}-{k}"
        out.append(row)
    out[9][at["origin"]], out[9][at["transit"]] = "atlantis", "ZZZ;myawaddy"
    out[19][at["id"]] = out[4][at["id"]]
    out[29][at["source_id"]] = "nope"
    (tmp_path / "routes.csv").write_text(write_rows([header, *out]), encoding="utf-8")
    dataset = load_dataset(tmp_path)
    problems = [
        (p.row, p.column, p.reason) for p in dataset.report.errors if p.file == "routes.csv"
    ]
    assert problems == [
        (20, "id", f"duplicate id {out[4][at['id']]!r}, first used on row 5"),
        (30, "source_id", "unknown source: nope"),
        (
            10,
            "origin/transit/destination",
            "unknown location id 'atlantis'; 'ZZZ' is not an ISO 3166-1 alpha-3 country code",
        ),
    ]
    assert len(dataset.routes) == 6000 - 3
    paths = [p for p in dataset.routes["path"]]
    assert len({id(p) for p in paths}) == len(paths)  # a list of its own per route
