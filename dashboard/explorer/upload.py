"""A user's own data file, dropped on the explorer: checked, reported, and (for a case file)
its aggregated, protected flows drawn on the map for that browser tab only.

Nothing of an upload stays in this process: the file is read from a temporary folder that is
removed at once, and the flows (never a case row) are kept in the shared answer cache (the
app's flask-caching Cache: in-process or Redis, so any worker can answer) under a random
token. The browser keeps the token in session storage and sends it with each map request.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import tempfile
from pathlib import Path

from dash import Dash, Input, Output, State, ctx, dcc, html, no_update
from flask import request

from dashboard.text import plural
from geodata.cases import detect_format
from geodata.cases.flows import CaseFlows
from geodata.cases.join import add_case_flows, load_case_flows
from geodata.dataset import Dataset, load_dataset
from geodata.io import XLSX_SUFFIXES
from geodata.report import ValidationReport
from layouts import ids
from layouts.upload import UPLOAD_LIMIT_BYTES

KEY_PREFIX = "upload:"
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
# base64 makes a file a third larger; the callback request carries it in JSON
UPLOAD_BODY_BYTES = UPLOAD_LIMIT_BYTES * 4 // 3 + 64 * 1024
MAX_LISTED = 200  # rejected rows listed on the page (the rest counted)
SUFFIXES = (".csv", ".txt", *XLSX_SUFFIXES)


def safe_name(filename: str | None) -> str:
    """The file's own name, without any folder, as the report names it."""
    name = Path(str(filename or "upload.csv").replace("\\", "/")).name
    name = re.sub(r"[^\w.\- ()]", "_", name)[:120].strip() or "upload.csv"
    return name


def decode(contents: str) -> bytes:
    """The bytes of a dcc.Upload `contents` ('data:<type>;base64,<data>')."""
    _, _, data = contents.partition(",")
    return base64.b64decode(data, validate=False)


