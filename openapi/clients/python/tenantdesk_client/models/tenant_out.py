from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TenantOut")


@_attrs_define
class TenantOut:
    """A tenant (a customer company).

    Attributes:
        created_at (datetime.datetime):
        id (UUID):
        is_active (bool): A deactivated tenant's users, tokens and API keys are refused (403 `tenant_inactive`).
        name (str):
        slug (str):
        updated_at (datetime.datetime):
        deactivated_at (datetime.datetime | Unset):
        user_count (int | Unset): Number of users (all states).
    """

    created_at: datetime.datetime
    id: UUID
    is_active: bool
    name: str
    slug: str
    updated_at: datetime.datetime
    deactivated_at: datetime.datetime | Unset = UNSET
    user_count: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        id = str(self.id)

        is_active = self.is_active

        name = self.name

        slug = self.slug

        updated_at = self.updated_at.isoformat()

        deactivated_at: str | Unset = UNSET
        if not isinstance(self.deactivated_at, Unset):
            deactivated_at = self.deactivated_at.isoformat()

        user_count = self.user_count

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "id": id,
                "is_active": is_active,
                "name": name,
                "slug": slug,
                "updated_at": updated_at,
            }
        )
        if deactivated_at is not UNSET:
            field_dict["deactivated_at"] = deactivated_at
        if user_count is not UNSET:
            field_dict["user_count"] = user_count

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        id = UUID(d.pop("id"))

        is_active = d.pop("is_active")

        name = d.pop("name")

        slug = d.pop("slug")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        _deactivated_at = d.pop("deactivated_at", UNSET)
        deactivated_at: datetime.datetime | Unset
        if isinstance(_deactivated_at, Unset):
            deactivated_at = UNSET
        else:
            deactivated_at = datetime.datetime.fromisoformat(_deactivated_at)

        user_count = d.pop("user_count", UNSET)

        tenant_out = cls(
            created_at=created_at,
            id=id,
            is_active=is_active,
            name=name,
            slug=slug,
            updated_at=updated_at,
            deactivated_at=deactivated_at,
            user_count=user_count,
        )

        tenant_out.additional_properties = d
        return tenant_out

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
