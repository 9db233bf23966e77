"""Entry point. `python app.py [--host H] [--port P] [--data DIR] [--boundaries FILE]` serves the
dashboard with Flask's development server; `python -m dashboard serve --workers N` serves it
with gunicorn. `gunicorn --preload app:server` also works (settings then come from DASHBOARD_*
variables and REDIS_URL; --preload reads the data once, before the workers fork)."""

from __future__ import annotations

import argparse

from dashboard.cli.main import add_serve_arguments, serve, settings_from_args


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the scam-compound trafficking dashboard.")
    add_serve_arguments(parser)
    return serve(settings_from_args(parser.parse_args(argv)))


if __name__ == "__main__":
    raise SystemExit(main())
else:
    from dashboard.cli.main import prepare
    from dashboard.settings import Settings
    from dashboard.startup import LOG, StartupRefused

    try:
        app, _ = prepare(Settings.from_env())
    except StartupRefused as exc:
        LOG.error("refusing to start: %s", exc)
        # 3 is gunicorn's "worker failed to boot": its master stops rather than starting the
        # worker again and again
        raise SystemExit(3) from None
    server = app.server
