"""Publication export: sizes in mm at a dpi, text in the SVG, a valid PDF, clear CLI errors.

Rendering needs Chromium (kaleido drives it); those tests skip cleanly without it. Framing,
sizes and the no-Chromium path are tested without a browser.
"""

from __future__ import annotations

import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.export import render as export_module
from dashboard.export.render import Exporter, ExportError, ExportUnavailable, Page, frame_for_print
from dashboard.figures.flowmap import DISCLAIMER
from dashboard.figures.views import build_view
from dashboard.state import ViewState

ROOT = Path(__file__).resolve().parents[3]
BOUNDS = (2022, 2023)
needs_chromium = pytest.mark.skipif(
    export_module.chromium_path() is None, reason="no Chromium for kaleido on this machine"
)


def test_page_sizes():
    assert Page(180, dpi=300).width_px == 2126
    assert Page(85, dpi=300).width_px == 1004
    assert Page(180).width_css == 680
    with pytest.raises(ExportError, match="outside"):
        Page(5)
    with pytest.raises(ExportError, match="dpi"):
        Page(180, dpi=10)


def frame_text(framed) -> dict[str, str]:
    """The frame's texts by name (title, subtitle, note, source, disclaimer, legend), plain."""
    out: dict[str, str] = {}
    for t in framed.data:
        if t.type == "scatter" and t.mode == "text" and t.xaxis == "x9":
            text = " ".join(str(x) for x in t.text)
            for tag in ("<br>", "<b>", "</b>"):
                text = text.replace(tag, " " if tag == "<br>" else "")
            out[t.name] = (out.get(t.name, "") + " " + " ".join(text.split())).strip()
    return out


def test_frame_stands_on_its_own(bundled):
    fig, meta = build_view(bundled, "map", ViewState(year_from=2023, year_to=2023), BOUNDS)
    framed, w, h = frame_for_print(fig, meta, Page(180))
    texts = frame_text(framed)
    assert texts["title"] == meta.title
    assert texts["subtitle"].endswith(meta.period) and meta.period in ("2023", "2022–2023")
    assert texts["source"].startswith("Source")
    assert texts["disclaimer"] == DISCLAIMER
    assert "Trafficking route, with its count" in texts["legend"]
    assert (w, h) == (framed.layout.width, framed.layout.height)


def test_charts_carry_no_map_disclaimer(bundled):
    fig, meta = build_view(bundled, "caseload", ViewState(), BOUNDS)
    framed, _, _ = frame_for_print(fig, meta, Page(85))
    texts = frame_text(framed)
    assert "disclaimer" not in texts
    assert "do not imply" not in " ".join(texts.values())
    assert texts["source"].startswith("Source: IOM (2024), ")
    # the section is named in the sources CSV, not on the figure
    assert meta.used[0].sections == ("IOM's Facts and Figures",)


def test_without_chromium_export_says_what_to_install(monkeypatch, bundled):
    monkeypatch.setattr(export_module, "chromium_path", lambda: None)
    with pytest.raises(ExportUnavailable, match="apt-get install chromium"):
        with Exporter():
            pass


@pytest.fixture(scope="module")
def exporter():
    if export_module.chromium_path() is None:
        pytest.skip("no Chromium for kaleido on this machine")
    with Exporter() as ex:
        yield ex


def test_png_has_the_requested_pixel_size_and_dpi(exporter, bundled, tmp_path):
    fig, meta = build_view(bundled, "map", ViewState(nationality=("IDN",)), BOUNDS)
    path = exporter.write(fig, meta, tmp_path / "map.png", "png", Page(180, dpi=300))
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width == 2126 and height > 1000
    i = data.index(b"pHYs")
    ppm = struct.unpack(">I", data[i + 4 : i + 8])[0]
    assert round(ppm * 0.0254) == 300


def test_svg_is_vector_with_its_text(exporter, bundled, tmp_path):
    fig, meta = build_view(bundled, "map", ViewState(year_from=2023, year_to=2023), BOUNDS)
    text = exporter.write(fig, meta, tmp_path / "m.svg", "svg", Page(85)).read_text()
    assert text.startswith("<svg") and 'width="85mm"' in text
    assert "<image" not in text  # nothing rasterised
    for needle in (
        "Trafficking routes into Southeast",
        "Source",
        "For illustration only",
        "2023</tspan>",
    ):
        assert needle in text, needle


def test_pdf_is_valid_and_sized(exporter, bundled, tmp_path):
    fig, meta = build_view(bundled, "profile", ViewState(country="PHL"), BOUNDS)
    data = exporter.write(fig, meta, tmp_path / "p.pdf", "pdf", Page(180)).read_bytes()
    assert data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]
    box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", data)
    assert box and abs(float(box.group(1)) / 72 * 25.4 - 180) < 1


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dashboard", "export", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--view", "globe", "-o", "x.png"], "unknown view 'globe'"),
        (["--view", "map", "--nationality", "XX", "-o", "x.png"], "not ISO3 country codes: XX"),
        (["--view", "map", "--measure", "smuggled", "-o", "x.png"], "measure 'smuggled'"),
        (["--view", "map", "--width-mm", "1000", "-o", "x.png"], "outside 20–600 mm"),
        (["--view", "map", "-o", "x.gif"], "unknown format"),
        (["--briefing", "missing.yaml"], "missing.yaml: file not found"),
        (["-o", "x.png"], "give either --view VIEW or --briefing FILE"),
    ],
)
def test_cli_refuses_with_a_clear_message(tmp_path, args, message):
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@needs_chromium
def test_cli_exports_one_view_and_a_briefing(tmp_path):
    result = run_cli(
        "--view",
        "map",
        "--year",
        "2023",
        "--nationality",
        "IDN",
        "--format",
        "svg",
        "--width-mm",
        "180",
        "--dpi",
        "300",
        "-o",
        "out.svg",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out.svg").read_text().startswith("<svg")
    briefing = ROOT / "dashboard" / "briefing" / "examples" / "iom-2024.yaml"
    result = run_cli(
        "--briefing", str(briefing), "--out-dir", "figs", "--preset", "column", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("[")]
    assert lines[0].startswith("[1/") and len(lines) == int(lines[0][3:].split("]")[0])
    written = sorted((tmp_path / "figs").glob("*.png"))
    assert len(written) == len(lines)
    assert all(struct.unpack(">I", p.read_bytes()[16:20])[0] == 1004 for p in written)
