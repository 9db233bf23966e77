"""Real-browser fixtures: the app on a free local port, and Debian's Chromium via Playwright.

Every page records the requests it makes and its console errors, so a test can fail on any
request to another host (the dashboard must work with no internet) or on any script error.
"""

from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture(scope="session")
def live_server():
    from werkzeug.serving import make_server

    from dashboard.app import create_app

    app = create_app()
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


class PageWatch:
    def __init__(self, page, base_url: str):
        self.page = page
        self.base = urlparse(base_url)
        self.foreign: list[str] = []
        self.console_errors: list[str] = []
        page.on("request", self._request)
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.console_errors.append(str(exc)))

    def _request(self, request) -> None:
        url = urlparse(request.url)
        if url.scheme in ("data", "blob", "about"):
            return
        if (url.hostname, url.port) != (self.base.hostname, self.base.port):
            self.foreign.append(request.url)

    def _console(self, msg) -> None:
        if msg.type == "error":
            self.console_errors.append(msg.text)

    def assert_clean(self) -> None:
        assert not self.foreign, f"requests to other hosts: {self.foreign}"
        assert not self.console_errors, f"console errors: {self.console_errors}"


@pytest.fixture
def watched_page(browser, live_server):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    # Any request leaving the machine is refused, and recorded by PageWatch.
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if urlparse(route.request.url).hostname in ("127.0.0.1", None)
            else route.abort()
        ),
    )
    page = context.new_page()
    watch = PageWatch(page, live_server)
    yield page, watch
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
