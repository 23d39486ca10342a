"""A reproducible synthetic county for demos, tests and benchmarks.

``generate_county(seed)`` builds a made-up county around 111.6 E, 33.8 N with
every layer of ``layers.catalog.LAYERS``: townships and villages that tile
the county, a road network, cameras, two years of clustered incidents,
schools, patrol teams with routes and a week of GPS tracks, and the hotspot
lists of the last four quarters. The same seed always gives the same frames.

Incidents come from a few dozen clusters (seat, township centres, blackspots on
main roads, a few villages) plus a background by village population and along
roads; the hotspot lists are picked on them quarter by quarter, and the
remediation of most listed places thins their later incidents out, so the
lists' carried-over / delisted statuses agree with the data.

Everything is built in a metric CRS (UTM 49N, EPSG:32649) and returned in
EPSG:4326. The data "ends" on ``AS_OF`` (2026-11-26): incidents cover the two
years up to that day, tracks the week up to it, remediation dates lie before
it and the latest hotspot list is that of 2026Q3.

Value conventions of the returned frames:

- text columns hold ``str`` (pandas' string dtype); optional text that is
  absent is ``None`` in an object column (``village_code`` of township teams);
- ``remediated_on``, ``installed_on`` and ``deadline`` hold ``datetime.date``
  (``remediated_on`` is ``None`` when there is none);
- ``occurred_at`` / ``recorded_at`` are ``datetime64[ns, Asia/Shanghai]``;
- ``azimuth`` is float with ``NaN`` where a dome camera has no fixed heading;
- ``remote`` / ``networked`` are numpy ``bool``; ``population`` / ``members``
  ``int64``.
"""
from __future__ import annotations

import datetime as dt
import math
import sys

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from scipy import ndimage, sparse
from scipy.sparse import csgraph
from scipy.spatial import Delaunay, cKDTree

from layers.catalog import CAMERA_STATUSES, INCIDENT_CATEGORIES, LAYERS

COUNTY_CODE = "410999"
COUNTY_NAME = "示范县"
PLAN_YEAR = 2026
#: The last day the demo data covers ("today" of the demo).
AS_OF = dt.date(2026, 11, 26)
#: Quarters whose hotspot lists are generated, oldest first.
HOTSPOT_QUARTERS = ("2025Q4", "2026Q1", "2026Q2", "2026Q3")
CENTER_LONLAT = (111.6, 33.8)
METRIC_CRS = "EPSG:32649"
TIMEZONE = "Asia/Shanghai"

_PREC = 0.01  # metres; polygon vertices are snapped to this grid so that they tile exactly

# ---------------------------------------------------------------------------
# names

_SURNAMES = list(
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余杜叶程"
    "魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金贾夏付方邹熊白孟秦邱侯江尹薛段雷黎史陶贺毛郝顾龚邵"
    "万武钱戴严孔向常汤")
_HEADS = list("石柳杨槐枣桃杏梨竹松双三五七新老东西南北上下大小前后高龙凤马白黑青红黄金花官古河沙长平安太丰")
_HEADS2 = [
    "清水", "黄土", "红石", "白果", "卧龙", "凤凰", "青山", "丹水", "太平", "和平", "永安", "长乐",
    "兴隆", "富民", "桃园", "杨树", "柳林", "石门", "双庙", "三里", "五里", "十里", "枣林", "梨园",
    "松树", "竹园", "大坪", "小河", "南山", "北岭", "东沟", "西湾", "龙泉", "金鸡", "白土", "马蹄",
]
_TAILS = list("庄营店沟岭坪河湾寨坡集桥堡口园洼岗铺庙台峪川坝岔垭岩楼关塬")
_COMMUNITIES = [
    "东关", "西关", "南关", "北关", "城东", "城西", "城南", "城北", "人民路", "解放路", "建设路",
    "文化路", "中山路", "新华路", "和平路", "胜利路", "滨河", "府前", "车站", "学府", "光明", "幸福",
    "朝阳", "团结", "兴华", "育才", "康宁", "锦绣", "翠屏", "紫荆",
]
_STREETS = [
    "人民路", "解放路", "建设路", "文化路", "中山路", "新华路", "和平路", "胜利路", "滨河路", "府前街",
    "车站路", "学府路", "工业路", "光明路", "幸福路", "朝阳路", "团结路", "兴华街", "东大街", "西大街",
    "南大街", "北大街",
]
_SEAT_NAME = "城关镇"

_URBAN_PLACES = {"城中村", "汽车站周边", "批发市场", "商业街", "KTV周边", "网吧周边", "宾馆周边",
                 "夜市", "背街小巷", "居民区", "集镇"}
_RURAL_PLACES = ["集市周边", "村部周边", "村组居民点", "村口路段"]

_PLACES = {
    "theft": ["集贸市场周边", "商业街", "汽车站周边", "城中村", "批发市场"],
    "snatching": ["商业街", "广场周边"],
    "robbery": ["城中村", "背街小巷"],
    "traffic_accident": ["路口", "路段", "弯道路段"],
    "assault": ["夜市", "网吧周边", "KTV周边", "广场周边"],
    "dispute": ["集镇", "广场周边", "集贸市场周边"],
    "drugs": ["出租屋片区", "宾馆周边", "城中村"],
    "telecom_fraud": ["居民区", "城中村"],
    "illegal_fundraising": ["商业街", "居民区"],
}

_ROAD_CLASSES = ("national", "provincial", "county", "township", "village")
_CLASS_RANK = {c: i for i, c in enumerate(_ROAD_CLASSES)}


def _unique_name(rng, make, used: set[str], tries: int = 200) -> str:
    """Draw names from ``make(rng)`` until one is not in ``used``."""
    for _ in range(tries):
        name = make(rng)
        if name not in used:
            used.add(name)
            return name
    # fall back on a numbered name (never reached in practice)
    base = make(rng)
    k = 2
    while f"{base}{k}" in used:
        k += 1
    used.add(f"{base}{k}")
    return f"{base}{k}"


def _village_base(rng) -> str:
    u = rng.random()
    if u < 0.30:
        return rng.choice(_SURNAMES) + "家" + rng.choice(_TAILS)
    if u < 0.55:
        return rng.choice(_SURNAMES) + rng.choice(_TAILS)
    if u < 0.85:
        return rng.choice(_HEADS) + rng.choice(_TAILS)
    return rng.choice(_HEADS2) + (rng.choice(_TAILS) if rng.random() < 0.5 else "")


def _township_base(rng) -> str:
    if rng.random() < 0.6:
        return rng.choice(_HEADS) + rng.choice(_TAILS)
    return rng.choice(_HEADS2)


# ---------------------------------------------------------------------------
# small geometry helpers


def _bearing(dx, dy):
    """Degrees clockwise from (grid) north."""
    return np.degrees(np.arctan2(dx, dy)) % 360.0


def _wiggle(rng, a, b, step: float = 120.0, rel: float = 0.035, cap: float = 220.0) -> np.ndarray:
    """A slightly wiggly polyline from a to b (both ends fixed)."""
    a = np.asarray(a, float)
    b = np.asarray(b, float)
    d = b - a
    length = float(np.hypot(*d))
    if length < 1.0:
        return np.vstack([a, b])
    k = int(np.clip(length / step, 2, 80))
    t = np.linspace(0.0, 1.0, k + 1)
    amp = min(rel * length, cap)
    c = rng.normal(0.0, 1.0, 3)
    ph = rng.uniform(0.0, 2 * np.pi, 2)
    env = np.sin(np.pi * t)
    off = amp * (0.8 * c[0] * env
                 + 0.5 * c[1] * np.sin(2 * np.pi * t + ph[0]) * env
                 + 0.3 * c[2] * np.sin(3 * np.pi * t + ph[1]) * env)
    off += rng.normal(0.0, 0.06 * amp + 1.0, k + 1) * env
    normal = np.array([-d[1], d[0]]) / length
    return a + np.outer(t, d) + np.outer(off, normal)


def _noisy_ellipse(rng, cx: float, cy: float, a: float, b: float, n: int = 18):
    theta = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    rot = rng.uniform(0.0, np.pi)
    r = 1.0 + rng.normal(0.0, 0.06, n)
    x = a * r * np.cos(theta)
    y = b * r * np.sin(theta)
    xr = cx + x * np.cos(rot) - y * np.sin(rot)
    yr = cy + x * np.sin(rot) + y * np.cos(rot)
    return shapely.Polygon(np.column_stack([xr, yr]))


def _rectangle(rng, cx: float, cy: float, w: float, h: float):
    rot = rng.uniform(0.0, np.pi)
    x = np.array([-w, w, w, -w]) / 2
    y = np.array([-h, -h, h, h]) / 2
    xr = cx + x * np.cos(rot) - y * np.sin(rot)
    yr = cy + x * np.sin(rot) + y * np.cos(rot)
    return shapely.Polygon(np.column_stack([xr, yr]))


class _RoadGraph:
    """Nodes are the ends of road pieces; edges the pieces themselves."""

    def __init__(self, pieces: np.ndarray):
        self.pieces = pieces
        n = len(pieces)
        starts = shapely.get_coordinates(shapely.get_point(pieces, 0))
        ends = shapely.get_coordinates(shapely.get_point(pieces, -1))
        allpts = np.round(np.vstack([starts, ends]), 2)
        self.xy, inv = np.unique(allpts, axis=0, return_inverse=True)
        inv = inv.ravel()
        self.u = inv[:n]
        self.v = inv[n:]
        self.length = shapely.length(pieces)
        self.edge: dict[tuple[int, int], int] = {}
        for i in np.argsort(self.length, kind="stable"):
            a, b = int(self.u[i]), int(self.v[i])
            if a == b:
                continue
            key = (a, b) if a < b else (b, a)
            if key not in self.edge:
                self.edge[key] = int(i)
        keys = np.array(list(self.edge.keys()), dtype=np.int64).reshape(-1, 2)
        w = self.length[np.array(list(self.edge.values()), dtype=np.int64)]
        m = len(self.xy)
        self.matrix = sparse.csr_matrix(
            (np.concatenate([w, w]), (np.concatenate([keys[:, 0], keys[:, 1]]),
                                      np.concatenate([keys[:, 1], keys[:, 0]]))),
            shape=(m, m))
        self.degree = np.bincount(np.concatenate([self.u, self.v]), minlength=m)
        self.tree = cKDTree(self.xy)
        # the largest connected part of the network (routes start there)
        _, labels = csgraph.connected_components(self.matrix, directed=False)
        main = np.bincount(labels).argmax()
        self.main_nodes = np.flatnonzero(labels == main)
        self.main_tree = cKDTree(self.xy[self.main_nodes])
        self._pred_cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def shortest(self, src: int):
        if src not in self._pred_cache:
            dist, pred = csgraph.dijkstra(self.matrix, directed=False, indices=src,
                                          return_predecessors=True)
            self._pred_cache[src] = (dist, pred)
        return self._pred_cache[src]

    def path(self, src: int, dst: int) -> list[int] | None:
        dist, pred = self.shortest(src)
        if not np.isfinite(dist[dst]):
            return None
        nodes = [dst]
        while nodes[-1] != src:
            nodes.append(int(pred[nodes[-1]]))
        return nodes[::-1]

    def nearest_main(self, xy) -> int:
        """The node of the main network nearest to xy."""
        return int(self.main_nodes[self.main_tree.query(xy)[1]])

    def coords(self, nodes: list[int]) -> np.ndarray:
        out = []
        for m, (a, b) in enumerate(zip(nodes[:-1], nodes[1:])):
            i = self.edge[(a, b) if a < b else (b, a)]
            c = shapely.get_coordinates(self.pieces[i])
            if self.u[i] != a:
                c = c[::-1]
            out.append(c if m == 0 else c[1:])
        return np.vstack(out)


