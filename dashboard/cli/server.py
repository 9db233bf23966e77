"""`python -m dashboard serve`: gunicorn, run from Python, with the app built once.

The data is read and validated in the master process before any worker exists (as gunicorn's
preload_app does), and each worker is a fork of it: every worker, including one started
after another died, answers from the very same dataset. A worker never reads the data files
again; if they changed on disk since the start, the new worker logs which, and keeps serving
what its siblings serve (restart the server to read the new files).
"""

from __future__ import annotations

import os

from flask import Flask
from gunicorn.app.base import BaseApplication

from dashboard.settings import Settings
from dashboard.startup import LOG, Loaded, changed_files


class DashboardServer(BaseApplication):
    """gunicorn serving one Flask app built in this (the master) process."""

    def __init__(self, server: Flask, options: dict) -> None:
        self.server = server
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:  # an option an older gunicorn lacks is left out
                self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.server


def bind_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def gunicorn_options(settings: Settings, loaded: Loaded, data_version: str) -> dict:
    def post_worker_init(worker) -> None:
        changed = changed_files(loaded, settings)
        if changed:
            LOG.warning(
                "worker %s: data files changed since the server started (%s); serving the "
                "data read at the start, as every worker does: restart the server to read them",
                os.getpid(),
                ", ".join(changed),
            )
        LOG.info("worker %s serves data version %s", os.getpid(), data_version)

    return {
        "bind": [bind_address(settings.host, settings.port)],
        "workers": settings.workers,
        "threads": settings.threads,
        "worker_class": "gthread",
        "preload_app": True,
        "timeout": 120,  # an export renders in Chromium; a first one can take seconds
        "graceful_timeout": 10,
        "keepalive": 5,
        "errorlog": "-",
        "accesslog": None,
        "loglevel": "info",
        "proc_name": "scam-routes-dashboard",
        "control_socket_disable": True,  # one shared default socket path for every instance
        "post_worker_init": post_worker_init,
    }


def run_gunicorn(server: Flask, settings: Settings, loaded: Loaded) -> int:
    options = gunicorn_options(settings, loaded, server.config.get("DATA_VERSION", "?"))
    LOG.info(
        "serving on http://%s with %d worker(s) x %d thread(s)",
        options["bind"][0],
        settings.workers,
        settings.threads,
    )
    DashboardServer(server, options).run()  # returns only through SystemExit
    return 0
