"""What one browser tab has uploaded, and the dataset that tab sees.

The shared cache (the app's flask-caching Cache: in-process, or Redis shared by every worker)
keeps, under `upload:<token>`, a small plain dict:

- `cases`: the aggregated, small-count-protected flows of a case file (never a case row) and
  the file's name;
- `records`: for each kind of record file (routes.csv, locations.csv, ...), the name and the
  zlib-compressed bytes of the file the tab uploaded last.

A tab's dataset is the bundled records with each uploaded record file in place of the bundled
file of its kind (as a `--data` folder holding only those files would give), plus the case
flows. Every upload gets a new token, so what a token names never changes: the dataset built
from it is kept in this process (a small LRU keyed by token), and a worker that has not built
it yet builds it again from the shared cache.
"""

from __future__ import annotations

import re
import tempfile
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from geodata.cases.flows import CaseFlows
from geodata.cases.join import add_case_flows
from geodata.dataset import Dataset
from geodata.report import Problem, ValidationReport

KEY_PREFIX = "upload:"
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
FORMAT = 1  # the layout of what the shared cache keeps (a worker ignores another layout)
SESSIONS_KEPT = 16  # tab datasets one process keeps built (a few MB each)

LoadRecords = Callable[[dict[str, Path]], Dataset]


def valid_token(token: object) -> bool:
    return isinstance(token, str) and TOKEN_PATTERN.match(token) is not None


def empty_upload() -> dict:
    return {"format": FORMAT, "cases": None, "case_file": None, "records": {}}


def with_cases(kept: dict, flows: CaseFlows, name: str) -> dict:
    """A tab's upload with this case file's flows (replacing an earlier case file's)."""
    return {**kept, "cases": flows, "case_file": name}


def with_record(kept: dict, table: str, name: str, body: bytes) -> dict:
    """A tab's upload with this record file (replacing an earlier file of its kind)."""
    records = dict(kept.get("records") or {})
    records[table] = (name, zlib.compress(body, 6))
    return {**kept, "records": records}


def read_kept(cache, token: object) -> dict | None:
    """What the shared cache keeps for this token, or None (no such token, expired, removed,
    or a cache that cannot be read)."""
    if not valid_token(token):
        return None
    try:
        kept = cache.get(KEY_PREFIX + str(token))
    except Exception:  # a cache that fails: the tab sees the records alone
        return None
    if not isinstance(kept, dict) or kept.get("format") != FORMAT:
        return None
    return kept


def label(table: str, name: str) -> str:
    """The name the loader reports a file under (geodata.dataset.load_dataset)."""
    return table if name == table else f"{name} ({table})"


def scrubbed(problems: list[Problem], folder: str) -> list[Problem]:
    """The problems with no server path in them."""

    def clean(text: str | None) -> str | None:
        return text.replace(folder + "/", "").replace(folder, "") if text else text

    return [
        Problem(clean(p.file) or "", p.row, p.column, clean(p.reason) or "", p.severity)
        for p in problems
    ]


@dataclass
class Built:
    """A tab's dataset and what building it found."""

    dataset: Dataset
    records: ValidationReport  # the tab's record files: their tallies and rejected rows
    knock_on: list[Problem]  # rows of the bundled records left out because of those files
    cases: ValidationReport  # case flows that could not be drawn


def build(base: Dataset, kept: dict, load_records: LoadRecords) -> Built:
    """The dataset a tab with this upload sees, and every row its files left out, each with
    its reason. Never raises on bad input."""
    dataset = base
    own = ValidationReport()
    knock_on: list[Problem] = []
    records = kept.get("records") or {}
    if records:
        with tempfile.TemporaryDirectory(prefix="upload-") as folder:
            overrides: dict[str, Path] = {}
            for i, (table, (name, packed)) in enumerate(sorted(records.items())):
                path = Path(folder) / str(i) / name  # two kinds may share a file name
                path.parent.mkdir()
                path.write_bytes(zlib.decompress(packed))
                overrides[table] = path
            dataset = load_records(overrides)
            report = dataset.report
            mine = {label(t, n) for t, (n, _) in records.items()}
            before = {str(p) for p in base.report.problems}
            own.problems = scrubbed([p for p in report.problems if p.file in mine], folder)
            own.tallies = {k: t for k, t in report.tallies.items() if k in mine}
            knock_on = scrubbed(
                [p for p in report.problems if p.file not in mine and str(p) not in before],
                folder,
            )
            # the same boundaries as the server's: share its frames rather than hold a copy
            dataset = replace(dataset, admin0=base.admin0, admin1=base.admin1)
    cases = ValidationReport()
    flows = kept.get("cases")
    if isinstance(flows, CaseFlows):
        dataset = add_case_flows(dataset, flows, report=cases)
    return Built(dataset, own, knock_on, cases)


class SessionDatasets:
    """The dataset each browser tab sees, by the token its upload was kept under: the server's
    own dataset for a tab without one. Built datasets are kept per process, least recently
    used first out; the shared cache stays the one place an upload lives, so a token removed
    or expired there is not answered here either."""

    def __init__(
        self, base: Dataset, cache, load_records: LoadRecords, size: int = SESSIONS_KEPT
    ) -> None:
        self.base = base
        self.cache = cache
        self.load_records = load_records
        self.size = size
        self.built: OrderedDict[str, Dataset] = OrderedDict()
        self.lock = threading.Lock()

    def __call__(self, token: object) -> Dataset:
        found = self.get(token)
        return self.base if found is None else found

    def get(self, token: object) -> Dataset | None:
        """This token's dataset, or None when the shared cache holds nothing under it."""
        if not valid_token(token):
            return None
        token = str(token)
        with self.lock:
            hit = self.built.get(token)
            if hit is not None:
                self.built.move_to_end(token)
        if hit is not None:
            if self.still_kept(token):
                return hit
            self.forget(token)
            return None
        kept = read_kept(self.cache, token)
        if kept is None:
            return None
        dataset = build(self.base, kept, self.load_records).dataset
        self.remember(token, dataset)
        return dataset

    def describe(self, token: object) -> str | None:
        """One sentence for the top of the page: which of the user's files this tab draws, or
        None for a tab without an upload."""
        kept = read_kept(self.cache, token)
        if kept is None:
            return None
        files = [
            f"{name} in place of the bundled {table}.csv"
            for table, (name, _) in sorted((kept.get("records") or {}).items())
        ]
        if kept.get("case_file"):
            files.append(f"{kept['case_file']} as case records")
        if not files:
            return None
        return (
            "This browser tab shows your own data: "
            + "; ".join(files)
            + ". Other tabs and other people see the bundled records."
        )

    def still_kept(self, token: str) -> bool:
        try:
            return bool(self.cache.has(KEY_PREFIX + token))
        except Exception:  # a cache that cannot answer: keep serving what was built
            return True

    def remember(self, token: str, dataset: Dataset) -> None:
        with self.lock:
            self.built[token] = dataset
            self.built.move_to_end(token)
            while len(self.built) > self.size:
                self.built.popitem(last=False)

    def forget(self, token: str) -> None:
        with self.lock:
            self.built.pop(token, None)


__all__ = [
    "KEY_PREFIX",
    "Built",
    "TOKEN_PATTERN",
    "SessionDatasets",
    "build",
    "empty_upload",
    "read_kept",
    "valid_token",
    "with_cases",
    "with_record",
]
