from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="HealthOut")


@_attrs_define
class HealthOut:
    """Health of the service.

    Attributes:
        status (str): `ok` when healthy; `busy` when ready but every pooled connection is in use; otherwise
            what is wrong (`database unreachable`, `migrations pending`, `migrations changed`, or
            `migrations unknown` when the pool has been busy since start), never an internal error
            text.
        pending_migrations (int | Unset): Migrations compiled into this binary that the database has not applied.
    """

    status: str
    pending_migrations: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        status = self.status

        pending_migrations = self.pending_migrations

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "status": status,
            }
        )
        if pending_migrations is not UNSET:
            field_dict["pending_migrations"] = pending_migrations

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        status = d.pop("status")

        pending_migrations = d.pop("pending_migrations", UNSET)

        health_out = cls(
            status=status,
            pending_migrations=pending_migrations,
        )

        health_out.additional_properties = d
        return health_out

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
