"""Load test: N people changing the explorer's filters at once, for T seconds.

Each simulated user does what the browser does. It loads the page (/, /_dash-layout,
/_dash-dependencies), then, again and again, changes one filter (a nationality, the years, a
measure, a destination, the tab...) chosen from the options the page offers. The page's own
script writes the new URL in the browser (the same rules are applied here in Python), then asks
the server for what that URL shows: the map tab's callback (map, legend, headlines, side panel)
and, when another tab is open, that tab's, together, as a browser does. Request bodies are
built from the app's own /_dash-dependencies and /_dash-layout, in the shape Dash's renderer
sends (recorded from Chromium). Between two changes a user pauses (--think, 0.5x to 1.5x at
random). The simulated users run in this process, on the same machine as the server unless
--url points elsewhere.

Reports requests per second, p50 / p95 / p99 of every request and of a whole filter change
(from the change to the last answer), errors (any status other than 200 or 204, or
no answer), the share of cache hits, and the data versions seen (one, when every worker serves
the same data).

Run against a running server:
    .venv/bin/python benchmarks/load.py --url http://127.0.0.1:8050 --users 50 --seconds 60
or let it start `python -m dashboard serve --workers 4` on a free port and stop it after:
    .venv/bin/python benchmarks/load.py --workers 4 --json load.json

From Python: `run_load(base_url, users, seconds)` returns the same numbers as a dict.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
URL_SEARCH = "explorer-url.search"
VIEWPORT = {"w": 978, "h": 570}  # the map's size at 1440x900
BROWSER_CONNECTIONS = 6  # a browser's connections to one host
TIMEOUT_S = 60.0
# how often a user changes each control (others not listed: weight 1)
WEIGHTS = {
    "explorer-nationality": 4,
    "explorer-year": 3,
    "explorer-measure": 2,
    "explorer-destination": 2,
    "explorer-origin": 1,
    "explorer-view": 1,
    "explorer-layers": 1,
    "explorer-form": 1,
}


class Client:
    """One keep-alive HTTP connection, as a browser holds, reopened when the server closes it."""

    def __init__(self, base_url: str) -> None:
        parts = urllib.parse.urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.prefix = parts.path.rstrip("/")
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None):
        headers = {"Accept-Encoding": "gzip", "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT_S)
            try:
                self.conn.request(method, self.prefix + path, body=body, headers=headers)
                r = self.conn.getresponse()
                data = r.read()
                if r.getheader("Content-Encoding") == "gzip":
                    data = gzip.decompress(data)
                if r.getheader("Connection", "").lower() == "close":
                    self.close()
                return r.status, r, data
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # a kept-alive connection the server had closed: a browser opens another
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def walk(node, found: dict[str, dict]) -> None:
    """Props of every component with a string id in a Dash layout."""
    if isinstance(node, list):
        for n in node:
            walk(n, found)
    elif isinstance(node, dict):
        props = node.get("props")
        if isinstance(props, dict):
            if isinstance(props.get("id"), str):
                found[props["id"]] = props
            for v in props.values():
                walk(v, found)


def outputs_of(output: str):
    parts = [p for p in output.strip(".").split("...") if p]
    outs = [dict(zip(("id", "property"), p.rsplit(".", 1))) for p in parts]
    return outs if output.startswith("..") else outs[0]


class Page:
    """What the page knows after loading: the callbacks, the controls and their options."""

    def __init__(self, deps: list[dict], layout: dict) -> None:
        self.components: dict[str, dict] = {}
        walk(layout, self.components)
        writers = [
            d
            for d in deps
            if URL_SEARCH
            in [f"{o['id']}.{o['property']}" for o in listify(outputs_of(d["output"]))]
        ]
        if not writers:
            raise ValueError(
                "no callback writes the URL: the simulated users follow the dashboard's explorer"
            )
        self.writer = writers[0]
        # the server callbacks a new URL asks for: each tab's, keyed by its query store (the
        # page's own router sends the map's always and the open tab's when it is shown)
        self.readers = {
            i["id"].removeprefix("explorer-").removesuffix("-query"): d
            for d in deps
            if d is not self.writer and not d.get("clientside_function")
            for i in d["inputs"]
            if i["property"] == "data" and str(i["id"]).endswith("-query")
        }
        self.controls = [
            i["id"]
            for i in self.writer["inputs"]
            if i["property"] == "value" and i["id"] in self.components
        ]
        year = self.components.get("explorer-year", {})
        self.years = (int(year.get("min", 0)), int(year.get("max", 0)))

    def search_after(self, control: str, values: dict) -> str:
        """The URL the page's own script writes after a change (the same rules, in Python)."""
        from dashboard.explorer.callbacks import CONTROLS, state_from_controls
        from dashboard.state import parse_query, to_query

        current, _ = parse_query(values.get(URL_SEARCH))
        state = state_from_controls(
            [values.get(f"{c}.value") for c in CONTROLS], self.years, None, control, current
        )
        return to_query(state)

    def start_values(self) -> dict[str, object]:
        values: dict[str, object] = {URL_SEARCH: ""}
        for d in [self.writer, *self.readers.values()]:
            for i in d["inputs"]:
                key = f"{i['id']}.{i['property']}"
                props = self.components.get(i["id"], {})
                if key not in values and i["property"] in props:
                    values[key] = props[i["property"]]
        values.setdefault("explorer-viewport.data", VIEWPORT)
        if values.get("explorer-viewport.data") is None:
            values["explorer-viewport.data"] = VIEWPORT
        return values

    def change(self, rng: random.Random, values: dict) -> str | None:
        """Change one control as a person would; the control's id, or None if none could."""
        choices = [c for c in self.controls if self.choices(c)]
        if not choices:
            return None
        control = rng.choices(choices, [WEIGHTS.get(c, 1) for c in choices])[0]
        values[f"{control}.value"] = self.pick(rng, control, values.get(f"{control}.value"))
        return control

    def choices(self, control: str) -> list | None:
        props = self.components[control]
        if props.get("options"):
            opts = props["options"]
            return [o["value"] if isinstance(o, dict) else o for o in opts if not _disabled(o)]
        if "min" in props and "max" in props:
            return list(range(int(props["min"]), int(props["max"]) + 1))
        tabs = [  # dcc.Tabs: each dcc.Tab child's value
            c["props"]["value"]
            for c in listify(props.get("children") or [])
            if isinstance(c, dict) and "value" in c.get("props", {})
        ]
        return tabs or None

    def pick(self, rng: random.Random, control: str, current):
        props = self.components[control]
        options = self.choices(control) or []
        if control == "explorer-view":
            return rng.choice(["map"] * 4 + options)  # mostly the map
        if "min" in props and "max" in props and not props.get("options"):
            lo = rng.choice(options)
            return [lo, rng.choice([o for o in options if o >= lo])]
        if isinstance(current, list) or props.get("multi"):
            if control == "explorer-layers":
                return sorted(rng.sample(options, rng.randint(1, min(4, len(options)))))
            return rng.sample(options, rng.choice([0, 1, 1, 1, 2]))
        if props.get("clearable") and rng.random() < 0.3:
            return None
        return rng.choice(options)


