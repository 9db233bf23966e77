"""A browser tab's upload drawn everywhere that tab looks: the map, the Sankey, the table and
its CSV, the overview, the downloads. A record file takes the place of the bundled file of its
kind; a case file adds its protected flows; both kinds can be kept together. Only the upload
callback may send a large request body."""

from __future__ import annotations

import csv
import io
import json
import zlib

import pytest

from dashboard.app import create_app
from dashboard.explorer import callbacks, session, upload
from dashboard.serving import MAX_BODY_BYTES
from dashboard.settings import Settings
from geodata.dataset import RECORDS_DIR
from layouts import ids
from tests.case_fixture import ROWS, SMALL, case_text
from tests.dashboard.cases.test_upload import contents

BUNDLED_ROUTES = (RECORDS_DIR / "routes.csv").read_text(encoding="utf-8")
# a route to a country no bundled route names (a test row, with no number: not a figure)
NEW_ROUTE = (
    "tst-idn-bgd-upload,IDN,IDN,,BGD,2023,2023,,reported_route,,unknown,,iom-2024-sitrep,"
    "Test,A test route added by an upload (not in any report).,forced_criminality,trafficking\n"
)
BAD_ROUTE = (
    "tst-bad-year,IDN,IDN,,KHM,20x3,2023,,reported_route,,unknown,,iom-2024-sitrep,"
    "Test,A row the loader refuses.,forced_criminality,trafficking\n"
)


def idn_only() -> str:
    """The bundled routes.csv with only the Indonesians' routes."""
    lines = BUNDLED_ROUTES.splitlines(keepends=True)
    return lines[0] + "".join(line for line in lines[1:] if ",IDN," in line[:40])


@pytest.fixture(scope="module")
def app():
    return create_app(Settings())


@pytest.fixture
def client(app):
    return app.server.test_client()


def shared_cache(app):
    return next(iter(app.server.extensions["cache"].values()))


def post(client, inputs: list, state: list, outputs: list[tuple[str, str]], raw: bool = False):
    """A callback request as Dash's renderer sends it: `output` first (Flask's test client
    would sort the keys of `json=`)."""
    single = len(outputs) == 1
    body = {
        "output": "{}.{}".format(*outputs[0])
        if single
        else ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
        "outputs": {"id": outputs[0][0], "property": outputs[0][1]}
        if single
        else [{"id": i, "property": p} for i, p in outputs],
        "inputs": inputs,
        "state": state,
        "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"],
    }
    response = client.post(
        "/_dash-update-component",
        data=json.dumps(body),
        headers={"Content-Type": "application/json"},
    )
    if raw:
        return response
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    return response.get_json()["response"]


def drop(client, text: str | bytes, name: str, token: str | None = None, raw: bool = False):
    """Drop a file on the explorer: (new token, report text) as the page gets them."""
    answer = post(
        client,
        inputs=[
            {"id": ids.EXPLORER_UPLOAD, "property": "contents", "value": contents(text)},
            {"id": ids.EXPLORER_UPLOAD_CLEAR, "property": "n_clicks", "value": 0},
        ],
        state=[
            {"id": ids.EXPLORER_UPLOAD, "property": "filename", "value": name},
            {"id": ids.EXPLORER_UPLOAD_TOKEN, "property": "data", "value": token},
        ],
        outputs=[(ids.EXPLORER_UPLOAD_TOKEN, "data"), (ids.EXPLORER_UPLOAD_REPORT, "children")],
        raw=raw,
    )
    if raw:
        return answer
    new = (answer.get(ids.EXPLORER_UPLOAD_TOKEN) or {}).get("data")
    return new, json.dumps(answer[ids.EXPLORER_UPLOAD_REPORT]["children"])


def rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


# --- the session dataset -------------------------------------------------------------------


def test_a_routes_file_replaces_the_bundled_routes_for_that_tab_only(app, client):
    token, report = drop(client, BUNDLED_ROUTES + NEW_ROUTE + BAD_ROUTE, "routes.csv")
    assert token and token.startswith("r") and session.valid_token(token)
    n = BUNDLED_ROUTES.count("\n") + 1  # rows under the header
    assert f"routes.csv: {n} rows read, {n - 1} accepted, 1 rejected" in report
    assert "row 35, column 'year_start': '20x3' is not a year" in report  # refused, and why
    assert "in place of the bundled routes.csv" in report and "This tab draws your files" in report
    sessions = session.SessionDatasets(app.server.config["DATASET"], shared_cache(app), None)
    base = app.server.config["DATASET"]
    assert "tst-idn-bgd-upload" not in set(base.routes["id"])
    # a worker that never saw the upload builds the tab's dataset from the shared cache
    from dashboard.startup import records_loader

    other_worker = session.SessionDatasets(base, shared_cache(app), records_loader(Settings()))
    mine = other_worker(token)
    assert "tst-idn-bgd-upload" in set(mine.routes["id"])
    assert len(mine.routes) == len(base.routes) + 1
    assert other_worker(token) is mine  # built once, then kept by token
    assert mine.admin0 is base.admin0  # the boundaries are shared, not copied
    assert sessions(None) is base and sessions("nope") is base


