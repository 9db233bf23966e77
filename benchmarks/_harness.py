"""The parts `benchmarks/run.py` is made of: servers started as subprocesses, a real Chromium
driving the page, the replay of recorded callback requests, and the results table.

Nothing here asserts: every function returns numbers, or None with a note saying why a figure
could not be measured.
"""

from __future__ import annotations

import gzip
import http.client
import json
import math
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlparse

ROOT = Path(__file__).resolve().parents[1]
PORTS = range(8081, 8090)
CHROMIUM = os.environ.get("DASHBOARD_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1440, "height": 900}
CALLBACK_PATH = "/_dash-update-component"
# library code: Dash's and its components' bundles (plotly.js among them) and Dash's icon.
# Everything else a page load fetches is the app's own: the page, its layout and callback
# graph, callback answers, /geo/ geometry, assets, and plotly's base-map topojson (the app
# chooses to draw a base map and serves it from its assets).
LIBRARY_PREFIXES = ("/_dash-component-suites/", "/_favicon.ico")
QUIET_S = 0.3  # no callback request in flight for this long: the change is over


# ----------------------------------------------------------------------------- apps


@dataclass(frozen=True)
class AppUnderTest:
    """How to start an app and drive its two filters (years, nationality)."""

    name: str
    script: str  # relative to the repository root; takes --port and --data
    map_id: str
    year_id: str
    nationality_id: str
    year_value: Callable[[int | None, tuple[int, int]], object]
    nationality_value: Callable[[str | None], object]
    extra: tuple[str, ...] = ()  # more arguments (the dashboard's --cases FILE)

    def command(self, port: int, data_dir: Path | None) -> list[str]:
        argv = [sys.executable, str(ROOT / self.script), "--port", str(port), *self.extra]
        return argv + (["--data", str(data_dir)] if data_dir else [])


PRODUCT = AppUnderTest(
    name="product",
    script="app.py",
    map_id="explorer-map",
    year_id="explorer-year",
    nationality_id="explorer-nationality",
    # a range slider: one year is [y, y]; every year is the dashboard's full range
    year_value=lambda year, bounds: [year, year] if year else list(bounds),
    nationality_value=lambda code: [code] if code else [],
)
NAIVE = AppUnderTest(
    name="naive",
    script="benchmarks/naive_app.py",
    map_id="map",
    year_id="year",
    nationality_id="nationality",
    year_value=lambda year, bounds: year if year else "all",
    nationality_value=lambda code: code or "all",
)


@dataclass(frozen=True)
class Change:
    """One filter change: which control, and the year or nationality it is set to."""

    control: str  # "year" or "nationality"
    value: int | str | None  # None: every year / every nationality

    def label(self) -> str:
        return f"{self.control}={self.value or 'all'}"


def filter_changes(nationalities: list[str], years: list[int]) -> list[Change]:
    """Eight changes, one control at a time, ending where they started (every year, every
    nationality), so the sequence can be repeated."""
    a, b, c = (nationalities + nationalities + nationalities)[:3] if nationalities else [None] * 3
    y1 = years[-1] if years else None
    y2 = years[-2] if len(years) > 1 else y1
    return [
        Change("nationality", a),
        Change("year", y1),
        Change("nationality", b),
        Change("year", None),
        Change("nationality", c),
        Change("year", y2),
        Change("nationality", None),
        Change("year", None),
    ]


# ----------------------------------------------------------------------------- servers


def free_port(ports: Iterable[int] = PORTS) -> int:
    for port in ports:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {ports}")


class Server:
    """An app in its own process on a free port; `start()` returns the seconds from spawning the
    process to the first successful response of `/`."""

    def __init__(self, app: AppUnderTest, data_dir: Path | None, log: Path) -> None:
        self.app = app
        self.data_dir = data_dir
        self.log = log
        self.port = 0
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120.0) -> float:
        self.port = free_port()
        # answers computed afresh: a replayed change must cost what a new view costs
        env = dict(
            os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1", DASHBOARD_ANSWER_CACHE="0"
        )
        log = open(self.log, "ab")  # noqa: SIM115 - closed with the process
        t0 = time.perf_counter()
        self.process = subprocess.Popen(
            self.app.command(self.port, self.data_dir),
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.app.name} exited early; see {self.log}")
            try:
                with urllib.request.urlopen(self.base_url + "/", timeout=5) as r:
                    if r.status == 200:
                        return time.perf_counter() - t0
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            if time.perf_counter() - t0 > timeout:
                self.stop()
                raise RuntimeError(f"{self.app.name} did not answer / in {timeout:.0f} s")
            time.sleep(0.02)

    def warm(self) -> None:
        for path in ("/", "/_dash-layout", "/_dash-dependencies"):
            with urllib.request.urlopen(self.base_url + path, timeout=300) as r:
                r.read()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def cold_starts(app: AppUnderTest, data_dir: Path | None, runs: int, log: Path) -> list[float]:
    out = []
    for _ in range(runs):
        with Server(app, data_dir, log) as server:
            out.append(server.start())
    return out


