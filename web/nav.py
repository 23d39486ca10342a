"""Navigation by role: each user's own pages first, the others' (read-only for them)
under one menu 其他页面, the system pages for admins.

A link is (endpoint, label, query values); ``links(role)`` answers the header's two groups
for the signed-in user. Every role may read every page; only the forms on another role's
pages refuse them, so "others' pages" are shown as read-only views.
"""
from __future__ import annotations

from flask import url_for

Link = tuple[str, str, dict]

PAGES: dict[str, list[Link]] = {
    "commander": [("commander.index", "指挥首页", {}), ("commander.patrol_page", "巡防指挥", {}),
                  ("commander.cameras", "摄像机", {}), ("commander.camera_list", "摄像机清单", {}),
                  ("commander.siting", "补点选址", {}), ("commander.checkins", "队员打卡", {}),
                  ("commander.devices_page", "巡防设备", {}), ("problems.index", "问题清单", {}),
                  ("grids.staffing", "网格与驻村人员", {}), ("home.map_page", "地图", {"preset": "commander"})],
    "planner": [("planner.index", "规划首页", {}), ("planner.hotspots", "季度乱点清单", {}),
                ("planner.remediation", "整治台账", {}), ("problems.index", "问题清单", {}), ("survey.index", "民意调查", {}),
                ("disputes.index", "矛盾纠纷排查", {}), ("grids.staffing", "网格与驻村人员", {}),
                ("home.map_page", "地图", {"preset": "planner"})],
    "leader": [("leader.index", "领导驾驶舱", {}), ("leader.remediation", "偏远村整治", {}),
               ("leader.coverage_page", "视频覆盖", {}), ("leader.hotspots", "乱点整治进展", {}),
               ("problems.index", "问题清单", {}), ("survey.plan_page", "民意调查", {}), ("rankings.leader", "乡镇排名", {}),
               ("grids.staffing", "网格与驻村人员", {}),
               ("home.map_page", "地图", {"preset": "leader"})],
    "admin": [("admin.index", "系统管理", {}), ("admin.imports_page", "数据导入", {}), ("admin.audit", "审计日志", {}),
              ("commander.devices_page", "巡防设备", {}),
              ("admin.category_list", "警情类别", {}), ("admin.calendar_page", "校历", {}),
              ("problems.index", "问题清单", {}), ("survey.index", "民意调查", {}), ("rankings.admin", "排名设置", {}),
              ("grids.staffing", "网格与驻村人员", {}),
              ("home.map_page", "地图", {"preset": "all"})],
    "patrol": [("patrol.me", "我的巡逻", {})],  # a patrol member sees nothing else (web.auth.PATROL_ENDPOINTS)
}
GROUP_LABELS = {"commander": "巡防指挥", "planner": "规划", "leader": "县领导", "admin": "系统"}
SHARED: list[Link] = [("ogc.landing", "数据服务（OGC API）", {"f": "html"})]
OWN_ONLY = {"home.map_page", "commander.devices_page", "problems.index", "survey.index", "survey.plan_page",
            "grids.staffing"}  # not among others' pages (once; refused)


def _urls(group: list[Link]) -> list[dict]:
    return [{"url": url_for(endpoint, **values), "label": label, "endpoint": endpoint}
            for endpoint, label, values in group]


def links(role: str) -> dict:
    """{'own': [...], 'others': [(group label, [...]), ...]} for ``role``. The map appears
    once, in the user's own group; admins' pages are shown to admins only."""
    own = PAGES.get(role, PAGES["leader"])
    if role == "patrol":
        return {"own": _urls(own), "others": []}
    others = []
    for other, group in PAGES.items():
        if other == role or other in ("admin", "patrol"):
            continue
        others.append((GROUP_LABELS[other], _urls([link for link in group if link[0] not in OWN_ONLY])))
    others.append(("其他", _urls(SHARED)))
    return {"own": _urls(own), "others": others}


def init_app(app) -> None:
    app.add_template_global(links, "nav_links")
