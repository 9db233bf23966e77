"""Briefings: a sequence of saved views (view, filters, title, caption, speaker note) in YAML.

A briefing file with an unknown view, an unknown filter or a filter value that cannot be used is
refused with a message naming it, before anything is shown or exported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import yaml

from dashboard.figures.views import VIEWS
from dashboard.state import FILTER_KEYS, ViewState, parse_query
from geodata.filters import FilterError

BRIEFINGS_DIR = Path(__file__).parent / "examples"
FILTERS = FILTER_KEYS
SLIDE_KEYS = {"view", "filters", "title", "caption", "note"}


class BriefingError(ValueError):
    """What is wrong with a briefing file, naming the file, the slide and the key."""


@dataclass(frozen=True)
class Slide:
    view: str
    state: ViewState
    title: str
    caption: str = ""
    note: str = ""


@dataclass(frozen=True)
class Briefing:
    name: str  # the file's stem: the briefing's URL segment
    title: str
    slides: tuple[Slide, ...] = field(default_factory=tuple)


def slide_state(filters: dict, indicators: set[str] | None = None) -> ViewState:
    """The view state a slide's filters describe (the same keys and values as the explorer's
    URL); FilterError names what cannot be used."""
    unknown = sorted(set(filters) - set(FILTERS) - {"indicator"})
    if unknown:
        raise FilterError(
            f"unknown filter(s) {', '.join(map(repr, unknown))}; use {', '.join(FILTERS)}"
        )
    params = {
        k: ",".join(str(x) for x in v) if isinstance(v, list | tuple) else str(v)
        for k, v in filters.items()
        if v is not None
    }
    if "indicator" in params and indicators is not None:
        if params["indicator"] not in indicators | {"role"}:
            raise FilterError(f"unknown indicator {params['indicator']!r}")
    state, messages = parse_query("?" + urlencode(params, safe=","))
    if messages:
        raise FilterError("; ".join(m.removeprefix("Ignored ") for m in messages))
    return state


def load_briefing(path: Path, indicators: set[str] | None = None) -> Briefing:
    path = Path(path)
    where = path.name
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise BriefingError(f"{where}: file not found") from None
    except UnicodeDecodeError:
        raise BriefingError(f"{where}: not UTF-8 text") from None
    except OSError as exc:
        raise BriefingError(f"{where}: cannot read ({exc.strerror})") from None
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        raise BriefingError(f"{where}: not valid YAML{line}") from None
    if not isinstance(data, dict) or not isinstance(data.get("slides"), list):
        raise BriefingError(f"{where}: expected a mapping with 'title' and a list of 'slides'")
    if not data["slides"]:
        raise BriefingError(f"{where}: the briefing has no slides")
    slides = []
    for i, item in enumerate(data["slides"], 1):
        at = f"{where}, slide {i}"
        if not isinstance(item, dict):
            raise BriefingError(f"{at}: expected a mapping of view, filters, title, caption, note")
        extra = sorted(set(item) - SLIDE_KEYS)
        if extra:
            raise BriefingError(f"{at}: unknown key(s) {', '.join(map(repr, extra))}")
        view = item.get("view")
        if view not in VIEWS:
            raise BriefingError(f"{at}: unknown view {view!r}; choose one of {', '.join(VIEWS)}")
        if not item.get("title"):
            raise BriefingError(f"{at}: a slide needs a title")
        filters = item.get("filters") or {}
        if not isinstance(filters, dict):
            raise BriefingError(f"{at}: filters must be a mapping")
        try:
            state = slide_state(filters, indicators)
        except FilterError as exc:
            raise BriefingError(f"{at}: {exc}") from None
        if view == "profile" and not state.country:
            raise BriefingError(f"{at}: the profile view needs a country filter")
        slides.append(
            Slide(
                view,
                state,
                str(item["title"]),
                str(item.get("caption") or ""),
                str(item.get("note") or ""),
            )
        )
    return Briefing(path.stem, str(data.get("title") or path.stem), tuple(slides))


def briefing_files(folder: Path = BRIEFINGS_DIR) -> dict[str, Path]:
    """Briefings by URL name (file stem), for the briefing index."""
    return {p.stem: p for p in sorted(Path(folder).glob("*.y*ml"))}