def read_upload(
    contents: str | None, filename: str | None, threshold: int = 10
) -> tuple[ValidationReport, CaseFlows | None, str]:
    """(report, case flows or None, what the file was read as). Never raises on bad input."""
    name = safe_name(filename)
    report = ValidationReport()
    from geodata.report import Problem

    if not contents:
        report.add(Problem(name, None, None, "the file is empty"))
        return report, None, "nothing"
    if len(contents) > UPLOAD_BODY_BYTES:
        report.add(Problem(name, None, None, too_large(len(contents) * 3 // 4)))
        return report, None, "nothing"
    try:
        body = decode(contents)
    except (binascii.Error, ValueError):
        report.add(Problem(name, None, None, "the upload could not be decoded"))
        return report, None, "nothing"
    if len(body) > UPLOAD_LIMIT_BYTES:
        report.add(Problem(name, None, None, too_large(len(body))))
        return report, None, "nothing"
    if Path(name).suffix.lower() not in SUFFIXES:
        report.add(
            Problem(name, None, None, "not a CSV or .xlsx file: give a case file or a record file")
        )
        return report, None, "nothing"
    with tempfile.TemporaryDirectory(prefix="upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(body)
        fmt = detect_format(path) if path.suffix.lower() != ".xlsx" else None
        if fmt is not None:
            flows = load_case_flows(path, fmt, threshold=threshold, report=report, label=name)
            return _scrubbed(report, folder), flows, f"case file ({fmt})"
        from dashboard.cli.main import _table_for

        table = _table_for(path)
        if table is None:
            report.add(
                Problem(
                    name,
                    None,
                    None,
                    "neither a case file (CTDC 2024, CTDC 2020 or HTCDS columns) nor a record "
                    "file (routes.csv, figures.csv, ... columns)",
                )
            )
            return _scrubbed(report, folder), None, "nothing"
        checked = load_dataset(overrides={table: path}).report
        own = ValidationReport(
            problems=[p for p in checked.problems if p.file.startswith(name)],
            tallies={k: t for k, t in checked.tallies.items() if k.startswith(name)},
        )
        return _scrubbed(own, folder), None, f"record file ({table})"


def too_large(size: int) -> str:
    limit = UPLOAD_LIMIT_BYTES // (1024 * 1024)
    return f"the file is {size / 1024 / 1024:.1f} MB: files up to {limit} MB are read"


def _scrubbed(report: ValidationReport, folder: str) -> ValidationReport:
    """The report with no server path in it."""
    from geodata.report import Problem

    def clean(text: str | None) -> str | None:
        return text.replace(folder + "/", "").replace(folder, "") if text else text

    report.problems = [
        Problem(clean(p.file) or "", p.row, p.column, clean(p.reason) or "", p.severity)
        for p in report.problems
    ]
    return report


def report_view(report: ValidationReport, kind: str, flows: CaseFlows | None) -> list:
    """The validation report as the page shows it: totals, then every problem."""
    out: list = []
    for t in report.tallies.values():
        if t.file_error:
            out.append(html.P(f"{t.file}: not read", className="upload-total"))
        else:
            out.append(
                html.P(
                    f"{t.file} ({kind}): {plural(t.read, 'row')} read, {t.accepted:,} accepted, "
                    f"{t.rejected:,} rejected",
                    className="upload-total",
                )
            )
    problems = report.problems
    if problems:
        out.append(
            html.Ul(
                [html.Li(str(p), className=f"upload-{p.severity}") for p in problems[:MAX_LISTED]],
                className="upload-problems",
            )
        )
        if len(problems) > MAX_LISTED:
            out.append(html.P(f"and {len(problems) - MAX_LISTED:,} more problems"))
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
    elif kind.startswith("record"):
        out.append(
            html.P(
                "A record file is checked here; serve a folder of them with --data to show them.",
                className="upload-note",
            )
        )
    return out


def session_flows(cache, token: str | None) -> CaseFlows | None:
    if not token or not isinstance(token, str) or not TOKEN_PATTERN.match(token):
        return None
    try:
        return cache.get(KEY_PREFIX + token)
    except Exception:  # a cache that fails shows the records alone
        return None


def session_dataset(dataset: Dataset, cache, token: str | None) -> Dataset:
    """The dataset with this session's uploaded flows, or the dataset itself."""
    flows = session_flows(cache, token)
    if flows is None:
        return dataset
    return add_case_flows(dataset, flows, report=ValidationReport())


CASE_OPTION = {"label": "Case records (your data)", "value": "case_records"}
# the 'Counted as' choices get case records while this tab holds a token (in the browser:
# opening the page asks the server nothing)
MEASURE_OPTIONS_JS = """
function (token, options) {
    options = options || [];
    var label = CASE_OPTION.label;
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


def handle_upload(cache, contents, filename, clear_clicks, token):
    """(token, report) for a new upload or a click on 'Stop showing my data'."""
    return _handle_upload(cache, contents, filename, token)


def _handle_upload(cache, contents, filename, token):
    # an upload's answer is never kept in the answer cache (its token is this tab's own)
    request.environ.pop("dashboard.cache_key", None)
    if ctx.triggered_id == ids.EXPLORER_UPLOAD_CLEAR:
        if token and TOKEN_PATTERN.match(str(token)):
            try:
                cache.delete(KEY_PREFIX + token)
            except Exception:
                pass
        return None, []
    if contents is None:
        return no_update, no_update
    report, flows, kind = read_upload(contents, filename)
    view = report_view(report, kind, flows)
    if flows is None:
        return no_update, view
    new = secrets.token_urlsafe(24)
    try:
        cache.set(KEY_PREFIX + new, flows)
    except Exception as exc:
        view.append(html.P(f"The flows could not be kept for this session ({exc})."))
        return no_update, view
    return new, view


def allow_upload_bodies(server) -> None:
    """Callback requests may carry a file up to the upload limit; other requests keep the
    server's smaller limit."""

    @server.before_request
    def upload_body_limit():
        if request.method == "POST" and request.path.endswith("/_dash-update-component"):
            request.max_content_length = UPLOAD_BODY_BYTES


def register(app: Dash, cache) -> None:
    allow_upload_bodies(app.server)
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
            cache, contents, filename, clicks, token
        )
    )
    app.clientside_callback(
        MEASURE_OPTIONS_JS,
        Output(ids.EXPLORER_MEASURE, "options"),
        Input(ids.EXPLORER_UPLOAD_TOKEN, "data"),
        State(ids.EXPLORER_MEASURE, "options"),
    )


__all__ = ["read_upload", "register", "session_dataset", "session_flows"]
