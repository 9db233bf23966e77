"""How the server answers, whatever the page: compressed, with long cache lifetimes for files
that never change under their URL, and headers that keep the page to its own host.

The Content-Security-Policy allows only the app's own origin. Dash's renderer starts with an
inline script, and plotly and the data grid compile small functions at run time, so scripts
need 'unsafe-inline' and 'unsafe-eval' (as strict as Dash allows); everything else — styles,
images, fonts, the requests the page makes — is 'self' only, so nothing leaves the machine.
"""

from __future__ import annotations

import io
import json
import re

from flask import Flask, Response, request
from flask_compress import Compress

MAX_BODY_BYTES = 2_000_000  # a callback request is a few kB; refuse far larger bodies unread
# Callbacks allowed a larger body (the explorer's upload): Dash output string -> bytes. A larger
# body is let in only when the first bytes name one of these outputs (Dash's renderer writes
# `output` first); any other is refused with 413, its body unread.
LARGE_BODY_OUTPUTS = "DASHBOARD_LARGE_BODY_OUTPUTS"
BODY_LIMIT = "dashboard.body_limit"  # environ: the limit this request was given
PEEK_BYTES = 4096
OUTPUT_FIRST = re.compile(rb'^\s*\{\s*"output"\s*:\s*"((?:[^"\\]|\\.){1,1024})"')
LONG_CACHE = "public, max-age=31536000, immutable"
# URLs whose content never changes under them: Dash fingerprints its bundles and assets
# (?m=<mtime>, v<version> in the path) and the countries' GeoJSON carries its hash.
IMMUTABLE_PREFIXES = ("/_dash-component-suites/", "/briefing/_dash-component-suites/", "/geo/")
CALLBACK_PATHS = ("/_dash-update-component", "/briefing/_dash-update-component")


def content_security_policy(frame_ancestors: str = "'self'") -> str:
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )


def malformed_callback(body: bytes) -> str | None:
    """Why a callback request cannot be a Dash callback, or None when it has the right shape."""
    try:
        data = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        return "the request body is not JSON"
    if not isinstance(data, dict):
        return "the request body is not a JSON object"
    if not isinstance(data.get("output"), str):
        return "the request names no output"
    for key in ("inputs", "state", "changedPropIds"):
        if key in data and not isinstance(data[key], list):
            return f"{key} is not a list"
    for item in data.get("inputs", []) + data.get("state", []):
        if not isinstance(item, dict) and not isinstance(item, list):
            return "an input is neither an object nor a list"
    return None


def allow_large_body(server: Flask, output: str, limit: int) -> None:
    """Let requests for the callback with this Dash output string carry up to `limit` bytes."""
    server.config.setdefault(LARGE_BODY_OUTPUTS, {})[output] = limit


def too_large(environ, start_response) -> list[bytes]:
    body = b"request body too large\n"
    start_response(
        "413 Request Entity Too Large",
        [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
    )
    return [body]


class BodyLimits:
    """WSGI middleware: a callback request over MAX_BODY_BYTES is let in only when it is for
    a callback allowed a larger body (`allow_large_body`) and within that callback's limit.
    Its first few kB are read to find the output; any other large request gets 413 with the
    rest of its body unread. A request let in is read whole (it is JSON that Dash reads whole
    anyway) and handed on with its limit in the environ."""

    def __init__(self, app, config) -> None:
        self.app = app
        self.config = config

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "POST" and environ.get("PATH_INFO") in CALLBACK_PATHS:
            try:
                length = int(environ.get("CONTENT_LENGTH") or -1)
            except ValueError:
                length = -1
            if length > MAX_BODY_BYTES:
                limit = self.let_in(environ, length)
                if limit is None:
                    return too_large(environ, start_response)
                environ[BODY_LIMIT] = limit
        return self.app(environ, start_response)

    def let_in(self, environ, length: int) -> int | None:
        allowed = self.config.get(LARGE_BODY_OUTPUTS) or {}
        if not allowed or length > max(allowed.values()):
            return None
        stream = environ["wsgi.input"]
        head = read_up_to(stream, min(PEEK_BYTES, length))
        match = OUTPUT_FIRST.match(head)
        if match is None:
            return None
        limit = allowed.get(match.group(1).decode("utf-8", "replace"))
        if limit is None or length > limit:
            return None
        environ["wsgi.input"] = io.BytesIO(head + read_up_to(stream, length - len(head)))
        return limit


def read_up_to(stream, size: int) -> bytes:
    """`size` bytes of a stream, or fewer if it ends first (a socket may give less per read)."""
    parts: list[bytes] = []
    left = size
    while left > 0:
        chunk = stream.read(min(left, 1 << 20))
        if not chunk:
            break
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def harden(server: Flask, frame_ancestors: str = "'self'") -> None:
    """Compression, cache lifetimes, security headers and request limits for every route."""
    server.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    server.wsgi_app = BodyLimits(server.wsgi_app, server.config)  # type: ignore[method-assign]
    server.config["COMPRESS_MIMETYPES"] = [
        "text/html",
        "text/css",
        "text/csv",
        "text/plain",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/geo+json",
        "image/svg+xml",
    ]
    server.config["COMPRESS_ALGORITHM"] = ["gzip"]
    server.config["COMPRESS_MIN_SIZE"] = 500
    Compress(server)
    policy = content_security_policy(frame_ancestors)

    @server.before_request
    def refuse_malformed():
        if request.path in CALLBACK_PATHS and request.method == "POST":
            limit = request.environ.get(BODY_LIMIT, MAX_BODY_BYTES)
            request.max_content_length = limit
            length = request.content_length
            if length is not None and length > limit:
                return Response("request body too large\n", status=413, mimetype="text/plain")
            why = malformed_callback(request.get_data(cache=True))
            if why:
                return Response(f"bad callback request: {why}\n", status=400, mimetype="text/plain")
        return None

    @server.after_request
    def headers(response: Response) -> Response:
        h = response.headers
        h.setdefault("Content-Security-Policy", policy)
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("Referrer-Policy", "same-origin")
        if frame_ancestors == "'self'":
            h.setdefault("X-Frame-Options", "SAMEORIGIN")
        path = request.path
        if response.status_code == 200 and (
            path.startswith(IMMUTABLE_PREFIXES)
            or (path.startswith("/assets/") and request.args.get("m"))
        ):
            h["Cache-Control"] = LONG_CACHE
        elif path.startswith("/download/"):
            h.setdefault("Cache-Control", "no-cache")
        h.pop("Server", None)
        return response
