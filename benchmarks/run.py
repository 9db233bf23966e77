"""The dashboard against a naive Dash build of the same map, measured side by side in one run.

    .venv/bin/python benchmarks/run.py            # or `make bench`; about 10 minutes
    .venv/bin/python benchmarks/run.py --quick    # fewer repetitions, a few minutes

Both apps run as their own processes on free local ports (8081-8089), each from the same
records: the bundled ones, then a data folder of 10,000 routes (`*_10k` keys). The naive app is
`benchmarks/naive_app.py`: one choropleth with the 1:50m polygons inline, one line trace per
route, a year and a nationality dropdown, one callback returning the whole figure.

What each figure means:

- `cold_start_s`: spawning `python <app> --port P` to the first 200 of `/` (median of runs).
- `first_load_bytes`: every byte a page load transfers in an empty cache, as served to
  Chromium (its Accept-Encoding), headers included (CDP `Network.loadingFinished`
  encodedDataLength), until the page has made no request for 1.5 s.
  `first_load_app_bytes`: the same less library code (`/_dash-component-suites/`, Dash's
  favicon); the page, layout, callback graph and answers, `/geo/` geometry, assets and plotly's
  base-map topojson count as the app's (the app chooses to fetch them).
- `first_paint_ms`: navigation start to the first country path (`path.choroplethlocation`) in
  the map's SVG (median of loads).
- `browser_change_ms`: in Chromium, from setting a filter's value (through Dash, as a selection
  does) to the map's last `plotly_afterplot` once no callback request has been in flight for
  0.3 s (median over eight changes of year and nationality, repeated).
- `callback_p50_ms`, `callback_p95_ms`: the callback requests one change caused in the page
  (recorded there), sent again on loopback one after another; the time for the whole set,
  percentiles over all changes and repetitions. One after another is the server's whole work
  for a change; the page sends some of them side by side.
- `bytes_per_filter_change_gzip`: the set's response bodies gzipped (level 6), summed, median
  over the changes (the naive app serves them uncompressed; `..._wire` is what was served).
- `png_export_warm_s`: the second of two PNG exports of the default map in a fresh process:
  the dashboard's own export (180 mm at 300 dpi, warm Chromium) against plotly's `to_image`
  (kaleido) of the naive figure at the same pixel size (plotly's `to_image` starts a Chromium
  for each call: that is the naive cost).

The eight changes (nationality and year in turn, back to every year and nationality) are chosen
from the bundled records and are the same on both folders. On the large folder each app has a
time budget from its cold start on: the requests recorded on the bundled records are replayed
first (with the large folder's year range; one whole pass of the eight changes whatever the
budget), then the page is driven while time remains; what did not fit is noted.
A `load_*` figure comes from `benchmarks.load.run_load(base_url, users, seconds)` when that
module is here.

Writes benchmarks/results.json (the product's figures at the top level, then `naive` with the
same keys, `ratios` naive/product, `details` and `notes`) and prints the table. Prints numbers;
asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import _harness as h  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results.json"
RECORDS = ROOT / "geodata" / "records"


@dataclass(frozen=True)
class Plan:
    cold_runs: int
    page_loads: int
    browser_reps: int
    replay_reps: int
    replay_budget_s: float
    timeout_s: float  # for one page load or one change in the page
    # the large run: one app's figures after its cold start within this (but always one whole
    # pass of the replay)
    app_budget_s: float | None = None


def plans(quick: bool) -> dict[str, Plan]:
    if quick:
        return {"": Plan(1, 2, 1, 5, 15, 60), "_10k": Plan(1, 1, 1, 3, 30, 120, 120)}
    return {"": Plan(3, 3, 2, 20, 20, 60), "_10k": Plan(1, 1, 1, 5, 60, 180, 120)}


@dataclass
class Facts:
    nationalities: list[str]  # by number of routes, most first
    years: list[int]  # the routes' years
    bounds: tuple[int, int]  # the dashboard's year range (routes and figures)


def data_facts(data_dir: Path | None) -> Facts:
    def rows(name: str) -> list[dict]:
        path = (data_dir / name) if data_dir and (data_dir / name).exists() else RECORDS / name
        with open(path, encoding="utf-8-sig", newline="") as f:
            return list(csv.DictReader(f))

    routes = rows("routes.csv")
    counts = Counter(r["nationality"] for r in routes if r["nationality"])
    route_years = sorted({int(r[k]) for r in routes for k in ("year_start", "year_end")})
    years = [int(r[k]) for r in routes + rows("figures.csv") for k in ("year_start", "year_end")]
    return Facts([n for n, _ in counts.most_common()], route_years, (min(years), max(years)))


def synthetic_dataset(n: int, out_dir: Path) -> tuple[Path, str]:
    try:
        from benchmarks.synthetic import make_routes_dataset

        where = "benchmarks.synthetic"
    except ImportError:
        from benchmarks._synthetic_fallback import make_routes_dataset

        where = "benchmarks._synthetic_fallback"
    return Path(make_routes_dataset(n, out_dir)), where


@dataclass
class Sink:
    """Where one app's figures, details and notes go."""

    out: dict
    details: dict
    notes: list[str]


