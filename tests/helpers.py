"""Small hand-built layers for tests: squares, points and lines in EPSG:4326."""
from __future__ import annotations

import geopandas as gpd
from shapely.geometry import box

from layers import store
from layers.catalog import LAYERS

COUNTY = "410999"


def square(x: float, y: float, size: float = 0.01):
    return box(x, y, x + size, y + size)


def put(conn, layer: str, rows: list[dict], county: str = COUNTY):
    """Write rows (dicts with 'geometry' and the layer's columns) into a layer and commit."""
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    frame["props"] = [{} for _ in range(len(frame))]
    store.upsert_layer(conn, LAYERS[layer], frame, county)
    store.locate(conn, county)
    conn.commit()
    return frame


def small_county(conn):
    """Two townships (A, B); three remote villages in each and one ordinary village in A."""
    put(conn, "townships", [
        {"code": "410999001", "name": "甲镇", "geometry": square(111.0, 33.0, 0.1)},
        {"code": "410999002", "name": "乙乡", "geometry": square(111.1, 33.0, 0.1)},
    ])
    villages = []
    for t, x0 in (("410999001", 111.0), ("410999002", 111.1)):
        for i in range(3):
            villages.append({"code": f"{t}{i + 1:03d}", "name": f"村{t[-1]}{i + 1}", "remote": True,
                             "population": 500, "remediated_on": None,
                             "geometry": square(x0 + 0.02 * i, 33.0, 0.02)})
    villages.append({"code": "410999001009", "name": "普通村", "remote": False, "population": 900,
                     "remediated_on": None, "geometry": square(111.0, 33.05, 0.02)})
    put(conn, "villages", villages)
