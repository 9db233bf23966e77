"""What a server checks before it answers anyone: the paths it was given exist, the data
validates, and the report of what was accepted and rejected goes to the log.

A server refuses to start (StartupRefused, one line naming the path or file and the reason)
on a data folder that does not exist or holds none of the record files, a boundary file or
briefing folder that does not exist, or data with errors — a file refused whole or rows
rejected — unless the operator allows a partial dataset (--allow-partial,
DASHBOARD_ALLOW_PARTIAL=1). Warnings (a file taken from the bundled records, an optional file
absent) never stop it; they are logged like everything else.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dashboard.settings import Settings
from geodata.boundaries import ADMIN0_FILE, ADMIN1_FILE
from geodata.cases import FORMATS as CASE_FORMATS
from geodata.cases import MIN_THRESHOLD
from geodata.cases.join import add_case_flows, load_case_flows
from geodata.dataset import PROFILES_FILE, RECORDS_DIR, TABLES, Dataset, load_dataset
from geodata.report import ValidationReport

LOG = logging.getLogger("dashboard")
LOG_FORMAT = "[%(asctime)s] [%(process)d] [%(levelname)s] %(message)s"  # as gunicorn's own
RECORD_FILES = (*TABLES, PROFILES_FILE)


class StartupRefused(Exception):
    """The server must not start; the message is one line saying what and where."""


@dataclass(frozen=True)
class Loaded:
    """The validated dataset a server answers from, and what its files looked like when read."""

    dataset: Dataset
    files: tuple[tuple[str, int, int], ...]  # (path, size, mtime_ns); size -1: unreadable


def configure_logging(level: int = logging.INFO) -> None:
    """The dashboard's messages go to stderr, in every server (development or gunicorn)."""
    if not any(getattr(h, "dashboard", False) for h in LOG.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(LOG_FORMAT, "%Y-%m-%d %H:%M:%S %z"))
        handler.dashboard = True  # type: ignore[attr-defined]
        LOG.addHandler(handler)
    LOG.setLevel(level)
    LOG.propagate = False


def check_paths(settings: Settings) -> None:
    """Refuse a data folder, boundary file or briefing folder that is not there."""
    data = settings.data_dir
    if data is not None:
        if not data.exists():
            raise StartupRefused(f"data folder {data} does not exist")
        if not data.is_dir():
            raise StartupRefused(f"data folder {data} is not a folder")
        if not any((data / name).exists() for name in RECORD_FILES):
            raise StartupRefused(
                f"data folder {data} holds none of the record files ({', '.join(RECORD_FILES)})"
            )
    if settings.boundaries is not None and not settings.boundaries.exists():
        raise StartupRefused(f"boundary file {settings.boundaries} does not exist")
    briefings = settings.briefings_dir
    if briefings is not None and not briefings.is_dir():
        raise StartupRefused(f"briefing folder {briefings} does not exist or is not a folder")
    cases = settings.cases
    if cases is not None and not cases.is_file():
        raise StartupRefused(f"case file {cases} does not exist or is not a file")
    if settings.cases_format is not None and settings.cases_format not in CASE_FORMATS:
        raise StartupRefused(
            f"case format {settings.cases_format!r}: choose {', '.join(CASE_FORMATS)}"
        )
    if settings.case_threshold < MIN_THRESHOLD:
        raise StartupRefused(
            f"case threshold {settings.case_threshold}: counts under {MIN_THRESHOLD} are always "
            f"withheld, so the threshold is {MIN_THRESHOLD} or more"
        )


def load_settings_dataset(settings: Settings) -> Dataset:
    """The records (and the case flows, when a case file is given), read and joined; bad rows
    are in the dataset's report, never raised."""
    dataset = load_dataset(settings.data_dir, settings.boundaries, settings.code_column)
    if settings.cases is not None:
        flows = load_case_flows(
            settings.cases,
            settings.cases_format,
            threshold=settings.case_threshold,
            report=dataset.report,
        )
        if flows is not None:
            dataset = add_case_flows(dataset, flows)
    return dataset


