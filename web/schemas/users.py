"""User management and sign-in requests: new users, changes, passwords, the audit log's pages.

Names, roles and the password policy are checked by ``layers.users`` and
``layers.passwords`` (the CLI shares them); here only shapes and bounds, and that a
form's two password fields agree.
"""
from __future__ import annotations

from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator

from layers.audit import ACTIONS
from layers.passwords import MAX_LENGTH
from web.schemas import Input, Whole

UserName = Annotated[str, Field(max_length=1000)]  # normalised and checked by layers.users
Password = Annotated[str, Field(max_length=MAX_LENGTH)]
Role = Annotated[str, Field(max_length=100)]      # a wrong one is named by layers.users
TeamCode = Annotated[str, Field(max_length=100, pattern=r"^[^\x00-\x1f\x7f]*$")]  # a patrol member's team


class NewPassword(Input):
    """A new password; from a form, typed twice (``repeat``)."""

    password: Password
    repeat: Password | None = None

    @field_validator("repeat")
    @classmethod
    def _same(cls, value, info: ValidationInfo):
        if value is not None and value != info.data.get("password"):
            raise ValueError("与新密码不一致（两次输入的密码应相同）")
        return value


class NewUser(NewPassword):
    name: UserName
    role: Role
    team_code: TeamCode | None = None  # required for role patrol


class OwnPassword(NewPassword):
    """Changing one's own password: the current one first."""

    current: Password


class UserChange(Input):
    """A new role and/or state (JSON); the API asks for at least one."""

    role: Role | None = None
    disabled: bool | None = None
    team_code: TeamCode | None = None


class RoleForm(Input):
    role: Role
    team_code: TeamCode | None = None


class CountiesForm(Input):
    """County codes separated by commas; blank: the configured county only."""

    counties: Annotated[str, Field(max_length=40_000)] | None = None


class StateForm(Input):
    disabled: bool


class AuditPage(Input):
    """One page of the audit log: ``before`` an entry id, of one ``action``."""

    limit: Annotated[int, Field(ge=1, le=1000)] = 200
    before: Annotated[Whole, Field(ge=1)] | None = None
    action: Annotated[str, Field(max_length=40)] | None = None

    @field_validator("action")
    @classmethod
    def _known(cls, value):
        if value is not None and value not in ACTIONS:
            raise ValueError(f"应为 {', '.join(ACTIONS)} 之一，而不是 '{value}'")
        return value

