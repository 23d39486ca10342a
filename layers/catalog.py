"""The layers of the county map, each declared once: columns, geometry, time, look.

A declaration drives the importer (required columns, types, enums), the storage
(``layers.store``: upsert, location of township/village), the OGC API (collections,
schemas, time filter) and the map (``web.maps``: overlay order, which views show it,
styles, legend, popup labels). The SQL table itself is a numbered migration under
``layers/migrations``; ``tests/layers/test_schema.py`` checks that the two agree.
Adding a layer is one ``_add(Layer(...))`` here plus a migration. ``PRIVATE`` layers
(opinion calls) are known to the importer only (``importable``), never served.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from geo.rules import TEAM_MINIMUM, TOWNSHIP_MIN, VILLAGE_MIN
from layers.errors import LayerNotFound


@dataclass(frozen=True)
class Column:
    """One column a file must (or may) carry.

    kind: 'text', 'int', 'float', 'bool', 'date', 'timestamp' (local time,
    Asia/Shanghai when no offset is given), 'enum' (with ``choices``), 'score' (1–5 or
    the words of ``layers.headers.SCORE_WORDS``), 'phone' (a number, kept only as its
    keyed hash) or 'json' (derived only). labels: the
    Chinese words of values (default: VALUE_LABELS); files may carry either.
    max_length: the longest text allowed. derived: set by the database from other
    columns (an incident's focus from its category), never read from a file.
    """

    name: str
    kind: str
    label: str
    required: bool = True
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    derived: bool = False
    kept: bool = False      # absent from a file: an added row gets the table's default, an updated one keeps its value
    labels: dict = field(default_factory=dict, hash=False, compare=False)

    def label_of(self, value) -> str:
        """The Chinese word for a value (the value itself when there is none)."""
        return self.labels.get(value) or VALUE_LABELS.get(value, str(value))


@dataclass(frozen=True)
class Kind:
    """One class of a layer's features on the map: legend label and Leaflet style.

    aliases: other values of the classifying property that mean this class.
    """

    key: object
    label: str
    style: dict = field(default_factory=dict)
    aliases: tuple = ()


@dataclass(frozen=True)
class Look:
    """How a layer is drawn on the map.

    pane: drawing order (Leaflet pane z-index; higher is on top); views: the map views
    that show it switched on (the 'all' view shows everything); swatch: 'area', 'line'
    or 'dot' (points are drawn as circle markers of ``radius`` pixels); style: Leaflet
    path options of every feature, updated by its kind's. Kinds are picked by the
    property ``by`` or by ``classify(properties)``; ``other`` styles values that match
    no kind. Legend: the kinds present with their counts (every kind with
    ``legend_all``), or one row (``legend`` as its label, else the layer's title).
    popup: the columns a feature's popup lists (default: the layer's columns).
    simplify: tolerance in degrees for lines and polygons. companion: a second overlay
    drawn from the same features (camera sectors from cameras).
    """

    pane: int
    views: tuple[str, ...] = ()
    swatch: str = "area"
    style: dict = field(default_factory=dict)
    by: str | None = None
    classify: Callable[[dict], object] | None = None
    kinds: tuple[Kind, ...] = ()
    other: Kind | None = None
    legend: str | None = None
    legend_all: bool = False
    count: bool = True
    radius: int = 4
    simplify: float | None = None
    popup: tuple[Column, ...] | None = None
    companion: "Overlay | None" = None

    def kind_of(self, props: dict) -> Kind | None:
        """The kind of a feature from its raw properties (``other`` when none matches)."""
        if self.classify is not None:
            key = self.classify(props)
        elif self.by is not None:
            key = props.get(self.by)
        else:
            return None
        for kind in self.kinds:
            if key == kind.key or key in kind.aliases:
                return kind
        return self.other

    def style_for(self, props: dict) -> dict:
        """Leaflet path options of one feature."""
        kind = self.kind_of(props)
        return {**self.style, **(kind.style if kind else {})}


@dataclass(frozen=True)
class Overlay:
    """A map overlay that is not a table of its own (drawn from another layer's rows)."""

    name: str
    title: str
    look: Look


@dataclass(frozen=True)
class Layer:
    """A PostGIS table the county keeps.

    geometry: 'Point', 'MultiLineString', 'MultiPolygon', 'Geometry' (point or polygon)
    or None for a table without geometry. key: the columns a row is matched on when
    importing. time: the column OGC API's ``datetime`` filters on, if any. located:
    township_code (and village_code, when the layer has that column) are filled by
    location where a file does not give them. accepts: geometry types a file may hold.
    """

    name: str
    title: str
    geometry: str | None
    columns: tuple[Column, ...]
    look: Look
    key: tuple[str, ...] = ("code",)
    time: str | None = None
    located: bool = True
    accepts: tuple[str, ...] = ()

    @property
    def table(self) -> str:
        return self.name

    def column(self, name: str) -> Column | None:
        for col in self.columns:
            if col.name == name:
                return col
        return None

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def popup(self) -> tuple[Column, ...]:
        return self.columns if self.look.popup is None else self.look.popup


CODE = Column("code", "text", "编码")
NAME = Column("name", "text", "名称")
TOWNSHIP_CODE = Column("township_code", "text", "乡镇编码", required=False)
VILLAGE_CODE = Column("village_code", "text", "村编码", required=False)

CAMERA_KINDS = ("fixed", "dome", "ptz", "checkpoint")
CAMERA_STATUSES = ("working", "faulty", "offline")
TEAM_KINDS = ("township_fulltime", "village_volunteer")
HOTSPOT_LEVELS = ("county", "township")
HOTSPOT_STATUSES = ("listed", "remediating", "delisted", "carried_over")
# The R4 focus groups an incident's category (as written) maps to (layers.categories).
INCIDENT_FOCUS = (
    "robbery", "snatching", "theft", "telecom_fraud", "illegal_fundraising",
    "drugs", "assault", "traffic_accident", "dispute", "other",
)
INCIDENT_CATEGORIES = INCIDENT_FOCUS  # the name of old, when categories were these codes
CATEGORY_MAX_LENGTH = 100

# Chinese labels for values shown in popups and tables.
VALUE_LABELS = {
    "fixed": "枪机", "dome": "球机", "ptz": "云台", "checkpoint": "卡口",
    "working": "正常", "faulty": "故障", "offline": "离线",
    "township_fulltime": "乡镇专职巡防队", "village_volunteer": "村义务巡防队",
    "county": "县级", "township": "乡镇级",
    "listed": "挂牌", "remediating": "整治中", "delisted": "摘牌", "carried_over": "延续整治",
    "robbery": "抢劫", "snatching": "抢夺", "theft": "盗窃", "telecom_fraud": "电信诈骗",
    "illegal_fundraising": "非法集资", "drugs": "涉毒", "assault": "伤害",
    "traffic_accident": "交通事故", "dispute": "纠纷", "other": "其他",
}

ALL_VIEWS = ("commander", "planner", "leader")
CAMERA_COLORS = {"working": "#1a9641", "faulty": "#f39c12", "offline": "#d7191c"}
HOTSPOT_COLORS = {"listed": "#e31a1c", "remediating": "#ff7f00", "delisted": "#33a02c",
                  "carried_over": "#6a3d9a"}
INCIDENT_COLORS = {
    "robbery": "#b2182b", "snatching": "#d6604d", "theft": "#f4a582", "telecom_fraud": "#2166ac",
    "illegal_fundraising": "#4393c3", "drugs": "#762a83", "assault": "#e7298a",
    "traffic_accident": "#8c510a", "dispute": "#35978f", "other": "#878787",
}
# Road classes, English or Chinese in the data; major first.
ROAD_KINDS = tuple(Kind(key, label, {"color": color, "weight": weight}, aliases=(label,))
                   for key, label, color, weight in (
    ("expressway", "高速公路", "#8e0152", 4.5), ("national", "国道", "#d7301f", 4),
    ("provincial", "省道", "#ef6548", 3.5), ("county", "县道", "#fc8d59", 3),
    ("urban", "城区道路", "#a6761d", 2.5), ("township", "乡道", "#8c8c8c", 2),
    ("village", "村道", "#b0b0b0", 1.5)))


def _coloured(colors: dict, style: Callable[[str], dict]) -> tuple[Kind, ...]:
    return tuple(Kind(key, VALUE_LABELS.get(key, key), style(color)) for key, color in colors.items())


def village_kind(props: dict) -> str:
    """'plain', 'remote' (not remediated) or 'remediated'."""
    if not props.get("remote"):
        return "plain"
    return "remediated" if props.get("remediated_on") else "remote"


def team_short(props: dict) -> bool:
    """Whether a team has fewer members than R7 asks of its kind."""
    minimum, members = TEAM_MINIMUM.get(props.get("kind")), props.get("members")
    return minimum is not None and members is not None and members < minimum


LAYERS: dict[str, Layer] = {}


def _add(layer: Layer) -> None:
    LAYERS[layer.name] = layer


_add(Layer("townships", "乡镇", "MultiPolygon", (CODE, NAME), located=False,
           accepts=("Polygon", "MultiPolygon"),
           look=Look(406, ALL_VIEWS, style={"color": "#253494", "weight": 2.5, "fill": False},
                     simplify=2e-5)))
_add(Layer("villages", "行政村", "MultiPolygon", (
    CODE, NAME,
    Column("township_code", "text", "乡镇编码", required=False),
    Column("remote", "bool", "偏远村"),
    Column("population", "int", "人口", minimum=0),
    Column("remediated_on", "date", "整治确认日期", required=False),
), accepts=("Polygon", "MultiPolygon"), look=Look(
    402, ALL_VIEWS, classify=village_kind, legend_all=True, simplify=2e-5, kinds=(
        Kind("plain", "行政村", {"color": "#9e9e9e", "weight": 0.8, "fillColor": "#ffffff", "fillOpacity": 0.15}),
        Kind("remote", "偏远村（未整治）", {"color": "#e6550d", "weight": 2, "fillColor": "#fdae6b",
                                        "fillOpacity": 0.45}),
        Kind("remediated", "偏远村（已整治）", {"color": "#31a354", "weight": 2, "fillColor": "#a1d99b",
                                          "fillOpacity": 0.4})))))
_add(Layer("cameras", "视频监控", "Point", (
    CODE, NAME,
    Column("kind", "enum", "类型", choices=CAMERA_KINDS),
    Column("azimuth", "float", "朝向(度)", required=False, minimum=0, maximum=360),
    Column("fov", "float", "视场角(度)", minimum=0.1, maximum=360),
    Column("range_m", "float", "可视距离(米)", minimum=1, maximum=5000),
    Column("status", "enum", "状态", choices=CAMERA_STATUSES),
    Column("networked", "bool", "联网"),
    Column("installed_on", "date", "安装日期", required=False),
    TOWNSHIP_CODE, VILLAGE_CODE,
), time="installed_on", accepts=("Point",), look=Look(
    446, ("commander", "leader"), swatch="dot", radius=3, by="status",
    style={"color": "#263238", "weight": 0.6, "fillOpacity": 1},
    kinds=_coloured(CAMERA_COLORS, lambda c: {"fillColor": c}), other=Kind(None, "其他", {"fillColor": "#555555"}),
    companion=Overlay("camera_sectors", "监控可视范围", Look(
        410, ("leader",), by="status", legend="摄像机可视扇区（按比例）", count=False, popup=(),
        style={"weight": 0.8, "opacity": 0.7, "fillOpacity": 0.15, "interactive": False},
        kinds=_coloured(CAMERA_COLORS, lambda c: {"color": c, "fillColor": c}),
        other=Kind(None, "其他", {"color": "#555555", "fillColor": "#555555"}))))))
_add(Layer("incidents", "警情", "Point", (
    CODE,
    Column("occurred_at", "timestamp", "发生时间"),
    Column("category", "text", "类别", max_length=CATEGORY_MAX_LENGTH),
    Column("focus", "enum", "重点类别", required=False, choices=INCIDENT_FOCUS, derived=True),
    TOWNSHIP_CODE, VILLAGE_CODE,
    Column("civil_to_criminal", "bool", "民转刑", required=False, kept=True),    # issue 16: disputes (0022)
    Column("dispute_homicide", "bool", "纠纷命案", required=False, kept=True),
), time="occurred_at", accepts=("Point",), look=Look(
    440, ("planner",), swatch="dot", radius=3, by="focus",
    style={"weight": 1, "fillOpacity": 0.85},
    kinds=_coloured(INCIDENT_COLORS, lambda c: {"color": c, "fillColor": c}),
    other=Kind(None, "其他", {"color": "#878787", "fillColor": "#878787"}))))
_add(Layer("schools", "学校", "Geometry", (CODE, NAME, TOWNSHIP_CODE, VILLAGE_CODE),
           accepts=("Point", "Polygon", "MultiPolygon"), look=Look(
               442, ALL_VIEWS, swatch="dot", radius=6,
               style={"color": "#08519c", "weight": 2, "fillColor": "#6baed6", "fillOpacity": 0.8})))
_add(Layer("roads", "道路", "MultiLineString", (
    CODE, NAME, Column("class", "text", "等级"), TOWNSHIP_CODE,
), accepts=("LineString", "MultiLineString"), look=Look(
    420, ALL_VIEWS, swatch="line", by="class", kinds=ROAD_KINDS, simplify=1e-5,
    other=Kind(None, "其他道路", {"color": "#9e9e9e", "weight": 1.5}))))
_add(Layer("patrol_teams", "巡防队", None, (
    CODE, NAME,
    Column("kind", "enum", "类型", choices=TEAM_KINDS),
    Column("township_code", "text", "乡镇编码"),
    Column("village_code", "text", "村编码", required=False),
    Column("members", "int", "队员人数", minimum=0, maximum=1000),
), located=False, look=Look(
    444, ("commander",), swatch="dot", radius=6, classify=team_short, legend_all=True,
    style={"weight": 3, "fillColor": "#08306b", "fillOpacity": 1}, kinds=(
        Kind(False, "人数达标", {"color": "#ffffff"}),
        Kind(True, f"人数不足（专职≥{TOWNSHIP_MIN}，义务≥{VILLAGE_MIN}）", {"color": "#d7191c"})))))
_add(Layer("patrol_routes", "巡逻路线", "MultiLineString", (
    CODE, NAME,
    Column("team_code", "text", "巡防队编码"),
    Column("shift", "text", "班次"),
    TOWNSHIP_CODE,
), accepts=("LineString", "MultiLineString"), look=Look(
    422, ("commander",), swatch="line", simplify=1e-5,
    style={"color": "#0570b0", "weight": 2.5, "dashArray": "6 4"})))
_add(Layer("patrol_tracks", "巡逻轨迹", "Point", (
    Column("team_code", "text", "巡防队编码"),
    Column("recorded_at", "timestamp", "记录时间"),
    TOWNSHIP_CODE, VILLAGE_CODE,
), key=("team_code", "recorded_at"), time="recorded_at", accepts=("Point",), look=Look(
    424, ("commander",), swatch="line", simplify=1e-5,
    style={"color": "#c51b8a", "weight": 2.5, "opacity": 0.85},
    # the map joins a day's points into one line per team
    popup=(Column("team_code", "text", "巡防队"), Column("recorded_at", "text", "记录时间"),
           Column("points", "int", "轨迹点数")))))
_add(Layer("hotspots", "治安乱点", "MultiPolygon", (
    CODE,
    Column("quarter", "text", "季度"),
    Column("level", "enum", "级别", choices=HOTSPOT_LEVELS),
    Column("township_code", "text", "乡镇编码", required=False),
    NAME,
    Column("status", "enum", "状态", choices=HOTSPOT_STATUSES),
    Column("unit", "text", "责任单位", required=False),
    Column("deadline", "date", "整治期限", required=False),
    Column("carried_from", "text", "延续自", required=False),
), accepts=("Polygon", "MultiPolygon"), look=Look(
    404, ALL_VIEWS, by="status", simplify=5e-6, style={"weight": 2, "fillOpacity": 0.3},
    kinds=_coloured(HOTSPOT_COLORS, lambda c: {"color": c, "fillColor": c}),
    other=Kind(None, "其他", {"color": "#e31a1c", "fillColor": "#e31a1c"}))))

_add(Layer("grids", "网格", "MultiPolygon", (
    CODE, NAME,
    Column("village_code", "text", "所属村", required=False),
    Column("township_code", "text", "乡镇编码", required=False, derived=True),
    Column("member", "text", "网格员", required=False, max_length=100),
    Column("member_phone", "text", "联系电话", required=False, max_length=40),
), accepts=("Polygon", "MultiPolygon"), look=Look(
    403, ("commander",), simplify=1e-5, legend="网格（虚线为网格边界）",
    style={"color": "#6a51a3", "weight": 1.2, "dashArray": "4 3", "fillColor": "#bcbddc", "fillOpacity": 0.08},
    popup=(NAME, Column("member", "text", "网格员"), Column("member_phone", "text", "联系电话"),
           Column("village_code", "text", "所属村")))))


# Layers only the importer writes: never a collection, tile, overlay or search result.
PRIVATE: dict[str, Layer] = {}
PRIVATE["survey_calls"] = Layer("survey_calls", "民意调查电话", None, (   # issue 16: opinion calls (0020)
    Column("code", "text", "编号", required=False, max_length=100),      # made from the call when absent
    Column("called_at", "timestamp", "调查时间"),
    Column("village_code", "text", "村编码", max_length=100),
    Column("caller", "text", "调查员", required=False, max_length=200),
    Column("safety", "score", "安全感", minimum=1, maximum=5),
    Column("satisfaction", "score", "满意度", minimum=1, maximum=5),
    Column("phone_hash", "phone", "受访电话（只存散列）", required=False, kept=True),  # kept as its keyed hash
    Column("problems", "text", "反映问题", required=False, max_length=2000, kept=True),
    Column("answers", "json", "问卷答案", required=False, derived=True),   # the file's q_<key> columns
    Column("created_by", "text", "录入人", required=False, derived=True),
), located=False, look=Look(0, count=False))


def importable() -> dict[str, Layer]:
    """Every layer a file may be imported into: the map's, then the private ones."""
    return {**LAYERS, **PRIVATE}


def importable_layer(name: str) -> Layer:
    """The declaration of a layer files are imported into; LayerNotFound otherwise."""
    try:
        return importable()[name]
    except KeyError:
        raise LayerNotFound(f"未知图层 '{name}'（可用：{', '.join(importable())}）") from None


def overlays() -> list[tuple[str, str, Look, Layer]]:
    """(name, title, look, source layer) of every map overlay, in the catalog's order."""
    out = []
    for layer in LAYERS.values():
        out.append((layer.name, layer.title, layer.look, layer))
        if layer.look.companion is not None:
            c = layer.look.companion
            out.append((c.name, c.title, c.look, layer))
    return out


def get_layer(name: str) -> Layer:
    """Return the declaration of layer ``name``; raise LayerNotFound otherwise."""
    try:
        return LAYERS[name]
    except KeyError:
        raise LayerNotFound(
            f"未知图层 '{name}'（可用：{', '.join(LAYERS)}）") from None
