"""The audit log: who changed which user or incident category mapping, and sign-ins, when,
before and after.

Rows are only added (a trigger refuses UPDATE and DELETE). Nothing here ever holds a
password or a hash: callers pass the fields that changed.
"""
from __future__ import annotations

from psycopg2.extras import Json

ACTIONS = {"user_created": "新建用户", "role_changed": "修改角色", "user_disabled": "停用用户",
           "user_enabled": "启用用户", "password_reset": "重置密码", "password_changed": "修改本人密码",
           "signed_in": "登录", "signed_out": "退出", "sign_in_failed": "登录失败",
           "sign_in_throttled": "登录受限", "category_mapped": "警情类别映射",
           "video_rule_changed": "修改村视频覆盖规则", "user_scope_changed": "修改可查看的县",
           "calendar_day_set": "设置节假日/调休", "calendar_day_removed": "删除节假日/调休",
           "school_term_set": "设置学期", "school_term_removed": "删除学期", "calendar_imported": "导入校历"}
COLUMNS = ("id", "at", "actor", "action", "target", "before", "after", "address")


def record(conn, action: str, *, actor: str | None = None, target: str | None = None,
           before: dict | None = None, after: dict | None = None, address: str | None = None) -> int:
    """Add one entry; return its id."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    with conn.cursor() as cur:
        cur.execute("INSERT INTO audit_log (actor, action, target, before, after, address)"
                    " VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
                    (actor, action, target, None if before is None else Json(before),
                     None if after is None else Json(after), address))
        return cur.fetchone()[0]


def entries(conn, limit: int = 200, before_id: int | None = None, action: str | None = None) -> list[dict]:
    """The newest entries first (older than ``before_id`` when given; of one action when given)."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT {', '.join(COLUMNS)} FROM audit_log"
                    " WHERE (%(before)s::bigint IS NULL OR id < %(before)s)"
                    " AND (%(action)s::text IS NULL OR action = %(action)s)"
                    " ORDER BY id DESC LIMIT %(limit)s",
                    {"before": before_id, "action": action, "limit": limit})
        return [dict(zip(COLUMNS, row), at=row[1].isoformat()) for row in cur.fetchall()]
