"""Uploading a file in the explorer: the report, the size limit, the session's flows kept in
the shared cache under a random token (never in this process's globals)."""

from __future__ import annotations

import base64
import json
import tempfile

import pytest

from dashboard.app import create_app
from dashboard.explorer import session, upload
from dashboard.settings import Settings
from layouts import ids
from tests.case_fixture import BAD_ROWS, ROWS, SMALL, case_text


def contents(text: str | bytes, kind: str = "text/csv") -> str:
    data = text.encode() if isinstance(text, str) else text
    return f"data:{kind};base64," + base64.b64encode(data).decode()


def test_a_case_file_is_reported_and_aggregated():
    report, flows, kind = upload.read_upload(contents(case_text()), "C:\\Users\\me\\cases.csv")
    assert kind == "case file (ctdc2024)"
    tally = report.tallies["cases.csv"]
    assert (tally.read, tally.accepted, tally.rejected) == (ROWS, ROWS - BAD_ROWS, BAD_ROWS)
    assert flows is not None and flows.routes["suppressed"].any()
    text = json.dumps(upload.report_view(report, kind, flows), default=str)
    assert tempfile.gettempdir() not in text and "Users" not in text


def test_a_file_over_the_limit_is_refused_with_a_message():
    big = b"x" * (upload.UPLOAD_LIMIT_BYTES + 1)
    report, flows, _ = upload.read_upload(contents(big), "big.csv")
    assert flows is None
    assert "files up to 20 MB are read" in report.errors[0].reason


@pytest.mark.parametrize(
    "name, body, reason",
    [
        ("notes.docx", "hello", "not a CSV"),
        ("odd.csv", "a,b\n1,2\n", "neither a case file"),
        ("empty.csv", "", "empty"),
    ],
)
def test_other_files_are_refused_with_their_reason(name, body, reason):
    report, flows, _ = upload.read_upload(contents(body) if body else "", name)
    assert flows is None and reason in " ".join(p.reason for p in report.problems)


def test_a_record_file_is_checked_and_reported():
    from tests.conftest import ROUTES

    report, flows, kind = upload.read_upload(contents(ROUTES), "routes.csv")
    assert flows is None and kind == "record file (routes.csv)"
    assert report.tallies


def callback(client, inputs: list, state: list, outputs: list[tuple[str, str]]) -> dict:
    body = {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": inputs,
        "state": state,
        "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    return response.get_json()["response"]


def test_the_upload_callback_keeps_flows_in_the_shared_cache_under_a_token():
    app = create_app(Settings())
    client = app.server.test_client()
    answer = callback(
        client,
        inputs=[
            {"id": ids.EXPLORER_UPLOAD, "property": "contents", "value": contents(case_text())},
            {"id": ids.EXPLORER_UPLOAD_CLEAR, "property": "n_clicks", "value": 0},
        ],
        state=[
            {"id": ids.EXPLORER_UPLOAD, "property": "filename", "value": "cases.csv"},
            {"id": ids.EXPLORER_UPLOAD_TOKEN, "property": "data", "value": None},
        ],
        outputs=[(ids.EXPLORER_UPLOAD_TOKEN, "data"), (ids.EXPLORER_UPLOAD_REPORT, "children")],
    )
    token = answer[ids.EXPLORER_UPLOAD_TOKEN]["data"]
    assert upload.TOKEN_PATTERN.match(token)
    report = json.dumps(answer[ids.EXPLORER_UPLOAD_REPORT])
    assert f"{ROWS} rows read" in report and f"row {ROWS}, column" in report
    cache = next(iter(app.server.extensions["cache"].values()))
    kept = cache.get(session.KEY_PREFIX + token)
    assert kept["records"] == {} and kept["case_file"] == "cases.csv"
    assert not hasattr(kept["cases"], "case_id") and "case_id" not in kept["cases"].routes
    base = app.server.config["DATASET"]
    sessions = session.SessionDatasets(base, cache, lambda overrides: base)
    dataset = sessions(token)
    cases = dataset.routes[dataset.routes["measure"] == "case_records"]
    assert len(cases) == 5 and cases["count"].dropna().ge(10).all()
    # another session (no token, or an unknown one) sees the records alone
    assert sessions(None) is base
    assert sessions("x" * 32) is base and sessions.get("x" * 32) is None
    assert not [n for n in SMALL if f" {n} case" in report]


def test_no_upload_lives_in_module_state():
    """Nothing mutable at module level but constants: an upload lives in the cache only."""
    names = {k for k, v in vars(upload).items() if isinstance(v, dict | list | set)}
    assert not names - {"__all__", "__builtins__", "CASE_OPTION"}
