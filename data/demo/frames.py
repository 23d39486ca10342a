"""The demo county's layers as GeoDataFrames in EPSG:4326, with the catalog's columns."""
from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from data.demo import grids as demo_grids
from data.demo.constants import METRIC_CRS, ROAD_CLASSES, TIMEZONE
from data.demo.incidents import Incidents
from data.demo.incidents_model import written
from data.demo.land import Land
from data.demo.roads import Roads
from data.demo.schools import Schools
from layers.catalog import INCIDENT_CATEGORIES, LAYERS


def _frame(data: dict, geoms, name: str) -> gpd.GeoDataFrame:
    """A layer's frame in EPSG:4326: the catalog's columns first, then extras, then geometry."""
    gdf = gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(np.asarray(geoms, dtype=object),
                                                        crs=METRIC_CRS))
    gdf = gdf.to_crs("EPSG:4326")
    cols = [c.name for c in LAYERS[name].columns if not c.kept or c.name in gdf]  # kept: written later
    extra = [c for c in gdf.columns if c not in cols and c != "geometry"]
    return gdf[cols + extra + ["geometry"]]


class _Codes:
    """Township and village codes by index."""

    def __init__(self, land: Land):
        self.land = land
        self.t = np.array(land.township_code, dtype=object)
        self.v = land.village_code

    def township_of(self, village) -> list[str]:
        return list(self.t[self.land.village_township[village]])


def _townships(land: Land, codes: _Codes) -> gpd.GeoDataFrame:
    return _frame(dict(code=list(codes.t), name=land.township_name,
                       seat=[t == 0 for t in range(land.n_t)]),
                  land.township_geom, "townships")


def _villages(land: Land, codes: _Codes) -> gpd.GeoDataFrame:
    f = _frame(dict(
        code=list(codes.v), name=list(land.village_name),
        township_code=list(codes.t[land.village_township]),
        remote=land.village_remote.astype(bool),
        population=land.village_pop.astype(np.int64),
        remediated_on=pd.Series(list(land.village_remediated_on), dtype=object),
    ), land.village_geom, "villages")
    # a stable order: by code
    return f.sort_values("code", kind="stable").reset_index(drop=True)


def _cameras(c: dict, codes: _Codes) -> gpd.GeoDataFrame:
    n = len(c["x"])
    return _frame(dict(
        code=[f"C{i + 1:05d}" for i in range(n)], name=list(c["name"]),
        kind=list(c["kind"]), azimuth=c["azimuth"].astype(float),
        fov=c["fov"].astype(float), range_m=c["range_m"].astype(float),
        status=list(c["status"]), networked=c["networked"].astype(bool),
        installed_on=pd.Series([dt.date.fromordinal(int(o)) for o in c["installed_on"]],
                               dtype=object),
        township_code=codes.township_of(c["village"]),
        village_code=list(codes.v[c["village"]]),
    ), shapely.points(c["x"], c["y"]), "cameras")


def _incidents(inc: Incidents, codes: _Codes) -> gpd.GeoDataFrame:
    """Incidents numbered within each year: I<year><serial>; categories as the police write
    them, and the focus group each was drawn from."""
    years = inc.t.astype("datetime64[Y]").astype(int) + 1970
    serial = np.zeros(len(years), np.int64)
    for yv in np.unique(years):
        sel = years == yv
        serial[sel] = np.arange(1, sel.sum() + 1)
    return _frame(dict(
        code=[f"I{yv}{s:06d}" for yv, s in zip(years, serial)],
        occurred_at=pd.DatetimeIndex(inc.t.astype("datetime64[ns]")).tz_localize(TIMEZONE),
        category=written(inc.cat),
        focus=list(np.array(INCIDENT_CATEGORIES, dtype=object)[inc.cat]),
        township_code=codes.township_of(inc.village),
        village_code=list(codes.v[inc.village]),
    ), shapely.points(inc.x, inc.y), "incidents")


