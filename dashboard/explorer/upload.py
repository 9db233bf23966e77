"""A user's own data file, dropped on the explorer: checked, reported, and drawn for that
browser tab only.

A case file (CTDC 2024, CTDC 2020 or HTCDS) is aggregated to flows with small counts withheld;
a record file (routes.csv, locations.csv, ... as CSV or .xlsx) takes the place of the bundled
file of its kind. Nothing of an upload stays in this process's globals: the file is read from a
temporary folder that is removed at once, and what the tab sees is kept in the shared cache
(dashboard.explorer.session) under a random token that the browser keeps in session storage
and sends with each request. A tab keeps one case file and one record file of each kind: a
newer file of the same kind replaces the older, files of other kinds stay.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from dash import Dash, Input, Output, State, ctx, dcc, html, no_update
from flask import request

from dashboard.explorer.session import (
    KEY_PREFIX,
    TOKEN_PATTERN,
    SessionDatasets,
    build,
    empty_upload,
    read_kept,
    scrubbed,
    valid_token,
    with_cases,
    with_record,
)
from dashboard.serving import allow_large_body
from dashboard.text import plural
from geodata.cases import detect_format
from geodata.cases.flows import CaseFlows
from geodata.cases.join import load_case_flows
from geodata.io import XLSX_SUFFIXES
from geodata.report import Problem, ValidationReport
from layouts import ids
from layouts.upload import UPLOAD_LIMIT_BYTES

# base64 makes a file a third larger; the callback request carries it in JSON
UPLOAD_BODY_BYTES = UPLOAD_LIMIT_BYTES * 4 // 3 + 64 * 1024
# the upload callback's outputs as Dash names them in a request (its body may be that large)
UPLOAD_OUTPUT = f"..{ids.EXPLORER_UPLOAD_TOKEN}.data...{ids.EXPLORER_UPLOAD_REPORT}.children.."
MAX_LISTED = 200  # rejected rows listed on the page (the rest counted)
SUFFIXES = (".csv", ".txt", *XLSX_SUFFIXES)


@dataclass
class Read:
    """One uploaded file, read: its report, what it was read as, and what can be drawn."""

    report: ValidationReport
    kind: str  # 'case file (ctdc2024)', 'record file (routes.csv)' or 'nothing'
    name: str
    flows: CaseFlows | None = None
    table: str | None = None  # a record file's kind
    body: bytes | None = field(default=None, repr=False)  # a record file's bytes


def safe_name(filename: str | None) -> str:
    """The file's own name, without any folder, as the report names it."""
    name = Path(str(filename or "upload.csv").replace("\\", "/")).name
    name = re.sub(r"[^\w.\- ()]", "_", name)[:120].strip() or "upload.csv"
    return name


def decode(contents: str) -> bytes:
    """The bytes of a dcc.Upload `contents` ('data:<type>;base64,<data>')."""
    _, _, data = contents.partition(",")
    return base64.b64decode(data, validate=False)