def browser_figures(
    browser: h.Browser,
    server: h.Server,
    app: h.AppUnderTest,
    label: str,
    suffix: str,
    changes: list[h.Change],
    bounds: tuple[int, int],
    plan: Plan,
    sink: Sink,
    deadline: float | None,
) -> list[list[str]] | None:
    """Page loads (bytes, first paint), then the filter changes in the last page; returns the
    callback requests each change caused (None if not recorded)."""

    def timeout() -> float:
        if deadline is None:
            return plan.timeout_s
        return max(5.0, min(plan.timeout_s, deadline - time.monotonic()))

    loads, records = [], []
    for i in range(plan.page_loads):
        say(f"{label}: page load {i + 1}/{plan.page_loads}")
        context = None
        try:
            load, page, context = browser.load(server.base_url, app.map_id, timeout())
            loads.append(load)
            if i == plan.page_loads - 1:
                for rep in range(plan.browser_reps):
                    say(f"{label}: {len(changes)} filter changes in Chromium ({rep + 1})")
                    records.append(
                        browser.record_changes(page, app, changes, bounds, timeout, deadline)
                    )
        except Exception as exc:  # noqa: BLE001 - a figure we cannot take is noted
            sink.notes.append(f"{label}: browser measurement stopped: {first_line(exc)}")
            break
        finally:
            if context is not None:
                context.close()
    out = sink.out
    if loads:
        out["first_load_bytes" + suffix] = h.median(x.bytes_total for x in loads)
        out["first_load_app_bytes" + suffix] = h.median(x.bytes_app for x in loads)
        out["first_paint_ms" + suffix] = h.median(x.countries_ms for x in loads)
        sink.details[label + " first load by path"] = loads[-1].by_path
        foreign = sorted({u for x in loads for u in x.foreign})
        if foreign:
            sink.notes.append(f"{label}: requests to other hosts: {foreign}")
    if not records or not records[0]:
        return None
    ms = [r.ms for rep in records for r in rep]
    out["browser_change_ms" + suffix] = h.median(ms)
    missing = sum(m is None for m in ms)
    if missing or len(records[0]) < len(changes):
        sink.notes.append(
            f"{label}: {len(ms) - missing} of {len(changes) * len(records)} changes redrew the "
            "map in the time allowed"
        )
    sink.details[label + " browser changes"] = [
        {
            "change": r.change.label(),
            "requests": len(r.bodies),
            "ms": None if r.ms is None else round(r.ms, 1),
        }
        for r in records[0]
    ]
    if len(records[0]) == len(changes) and all(r.bodies for r in records[0]):
        return [r.bodies for r in records[0]]
    return None


