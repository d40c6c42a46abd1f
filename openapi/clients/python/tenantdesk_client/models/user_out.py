from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.user_role import UserRole
from ..types import UNSET, Unset

T = TypeVar("T", bound="UserOut")


@_attrs_define
class UserOut:
    """A user of a tenant.

    Attributes:
        created_at (datetime.datetime):
        email (str):
        full_name (str):
        id (UUID):
        is_active (bool):
        role (UserRole): A user's role inside their tenant.
        tenant_id (UUID):
        updated_at (datetime.datetime):
        last_login_at (datetime.datetime | Unset):
    """

    created_at: datetime.datetime
    email: str
    full_name: str
    id: UUID
    is_active: bool
    role: UserRole
    tenant_id: UUID
    updated_at: datetime.datetime
    last_login_at: datetime.datetime | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        email = self.email

        full_name = self.full_name

        id = str(self.id)

        is_active = self.is_active

        role = self.role.value

        tenant_id = str(self.tenant_id)

        updated_at = self.updated_at.isoformat()

        last_login_at: str | Unset = UNSET
        if not isinstance(self.last_login_at, Unset):
            last_login_at = self.last_login_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "email": email,
                "full_name": full_name,
                "id": id,
                "is_active": is_active,
                "role": role,
                "tenant_id": tenant_id,
                "updated_at": updated_at,
            }
        )
        if last_login_at is not UNSET:
            field_dict["last_login_at"] = last_login_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        email = d.pop("email")

        full_name = d.pop("full_name")

        id = UUID(d.pop("id"))

        is_active = d.pop("is_active")

        role = UserRole(d.pop("role"))

        tenant_id = UUID(d.pop("tenant_id"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        _last_login_at = d.pop("last_login_at", UNSET)
        last_login_at: datetime.datetime | Unset
        if isinstance(_last_login_at, Unset):
            last_login_at = UNSET
        else:
            last_login_at = datetime.datetime.fromisoformat(_last_login_at)

        user_out = cls(
            created_at=created_at,
            email=email,
            full_name=full_name,
            id=id,
            is_active=is_active,
            role=role,
            tenant_id=tenant_id,
            updated_at=updated_at,
            last_login_at=last_login_at,
        )

        user_out.additional_properties = d
        return user_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
