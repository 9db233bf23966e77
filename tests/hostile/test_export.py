"""Export asked to do what it cannot: too many pixels, markup in a title, a browser that is not
there, that exits or that never answers. Each ends with a one-line reason and no file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.export.render import MAX_PIXELS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def client(bundled):
    from dashboard.app import create_app

    return create_app(dataset=bundled).server.test_client()


def export(tmp_path: Path, *args: str, env: dict | None = None, timeout: float = 120):
    out = tmp_path / "out.png"
    run = subprocess.run(
        [sys.executable, "-m", "dashboard", "export", "--view", "map", "-o", str(out), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    return run, out


def test_a_png_over_the_pixel_cap_is_refused_before_rendering(tmp_path):
    run, out = export(tmp_path, "--format", "png", "--width-mm", "600", "--dpi", "1200")
    assert run.returncode == 2
    assert f"over the {MAX_PIXELS / 1e6:g} million" in run.stderr
    assert "at most" in run.stderr and "dpi" in run.stderr
    assert "Traceback" not in run.stderr and not out.exists()


def test_the_export_route_refuses_the_same_with_a_400(client):
    r = client.get("/export/map.png?width_mm=600&dpi=1200")
    assert r.status_code == 400
    assert b"million" in r.data


def test_markup_in_an_export_title_is_refused(client, tmp_path):
    r = client.get('/export/map.svg?title=<a href="https://evil.example">x</a>')
    assert r.status_code == 400 and b"markup" in r.data
    run, out = export(tmp_path, "--format", "svg", "--title", "<script>x</script>")
    assert run.returncode == 2 and "markup" in run.stderr and not out.exists()


@pytest.mark.parametrize(
    "browser, says",
    [
        ("/nonexistent/chromium", "BROWSER_PATH is /nonexistent/chromium, which is not a program"),
        ("/bin/true", "would not start"),
    ],
    ids=["missing", "exits at once"],
)
def test_a_browser_that_cannot_start_gives_a_reason_and_exit_2(tmp_path, browser, says):
    run, out = export(tmp_path, "--format", "png", env={"BROWSER_PATH": browser})
    assert run.returncode == 2, run.stderr
    assert says in run.stderr
    assert "Traceback" not in run.stderr and "choreo_get_chrome" not in run.stderr
    assert not out.exists()


def test_a_browser_that_never_answers_times_out(tmp_path):
    hang = tmp_path / "hang.sh"
    hang.write_text("#!/bin/sh\nexec sleep 300\n")
    hang.chmod(0o755)
    run, out = export(
        tmp_path,
        "--format",
        "png",
        env={"BROWSER_PATH": str(hang), "BROWSER_START_TIMEOUT": "4"},
        timeout=90,
    )
    assert run.returncode == 2
    assert "did not answer within 4 s" in run.stderr
    assert "Traceback" not in run.stderr and not out.exists()
    left = subprocess.run(["pgrep", "-f", str(hang)], capture_output=True, text=True)
    assert left.stdout.strip() == "", "the browser that never answered was left running"
