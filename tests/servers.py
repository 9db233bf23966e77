"""Real server processes for the serving tests: `python -m dashboard serve` (gunicorn) and
Redis, on free ports of the loopback interface, stopped by their own process ids."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_S = 90


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path
    stopped: bool = field(default=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def workers(self) -> set[int]:
        """The process ids of the master's children (its gunicorn workers)."""
        return children(self.process.pid)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.stopped = True
        return self.process.returncode


def children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # the command name is in parentheses and may hold spaces: read after the last ')'
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.add(int(entry.name))
    return found


def env_for(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DASHBOARD_")}
    env.pop("REDIS_URL", None)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra or {})
    return env


def run_serve(*args: str, env: dict[str, str] | None = None, timeout: float = 120):
    """`python -m dashboard serve ...` run to its end (for the starts it refuses)."""
    return subprocess.run(
        [sys.executable, "-m", "dashboard", "serve", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env_for(env),
        timeout=timeout,
    )


def get(url: str, timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def post_json(url: str, body: dict, timeout: float = 60) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def start_serve(
    tmp: Path, *args: str, workers: int = 2, env: dict[str, str] | None = None
) -> Server:
    """Start `python -m dashboard serve` and wait until every worker has booted."""
    port = free_port()
    log = tmp / f"serve-{port}.log"
    out = log.open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dashboard",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--threads",
            "2",
            *args,
        ],
        cwd=ROOT,
        env=env_for(env),
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    out.close()
    server = Server(process, port, log)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited with {process.returncode}:\n{server.text()}")
        if server.text().count("serves data version") >= workers:
            try:
                if get(server.url + "/download/locations.csv", timeout=5)[0] == 200:
                    return server
            except OSError:
                pass
        time.sleep(0.2)
    server.stop()
    raise AssertionError(f"serve did not answer within {START_TIMEOUT_S} s:\n{server.text()}")


def wait_for(condition, timeout: float = 60, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def callback_payload(dependencies: list[dict], output: str, values: dict[str, object]) -> dict:
    """A callback request as Dash's renderer sends it, for the callback writing `output`
    (as in /_dash-dependencies), with the given input values ('id.property' -> value)."""
    dep = next(d for d in dependencies if output in d["output"])
    inputs = []
    for i in dep["inputs"]:
        item = {"id": i["id"], "property": i["property"]}
        key = f"{i['id']}.{i['property']}"
        if key in values:
            item["value"] = values[key]
        inputs.append(item)
    parts = [p for p in dep["output"].strip(".").split("...") if p]
    outs = [dict(zip(("id", "property"), p.rsplit(".", 1))) for p in parts]
    body = {
        "output": dep["output"],
        "outputs": outs if dep["output"].startswith("..") else outs[0],
        "inputs": inputs,
        "changedPropIds": [next(iter(values))],
    }
    if dep.get("state"):
        body["state"] = [{"id": s["id"], "property": s["property"]} for s in dep["state"]]
    return body
