"""Managing users: create them, change a role, disable or enable, reset or change a password.

Every change is recorded in the audit log (who, when, what, before and after; never a
password or a hash). Disabling a user and any new password end that user's sessions.
Refusals are typed errors: InvalidInput naming the field, Conflict (a taken name, the last
admin), FeatureNotFound (no such user).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from layers import audit, checkins, counties, sessions, users
from layers.errors import Conflict, InvalidInput


@dataclass(frozen=True)
class Actor:
    """Who makes a change, and from which address."""

    name: str | None
    address: str | None = None


def _public(account: users.Account) -> dict:
    out = {"name": account.name, "role": account.role, "disabled": account.disabled}
    return {**out, "team_code": account.team_code} if account.team_code else out


def _team_of_county(conn, county: str | None, role: str, team_code) -> str | None:
    """A patrol member's team, which must be one of the county's; None for other roles."""
    team_code = users.check_team(role, team_code)
    if team_code and county and not checkins.team_exists(conn, county, team_code):
        raise InvalidInput(f"本县没有编码为 '{team_code[:100]}' 的巡防队", "team_code")
    return team_code


def user(conn, name: str) -> dict:
    """One user's name, role and state; FeatureNotFound when there is none."""
    return _public(users.user_named(conn, name))


def create(conn, actor: Actor, name, password, role, team_code=None, county: str | None = None) -> dict:
    """Add a user (name, password policy and role checked; a patrol member's team must be
    one of ``county``'s)."""
    users.check_role(role)
    team_code = _team_of_county(conn, county, role, team_code)
    account = users.get_user(conn, users.create_user(conn, name, password, role, team_code))
    after = {"role": account.role, "disabled": False, **({"team_code": team_code} if team_code else {})}
    audit.record(conn, "user_created", actor=actor.name, target=account.name, after=after, address=actor.address)
    return _public(account)


def _keep_an_admin(conn, actor: Actor, account: users.Account, field: str) -> None:
    """Refuse to demote or disable oneself, or the last admin who can sign in."""
    if actor.name and actor.name.casefold() == account.name.casefold():
        raise InvalidInput("不能停用自己或取消自己的管理员角色", field)
    if account.role == "admin" and not account.disabled and users.active_admins(conn) <= 1:
        raise Conflict("至少要保留一名可以登录的管理员", 1, key="active_admins")


def change(conn, actor: Actor, name: str, role: str | None = None, disabled: bool | None = None,
           team_code: str | None = None, county: str | None = None) -> dict:
    """Change a user's role (a patrol member's team with it) and/or state; a disabled user's
    sessions end at once."""
    account = users.user_named(conn, name)
    if role is not None and (role != account.role or (team_code and team_code != account.team_code)):
        users.check_role(role)
        team = _team_of_county(conn, county, role, team_code or account.team_code)
        if account.role == "admin":
            _keep_an_admin(conn, actor, account, "role")
        users.set_role(conn, account, role, team)
        audit.record(conn, "role_changed", actor=actor.name, target=account.name,
                     before={"role": account.role, **({"team_code": account.team_code} if account.team_code else {})},
                     after={"role": role, **({"team_code": team} if team else {})}, address=actor.address)
    if disabled is not None and bool(disabled) != account.disabled:
        revoked = 0
        if disabled:
            _keep_an_admin(conn, actor, account, "disabled")
            revoked = sessions.revoke_all(conn, account.id)
        users.set_disabled(conn, account, disabled)
        audit.record(conn, "user_disabled" if disabled else "user_enabled", actor=actor.name,
                     target=account.name, before={"disabled": account.disabled},
                     after={"disabled": bool(disabled), "sessions_revoked": revoked}, address=actor.address)
    return user(conn, account.name)


def reset_password(conn, actor: Actor, name: str, password) -> dict:
    """Give a user a new password (an admin's reset); all their sessions end."""
    account = users.user_named(conn, name)
    users.set_password(conn, account, password)
    revoked = sessions.revoke_all(conn, account.id)
    audit.record(conn, "password_reset", actor=actor.name, target=account.name,
                 after={"sessions_revoked": revoked}, address=actor.address)
    return {**_public(account), "sessions_revoked": revoked}


def change_own_password(conn, account: users.Account, password, address: str | None) -> int:
    """A user's new password of their own (the old one already checked); every session of
    theirs ends. Return how many ended."""
    users.set_password(conn, account, password)
    revoked = sessions.revoke_all(conn, account.id)
    audit.record(conn, "password_changed", actor=account.name, target=account.name,
                 after={"sessions_revoked": revoked}, address=address)
    return revoked


def audit_entries(conn, limit: int = 200, before_id: int | None = None, action: str | None = None) -> list[dict]:
    """The audit log, newest first, with each action's Chinese label."""
    return [{**e, "label": audit.ACTIONS[e["action"]]}
            for e in audit.entries(conn, limit, before_id, action)]


AUDIT_HEAD = ["编号", "时间", "操作人", "操作", "对象", "变更前", "变更后", "地址"]


def audit_rows(entries: list[dict]) -> list[list]:
    """The entries as table rows (AUDIT_HEAD) for the page and the CSV export."""
    def text(value):
        return "" if value is None else ", ".join(f"{k}={v}" for k, v in value.items())
    return [[e["id"], e["at"][:19].replace("T", " "), e["actor"] or "", e["label"], e["target"] or "",
             text(e["before"]), text(e["after"]), e["address"] or ""] for e in entries]


def _cell(value):
    """A value that spreadsheet programs will not run as a formula (names tried at sign-in
    are whatever a stranger typed)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def audit_csv(entries: list[dict]) -> str:
    """The entries as CSV text with a BOM (so that Excel reads it as UTF-8)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(AUDIT_HEAD)
    writer.writerows([[_cell(v) for v in row] for row in audit_rows(entries)])
    return "\ufeff" + buf.getvalue()


def set_counties(conn, actor: Actor, name: str, codes) -> dict:
    """Give a user the counties they may see ('410999,411001'; blank or None: the
    configured county only); InvalidInput (field 'counties') on a bad code."""
    account = users.user_named(conn, name)
    new = counties.parse_codes(codes) if codes and str(codes).strip() else None
    counties.set_scope(conn, account.id, new)
    audit.record(conn, "user_scope_changed", actor=actor.name, target=account.name,
                 before={"counties": list(account.counties) if account.counties else None},
                 after={"counties": list(new) if new else None}, address=actor.address)
    return {**_public(account), "counties": list(new) if new else None}