def replay_figures(
    server: h.Server,
    label: str,
    suffix: str,
    changes: list[h.Change],
    recorded: list[list[str]],
    plan: Plan,
    sink: Sink,
    deadline: float | None,
) -> None:
    say(f"{label}: replaying {sum(map(len, recorded))} requests, up to ×{plan.replay_reps}")
    budget = plan.replay_budget_s
    if deadline is not None:
        budget = max(0.0, min(budget, deadline - time.monotonic()))
    rep = h.replay(
        server.base_url,
        recorded,
        plan.replay_reps,
        budget,
        deadline=None if deadline is None else time.monotonic() + budget,
    )
    bad = sorted({s for s in rep.statuses if s not in (200, 204)})
    if bad:
        sink.notes.append(f"{label}: replayed requests answered {bad}")
    if len(rep.change_ms) < len(recorded):
        sink.notes.append(
            f"{label}: {len(rep.change_ms)} of {len(recorded)} changes replayed in the time allowed"
        )
    out = sink.out
    out["callback_p50_ms" + suffix] = h.percentile(rep.change_ms, 50)
    out["callback_p95_ms" + suffix] = h.percentile(rep.change_ms, 95)
    out["requests_per_filter_change" + suffix] = h.median(rep.requests)
    out["bytes_per_filter_change_gzip" + suffix] = h.median(rep.gzip_bytes)
    out["bytes_per_filter_change_wire" + suffix] = h.median(rep.wire_bytes)
    sink.details[label + " replay"] = {
        "changes": [c.label() for c in changes][: len(rep.gzip_bytes)],
        "requests": rep.requests,
        "gzip_bytes": rep.gzip_bytes,
        "wire_bytes": rep.wire_bytes,
        "samples": len(rep.change_ms),
        "change_ms": [round(x, 1) for x in rep.change_ms],
    }


def measure_app(
    app: h.AppUnderTest,
    data_dir: Path | None,
    suffix: str,
    plan: Plan,
    browser: h.Browser | None,
    changes: list[h.Change],
    sink: Sink,
    recorded_here: dict[str, tuple[list[list[str]], tuple[int, int]]],
    log: Path,
    load_test: tuple[int, float] | None,
) -> None:
    """One app on one data folder. On the bundled records the page is driven first and the
    requests it sends are replayed; on the large folder (a time budget for the app) the
    bundled run's requests are replayed first (the same changes, with the folder's year range),
    then the page is driven while time remains."""
    label = f"{app.name}{suffix}"
    bounds = data_facts(data_dir).bounds
    say(f"{label}: cold start ×{plan.cold_runs}")
    cold = h.cold_starts(app, data_dir, plan.cold_runs - 1, log)
    server = h.Server(app, data_dir, log)
    try:
        cold.append(server.start(timeout=600))
        sink.out["cold_start_s" + suffix] = h.median(cold)
        server.warm()
        deadline = None if plan.app_budget_s is None else time.monotonic() + plan.app_budget_s
        if deadline is None:
            recorded = None
            if browser is not None:
                recorded = browser_figures(
                    browser, server, app, label, suffix, changes, bounds, plan, sink, None
                )
            if recorded is not None:
                recorded_here[app.name] = (recorded, bounds)
                replay_figures(server, label, suffix, changes, recorded, plan, sink, None)
            else:
                sink.notes.append(f"{label}: no callback requests recorded, no callback figures")
            if load_test is not None:
                run_load_test(server.base_url, label, load_test, sink)
            return
        if app.name in recorded_here:
            recorded, old = recorded_here[app.name]
            recorded = h.with_year_range(recorded, app, old, bounds)
            replay_figures(server, label, suffix, changes, recorded, plan, sink, deadline)
        else:
            sink.notes.append(f"{label}: no recorded callback requests to replay")
        if browser is not None and deadline - time.monotonic() > 20:
            browser_figures(
                browser, server, app, label, suffix, changes, bounds, plan, sink, deadline
            )
        elif browser is not None:
            sink.notes.append(f"{label}: no time left for the browser figures")
    finally:
        server.stop()


def run_load_test(base_url: str, label: str, load_test: tuple[int, float], sink: Sink) -> None:
    """`benchmarks.load.run_load(base_url, users, seconds)` when that module is here; its numeric
    answers become `load_*` figures."""
    try:
        from benchmarks.load import run_load
    except ImportError:
        if not any("load test" in n for n in sink.notes):
            sink.notes.append("load test skipped: benchmarks/load.py (run_load) is not here")
        return
    users, seconds = load_test
    say(f"{label}: load test, {users} users for {seconds:g} s")
    try:
        result = run_load(base_url, users, seconds)
    except Exception as exc:  # noqa: BLE001
        sink.notes.append(f"{label}: load test failed: {first_line(exc)}")
        return
    if isinstance(result, dict):
        for k, v in result.items():
            if isinstance(v, int | float) and not isinstance(v, bool):
                sink.out[f"load_{k}"] = v
    sink.details[label + " load test"] = result if _jsonable(result) else repr(result)


