"""Checking a file chunk by chunk: every problem of every chunk, and the rows to write.

``FileCheck.frames`` reads the file's chunks, checks each (values GDAL could not read,
geometry, CRS and coordinates, columns and values, keys repeated in this chunk or an
earlier one) and yields the frame ``upsert_layer`` writes for it, or None once anything is
wrong: the rest of the file is still checked, so that every problem is listed, but no
frame is made. What is said of the file as a whole is said after its last chunk.
"""
from __future__ import annotations

import logging

from data.importer.columns import check_columns, check_duplicates, match_columns
from data.importer.geometry import (
    TABLE_KINDS,
    check_geometry_types,
    coordinate_columns,
    file_geometries,
    geometry_label,
    repair_polygons,
)
from data.importer.keys import SeenKeys
from data.importer.problems import Problems
from data.importer.read import Chunk, Source
from data.importer.reproject import Coordinates
from data.importer.values import to_text
from data.importer.write import output_frame
from layers.catalog import Layer

LOGGER = logging.getLogger(__name__)


def _plain(value):
    """A value as text for a preview (None when missing)."""
    try:
        if value is None or value != value:
            return None
    except (TypeError, ValueError):  # arrays and the like compare oddly
        pass
    return str(value)


class FileCheck:
    """The checks of one file, and what they remember from chunk to chunk."""

    def __init__(self, source: Source, layer: Layer, target_crs, fname: str,
                 warnings: list[str], chosen: dict | None = None):
        self.source, self.layer, self.target_crs = source, layer, target_crs
        self.warnings = warnings
        self.problems = Problems(fname)
        self.seen = SeenKeys()          # keys of the rows checked so far
        self.mapping: dict[str, str] | None = None
        self.chosen = chosen            # columns matched by hand
        self.attributes_only = False    # a table without coordinates: it updates rows held
        self.columns: list[str] = []    # the file's columns, as headed
        self.sample: list[tuple] | None = None  # (row, geometry, values) of the first rows, when asked
        self.extent: list[float] | None = None  # [west, south, east, north] of the usable geometries
        self.coordinates: Coordinates | None = None
        self.rows = 0

    def frames(self):
        """(rows in the chunk, its frame to write or None once there is a problem), chunk
        after chunk."""
        for chunk in self.source.chunks:
            frame = self._check(chunk)
            self.rows += len(chunk.frame)
            yield len(chunk.frame), frame
        self.coordinates.finish(self.problems)

    def _check(self, chunk: Chunk):
        frame, layer, problems = chunk.frame, self.layer, self.problems
        if self.mapping is None:        # the first chunk: the file's columns and CRS
            self.columns = [str(c) for c in frame.columns if c != "geometry"]
            self.mapping = match_columns([c for c in frame.columns if c != "geometry"], layer, self.chosen)
            self.coordinates = Coordinates(self.target_crs, self.source.crs, self.source.kind,
                                           problems.fname, self.warnings)
            self.attributes_only = (self.source.kind in TABLE_KINDS and layer.geometry is not None
                                    and coordinate_columns(frame.columns) == (None, None))
            if self.attributes_only:
                self.warnings.append(f"{problems.fname}: 文件没有坐标列，只更新图层中已有编码的{layer.title}的属性，"
                                     f"几何不变 (no coordinates: updates the attributes of rows the layer holds)")
        code_source = {v: k for k, v in self.mapping.items()}.get("code")
        codes = to_text(frame[code_source]).tolist() if code_source is not None else None
        problems.chunk(chunk.offset, chunk.row_numbers, codes)
        problems.records(chunk.content_problems)
        if self.attributes_only:
            geoms, used_by_geometry = [None] * len(frame), set()
        else:
            geoms, used_by_geometry = self._geometries(frame)
        if self.sample is not None:
            self._observe(chunk, geoms)
        columns = check_columns(frame, layer, self.mapping, problems, partial=self.attributes_only)
        check_duplicates(layer, columns, problems, self.seen)
        if problems:
            return None
        out = output_frame(layer, frame, columns, self.mapping, used_by_geometry, geoms, len(frame))
        out.attrs["attributes_only"] = self.attributes_only
        return out

    def _observe(self, chunk: Chunk, geoms, keep: int = 100) -> None:
        """Remember the first ``keep`` rows (for a preview) and widen the extent."""
        import shapely

        present = [g for g in geoms if g is not None and not g.is_empty]
        if present:
            west, south, east, north = shapely.total_bounds(present).tolist()
            e = self.extent or [west, south, east, north]
            self.extent = [min(e[0], west), min(e[1], south), max(e[2], east), max(e[3], north)]
        room = keep - len(self.sample)
        if room <= 0:
            return
        shown = {source: target for source, target in self.mapping.items()}
        hidden = {c.name for c in self.layer.columns if c.kind == "phone"}   # a number is never shown
        head = chunk.frame.head(room)
        for i, (_, row) in enumerate(head.iterrows()):
            values = {target: "（已加密）" if target in hidden and _plain(row[source]) else _plain(row[source])
                      for source, target in shown.items()}
            self.sample.append((int(chunk.row_numbers[i]), geoms[i], values))

    def _geometries(self, frame):
        """The chunk's geometries checked, in EPSG:4326, invalid polygons repaired.

        Returns (geometries, the columns they were made from).
        """
        layer, problems = self.layer, self.problems
        optional = layer.geometry is None
        column = geometry_label(self.source.kind)
        geoms, used, reported = file_geometries(frame, self.source.kind, problems, optional)
        geoms, usable = check_geometry_types(geoms, layer, problems, column, optional, reported)
        geoms, usable = self.coordinates.to_wgs84(geoms, usable, problems, column)
        geoms = repair_polygons(geoms, usable, layer, problems, column, self.warnings)
        return geoms, used