def listify(x):
    return x if isinstance(x, list) else [x]


def _disabled(option) -> bool:
    return isinstance(option, dict) and bool(option.get("disabled"))


def payload(dep: dict, values: dict, changed: list[str]) -> bytes:
    inputs = []
    for i in dep["inputs"]:
        item = {"id": i["id"], "property": i["property"]}
        key = f"{i['id']}.{i['property']}"
        if values.get(key) is not None or key in values and i["property"] == "value":
            item["value"] = values.get(key)
        inputs.append(item)
    body = {
        "output": dep["output"],
        "outputs": outputs_of(dep["output"]),
        "inputs": inputs,
        "changedPropIds": changed,
        "parsedChangedPropsIds": changed,
    }
    if dep.get("state"):
        body["state"] = [
            {
                "id": s["id"],
                "property": s["property"],
                "value": values.get(f"{s['id']}.{s['property']}"),
            }
            for s in dep["state"]
        ]
    return json.dumps(body).encode()


class Tally:
    """Every request's outcome, shared by the users (guarded by a lock)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.by_kind: dict[str, list[float]] = {}
        self.changes: list[float] = []
        self.errors: dict[str, int] = {}
        self.hits = self.cacheable = 0
        self.versions: set[str] = set()

    def record(self, kind: str, ms: float, status: int | None, response, error: str = "") -> None:
        with self.lock:
            self.latencies.append(ms)
            self.by_kind.setdefault(kind, []).append(ms)
            if status not in (200, 204):
                why = error or f"HTTP {status}"
                self.errors[f"{kind}: {why}"] = self.errors.get(f"{kind}: {why}", 0) + 1
            if response is not None:
                cache = response.getheader("X-Cache")
                if cache:
                    self.cacheable += 1
                    self.hits += cache == "hit"
                version = response.getheader("X-Data-Version")
                if version:
                    self.versions.add(version)


def timed(client: Client, tally: Tally, kind: str, method: str, path: str, body=None):
    t = time.perf_counter()
    try:
        status, response, data = client.request(method, path, body)
    except (OSError, http.client.HTTPException) as exc:
        client.close()
        tally.record(kind, (time.perf_counter() - t) * 1000, None, None, type(exc).__name__)
        return None, b""
    tally.record(kind, (time.perf_counter() - t) * 1000, status, response)
    return status, data


def user(base_url: str, stop_at: float, think: float, seed: int, tally: Tally) -> None:
    rng = random.Random(seed)
    client = Client(base_url)
    local = threading.local()

    def connection() -> Client:
        if not hasattr(local, "client"):
            local.client = Client(base_url)
        return local.client

    timed(client, tally, "GET /", "GET", "/")
    status, layout = timed(client, tally, "GET /_dash-layout", "GET", "/_dash-layout")
    status2, deps = timed(client, tally, "GET /_dash-dependencies", "GET", "/_dash-dependencies")
    if status != 200 or status2 != 200:
        return
    try:
        page = Page(json.loads(deps), json.loads(layout))
    except ValueError as exc:
        with tally.lock:
            tally.errors[f"page: {exc}"] = tally.errors.get(f"page: {exc}", 0) + 1
        return
    values = page.start_values()
    with ThreadPoolExecutor(BROWSER_CONNECTIONS) as pool:
        while time.monotonic() < stop_at:
            control = page.change(rng, values)
            if control is None:
                return
            t = time.perf_counter()
            search = page.search_after(control, values)
            if search != values.get(URL_SEARCH):
                values[URL_SEARCH] = search
                view = urllib.parse.parse_qs(search.lstrip("?")).get("view", ["map"])[0]
                bodies = []
                for tab in dict.fromkeys(["map", view]):
                    dep = page.readers.get(tab)
                    if dep is None:
                        continue
                    store = f"explorer-{tab}-query.data"
                    values[store] = search
                    bodies.append((dep["output"], payload(dep, values, [store])))
                results = list(
                    pool.map(
                        lambda job: timed(
                            connection(),
                            tally,
                            "POST " + job[0].strip("."),
                            "POST",
                            "/_dash-update-component",
                            job[1],
                        ),
                        bodies,
                    )
                )
                with tally.lock:
                    if all(status == 200 for status, _ in results):
                        tally.changes.append((time.perf_counter() - t) * 1000)
            if think > 0:
                time.sleep(min(think * rng.uniform(0.5, 1.5), max(0.0, stop_at - time.monotonic())))


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def run_load(
    base_url: str, users: int = 50, seconds: float = 60.0, *, think: float = 1.0, seed: int = 0
) -> dict:
    """Run `users` simulated users against `base_url` for `seconds`; return the numbers."""
    tally = Tally()
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.monotonic()
    stop_at = start + seconds
    threads = [
        threading.Thread(target=user, args=(base_url, stop_at, think, seed + n, tally), daemon=True)
        for n in range(users)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 2 * TIMEOUT_S)
    elapsed = time.monotonic() - start
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    client_cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (
        cpu_after.ru_stime - cpu_before.ru_stime
    )
    lat = tally.latencies
    errors = sum(tally.errors.values())
    return {
        "base_url": base_url,
        "users": users,
        "seconds": round(elapsed, 1),
        "think_s": think,
        "requests": len(lat),
        "requests_per_s": round(len(lat) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(percentile(lat, 50), 1),
        "p95_ms": round(percentile(lat, 95), 1),
        "p99_ms": round(percentile(lat, 99), 1),
        "errors": errors,
        "error_kinds": dict(sorted(tally.errors.items(), key=lambda kv: -kv[1])[:10]),
        "filter_changes": len(tally.changes),
        "change_p50_ms": round(percentile(tally.changes, 50), 1),
        "change_p95_ms": round(percentile(tally.changes, 95), 1),
        "cache_hit_share": round(tally.hits / tally.cacheable, 3) if tally.cacheable else None,
        "data_versions": sorted(tally.versions),
        # the simulated users' own CPU time: on the server's machine, taken from the server
        "client_cpu_s": round(client_cpu, 1),
        "by_request": {
            kind: {
                "count": len(v),
                "p50_ms": round(percentile(v, 50), 1),
                "p95_ms": round(percentile(v, 95), 1),
            }
            for kind, v in sorted(tally.by_kind.items())
        },
    }


def table(result: dict) -> str:
    lines = [
        f"{result['users']} users for {result['seconds']} s against {result['base_url']} "
        f"(think {result['think_s']} s)",
        "",
        f"{'requests':>10} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}",
        f"{result['requests']:>10} {result['requests_per_s']:>8} {result['p50_ms']:>8} "
        f"{result['p95_ms']:>8} {result['p99_ms']:>8} {result['errors']:>7}",
        "",
        f"filter changes: {result['filter_changes']}, whole change p50 {result['change_p50_ms']} ms"
        f", p95 {result['change_p95_ms']} ms",
        f"cache hits: {result['cache_hit_share']}; data versions seen: "
        f"{', '.join(result['data_versions']) or 'none'}",
        f"CPU time of the simulated users themselves: {result['client_cpu_s']} s "
        f"(on {os.cpu_count()} CPUs)",
        "",
        f"{'request':60} {'count':>7} {'p50 ms':>8} {'p95 ms':>8}",
    ]
    for kind, row in result["by_request"].items():
        lines.append(f"{kind[:60]:60} {row['count']:>7} {row['p50_ms']:>8} {row['p95_ms']:>8}")
    for kind, n in result["error_kinds"].items():
        lines.append(f"error: {kind} x{n}")
    return "\n".join(lines)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(workers: int, threads: int, extra: list[str]) -> tuple[subprocess.Popen, str]:
    """`python -m dashboard serve --workers N` on a free port, once it answers."""
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    command = [sys.executable, "-m", "dashboard", "serve", "--port", str(port)]
    command += ["--workers", str(workers), "--threads", str(threads), *extra]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=sys.stderr, stderr=sys.stderr)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"serve exited with status {process.returncode}")
        try:
            status, _, _ = Client(url).request("GET", "/_dash-dependencies")
            if status == 200:
                time.sleep(1.0)  # let every worker finish booting
                return process, url
        except OSError:
            time.sleep(0.3)
    process.send_signal(signal.SIGTERM)
    raise SystemExit("serve did not answer within 120 s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running server (default: start one, see --workers)")
    parser.add_argument("--workers", type=int, default=4, help="workers of the server started")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker started")
    parser.add_argument(
        "--serve-args", default="", help="more flags for the server started ('--data DIR')"
    )
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument(
        "--think", type=float, default=1.0, help="seconds a user pauses between changes (0: none)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", metavar="PATH", help="also write the numbers as JSON")
    args = parser.parse_args(argv)
    process = None
    url = args.url
    if not url:
        process, url = start_server(args.workers, args.threads, args.serve_args.split())
    try:
        result = run_load(url, args.users, args.seconds, think=args.think, seed=args.seed)
    finally:
        if process is not None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
    if process is not None:
        result["server"] = {"workers": args.workers, "threads": args.threads}
    print(table(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