CASE_LAYOUTS = ("ctdc2024", "ctdc2020", "htcds")


def case_figures(
    rows: int,
    work: Path,
    recorded: list[list[str]] | None,
    plan: Plan,
    sink: Sink,
    log: Path,
) -> None:
    """A user's case file of `rows` synthetic rows (benchmarks/cases_synthetic.py; written first,
    not timed). `cases_load_s[_layout]`: reading and aggregating it (small counts protected) in
    this process, per layout (ctdc2024 unsuffixed). Then the dashboard started with
    `--cases FILE` (ctdc2024): `cold_start_s_cases`, and the bundled run's recorded changes
    replayed as views of the case records (`measure=case_records` added to each change's URL):
    `callback_p50_ms_cases`, `callback_p95_ms_cases`, `bytes_per_filter_change_gzip_cases`.
    The dashboard has no naive counterpart for case files."""
    from dataclasses import replace

    from benchmarks.cases_synthetic import write_synthetic
    from geodata.cases import read_cases
    from geodata.cases.flows import aggregate_cases

    folder = work / "cases"
    folder.mkdir(exist_ok=True)
    files = {}
    for layout in CASE_LAYOUTS:
        say(f"cases: writing {rows:,} synthetic {layout} rows")
        files[layout] = write_synthetic(folder / f"{layout}.csv", rows, layout)
    for layout, path in files.items():
        start = time.perf_counter()
        cases, report = read_cases(path)
        flows = aggregate_cases(cases)
        seconds = time.perf_counter() - start
        key = "cases_load_s" + ("" if layout == "ctdc2024" else f"_{layout}")
        sink.out[key] = seconds
        tally = report.tallies[path.name]
        sink.details[f"cases {layout}"] = {
            "rows": rows,
            "megabytes": round(path.stat().st_size / 1e6, 1),
            "accepted": tally.accepted,
            "rejected": tally.rejected,
            "flows": len(flows.routes),
            "withheld": int(flows.routes["suppressed"].sum()),
        }
        say(f"cases: {layout} read and aggregated in {seconds:.2f} s")
        del cases, flows
    if recorded is None:
        sink.notes.append("cases: no recorded callback requests to replay")
        return
    app = replace(h.PRODUCT, extra=("--cases", str(files["ctdc2024"])))
    server = h.Server(app, None, log)
    try:
        sink.out["cold_start_s_cases"] = server.start(timeout=600)
        server.warm()
        views = h.with_query_param(recorded, "explorer-map-query", "measure", "case_records")
        say(f"cases: replaying {len(views)} changes as views of the case records")
        rep = h.replay(server.base_url, views, plan.replay_reps, plan.replay_budget_s)
        bad = sorted({s for s in rep.statuses if s not in (200, 204)})
        if bad:
            sink.notes.append(f"cases: replayed requests answered {bad}")
        sink.out["callback_p50_ms_cases"] = h.percentile(rep.change_ms, 50)
        sink.out["callback_p95_ms_cases"] = h.percentile(rep.change_ms, 95)
        sink.out["bytes_per_filter_change_gzip_cases"] = h.median(rep.gzip_bytes)
        sink.details["cases replay"] = {
            "samples": len(rep.change_ms),
            "change_ms": [round(x, 1) for x in rep.change_ms],
            "gzip_bytes": rep.gzip_bytes,
        }
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def export_figures(data_dir: Path | None, product: dict, naive: dict, details, notes) -> None:
    def probe(*argv: str) -> dict | None:
        cmd = [sys.executable, str(ROOT / "benchmarks" / "_export_probe.py"), *argv]
        if data_dir:
            cmd += ["--data", str(data_dir)]
        env = {"PYTHONPATH": str(ROOT), "BROWSER_PATH": h.CHROMIUM}
        try:
            done = subprocess.run(
                cmd,
                cwd=ROOT,
                env={**os.environ, **env},
                capture_output=True,
                text=True,
                timeout=600,
            )
        except subprocess.TimeoutExpired:
            notes.append(f"export {argv[0]}: no answer in 600 s")
            return None
        if done.returncode != 0:
            tail = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
            notes.append(f"export {argv[0]} failed: {tail}")
            return None
        return json.loads(done.stdout.strip().splitlines()[-1])

    say("product: two PNG exports")
    p = probe("product")
    size = {"width": 680, "height": 706, "scale": 300 / 96}
    if p:
        product["png_export_warm_s"] = p["second_s"]
        details["product png export"] = p
        size = {k: p[k] for k in size}
    say("naive: two PNG exports")
    n = probe("naive", *[f"--{k}={v}" for k, v in size.items()])
    if n:
        naive["png_export_warm_s"] = n["second_s"]
        details["naive png export"] = n


