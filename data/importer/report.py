"""Checking a file without writing it, for the import page: what the file holds, how its
columns were matched, the CRS found, every problem, the first rows and the extent in
WGS 84. The same checks as ``import_file`` (``check.FileCheck``); nothing touches the
database, so a check can run while people work.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from data.importer.check import FileCheck
from data.importer.read import CHUNK_ROWS, open_source
from data.importer.reproject import crs_option, crs_text
from layers.catalog import importable_layer
from layers.errors import ImportRefused


@dataclass
class FileReport:
    """What a check of one file found."""

    layer: str
    rows: int = 0
    columns: list[str] = field(default_factory=list)       # the file's, as headed
    mapping: dict[str, str] = field(default_factory=dict)  # file column -> layer column
    crs_found: str | None = None                           # what the file declares
    crs_used: str | None = None                            # what its coordinates are read as
    attributes_only: bool = False
    warnings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)      # the messages (first 50, then a count)
    report: list[dict] = field(default_factory=list)       # every problem, as rows of a table
    problem_count: int = 0
    preview: dict = field(default_factory=lambda: {"type": "FeatureCollection", "features": []})
    extent: list[float] | None = None

    @property
    def ok(self) -> bool:
        return self.problem_count == 0


def _features(sample) -> dict:
    from shapely.geometry import mapping

    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": None if geom is None else mapping(geom),
         "properties": {"row": row, **values}} for row, geom, values in sample]}


def check_file(layer_name: str, path, *, crs=None, encoding=None, sheet=None, columns=None,
               progress=None, chunk_rows: int = CHUNK_ROWS) -> FileReport:
    """Check the whole file at ``path`` for ``layer_name`` as ``import_file`` would, writing
    nothing; ``progress(rows checked, rows in file or None)`` after each chunk. A file that
    cannot be read at all comes back with that one problem."""
    layer = importable_layer(layer_name)
    path = Path(path)
    out = FileReport(layer=layer.name)
    try:
        target = crs_option(crs)
        source = open_source(path, path.name, layer, encoding, out.warnings, chunk_rows, sheet)
        checked = FileCheck(source, layer, target, path.name, out.warnings, columns)
        checked.sample = []
        for n, _ in checked.frames():
            out.rows += n
            if progress is not None:
                progress(out.rows, source.rows)
    except ImportRefused as err:
        out.problems, out.report, out.problem_count = err.problems, err.report, len(err.report)
        return out
    out.columns, out.mapping = checked.columns, dict(checked.mapping or {})
    out.crs_found = None if source.crs is None else crs_text(_crs(source.crs))
    out.crs_used = checked.coordinates.text if checked.coordinates is not None else None
    out.attributes_only = checked.attributes_only
    out.problems, out.report = checked.problems.messages(), _as_headed(checked.problems.report(), checked)
    out.problem_count = checked.problems.total
    out.preview, out.extent = _features(checked.sample), checked.extent
    return out


def _as_headed(report: list[dict], checked: FileCheck) -> list[dict]:
    """Each problem's column as the file heads it (纬度, not lat), the layer's field beside."""
    from data.importer.geometry import coordinate_columns

    headed = {target: source for source, target in (checked.mapping or {}).items()}
    lon, lat = coordinate_columns(checked.columns)
    headed.update({k: v for k, v in (("lon", lon), ("lat", lat)) if v is not None})
    return [{**p, "field": p["column"], "column": str(headed.get(p["column"], p["column"]) or "")}
            if p["column"] else {**p, "field": None} for p in report]


def _crs(declared):
    from pyproj import CRS

    try:
        return CRS.from_user_input(declared)
    except Exception:  # noqa: BLE001 - shown as written when pyproj cannot read it
        return str(declared)
