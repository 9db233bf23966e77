"""`python -m dashboard`: serve the dashboard, validate data files, or export figures."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dashboard.settings import Settings
from geodata.boundaries import SUPPORTED as BOUNDARY_SUFFIXES
from geodata.cases import FORMATS as CASE_FORMATS
from geodata.dataset import PROFILES_FILE, TABLES, load_dataset
from geodata.io import XLSX_SUFFIXES, read_table, read_yaml
from geodata.report import Problem, ValidationReport


def add_case_arguments(parser: argparse.ArgumentParser, use: str) -> None:
    """--cases FILE, --cases-format and --case-threshold, as every command that reads the
    data takes them (the app, serve, download, export)."""
    parser.add_argument(
        "--cases",
        metavar="FILE",
        help="case-level file (CTDC 2024, CTDC 2020 or HTCDS CSV) whose aggregated flows are "
        f"{use} as 'case records' (env DASHBOARD_CASES)",
    )
    parser.add_argument(
        "--cases-format",
        choices=CASE_FORMATS,
        help="the case file's layout (default: detected from its header)",
    )
    parser.add_argument(
        "--case-threshold",
        type=int,
        metavar="N",
        help="smallest case count shown; smaller ones read '<N' (default 10, never under 5)",
    )


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
    parser.add_argument(
        "--briefings", metavar="DIR", help="folder of briefing files (YAML) for /briefing/"
    )
    add_case_arguments(parser, "shown beside the records")
    parser.add_argument("--debug", action="store_true", default=None, help="Dash debug mode")
    parser.add_argument(
        "--allow-partial",
        action="store_true",
        default=None,
        help="start even when data files or rows are refused, serving the rows that passed "
        "(env DASHBOARD_ALLOW_PARTIAL=1); without it such data stops the start",
    )


def add_worker_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="worker processes (default 1, env DASHBOARD_WORKERS)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        metavar="N",
        help="threads per worker (default 4, env DASHBOARD_THREADS)",
    )


def settings_from_args(args: argparse.Namespace) -> Settings:
    try:
        env = Settings.from_env()
    except ValueError as exc:  # DASHBOARD_PORT=abc and the like: one line, no traceback
        print(f"refusing to start: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    return env.with_args(
        host=args.host,
        port=args.port,
        data_dir=args.data,
        boundaries=args.boundaries,
        code_column=args.code_column,
        debug=args.debug,
        briefings_dir=args.briefings,
        allow_partial=args.allow_partial,
        workers=getattr(args, "workers", None),
        threads=getattr(args, "threads", None),
        cases=getattr(args, "cases", None),
        cases_format=getattr(args, "cases_format", None),
        case_threshold=getattr(args, "case_threshold", None),
    )


def prepare(settings: Settings):
    """Read and check the data (refusing bad data), then build the app once."""
    from dashboard.app import create_app
    from dashboard.startup import configure_logging, load_checked

    configure_logging()
    loaded = load_checked(settings)
    return create_app(settings, loaded.dataset), loaded


def serve(settings: Settings) -> int:
    """Flask's development server, one process (`python app.py`, `make run`)."""
    from dashboard.startup import StartupRefused

    try:
        app, _ = prepare(settings)
    except StartupRefused as exc:
        print(f"refusing to start: {exc}", file=sys.stderr)
        return 2
    from werkzeug.serving import WSGIRequestHandler

    # the Server header names no software or Python version
    WSGIRequestHandler.server_version = "dashboard"
    WSGIRequestHandler.sys_version = ""
    app.run(host=settings.host, port=settings.port, debug=settings.debug)
    return 0


def serve_workers(settings: Settings) -> int:
    """gunicorn with `settings.workers` processes, the data read once before they fork."""
    from dashboard.startup import StartupRefused

    if settings.workers < 1 or settings.threads < 1:
        print("refusing to start: --workers and --threads must be 1 or more", file=sys.stderr)
        return 2
    try:
        app, loaded = prepare(settings)
    except StartupRefused as exc:
        print(f"refusing to start: {exc}", file=sys.stderr)
        return 2
    from dashboard.cli.server import run_gunicorn

    return run_gunicorn(app.server, settings, loaded)


def _table_for(path: Path) -> str | None:
    """Which record table a CSV file is: by its name, else by its header."""
    if path.name in TABLES:
        return path.name
    if path.stem + ".csv" in TABLES and path.suffix.lower() in XLSX_SUFFIXES:
        return path.stem + ".csv"
    probe = ValidationReport()
    frame = read_table(path, probe)
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


def _is_briefing(path: Path) -> bool:
    """A YAML file with a list of slides is a briefing, not country profiles."""
    if path.suffix.lower() not in (".yaml", ".yml"):
        return False
    data = read_yaml(path, ValidationReport())
    return isinstance(data, dict) and "slides" in data


