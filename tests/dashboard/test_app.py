"""The Flask side of the app: the page and the downloads, through server.test_client()."""

from __future__ import annotations

import csv
import io
import re

import pytest

from dashboard.app import create_app
from geodata.dataset import load_dataset


@pytest.fixture
def client(small_dir):
    app = create_app(dataset=load_dataset(small_dir))
    return app.server.test_client()


def rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))


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


def test_downloads_open_in_excel_and_are_not_cached_stale(client):
    r = client.get("/download/locations.csv")
    assert r.get_data()[:3] == b"\xef\xbb\xbf"  # UTF-8 byte-order mark: Excel reads "Piñas"
    assert r.get_data().decode("utf-8-sig").startswith("id,name")
    assert r.headers["Cache-Control"] == "no-cache"


def test_every_answer_keeps_the_page_to_its_own_host(client):
    r = client.get("/")
    policy = r.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "connect-src 'self'" in policy
    assert "frame-ancestors 'self'" in policy
    assert "http" not in policy  # no other host is allowed anything
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"
    assert "Server" not in r.headers


def test_answers_are_compressed_when_the_browser_asks(client):
    r = client.get("/_dash-layout", headers={"Accept-Encoding": "gzip"})
    assert r.headers.get("Content-Encoding") == "gzip"
    plain = client.get("/_dash-layout")
    assert len(r.get_data()) < len(plain.get_data()) / 3


def test_fingerprinted_files_are_cached_for_a_year(client):
    page = client.get("/").get_data(as_text=True)
    asset = next(p for p in page.split('"') if p.startswith("/assets/style.css?m="))
    assert "immutable" in client.get(asset).headers["Cache-Control"]
    layout = client.get("/_dash-layout").get_data(as_text=True)
    geo = "/geo/" + re.search(r"countries-[0-9a-f]+\.json", layout).group(0)
    assert "immutable" in client.get(geo).headers["Cache-Control"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"inputs": []}', "names no output"),
        (b'{"output": "explorer-map.figure", "inputs": "x"}', "inputs is not a list"),
    ],
)
def test_malformed_callback_requests_get_a_clear_400(client, body, reason):
    r = client.post(
        "/_dash-update-component", data=body, headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 400 and reason in r.get_data(as_text=True)


def test_an_oversized_request_is_refused_unread(client):
    r = client.post(
        "/_dash-update-component",
        data=b"{" + b" " * 3_000_000 + b"}",
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 413
    assert len(r.get_data()) < 1000  # never echoed back
