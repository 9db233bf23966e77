"""The Flask side of the app: the page and the downloads, through server.test_client()."""

from __future__ import annotations

import csv
import io

import pytest

from dashboard.app import create_app
from geodata.dataset import load_dataset


@pytest.fixture
def client(small_dir):
    app = create_app(dataset=load_dataset(small_dir))
    return app.server.test_client()


def rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_page_serves(client):
    r = client.get("/")
    assert r.status_code == 200
    assert b"_dash-config" in r.data or b"dash" in r.data


def test_layout_has_no_external_urls(client):
    body = client.get("/_dash-layout").get_data(as_text=True)
    body += client.get("/").get_data(as_text=True)
    import re

    hosts = set(re.findall(r"https?://([^/\"'\s]+)", body))
    # w3.org appears in SVG namespaces only; data citations are not in the layout
    assert hosts <= {"www.w3.org"}, hosts


def test_routes_download_has_source_columns(client):
    r = client.get("/download/routes.csv")
    assert r.status_code == 200
    assert r.mimetype == "text/csv"
    data = rows(r)
    assert {d["id"] for d in data} == {"r1", "r2", "r3"}
    assert {
        "source_id",
        "section",
        "source_title",
        "source_publisher",
        "measure",
        "qualifier",
    } <= set(data[0])
    by_id = {d["id"]: d for d in data}
    assert by_id["r2"]["count"] == ""  # a route known without a number stays without one
    assert by_id["r2"]["qualifier"] == "unknown"
    assert by_id["r3"]["share_pct"] == "37.0"
    assert by_id["r1"]["destination_iso3"] == "MMR"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?year=2022", {"r2", "r3"}),
        ("?year=2023", {"r1", "r2", "r3"}),
        ("?nationality=IDN", {"r1"}),
        ("?nationality=idn,VNM", {"r1", "r2"}),
        ("?year=2022&nationality=IDN", set()),
        ("?year=2022-2023&nationality=PHL", {"r3"}),
    ],
)
def test_routes_filters(client, query, expected):
    assert {d["id"] for d in rows(client.get("/download/routes.csv" + query))} == expected


def test_figures_download_and_filters(client):
    data = rows(client.get("/download/figures.csv"))
    assert {d["id"] for d in data} == {"f1", "f2"}
    assert all(d["source_id"] and d["section"] for d in data)
    assert {d["id"] for d in rows(client.get("/download/figures.csv?nationality=IDN"))} == {"f2"}


def test_locations_download(client):
    data = rows(client.get("/download/locations.csv"))
    assert {d["id"] for d in data} == {"myawaddy", "bavet", "mae-sot"}
    assert {d["id"]: d["iso3"] for d in data}["bavet"] == "KHM"
    assert all(d["coord_source"] for d in data)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?year=twenty", "is not a year"),
        ("?year=1200", "out of range"),
        ("?year=2023-2021", "ends before"),
        ("?nationality=XX1", "not ISO3"),
    ],
)
def test_bad_filters_get_a_clear_400(client, query, message):
    r = client.get("/download/routes.csv" + query)
    assert r.status_code == 400
    assert message in r.get_data(as_text=True)


def test_unknown_download_is_404(client):
    assert client.get("/download/secrets.csv").status_code == 404


def test_export_route_refuses_bad_requests(client):
    assert client.get("/export/globe.png").status_code == 404
    assert client.get("/export/map.gif").status_code == 404
    r = client.get("/export/map.png?nationality=XX")
    assert r.status_code == 400 and "not ISO3" in r.get_data(as_text=True)
    r = client.get("/export/map.png?width_mm=5")
    assert r.status_code == 400 and "outside" in r.get_data(as_text=True)


def test_export_route_without_chromium_says_what_to_install(client, monkeypatch):
    from dashboard.export import render as export

    monkeypatch.setattr(export, "chromium_path", lambda: None)
    r = client.get("/export/map.png")
    assert r.status_code == 503
    assert "apt-get install chromium" in r.get_data(as_text=True)


def test_briefing_pages_are_served(client):
    assert client.get("/briefing/").status_code == 200
    assert client.get("/briefing/iom-2024/2").status_code == 200
    assert client.get("/briefing/_dash-layout").status_code == 200


def test_downloads_defuse_spreadsheet_formulas(tmp_path):
    from tests.conftest import ROUTES, write_data

    hostile = (
        ROUTES
        + '"r9",IDN,IDN,,myawaddy,2023,2023,"=HYPERLINK(""http://x"")",rescued,5,exact,,rep,"@SUM(A1)",\n'
    )
    app = create_app(dataset=load_dataset(write_data(tmp_path / "d", routes_csv=hostile)))
    data = rows(app.server.test_client().get("/download/routes.csv"))
    r9 = next(d for d in data if d["id"] == "r9")
    assert r9["period"].startswith("'=") and r9["section"].startswith("'@")