def test_fewer_routes_report_the_bundled_rows_they_leave_out(app, client):
    token, report = drop(client, idn_only(), "my routes.csv")
    assert token
    assert "my routes.csv (routes.csv)" in report
    # the bundled notes name routes the file no longer holds: each is listed with its reason
    assert "left out with your file" in report and "notes.csv" in report
    assert "unknown figure or route id" in report
    mine = app_sessions(app)(token)
    assert set(mine.routes["nationality"].dropna()) == {"IDN"}


def app_sessions(app) -> session.SessionDatasets:
    """The app's own SessionDatasets (the one its callbacks and downloads use)."""
    for cb in app.callback_map.values():
        fn = cb.get("callback")
        for cell in getattr(getattr(fn, "__wrapped__", fn), "__closure__", None) or ():
            if isinstance(cell.cell_contents, session.SessionDatasets):
                return cell.cell_contents
    raise AssertionError("no SessionDatasets in the app's callbacks")


def test_what_the_shared_cache_keeps_is_small_and_plain(app, client):
    token, _ = drop(client, BUNDLED_ROUTES + NEW_ROUTE, "routes.csv")
    kept = shared_cache(app).get(session.KEY_PREFIX + token)
    assert set(kept) == {"format", "cases", "case_file", "records"}
    name, packed = kept["records"]["routes.csv"]
    assert name == "routes.csv" and isinstance(packed, bytes)
    assert zlib.decompress(packed).decode() == BUNDLED_ROUTES + NEW_ROUTE
    assert len(packed) < len(BUNDLED_ROUTES) / 2


def test_a_file_whose_every_row_is_refused_is_not_drawn(client):
    token, report = drop(client, BUNDLED_ROUTES.splitlines()[0] + "\n" + BAD_ROUTE, "routes.csv")
    assert token is None  # the tab keeps what it had
    assert "Not drawn" in report and "the bundled routes.csv stays" in report


def test_a_case_file_then_a_record_file_are_both_kept(app, client):
    first, _ = drop(client, case_text(), "cases.csv")
    assert first.startswith("c")
    second, report = drop(client, BUNDLED_ROUTES + NEW_ROUTE, "routes.csv", token=first)
    assert second.startswith("c") and second != first  # still holds case flows: a new key
    assert "routes.csv (in place of the bundled routes.csv); cases.csv (case records)" in report
    mine = app_sessions(app)(second)
    assert "tst-idn-bgd-upload" in set(mine.routes["id"])
    assert (mine.routes["measure"] == "case_records").sum() == 5
    # a newer case file replaces the older; the routes file stays
    third, report = drop(client, case_text(), "more-cases.csv", token=second)
    assert "more-cases.csv (case records)" in report and " cases.csv (case records)" not in report
    assert "routes.csv (in place" in report


def test_a_cleared_token_is_not_answered_even_where_it_was_built(app, client):
    token, _ = drop(client, case_text(), "cases.csv")
    sessions = app_sessions(app)
    assert sessions.get(token) is not None
    shared_cache(app).delete(session.KEY_PREFIX + token)  # as another worker's clear would
    assert sessions.get(token) is None
    assert sessions(token) is app.server.config["DATASET"]


# --- every tab of the explorer -------------------------------------------------------------


def tab(client, query_id: str, search: str, token, outputs):
    return post(
        client,
        inputs=[
            {"id": query_id, "property": "data", "value": search},
            {"id": ids.EXPLORER_UPLOAD_TOKEN, "property": "data", "value": token},
        ],
        state=[],
        outputs=outputs,
    )


