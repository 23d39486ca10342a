"""How the county's own files head the catalog's columns and write its values.

The people who keep a county's data work in Excel and WPS: 行政村名单.xlsx with 编码 /
名称 / 所属乡镇 / 人口, a camera ledger with 点位编号 / 经度 / 纬度 / 朝向 / 是否联网, an
incident export with 警情编号 / 报警时间 / 警情类别. Each layer's columns are declared
in ``layers.catalog``; their usual Chinese headers and variants are declared here, once,
and used by the importer (CLI and browser alike) and by the blank templates.

``header_names(layer, column)``: the headers a file may use for a column, the template's
first. A column's catalog name and Chinese label always count too. Headers are compared
without case, spaces, a trailing unit in brackets (朝向(度), 人口（人）) or a '*'.
``VALUE_WORDS``: words files use for an enum's values beyond the catalog's labels.
A township written by name (柳林镇) where a code belongs is turned into its code when
written (``layers.store.locate``).
"""
from __future__ import annotations

import re

# Headers of columns many layers share, after the layer's own.
COMMON = {
    "code": ("编码", "代码", "编号"),
    "name": ("名称", "名字"),
    "township_code": ("所属乡镇", "乡镇编码", "乡镇代码", "乡镇", "乡镇名称", "所属乡镇（街道）", "乡镇（街道）",
                      "所属街道", "街道"),
    "village_code": ("所属村", "村编码", "村代码", "所属行政村", "行政村", "村（社区）", "所属社区"),
    "kind": ("类型",),
    "status": ("状态",),
}

LAYER_HEADERS = {
    "townships": {"code": ("乡镇编码", "乡镇代码", "区划代码"), "name": ("乡镇名称", "乡镇")},
    "villages": {
        "code": ("编码", "村编码", "行政村编码", "村代码", "区划代码"),
        "name": ("名称", "村名", "村名称", "行政村名称", "行政村"),
        "remote": ("是否偏远村", "偏远村", "是否偏远"),
        "population": ("人口", "人口数", "户籍人口", "常住人口", "总人口"),
        "remediated_on": ("整治确认日期", "整治日期", "整治完成日期", "验收日期"),
    },
    "cameras": {
        "code": ("点位编号", "设备编号", "设备编码", "摄像机编号", "国标编码", "点位编码"),
        "name": ("点位名称", "设备名称", "摄像机名称", "安装位置"),
        "kind": ("设备类型", "摄像机类型", "类型"),
        "azimuth": ("朝向", "方位角", "方向角", "朝向角"),
        "fov": ("视场角", "视角", "水平视场角"),
        "range_m": ("有效距离", "监控距离", "可视距离", "照射距离"),
        "status": ("状态", "设备状态", "运行状态", "在线状态"),
        "networked": ("是否联网", "联网", "联网状态", "是否接入"),
        "installed_on": ("安装日期", "安装时间", "建设日期"),
    },
    "incidents": {
        "code": ("警情编号", "案件编号", "接警编号", "警情号", "编号"),
        "occurred_at": ("报警时间", "发案时间", "发生时间", "案发时间", "接警时间"),
        "category": ("警情类别", "类别", "案件类别", "警情类型", "案由"),
        "civil_to_criminal": ("是否民转刑", "民转刑", "民转刑案件", "是否民转刑案件"),
        "dispute_homicide": ("是否纠纷命案", "纠纷命案", "是否民事纠纷引发命案", "民事纠纷引发命案", "纠纷引发命案"),
    },
    "schools": {"code": ("学校代码", "学校编码", "学校标识码"), "name": ("学校名称",)},
    "roads": {"code": ("道路编码", "路线编码", "路线编号"), "name": ("道路名称", "路名"),
              "class": ("等级", "道路等级", "技术等级")},
    "patrol_teams": {
        "code": ("队伍编号", "巡防队编号", "巡防队编码"), "name": ("队伍名称", "巡防队名称"),
        "kind": ("队伍类型", "类型"), "members": ("队员人数", "人数", "队员数"),
    },
    "patrol_routes": {"code": ("路线编号", "路线编码"), "name": ("路线名称",),
                      "team_code": ("巡防队编码", "巡防队编号", "队伍编号"), "shift": ("班次",)},
    "patrol_tracks": {"team_code": ("巡防队编码", "巡防队编号", "队伍编号"),
                      "recorded_at": ("记录时间", "定位时间", "GPS时间", "时间")},
    "hotspots": {
        "code": ("乱点编号", "编号"), "name": ("乱点名称", "名称"), "quarter": ("季度",),
        "level": ("级别", "层级", "挂牌级别"), "status": ("状态", "整治状态"), "unit": ("责任单位",),
        "deadline": ("整治期限", "期限", "完成时限"), "carried_from": ("延续自",),
    },
    "grids": {
        "code": ("网格编码", "网格编号", "网格代码", "编码"), "name": ("网格名称", "网格名", "名称"),
        "village_code": ("所属村", "所属行政村", "村编码", "所属村（社区）"),
        "member": ("网格员", "网格员姓名", "专职网格员"), "member_phone": ("联系电话", "网格员电话", "电话", "手机号"),
    },
    "survey_calls": {   # a call centre's export (民意调查 / 满意度测评)
        "code": ("调查编号", "通话编号", "记录编号", "工单编号", "编号"),
        "called_at": ("调查时间", "通话时间", "拨打时间", "呼叫时间", "回访时间", "调查日期", "日期", "时间"),
        "village_code": ("村编码", "行政村编码", "村代码", "受访村编码", "所属村", "行政村"),
        "caller": ("调查员", "话务员", "坐席", "坐席工号", "访问员", "调查人"),
        "safety": ("安全感", "群众安全感", "安全感评价", "安全感得分"),
        "satisfaction": ("满意度", "群众满意度", "满意度评价", "满意度得分", "政法工作满意度"),
        "phone_hash": ("受访电话", "电话", "电话号码", "手机号码", "手机号", "联系电话", "受访者电话",
                       "被访电话", "号码", "phone"),
        "problems": ("反映问题", "意见建议", "群众反映问题", "问题及建议", "备注"),
    },
}

