"""Township outlines as SVG paths, drawn on the server (the cockpit's light map): a plain
equirectangular view scaled by the cosine of the county's latitude, simplified to the
drawing's resolution so that the page stays light."""
from __future__ import annotations

import math

from shapely.geometry import shape

WIDTH = 600.0


def _rings(geom):
    polys = getattr(geom, "geoms", [geom])
    for p in polys:
        yield p.exterior
        yield from p.interiors


def svg_paths(features: list[dict]) -> dict:
    """{"width", "height", "paths": [{code, name, d, x, y}]} for a viewBox of WIDTH."""
    shapes = [(f["properties"].get("code") or f.get("id"), f["properties"].get("name", ""), shape(f["geometry"]))
              for f in features if f.get("geometry")]
    if not shapes:
        return {"width": WIDTH, "height": WIDTH / 2, "paths": []}
    xs0, ys0, xs1, ys1 = zip(*(g.bounds for _, _, g in shapes))
    x0, y0, x1, y1 = min(xs0), min(ys0), max(xs1), max(ys1)
    k = math.cos(math.radians((y0 + y1) / 2))
    scale = WIDTH / max((x1 - x0) * k, 1e-9)
    height = max((y1 - y0) * scale, 1.0)
    tolerance = 1.0 / scale   # one drawing unit

    def pt(x, y):
        return f"{(x - x0) * k * scale:.1f},{(y1 - y) * scale:.1f}"
    paths = []
    for code, name, g in shapes:
        simple = g.simplify(tolerance, preserve_topology=True)
        d = "".join("M" + "L".join(pt(x, y) for x, y in ring.coords) + "Z" for ring in _rings(simple))
        c = g.representative_point()
        paths.append({"code": code, "name": name, "d": d, "x": pt(c.x, c.y).split(",")[0],
                      "y": pt(c.x, c.y).split(",")[1]})
    return {"width": WIDTH, "height": round(height, 1), "paths": paths}