def say(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"


def _jsonable(value) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument(
        "--routes", type=int, default=10_000, help="routes of the large run (keys stay *_10k)"
    )
    parser.add_argument("--no-large", action="store_true", help="skip the large run")
    parser.add_argument("--no-export", action="store_true", help="skip the PNG exports")
    parser.add_argument(
        "--case-rows", type=int, default=1_000_000, help="rows of the synthetic case files"
    )
    parser.add_argument("--no-cases", action="store_true", help="skip the case-file run")
    parser.add_argument("--load-users", type=int, default=10)
    parser.add_argument("--load-seconds", type=float, default=None)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    load_seconds = args.load_seconds or (5.0 if args.quick else 15.0)

    product: dict = {}
    naive: dict = {}
    details: dict = {}
    notes: list[str] = []
    recorded_here: dict = {}
    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "quick": args.quick,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "commit": git_commit(),
    }
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    log = work / "servers.log"
    runs: list[tuple[str, Path | None]] = [("", None)]
    if not args.no_large:
        say(f"writing a data folder of {args.routes:,} routes")
        big, where = synthetic_dataset(args.routes, work / f"routes-{args.routes}")
        meta["large_dataset"] = {"routes": args.routes, "made_by": where}
        runs.append(("_10k", big))
    browser = None
    try:
        browser = h.Browser()
    except Exception as exc:  # noqa: BLE001
        notes.append(f"no browser figures: Chromium would not start ({first_line(exc)})")
    # the same eight changes on both folders, chosen from the bundled records
    facts = data_facts(None)
    changes = h.filter_changes(facts.nationalities, facts.years)
    try:
        for suffix, data_dir in runs:
            plan = plans(args.quick)[suffix]
            for app, out in ((h.PRODUCT, product), (h.NAIVE, naive)):
                try:
                    measure_app(
                        app,
                        data_dir,
                        suffix,
                        plan,
                        browser,
                        changes,
                        Sink(out, details, notes),
                        recorded_here,
                        log,
                        # the simulated users follow the dashboard's own page
                        (args.load_users, load_seconds)
                        if suffix == "" and app is h.PRODUCT
                        else None,
                    )
                except Exception as exc:  # noqa: BLE001
                    notes.append(f"{app.name}{suffix}: stopped: {first_line(exc)}")
    finally:
        if browser is not None:
            browser.close()
        shutil.rmtree(work / f"routes-{args.routes}", ignore_errors=True)
    if not args.no_cases:
        try:
            recorded = recorded_here.get(h.PRODUCT.name, (None, None))[0]
            case_figures(
                args.case_rows,
                work,
                recorded,
                plans(args.quick)[""],
                Sink(product, details, notes),
                log,
            )
        except Exception as exc:  # noqa: BLE001
            notes.append(f"cases: stopped: {first_line(exc)}")
    if not args.no_export:
        export_figures(None, product, naive, details, notes)
    meta["seconds"] = round(time.perf_counter() - started, 1)
    meta["server_log"] = str(log)
    results = {
        **product,
        "naive": naive,
        "ratios": h.ratios(product, naive),
        "meta": meta,
        "notes": notes,
        "details": details,
    }
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(h.format_table(results))
    for note in notes:
        print(f"note: {note}")
    print(f"written to {args.out} in {meta['seconds']:.0f} s")
    return 0


def git_commit() -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
    except OSError:
        return None
    return done.stdout.strip() or None


if __name__ == "__main__":
    raise SystemExit(main())