def _validate_briefing(path: Path) -> ValidationReport:
    from dashboard.briefing.files import BriefingError, load_briefing

    report = ValidationReport()
    tally = report.tally(path.name)
    try:
        briefing = load_briefing(path, dataset=load_dataset())
    except BriefingError as exc:
        report.add(Problem(path.name, None, None, f"briefing refused: {exc}"))
        tally.file_error = True
        return report
    tally.read = tally.accepted = len(briefing.slides)
    return report


def _is_case_file(path: Path, fmt: str | None) -> bool:
    """A case-level file: named so with --format, or its header is one of the case layouts."""
    from geodata.cases import detect_format

    if fmt is not None:
        return True
    if not path.is_file() or path.suffix.lower() not in (".csv", ".txt", ".tsv", ""):
        return False
    try:
        return detect_format(path) is not None
    except (OSError, ValueError):
        return False


def validate_case_file(path: Path, fmt: str | None) -> ValidationReport:
    """Every row of a case file accepted or rejected (with its reason); the totals add up to
    the rows read."""
    from geodata.cases import validate_cases

    cases, report = validate_cases(path, fmt)
    layout = cases.attrs.get("format")
    if layout:
        print(f"layout: {layout}")
    return report


def validate(paths: list[str], code_column: str, fmt: str | None = None) -> int:
    status = 0
    for raw in paths:
        path = Path(raw)
        print(f"== {path}")
        if _is_case_file(path, fmt):
            report = validate_case_file(path, fmt)
        elif path.is_dir():
            dataset = load_dataset(path)
            report = dataset.report
        elif path.suffix.lower() in BOUNDARY_SUFFIXES:
            report = load_dataset(boundaries=path, code_column=code_column).report
        elif path.name != PROFILES_FILE and _is_briefing(path):
            report = _validate_briefing(path)
        elif path.name == PROFILES_FILE or path.suffix.lower() in (".yaml", ".yml"):
            report = load_dataset(overrides={PROFILES_FILE: path}).report
        elif path.suffix.lower() in (".csv", ".txt", ".tsv", *XLSX_SUFFIXES) or not path.suffix:
            table = _table_for(path) if path.is_file() else None
            if table is None:
                report = ValidationReport()
                probe = ValidationReport()
                if read_table(path, probe) is None:
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
                    f"unsupported file type {path.suffix!r}: give a record CSV or .xlsx, "
                    "profiles.yaml, a data folder or a boundary file",
                )
            )
        print(report.render())
        if not report.ok:
            status = 1
    return status


def add_export_arguments(parser: argparse.ArgumentParser) -> None:
    from dashboard.export.render import FORMATS, PRESETS
    from dashboard.figures.views import VIEWS

    what = parser.add_argument_group("what to export (one view, or every view of a briefing)")
    what.add_argument("--view", help=f"one of: {', '.join(VIEWS)}")
    what.add_argument("--briefing", metavar="FILE", help="export every view of a briefing file")
    filters = parser.add_argument_group("filters (as in the page's URL)")
    filters.add_argument("--year", help="2023 or 2022-2023")
    filters.add_argument("--nationality", help="ISO3 codes, comma-separated (IDN,VNM)")
    filters.add_argument("--origin", help="ISO3 codes of origin countries")
    filters.add_argument("--destination", help="ISO3 codes of destination countries")
    filters.add_argument(
        "--form",
        help="forms of exploitation, comma-separated (default forced_criminality,all_forms)",
    )
    filters.add_argument("--measure", help="one measure to show (rescued, returned...)")
    filters.add_argument("--width", help="same (default) or count (line width by count)")
    filters.add_argument(
        "--layers", help="map layers: routes,returns,places (default), events, offices, other"
    )
    filters.add_argument("--country", help="ISO3 code, for the profile view")
    filters.add_argument("--route", help="a route id (outlined on the map)")
    out = parser.add_argument_group("output")
    out.add_argument("--format", choices=FORMATS, help="default: from the output's suffix")
    out.add_argument("--width-mm", type=float, help="figure width in millimetres")
    out.add_argument(
        "--preset",
        choices=list(PRESETS),
        help=f"width preset: {', '.join(f'{k} {v:g} mm' for k, v in PRESETS.items())}",
    )
    out.add_argument("--height-mm", type=float, help="figure height (default: from the view)")
    out.add_argument("--dpi", type=int, default=300, help="PNG resolution (default 300)")
    out.add_argument("--title", help="title instead of the view's own")
    out.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="file to write (one view); its sources go to FILE's stem + -sources.csv beside it",
    )
    out.add_argument("--out-dir", metavar="DIR", help="folder to write a briefing's figures to")
    parser.add_argument("--data", metavar="DIR", help="folder of record files")
    add_case_arguments(parser, "drawn with --measure case_records")


