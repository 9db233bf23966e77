"""With REDIS_URL, every worker and every server process shares one cache of answers: what one
computed is a hit for another. Runs Debian's redis-server on a free port in a temporary folder
(make test installs it when run as root)."""

from __future__ import annotations

import json
import shutil
import subprocess
import time

import pytest

from dashboard.app import create_app
from dashboard.settings import Settings
from geodata.dataset import load_dataset
from tests.conftest import ROUTES, write_data
from tests.servers import callback_payload, free_port, get, post_json, start_serve

redis = pytest.importorskip("redis")
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


@pytest.fixture
def redis_url(tmp_path):
    if not shutil.which(REDIS_SERVER):
        pytest.skip(
            "no redis-server on this machine: `make test` installs Debian's redis-server "
            "when run as root (apt-get install redis-server)"
        )
    port = free_port()
    folder = tmp_path / "redis"
    folder.mkdir()
    process = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder)]
        + ["--save", "", "--appendonly", "no", "--daemonize", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    yield url
    client.close()
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=20)


def map_body(url: str, search: str) -> dict:
    _, _, deps = get(url + "/_dash-dependencies")
    values = {"explorer-map-query.data": search, "explorer-viewport.data": {"w": 978, "h": 570}}
    return callback_payload(json.loads(deps), "explorer-map.figure", values)


def test_an_answer_one_server_computed_is_a_hit_for_another(tmp_path, small_dir, redis_url):
    env = {"REDIS_URL": redis_url}
    one = start_serve(tmp_path, "--data", str(small_dir), workers=2, env=env)
    two = start_serve(tmp_path, "--data", str(small_dir), workers=2, env=env)
    try:
        body = map_body(one.url, "?nationality=IDN")
        status, headers, first = post_json(one.url + "/_dash-update-component", body)
        assert status == 200 and headers["X-Cache"] == "miss"
        status, headers, second = post_json(two.url + "/_dash-update-component", body)
        assert status == 200 and headers["X-Cache"] == "hit"
        assert second == first
        # any worker of either server: a hit
        for server in (one, two) * 4:
            _, headers, again = post_json(server.url + "/_dash-update-component", body)
            assert headers["X-Cache"] == "hit" and again == first
        # a download too
        _, h1, csv1 = get(two.url + "/download/routes.csv?year=2023")
        _, h2, csv2 = get(one.url + "/download/routes.csv?year=2023")
        assert (h1["X-Cache"], h2["X-Cache"]) == ("miss", "hit") and csv1 == csv2
        keys = redis.Redis.from_url(redis_url).keys("scam-routes:*")
        assert len(keys) == 3  # the map answer, the routes download, the start's locations.csv
    finally:
        one.stop()
        two.stop()


def test_servers_with_other_data_do_not_share_answers(tmp_path, redis_url):
    settings = Settings(redis_url=redis_url)
    same = [create_app(settings, load_dataset(write_data(tmp_path / n))) for n in ("a", "b")]
    changed = ROUTES.replace(",20,", ",21,")
    other = create_app(settings, load_dataset(write_data(tmp_path / "c", routes_csv=changed)))
    answers = []
    for app in (*same, other):
        r = app.server.test_client().get("/download/routes.csv")
        answers.append((r.headers["X-Cache"], r.get_data()))
    assert [a[0] for a in answers] == ["miss", "hit", "miss"]
    assert answers[0][1] == answers[1][1] != answers[2][1]
    assert b"21" in answers[2][1]


def test_a_redis_that_stops_answering_costs_speed_not_answers(tmp_path, small_dir, redis_url):
    app = create_app(Settings(redis_url=redis_url), load_dataset(small_dir))
    client = app.server.test_client()
    assert client.get("/download/routes.csv").headers["X-Cache"] == "miss"
    redis.Redis.from_url(redis_url).shutdown(nosave=True)
    for _ in range(2):
        r = client.get("/download/routes.csv")
        assert r.status_code == 200 and r.headers["X-Cache"] == "miss"
        assert b"r1" in r.get_data()