def test_the_sankey_table_and_overview_draw_the_tabs_upload(client):
    token, _ = drop(client, case_text(), "cases.csv")
    search = "?view=sankey&measure=case_records&year=2023"
    sankey_out = [(ids.EXPLORER_SANKEY, "figure"), (ids.EXPLORER_SANKEY_NOTE, "children")]
    mine = json.dumps(tab(client, ids.EXPLORER_SANKEY_QUERY, search, token, sankey_out))
    theirs = json.dumps(tab(client, ids.EXPLORER_SANKEY_QUERY, search, "", sankey_out))
    assert "case records" in mine and "ctdc-2024-synthetic" in mine
    assert "ctdc-2024-synthetic" not in theirs
    for n in SMALL:
        assert f'"{n} case records' not in mine and f" {n} case records" not in mine

    table_out = [
        (ids.EXPLORER_TABLE, "rowData"),
        (ids.EXPLORER_TABLE_CSV, "href"),
        (ids.EXPLORER_TABLE_CSV, "children"),
    ]
    answer = tab(client, ids.EXPLORER_TABLE_QUERY, "?view=table&year=2023", token, table_out)
    measures = {r["measure"] for r in answer[ids.EXPLORER_TABLE]["rowData"]}
    assert "case records" in measures
    href = answer[ids.EXPLORER_TABLE_CSV]["href"]
    assert href == f"/download/routes.csv?year=2023&upload={token}"
    plain = tab(client, ids.EXPLORER_TABLE_QUERY, "?view=table&year=2023", None, table_out)
    assert "upload=" not in plain[ids.EXPLORER_TABLE_CSV]["href"]
    assert "case records" not in {r["measure"] for r in plain[ids.EXPLORER_TABLE]["rowData"]}

    # the overview flags the figures the notes call inconsistent: a notes.csv without those
    # notes flags none (for that tab)
    notes_token, _ = drop(client, notes_without("inconsistency"), "notes.csv")
    overview_out = [(ids.EXPLORER_OVERVIEW, "children")]
    search = "?view=overview"
    mine = json.dumps(tab(client, ids.EXPLORER_OVERVIEW_QUERY, search, notes_token, overview_out))
    theirs = json.dumps(tab(client, ids.EXPLORER_OVERVIEW_QUERY, search, None, overview_out))
    assert "inconsisten" in theirs.lower() and mine != theirs


def test_the_overview_says_what_a_tabs_figures_lack(client):
    lines = (RECORDS_DIR / "figures.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    token, _ = drop(client, lines[0] + lines[1], "figures.csv")
    assert token
    answer = tab(
        client,
        ids.EXPLORER_OVERVIEW_QUERY,
        "?view=overview",
        token,
        [(ids.EXPLORER_OVERVIEW, "children")],
    )
    assert "is not in the records (figures.csv)" in json.dumps(answer)


def notes_without(kind: str) -> str:
    """The bundled notes.csv without the notes of this kind."""
    text = (RECORDS_DIR / "notes.csv").read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=reader.fieldnames, lineterminator="\n")
    writer.writeheader()
    writer.writerows(r for r in reader if r["kind"] != kind)
    return out.getvalue()


def test_the_table_link_carries_the_token_and_nothing_else_new():
    from dashboard.explorer.callbacks import table_view

    dataset = create_app(Settings()).server.config["DATASET"]
    _, href, _ = table_view(dataset, "?view=table", "a" * 32)
    assert href == "/download/routes.csv?upload=" + "a" * 32
    _, href, _ = table_view(dataset, "?view=table", "../../etc")  # not a token: not passed on
    assert href == "/download/routes.csv"
    assert callbacks.table_view(dataset, "?view=map", "a" * 32) == (callbacks.no_update,) * 3


# --- downloads -----------------------------------------------------------------------------


def test_case_flows_download_gives_the_tabs_protected_flows(client):
    token, _ = drop(client, case_text(), "cases.csv")
    r = client.get(f"/download/case_flows.csv?upload={token}")
    assert r.status_code == 200
    got = rows(r)
    assert len(got) == 5 and {g["measure"] for g in got} == {"case_records"}
    shown = {(g["nationality"], g["destination"]): (g["count"], g["count_display"]) for g in got}
    # the two small counts withheld, and one more so that they cannot be worked out
    assert shown[("VNM", "KHM")] == ("", "<10") and shown[("PHL", "MMR")] == ("", "<10")
    assert {c for c, _ in shown.values() if c} <= {"12", "15", "23"}
    assert all(int(c) >= 10 for c, _ in shown.values() if c)
    assert not {"gender", "ageBroad", "citizenship", "traffickMonths"} & set(got[0])
    assert str(ROWS) not in {g["count"] for g in got}
    # without the token: the server's own case flows (none here)
    assert rows(client.get("/download/case_flows.csv")) == []


def test_routes_download_with_a_token_gives_the_tabs_routes(client):
    token, _ = drop(client, BUNDLED_ROUTES + NEW_ROUTE, "routes.csv")
    mine = {r["id"] for r in rows(client.get(f"/download/routes.csv?upload={token}"))}
    theirs = {r["id"] for r in rows(client.get("/download/routes.csv"))}
    assert mine - theirs == {"tst-idn-bgd-upload"}
    # locations.csv takes no filters, but may take the tab's token
    assert client.get(f"/download/locations.csv?upload={token}").status_code == 200


