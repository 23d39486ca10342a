"""Run the demo county's generation steps in order, with progress on the terminal."""
from __future__ import annotations

import contextlib
import sys

import geopandas as gpd
import numpy as np

from data.demo.cameras import cameras
from data.demo.constants import COUNTY_CODE
from data.demo.frames import frames
from data.demo.hotspots import hotspots
from data.demo.incidents import incidents
from data.demo.patrol import routes, teams, tracks
from data.demo.roads import roads
from data.demo.schools import schools
from data.demo.townships_villages import land, outline, outline_of, villages

#: One random stream per step, so that a change in one step leaves the others alone.
STREAMS = ("outline", "villages", "attrs", "roads", "schools", "cameras", "incidents",
           "teams", "routes", "tracks", "hotspots")
N_STEPS = 12


class _Progress:
    """A tqdm bar on stderr (or plain lines without tqdm); silent when not shown."""

    def __init__(self, show: bool):
        self.show = show
        self.bar = None

    def _open(self):
        try:
            from tqdm import tqdm

            self.bar = tqdm(total=N_STEPS, desc="demo county", file=sys.stderr, leave=True)
        except ImportError:  # pragma: no cover
            self.bar = False

    @contextlib.contextmanager
    def step(self, label: str):
        if self.show and self.bar is None:
            self._open()
        if self.show and self.bar:
            self.bar.set_postfix_str(label)
        elif self.show:  # pragma: no cover
            print(f"demo county: {label} ...", file=sys.stderr)
        yield
        if self.show and self.bar:
            self.bar.update(1)

    def close(self):
        if self.bar:
            self.bar.close()


def generate_county(seed: int = 0, progress: bool = False, *, county_code: str = COUNTY_CODE,
                    area=None, tracked_teams: int | None = None) -> dict[str, gpd.GeoDataFrame]:
    """Build the demo county: one GeoDataFrame per layer of ``layers.catalog.LAYERS``.

    All frames are in EPSG:4326 and carry the catalog's columns (plus a few
    extras: ``townships.seat``, ``patrol_routes.length_m``,
    ``patrol_tracks.route_code``). ``patrol_teams`` has the team's base as
    its point geometry. The same ``seed`` gives identical frames.

    For a county of a province: ``county_code`` heads its township, village and team
    codes; ``area`` (a polygon in ``METRIC_CRS``) is its outline instead of the demo's
    own; ``tracked_teams`` keeps the GPS tracks of the first so many teams with routes.
    """
    rng = dict(zip(STREAMS, np.random.default_rng(int(seed)).spawn(len(STREAMS))))
    bar = _Progress(progress)
    with bar.step("outline"):
        ol = outline(rng["outline"]) if area is None else outline_of(rng["outline"], area)
    with bar.step("villages"):
        vs = villages(ol, rng["villages"])
    with bar.step("attributes"):
        ld = land(ol, vs, rng["attrs"], county_code)
    with bar.step("roads"):
        rd = roads(ld, rng["roads"])
    with bar.step("schools"):
        sc = schools(ld, rng["schools"])
    with bar.step("cameras"):
        cams = cameras(ld, rd, sc, rng["cameras"])
    with bar.step("incidents"):
        inc = incidents(ld, rd, rng["incidents"])
    with bar.step("patrol teams"):
        tm = teams(ld, rng["teams"])
    with bar.step("patrol routes"):
        rt = routes(tm, rd.net, rng["routes"])
    with bar.step("patrol tracks"):
        tr = tracks(_tracked(rt, tracked_teams), ld, rng["tracks"])
    with bar.step("hotspots"):
        hot, inc = hotspots(ld, rd, inc, rng["hotspots"])
    with bar.step("frames"):
        out = frames(land=ld, roads=rd, schools=sc, cameras=cams, incidents=inc, teams=tm,
                     routes=rt, tracks=tr, hotspots=hot)
    bar.close()
    return out


def _tracked(routes_: list[dict], teams_: int | None) -> list[dict]:
    """The routes of the first ``teams_`` teams that have routes (all when None)."""
    if teams_ is None:
        return routes_
    keep = list(dict.fromkeys(r["team_code"] for r in routes_))[:teams_]
    return [r for r in routes_ if r["team_code"] in set(keep)]


def county_outline(seed: int = 0):
    """The outline the demo county of ``seed`` gets (a polygon in ``METRIC_CRS``)."""
    rng = np.random.default_rng(int(seed)).spawn(len(STREAMS))[STREAMS.index("outline")]
    return outline(rng).county
