"""Features as CSV (f=csv on items), for Excel: UTF-8 with a BOM, one row per feature, the
properties by name, then lon/lat for a point layer or WKT for others; no Flask."""
from __future__ import annotations

import csv
import io
import json

from shapely.geometry import shape

from layers.catalog import Layer

CSV = "text/csv"
_FORMULA = ("=", "+", "-", "@", "\t", "\r")  # Excel would run a cell that starts so


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value  # text, never a formula
    return str(value)


def _geometry_cells(layer: Layer, geometry) -> list[str]:
    if layer.geometry == "Point":
        return [str(geometry["coordinates"][0]), str(geometry["coordinates"][1])] if geometry else ["", ""]
    return [shape(geometry).wkt if geometry else ""]


def features_csv(layer: Layer, found: list, properties: list[str] | None, geometry: bool) -> str:
    """The CSV text (BOM first) of ``found`` (GeoJSON features of ``layer``)."""
    names = ["code"] + [c.name for c in layer.columns if c.name != "code"]
    if properties is not None:
        names = [n for n in names if n in properties]
    else:
        names += sorted({k for f in found for k in (f.get("properties") or {}) if k not in names})
    with_geometry = geometry and layer.geometry is not None
    geometry_names = (["lon", "lat"] if layer.geometry == "Point" else ["wkt"]) if with_geometry else []
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["id"] + names + geometry_names)
    for feature in found:
        props = feature.get("properties") or {}
        row = [_cell(feature.get("id"))] + [_cell(props.get(n)) for n in names]
        if with_geometry:
            row += _geometry_cells(layer, feature.get("geometry"))
        writer.writerow(row)
    return "\ufeff" + out.getvalue()