# ----------------------------------------------------------------------------- browser

COUNTRIES_DRAWN = """
(sel) => {
  function check() {
    if (document.querySelector(sel + ' path.choroplethlocation')) {
      window.__countriesAt = performance.now();
      return;
    }
    requestAnimationFrame(check);
  }
  requestAnimationFrame(check);
}
"""
WATCH_PLOTS = """
(sel) => {
  const gd = document.querySelector(sel + ' .js-plotly-plot');
  window.__plots = [];
  gd.on('plotly_afterplot', () => window.__plots.push(performance.now()));
}
"""
SET_VALUE = """
([id, value]) => {
  const t = performance.now();
  window.dash_clientside.set_props(id, {value: value});
  return t;
}
"""


@dataclass
class PageLoad:
    bytes_total: int = 0
    bytes_app: int = 0
    by_path: dict[str, int] = field(default_factory=dict)
    countries_ms: float | None = None
    foreign: list[str] = field(default_factory=list)


@dataclass
class ChangeRecord:
    change: Change
    bodies: list[str]
    ms: float | None  # input to the map's last redraw; None: no redraw within the time allowed


class Browser:
    """Debian's Chromium via Playwright (never a downloaded one)."""

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self.browser = self._pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)

    def close(self) -> None:
        self.browser.close()
        self._pw.stop()

    def _context(self, base_url: str, foreign: list[str]):
        """A fresh context (empty cache) that notes any request to another host. Requests are
        watched, not intercepted: interception would add a round trip to every request, more
        for an app that sends more of them."""
        context = self.browser.new_context(viewport=VIEWPORT)
        host = urlparse(base_url).hostname

        def watch(request) -> None:
            url = urlparse(request.url)
            if url.scheme in ("http", "https", "ws", "wss") and url.hostname != host:
                foreign.append(request.url)

        context.on("request", watch)
        return context

    def load(self, base_url: str, map_id: str, timeout_s: float):
        """A page load in an empty cache: bytes as served (with the encodings Chromium asks for,
        headers included) and the time from navigation to the countries' paths in the map.
        Returns (PageLoad, page, context); the caller closes the context."""
        out = PageLoad()
        context = self._context(base_url, out.foreign)
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        urls: dict[str, str] = {}
        sizes: dict[str, float] = {}
        cdp.on(
            "Network.requestWillBeSent",
            lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]),
        )
        cdp.on(
            "Network.loadingFinished",
            lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]),
        )
        page.add_init_script(f"({COUNTRIES_DRAWN})({json.dumps('#' + map_id)})")
        page.goto(base_url + "/", timeout=timeout_s * 1000)
        page.wait_for_function("window.__countriesAt !== undefined", timeout=timeout_s * 1000)
        out.countries_ms = page.evaluate("window.__countriesAt")
        wait_quiet(page, base_url, timeout_s, settle=1.5)
        for rid, n in sizes.items():
            url = urls.get(rid, "")
            if url.startswith("data:"):
                continue
            path = urlparse(url).path
            out.bytes_total += int(n)
            key = _path_group(path)
            out.by_path[key] = out.by_path.get(key, 0) + int(n)
            if not path.startswith(LIBRARY_PREFIXES):
                out.bytes_app += int(n)
        return out, page, context

    def record_changes(
        self,
        page,
        app: AppUnderTest,
        changes: list[Change],
        bounds: tuple[int, int],
        timeout_s: float | Callable[[], float],
        deadline: float | None = None,
    ) -> list[ChangeRecord]:
        """Make each change in the page, as a user's selection would (the control's value set
        through Dash), and record the callback requests it causes and the time to the map's last
        redraw. `timeout_s` is for one change (or a function giving it); past `deadline` (a
        `time.monotonic()` value) no further change is made."""
        sent: list = []
        inflight = [0]
        last = [time.monotonic()]

        def on_request(r) -> None:
            if CALLBACK_PATH in r.url:
                sent.append(r)
                inflight[0] += 1
                last[0] = time.monotonic()

        def on_done(r) -> None:
            if CALLBACK_PATH in r.url:
                inflight[0] -= 1
                last[0] = time.monotonic()

        page.on("request", on_request)
        page.on("requestfinished", on_done)
        page.on("requestfailed", on_done)
        page.evaluate(WATCH_PLOTS, "#" + app.map_id)
        out = []
        try:
            for change in changes:
                if deadline is not None and time.monotonic() > deadline:
                    break
                sent.clear()
                page.evaluate("window.__plots = []")
                if change.control == "year":
                    target = (app.year_id, app.year_value(change.value, bounds))
                else:
                    target = (app.nationality_id, app.nationality_value(change.value))
                t0 = page.evaluate(SET_VALUE, list(target))
                allowed = timeout_s() if callable(timeout_s) else timeout_s
                give_up = time.monotonic() + allowed
                while True:
                    page.wait_for_timeout(20)
                    plots = [t for t in page.evaluate("window.__plots") if t >= t0]
                    quiet = inflight[0] <= 0 and time.monotonic() - last[0] >= QUIET_S
                    if (quiet and plots) or time.monotonic() > give_up:
                        break
                    if quiet and sent and time.monotonic() - last[0] >= 3.0:
                        break  # requests done and no redraw: the map did not change
                ms = (max(plots) - t0) if plots else None
                out.append(ChangeRecord(change, [r.post_data or "" for r in sent], ms))
        finally:
            page.remove_listener("request", on_request)
            page.remove_listener("requestfinished", on_done)
            page.remove_listener("requestfailed", on_done)
        return out


