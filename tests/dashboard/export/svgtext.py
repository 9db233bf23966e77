"""Every text an exported SVG draws, measured where Chromium draws it: its box (getBBox through
the element's transforms, in the SVG's own units: CSS px of the printed page), its font size at
that scale, and the clip frame of the map (or inset) it belongs to.

Used by the export tests and by `benchmarks/export.py --check`; needs Playwright and Chromium.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = os.environ.get("DASHBOARD_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-component-update"]

_MEASURE = r"""
() => {
  const svg = document.querySelector('svg');
  const vb = svg.viewBox.baseVal;
  const rect = svg.getBoundingClientRect();
  const k = vb && vb.width ? vb.width / rect.width : 1;
  const clips = {};
  for (const c of svg.querySelectorAll('clipPath')) {
    const m = /(geo\d*)$/.exec(c.id);
    const r = c.querySelector('rect');
    if (m && r) {
      clips[m[1]] = [r.x.baseVal.value, r.y.baseVal.value,
                     r.x.baseVal.value + r.width.baseVal.value,
                     r.y.baseVal.value + r.height.baseVal.value];
    }
  }
  const out = [];
  for (const el of svg.querySelectorAll('text')) {
    const text = el.textContent;
    if (!text.trim()) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    const b = el.getBoundingClientRect();
    if (b.width === 0 && b.height === 0) continue;
    const ctm = el.getScreenCTM();
    const scale = Math.hypot(ctm.a, ctm.b) * k;
    const geo = el.closest('g.geo');
    let where = null;
    if (geo) {
      const m = /\b(geo\d*)\b/.exec([...geo.classList].filter(c => c !== 'geo').join(' ')
                                    || 'geo');
      where = m ? m[1] : 'geo';
    }
    const trace = el.closest('g.trace');
    out.push({
      text: text,
      lines: el.querySelectorAll('tspan.line').length || 1,
      box: [(b.left - rect.left) * k, (b.top - rect.top) * k,
            (b.right - rect.left) * k, (b.bottom - rect.top) * k],
      font_px: parseFloat(style.fontSize) * scale,
      geo: where,
      role: trace ? 'trace' : (el.closest('g.annotation') ? 'annotation' :
            (el.closest('g.xtick, g.ytick') ? 'tick' : 'other')),
    });
  }
  return {texts: out, clips: clips, width: vb.width, height: vb.height};
}
"""


@dataclass(frozen=True)
class Text:
    text: str
    box: tuple[float, float, float, float]
    font_px: float
    geo: str | None  # "geo" (the main map), "geo2", "geo3" (insets) or None (the page)
    role: str
    lines: int


@dataclass(frozen=True)
class Measured:
    texts: list[Text]
    clips: dict[str, tuple[float, float, float, float]]
    width: float
    height: float

    def overlaps(self, tolerance: float = 1.0) -> list[tuple[Text, Text]]:
        """Pairs of texts whose boxes overlap by more than `tolerance` px both ways."""
        out = []
        boxes = self.texts
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                dx = min(a.box[2], b.box[2]) - max(a.box[0], b.box[0])
                dy = min(a.box[3], b.box[3]) - max(a.box[1], b.box[1])
                if dx > tolerance and dy > tolerance:
                    out.append((a, b))
        return out

    def cut(self, tolerance: float = 0.5) -> list[Text]:
        """Texts not wholly inside the page, or (on a map) inside their map's or inset's frame."""
        out = []
        for t in self.texts:
            frame = self.clips.get(t.geo) if t.geo else (0, 0, self.width, self.height)
            if frame is None:
                continue
            x0, y0, x1, y1 = t.box
            if (
                x0 < frame[0] - tolerance
                or y0 < frame[1] - tolerance
                or x1 > frame[2] + tolerance
                or y1 > frame[3] + tolerance
            ):
                out.append(t)
        return out


def measure_svg(svg: bytes | str | Path, browser=None) -> Measured:
    """The texts of an SVG, measured in Chromium (a Playwright browser, or one started here)."""
    if isinstance(svg, Path):
        svg = svg.read_bytes()
    if isinstance(svg, bytes):
        svg = svg.decode("utf-8")
    html = f"<!doctype html><html><body style='margin:0'>{svg}</body></html>"
    if browser is not None:
        return _measure(browser, html)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        try:
            return _measure(b, html)
        finally:
            b.close()


def _measure(browser, html: str) -> Measured:
    page = browser.new_page()
    try:
        page.set_content(html)
        data = page.evaluate(_MEASURE)
    finally:
        page.close()
    texts = [
        Text(d["text"], tuple(d["box"]), round(d["font_px"], 2), d["geo"], d["role"], d["lines"])
        for d in data["texts"]
    ]
    clips = {k: tuple(v) for k, v in data["clips"].items()}
    return Measured(texts, clips, data["width"], data["height"])
