"""`python -m dashboard serve`: refuses bad data with one line, logs the validation report,
serves with several gunicorn workers that all answer from the same data."""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal

import pytest

from dashboard.settings import Settings
from dashboard.startup import StartupRefused, load_checked
from geodata.boundaries import ADMIN0_FILE
from tests.conftest import ROUTES, write_data
from tests.servers import ROOT, get, run_serve, start_serve, wait_for

BAD_ROW = "r9,IDN,IDN,,myawaddy,2023,2023,,rescued,-3,exact,,rep,S,\n"


def refused(result) -> str:
    """The one line a refused start ends with; no traceback anywhere."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("refusing to start: ")
    return last


def test_a_mistyped_data_folder_is_refused_not_replaced_by_the_bundled_records(tmp_path):
    line = refused(run_serve("--data", str(tmp_path / "dta")))
    assert f"data folder {tmp_path / 'dta'} does not exist" in line


def test_a_folder_without_record_files_is_refused(tmp_path):
    (tmp_path / "Routes.xlsx").write_bytes(b"PK")
    line = refused(run_serve("--data", str(tmp_path)))
    assert f"data folder {tmp_path} holds none of the record files" in line


def test_a_missing_boundary_file_or_briefing_folder_is_refused(tmp_path):
    line = refused(run_serve("--boundaries", str(tmp_path / "countries.gpkg")))
    assert f"boundary file {tmp_path / 'countries.gpkg'} does not exist" in line
    line = refused(run_serve("--briefings", str(tmp_path / "talks")))
    assert f"briefing folder {tmp_path / 'talks'}" in line


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "routes.csv: file is empty"),
        (b"\x00\x01\x02PK\x03\x04" * 20, "routes.csv: file is binary"),
        (ROUTES.replace(",", ";").encode(), "routes.csv: missing required column(s)"),
    ],
)
def test_a_file_refused_whole_stops_the_start_naming_file_and_reason(tmp_path, content, reason):
    folder = write_data(tmp_path / "d", routes_csv=content)
    result = run_serve("--data", str(folder))
    line = refused(result)
    assert reason in line and "--allow-partial" in line
    # the report went to the log first: each file read, and the problem
    assert "data: routes.csv: not read" in result.stderr
    assert "data: sources.csv: 1 rows read, 1 accepted, 0 rejected" in result.stderr


def test_rejected_rows_stop_the_start_too(tmp_path):
    folder = write_data(tmp_path / "d", routes_csv=ROUTES + BAD_ROW)
    result = run_serve("--data", str(folder))
    line = refused(result)
    assert "routes.csv, row 4: count -3 is negative" in line
    assert "data: routes.csv: 4 rows read, 3 accepted, 1 rejected" in result.stderr


def test_allow_partial_starts_without_the_rejected_rows(tmp_path):
    folder = write_data(tmp_path / "d", routes_csv=ROUTES + BAD_ROW)
    loaded = load_checked(Settings(data_dir=folder, allow_partial=True))
    assert set(loaded.dataset.routes["id"]) == {"r1", "r2", "r3"}
    with pytest.raises(StartupRefused, match="row 4"):
        load_checked(Settings(data_dir=folder))
    assert Settings.from_env({"DASHBOARD_ALLOW_PARTIAL": "1"}).allow_partial
    assert not Settings.from_env({"DASHBOARD_ALLOW_PARTIAL": "0"}).allow_partial


def test_the_bundled_records_start_without_errors():
    """Refusing any rejected row is only fair if the bundled records reject none."""
    loaded = load_checked(Settings())
    assert loaded.dataset.report.ok
    assert len(loaded.dataset.routes) > 0


def test_a_setting_that_is_not_a_number_is_refused():
    line = refused(run_serve(env={"DASHBOARD_WORKERS": "four"}))
    assert "DASHBOARD_WORKERS='four' is not a whole number" in line
    line = refused(run_serve("--workers", "0"))
    assert "--workers and --threads must be 1 or more" in line


def test_an_unreachable_redis_is_refused(tmp_path):
    line = refused(run_serve(env={"REDIS_URL": "redis://:secret@127.0.0.1:1/0"}))
    assert "REDIS_URL redis://:***@127.0.0.1:1/0: cannot use it" in line
    assert "secret" not in line


def routes_seen(server, queries: list[str]) -> list[tuple[str, bytes]]:
    """(data version, body) of the routes download for each query (each a distinct answer, so
    none comes from a cache)."""
    out = []
    for q in queries:
        status, headers, body = get(f"{server.url}/download/routes.csv?{q}")
        assert status == 200, body
        assert headers["X-Cache"] == "miss"
        out.append((headers["X-Data-Version"], body))
    return out


def test_two_workers_log_the_report_and_answer(tmp_path, small_dir):
    server = start_serve(tmp_path, "--data", str(small_dir), workers=2)
    try:
        assert len(server.workers()) == 2
        status, headers, body = get(server.url + "/download/routes.csv")
        assert status == 200 and b"r1" in body
        log = server.text()
        assert "data: routes.csv: 3 rows read, 3 accepted, 0 rejected" in log
        assert "data: 0 error(s), 8 warning(s): the data is valid" in log
        assert "WARNING] data: indicators.csv: not in" in log
    finally:
        assert server.stop() == 0


def test_a_worker_started_after_a_file_broke_serves_the_same_data(tmp_path, small_dir):
    """The data is read once, before the workers fork: a worker that replaces one killed after
    a boundary file (or a record file) became unreadable answers from the same data."""
    boundaries = tmp_path / "countries.geojson"
    shutil.copy(ADMIN0_FILE, boundaries)
    server = start_serve(
        tmp_path, "--data", str(small_dir), "--boundaries", str(boundaries), workers=2
    )
    try:
        years = [f"year={y}-2026" for y in range(1990, 2010)]
        before = routes_seen(server, years)
        assert len({b for b in before}) == 1  # one data version, one answer
        version, body = before[0]
        assert body.count(b"\n") == 4  # the header and three routes

        boundaries.write_bytes(b"\x00\x01 not a boundary file")
        (small_dir / "routes.csv").write_text("id\n")
        original = server.workers()
        for n, pid in enumerate(sorted(original), 1):  # one worker, then the other
            os.kill(pid, signal.SIGKILL)
            wait_for(
                lambda pid=pid: len(server.workers()) == 2 and pid not in server.workers(),
                what="gunicorn to start a worker in place of the killed one",
            )
            after = routes_seen(server, [f"year={y}-{2026 - n}" for y in range(1990, 2010)])
            assert {v for v, _ in after} == {version}
            assert {b for _, b in after} == {body}
        assert not (server.workers() & original)  # every answer above came from a new worker
        log = server.text()
        assert "Perhaps out of memory?" in log  # gunicorn saw the SIGKILL
        assert str(boundaries) in log and "restart the server to read them" in log
    finally:
        server.stop()


def test_the_load_script_drives_every_panel_without_errors(tmp_path):
    """benchmarks/load.py's users send the callbacks a browser sends, and the app answers them
    all (a change in the callbacks that the script no longer matches shows up here)."""
    spec = importlib.util.spec_from_file_location("load_script", ROOT / "benchmarks" / "load.py")
    load = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(load)
    server = start_serve(tmp_path, workers=2)
    try:
        result = load.run_load(server.url, 3, 4.0, think=0.0)
    finally:
        server.stop()
    assert result["errors"] == 0, result["error_kinds"]
    assert result["filter_changes"] > 0
    panels = [k for k in result["by_request"] if k.startswith("POST explorer-")]
    assert any("explorer-map.figure" in k for k in panels) and len(panels) >= 2
    assert len(result["data_versions"]) == 1
    assert result["requests_per_s"] > 0 and result["p95_ms"] >= result["p50_ms"]