def _path_group(path: str) -> str:
    for prefix in ("/_dash-component-suites/", "/assets/", "/geo/"):
        if path.startswith(prefix):
            return prefix
    return path


def wait_quiet(page, base_url: str, timeout_s: float, settle: float) -> None:
    """Until the page has made no request for `settle` seconds."""
    last = [time.monotonic()]
    inflight = [0]

    def start(_r) -> None:
        inflight[0] += 1
        last[0] = time.monotonic()

    def done(_r) -> None:
        inflight[0] -= 1
        last[0] = time.monotonic()

    page.on("request", start)
    page.on("requestfinished", done)
    page.on("requestfailed", done)
    deadline = time.monotonic() + timeout_s
    try:
        page.wait_for_load_state("networkidle", timeout=timeout_s * 1000)
        while time.monotonic() < deadline:
            page.wait_for_timeout(50)
            if inflight[0] <= 0 and time.monotonic() - last[0] >= settle:
                return
    finally:
        page.remove_listener("request", start)
        page.remove_listener("requestfinished", done)
        page.remove_listener("requestfailed", done)


# ----------------------------------------------------------------------------- replay


@dataclass
class Replay:
    change_ms: list[float]
    gzip_bytes: list[int]  # per change, the responses' bodies gzipped
    wire_bytes: list[int]  # per change, the bodies as served when gzip is accepted
    requests: list[int]  # per change, how many requests
    statuses: list[int]