def flag_changes(before, after) -> str:
    """The export flags that take a view state to another: '--measure' dropped, '--layers …'."""
    parts = []
    for key, flag in (
        ("nationality", "--nationality"),
        ("origin", "--origin"),
        ("destination", "--destination"),
    ):
        if getattr(before, key) and not getattr(after, key):
            parts.append(f"without {flag}")
    if before.measure != after.measure:
        parts.append("without --measure" if not after.measure else f"--measure {after.measure}")
    if (before.year_from, before.year_to) != (after.year_from, after.year_to):
        parts.append("without --year")
    if tuple(before.forms) != tuple(after.forms):
        parts.append("--form every")
    if tuple(before.layers) != tuple(after.layers):
        parts.append("--layers " + ",".join(after.layers))
    if before.width != after.width and after.width == "same":
        parts.append("without --width")
    return ", ".join(parts)


def _empty_message(exc, state, flags: bool) -> str:
    lines = [f"nothing to draw, so nothing was written: {exc}"]
    for text, suggested in getattr(exc, "suggestions", ())[:3]:
        text = text.removesuffix(": show them").removesuffix(" (show them)")
        how = flag_changes(state, suggested) if flags else ""
        lines.append(f"  with data: {text}" + (f" ({how})" if how else ""))
    return "\n".join(lines)


def export(args: argparse.Namespace) -> int:
    """Write one view, or every view of a briefing, and beside each figure its sources CSV
    (`<figure>-sources.csv`). Exit 2, writing nothing, on any error or empty view."""
    from dashboard.app import year_bounds
    from dashboard.briefing.files import BriefingError, load_briefing, slide_state
    from dashboard.export.render import (
        FORMATS,
        PRESETS,
        EmptyExport,
        Exporter,
        ExportError,
        ExportUnavailable,
        Page,
        print_figure,
    )
    from dashboard.export.sources import write_sources
    from dashboard.figures.views import VIEWS, ViewError
    from dashboard.state import FILTER_KEYS
    from geodata.filters import FilterError

    def fail(message: str) -> int:
        print(f"export: {message}", file=sys.stderr)
        return 2

    if bool(args.view) == bool(args.briefing):
        return fail("give either --view VIEW or --briefing FILE")
    try:
        width = args.width_mm or PRESETS[args.preset or "full"]
        page = Page(width, args.height_mm, args.dpi)
    except ExportError as exc:
        return fail(str(exc))
    dataset = command_dataset(args, "export")
    if dataset is None:
        return 2
    bounds = year_bounds(dataset)
    indicators = set(dataset.indicators["id"])
    jobs = []  # (view, state, path, format, title, options)
    if args.view:
        if args.view not in VIEWS:
            return fail(f"unknown view {args.view!r}; choose one of: {', '.join(VIEWS)}")
        if not args.output:
            return fail("give the file to write with -o FILE")
        fmt = args.format or Path(args.output).suffix.lstrip(".").lower()
        filters = {k: getattr(args, k) for k in FILTER_KEYS if getattr(args, k)}
        try:
            state = slide_state(filters, indicators)
        except FilterError as exc:
            return fail(str(exc))
        jobs.append((args.view, state, Path(args.output), fmt, args.title, None))
    else:
        try:
            briefing = load_briefing(Path(args.briefing), indicators, dataset=dataset)
        except BriefingError as exc:
            return fail(str(exc))
        fmt = args.format or "png"
        folder = Path(args.out_dir or f"{briefing.name}-figures")
        for i, slide in enumerate(briefing.slides, 1):
            path = folder / f"{i:02d}-{slide.view}.{fmt}"
            # a slide's frame (a map's cluster) and chosen events, where the briefing sets them
            options = getattr(slide, "options", None)
            jobs.append((slide.view, slide.state, path, fmt, slide.title, options))
    if any(job[3] not in FORMATS for job in jobs):
        return fail(f"unknown format; use one of {', '.join(FORMATS)} (or a matching suffix)")
    # every figure is laid out before any is written: an empty view or a bad filter stops the
    # batch with nothing half-written
    built = []
    for view, state, path, fmt, title, options in jobs:
        try:
            fig, meta = print_figure(dataset, view, state, bounds, page, title, options)
        except EmptyExport as exc:
            where = f"{path.name}: " if args.briefing else ""
            return fail(where + _empty_message(exc, state, flags=not args.briefing))
        except (ViewError, ExportError) as exc:
            return fail(str(exc))
        built.append((view, fig, meta, path, fmt, title))
    try:
        with Exporter() as exporter:
            for i, (view, fig, meta, path, fmt, title) in enumerate(built, 1):
                exporter.write(fig, meta, path, fmt, page, title, built=True)
                sources = write_sources(meta, path)
                print(f"[{i}/{len(built)}] {view} -> {path} (sources: {sources.name})", flush=True)
                crowded = (fig.layout.meta or {}).get("label_problems") or []
                if crowded:
                    print(
                        f"export: {path.name}: at {page.width_mm:g} mm {len(crowded)} map "
                        f"label(s) could not be kept apart: " + "; ".join(crowded[:3]),
                        file=sys.stderr,
                    )
    except (ViewError, ExportError) as exc:
        return fail(str(exc))
    except ExportUnavailable as exc:
        return fail(str(exc))
    return 0