# ---------------------------------------------------------------------------
# incident model

# relative hour-of-day profiles: (centre hour, spread, weight) bumps on a base level
_HOURS = {
    "robbery": (0.2, [(23, 3.0, 1.0)]),
    "snatching": (0.2, [(10, 2.0, 0.6), (19, 2.0, 1.0)]),
    "theft": (0.3, [(3, 2.5, 0.8), (14, 3.0, 1.0)]),
    "telecom_fraud": (0.1, [(10, 2.0, 1.0), (15, 2.5, 1.0)]),
    "illegal_fundraising": (0.05, [(10, 2.0, 1.0), (15, 2.0, 0.8)]),
    "drugs": (0.15, [(22, 3.0, 1.0), (1, 2.0, 0.8)]),
    "assault": (0.15, [(21, 2.5, 1.0), (0, 2.0, 0.8)]),
    "traffic_accident": (0.25, [(8, 1.2, 1.0), (12, 1.5, 0.5), (18, 1.5, 1.1)]),
    "dispute": (0.2, [(11, 3.0, 1.0), (19, 3.0, 1.0)]),
    "other": (0.4, [(14, 5.0, 1.0)]),
}

# category mixes of the incident sources (missing categories get a small floor)
_MIX_SEAT = {"robbery": 0.03, "snatching": 0.08, "theft": 0.45, "telecom_fraud": 0.05,
             "illegal_fundraising": 0.01, "drugs": 0.05, "assault": 0.09,
             "traffic_accident": 0.06, "dispute": 0.11, "other": 0.07}
_MIX_TOWN = {"robbery": 0.02, "snatching": 0.04, "theft": 0.30, "telecom_fraud": 0.05,
             "illegal_fundraising": 0.02, "drugs": 0.03, "assault": 0.12,
             "traffic_accident": 0.08, "dispute": 0.25, "other": 0.09}
_MIX_ROAD = {"theft": 0.05, "assault": 0.03, "traffic_accident": 0.80, "dispute": 0.07,
             "other": 0.05}
_MIX_VILLAGE_SPECIAL = [
    {"drugs": 0.45, "theft": 0.15, "assault": 0.15, "dispute": 0.15, "other": 0.10},
    {"illegal_fundraising": 0.45, "telecom_fraud": 0.20, "dispute": 0.20, "other": 0.15},
    {"dispute": 0.45, "assault": 0.25, "theft": 0.15, "other": 0.15},
    {"theft": 0.55, "robbery": 0.05, "dispute": 0.20, "other": 0.20},
]
_MIX_BACKGROUND = {"robbery": 0.005, "snatching": 0.01, "theft": 0.22, "telecom_fraud": 0.25,
                   "illegal_fundraising": 0.04, "drugs": 0.01, "assault": 0.08,
                   "traffic_accident": 0.04, "dispute": 0.25, "other": 0.095}
_MIX_ROAD_BACKGROUND = {"traffic_accident": 0.85, "theft": 0.05, "other": 0.10}


def _mix(d: dict[str, float], floor: float = 0.0) -> np.ndarray:
    p = np.array([d.get(c, 0.0) for c in INCIDENT_CATEGORIES], float) + floor
    return p / p.sum()


def _hour_profile(cat: str) -> np.ndarray:
    base, bumps = _HOURS.get(cat, (0.4, [(14, 5.0, 1.0)]))
    h = np.arange(24) + 0.5
    w = np.full(24, base)
    for mu, sd, a in bumps:
        diff = np.abs(h - mu)
        diff = np.minimum(diff, 24 - diff)
        w += a * np.exp(-0.5 * (diff / sd) ** 2)
    return w / w.sum()


def _season(cat: str, days: np.ndarray) -> np.ndarray:
    """Relative daily intensity of a category over the period (by date)."""
    doy = np.array([d.timetuple().tm_yday for d in days], float)
    cyc = 2 * np.pi / 365.25
    t = np.linspace(0.0, 1.0, len(days))
    if cat in ("robbery", "snatching", "theft"):
        s = 1 + 0.25 * np.cos(cyc * (doy - 20))
    elif cat in ("assault", "dispute", "drugs"):
        s = 1 + 0.25 * np.cos(cyc * (doy - 200))
    elif cat == "traffic_accident":
        s = 1 + 0.15 * np.cos(cyc * (doy - 40))
        md = np.array([(d.month, d.day) for d in days])
        s = s + 0.6 * ((md[:, 0] == 10) & (md[:, 1] <= 7))
        for festival in (dt.date(2025, 1, 29), dt.date(2026, 2, 17)):
            off = np.array([(d - festival).days for d in days])
            s = s + 0.5 * (np.abs(off) <= 7)
    elif cat == "telecom_fraud":
        s = 0.75 + 0.5 * t
    elif cat == "illegal_fundraising":
        s = 1.2 - 0.4 * t
    else:
        s = np.ones(len(days))
    wd = np.array([d.weekday() for d in days])
    s = s * np.where(wd >= 4, 1.12, 1.0)
    return s


# ---------------------------------------------------------------------------
# the generator