def read_file(contents: str | None, filename: str | None, threshold: int = 10) -> Read:
    """Read an uploaded file: a case file to its protected flows, a record file to its kind and
    bytes (checked when the tab's dataset is built). Never raises on bad input."""
    name = safe_name(filename)
    report = ValidationReport()

    def refused(reason: str) -> Read:
        report.add(Problem(name, None, None, reason))
        return Read(report, "nothing", name)

    if not contents:
        return refused("the file is empty")
    if len(contents) > UPLOAD_BODY_BYTES:
        return refused(too_large(len(contents) * 3 // 4))
    try:
        body = decode(contents)
    except (binascii.Error, ValueError):
        return refused("the upload could not be decoded")
    if len(body) > UPLOAD_LIMIT_BYTES:
        return refused(too_large(len(body)))
    if not body:
        return refused("the file is empty")
    if Path(name).suffix.lower() not in SUFFIXES:
        return refused("not a CSV or .xlsx file: give a case file or a record file")
    with tempfile.TemporaryDirectory(prefix="upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(body)
        fmt = detect_format(path) if path.suffix.lower() != ".xlsx" else None
        if fmt is not None:
            flows = load_case_flows(path, fmt, threshold=threshold, report=report, label=name)
            report.problems = scrubbed(report.problems, folder)
            return Read(report, f"case file ({fmt})", name, flows=flows)
        from dashboard.cli.main import _table_for

        table = _table_for(path)
    if table is None:
        return refused(
            "neither a case file (CTDC 2024, CTDC 2020 or HTCDS columns) nor a record "
            "file (routes.csv, figures.csv, ... columns)"
        )
    return Read(report, f"record file ({table})", name, table=table, body=body)


def read_upload(
    contents: str | None, filename: str | None, threshold: int = 10
) -> tuple[ValidationReport, CaseFlows | None, str]:
    """(report, case flows or None, what the file was read as); a record file is checked
    against the bundled records. Never raises on bad input."""
    read = read_file(contents, filename, threshold)
    if read.table is None or read.body is None:
        return read.report, read.flows, read.kind
    from dashboard.settings import Settings
    from dashboard.startup import records_loader
    from geodata.dataset import load_dataset

    kept = with_record(empty_upload(), read.table, read.name, read.body)
    base = load_dataset()
    built = build(base, kept, records_loader(Settings()))
    report = ValidationReport(problems=built.records.problems, tallies=built.records.tallies)
    return report, None, read.kind


def too_large(size: int) -> str:
    limit = UPLOAD_LIMIT_BYTES // (1024 * 1024)
    return f"the file is {size / 1024 / 1024:.1f} MB: files up to {limit} MB are read"


def report_view(
    report: ValidationReport,
    kind: str,
    flows: CaseFlows | None,
    knock_on: list[Problem] | None = None,
    drawn: str | None = None,
) -> list:
    """The validation report as the page shows it: totals, every problem (the first
    MAX_LISTED listed, the rest counted), the bundled rows a record file left out, and what is
    drawn."""
    out: list = []
    for t in report.tallies.values():
        if t.file_error:
            out.append(html.P(f"{t.file}: not read", className="upload-total"))
        else:
            what = f" ({kind})" if kind.startswith("case") else ""
            out.append(
                html.P(
                    f"{t.file}{what}: {plural(t.read, 'row')} read, {t.accepted:,} accepted, "
                    f"{t.rejected:,} rejected",
                    className="upload-total",
                )
            )
    out += problem_list(report.problems, "upload-problems")
    if knock_on:
        out.append(
            html.P(
                "Rows of the bundled records left out with your file (they name what it replaces):",
                className="upload-knock-on",
            )
        )
        out += problem_list(knock_on, "upload-problems upload-knock-on-list")
    if flows is not None:
        routes = flows.routes
        hidden = int(routes["suppressed"].sum())
        out.append(
            html.P(
                [
                    f"Ready to map as case records: {plural(len(routes), 'flow')} "
                    f"({hidden:,} with a count withheld, shown as <{flows.threshold}), from "
                    f"{flows.sources.iloc[0]['title']}. They are drawn when 'Counted as' is "
                    "'Case records', apart from the report's own counts: ",
                    dcc.Link(
                        "map them", href="/?measure=case_records", className="upload-map-link"
                    ),
                    ".",
                ],
                className="upload-drawn",
            )
        )
    if drawn:
        out.append(html.P(drawn, className="upload-drawn"))
    return out


def problem_list(problems: list[Problem], cls: str) -> list:
    if not problems:
        return []
    out: list = [
        html.Ul(
            [html.Li(str(p), className=f"upload-{p.severity}") for p in problems[:MAX_LISTED]],
            className=cls,
        )
    ]
    if len(problems) > MAX_LISTED:
        out.append(html.P(f"and {len(problems) - MAX_LISTED:,} more problems"))
    return out


def kept_summary(kept: dict) -> str:
    """Which of the tab's files are drawn, and how a new file is combined with them."""
    files = [
        f"{name} (in place of the bundled {table})"
        for table, (name, _) in sorted((kept.get("records") or {}).items())
    ]
    if kept.get("cases") is not None:
        files.append(f"{kept.get('case_file')} (case records)")
    return (
        f"This tab draws your files: {'; '.join(files)}. A newer file of the same kind "
        "replaces the older one; files of other kinds stay. 'Stop showing my data' removes "
        "them all."
    )


CASE_OPTION = {"label": "Case records (your data)", "value": "case_records"}
# the 'Counted as' choices get case records while this tab holds a token (in the browser:
# opening the page asks the server nothing)
MEASURE_OPTIONS_JS = """
function (token, options) {
    options = options || [];
    var label = CASE_OPTION.label;
    token = token && token.charAt(0) === "c";  // the upload holds case flows
    var has = options.some(function (o) { return o.value === "case_records"; });
    var added = options.some(function (o) { return o.label === label; });
    if (token && !has) { return options.concat([CASE_OPTION]); }
    if (!token && added) {
        return options.filter(function (o) { return o.label !== label; });
    }
    return window.dash_clientside.no_update;
}
""".replace("CASE_OPTION", json.dumps(CASE_OPTION))
# (a server started with --cases offers case records itself: that choice is never removed)


def new_token(kept: dict) -> str:
    """A random key; its first letter says whether the upload holds case flows ('c') or record
    files alone ('r'), so the browser offers 'Case records' without asking the server."""
    return ("c" if kept.get("cases") is not None else "r") + secrets.token_urlsafe(24)


def handle_upload(sessions: SessionDatasets, contents, filename, clear_clicks, token):
    """(token, report) for a new upload or a click on 'Stop showing my data'."""
    # an upload's answer is never kept in the answer cache (its token is this tab's own)
    request.environ.pop("dashboard.cache_key", None)
    cache = sessions.cache
    if ctx.triggered_id == ids.EXPLORER_UPLOAD_CLEAR:
        if valid_token(token):
            sessions.forget(token)
            try:
                cache.delete(KEY_PREFIX + token)
            except Exception:
                pass
        return None, []
    if contents is None:
        return no_update, no_update
    read = read_file(contents, filename)
    if read.flows is None and read.table is None:
        return no_update, report_view(read.report, read.kind, None)
    kept = read_kept(cache, token) or empty_upload()
    if read.flows is not None:
        kept = with_cases(kept, read.flows, read.name)
    else:
        assert read.table is not None and read.body is not None
        kept = with_record(kept, read.table, read.name, read.body)
    built = build(sessions.base, kept, sessions.load_records)
    if read.flows is not None:
        report = read.report
        report.problems += built.cases.problems
        view = report_view(report, read.kind, read.flows)
    else:
        view, drawable = record_view(built, read)
        if not drawable:
            return no_update, view
    key = new_token(kept)
    try:
        cache.set(KEY_PREFIX + key, kept)
    except Exception as exc:
        view.append(html.P(f"Your data could not be kept for this tab ({exc}).", role="alert"))
        return no_update, view
    sessions.remember(key, built.dataset)
    view.append(html.P(kept_summary(kept), className="upload-kept"))
    return key, view


def record_view(built, read: Read) -> tuple[list, bool]:
    """The report of a record upload, and whether its file is drawn: a file that could not be
    read, or whose every row was rejected, leaves the bundled file of its kind in place."""
    assert read.table is not None
    from dashboard.explorer.session import label

    tally = built.records.tallies.get(label(read.table, read.name))
    drawable = tally is not None and not tally.file_error and tally.accepted > 0
    if drawable:
        drawn = (
            f"On the map for this tab only, in place of the bundled {read.table}: "
            f"{plural(tally.accepted, 'row')} of yours."
        )
        knock_on = built.knock_on
    else:
        drawn = f"Not drawn: no row of {read.name} was accepted, so the bundled {read.table} stays."
        knock_on = []
    report = ValidationReport(problems=built.records.problems, tallies=built.records.tallies)
    return report_view(report, read.kind, None, knock_on, drawn), drawable


def register(app: Dash, sessions: SessionDatasets) -> None:
    # the one callback whose request may carry a file: every other keeps the small limit
    allow_large_body(app.server, UPLOAD_OUTPUT, UPLOAD_BODY_BYTES)
    app.callback(
        Output(ids.EXPLORER_UPLOAD_TOKEN, "data"),
        Output(ids.EXPLORER_UPLOAD_REPORT, "children"),
        Input(ids.EXPLORER_UPLOAD, "contents"),
        State(ids.EXPLORER_UPLOAD, "filename"),
        Input(ids.EXPLORER_UPLOAD_CLEAR, "n_clicks"),
        State(ids.EXPLORER_UPLOAD_TOKEN, "data"),
        prevent_initial_call=True,
    )(
        lambda contents, filename, clicks, token: handle_upload(
            sessions, contents, filename, clicks, token
        )
    )
    app.clientside_callback(
        MEASURE_OPTIONS_JS,
        Output(ids.EXPLORER_MEASURE, "options"),
        Input(ids.EXPLORER_UPLOAD_TOKEN, "data"),
        State(ids.EXPLORER_MEASURE, "options"),
    )


__all__ = ["TOKEN_PATTERN", "read_file", "read_upload", "register"]
