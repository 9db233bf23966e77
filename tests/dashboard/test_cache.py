"""Computed answers are kept per process (SimpleCache) and keyed by the normalised request and
the data: a repeated request is a hit with the same bytes; other inputs, or other data, miss."""

from __future__ import annotations

import json

import pytest

from dashboard.app import create_app
from dashboard.cache import data_version
from geodata.dataset import load_dataset
from tests.conftest import ROUTES, write_data
from tests.servers import callback_payload

MAP = "explorer-map.figure"
SEARCH = "explorer-map-query.data"  # the map answers the query the page routes to it
VIEWPORT = "explorer-viewport.data"


@pytest.fixture
def client(small_dir):
    return create_app(dataset=load_dataset(small_dir)).server.test_client()


def map_request(client, search: str, viewport=None) -> dict:
    deps = client.get("/_dash-dependencies").get_json()
    return callback_payload(deps, MAP, {SEARCH: search, VIEWPORT: viewport or {"w": 978, "h": 570}})


def post(client, body: dict | str):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post("/_dash-update-component", data=data, content_type="application/json")


def test_a_repeated_map_update_is_a_hit_with_the_same_bytes(client):
    body = map_request(client, "?nationality=IDN")
    first, second = post(client, body), post(client, body)
    assert first.status_code == second.status_code == 200
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("miss", "hit")
    assert first.get_data() == second.get_data()
    assert "explorer-map" in second.get_json()["response"]


def test_other_inputs_miss(client):
    assert post(client, map_request(client, "?nationality=IDN")).headers["X-Cache"] == "miss"
    assert post(client, map_request(client, "?nationality=VNM")).headers["X-Cache"] == "miss"
    wide = map_request(client, "?nationality=IDN", {"w": 1400, "h": 700})
    assert post(client, wide).headers["X-Cache"] == "miss"


def test_the_key_is_the_normalised_request(client):
    body = map_request(client, "?nationality=IDN")
    assert post(client, body).headers["X-Cache"] == "miss"
    # the same request written with its keys in another order and other spacing
    reordered = json.dumps(dict(reversed(list(body.items()))), indent=2)
    assert post(client, reordered).headers["X-Cache"] == "hit"
    first = client.get("/download/routes.csv?year=2023&nationality=IDN")
    again = client.get("/download/routes.csv?nationality=IDN&year=2023")
    assert (first.headers["X-Cache"], again.headers["X-Cache"]) == ("miss", "hit")
    assert first.get_data() == again.get_data()


def test_refused_requests_are_not_kept(client):
    for _ in range(2):
        r = client.get("/download/routes.csv?year=banana")
        assert r.status_code == 400
        assert r.headers["X-Cache"] == "miss"
    assert client.get("/").headers.get("X-Cache") is None  # pages are not cached here


def test_briefing_callbacks_are_not_kept(client):
    """The briefing reads its files on each request: its answers may change without the data."""
    deps = client.get("/briefing/_dash-dependencies").get_json()
    dep = deps[0]
    body = callback_payload(
        deps, dep["output"], {f"{i['id']}.{i['property']}": None for i in dep["inputs"]}
    )
    r = client.post(
        "/briefing/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )
    assert r.headers.get("X-Cache") is None


def test_the_data_version_follows_the_data_not_the_folder(tmp_path):
    a = load_dataset(write_data(tmp_path / "a"))
    b = load_dataset(write_data(tmp_path / "b"))
    c = load_dataset(write_data(tmp_path / "c", routes_csv=ROUTES.replace(",20,", ",21,")))
    assert data_version(a) == data_version(b)
    assert data_version(a) != data_version(c)


def test_every_answer_names_its_data_version(tmp_path):
    a = create_app(dataset=load_dataset(write_data(tmp_path / "a"))).server.test_client()
    changed = ROUTES.replace(",20,", ",21,")
    c = create_app(dataset=load_dataset(write_data(tmp_path / "c", routes_csv=changed)))
    va = a.get("/").headers["X-Data-Version"]
    vc = c.server.test_client().get("/").headers["X-Data-Version"]
    assert va and vc and va != vc


def test_answers_can_be_computed_afresh_every_time(small_dir, monkeypatch):
    """DASHBOARD_ANSWER_CACHE=0 (what the benchmarks measure): nothing kept anywhere."""
    from dashboard.explorer import callbacks

    monkeypatch.setenv("DASHBOARD_ANSWER_CACHE", "0")
    client = create_app(dataset=load_dataset(small_dir)).server.test_client()
    body = map_request(client, "?nationality=VNM")
    built = []
    real = callbacks.map_figure
    monkeypatch.setattr(callbacks, "map_figure", lambda *a: built.append(a) or real(*a))
    headers = [post(client, body).headers["X-Cache"] for _ in range(2)]
    assert headers == ["miss", "miss"]
    assert len(built) == 2
