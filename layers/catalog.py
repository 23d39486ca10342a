"""The layers of the county map, declared once.

Each declaration drives the importer (required columns, types, enums), the
OGC API (collections, time filter) and the map shell (titles, popups).
The SQL schema itself lives in numbered migrations under ``layers/migrations``;
``tests/layers/test_schema.py`` checks that the two agree.
"""
from __future__ import annotations

from dataclasses import dataclass, field

LOGGER_NAME = __name__


@dataclass(frozen=True)
class Column:
    """One column a file must (or may) carry.

    kind: 'text', 'int', 'float', 'bool', 'date', 'timestamp' (local time,
    Asia/Shanghai when no offset is given) or 'enum' (with ``choices``).
    """

    name: str
    kind: str
    label: str
    required: bool = True
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class Layer:
    """A PostGIS table the county keeps.

    geometry: 'Point', 'MultiLineString', 'MultiPolygon', 'Geometry'
    (point or polygon) or None for a table without geometry.
    key: the columns a row is matched on when importing.
    time: the column OGC API's ``datetime`` filters on, if any.
    located: whether township_code / village_code are derived by location
    when the file does not give them.
    """

    name: str
    title: str
    geometry: str | None
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ("code",)
    time: str | None = None
    located: bool = True
    accepts: tuple[str, ...] = field(default=())

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


CODE = Column("code", "text", "编码")
NAME = Column("name", "text", "名称")
TOWNSHIP_CODE = Column("township_code", "text", "乡镇编码", required=False)
VILLAGE_CODE = Column("village_code", "text", "村编码", required=False)

CAMERA_KINDS = ("fixed", "dome", "ptz", "checkpoint")
CAMERA_STATUSES = ("working", "faulty", "offline")
TEAM_KINDS = ("township_fulltime", "village_volunteer")
HOTSPOT_LEVELS = ("county", "township")
HOTSPOT_STATUSES = ("listed", "remediating", "delisted", "carried_over")
INCIDENT_CATEGORIES = (
    "robbery", "snatching", "theft", "telecom_fraud", "illegal_fundraising",
    "drugs", "assault", "traffic_accident", "dispute", "other",
)

LAYERS: dict[str, Layer] = {}


def _add(layer: Layer) -> None:
    LAYERS[layer.name] = layer


_add(Layer("townships", "乡镇", "MultiPolygon", (CODE, NAME), located=False,
           accepts=("Polygon", "MultiPolygon")))
_add(Layer("villages", "行政村", "MultiPolygon", (
    CODE, NAME,
    Column("township_code", "text", "乡镇编码", required=False),
    Column("remote", "bool", "偏远村"),
    Column("population", "int", "人口", minimum=0),
    Column("remediated_on", "date", "整治确认日期", required=False),
), accepts=("Polygon", "MultiPolygon")))
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
), time="installed_on", accepts=("Point",)))
_add(Layer("incidents", "警情", "Point", (
    CODE,
    Column("occurred_at", "timestamp", "发生时间"),
    Column("category", "enum", "类别", choices=INCIDENT_CATEGORIES),
    TOWNSHIP_CODE, VILLAGE_CODE,
), time="occurred_at", accepts=("Point",)))
_add(Layer("schools", "学校", "Geometry", (CODE, NAME, TOWNSHIP_CODE, VILLAGE_CODE),
           accepts=("Point", "Polygon", "MultiPolygon")))
_add(Layer("roads", "道路", "MultiLineString", (
    CODE, NAME, Column("class", "text", "等级"), TOWNSHIP_CODE,
), accepts=("LineString", "MultiLineString")))
_add(Layer("patrol_teams", "巡防队", None, (
    CODE, NAME,
    Column("kind", "enum", "类型", choices=TEAM_KINDS),
    Column("township_code", "text", "乡镇编码"),
    Column("village_code", "text", "村编码", required=False),
    Column("members", "int", "队员人数", minimum=0, maximum=1000),
), located=False))
_add(Layer("patrol_routes", "巡逻路线", "MultiLineString", (
    CODE, NAME,
    Column("team_code", "text", "巡防队编码"),
    Column("shift", "text", "班次"),
    TOWNSHIP_CODE,
), accepts=("LineString", "MultiLineString")))
_add(Layer("patrol_tracks", "巡逻轨迹", "Point", (
    Column("team_code", "text", "巡防队编码"),
    Column("recorded_at", "timestamp", "记录时间"),
    TOWNSHIP_CODE, VILLAGE_CODE,
), key=("team_code", "recorded_at"), time="recorded_at", accepts=("Point",)))
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
), accepts=("Polygon", "MultiPolygon")))

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


def get_layer(name: str) -> Layer:
    """Return the declaration of layer ``name``; raise LayerNotFound otherwise."""
    from layers.errors import LayerNotFound

    try:
        return LAYERS[name]
    except KeyError:
        raise LayerNotFound(
            f"未知图层 '{name}'（可用：{', '.join(LAYERS)}）") from None