def records_loader(settings: Settings) -> Callable[[dict[str, Path]], Dataset]:
    """A loader of the server's records with some files replaced (a browser tab's upload,
    dashboard.explorer.session): the same folder, boundaries and case file as the server's,
    so the tab sees what a --data folder holding its files would show. The server's case
    file is read once, on first use."""
    server_flows: list = []
    lock = threading.Lock()

    def load(overrides: dict[str, Path]) -> Dataset:
        dataset = load_dataset(
            settings.data_dir, settings.boundaries, settings.code_column, overrides=overrides
        )
        if settings.cases is None:
            return dataset
        with lock:
            if not server_flows:
                server_flows.append(
                    load_case_flows(
                        settings.cases,
                        settings.cases_format,
                        threshold=settings.case_threshold,
                        report=ValidationReport(),
                    )
                )
        flows = server_flows[0]
        return dataset if flows is None else add_case_flows(dataset, flows)

    return load


def data_files(settings: Settings) -> list[Path]:
    """Every file the dataset is read from (a record file the folder lacks is the bundled one)."""
    folder = settings.data_dir or RECORDS_DIR
    files = [folder / n if (folder / n).exists() else RECORDS_DIR / n for n in RECORD_FILES]
    cases = [settings.cases] if settings.cases is not None else []
    return [*files, settings.boundaries or ADMIN0_FILE, ADMIN1_FILE, *cases]


def files_state(settings: Settings) -> tuple[tuple[str, int, int], ...]:
    out = []
    for path in data_files(settings):
        try:
            st = path.stat()
            out.append((str(path), st.st_size, st.st_mtime_ns))
        except OSError:
            out.append((str(path), -1, 0))
    return tuple(out)


def changed_files(loaded: Loaded, settings: Settings) -> list[str]:
    """The data files that changed on disk since they were read."""
    now = dict((p, (s, m)) for p, s, m in files_state(settings))
    return [p for p, s, m in loaded.files if now.get(p) != (s, m)]


def refusal(report: ValidationReport) -> str:
    """One line: how many errors, the first (a file refused whole comes first), what to do."""
    errors = sorted(report.errors, key=lambda p: p.row is not None)
    first = errors[0]
    where = first.file + (f", row {first.row}" if first.row is not None else "")
    more = f"; and {len(errors) - 1} more, listed above" if len(errors) > 1 else ""
    return (
        f"the data has {len(errors)} error(s) ({where}: {first.reason}{more}); fix the files, "
        "or pass --allow-partial (DASHBOARD_ALLOW_PARTIAL=1) to serve the rows that passed"
    )


def log_report(report: ValidationReport) -> None:
    """The validation report: a line per file read, then each problem with its reason."""
    for t in report.tallies.values():
        if t.file_error:
            LOG.error("data: %s: not read", t.file)
        else:
            LOG.log(
                logging.WARNING if t.rejected else logging.INFO,
                "data: %s: %d rows read, %d accepted, %d rejected",
                t.file,
                t.read,
                t.accepted,
                t.rejected,
            )
    for p in report.problems:
        level = logging.ERROR if p.severity == "error" else logging.WARNING
        LOG.log(level, "data: %s", str(p).split(": ", 1)[-1])  # the level says the severity
    LOG.info(
        "data: %d error(s), %d warning(s)%s",
        len(report.errors),
        len(report.warnings),
        ": the data is valid" if report.ok else "",
    )


def load_checked(settings: Settings) -> Loaded:
    """Check the paths, read and validate the data once, log the report; refuse bad data."""
    check_paths(settings)
    before = files_state(settings)
    dataset = load_settings_dataset(settings)
    log_report(dataset.report)
    if not dataset.report.ok:
        if not settings.allow_partial:
            raise StartupRefused(refusal(dataset.report))
        LOG.warning("data: serving the rows that passed (--allow-partial); the page lists the rest")
    after = files_state(settings)
    if after != before:
        raise StartupRefused("the data files changed while they were read; start again")
    return Loaded(dataset, after)
