"""Entry point. `python app.py [--host H] [--port P] [--data DIR] [--boundaries FILE]` serves the
dashboard; gunicorn imports `app:server` (settings then come from DASHBOARD_* variables)."""

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
    from dashboard.app import create_app
    from dashboard.settings import Settings

    app = create_app(Settings.from_env())
    server = app.server
