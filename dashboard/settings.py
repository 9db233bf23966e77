"""Settings in one frozen object: defaults, then environment, then command-line flags."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8050
    data_dir: Path | None = None  # None: the bundled records
    boundaries: Path | None = None  # None: the bundled Natural Earth countries
    code_column: str = "iso3"
    briefings_dir: Path | None = None  # None: the bundled example briefings
    debug: bool = False
    frame_ancestors: str = "'self'"  # who may embed the page in a frame (CSP frame-ancestors)
    # serve with rows or files refused by validation (the default refuses to start)
    allow_partial: bool = False
    workers: int = 1  # gunicorn worker processes (`python -m dashboard serve`)
    threads: int = 4  # threads per worker
    redis_url: str | None = None  # shared answer cache; None: each process keeps its own
    cases: Path | None = None  # a case-level file (CTDC or HTCDS) shown beside the records
    cases_format: str | None = None  # its layout (ctdc2024, ctdc2020, htcds); None: detected
    case_threshold: int = 10  # the smallest case count shown (smaller ones read "<10")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        s = cls()
        if env.get("DASHBOARD_HOST"):
            s = replace(s, host=env["DASHBOARD_HOST"])
        if env.get("DASHBOARD_PORT"):
            s = replace(s, port=_int(env, "DASHBOARD_PORT"))
        if env.get("DASHBOARD_DATA"):
            s = replace(s, data_dir=Path(env["DASHBOARD_DATA"]))
        if env.get("DASHBOARD_BOUNDARIES"):
            s = replace(s, boundaries=Path(env["DASHBOARD_BOUNDARIES"]))
        if env.get("DASHBOARD_BRIEFINGS"):
            s = replace(s, briefings_dir=Path(env["DASHBOARD_BRIEFINGS"]))
        if env.get("DASHBOARD_FRAME_ANCESTORS"):
            s = replace(s, frame_ancestors=env["DASHBOARD_FRAME_ANCESTORS"])
        if env.get("DASHBOARD_CODE_COLUMN"):
            s = replace(s, code_column=env["DASHBOARD_CODE_COLUMN"])
        if env.get("DASHBOARD_ALLOW_PARTIAL"):
            s = replace(s, allow_partial=_yes(env["DASHBOARD_ALLOW_PARTIAL"]))
        if env.get("DASHBOARD_WORKERS"):
            s = replace(s, workers=_int(env, "DASHBOARD_WORKERS"))
        if env.get("DASHBOARD_THREADS"):
            s = replace(s, threads=_int(env, "DASHBOARD_THREADS"))
        if env.get("DASHBOARD_CASES"):
            s = replace(s, cases=Path(env["DASHBOARD_CASES"]))
        if env.get("DASHBOARD_CASES_FORMAT"):
            s = replace(s, cases_format=env["DASHBOARD_CASES_FORMAT"])
        if env.get("DASHBOARD_CASE_THRESHOLD"):
            s = replace(s, case_threshold=_int(env, "DASHBOARD_CASE_THRESHOLD"))
        if env.get("REDIS_URL"):
            s = replace(s, redis_url=env["REDIS_URL"])
        return s

    def with_args(self, **kwargs: object) -> Settings:
        """Apply the flags a user gave (None means 'not given')."""
        given = {k: v for k, v in kwargs.items() if v is not None}
        for key in ("data_dir", "boundaries", "briefings_dir", "cases"):
            if key in given:
                given[key] = Path(str(given[key]))
        return replace(self, **given)


def _yes(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


def _int(env, key: str) -> int:
    try:
        return int(env[key])
    except ValueError:
        raise ValueError(f"{key}={env[key]!r} is not a whole number") from None
