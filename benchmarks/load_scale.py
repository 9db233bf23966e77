"""Loading at scale: seconds and peak memory to validate a data folder and to load it, at 10k,
100k and 1M routes, the app's start (process start to the first answered `/`) and what its
first page weighs (the bytes of `/_dash-layout`, which must not grow with the routes).

Every measure runs in a fresh process, so its peak memory (getrusage's ru_maxrss, or the
server's VmHWM) is its own. Data folders are written once by `synthetic.make_routes_dataset`
into DIR/routes-N (default /tmp/load-scale) and reused.

Run: .venv/bin/python benchmarks/load_scale.py [--sizes 10000,100000,1000000] [--dir DIR]
                                               [--start-sizes 10000,1000000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import _harness  # noqa: E402

PORTS = range(8071, 8080)

# run in a child: what it measures is printed as one JSON line
CHILD = r"""
import contextlib, io, json, resource, sys, time
from pathlib import Path
what, folder = sys.argv[1], Path(sys.argv[2])
start = time.perf_counter()
if what == "validate":
    from dashboard.cli.main import validate
    with contextlib.redirect_stdout(io.StringIO()) as out:
        status = validate([str(folder)], "iso3")
    extra = {"status": status, "report_chars": len(out.getvalue())}
else:
    from geodata.dataset import load_dataset
    dataset = load_dataset(folder)
    extra = {"routes": len(dataset.routes), "errors": len(dataset.report.errors)}
seconds = time.perf_counter() - start
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, **extra}))
"""


def data_folder(base: Path, n: int) -> Path:
    folder = base / f"routes-{n}"
    if not (folder / "routes.csv").exists():
        sys.path.insert(0, str(ROOT))
        from benchmarks.synthetic import make_routes_dataset

        t0 = time.perf_counter()
        make_routes_dataset(n, folder)
        print(f"  (wrote {folder} in {time.perf_counter() - t0:.1f} s)", flush=True)
    return folder


def child(what: str, folder: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", CHILD, what, str(folder)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def free_port() -> int:
    return _harness.free_port(PORTS)


def _get(url: str, timeout: float) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.read() if r.status == 200 else None
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


def _peak_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def app_start(folder: Path, timeout: float = 900.0) -> dict:
    """Seconds from spawning `app.py --data folder` to the first answered `/` and to the
    first layout served after it (`/_dash-layout`), its bytes, and the server's peak memory
    after serving both."""
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    t0 = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py"), "--port", str(port), "--data", str(folder)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        while _get(base + "/", 5) is None:
            if process.poll() is not None:
                raise RuntimeError("the app exited before answering /")
            if time.perf_counter() - t0 > timeout:
                raise RuntimeError(f"the app did not answer / in {timeout:.0f} s")
            time.sleep(0.02)
        seconds = time.perf_counter() - t0
        layout = _get(base + "/_dash-layout", 600) or b""
        return {
            "seconds": seconds,
            "layout_seconds": time.perf_counter() - t0,
            "layout_bytes": len(layout),
            "peak_mb": _peak_mb(process.pid),
        }
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--start-sizes", default="10000,1000000")
    parser.add_argument("--runs", type=int, default=3, help="cold starts at the smallest size")
    parser.add_argument("--dir", default="/tmp/load-scale")
    args = parser.parse_args(argv)
    base = Path(args.dir)
    base.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    start_sizes = [int(s) for s in args.start_sizes.split(",") if s]
    results: dict[str, dict] = {}
    for n in sorted(set(sizes) | set(start_sizes)):
        folder = data_folder(base, n)
        row: dict[str, object] = {}
        if n in sizes:
            row["validate"] = child("validate", folder)
            row["load_dataset"] = child("load", folder)
            v, ld = row["validate"], row["load_dataset"]
            print(
                f"{n:>9,} routes: validate {v['seconds']:6.2f} s, peak {v['peak_mb']:6.0f} MB "
                f"(exit {v['status']}); load_dataset {ld['seconds']:6.2f} s, "
                f"peak {ld['peak_mb']:6.0f} MB ({ld['routes']:,} routes, {ld['errors']} errors)",
                flush=True,
            )
        if n in start_sizes:
            runs = args.runs if n == min(start_sizes) else 1
            starts = [app_start(folder) for _ in range(runs)]
            row["app_start"] = starts
            secs = sorted(s["seconds"] for s in starts)
            layout_secs = sorted(s["layout_seconds"] for s in starts)
            last = starts[-1]
            print(
                f"{n:>9,} routes: app start to first / {secs[len(secs) // 2]:6.2f} s, to the "
                f"first layout {layout_secs[len(secs) // 2]:6.2f} s (median of {runs}; "
                f"{', '.join(f'{s:.2f}' for s in layout_secs)}), server peak "
                f"{last['peak_mb']:.0f} MB, first page /_dash-layout "
                f"{last['layout_bytes']:,} bytes",
                flush=True,
            )
        results[str(n)] = row
    out = base / "results.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"written {out}")


if __name__ == "__main__":
    main()