def replay(
    base_url: str,
    recorded: list[list[str]],
    reps: int,
    budget_s: float,
    min_reps: int = 1,
    deadline: float | None = None,
) -> Replay:
    """Send each change's recorded request bodies again, one after another on one keep-alive
    connection, `reps` times over the whole set (fewer if `budget_s` runs out after `min_reps`
    passes); time each change's set of requests as a whole. Past `deadline` (a
    `time.monotonic()` value) it stops after the change in hand, once `min_reps` passes are
    done (a partial pass would leave out the slowest changes)."""
    url = urlparse(base_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=600)
    headers = {"Content-Type": "application/json", "Accept-Encoding": "gzip"}
    out = Replay([], [], [], [], [])
    started = time.perf_counter()
    for rep in range(reps):
        for bodies in recorded:
            answers = []
            t = time.perf_counter()
            for body in bodies:
                conn.request("POST", CALLBACK_PATH, body.encode(), headers)
                resp = conn.getresponse()
                answers.append((resp.status, resp.getheader("Content-Encoding"), resp.read()))
            out.change_ms.append((time.perf_counter() - t) * 1000)
            if rep == 0:
                wire = gz = 0
                for status, encoding, data in answers:
                    out.statuses.append(status)
                    wire += len(data)
                    plain = gzip.decompress(data) if encoding == "gzip" else data
                    gz += len(gzip.compress(plain, 6)) if plain else 0
                out.wire_bytes.append(wire)
                out.gzip_bytes.append(gz)
                out.requests.append(len(bodies))
            if rep >= min_reps and deadline is not None and time.monotonic() > deadline:
                conn.close()
                return out
        if rep + 1 >= min_reps and time.perf_counter() - started > budget_s:
            break
    conn.close()
    return out


def with_year_range(
    recorded: list[list[str]], app: AppUnderTest, old: tuple[int, int], new: tuple[int, int]
) -> list[list[str]]:
    """Recorded callback requests made for another data folder: the year control's 'every
    year' value (the app's full range, for the dashboard) becomes the new folder's."""
    before, after = app.year_value(None, old), app.year_value(None, new)

    def fix(items: list) -> None:
        for item in items:
            if isinstance(item, list):
                fix(item)
            elif (
                isinstance(item, dict)
                and item.get("id") == app.year_id
                and item.get("value") == before
            ):
                item["value"] = after

    return _rewritten(recorded, fix)


def _rewritten(recorded: list[list[str]], fix: Callable[[list], None]) -> list[list[str]]:
    """The recorded request bodies with `fix` applied to their inputs and states."""
    out = []
    for bodies in recorded:
        fixed = []
        for body in bodies:
            data = json.loads(body)
            fix(data.get("inputs", []))
            fix(data.get("state", []))
            fixed.append(json.dumps(data, separators=(",", ":")))
        out.append(fixed)
    return out