def _schools(s: Schools, codes: _Codes) -> gpd.GeoDataFrame:
    return _frame(dict(
        code=[f"S{i + 1:03d}" for i in range(len(s.name))],
        name=s.name,
        township_code=codes.township_of(s.village),
        village_code=list(codes.v[s.village]),
    ), s.geom, "schools")


def _roads(rd: Roads, codes: _Codes) -> gpd.GeoDataFrame:
    return _frame(dict(
        code=[f"R{i + 1:04d}" for i in range(len(rd.geom))],
        name=list(rd.name),
        **{"class": list(np.array(ROAD_CLASSES, dtype=object)[rd.cls])},
        township_code=list(codes.t[rd.township]),
    ), rd.geom, "roads")


def _teams(tm: list[dict], codes: _Codes) -> gpd.GeoDataFrame:
    """Teams with their base as the point geometry."""
    return _frame(dict(
        code=[t["code"] for t in tm], name=[t["name"] for t in tm],
        kind=[t["kind"] for t in tm],
        township_code=[codes.t[t["township"]] for t in tm],
        village_code=pd.Series([None if t["village"] is None else codes.v[t["village"]]
                                for t in tm], dtype=object),
        members=np.array([t["members"] for t in tm], dtype=np.int64),
    ), [shapely.Point(t["xy"]) for t in tm], "patrol_teams")


def _routes(rt: list[dict], codes: _Codes) -> gpd.GeoDataFrame:
    return _frame(dict(
        code=[r["code"] for r in rt], name=[r["name"] for r in rt],
        team_code=[r["team_code"] for r in rt], shift=[r["shift"] for r in rt],
        township_code=[codes.t[r["township"]] for r in rt],
        length_m=np.array([r["geom"].length for r in rt]).round(1),
    ), [r["geom"] for r in rt], "patrol_routes")


def _tracks(k: dict, codes: _Codes) -> gpd.GeoDataFrame:
    return _frame(dict(
        team_code=list(k["team"]),
        recorded_at=pd.DatetimeIndex(k["t"].astype("datetime64[ns]")).tz_localize(TIMEZONE),
        township_code=codes.township_of(k["village"]),
        village_code=list(codes.v[k["village"]]),
        route_code=list(k["route"]),
    ), shapely.points(k["x"], k["y"]), "patrol_tracks")


def _hotspots(hs: list[dict], codes: _Codes) -> gpd.GeoDataFrame:
    return _frame(dict(
        code=[h["code"] for h in hs], quarter=[h["quarter"] for h in hs],
        level=[h["level"] for h in hs], township_code=[codes.t[h["township"]] for h in hs],
        name=[h["name"] for h in hs], status=[h["status"] for h in hs],
        unit=pd.Series([h["unit"] for h in hs], dtype=object),
        deadline=pd.Series([h["deadline"] for h in hs], dtype=object),
        carried_from=pd.Series([h["carried_from"] for h in hs], dtype=object),
    ), [h["geom"] for h in hs], "hotspots")


def frames(*, land: Land, roads: Roads, schools: Schools, cameras: dict, incidents: Incidents,
           teams: list[dict], routes: list[dict], tracks: dict,
           hotspots: list[dict]) -> dict[str, gpd.GeoDataFrame]:
    """One frame per layer of ``LAYERS``, in its order."""
    codes = _Codes(land)
    f = {
        "townships": _townships(land, codes),
        "villages": _villages(land, codes),
        "cameras": _cameras(cameras, codes),
        "incidents": _incidents(incidents, codes),
        "schools": _schools(schools, codes),
        "roads": _roads(roads, codes),
        "patrol_teams": _teams(teams, codes),
        "patrol_routes": _routes(routes, codes),
        "patrol_tracks": _tracks(tracks, codes),
        "hotspots": _hotspots(hotspots, codes),
    }
    f["grids"] = demo_grids.grid_frame(f["villages"])  # issue 16: grids inside each village
    return {name: f[name] for name in LAYERS}