# The 5-point scale of 安全感 and 满意度 as call centres write it: 5 the best.
SCORE_WORDS = {
    "safety": {"很安全": 5, "非常安全": 5, "安全": 4, "比较安全": 4, "较安全": 4, "基本安全": 3, "一般": 3,
               "不太安全": 2, "不安全": 2, "很不安全": 1, "非常不安全": 1},
    "satisfaction": {"很满意": 5, "非常满意": 5, "满意": 4, "比较满意": 4, "较满意": 4, "基本满意": 3,
                     "一般": 3, "不太满意": 2, "不满意": 2, "很不满意": 1, "非常不满意": 1},
}

# (layer, column) -> {word: value}: what ledgers write beyond the catalog's labels.
VALUE_WORDS = {
    ("cameras", "status"): {"在线": "working", "良好": "working", "完好": "working", "损坏": "faulty",
                            "待修": "faulty", "故障": "faulty", "掉线": "offline", "不在线": "offline",
                            "离线": "offline"},
    ("cameras", "kind"): {"枪型": "fixed", "枪式": "fixed", "半球": "dome", "球型": "dome", "球形": "dome",
                          "高点": "ptz", "云台": "ptz", "治安卡口": "checkpoint", "电子警察": "checkpoint"},
    ("patrol_teams", "kind"): {"专职": "township_fulltime", "专职巡防队": "township_fulltime",
                               "义务": "village_volunteer", "义务巡防队": "village_volunteer"},
    ("hotspots", "level"): {"县": "county", "县级乱点": "county", "乡镇": "township", "乡级": "township"},
}

_UNIT = re.compile(r"[（(][^（）()]*[）)]$")


def normalise(header) -> str:
    """A header as compared: no case, spaces, '*' or trailing unit in brackets."""
    text = re.sub(r"[\s*＊]", "", str(header)).lower()
    stripped = _UNIT.sub("", text)
    return stripped or text


def header_names(layer: str, column: str) -> tuple[str, ...]:
    """The headers a file may use for ``column`` of ``layer``, most usual first."""
    own = LAYER_HEADERS.get(layer, {}).get(column, ())
    return own + tuple(h for h in COMMON.get(column, ()) if h not in own)
