"""Uploading a case file in a real Chromium: the report shows under the drop zone and the
map draws the flows as case records, '<10' where a count is withheld, never the small count;
a second tab (another session) does not see them."""

from __future__ import annotations

import re
import socket
import threading

import pytest

from tests.browser.test_explorer import wait_for_map
from tests.case_fixture import BAD_ROWS, ROWS, SMALL, write_cases

pytestmark = pytest.mark.browser

PORTS = range(8051, 8060)


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip("no free port in 8051-8059")


@pytest.fixture(scope="module")
def upload_server():
    from werkzeug.serving import make_server

    from dashboard.app import create_app

    app = create_app()
    server = make_server("127.0.0.1", _free_port(), app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def map_text(page) -> str:
    return page.evaluate(
        "() => { const gd = document.querySelector('#explorer-map .js-plotly-plot');"
        " return JSON.stringify([gd.data.map(t => [t.name, t.text, t.hovertext]),"
        " (gd.layout.annotations || []).map(a => a.text)]); }"
    )


def test_uploaded_case_file_is_reported_and_drawn(browser, upload_server, tmp_path, artifacts):
    path = write_cases(tmp_path)
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    foreign: list[str] = []
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if re.match(r"^(https?://127\.0\.0\.1[:/]|data:|blob:)", route.request.url)
            else (foreign.append(route.request.url), route.abort())
        ),
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(upload_server + "/?year=2023")
    wait_for_map(page)
    page.click(".upload-box > summary")
    page.set_input_files("#explorer-upload input[type=file]", str(path))
    page.wait_for_selector(".upload-report .upload-total", timeout=30_000)
    report = page.inner_text(".upload-report")
    assert f"{ROWS} rows read, {ROWS - BAD_ROWS} accepted, {BAD_ROWS} rejected" in report
    assert f"row {ROWS}, column 'citizenship'" in report
    assert str(tmp_path) not in report
    # 'every measure' stays the report's; the report's link maps the case records
    assert "ctdc-2024-synthetic-" not in map_text(page)
    page.click(".upload-drawn a.upload-map-link")
    page.wait_for_function(
        "() => { const gd = document.querySelector('#explorer-map .js-plotly-plot');"
        " return gd && gd.data.some(t => (t.name || '').startsWith('ctdc-2024-synthetic-')); }",
        timeout=30_000,
    )
    assert "measure=case_records" in page.url
    assert "Case records: <10" in map_text(page).replace("\\u003c", "<")
    # the same tab keeps its flows on another view: case records alone, labelled on the map
    page.goto(upload_server + "/?measure=case_records&year=2023")
    wait_for_map(page)
    page.wait_for_function(
        "() => { const gd = document.querySelector('#explorer-map .js-plotly-plot');"
        " return gd && gd.data.some(t => (t.name || '').startsWith('ctdc-2024-synthetic-')); }",
        timeout=30_000,
    )
    assert "measure=case_records" in page.url
    text = map_text(page).replace("\\u003c", "<").replace("&lt;", "<").replace("&#60;", "<")
    (artifacts / "upload-map.json").write_text(text)
    assert "<10 case records" in text
    for n in SMALL:
        assert not re.search(rf"(?<![\d<]){n} case records", text)
        assert f"Case records: {n}<" not in text
    page.screenshot(path=str(artifacts / "upload-1440x900.png"))
    # another tab of another session does not see this tab's flows
    other = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    other.goto(upload_server + "/?measure=case_records&year=2023")
    wait_for_map(other)
    assert "ctdc-2024-synthetic-" not in map_text(other)
    other.context.close()
    assert not foreign and not errors, (foreign, errors)
    context.close()