DOWNLOAD_NAMES = ("routes", "figures", "locations", "case_flows")


def command_dataset(args: argparse.Namespace, command: str):
    """The dataset a one-off command (download, export) works from: the records of --data
    and the case flows of --cases, through the Settings and loader the servers use. None,
    after saying why on stderr, when a path is missing or the data has errors."""
    from dashboard.startup import StartupRefused, check_paths, load_settings_dataset

    settings = Settings().with_args(
        data_dir=args.data,
        cases=args.cases,
        cases_format=args.cases_format,
        case_threshold=args.case_threshold,
    )
    try:
        check_paths(settings)
    except StartupRefused as exc:
        print(f"{command}: {exc}", file=sys.stderr)
        return None
    dataset = load_settings_dataset(settings)
    if not dataset.report.ok:
        print(dataset.report.render(), file=sys.stderr)
        print(f"{command}: the data has errors; nothing written", file=sys.stderr)
        return None
    return dataset


def download(args: argparse.Namespace) -> int:
    """Write one download to a file (or stdout): exit 2, writing nothing, on bad data."""
    from dashboard.downloads import download_text
    from geodata.filters import Filters

    if args.name == "case_flows" and args.cases is None:
        print("download: case_flows needs --cases FILE", file=sys.stderr)
        return 2
    dataset = command_dataset(args, "download")
    if dataset is None:
        return 2
    text = download_text(dataset, args.name, Filters(), hxl=args.hxl)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"{args.name} -> {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dashboard",
        description="Dashboard of trafficking routes into Southeast Asia's scam compounds.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p_serve = sub.add_parser(
        "serve",
        help="serve the dashboard with gunicorn (--workers N)",
        description="Serve the dashboard with gunicorn: the data is read and checked once, "
        "then N worker processes answer from it. Cached answers are shared between workers "
        "when REDIS_URL names a Redis server.",
    )
    add_serve_arguments(p_serve)
    add_worker_arguments(p_serve)
    p_val = sub.add_parser(
        "validate",
        help="check record files, data folders or boundary files; exit 1 on errors",
        description="Print what was accepted and rejected (file, row, column, reason).",
    )
    p_val.add_argument("paths", nargs="+", metavar="PATH")
    p_val.add_argument(
        "--code-column", default="iso3", help="code column of a boundary file (default iso3)"
    )
    p_val.add_argument(
        "--format",
        choices=CASE_FORMATS,
        help="read the files as case-level data in this layout (default: case files are "
        "detected from their header)",
    )
    p_down = sub.add_parser(
        "download",
        help="write a download (routes, figures, locations, case_flows) as CSV or HXL",
        description="Write what /download/<name>.csv serves: the records with their sources, "
        "or, for case_flows, the aggregated and protected flows of --cases FILE.",
    )
    p_down.add_argument("name", choices=DOWNLOAD_NAMES)
    p_down.add_argument("--hxl", action="store_true", help="HXL-tagged CSV (for HDX)")
    p_down.add_argument("-o", "--output", metavar="FILE", help="file to write (default: stdout)")
    p_down.add_argument("--data", metavar="DIR", help="folder of record files")
    add_case_arguments(p_down, "written (needed for case_flows)")
    p_export = sub.add_parser(
        "export",
        help="write figures as PNG, SVG or PDF for publication",
        description="Export a view (map, sankey, caseload, sex-split, profile, events) with its "
        "filters, or every view of a briefing file, sized in millimetres.",
    )
    add_export_arguments(p_export)
    args = parser.parse_args(argv)
    try:
        if args.command == "export":
            return export(args)
        if args.command == "serve":
            return serve_workers(settings_from_args(args))
        if args.command == "validate":
            return validate(args.paths, args.code_column, args.format)
        if args.command == "download":
            return download(args)
    except KeyboardInterrupt:
        return 130
    parser.print_help()
    return 2