def test_answers_for_different_tokens_never_collide(client):
    a, _ = drop(client, BUNDLED_ROUTES + NEW_ROUTE, "routes.csv")
    b, _ = drop(client, idn_only(), "routes.csv")
    first = client.get(f"/download/routes.csv?year=2023&upload={a}")
    second = client.get(f"/download/routes.csv?year=2023&upload={b}")
    again = client.get(f"/download/routes.csv?upload={a}&year=2023")
    assert first.headers["X-Cache"] == "miss" and second.headers["X-Cache"] == "miss"
    assert again.headers["X-Cache"] == "hit" and again.get_data() == first.get_data()
    assert first.get_data() != second.get_data()


@pytest.mark.parametrize("token", ["x" * 32, "short", "../../../etc/passwd", "a b" * 10, ""])
def test_an_unknown_or_malformed_token_gets_a_plain_404(client, token):
    r = client.get("/download/case_flows.csv", query_string={"upload": token})
    assert r.status_code == 404 and r.mimetype == "text/plain"
    text = r.get_data(as_text=True)
    assert "no uploaded data under this key" in text and "Traceback" not in text


# --- request body limits -------------------------------------------------------------------


def test_only_the_upload_callback_is_let_in_above_the_normal_limit(app, client):
    assert upload.UPLOAD_OUTPUT in app.callback_map
    lines = case_text().splitlines()
    big = "\n".join([lines[0], *lines[1:-2] * 1200]) + "\n"  # about 3.7 MB, 5.0 MB as base64
    assert len(big) * 4 // 3 > 2 * MAX_BODY_BYTES
    r = drop(client, big, "cases.csv", raw=True)
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    assert "rows read" in r.get_data(as_text=True)
    assert r.headers.get("X-Cache") is None  # an upload's answer is never kept


@pytest.mark.parametrize(
    "output",
    [
        f"..{ids.EXPLORER_MAP}.figure...{ids.EXPLORER_MAP_MESSAGE}.children..",
        f"{ids.EXPLORER_SANKEY}.figure",
        upload.UPLOAD_OUTPUT + "x",
        "",
    ],
)
def test_every_other_large_callback_request_gets_413_unread(client, output):
    padding = " " * (MAX_BODY_BYTES + 10)
    body = json.dumps({"output": output, "inputs": []})[:-1] + padding + "}"
    r = client.post(
        "/_dash-update-component", data=body, headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 413 and len(r.get_data()) < 100


def test_the_upload_callback_is_refused_over_its_own_limit(client):
    body = (
        '{"output":"'
        + upload.UPLOAD_OUTPUT
        + '","inputs":['
        + " " * (upload.UPLOAD_BODY_BYTES)
        + "]}"
    )
    r = client.post(
        "/_dash-update-component", data=body, headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 413


def test_the_output_must_come_first_to_be_let_in(client):
    """Dash's renderer writes `output` first; a request that hides it deeper is refused."""
    padding = " " * (MAX_BODY_BYTES + 10)
    body = '{"inputs":[],' + padding + '"output":"' + upload.UPLOAD_OUTPUT + '"}'
    r = client.post(
        "/_dash-update-component", data=body, headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 413


def test_a_normal_callback_request_still_works(client):
    answer = tab(
        client,
        ids.EXPLORER_SANKEY_QUERY,
        "?view=sankey",
        None,
        [(ids.EXPLORER_SANKEY, "figure"), (ids.EXPLORER_SANKEY_NOTE, "children")],
    )
    assert answer[ids.EXPLORER_SANKEY]["figure"]["data"]


def test_the_top_of_the_page_says_this_tab_shows_the_users_own_data(app, client):
    first, _ = drop(client, case_text(), "cases.csv")
    token, _ = drop(client, BUNDLED_ROUTES + NEW_ROUTE, "routes.csv", token=first)
    sessions = app_sessions(app)
    text = sessions.describe(token)
    assert text.startswith("This browser tab shows your own data:")
    assert "routes.csv in place of the bundled routes.csv" in text
    assert "cases.csv as case records" in text
    assert sessions.describe(None) is None and sessions.describe("a" * 32) is None
    base = app.server.config["DATASET"]
    out = callbacks.map_panels(
        sessions(token), (2002, 2023), None, "", {"w": 1000, "h": 600}, None, [], None, text
    )
    assert "This browser tab shows your own data" in json.dumps(out["messages"], default=str)
    plain = callbacks.map_panels(
        base, (2002, 2023), None, "", {"w": 1000, "h": 600}, None, [], None
    )
    assert "your own data" not in json.dumps(plain["messages"], default=str)
