"""Briefings: a sequence of saved views (view, filters, title, caption, speaker note) in YAML.

A slide may also set where a map looks (`frame`: a country, a list of countries or a named
cluster such as `moei`) and which dated events an events slide lists (`events`: event ids).

A briefing file with an unknown view, an unknown filter, a filter value that cannot be used, a
frame that cannot be drawn or an event id the records lack is refused with a message naming the
file, the slide and the key, before anything is shown or exported.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import yaml

from dashboard.figures import frame as frames
from dashboard.figures.views import VIEWS, ViewOptions
from dashboard.state import FILTER_KEYS, ViewState, parse_query
from geodata.dataset import Dataset
from geodata.filters import FilterError
from geodata.io import YamlRefused, load_yaml_text, refusal
from geodata.schema import text_problems

BRIEFINGS_DIR = Path(__file__).parent / "examples"
FILTERS = FILTER_KEYS
KEY_ORDER = ("view", "filters", "title", "caption", "note", "frame", "events")
SLIDE_KEYS = set(KEY_ORDER)


MAX_BRIEFING_BYTES = 1_000_000  # a briefing is a few kB of text


class BriefingError(ValueError):
    """What is wrong with a briefing file, naming the file, the slide and the key."""


@dataclass(frozen=True)
class Slide:
    view: str
    state: ViewState
    title: str
    caption: str = ""
    note: str = ""
    frame: str | tuple[str, ...] | None = None  # map slides: where the map looks
    events: tuple[str, ...] = ()  # events slides: the events listed (empty: the filters')

    @property
    def options(self) -> ViewOptions:
        """What build_view needs beyond the filters."""
        return ViewOptions(frame=self.frame, events=self.events)


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


def _frame(value: object, view: str, dataset: Dataset | None) -> str | tuple[str, ...]:
    """A slide's `frame`, checked: a map slide's cluster key, ISO3 code or list of codes."""
    if view != "map":
        raise FilterError(f"frame: only a map slide has a frame (this slide's view is {view})")
    clusters = ", ".join(i.key for i in frames.INSETS)
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value) and value:
        spec: str | tuple[str, ...] = tuple(value)
    elif isinstance(value, str) and value.strip():
        spec = value.strip()
    else:
        raise FilterError(
            f"frame: give a cluster ({clusters}), an ISO3 code such as MMR, or a list of codes"
        )
    if dataset is not None:
        try:
            # each country on its own, so that a mistyped code among good ones is named
            for part in spec if isinstance(spec, tuple) else (spec,):
                frames.named_frame(dataset, part)
            frames.named_frame(dataset, list(spec) if isinstance(spec, tuple) else spec)
        except frames.FrameError as exc:
            raise FilterError(str(exc)) from None
    return spec


def _events(value: object, view: str, dataset: Dataset | None) -> tuple[str, ...]:
    """A slide's `events`, checked: a list of event ids of the records."""
    if view != "events":
        raise FilterError(
            f"events: only an events slide lists events (this slide's view is {view})"
        )
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise FilterError("events: give a list of event ids (the id column of events.csv)")
    ids = tuple(dict.fromkeys(v.strip() for v in value))
    if dataset is not None:
        known = set(dataset.events["id"])
        unknown = [i for i in ids if i not in known]
        if unknown:
            hints = []
            for i in unknown:
                near = difflib.get_close_matches(i, sorted(known), n=1, cutoff=0.7)
                hints.append(f"{i!r}" + (f" (did you mean {near[0]!r}?)" if near else ""))
            raise FilterError(f"events: not in the records: {', '.join(hints)}")
    return ids


def load_briefing(
    path: Path, indicators: set[str] | None = None, dataset: Dataset | None = None
) -> Briefing:
    """The briefing in a file, checked. With the dataset, a slide's frame and events are checked
    against the records too (without it, only their shape)."""
    path = Path(path)
    if indicators is None and dataset is not None:
        indicators = set(dataset.indicators["id"])
    where = path.name
    reason = refusal(path)
    if reason is not None:
        raise BriefingError(f"{where}: {reason}")
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise BriefingError(f"{where}: file not found") from None
    except UnicodeDecodeError:
        raise BriefingError(f"{where}: not UTF-8 text") from None
    except OSError as exc:
        raise BriefingError(f"{where}: cannot read ({exc.strerror})") from None
    if len(raw) > MAX_BRIEFING_BYTES:
        raise BriefingError(f"{where}: {len(raw):,} bytes, over the {MAX_BRIEFING_BYTES:,} limit")
    try:
        data = load_yaml_text(raw)
    except YamlRefused as exc:
        raise BriefingError(f"{where}: not accepted: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        raise BriefingError(f"{where}: not valid YAML{line}") from None
    if not isinstance(data, dict) or not isinstance(data.get("slides"), list):
        raise BriefingError(f"{where}: expected a mapping with 'title' and a list of 'slides'")
    for at, why in text_problems(data):
        if why:
            raise BriefingError(f"{where}: {at}: {why}")
    if not data["slides"]:
        raise BriefingError(f"{where}: the briefing has no slides")
    slides = []
    for i, item in enumerate(data["slides"], 1):
        at = f"{where}, slide {i}"
        if not isinstance(item, dict):
            raise BriefingError(f"{at}: expected a mapping of {', '.join(KEY_ORDER)}")
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
        try:
            frame = _frame(item["frame"], view, dataset) if "frame" in item else None
            events = _events(item["events"], view, dataset) if "events" in item else ()
        except FilterError as exc:
            raise BriefingError(f"{at}: {exc}") from None
        slides.append(
            Slide(
                view,
                state,
                str(item["title"]),
                str(item.get("caption") or ""),
                str(item.get("note") or ""),
                frame,
                events,
            )
        )
    return Briefing(path.stem, str(data.get("title") or path.stem), tuple(slides))


def briefing_files(folder: Path = BRIEFINGS_DIR) -> dict[str, Path]:
    """Briefings by URL name (file stem), for the briefing index."""
    return {p.stem: p for p in sorted(Path(folder).glob("*.y*ml"))}
