"""The drop zone for a user's own data file, its validation report, and the session's key.

A case file (CTDC 2024, CTDC 2020 or HTCDS) or a record file (CSV or .xlsx) dropped here is
checked on the server; the report of what was accepted and rejected shows under it. A case
file's aggregated, protected flows are then drawn on the map for this browser tab only: the
key to them is kept in the tab's session storage, the flows in the server's shared cache.
"""

from __future__ import annotations

from dash import dcc, html

from layouts import ids

UPLOAD_LIMIT_BYTES = 20 * 1024 * 1024  # the largest file accepted (20 MB)


def upload_panel() -> html.Details:
    return html.Details(
        className="upload-box",
        **{"data-limit": str(UPLOAD_LIMIT_BYTES)},
        children=[
            html.Summary("Your own data"),
            dcc.Upload(
                id=ids.EXPLORER_UPLOAD,
                className="upload-drop",
                max_size=UPLOAD_LIMIT_BYTES,
                multiple=False,
                accept=".csv,.txt,.xlsx",
                children=html.Div(
                    [
                        "Drop a case file (CTDC or HTCDS CSV) or a record file (CSV or .xlsx) "
                        "here, or ",
                        html.A("choose one", href="#", className="upload-choose"),
                        f" (up to {UPLOAD_LIMIT_BYTES // (1024 * 1024)} MB). Case counts under "
                        "10 are shown as <10. Only this browser tab sees the result.",
                    ]
                ),
            ),
            html.Div(id=ids.EXPLORER_UPLOAD_REPORT, className="upload-report", role="status"),
            html.Button(
                "Stop showing my data",
                id=ids.EXPLORER_UPLOAD_CLEAR,
                className="upload-clear",
                n_clicks=0,
            ),
            # "" (no flows) rather than nothing: a Store with no data would set it from the
            # empty session storage as the page opens, and that would ask the server for a map
            dcc.Store(id=ids.EXPLORER_UPLOAD_TOKEN, storage_type="session", data=""),
        ],
    )
