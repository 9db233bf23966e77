"""One Chromium for the process: kaleido's renderer on its own event loop, started on first use,
shared by every export (the CLI's batch, the `/export/` route's requests), restarted if it died,
stopped when the process exits.

kaleido's own `start_sync_server` is a process-wide singleton with no lock, no way to tell that
its Chromium died (a call then waits forever) and no way to pass it the local plotly.js and "no
MathJax" (its MathJax default is a CDN). This module keeps its own `kaleido.Kaleido` instead:

* plotly.js from the plotly package and no MathJax: nothing is fetched from the network;
* one render at a time (a lock), each with a timeout;
* a dead browser (its process gone, or a render failing because the browser closed) is stopped
  and a new one started, once per render;
* the tab kaleido reloads after each render is reloaded in the background, after the image is
  returned, not before (kaleido awaits it), so a warm render does not wait for plotly.js to be
  parsed again.

`STARTS` counts the Chromium processes this process started (the tests read it).
"""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import threading
from pathlib import Path

import plotly

ROOT = Path(__file__).resolve().parents[2]
TOPOJSON = ROOT / "assets" / "topojson"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
# s to start Chromium and load plotly.js: a few seconds when it works (BROWSER_START_TIMEOUT)
START_TIMEOUT = float(os.environ.get("BROWSER_START_TIMEOUT") or 20.0)
RENDER_TIMEOUT = 90.0  # s for one figure

STARTS = 0  # Chromium processes started by this process
_LOCK = threading.RLock()
_SHARED: Browser | None = None
_AT_EXIT = False


class BrowserUnavailable(RuntimeError):
    """No Chromium or no kaleido here, or Chromium would not start; the message says what to do."""


