"""Uploading in a real Chromium. A case file: the report shows under the drop zone, the map
and the Sankey draw the flows as case records, '<10' where a count is withheld, never the
small count, and a second tab (another session) does not see them. A routes.csv: the map draws
its routes in place of the bundled ones, for that tab only. Every test fails on any request
to a host other than the app's own."""

from __future__ import annotations

import re
import threading

import pytest

from benchmarks._harness import free_port
from tests.browser.test_explorer import wait_for_map
from tests.case_fixture import BAD_ROWS, ROWS, SMALL, write_cases

pytestmark = pytest.mark.browser

PORTS = range(8700, 8750)


def _free_port() -> int:
    try:
        return free_port(PORTS)
    except RuntimeError:
        pytest.skip("no free port in 8700-8749")


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
    context, page, foreign, errors = open_explorer(browser, upload_server + "/?year=2023")
    report = drop_file(page, path)
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


def local_only(context) -> list[str]:
    """Refuse and record every request to another host."""
    foreign: list[str] = []
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if re.match(r"^(https?://127\.0\.0\.1[:/]|data:|blob:)", route.request.url)
            else (foreign.append(route.request.url), route.abort())
        ),
    )
    return foreign


def open_explorer(browser, url: str):
    """(context, page, requests to other hosts, page errors) for the explorer at `url`, at
    1440×900, its map drawn; every request to another host is refused and recorded."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    foreign = local_only(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    wait_for_map(page)
    return context, page, foreign, errors


def drop_file(page, path) -> str:
    page.click(".upload-box > summary")
    page.set_input_files("#explorer-upload input[type=file]", str(path))
    page.wait_for_selector(".upload-report .upload-total", timeout=30_000)
    return page.inner_text(".upload-report")


SANKEY_JS = (
    "() => { const gd = document.querySelector('#explorer-sankey .js-plotly-plot');"
    " return gd && gd.data ? JSON.stringify(gd.data.map(t => [t.meta, t.text, t.hovertext])) : '';"
    " }"
)


def test_an_uploaded_case_file_shows_in_the_sankey(browser, upload_server, tmp_path, artifacts):
    path = write_cases(tmp_path)
    context, page, foreign, errors = open_explorer(browser, upload_server + "/?year=2023")
    assert "case records" in drop_file(page, path)
    # the same browser tab, on the Sankey of case records
    page.goto(upload_server + "/?view=sankey&measure=case_records&year=2023")
    page.wait_for_function(
        "() => { const gd = document.querySelector('#explorer-sankey .js-plotly-plot');"
        " return gd && gd.data && JSON.stringify(gd.data.map(t => t.meta))"
        ".includes('ctdc-2024-synthetic-'); }",
        timeout=30_000,
    )
    text = page.evaluate(SANKEY_JS).replace("\\u003c", "<")
    assert "Case records: 15" in text  # a band with its count
    # withheld flows are not drawn as bands: the note lists them with '<10', never the count
    note = page.inner_text("#explorer-sankey-note")
    assert "Not drawn here" in note and "<10" in note
    for n in SMALL:
        assert f"Case records: {n}<" not in text
        assert not re.search(rf"(?<![\d<]){n} case records", note)
    page.screenshot(path=str(artifacts / "upload-sankey-1440x900.png"))
    assert not foreign and not errors, (foreign, errors)
    context.close()


def route_ids(page) -> set[str]:
    """The route ids the map draws (each route's customdata names it)."""
    return set(
        page.evaluate(
            "() => { const gd = document.querySelector('#explorer-map .js-plotly-plot');"
            " const out = new Set();"
            " const add = v => { if (typeof v === 'string') out.add(v);"
            "   else if (Array.isArray(v)) v.forEach(add); };"
            " gd.data.forEach(t => add(t.customdata)); return [...out]; }"
        )
    )


def test_an_uploaded_routes_file_changes_the_map(browser, upload_server, tmp_path, artifacts):
    from geodata.dataset import RECORDS_DIR

    lines = (RECORDS_DIR / "routes.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "routes.csv"
    path.write_text(lines[0] + "".join(x for x in lines[1:] if ",IDN," in x[:40]), "utf-8")
    context, page, foreign, errors = open_explorer(browser, upload_server + "/?year=2023")
    before = route_ids(page)
    assert "vnm-mmr-border-rescue-2023-10" in before and "idn-khm-2023" in before
    report = drop_file(page, path)
    assert "in place of the bundled routes.csv" in report
    assert "left out with your file" in report  # bundled notes that named the routes left out
    page.wait_for_function(
        "() => { const gd = document.querySelector('#explorer-map .js-plotly-plot');"
        " return gd && !JSON.stringify(gd.data.map(t => t.customdata))"
        ".includes('vnm-mmr-border-rescue-2023-10'); }",
        timeout=30_000,
    )
    after = route_ids(page)
    assert "idn-khm-2023" in after
    assert not {r for r in after if r.startswith(("vnm-", "phl-", "sez-", "chn-"))}
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts / "upload-routes-1440x900.png"))
    # another session still sees the bundled routes
    other = browser.new_context(viewport={"width": 1440, "height": 900})
    other_foreign = local_only(other)
    other_page = other.new_page()
    other_page.goto(upload_server + "/?year=2023")
    wait_for_map(other_page)
    assert "vnm-mmr-border-rescue-2023-10" in route_ids(other_page)
    other.close()
    assert not foreign and not other_foreign and not errors, (foreign, other_foreign, errors)
    context.close()
