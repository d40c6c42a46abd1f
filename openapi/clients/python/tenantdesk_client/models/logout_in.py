from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="LogoutIn")


@_attrs_define
class LogoutIn:
    """What else to revoke at logout.

    Attributes:
        all_sessions (bool | Unset): Revoke every refresh token of the user (all sessions). Default: False.
        refresh_token (str | Unset): Also revoke this refresh token's whole family (this session).
    """

    all_sessions: bool | Unset = False
    refresh_token: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        all_sessions = self.all_sessions

        refresh_token = self.refresh_token

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if all_sessions is not UNSET:
            field_dict["all_sessions"] = all_sessions
        if refresh_token is not UNSET:
            field_dict["refresh_token"] = refresh_token

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        all_sessions = d.pop("all_sessions", UNSET)

        refresh_token = d.pop("refresh_token", UNSET)

        logout_in = cls(
            all_sessions=all_sessions,
            refresh_token=refresh_token,
        )

        return logout_in