def with_query_param(
    recorded: list[list[str]], store_id: str, key: str, value: str
) -> list[list[str]]:
    """Recorded callback requests whose URL store (`store_id`'s `data`, a query string such as
    '?nationality=IDN') also asks for `key=value`: the same changes, of another view."""

    def fix(items: list) -> None:
        for item in items:
            if isinstance(item, list):
                fix(item)
            elif isinstance(item, dict) and item.get("id") == store_id:
                query = parse_qsl(str(item.get("value") or "").lstrip("?"))
                query = [(k, v) for k, v in query if k != key] + [(key, value)]
                item["value"] = "?" + urlencode(query, safe=",")

    return _rewritten(recorded, fix)


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: Iterable[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return statistics.median(kept) if kept else None


# ----------------------------------------------------------------------------- table


@dataclass(frozen=True)
class Target:
    key: str
    text: str  # as printed
    met: Callable[[float, float | None], bool]  # (product, naive) -> met?


TARGETS = {
    "first_load_bytes": Target("first_load_bytes", "<= 2 MB", lambda p, n: p <= 2_000_000),
    "first_load_app_bytes": Target("first_load_app_bytes", "<= 200 kB", lambda p, n: p <= 200_000),
    "first_paint_ms": Target("first_paint_ms", "< naive", lambda p, n: n is not None and p < n),
    "browser_change_ms": Target("browser_change_ms", "<= 200 ms", lambda p, n: p <= 200),
    "callback_p95_ms": Target("callback_p95_ms", "<= 50 ms", lambda p, n: p <= 50),
    "callback_p95_ms_10k": Target("callback_p95_ms_10k", "<= 300 ms", lambda p, n: p <= 300),
    "bytes_per_filter_change_gzip_10k": Target(
        "bytes_per_filter_change_gzip_10k", "<= 50 kB", lambda p, n: p <= 50_000
    ),
    "cold_start_s_10k": Target("cold_start_s_10k", "<= 3 s", lambda p, n: p <= 3),
    "png_export_warm_s": Target("png_export_warm_s", "<= 1.5 s", lambda p, n: p <= 1.5),
    "cases_load_s": Target("cases_load_s", "<= 10 s", lambda p, n: p <= 10),
    "callback_p95_ms_cases": Target("callback_p95_ms_cases", "<= 300 ms", lambda p, n: p <= 300),
}


def format_value(key: str, value: object) -> str:
    """A figure as printed: bytes in kB or MB, ms and s with sensible digits, '—' if missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if not isinstance(value, int | float) or isinstance(value, bool):
        return str(value)
    if "bytes" in key:
        return f"{value / 1e6:.2f} MB" if value >= 1e6 else f"{value / 1e3:.1f} kB"
    if "_ms" in key:
        return f"{value:.0f} ms" if value >= 10 else f"{value:.1f} ms"
    if key.endswith("_per_s"):
        return f"{value:.1f}/s"
    if key.endswith("_share"):
        return f"{value:.0%}"
    if re.search(r"_s(_|$)", key):
        return f"{value:.2f} s"
    return f"{value:g}"


METRICS = (
    "cold_start_s",
    "first_load_bytes",
    "first_load_app_bytes",
    "first_paint_ms",
    "browser_change_ms",
    "callback_p50_ms",
    "callback_p95_ms",
    "requests_per_filter_change",
    "bytes_per_filter_change_gzip",
    "bytes_per_filter_change_wire",
    "png_export_warm_s",
)
ORDER = (
    METRICS
    + tuple(k + "_10k" for k in METRICS if k != "png_export_warm_s")
    + (
        "cases_load_s",
        "cases_load_s_ctdc2020",
        "cases_load_s_htcds",
        "cold_start_s_cases",
        "callback_p50_ms_cases",
        "callback_p95_ms_cases",
        "bytes_per_filter_change_gzip_cases",
    )
)
NOT_METRICS = ("naive", "ratios", "meta", "notes", "details")


def table_rows(results: dict) -> list[tuple[str, str, str, str, str, str]]:
    """(metric, product, naive, naive/product, target, met?): every metric with a target, and
    every other metric either app has, in a fixed order; missing figures print as '—'."""
    product = {k: v for k, v in results.items() if k not in NOT_METRICS}
    naive = results.get("naive") or {}
    present = set(product) | set(naive) | set(TARGETS)
    keys = [k for k in ORDER if k in present]
    keys += sorted(k for k in present if k not in ORDER)
    rows = []
    for key in keys:
        if isinstance(product.get(key), dict | list) or isinstance(naive.get(key), dict | list):
            continue
        p, n = product.get(key), naive.get(key)
        ratio = results.get("ratios", {}).get(key)
        target = TARGETS.get(key)
        if target is None:
            met = ""
        elif not isinstance(p, int | float):
            met = "?"
        else:
            met = "yes" if target.met(p, n if isinstance(n, int | float) else None) else "no"
        rows.append(
            (
                key,
                format_value(key, p),
                format_value(key, n),
                "—" if ratio is None else f"{ratio:.1f}×",
                target.text if target else "",
                met,
            )
        )
    return rows


def format_table(results: dict) -> str:
    header = ("metric", "product", "naive", "naive/product", "target", "met?")
    rows = [header, *table_rows(results)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = []
    for i, row in enumerate(rows):
        cells = [c.ljust(w) if j == 0 else c.rjust(w) for j, (c, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def ratios(product: dict, naive: dict) -> dict[str, float | None]:
    out = {}
    for key, p in product.items():
        n = naive.get(key)
        if isinstance(p, int | float) and isinstance(n, int | float) and p:
            out[key] = n / p
        elif not isinstance(p, dict | list):
            out[key] = None
    return out
