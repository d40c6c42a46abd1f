from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.user_role import UserRole
from ..types import UNSET, Unset

T = TypeVar("T", bound="UserPatch")


@_attrs_define
class UserPatch:
    """Changes to a user; absent fields stay as they are.

    Attributes:
        full_name (str | Unset): Display name, 1–200 characters.
        is_active (bool | Unset): `false` deactivates (and revokes the user's refresh tokens), `true` reactivates.
        role (UserRole | Unset): A user's role inside their tenant.
    """

    full_name: str | Unset = UNSET
    is_active: bool | Unset = UNSET
    role: UserRole | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        full_name = self.full_name

        is_active = self.is_active

        role: str | Unset = UNSET
        if not isinstance(self.role, Unset):
            role = self.role.value

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if full_name is not UNSET:
            field_dict["full_name"] = full_name
        if is_active is not UNSET:
            field_dict["is_active"] = is_active
        if role is not UNSET:
            field_dict["role"] = role

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        full_name = d.pop("full_name", UNSET)

        is_active = d.pop("is_active", UNSET)

        _role = d.pop("role", UNSET)
        role: UserRole | Unset
        if isinstance(_role, Unset):
            role = UNSET
        else:
            role = UserRole(_role)

        user_patch = cls(
            full_name=full_name,
            is_active=is_active,
            role=role,
        )

        return user_patch
