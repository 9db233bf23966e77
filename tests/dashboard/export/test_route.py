"""The `/export/<view>.<fmt>` route: one Chromium for the process (started on first use, reused,
restarted if it died, safe under concurrent requests), the sources CSV beside each figure, and
a message rather than an empty figure."""

from __future__ import annotations

import csv
import io
import os
import signal
import struct
import threading
import time

import pytest

from dashboard.app import create_app
from dashboard.export import browser
from dashboard.export import render as export_module
from dashboard.figures.selection import map_content
from dashboard.figures.views import REPORT
from dashboard.state import ViewState

needs_chromium = pytest.mark.skipif(
    export_module.chromium_path() is None, reason="no Chromium for kaleido on this machine"
)
QUERY = "?nationality=IDN&year=2023&preset=column&dpi=150"


@pytest.fixture(scope="module")
def client(bundled):
    return create_app(dataset=bundled).server.test_client()


@pytest.mark.parametrize(
    "url",
    [
        "/export/map.png?year=2019",
        "/export/map.svg?nationality=IDN&measure=rescued",
        "/export/sankey.png?year=2019",
        "/export/profile.pdf?country=PHL&year=2019",
        "/export/map.sources.csv?year=2019",
    ],
)
def test_an_empty_selection_is_answered_with_a_message(client, url):
    starts = browser.STARTS
    r = client.get(url)
    assert r.status_code == 422
    body = r.get_data(as_text=True)
    assert body.startswith("Nothing to draw: ") and r.mimetype == "text/plain"
    assert browser.STARTS == starts  # refused before any browser is started


def test_map_empty_answer_offers_the_nearest_view_with_data(client):
    body = client.get("/export/map.png?nationality=IDN&measure=rescued").get_data(as_text=True)
    assert "With data: " in body and "released" in body


def test_the_sources_csv_lists_the_sources_of_what_is_drawn(client, bundled):
    r = client.get("/export/map.sources.csv" + QUERY)
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    state = ViewState(
        nationality=("IDN",), year_from=2023, year_to=2023, layers=("routes", "returns")
    )
    content = map_content(bundled, state)  # a column's map: no places for orientation
    drawn = set(content.flows["source_id"]) | set(content.place_figures["source_id"])
    assert {row["source_id"] for row in rows} == drawn
    report = next(row for row in rows if row["source_id"] == REPORT)
    assert report["publisher"] == "IOM" and report["date"] == "2024-02"
    assert "Indonesia — Victim Profile" in report["sections"].split("; ")
    assert client.get("/export/map.png.csv").status_code == 404


@needs_chromium
def test_one_browser_serves_every_request(client):
    first = client.get("/export/map.png" + QUERY)
    assert first.status_code == 200, first.get_data(as_text=True)
    starts = browser.STARTS
    running = browser.running()
    assert running is not None
    second = client.get("/export/sankey.svg?preset=column")
    assert second.status_code == 200
    assert browser.STARTS == starts and browser.running() is running
    assert first.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">I", first.data[16:20])[0] == round(85 / 25.4 * 150)


@needs_chromium
def test_concurrent_requests_share_the_browser(client):
    client.get("/export/caseload.svg?preset=column")  # started
    starts = browser.STARTS
    results: list = []

    def fetch(url: str) -> None:
        results.append(client.get(url))

    urls = [
        "/export/map.svg" + QUERY,
        "/export/events.png?preset=column&dpi=100",
        "/export/profile.svg?country=PHL&preset=column",
    ]
    threads = [threading.Thread(target=fetch, args=(u,)) for u in urls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(r.status_code for r in results) == [200, 200, 200]
    assert browser.STARTS == starts


@needs_chromium
def test_a_browser_that_died_is_replaced(client):
    assert client.get("/export/sex-split.svg?preset=column").status_code == 200
    dead = browser.running()
    assert dead is not None and dead.pid
    os.kill(dead.pid, signal.SIGKILL)  # the Chromium this process started, by its id
    for _ in range(50):
        if not dead.alive():
            break
        time.sleep(0.1)
    starts = browser.STARTS
    r = client.get("/export/sex-split.svg?preset=column")
    assert r.status_code == 200, r.get_data(as_text=True)
    assert browser.STARTS == starts + 1
    assert browser.running() is not dead
