"""`python -m dashboard`: serve the dashboard, or validate data files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dashboard.settings import Settings
from geodata.boundaries import SUPPORTED as BOUNDARY_SUFFIXES
from geodata.dataset import PROFILES_FILE, TABLES, load_dataset
from geodata.io import read_csv_table
from geodata.report import Problem, ValidationReport


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (default 8050)")
    parser.add_argument("--data", metavar="DIR", help="folder of record files to show")
    parser.add_argument(
        "--boundaries",
        metavar="FILE",
        help="country boundary file (GeoJSON, GeoPackage or Shapefile)",
    )
    parser.add_argument(
        "--code-column",
        metavar="NAME",
        help="column of the boundary file holding country codes (default iso3)",
    )
    parser.add_argument("--debug", action="store_true", default=None, help="Dash debug mode")


def settings_from_args(args: argparse.Namespace) -> Settings:
    return Settings.from_env().with_args(
        host=args.host,
        port=args.port,
        data_dir=args.data,
        boundaries=args.boundaries,
        code_column=args.code_column,
        debug=args.debug,
    )


def serve(settings: Settings) -> int:
    from dashboard.app import create_app

    app = create_app(settings)
    report = app.server.config["DATASET"].report
    if not report.ok:
        print(report.render(), file=sys.stderr)
        print("Serving the rows that passed; the page lists the problems.", file=sys.stderr)
    app.run(host=settings.host, port=settings.port, debug=settings.debug)
    return 0


def _table_for(path: Path) -> str | None:
    """Which record table a CSV file is: by its name, else by its header."""
    if path.name in TABLES:
        return path.name
    probe = ValidationReport()
    frame = read_csv_table(path, probe)
    if frame is None:
        return None
    columns = set(frame.columns)
    best, best_score = None, 0
    for file, (model, _) in TABLES.items():
        required = {n for n, f in model.model_fields.items() if f.is_required()}
        score = len(required & columns) / len(required)
        if score > best_score:
            best, best_score = file, score
    return best if best_score >= 0.5 else None


def validate(paths: list[str], code_column: str) -> int:
    status = 0
    for raw in paths:
        path = Path(raw)
        print(f"== {path}")
        if path.is_dir():
            dataset = load_dataset(path)
            report = dataset.report
        elif path.suffix.lower() in BOUNDARY_SUFFIXES:
            report = load_dataset(boundaries=path, code_column=code_column).report
        elif path.name == PROFILES_FILE or path.suffix.lower() in (".yaml", ".yml"):
            report = load_dataset(overrides={PROFILES_FILE: path}).report
        elif path.suffix.lower() in (".csv", ".txt", ".tsv") or not path.suffix:
            table = _table_for(path) if path.is_file() else None
            if table is None:
                report = ValidationReport()
                probe = ValidationReport()
                if read_csv_table(path, probe) is None:
                    report = probe
                else:
                    names = ", ".join(TABLES)
                    report.add(
                        Problem(
                            path.name,
                            None,
                            None,
                            f"cannot tell which record table this is; name it one of "
                            f"{names} or give it that table's columns",
                        )
                    )
            else:
                report = load_dataset(overrides={table: path}).report
        else:
            report = ValidationReport()
            report.add(
                Problem(
                    path.name,
                    None,
                    None,
                    f"unsupported file type {path.suffix!r}: give a record CSV, "
                    "profiles.yaml, a data folder or a boundary file",
                )
            )
        print(report.render())
        if not report.ok:
            status = 1
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dashboard",
        description="Dashboard of trafficking routes into Southeast Asia's scam compounds.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p_serve = sub.add_parser("serve", help="serve the dashboard")
    add_serve_arguments(p_serve)
    p_val = sub.add_parser(
        "validate",
        help="check record files, data folders or boundary files; exit 1 on errors",
        description="Print what was accepted and rejected (file, row, column, reason).",
    )
    p_val.add_argument("paths", nargs="+", metavar="PATH")
    p_val.add_argument(
        "--code-column", default="iso3", help="code column of a boundary file (default iso3)"
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "serve":
            return serve(settings_from_args(args))
        if args.command == "validate":
            return validate(args.paths, args.code_column)
    except KeyboardInterrupt:
        return 130
    parser.print_help()
    return 2
