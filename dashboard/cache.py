"""Answers computed once are kept and given again: the explorer's callback answers (the map
figure and every panel) and the downloads. Exported figures are not: each is rendered by the
process's Chromium when asked for.

Every such answer is a function of its request alone — the callback's inputs, or the path and
query — and of the data and code the server runs, so the key is a hash of the normalised
request (JSON with sorted keys; query arguments sorted), the data's fingerprint (a hash of
every frame of the loaded dataset) and the code's. A worker reading other data, or running
other code, never sees another's answers. The briefing's callbacks read their files on each
request and are not cached here.

Each process keeps its own cache (flask-caching's SimpleCache) unless REDIS_URL names a Redis
server, which every worker and every server process with that URL then shares. Answers carry
`X-Cache: hit` or `miss`, and every response `X-Data-Version` (the data's fingerprint), so a
client can see which data a worker served. A Redis server that stops answering is logged and
worked around (answers computed, not kept); one that cannot be reached at start refuses the
start.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
import warnings
from dataclasses import fields
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pandas as pd
from flask import Flask, Response, request
from flask_caching import Cache

from dashboard.serving import BODY_LIMIT
from dashboard.startup import LOG, StartupRefused
from geodata.dataset import Dataset

ROOT = Path(__file__).resolve().parent.parent
CACHED_CALLBACKS = ("/_dash-update-component",)
CACHED_PREFIXES = ("/download/",)
CACHED_STATUS = (200, 204)  # 204: a callback whose outputs all stay as they are
KEPT_HEADERS = ("Content-Type", "Content-Disposition")
MAX_ENTRY_BYTES = 4_000_000
TIMEOUT_S = 24 * 3600
LOCAL_ENTRIES = 300  # answers one process keeps without Redis (a map answer is ~100-300 kB)
KEY_PREFIX = "scam-routes:"
ERROR_LOG_EVERY_S = 60.0


def data_version(dataset: Dataset) -> str:
    """A hash of what the dataset holds (frames, geometry, profiles, the errors the page
    lists), not of where it was read from: two servers with equal data agree, whatever their
    folders."""
    h = hashlib.sha256()
    for f in fields(dataset):
        value = getattr(dataset, f.name)
        h.update(f.name.encode())
        if isinstance(value, pd.DataFrame):
            if "geometry" in value.columns and hasattr(value, "geometry"):
                h.update(b"".join(value.geometry.to_wkb()))
                value = pd.DataFrame(value.drop(columns="geometry"))
            h.update(value.to_json(default_handler=str).encode())
        elif isinstance(value, dict):
            h.update(json.dumps(value, sort_keys=True, default=str).encode())
        elif f.name == "report":  # the page lists its errors
            h.update("\n".join(str(p) for p in value.errors).encode())
    return h.hexdigest()[:16]


def code_version() -> str:
    """A hash of the application's own code and the versions of the libraries that draw."""
    h = hashlib.sha256()
    for package in ("dashboard", "geodata", "layouts"):
        for path in sorted((ROOT / package).rglob("*.py")):
            h.update(str(path.relative_to(ROOT)).encode())
            h.update(path.read_bytes())
    for dist in ("dash", "plotly", "pandas", "geopandas", "shapely"):
        try:
            h.update(f"{dist}={version(dist)}".encode())
        except PackageNotFoundError:
            pass
    return h.hexdigest()[:16]


def _redacted(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        host = parts.hostname or ""
        netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts)


def check_redis(url: str) -> None:
    """Refuse to start on a Redis server that cannot be reached (a mistyped REDIS_URL would
    otherwise leave every worker computing alone)."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
        try:
            client.ping()
        finally:
            client.close()
    except (redis.RedisError, ValueError, OSError) as exc:
        raise StartupRefused(f"REDIS_URL {_redacted(url)}: cannot use it ({exc})") from None


def request_key(version: str) -> str | None:
    """The cache key of this request, or None when its answer is not kept."""
    path = request.path
    if BODY_LIMIT in request.environ:  # an upload (dashboard.serving.BodyLimits): never kept
        return None
    if request.method == "POST" and path in CACHED_CALLBACKS:
        try:
            body = json.loads(request.get_data(cache=True))
        except (ValueError, UnicodeDecodeError):
            return None
        what = json.dumps(body, sort_keys=True, separators=(",", ":"))
    elif request.method == "GET" and path.startswith(CACHED_PREFIXES):
        args = sorted(request.args.items(multi=True))
        what = json.dumps([path, args], separators=(",", ":"))
    else:
        return None
    return hashlib.sha256(f"{version}\n{what}".encode()).hexdigest()


def answers_kept() -> bool:
    """False when DASHBOARD_ANSWER_CACHE=0: no computed answer is kept, in this cache or in the
    explorer's own (what `make bench` measures: the cost of a view not seen before)."""
    return os.environ.get("DASHBOARD_ANSWER_CACHE", "1") != "0"


def install_cache(server: Flask, dataset: Dataset, redis_url: str | None = None) -> Cache:
    """Keep computed answers (in this process, or in Redis when a URL is given)."""
    data = data_version(dataset)
    version = f"{data}:{code_version()}"
    if redis_url:
        check_redis(redis_url)
        config = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": redis_url}
    else:
        config = {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": LOCAL_ENTRIES}
    if not answers_kept():
        config = {"CACHE_TYPE": "NullCache"}  # every answer computed afresh (benchmarks)
    config |= {"CACHE_DEFAULT_TIMEOUT": TIMEOUT_S, "CACHE_KEY_PREFIX": KEY_PREFIX}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # NullCache warns that it keeps nothing
        cache = Cache(server, config=config)
    server.config["DATA_VERSION"] = data
    last_error = {"at": 0.0}  # when a cache error was last logged (per app, not per module)
    # SimpleCache prunes by iterating its dict, which a concurrent insert would break
    writing = threading.Lock()

    def failed(action: str, exc: Exception) -> None:
        now = time.monotonic()
        if now - last_error["at"] >= ERROR_LOG_EVERY_S:
            last_error["at"] = now
            LOG.warning("cache: cannot %s (%s); answering without it", action, exc)

    @server.before_request
    def answer_from_cache():
        key = request_key(version)
        if key is None:
            return None
        request.environ["dashboard.cache_key"] = key
        try:
            kept = cache.get(key)
        except Exception as exc:  # a cache that fails must never fail the request
            failed("read the cache", exc)
            return None
        if not kept:
            return None
        status, headers, body = kept
        response = Response(body, status=status, headers=headers)
        response.headers["X-Cache"] = "hit"
        return response

    @server.after_request
    def keep_answer(response: Response) -> Response:
        response.headers["X-Data-Version"] = data
        key = request.environ.get("dashboard.cache_key")
        if key is None or response.headers.get("X-Cache") == "hit":
            return response
        response.headers["X-Cache"] = "miss"
        if (
            response.status_code not in CACHED_STATUS
            or response.is_streamed
            or "Set-Cookie" in response.headers
        ):
            return response
        body = response.get_data()
        if len(body) > MAX_ENTRY_BYTES:
            return response
        headers = [(k, v) for k, v in response.headers.items() if k in KEPT_HEADERS]
        try:
            with writing:
                cache.set(key, (response.status_code, headers, body))
        except Exception as exc:
            failed("keep an answer", exc)
        return response

    return cache