class _County:
    def __init__(self, seed: int, progress: bool):
        self.seed = seed
        root = np.random.default_rng(seed)
        self.rngs = dict(zip(
            ["outline", "villages", "attrs", "roads", "schools", "cameras", "incidents",
             "teams", "routes", "tracks", "hotspots"],
            root.spawn(11)))
        self.progress = progress
        self._bar = None

    # -- progress -----------------------------------------------------------
    def _step(self, label: str, done: bool):
        if not self.progress:
            return
        if self._bar is None:
            try:
                from tqdm import tqdm

                self._bar = tqdm(total=12, desc="demo county", file=sys.stderr, leave=True)
            except ImportError:  # pragma: no cover
                self._bar = False
        if self._bar:
            if done:
                self._bar.update(1)
            else:
                self._bar.set_postfix_str(label)
        elif not done:  # pragma: no cover
            print(f"demo county: {label} ...", file=sys.stderr)

    def run(self) -> dict[str, gpd.GeoDataFrame]:
        steps = [
            ("outline", self._outline), ("villages", self._villages),
            ("attributes", self._attributes), ("roads", self._roads),
            ("schools", self._schools), ("cameras", self._cameras),
            ("incidents", self._incidents), ("patrol teams", self._teams),
            ("patrol routes", self._routes), ("patrol tracks", self._tracks),
            ("hotspots", self._hotspots), ("frames", self._frames),
        ]
        for label, fn in steps:
            self._step(label, False)
            fn()
            self._step(label, True)
        if self._bar:
            self._bar.close()
        return self.frames

    # -- location -----------------------------------------------------------
    def _locate(self, x, y) -> np.ndarray:
        """Index of the village each point lies in (nearest one when outside)."""
        pts = shapely.points(np.asarray(x, float), np.asarray(y, float))
        out = np.full(len(pts), -1, dtype=np.int64)
        ip, iv = self.village_tree.query(pts, predicate="intersects")
        # a point on a shared border: keep the lowest village index (deterministic)
        order = np.lexsort((-iv, ip))
        out[ip[order]] = iv[order]
        miss = np.flatnonzero(out < 0)
        if len(miss):
            _, near = self.village_tree.query_nearest(pts[miss], all_matches=False)
            out[miss] = near
        return out

    def _inside(self, x, y) -> np.ndarray:
        return shapely.contains_xy(self.county, x, y)

    # -- county outline ------------------------------------------------------
    def _outline(self):
        rng = self.rngs["outline"]
        to_m = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
        cx, cy = to_m.transform(*CENTER_LONLAT)
        cx += rng.normal(0, 1500)
        cy += rng.normal(0, 1500)
        n = 512
        theta = np.linspace(0, 2 * np.pi, n, endpoint=False)
        logr = np.zeros(n)
        for k in range(2, 100):  # a rough, "fractal" border: amplitude falling with frequency
            logr += rng.normal(0, 0.35 * k ** -1.2) * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
        logr = np.clip(logr, -0.6, 0.6)
        r = np.exp(logr)
        x = r * np.sin(theta)
        y = r * np.cos(theta)
        unit_area = 0.5 * abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))
        scale = math.sqrt(rng.uniform(1.8e9, 2.2e9) / unit_area)
        county = shapely.Polygon(np.column_stack([cx + scale * x, cy + scale * y]))
        self.county = shapely.set_precision(shapely.make_valid(county), _PREC)
        shapely.prepare(self.county)
        self.center = np.array([cx, cy])
        # the county seat: near the middle, well inside
        inner = self.county.buffer(-9000)
        for _ in range(100):
            p = self.center + rng.normal(0, 2500, 2)
            if inner.contains(shapely.Point(p)):
                break
        else:
            p = np.array(shapely.get_coordinates(self.county.point_on_surface())[0])
        self.seat = p

    # -- villages and townships ---------------------------------------------
    def _density(self, xy: np.ndarray) -> np.ndarray:
        r = np.hypot(xy[:, 0] - self.seat[0], xy[:, 1] - self.seat[1])
        rmax = 32000.0
        return (1 + 6 * np.exp(-0.5 * (r / 2200) ** 2)) * (1.3 - 0.6 * np.minimum(r / rmax, 1))

    def _sample_density(self, rng, n: int) -> np.ndarray:
        minx, miny, maxx, maxy = self.county.bounds
        out = []
        got = 0
        dmax = 7.4 * 1.3
        while got < n:
            m = 4 * n
            x = rng.uniform(minx, maxx, m)
            y = rng.uniform(miny, maxy, m)
            xy = np.column_stack([x, y])
            keep = self._inside(x, y) & (rng.random(m) < self._density(xy) / dmax)
            out.append(xy[keep])
            got += int(keep.sum())
        return np.vstack(out)[:n]

    def _villages(self):
        rng = self.rngs["villages"]
        n_v = int(rng.integers(285, 316))
        n_t = int(rng.integers(14, 17))
        k = 12
        pool = self._sample_density(rng, n_v * k)
        scale2 = 1.0 / self._density(pool)
        pts = np.empty((n_v, 2))
        pts[0] = self.seat
        for i in range(1, n_v):
            cand = pool[i * k:(i + 1) * k]
            d2 = ((cand[:, None, :] - pts[None, :i, :]) ** 2).sum(-1).min(1)
            pts[i] = cand[np.argmax(d2 / scale2[i * k:(i + 1) * k])]
        # Voronoi cells clipped to the county
        env = shapely.box(*self.county.buffer(20000).bounds)
        vor = shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=env, ordered=True)
        cells = shapely.get_parts(vor)
        assert len(cells) == n_v
        cells = shapely.set_precision(shapely.intersection(cells, self.county), _PREC)
        cells = self._fix_multipart(cells, pts)
        self.village_xy = pts
        self.village_geom = cells
        # adjacency: shared border longer than 1 m
        tree = shapely.STRtree(cells)
        a, b = tree.query(cells, predicate="intersects")
        keep = a < b
        a, b = a[keep], b[keep]
        shared = shapely.length(shapely.intersection(cells[a], cells[b]))
        keep = shared > 1.0
        a, b = a[keep], b[keep]
        self.village_adj = (a, b)
        # township centres: best-candidate among villages, away from the border
        boundary = self.county.exterior
        dist_b = shapely.distance(shapely.points(pts), boundary)
        bfac = np.clip(dist_b / 4000.0, 0.15, 1.0)
        srcs = [0]
        for _ in range(1, n_t):
            free = np.setdiff1d(np.arange(n_v), srcs)
            cand = rng.choice(free, size=min(8, len(free)), replace=False)
            d = np.hypot(*(pts[cand][:, None, :] - pts[srcs][None, :, :]).transpose(2, 0, 1)).min(1)
            srcs.append(int(cand[np.argmax(d * bfac[cand])]))
        srcs = np.array(srcs)
        # grow townships over the village adjacency graph (multi-source Dijkstra)
        w = np.hypot(*(pts[a] - pts[b]).T) * rng.uniform(0.7, 1.4, len(a))
        offs = rng.uniform(0, 2000, n_t)
        offs[0] = 3500.0  # the seat township is smaller
        virt = n_v + np.arange(n_t)
        rows = np.concatenate([a, b, virt])
        cols = np.concatenate([b, a, srcs])
        vals = np.concatenate([w, w, offs])
        g = sparse.csr_matrix((vals, (rows, cols)), shape=(n_v + n_t, n_v + n_t))
        _, _, sources = csgraph.dijkstra(g, directed=True, indices=virt, min_only=True,
                                         return_predecessors=True)
        owner = sources[:n_v] - n_v
        assert (owner >= 0).all()
        # order townships: the seat first, then clockwise from north around the seat
        ang = _bearing(pts[srcs, 0] - self.seat[0], pts[srcs, 1] - self.seat[1])
        ang[0] = -1.0
        order = np.argsort(ang, kind="stable")
        remap = np.empty(n_t, dtype=np.int64)
        remap[order] = np.arange(n_t)
        self.village_township = remap[owner]
        self.township_src = srcs[order]
        self.n_t = n_t
        self.n_v = n_v

    @staticmethod
    def _fix_multipart(cells: np.ndarray, pts: np.ndarray) -> np.ndarray:
        """Give the stray pieces of clipped cells to the neighbour they share most border with."""
        cells = cells.copy()
        for _ in range(3):
            multi = np.flatnonzero(shapely.get_num_geometries(cells) > 1)
            if not len(multi):
                break
            for i in multi:
                parts = shapely.get_parts(cells[i])
                own = shapely.contains_xy(parts, pts[i, 0], pts[i, 1])
                keep = int(np.argmax(own)) if own.any() else int(np.argmax(shapely.area(parts)))
                cells[i] = parts[keep]
                for j, piece in enumerate(parts):
                    if j == keep:
                        continue
                    shared = shapely.length(shapely.intersection(cells, piece))
                    shared[i] = 0.0
                    t = int(np.argmax(shared))
                    if shared[t] > 0:
                        cells[t] = shapely.union(cells[t], piece, grid_size=_PREC)
                    else:  # an island: keep it with its own cell
                        cells[i] = shapely.union(cells[i], piece, grid_size=_PREC)
        return cells

    # -- names, codes, remoteness, population, remediation -------------------
    def _attributes(self):
        rng = self.rngs["attrs"]
        n_t, n_v = self.n_t, self.n_v
        pts = self.village_xy
        used_t: set[str] = {"城关"}
        t_base = ["城关"] + [_unique_name(rng, _township_base, used_t) for _ in range(n_t - 1)]
        t_suffix = ["镇"] + ["镇" if rng.random() < 0.6 else "乡" for _ in range(n_t - 1)]
        self.township_short = t_base
        self.township_name = [b + s for b, s in zip(t_base, t_suffix)]
        self.township_code = [f"{COUNTY_CODE}{i + 1:03d}" for i in range(n_t)]
        self.township_xy = pts[self.township_src]
        # township polygons = union of their villages
        self.township_geom = np.array([
            shapely.union_all(self.village_geom[self.village_township == t], grid_size=_PREC)
            for t in range(n_t)], dtype=object)

        d_seat = np.hypot(pts[:, 0] - self.seat[0], pts[:, 1] - self.seat[1])
        d_town = np.hypot(*(pts - self.township_xy[self.village_township]).T)
        is_src = np.zeros(n_v, bool)
        is_src[self.township_src] = True
        community = (self.village_township == 0) & (d_seat < 2600)
        community[0] = True
        self.village_community = community

        # codes and names
        codes = np.empty(n_v, dtype=object)
        names = np.empty(n_v, dtype=object)
        bases = np.empty(n_v, dtype=object)
        used_v: set[str] = set(t_base)
        comm_names = list(rng.permutation(_COMMUNITIES))
        for t in range(n_t):
            members = np.flatnonzero(self.village_township == t)
            members = members[np.argsort(d_town[members], kind="stable")]
            n_comm = 0
            n_vill = 0
            for i in members:
                if community[i]:
                    n_comm += 1
                    codes[i] = f"{self.township_code[t]}{n_comm:03d}"
                    base = comm_names.pop(0) if comm_names else _unique_name(rng, _village_base, used_v)
                    bases[i] = base
                    names[i] = base + "社区"
                else:
                    n_vill += 1
                    codes[i] = f"{self.township_code[t]}{200 + n_vill:03d}"
                    if is_src[i]:
                        base = t_base[t]
                    else:
                        base = _unique_name(rng, _village_base, used_v)
                    bases[i] = base
                    names[i] = base + "村"
        self.village_code = codes
        self.village_name = names
        self.village_base = bases

        # remote villages: far from the seat and from their township centre
        share = rng.uniform(0.18, 0.22)
        n_remote = int(round(share * n_v))
        w = (d_seat / d_seat.max()) ** 2.5 * (0.3 + d_town / d_town.max())
        w[community | is_src] = 0.0
        remote = np.zeros(n_v, bool)
        remote[rng.choice(n_v, size=n_remote, replace=False, p=w / w.sum())] = True
        self.village_remote = remote

        # population
        pop = rng.lognormal(math.log(1500), 0.5, n_v)
        pop[is_src] *= 1.8
        pop[remote] *= 0.5
        pop[community] = rng.uniform(2500, 5000, community.sum())
        self.village_pop = np.clip(np.round(pop), 300, 5000).astype(np.int64)

        # remediation of remote villages through the plan year, at an uneven pace
        start = dt.date(PLAN_YEAR, 1, 15)
        end = dt.date(PLAN_YEAR, 11, 20)
        span = (end - start).days
        pace = rng.beta(1.3, 1.3, n_t) + 0.05  # per township: some fast, some slow
        rem_idx = np.flatnonzero(remote)
        k = int(round(rng.uniform(0.48, 0.62) * len(rem_idx)))
        w = pace[self.village_township[rem_idx]] ** 1.5
        chosen = np.sort(rng.choice(rem_idx, size=k, replace=False, p=w / w.sum()))
        # fast townships also finish their villages earlier in the year
        frac = rng.random(k) ** (0.6 + 1.6 * pace[self.village_township[chosen]])
        remediated_on = np.empty(n_v, dtype=object)
        remediated_on[:] = None
        for i, f in zip(chosen, frac):
            remediated_on[i] = start + dt.timedelta(days=int(round(f * span)))
        self.village_remediated_on = remediated_on
        self.village_tree = shapely.STRtree(self.village_geom)

    # -- roads --------------------------------------------------------------
    def _roads(self):
        rng = self.rngs["roads"]
        pts = self.village_xy
        n_v = self.n_v
        tri = Delaunay(pts)
        s = tri.simplices
        e = np.vstack([s[:, [0, 1]], s[:, [1, 2]], s[:, [0, 2]]])
        e = np.unique(np.sort(e, axis=1), axis=0)
        seg = shapely.linestrings(np.stack([pts[e[:, 0]], pts[e[:, 1]]], axis=1))
        inside = shapely.within(seg, self.county)
        length = np.hypot(*(pts[e[:, 0]] - pts[e[:, 1]]).T)
        w_all = np.where(inside, length, length * 50)
        g_all = sparse.csr_matrix((np.concatenate([w_all, w_all]),
                                   (np.concatenate([e[:, 0], e[:, 1]]),
                                    np.concatenate([e[:, 1], e[:, 0]]))), shape=(n_v, n_v))
        mst = csgraph.minimum_spanning_tree(g_all).tocoo()
        mst_pairs = {(min(a, b), max(a, b)) for a, b in zip(mst.row.tolist(), mst.col.tolist())}
        in_mst = np.array([(int(a), int(b)) in mst_pairs for a, b in e])
        med = np.median(length[in_mst])
        extra = (~in_mst) & inside & (length < 1.6 * med) & (rng.random(len(e)) < 0.33)
        chosen = in_mst | extra

        def graph_path(mask_w, src, dst):
            dist, pred = csgraph.dijkstra(mask_w, directed=False, indices=src,
                                          return_predecessors=True)
            if not np.isfinite(dist[dst]):
                return []
            nodes = [dst]
            while nodes[-1] != src:
                nodes.append(int(pred[nodes[-1]]))
            return nodes[::-1]

        edge_index = {(int(a), int(b)): i for i, (a, b) in enumerate(e)}

        def edges_of(nodes):
            return [edge_index[(min(a, b), max(a, b))] for a, b in zip(nodes[:-1], nodes[1:])]

        cls = np.full(len(e), 4, dtype=np.int64)  # village
        names = np.empty(len(e), dtype=object)
        names[:] = None
        ext_lines: list[tuple[np.ndarray, int, str]] = []

        # through highways: along rays from the seat to the border, over Delaunay edges
        kdt = cKDTree(pts)
        boundary = self.county.exterior
        seat_v = 0

        def border_point(angle):
            far = self.seat + 200000 * np.array([math.sin(angle), math.cos(angle)])
            hit = shapely.intersection(shapely.LineString([self.seat, far]), boundary)
            hp = shapely.get_coordinates(hit)
            p = hp[np.argmin(np.hypot(*(hp - self.seat).T))]
            return p + 40 * (self.seat - p) / np.hypot(*(self.seat - p))

        def highway(angles, cls_id, name):
            nodes_all = []
            for ang in angles:
                bp = border_point(ang)
                end_v = int(kdt.query(bp)[1])
                path = graph_path(g_all, seat_v, end_v)
                for i in edges_of(path):
                    chosen[i] = True
                    if cls[i] > cls_id:
                        cls[i] = cls_id
                        names[i] = name
                    elif names[i] is None:
                        names[i] = name
                nodes_all.append(path)
                ext = _wiggle(rng, pts[end_v], bp, rel=0.02)
                if shapely.within(shapely.LineString(ext), self.county):
                    ext_lines.append((ext, cls_id, name))
            return nodes_all

        a0 = rng.uniform(0, 2 * np.pi)
        g_no = int(rng.integers(200, 360))
        highway([a0, a0 + np.pi + rng.uniform(-0.4, 0.4)], 0, f"G{g_no}国道")
        a1 = a0 + rng.uniform(1.0, 2.1)
        s1 = int(rng.integers(200, 340))
        highway([a1, a1 + np.pi + rng.uniform(-0.5, 0.5)], 1, f"S{s1}省道")
        # a provincial road between two far-apart township centres
        tc = self.township_src[1:]
        dd = np.hypot(*(pts[tc][:, None, :] - pts[tc][None, :, :]).transpose(2, 0, 1))
        i, j = np.unravel_index(np.argmax(dd * rng.uniform(0.8, 1.0, dd.shape)), dd.shape)
        s2 = s1 + int(rng.integers(5, 40))
        path = graph_path(g_all, int(tc[i]), int(tc[j]))
        for k in edges_of(path):
            chosen[k] = True
            if cls[k] > 1:
                cls[k] = 1
                names[k] = f"S{s2}省道"

        # county roads: seat to every township centre over the network
        w_net = np.where(chosen, length, 0.0) * np.where(cls <= 1, 0.7, 1.0)
        sel = chosen
        g_net = sparse.csr_matrix((np.concatenate([w_net[sel], w_net[sel]]),
                                   (np.concatenate([e[sel, 0], e[sel, 1]]),
                                    np.concatenate([e[sel, 1], e[sel, 0]]))), shape=(n_v, n_v))
        for t in range(1, self.n_t):
            path = graph_path(g_net, seat_v, int(self.township_src[t]))
            for k in edges_of(path):
                if cls[k] > 2:
                    cls[k] = 2
                    names[k] = f"X{t:03d}县道"
        # township roads: township centre to each of its villages
        for t in range(self.n_t):
            src = int(self.township_src[t])
            dist, pred = csgraph.dijkstra(g_net, directed=False, indices=src,
                                          return_predecessors=True)
            for vtx in np.flatnonzero(self.village_township == t):
                if vtx == src or not np.isfinite(dist[vtx]):
                    continue
                nodes = [int(vtx)]
                while nodes[-1] != src:
                    nodes.append(int(pred[nodes[-1]]))
                for k in edges_of(nodes):
                    if cls[k] > 3:
                        cls[k] = 3
                        names[k] = f"Y{t * 10 + 1:03d}乡道"
        lines: list[tuple[np.ndarray, int, str]] = []
        for k in np.flatnonzero(chosen):
            a, b = e[k]
            name = names[k] or f"{self.village_base[a]}—{self.village_base[b]}村道"
            lines.append((_wiggle(rng, pts[a], pts[b]), int(cls[k]), name))
        lines.extend(ext_lines)

        # streets of the seat: a slightly rotated grid centred on the seat
        rot = rng.uniform(-0.4, 0.4)
        nx = int(rng.integers(7, 10))
        spacing = rng.uniform(280, 360)
        half = (nx - 1) / 2 * spacing
        street_names = list(rng.permutation(_STREETS))
        ux = np.array([math.cos(rot), math.sin(rot)])
        uy = np.array([-math.sin(rot), math.cos(rot)])
        mid = (nx - 1) // 2
        for axis, (u1, u2) in enumerate([(ux, uy), (uy, ux)]):
            for i in range(nx):
                off = (i * spacing - half) + rng.normal(0, 15)
                ext = half + rng.uniform(0, 200)
                start = self.seat + off * u2 - ext * u1
                end = self.seat + off * u2 + (half + rng.uniform(0, 200)) * u1
                c = np.linspace(0, 1, 9)[:, None] * (end - start) + start
                c[1:-1] += rng.normal(0, 3, (7, 2))
                lines.append((c, 2 if i == mid else 3, street_names.pop(0)))
        # main streets of the township centres
        for t in range(1, self.n_t):
            p = self.township_xy[t]
            ang = rng.uniform(0, np.pi)
            for m, suffix in enumerate(["大街", "街"]):
                a = ang + m * np.pi / 2 + rng.normal(0, 0.2)
                L = rng.uniform(500, 1100) if m == 0 else rng.uniform(300, 700)
                dvec = np.array([math.sin(a), math.cos(a)])
                c = _wiggle(rng, p - L * dvec, p + L * dvec, step=80, rel=0.02)
                lines.append((c, 3, f"{self.township_short[t]}{suffix}"))
        # lanes from villages out to their groups (组)
        deg_dirs: dict[int, list[float]] = {}
        for k in np.flatnonzero(chosen):
            a, b = e[k]
            deg_dirs.setdefault(int(a), []).append(math.atan2(*(pts[b] - pts[a])))
            deg_dirs.setdefault(int(b), []).append(math.atan2(*(pts[a] - pts[b])))
        for v in range(n_v):
            if self.village_community[v]:
                continue
            n_sp = int(rng.integers(1, 4))
            dirs = sorted(deg_dirs.get(v, []))
            for m in range(n_sp):
                if dirs:
                    gaps = np.diff(np.array(dirs + [dirs[0] + 2 * np.pi]))
                    gi = int(np.argmax(gaps))
                    ang = dirs[gi] + gaps[gi] * rng.uniform(0.35, 0.65)
                else:
                    ang = rng.uniform(0, 2 * np.pi)
                L = rng.uniform(400, 1400)
                end = pts[v] + L * np.array([math.sin(ang), math.cos(ang)])
                c = _wiggle(rng, pts[v], end, step=80, rel=0.06)
                lines.append((c, 4, f"{self.village_name[v]}{m + 1}组道路"))
                dirs = sorted(dirs + [math.atan2(math.sin(ang), math.cos(ang))])
        geoms = np.array([shapely.LineString(c) for c, _, _ in lines], dtype=object)
        ok = shapely.within(geoms, self.county)
        # wiggly edges that stray out of the county: clip them
        if not ok.all():
            geoms[~ok] = shapely.intersection(geoms[~ok], self.county)
        line_cls = np.array([c for _, c, _ in lines])
        line_name = np.array([nm for _, _, nm in lines], dtype=object)
        # node the network: one feature per piece between junctions
        noded = shapely.get_parts(shapely.node(shapely.multilinestrings(
            shapely.get_parts(geoms))))
        noded = noded[shapely.length(noded) > 0.5]
        mids = shapely.line_interpolate_point(noded, 0.5, normalized=True)
        tree = shapely.STRtree(geoms)
        _, src = tree.query_nearest(mids, all_matches=False)
        order = np.lexsort((np.arange(len(noded)), line_cls[src]))
        self.road_geom = noded[order]
        self.road_cls = line_cls[src][order]
        self.road_name = line_name[src][order]
        mx, my = shapely.get_coordinates(mids[order]).T
        self.road_township = self.village_township[self._locate(mx, my)]
        self.graph = _RoadGraph(self.road_geom)
        # bearings where each piece leaves its start / its end
        L = shapely.length(self.road_geom)
        p0 = shapely.get_coordinates(shapely.get_point(self.road_geom, 0))
        p1 = shapely.get_coordinates(shapely.line_interpolate_point(self.road_geom, np.minimum(15, L)))
        q0 = shapely.get_coordinates(shapely.get_point(self.road_geom, -1))
        q1 = shapely.get_coordinates(shapely.line_interpolate_point(self.road_geom, np.maximum(L - 15, 0)))
        self.road_b_start = _bearing(*(p1 - p0).T)
        self.road_b_end = _bearing(*(q1 - q0).T)

    def _on_roads(self, rng, n: int, weight: np.ndarray):
        """n points along roads chosen by weight; with the road bearing there."""
        p = weight / weight.sum()
        idx = rng.choice(len(self.road_geom), size=n, p=p)
        L = shapely.length(self.road_geom[idx])
        d = rng.uniform(0, 1, n) * L
        g = self.road_geom[idx]
        c = shapely.get_coordinates(shapely.line_interpolate_point(g, d))
        a = shapely.get_coordinates(shapely.line_interpolate_point(g, np.maximum(d - 5, 0)))
        b = shapely.get_coordinates(shapely.line_interpolate_point(g, np.minimum(d + 5, L)))
        return c[:, 0], c[:, 1], _bearing(*(b - a).T), idx

    # -- schools ------------------------------------------------------------
    def _schools(self):
        rng = self.rngs["schools"]
        recs: list[tuple[np.ndarray, str, bool]] = []  # (centre, name, campus polygon?)

        def near(p, r0, r1):
            for _ in range(20):
                a = rng.uniform(0, 2 * np.pi)
                q = p + rng.uniform(r0, r1) * np.array([math.sin(a), math.cos(a)])
                if self._inside(q[0], q[1]):
                    return q
            return np.array(p, float)

        seat = self.seat
        n_primary = int(rng.integers(4, 7))
        for i in range(n_primary):
            recs.append((near(seat, 200, 1800), f"城关镇第{'一二三四五六七'[i]}小学", False))
        recs.append((near(seat, 300, 1500), f"{COUNTY_NAME}第一初级中学", True))
        recs.append((near(seat, 300, 1800), f"{COUNTY_NAME}第二初级中学", True))
        recs.append((near(seat, 600, 2200), f"{COUNTY_NAME}第一高级中学", True))
        recs.append((near(seat, 800, 2500), f"{COUNTY_NAME}职业教育中心", True))
        for t in range(1, self.n_t):
            p = self.township_xy[t]
            nm = self.township_name[t]
            recs.append((near(p, 150, 600), f"{nm}中心小学", False))
            recs.append((near(p, 200, 800), f"{nm}初级中学", rng.random() < 0.5))
        # village primary schools in the larger villages
        n_target = int(rng.integers(75, 86))
        cand = np.flatnonzero(~self.village_community)
        cand = np.setdiff1d(cand, self.township_src)
        w = self.village_pop[cand].astype(float) ** 1.5
        k = max(0, n_target - len(recs))
        chosen = np.sort(rng.choice(cand, size=min(k, len(cand)), replace=False, p=w / w.sum()))
        for v in chosen:
            recs.append((near(self.village_xy[v], 80, 400), f"{self.village_base[v]}小学", False))
        geoms = []
        for p, _, campus in recs:
            if campus:
                g = _rectangle(rng, p[0], p[1], rng.uniform(120, 220), rng.uniform(80, 150))
                if not shapely.within(g, self.county):
                    g = shapely.Point(p)
            else:
                g = shapely.Point(p)
            geoms.append(g)
        self.school_geom = np.array(geoms, dtype=object)
        self.school_name = [nm for _, nm, _ in recs]
        c = shapely.get_coordinates(shapely.centroid(self.school_geom))
        self.school_xy = c
        self.school_village = self._locate(c[:, 0], c[:, 1])

    # -- cameras ------------------------------------------------------------
    def _cameras(self):
        rng = self.rngs["cameras"]
        n_total = int(rng.integers(1900, 2101))
        share = {"checkpoint": rng.uniform(0.14, 0.16), "ptz": rng.uniform(0.09, 0.11),
                 "dome": rng.uniform(0.19, 0.21)}
        target = {k: int(round(v * n_total)) for k, v in share.items()}
        target["fixed"] = n_total - sum(target.values())
        X: list[np.ndarray] = []
        Y: list[np.ndarray] = []
        KIND: list[np.ndarray] = []
        AZ: list[np.ndarray] = []
        CTX: list[np.ndarray] = []   # name template
        REF: list[np.ndarray] = []   # road or school name
        INST: list[np.ndarray] = []  # forced installation date (ordinal) or 0

        def add(x, y, kind, az, ctx, ref, inst=None):
            n = len(x)
            X.append(np.asarray(x, float))
            Y.append(np.asarray(y, float))
            KIND.append(np.broadcast_to(np.asarray(kind, dtype=object), (n,)).copy())
            AZ.append(np.broadcast_to(np.asarray(az, float), (n,)).copy())
            CTX.append(np.broadcast_to(np.asarray(ctx, dtype=object), (n,)).copy())
            REF.append(np.broadcast_to(np.asarray(ref, dtype=object), (n,)).copy())
            INST.append(np.zeros(n, np.int64) if inst is None else np.asarray(inst, np.int64))

        def count(kind):
            return sum(int((k == kind).sum()) for k in KIND)

        def offset(x, y, r0, r1):
            n = len(x)
            a = rng.uniform(0, 2 * np.pi, n)
            r = rng.uniform(r0, r1, n)
            nx, ny = x + r * np.sin(a), y + r * np.cos(a)
            ok = self._inside(nx, ny)
            return np.where(ok, nx, x), np.where(ok, ny, y)

        # village centres (video coverage of villages; all remediated remote villages)
        remote = self.village_remote
        remediated = np.array([d is not None for d in self.village_remediated_on])
        n_c = np.where(self.village_community, rng.integers(2, 4, self.n_v),
                       np.where(remote & remediated, rng.integers(1, 3, self.n_v),
                                np.where(remote, (rng.random(self.n_v) < 0.4).astype(int),
                                         (rng.random(self.n_v) < 0.85).astype(int))))
        n_c[self.township_src] = 2
        vi = np.repeat(np.arange(self.n_v), n_c)
        x, y = offset(self.village_xy[vi, 0], self.village_xy[vi, 1], 5, 120)
        kind = np.where(rng.random(len(vi)) < 0.55, "dome", "fixed")
        az = np.where((kind == "dome") & (rng.random(len(vi)) < 0.5), np.nan,
                      rng.uniform(0, 360, len(vi)))
        inst = np.zeros(len(vi), np.int64)
        for m, v in enumerate(vi):
            d = self.village_remediated_on[v]
            if d is not None:
                inst[m] = (d - dt.timedelta(days=int(rng.integers(10, 120)))).toordinal()
        first = np.r_[True, vi[1:] != vi[:-1]]
        add(x, y, kind, az, np.where(first, "village", "village_gate"), "", inst)
        # schools
        n_s = rng.integers(1, 4, len(self.school_xy))
        si = np.repeat(np.arange(len(self.school_xy)), n_s)
        sx, sy = self.school_xy[si].T
        x, y = offset(sx, sy, 25, 90)
        kind = np.where(rng.random(len(si)) < 0.7, "fixed", "dome")
        az = np.where(kind == "fixed", _bearing(sx - x, sy - y), np.nan)
        add(x, y, kind, az, "school", np.array(self.school_name, dtype=object)[si])

        cls = self.road_cls
        L = shapely.length(self.road_geom)
        near_seat = np.hypot(*(shapely.get_coordinates(shapely.centroid(self.road_geom))
                               - self.seat).T) < 2500
        g = self.graph
        # checkpoints: county entrances, then main roads
        n_ck = max(0, target["checkpoint"])
        ends = np.flatnonzero((g.degree == 1))
        ends = ends[shapely.distance(shapely.points(g.xy[ends]), self.county.exterior) < 100]
        ck_x, ck_y, ck_b, ck_ref = [], [], [], []
        for nd in ends:
            pcs = np.flatnonzero((g.u == nd) | (g.v == nd))
            if not len(pcs) or cls[pcs[0]] > 1:
                continue
            p = pcs[0]
            b = self.road_b_start[p] if g.u[p] == nd else self.road_b_end[p]
            for flip in (0.0, 180.0):
                ck_x.append(g.xy[nd, 0] + 20 * math.sin(math.radians(b)))
                ck_y.append(g.xy[nd, 1] + 20 * math.cos(math.radians(b)))
                ck_b.append((b + flip) % 360)
                ck_ref.append(self.road_name[p])
        if ck_x:
            add(np.array(ck_x), np.array(ck_y), "checkpoint", np.array(ck_b), "entrance",
                np.array(ck_ref, dtype=object))
        rest = n_ck - count("checkpoint")
        if rest > 0:
            w = L * np.array([6.0, 5.0, 2.5, 0.6, 0.05])[cls]
            x, y, b, idx = self._on_roads(rng, rest, w)
            b = (b + np.where(rng.random(rest) < 0.5, 0.0, 180.0)) % 360
            add(x, y, "checkpoint", b, "checkpoint", self.road_name[idx])

        # junctions
        junctions = np.flatnonzero(g.degree >= 3)
        best_cls = np.full(len(g.xy), 4)
        np.minimum.at(best_cls, g.u, cls)
        np.minimum.at(best_cls, g.v, cls)
        jd = np.hypot(*(g.xy[junctions] - self.seat).T)
        jw = np.array([4.0, 3.5, 3.0, 1.5, 0.6])[best_cls[junctions]] * np.where(jd < 2500, 3.0, 1.0)
        inc_u = [np.flatnonzero(g.u == j) for j in range(len(g.xy))] if len(junctions) else []
        inc_v = [np.flatnonzero(g.v == j) for j in range(len(g.xy))] if len(junctions) else []

        def junction_cams(n, kind, ctx):
            if n <= 0 or not len(junctions):
                return
            replace = n > len(junctions)
            jj = rng.choice(junctions, size=n, replace=replace, p=jw / jw.sum())
            jx, jy = g.xy[jj].T
            x, y = offset(jx, jy, 5, 25)
            az = np.empty(n)
            ref = np.empty(n, dtype=object)
            for m, j in enumerate(jj):
                arms = [(int(p), True) for p in inc_u[j]] + [(int(p), False) for p in inc_v[j]]
                p, at_start = arms[int(rng.integers(len(arms)))]
                az[m] = self.road_b_start[p] if at_start else self.road_b_end[p]
                ref[m] = self.road_name[p]
            if kind == "dome":
                az = np.where(rng.random(n) < 0.4, np.nan, rng.uniform(0, 360, n))
            elif kind == "ptz":
                az = rng.uniform(0, 360, n)
            add(x, y, kind, az, ctx, ref)

        junction_cams(max(0, target["ptz"] - count("ptz")), "ptz", "junction")
        rest_dome = max(0, target["dome"] - count("dome"))
        junction_cams(rest_dome // 2, "dome", "junction")
        rest_dome = max(0, target["dome"] - count("dome"))
        if rest_dome:
            w = L * np.where(near_seat, 6.0, 0.3) * np.array([1, 1, 1.5, 1.5, 1.0])[cls]
            x, y, b, idx = self._on_roads(rng, rest_dome, w)
            x, y = offset(x, y, 3, 12)
            az = np.where(rng.random(rest_dome) < 0.4, np.nan, rng.uniform(0, 360, rest_dome))
            add(x, y, "dome", az, "road", self.road_name[idx])
        rest_fixed = max(0, target["fixed"] - count("fixed"))
        n_j = int(rest_fixed * 0.3)
        junction_cams(n_j, "fixed", "junction")
        rest_fixed = max(0, target["fixed"] - count("fixed"))
        if rest_fixed:
            cent = shapely.get_coordinates(shapely.centroid(self.road_geom))
            dt_ = np.hypot(*(cent[:, None, :] - self.township_xy[None, :, :]).transpose(2, 0, 1)).min(1)
            w = L * np.array([3.0, 3.0, 2.5, 1.5, 0.5])[cls] \
                * np.where(near_seat, 5.0, 1.0) * np.where(dt_ < 900, 2.5, 1.0)
            x, y, b, idx = self._on_roads(rng, rest_fixed, w)
            x, y = offset(x, y, 3, 10)
            across = rng.random(rest_fixed) < 0.25
            b = (b + np.where(across, 90.0, 0.0) + np.where(rng.random(rest_fixed) < 0.5, 0, 180)) % 360
            add(x, y, "fixed", b, "road", self.road_name[idx])

        x = np.concatenate(X)
        y = np.concatenate(Y)
        kind = np.concatenate(KIND)
        az = np.concatenate(AZ)
        ctx = np.concatenate(CTX)
        ref = np.concatenate(REF)
        inst = np.concatenate(INST)
        n = len(x)
        vil = self._locate(x, y)
        # attributes per kind
        fov = np.where(kind == "fixed", np.round(rng.uniform(60, 100, n)),
                       np.where(kind == "checkpoint", np.round(rng.uniform(40, 60, n)), 360.0))
        rng_m = np.select(
            [kind == "fixed", kind == "dome", kind == "ptz", kind == "checkpoint"],
            [rng.uniform(30, 150, n), rng.uniform(30, 80, n), rng.uniform(80, 200, n),
             rng.uniform(50, 80, n)])
        rng_m = np.round(rng_m)
        status = rng.choice(np.array(CAMERA_STATUSES, dtype=object), size=n,
                            p=[0.96, 0.025, 0.015])
        # installation: the 雪亮工程 push of 2018-2020, steady since, remediation in the plan year
        years = np.arange(2018, 2027)
        yw = np.array([0.22, 0.2, 0.15, 0.08, 0.07, 0.07, 0.07, 0.06, 0.08])
        yr = rng.choice(years, size=n, p=yw / yw.sum())
        day = rng.integers(0, 365, n)
        base = np.array([dt.date(int(v), 1, 1).toordinal() for v in years])
        ordv = base[yr - 2018] + day
        ordv = np.minimum(ordv, dt.date(PLAN_YEAR, 11, 20).toordinal())
        ordv = np.where(inst > 0, inst, ordv)
        in_remote = self.village_remote[vil]
        networked = rng.random(n) < np.where(in_remote, 0.8, 0.94)
        # names
        names = np.empty(n, dtype=object)
        vname = self.village_name[vil]
        for i in range(n):
            c, r, v = ctx[i], ref[i], vname[i]
            if c == "village":
                names[i] = f"{v}{'村委会' if v.endswith('村') else '居委会'}"
            elif c == "village_gate":
                names[i] = f"{v}{'村口' if v.endswith('村') else '小区门口'}"
            elif c == "school":
                names[i] = f"{r}门口"
            elif c == "entrance":
                names[i] = f"{r}县界卡口"
            elif c == "checkpoint":
                names[i] = f"{r}{self.village_base[vil[i]]}治安卡口"
            elif c == "junction":
                names[i] = f"{r}{self.village_base[vil[i]]}路口"
            else:
                names[i] = f"{r}{self.village_base[vil[i]]}段"
        tw = self.village_township[vil]
        order = np.lexsort((np.arange(n), vil, tw))
        self.cam = dict(
            x=x[order], y=y[order], kind=kind[order], azimuth=az[order], fov=fov[order],
            range_m=rng_m[order], status=status[order], networked=networked[order],
            installed_on=ordv[order], village=vil[order], name=names[order])

    # -- incidents ----------------------------------------------------------
    def _incidents(self):
        rng = self.rngs["incidents"]
        start = dt.date(2024, 11, 27)
        n_days = (AS_OF - start).days + 1
        days = [start + dt.timedelta(days=i) for i in range(n_days)]
        self.incident_start = start
        season = {c: _season(c, days) for c in INCIDENT_CATEGORIES}
        hours = {c: _hour_profile(c) for c in INCIDENT_CATEGORIES}
        tday = np.arange(n_days, dtype=float)
        n_total = int(rng.integers(31500, 33001))  # remediation removes a few later

        comps = []  # (sampler, mix, trend, weight)

        def trend_kind():
            u = rng.random()
            if u < 0.6:
                return np.ones(n_days)
            d0 = rng.uniform(200, 600)
            sig = 1 / (1 + np.exp(-(tday - d0) / rng.uniform(20, 60)))
            if u < 0.8:  # emerging
                return 0.08 + sig
            return 0.08 + 1 - sig  # fading

        def blob(cx, cy, s1, s2, ang):
            def sample(n):
                a = rng.normal(0, s1, n)
                b = rng.normal(0, s2, n)
                return (cx + a * math.sin(ang) + b * math.cos(ang),
                        cy + a * math.cos(ang) - b * math.sin(ang))
            return sample

        g = self.graph
        # the seat: markets, station, streets
        seat_nodes = np.flatnonzero(np.hypot(*(g.xy - self.seat).T) < 1600)
        n_seat = int(rng.integers(10, 15))
        if len(seat_nodes):
            pick = rng.choice(seat_nodes, size=min(n_seat, len(seat_nodes)), replace=False)
        else:
            pick = np.zeros(0, int)
        for nd in pick:
            s = rng.uniform(100, 250)
            comps.append((blob(*g.xy[nd], s, s * rng.uniform(0.6, 1), rng.uniform(0, np.pi)),
                          _mix(_MIX_SEAT, 0.002), trend_kind(), rng.lognormal(0, 0.5) * 1.6))
        # township centres
        for t in range(1, self.n_t):
            for _ in range(1 + int(rng.random() < 0.35)):
                p = self.township_xy[t] + rng.normal(0, 250, 2)
                s = rng.uniform(150, 350)
                comps.append((blob(p[0], p[1], s, s * rng.uniform(0.6, 1), rng.uniform(0, np.pi)),
                              _mix(_MIX_TOWN, 0.002), trend_kind(), rng.lognormal(0, 0.5)))
        # blackspots on main roads
        main = np.flatnonzero(self.road_cls <= 1)
        jn = np.unique(np.concatenate([g.u[main], g.v[main]]))
        jn = jn[g.degree[jn] >= 3]
        jn = jn[np.hypot(*(g.xy[jn] - self.seat).T) > 1500]
        n_bs = min(len(jn), int(rng.integers(6, 11)))
        for nd in (rng.choice(jn, size=n_bs, replace=False) if n_bs else []):
            pcs = np.flatnonzero(((g.u == nd) | (g.v == nd)) & (self.road_cls <= 1))
            p = pcs[0]
            b = math.radians(self.road_b_start[p] if g.u[p] == nd else self.road_b_end[p])
            comps.append((blob(*g.xy[nd], rng.uniform(150, 350), rng.uniform(20, 50), b),
                          _mix(_MIX_ROAD, 0.001), trend_kind(), rng.lognormal(0, 0.4) * 0.8))
        # special village clusters (drugs, fund-raising, feuds ...)
        cand = np.flatnonzero(~self.village_community)
        w = self.village_pop[cand].astype(float)
        for m, v in enumerate(rng.choice(cand, size=int(rng.integers(4, 7)), replace=False,
                                         p=w / w.sum())):
            s = rng.uniform(200, 400)
            p = self.village_xy[v]
            comps.append((blob(p[0], p[1], s, s, 0.0),
                          _mix(_MIX_VILLAGE_SPECIAL[m % len(_MIX_VILLAGE_SPECIAL)], 0.002),
                          trend_kind(), rng.lognormal(0, 0.3) * 0.6))
        cluster_w = np.array([c[3] for c in comps])
        share_cluster = rng.uniform(0.58, 0.65)
        share_road = 0.09
        counts_cluster = rng.multinomial(int(round(n_total * share_cluster)),
                                         cluster_w / cluster_w.sum())
        n_road = int(round(n_total * share_road))
        n_bg = n_total - counts_cluster.sum() - n_road

        XS, YS, CATS, DAYS = [], [], [], []

        def draw_points(sampler, n):
            xs = np.empty(0)
            ys = np.empty(0)
            for _ in range(20):
                need = n - len(xs)
                if need <= 0:
                    break
                x, y = sampler(int(need * 1.3) + 5)
                ok = self._inside(x, y)
                xs = np.concatenate([xs, x[ok]])
                ys = np.concatenate([ys, y[ok]])
            if len(xs) < n:  # pathological: pad with the seat
                pad = n - len(xs)
                xs = np.concatenate([xs, np.full(pad, self.seat[0])])
                ys = np.concatenate([ys, np.full(pad, self.seat[1])])
            return xs[:n], ys[:n]

        def draw_times(mix, trend, n):
            cats = rng.choice(len(INCIDENT_CATEGORIES), size=n, p=mix)
            dd = np.empty(n, np.int64)
            for k in np.unique(cats):
                sel = cats == k
                w = trend * season[INCIDENT_CATEGORIES[k]]
                dd[sel] = rng.choice(n_days, size=int(sel.sum()), p=w / w.sum())
            return cats, dd

        for (sampler, mix, trend, _), n in zip(comps, counts_cluster):
            if n == 0:
                continue
            x, y = draw_points(sampler, n)
            cats, dd = draw_times(mix, trend, n)
            XS.append(x), YS.append(y), CATS.append(cats), DAYS.append(dd)
        # background: by village population, around the settlement
        pop = self.village_pop.astype(float)
        area = shapely.area(self.village_geom)

        def bg_sampler(n):
            v = rng.choice(self.n_v, size=n, p=pop / pop.sum())
            s = np.where(rng.random(n) < 0.7, 0.15, 0.45) * np.sqrt(area[v])
            return (self.village_xy[v, 0] + rng.normal(0, 1, n) * s,
                    self.village_xy[v, 1] + rng.normal(0, 1, n) * s)

        x, y = draw_points(bg_sampler, n_bg)
        cats, dd = draw_times(_mix(_MIX_BACKGROUND, 0.003), np.ones(n_days), n_bg)
        XS.append(x), YS.append(y), CATS.append(cats), DAYS.append(dd)
        # background on roads (traffic)
        L = shapely.length(self.road_geom)
        x, y, _, _ = self._on_roads(rng, n_road, L * np.array([4.0, 3.0, 2.0, 1.0, 0.3])[self.road_cls])
        x = x + rng.normal(0, 6, n_road)
        y = y + rng.normal(0, 6, n_road)
        ok = self._inside(x, y)
        x = np.where(ok, x, self.seat[0])
        y = np.where(ok, y, self.seat[1])
        cats, dd = draw_times(_mix(_MIX_ROAD_BACKGROUND, 0.001), np.ones(n_days), n_road)
        XS.append(x), YS.append(y), CATS.append(cats), DAYS.append(dd)

        x = np.concatenate(XS)
        y = np.concatenate(YS)
        cats = np.concatenate(CATS)
        dd = np.concatenate(DAYS)
        n = len(x)
        hrs = np.empty(n, np.int64)
        for k in range(len(INCIDENT_CATEGORIES)):
            sel = cats == k
            if sel.any():
                hrs[sel] = rng.choice(24, size=int(sel.sum()), p=hours[INCIDENT_CATEGORIES[k]])
        secs = dd * 86400 + hrs * 3600 + rng.integers(0, 3600, n)
        t = np.datetime64(start.isoformat(), "s") + secs.astype("timedelta64[s]")
        order = np.lexsort((y, x, t))
        self.inc_x = x[order]
        self.inc_y = y[order]
        self.inc_cat = cats[order]
        self.inc_t = t[order]
        self.inc_village = self._locate(self.inc_x, self.inc_y)

    # -- patrol teams -------------------------------------------------------
    def _teams(self):
        rng = self.rngs["teams"]
        n_t = self.n_t
        under_t = np.zeros(n_t, bool)
        under_t[rng.choice(n_t, size=int(round(n_t / 3)), replace=False)] = True
        members_t = np.where(under_t, rng.integers(8, 15, n_t), rng.integers(15, 26, n_t))
        has = rng.random(self.n_v) < 0.7
        has[self.township_src] = True
        vt = np.flatnonzero(has)
        under_v = np.zeros(len(vt), bool)
        under_v[rng.choice(len(vt), size=int(round(len(vt) / 4)), replace=False)] = True
        members_v = np.where(under_v, rng.integers(2, 6, len(vt)), rng.integers(6, 13, len(vt)))
        teams = []
        for t in range(n_t):
            a = rng.uniform(0, 2 * np.pi)
            p = self.township_xy[t] + rng.uniform(60, 250) * np.array([math.sin(a), math.cos(a)])
            if not self._inside(*p):
                p = self.township_xy[t]
            teams.append(dict(code=f"T{self.township_code[t]}",
                              name=f"{self.township_name[t]}专职巡防队",
                              kind="township_fulltime", township=t, village=None,
                              members=int(members_t[t]), xy=p))
        for m, v in enumerate(vt):
            a = rng.uniform(0, 2 * np.pi)
            p = self.village_xy[v] + rng.uniform(20, 120) * np.array([math.sin(a), math.cos(a)])
            if not self._inside(*p):
                p = self.village_xy[v]
            teams.append(dict(code=f"V{self.village_code[v]}",
                              name=f"{self.village_name[v]}义务巡防队",
                              kind="village_volunteer", township=int(self.village_township[v]),
                              village=int(v), members=int(members_v[m]), xy=p))
        self.teams = teams

    # -- patrol routes ------------------------------------------------------
    def _routes(self):
        rng = self.rngs["routes"]
        g = self.graph
        routes = []

        def loop(base_xy, radius, k):
            base = g.nearest_main(base_xy)
            dist, _ = g.shortest(base)
            # targets within ``radius`` along the network (not as the crow flies)
            cand = np.flatnonzero((dist <= radius) & (dist > 0.2 * radius))
            if len(cand) < 1:
                return None
            # prefer junctions and far-out points for a proper round
            w = np.where(g.degree[cand] >= 3, 2.0, 1.0) * (0.3 + dist[cand] / radius)
            tg = rng.choice(cand, size=min(k, len(cand)), replace=False, p=w / w.sum())
            ang = _bearing(*(g.xy[tg] - g.xy[base]).T)
            tg = tg[np.argsort(ang, kind="stable")]
            stops = [base] + [int(s) for s in tg] + [base]
            nodes = [base]
            for a, b in zip(stops[:-1], stops[1:]):
                p = g.path(a, b)
                if p is None:
                    continue
                nodes.extend(p[1:])
            if len(nodes) < 3:
                return None
            c = g.coords(nodes)
            keep = np.r_[True, np.any(np.diff(c, axis=0) != 0, axis=1)]
            c = c[keep]
            if len(c) < 3:
                return None
            c[-1] = c[0]  # a closed loop back to the base
            return shapely.LineString(c)

        for team in self.teams:
            if team["kind"] == "township_fulltime":
                seat = team["township"] == 0
                specs = [("08:00-16:00", "日间", 1400 if seat else rng.uniform(2500, 4000), 4)]
                if rng.random() < 0.7:
                    specs.append(("18:00-23:00", "夜间", 1000 if seat else rng.uniform(1500, 2500), 3))
            else:
                if rng.random() >= 0.4:
                    continue
                shift = ["19:00-22:00", "20:00-22:30", "07:00-09:30"][int(rng.integers(3))]
                specs = [(shift, "", rng.uniform(900, 1600), int(rng.integers(2, 4)))]
            for m, (shift, label, radius, k) in enumerate(specs):
                min_len = (2.0 if team["kind"] == "township_fulltime" else 1.2) * radius
                for _ in range(4):
                    line = loop(team["xy"], radius, k)
                    if line is not None and line.length >= min_len:
                        break
                    radius *= 1.5
                if line is None:
                    continue
                routes.append(dict(code=f"{team['code']}-R{m + 1}",
                                   name=f"{team['name']}{label}巡逻路线",
                                   team_code=team["code"], shift=shift,
                                   township=team["township"], geom=line,
                                   kind=team["kind"]))
        self.routes = routes

    # -- patrol tracks ------------------------------------------------------
    def _tracks(self):
        rng = self.rngs["tracks"]
        first_day = AS_OF - dt.timedelta(days=6)
        XS, YS, TS, TEAM, ROUTE = [], [], [], [], []
        for r in self.routes:
            if r["kind"] == "village_volunteer":
                if rng.random() >= 0.75:
                    continue
                p_day = 0.75
            else:
                p_day = 0.93
            line = r["geom"]
            L = line.length
            if L < 50:
                continue
            h0, h1 = r["shift"].split("-")
            m0 = int(h0[:2]) * 60 + int(h0[3:])
            m1 = int(h1[:2]) * 60 + int(h1[3:])
            n_stops = int(rng.integers(2, 5))
            stop_at = np.sort(rng.uniform(0.05, 0.95, n_stops)) * L
            for day in range(7):
                if rng.random() >= p_day:
                    continue
                t0 = m0 + int(rng.integers(-10, 16))
                t1 = m1 + int(rng.integers(-20, 11))
                v = rng.uniform(250, 500)  # metres per minute: 15-30 km/h
                T = [float(t0)]
                D = [0.0]
                t, d, lap = float(t0), 0.0, 0
                while t < t1 and lap < 200:
                    for s in list(stop_at) + [L]:
                        target = lap * L + s
                        t += (target - d) / (v * rng.uniform(0.8, 1.2))
                        d = target
                        T.append(t)
                        D.append(d)
                        if s < L and rng.random() < 0.5:
                            t += rng.uniform(10, 20)
                            T.append(t)
                            D.append(d)
                        if t >= t1:
                            break
                    lap += 1
                minutes = np.arange(t0, t1, dtype=float)
                dist = np.interp(minutes, T, D) % L
                c = shapely.get_coordinates(shapely.line_interpolate_point(line, dist))
                sigma = rng.uniform(4, 11)
                c = c + rng.normal(0, sigma, c.shape)
                sec0 = int(rng.integers(0, 60))
                day_start = np.datetime64((first_day + dt.timedelta(days=day)).isoformat(), "s")
                ts = day_start + (minutes.astype(np.int64) * 60 + sec0).astype("timedelta64[s]")
                XS.append(c[:, 0])
                YS.append(c[:, 1])
                TS.append(ts)
                TEAM.append(np.full(len(c), r["team_code"], dtype=object))
                ROUTE.append(np.full(len(c), r["code"], dtype=object))
        x = np.concatenate(XS)
        y = np.concatenate(YS)
        # GPS noise may put a fix just outside the county: it is kept (real tracks do
        # that too) and located in the nearest village
        self.trk = dict(x=x, y=y, t=np.concatenate(TS), team=np.concatenate(TEAM),
                        route=np.concatenate(ROUTE), village=self._locate(x, y))

    # -- hotspots -----------------------------------------------------------
    def _hotspots(self):
        """The listed hotspots of the last quarters and the effect of their remediation.

        Each quarter's list is picked on the previous quarter's incidents: the
        places carried over from the last list, then the densest clusters not
        listed yet, about 10 county-level ones and 1-3 township-level ones per
        township. Remediation works on most listed places: their incidents
        thin out a few weeks into the quarter (incidents are removed), so at the
        next evaluation they are delisted; the others are carried over.
        """
        rng = self.rngs["hotspots"]
        minx, miny, maxx, maxy = self.county.bounds
        cell = 200.0
        nx = int(math.ceil((maxx - minx) / cell))
        ny = int(math.ceil((maxy - miny) / cell))
        main_roads = np.flatnonzero(self.road_cls <= 3)
        road_tree = shapely.STRtree(self.road_geom[main_roads])
        town_villages = set(int(v) for v in self.township_src)
        alive = np.ones(len(self.inc_x), bool)
        recs: list[dict] = []
        prev: list[dict] = []

        def quarter_bounds(year, qn):
            a = dt.date(year, 3 * qn - 2, 1)
            b = dt.date(year + (qn == 4), (3 * qn) % 12 + 1, 1)
            return a, b

        def t64(d):
            return np.datetime64(d.isoformat(), "s")

        def inside_count(poly, a, b):
            x0, y0, x1, y1 = poly.bounds
            m = alive & (self.inc_t >= t64(a)) & (self.inc_t < t64(b)) \
                & (self.inc_x >= x0) & (self.inc_x <= x1) & (self.inc_y >= y0) & (self.inc_y <= y1)
            idx = np.flatnonzero(m)
            return idx[shapely.contains_xy(poly, self.inc_x[idx], self.inc_y[idx])]

        for q in HOTSPOT_QUARTERS:
            year, qn = int(q[:4]), int(q[-1])
            q_start, q_end = quarter_bounds(year, qn)
            p_start, p_end = quarter_bounds(*((year, qn - 1) if qn > 1 else (year - 1, 4)))
            # evaluation of the last list on the quarter just ended
            for p in prev:
                before = len(inside_count(p["geom"], *p["data_period"]))
                during = len(inside_count(p["geom"], p_start, p_end))
                p["status"] = "delisted" if during <= 0.65 * before else "carried_over"
            sel = alive & (self.inc_t >= t64(p_start)) & (self.inc_t < t64(p_end))
            xs, ys, cs = self.inc_x[sel], self.inc_y[sel], self.inc_cat[sel]
            ix = ((xs - minx) / cell).astype(int).clip(0, nx - 1)
            iy = ((ys - miny) / cell).astype(int).clip(0, ny - 1)
            H = np.zeros((nx, ny))
            np.add.at(H, (ix, iy), 1.0)
            S = ndimage.gaussian_filter(H, 1.2)
            peak = (S == ndimage.maximum_filter(S, size=5)) & (S > 0.4)
            px, py_ = np.nonzero(peak)
            val = S[px, py_]
            order = np.lexsort((py_, px, -val))
            px, py_, val = px[order], py_[order], val[order]
            cx = minx + (px + 0.5) * cell
            cy = miny + (py_ + 0.5) * cell
            ok = self._inside(cx, cy)
            cx, cy, val = cx[ok], cy[ok], val[ok]
            pt = self.village_township[self._locate(cx, cy)]

            chosen = [dict(p, carried=True, carried_from=p["code"]) for p in prev
                      if p["status"] == "carried_over"]

            def free(x0, y0):
                return all(math.hypot(x0 - c["x"], y0 - c["y"]) > 700 for c in chosen)

            def new(i, level):
                x0, y0 = cx[i], cy[i]
                near = np.hypot(xs - x0, ys - y0) < 300
                if near.sum() >= 3:
                    x0, y0 = float(xs[near].mean()), float(ys[near].mean())
                cats = cs[near]
                dom = INCIDENT_CATEGORIES[int(np.bincount(cats, minlength=len(INCIDENT_CATEGORIES)).argmax())] \
                    if len(cats) else "theft"
                v = int(self._locate([x0], [y0])[0])
                t = int(self.village_township[v])
                opts = _PLACES.get(dom, ["周边"])
                place = opts[int(rng.integers(len(opts)))]
                if dom == "traffic_accident":
                    ri = np.ravel(road_tree.query_nearest(shapely.Point(x0, y0), all_matches=False))[0]
                    name = f"{self.road_name[main_roads[int(ri)]]}{self.village_base[v]}{place}"
                elif self.village_community[v]:
                    name = f"城关镇{self.village_base[v]}{place}"
                elif v in town_villages:
                    name = f"{self.township_short[t]}{place}"
                else:
                    if place in _URBAN_PLACES:
                        place = _RURAL_PLACES[int(rng.integers(len(_RURAL_PLACES)))]
                    name = f"{self.village_base[v]}{place}"
                semi = rng.uniform(100, 300)
                geom = _noisy_ellipse(rng, x0, y0, semi, semi * rng.uniform(0.6, 1.0))
                if len(inside_count(geom, p_start, p_end)) < 3:
                    return None  # too few incidents to list the place
                if level == "county" and rng.random() < 0.3:
                    unit = "县公安局治安管理大队"
                else:
                    unit = f"{self.township_short[t]}派出所"
                return dict(level=level, township=t, name=name, unit=unit, geom=geom,
                            x=x0, y=y0, carried=False, carried_from=None)

            n_county = int(rng.integers(10, 12))
            for i in range(len(cx)):
                if sum(c["level"] == "county" for c in chosen) >= n_county:
                    break
                if free(cx[i], cy[i]):
                    rec = new(i, "county")
                    if rec is not None:
                        chosen.append(rec)
            for t in range(self.n_t):
                k = int(rng.integers(1, 4))
                have = sum(c["level"] == "township" and c["township"] == t for c in chosen)
                for i in np.flatnonzero(pt == t):
                    if have >= k or (have and val[i] < 0.8):
                        break
                    if free(cx[i], cy[i]):
                        rec = new(i, "township")
                        if rec is not None:
                            chosen.append(rec)
                            have += 1
            # number and date the quarter's list; remediation takes effect on most places
            dl_y, dl_q = (year, qn + 1) if qn < 4 else (year + 1, 1)
            deadline = quarter_bounds(dl_y, dl_q)[1] - dt.timedelta(days=1)
            chosen.sort(key=lambda c: (c["level"] != "county", c["township"], -c["y"], c["x"]))
            cur = []
            for n_i, c in enumerate(chosen):
                rec = dict(c, code=f"H{q}-{n_i + 1:03d}", quarter=q, deadline=deadline,
                           data_period=(p_start, p_end))
                cur.append(rec)
                recs.append(rec)
                if rng.random() < 0.65:
                    effect = q_start + dt.timedelta(days=int(rng.integers(20, 60)))
                    idx = inside_count(rec["geom"], effect, AS_OF + dt.timedelta(days=1))
                    drop = idx[rng.random(len(idx)) < rng.uniform(0.5, 0.85)]
                    alive[drop] = False
            prev = cur
        for r in prev:  # the latest list is being worked on
            r["status"] = "remediating" if (r["carried"] or rng.random() < 0.65) else "listed"
        self.hot = recs
        for name in ("inc_x", "inc_y", "inc_cat", "inc_t", "inc_village"):
            setattr(self, name, getattr(self, name)[alive])

    # -- frames -------------------------------------------------------------
    def _frames(self):
        def frame(data: dict, geoms, name: str) -> gpd.GeoDataFrame:
            gdf = gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(np.asarray(geoms, dtype=object),
                                                                crs=METRIC_CRS))
            gdf = gdf.to_crs("EPSG:4326")
            cols = [c.name for c in LAYERS[name].columns]
            extra = [c for c in gdf.columns if c not in cols and c != "geometry"]
            return gdf[cols + extra + ["geometry"]]

        tcode = np.array(self.township_code, dtype=object)
        vcode = self.village_code
        f = {}
        f["townships"] = frame(dict(code=list(tcode), name=self.township_name,
                                    seat=[t == 0 for t in range(self.n_t)]),
                               self.township_geom, "townships")
        f["villages"] = frame(dict(
            code=list(vcode), name=list(self.village_name),
            township_code=list(tcode[self.village_township]),
            remote=self.village_remote.astype(bool),
            population=self.village_pop.astype(np.int64),
            remediated_on=pd.Series(list(self.village_remediated_on), dtype=object),
        ), self.village_geom, "villages")
        # a stable order: by code
        f["villages"] = f["villages"].sort_values("code", kind="stable").reset_index(drop=True)

        c = self.cam
        n = len(c["x"])
        f["cameras"] = frame(dict(
            code=[f"C{i + 1:05d}" for i in range(n)], name=list(c["name"]),
            kind=list(c["kind"]), azimuth=c["azimuth"].astype(float),
            fov=c["fov"].astype(float), range_m=c["range_m"].astype(float),
            status=list(c["status"]), networked=c["networked"].astype(bool),
            installed_on=pd.Series([dt.date.fromordinal(int(o)) for o in c["installed_on"]],
                                   dtype=object),
            township_code=list(tcode[self.village_township[c["village"]]]),
            village_code=list(vcode[c["village"]]),
        ), shapely.points(c["x"], c["y"]), "cameras")

        years = self.inc_t.astype("datetime64[Y]").astype(int) + 1970
        serial = np.zeros(len(years), np.int64)
        for yv in np.unique(years):
            sel = years == yv
            serial[sel] = np.arange(1, sel.sum() + 1)
        f["incidents"] = frame(dict(
            code=[f"I{yv}{s:06d}" for yv, s in zip(years, serial)],
            occurred_at=pd.DatetimeIndex(self.inc_t.astype("datetime64[ns]")).tz_localize(TIMEZONE),
            category=list(np.array(INCIDENT_CATEGORIES, dtype=object)[self.inc_cat]),
            township_code=list(tcode[self.village_township[self.inc_village]]),
            village_code=list(vcode[self.inc_village]),
        ), shapely.points(self.inc_x, self.inc_y), "incidents")

        sv = self.school_village
        f["schools"] = frame(dict(
            code=[f"S{i + 1:03d}" for i in range(len(self.school_name))],
            name=self.school_name,
            township_code=list(tcode[self.village_township[sv]]),
            village_code=list(vcode[sv]),
        ), self.school_geom, "schools")

        f["roads"] = frame(dict(
            code=[f"R{i + 1:04d}" for i in range(len(self.road_geom))],
            name=list(self.road_name),
            **{"class": list(np.array(_ROAD_CLASSES, dtype=object)[self.road_cls])},
            township_code=list(tcode[self.road_township]),
        ), self.road_geom, "roads")

        tm = self.teams
        f["patrol_teams"] = frame(dict(
            code=[t["code"] for t in tm], name=[t["name"] for t in tm],
            kind=[t["kind"] for t in tm],
            township_code=[tcode[t["township"]] for t in tm],
            village_code=pd.Series([None if t["village"] is None else vcode[t["village"]]
                                    for t in tm], dtype=object),
            members=np.array([t["members"] for t in tm], dtype=np.int64),
        ), [shapely.Point(t["xy"]) for t in tm], "patrol_teams")

        rt = self.routes
        f["patrol_routes"] = frame(dict(
            code=[r["code"] for r in rt], name=[r["name"] for r in rt],
            team_code=[r["team_code"] for r in rt], shift=[r["shift"] for r in rt],
            township_code=[tcode[r["township"]] for r in rt],
            length_m=np.array([r["geom"].length for r in rt]).round(1),
        ), [r["geom"] for r in rt], "patrol_routes")

        k = self.trk
        f["patrol_tracks"] = frame(dict(
            team_code=list(k["team"]),
            recorded_at=pd.DatetimeIndex(k["t"].astype("datetime64[ns]")).tz_localize(TIMEZONE),
            township_code=list(tcode[self.village_township[k["village"]]]),
            village_code=list(vcode[k["village"]]),
            route_code=list(k["route"]),
        ), shapely.points(k["x"], k["y"]), "patrol_tracks")

        hs = self.hot
        f["hotspots"] = frame(dict(
            code=[h["code"] for h in hs], quarter=[h["quarter"] for h in hs],
            level=[h["level"] for h in hs], township_code=[tcode[h["township"]] for h in hs],
            name=[h["name"] for h in hs], status=[h["status"] for h in hs],
            unit=pd.Series([h["unit"] for h in hs], dtype=object),
            deadline=pd.Series([h["deadline"] for h in hs], dtype=object),
            carried_from=pd.Series([h["carried_from"] for h in hs], dtype=object),
        ), [h["geom"] for h in hs], "hotspots")
        self.frames = {name: f[name] for name in LAYERS}


def generate_county(seed: int = 0, progress: bool = False) -> dict[str, gpd.GeoDataFrame]:
    """Build the demo county: one GeoDataFrame per layer of ``layers.catalog.LAYERS``.

    All frames are in EPSG:4326 and carry the catalog's columns (plus a few
    extras: ``townships.seat``, ``patrol_routes.length_m``,
    ``patrol_tracks.route_code``). ``patrol_teams`` has the team's base as
    its point geometry. The same ``seed`` gives identical frames.
    """
    return _County(int(seed), progress).run()


__all__ = ["AS_OF", "COUNTY_CODE", "COUNTY_NAME", "HOTSPOT_QUARTERS", "PLAN_YEAR",
           "generate_county"]