def chromium_path() -> str | None:
    """The Chromium kaleido will drive: BROWSER_PATH, else Debian's, else one on PATH."""
    given = os.environ.get("BROWSER_PATH")
    if given:  # the operator's choice, or nothing: never silently another browser
        return given if Path(given).is_file() and os.access(given, os.X_OK) else None
    for candidate in (
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("google-chrome"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def missing_message() -> str:
    """What to do when chromium_path() finds nothing."""
    given = os.environ.get("BROWSER_PATH")
    if given:
        return (
            f"BROWSER_PATH is {given}, which is not a program on this machine: set it to a "
            "Chrome or Chromium binary, or unset it to use Debian's /usr/bin/chromium. The "
            "dashboard, downloads and everything else work without export."
        )
    return (
        "PNG, SVG and PDF export needs Chromium. On Debian: `apt-get install chromium` "
        "(or set BROWSER_PATH to a Chrome or Chromium binary). The dashboard, downloads "
        "and everything else work without it."
    )


def _kaleido_class():
    try:
        import kaleido
    except ImportError:
        raise BrowserUnavailable(
            "PNG, SVG and PDF export needs the kaleido package: pip install kaleido"
        ) from None

    class _Kaleido(kaleido.Kaleido):
        """kaleido's renderer, returning a used tab to the pool after a background reload."""

        _pending: set

        async def _return_kaleido_tab(self, tab) -> None:  # noqa: D401 - kaleido's hook
            pending = getattr(self, "_pending", None)
            if pending is None:
                pending = self._pending = set()

            async def reload_then_return() -> None:
                try:
                    await tab.reload()
                finally:
                    await self.tabs_ready.put(tab)

            task = asyncio.ensure_future(reload_then_return())
            pending.add(task)
            task.add_done_callback(pending.discard)

    return _Kaleido


def _reason(exc: BaseException) -> str:
    """The first sentence the browser driver gives, without its advice to download a browser."""
    first = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
    first = first.strip() or type(exc).__name__
    return (
        f"{first.rstrip('.')}. Set BROWSER_PATH to a working Chrome or Chromium, or unset it "
        "to use Debian's /usr/bin/chromium (apt-get install chromium)."
    )


class Browser:
    """One Chromium driven by kaleido on a private event loop thread."""

    def __init__(self, path: str) -> None:
        global STARTS
        kaleido_class = _kaleido_class()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="export-chromium", daemon=True
        )
        self._thread.start()

        holder: dict = {}

        async def start():
            k = holder["k"] = kaleido_class(
                n=1, timeout=RENDER_TIMEOUT, plotlyjs=str(PLOTLY_JS), mathjax=False, path=path
            )
            try:
                await k.open()
            except BaseException as exc:  # noqa: BLE001 - returned, so no task holds it unread
                return exc
            return k

        try:
            result = self._run(start(), START_TIMEOUT)
        except TimeoutError:
            result = TimeoutError(f"it did not answer within {START_TIMEOUT:g} s")
        if isinstance(result, BaseException):
            process = getattr(holder.get("k"), "subprocess", None)
            if process is not None and process.poll() is None:
                process.kill()
            self._stop_loop()
            raise BrowserUnavailable(f"Chromium ({path}) would not start: {_reason(result)}")
        self._kaleido = result
        STARTS += 1

    def _run(self, coroutine, timeout: float):
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise

    @property
    def pid(self) -> int | None:
        process = getattr(self._kaleido, "subprocess", None)
        return process.pid if process is not None else None

    def alive(self) -> bool:
        process = getattr(self._kaleido, "subprocess", None)
        return self._thread.is_alive() and process is not None and process.poll() is None

    def render(self, figure: dict, fmt: str, width: int, height: int, scale: float) -> bytes:
        opts = {"format": fmt, "width": width, "height": height, "scale": scale}
        return self._run(
            self._kaleido.calc_fig(figure, opts=opts, topojson=TOPOJSON.as_uri()),
            RENDER_TIMEOUT + 5,
        )

    def close(self) -> None:
        if self._thread.is_alive():
            try:
                self._run(self._kaleido.close(), 15)
            except Exception:  # noqa: BLE001 - a dead browser needs no closing
                process = getattr(self._kaleido, "subprocess", None)
                if process is not None and process.poll() is None:
                    process.kill()
        self._stop_loop()

    def _stop_loop(self) -> None:
        async def cancel_the_rest() -> None:  # kaleido's and choreographer's own tasks
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        if self._thread.is_alive():
            try:
                self._run(cancel_the_rest(), 5)
            except Exception:  # noqa: BLE001 - stopping regardless
                pass
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        if not self._loop.is_running():
            self._loop.close()


def _start() -> Browser:
    global _SHARED, _AT_EXIT
    path = chromium_path()
    if path is None:
        raise BrowserUnavailable(missing_message())
    _SHARED = Browser(path)
    if not _AT_EXIT:
        atexit.register(shutdown)
        _AT_EXIT = True
    return _SHARED


def shared() -> Browser:
    """The process's browser, started now if it is not running (or died)."""
    with _LOCK:
        if _SHARED is not None and _SHARED.alive():
            return _SHARED
        if _SHARED is not None:
            _SHARED.close()
        return _start()


def render(figure: dict, fmt: str, width: int, height: int, scale: float) -> bytes:
    """The figure as PNG, SVG or PDF bytes, by the shared browser, one render at a time. A
    browser that dies during the render is replaced and the render tried once more."""
    global _SHARED
    with _LOCK:
        browser = shared()
        try:
            return browser.render(figure, fmt, width, height, scale)
        except TimeoutError:
            browser.close()  # a tab that hangs is not trusted with the next figure
            _SHARED = None
            raise
        except Exception:
            if browser.alive():
                raise  # the figure's fault, not the browser's
            return shared().render(figure, fmt, width, height, scale)


def shutdown() -> None:
    """Stop the shared browser (at exit, or for a test)."""
    global _SHARED
    with _LOCK:
        if _SHARED is not None:
            _SHARED.close()
            _SHARED = None


def running() -> Browser | None:
    """The shared browser if one is running (no start)."""
    return _SHARED if _SHARED is not None and _SHARED.alive() else None
